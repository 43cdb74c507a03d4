"""`mmgym calibrate` and the noisy expert: a suite's floor and ceiling, its score as the expert's play worsens,
the monotonicity check and the resolution figure; run through the installed command on small puzzles."""

from __future__ import annotations

import asyncio
import json
from pathlib import Path

import pytest

from mmgym.agents.scripted import ExpertAgent, NoisyExpertAgent
from mmgym.errors import ConfigError
from mmgym.results.calibration import Band, load, monotone, normalise, resolution
from mmgym.runners.rollout import run_episode


def at(*points: tuple[float, float, float]) -> dict[float, Band | None]:
    """Scores by p, each (p, low, high)."""
    return {p: Band(mean=(low + high) / 2, low=low, high=high, n=10) for p, low, high in points}


def test_monotone_allows_overlapping_intervals_and_refuses_a_score_that_rises_clear_of_an_earlier_one() -> None:
    assert monotone(at((0, 90, 100), (0.5, 40, 60), (1, 0, 10)))
    assert monotone(at((0, 90, 100), (0.5, 85, 100), (1, 92, 100)))  # flat within the intervals
    assert not monotone(at((0, 40, 60), (0.5, 20, 30), (1, 70, 80)))


def test_the_resolution_is_the_smallest_difference_in_p_whose_intervals_do_not_overlap() -> None:
    assert resolution(at((0, 90, 100), (0.1, 80, 95), (0.25, 60, 75), (1, 0, 10))) == 0.15
    assert resolution(at((0, 40, 60), (1, 45, 55))) is None


def test_a_score_normalised_between_floor_and_ceiling() -> None:
    assert normalise(60.0, floor=20.0, ceiling=100.0) == 50.0
    assert normalise(10.0, floor=20.0, ceiling=100.0) == -12.5  # below the floor reads below zero
    assert normalise(50.0, floor=50.0, ceiling=50.0) is None  # no room between them: nothing to normalise


def test_loading_something_that_is_not_a_calibration_is_one_line(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match=r"no calibration.json at .*mmgym calibrate suite=<name>"):
        load(tmp_path)
    (tmp_path / "calibration.json").write_text('{"suite": "x"}')
    with pytest.raises(ConfigError, match=r"is not a calibration mmgym wrote \(\d+ problems\)"):
        load(tmp_path)


def test_the_noisy_expert_is_the_expert_at_zero_and_random_at_one(maze_spec) -> None:
    spec = maze_spec()
    expert = asyncio.run(run_episode(spec, ExpertAgent()))
    same = asyncio.run(run_episode(spec, NoisyExpertAgent(0.0)))
    assert [s.action for s in same.steps] == [s.action for s in expert.steps] and same.success
    noisy = asyncio.run(run_episode(spec, NoisyExpertAgent(1.0)))
    again = asyncio.run(run_episode(spec, NoisyExpertAgent(1.0)))
    assert [s.action for s in noisy.steps] == [s.action for s in again.steps]  # seeded by the episode
    assert len(noisy.steps) > len(expert.steps)  # random moves: the corridor takes longer, or is not solved
    with pytest.raises(ConfigError, match=r"agent\.epsilon must be between 0 and 1"):
        NoisyExpertAgent(1.5)


def test_the_command_writes_floor_ceiling_and_scores_by_p(run_cli, tmp_path: Path) -> None:
    small = ["suite=ingvp", "suite.games=[maze]", "suite.levels=4", "suite.settings=[multi_step-text-history]"]
    done = run_cli(["calibrate", *small, "--epsilons", "0,0.5,1", "-o", "cal"], tmp_path)
    assert done.returncode == 0, done.stderr[-2000:]
    figures = json.loads((tmp_path / "cal" / "calibration.json").read_text())
    assert load(tmp_path / "cal").overall().ceiling.mean == 100.0  # read back as written
    assert figures["suite"] == "ingvp" and figures["metric"] == "accuracy" and figures["epsilons"] == [0, 0.5, 1]
    overall = figures["groups"]["overall"]["all"]
    assert overall["ceiling"]["mean"] == 100.0 and overall["by_epsilon"]["0"] == overall["ceiling"]
    assert overall["floor"]["mean"] <= overall["by_epsilon"]["1"]["high"] and overall["monotone"]
    assert {p.name for p in (tmp_path / "cal").iterdir()} == {
        "random",
        "oracle",
        "noisy-0.5",
        "noisy-1",
        "calibration.json",
        "report",
    }
    assert "monotone" in done.stdout and "resolution" in done.stdout
    report = tmp_path / "cal" / "report" / "index.html"  # the floor's and ceiling's runs with their calibration
    assert done.stdout.rstrip().endswith(f"report written to {Path('cal') / 'report' / 'index.html'}")
    assert "floor (random agent)" in report.read_text() and '<section id="calibration">' in report.read_text()
    refused = run_cli(["calibrate", "suite=ingvp", "--epsilons", "0,2"], tmp_path)
    assert refused.returncode == 2 and "--epsilons must be numbers between 0 and 1" in refused.stderr


def test_a_single_decision_suite_reports_its_chance_level_as_the_floor(run_cli, tmp_path: Path) -> None:
    done = run_cli(["calibrate", "suite=pca", "suite.items=4", "suite.judge_check=0", "--epsilons", "0,1", "-o", "c"],
                   tmp_path)  # fmt: skip
    assert done.returncode == 0, done.stderr[-2000:]
    figures = json.loads((tmp_path / "c" / "calibration.json").read_text())
    assert figures["metric"] == "action" and 0 < figures["chance_level"]["overall"] < 50
    assert "chance level (the floor computed from the items)" in done.stdout
    chance = f'<td class="label">chance (from the items)</td><td>{figures["suite"]}</td>'  # a reference row
    page = (tmp_path / "c" / "report" / "index.html").read_text()
    assert chance in page and f'<span class="mean">{figures["chance_level"]["overall"]:.1f}</span>' in page
