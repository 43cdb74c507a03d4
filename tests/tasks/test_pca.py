"""The PCA suite on its generated items: the oracle scores 100 on every link, the random agent sits at
the chance rate, the closed loop is scored by outcome, records keep the judge's evidence, the installed
command and `mmgym judge-check` work from any folder, and the report shows the links per domain."""

from __future__ import annotations

import json
import subprocess
from pathlib import Path

import pytest

pytest.importorskip("highway_env")
pytest.importorskip("crafter")

from cli_helpers import cli_command, cli_env

from mmgym.agents.scripted import ExpertAgent, RandomAgent
from mmgym.runners.evaluate import evaluate
from mmgym.tasks.pca.env import frozen
from mmgym.tasks.pca.suite import PCASuite

pytestmark = pytest.mark.slow
ITEMS = 8  # per domain: the game's scenes take about half a second each to rebuild


def test_the_oracle_scores_100_on_every_link_and_names_every_concept(tmp_path: Path) -> None:
    results = evaluate(PCASuite(items=ITEMS, image_size=64), ExpertAgent, tmp_path, show_progress=False)
    assert results.episodes == 3 * ITEMS and results.errors == 0
    for domain in ("driving", "domestic", "game"):
        group = results.groups["domain"][domain]
        for metric in ("action", "perception", "cognition", "genuine"):
            assert group[metric].mean == 100.0, (domain, metric)
        assert group["error_perception"].mean == group["error_action"].mean == 0.0
    record = json.loads((tmp_path / "episodes.jsonl").read_text().splitlines()[0])
    assert all(record["extra"]["judge"]["evidence"]["concepts_named"])
    check = results.notes["judge_check"]  # the judge's own figures come with the run's scores
    assert check["judge"] == "lexical" and check["cases"] == 3 * 5 * 5
    assert check["links"]["perception"]["agreement"] == 100.0 and check["by_case"]["false_fact"]["cognition"] == 0.0
    assert record["steps"][0]["reasoning"] == record["spec"]["reset_options"]["item"]["reasoning"]


def test_the_random_agent_sits_at_the_chance_rate(tmp_path: Path) -> None:
    suite = PCASuite(items=ITEMS, image_size=64)
    results = evaluate(suite, RandomAgent, tmp_path, show_progress=False)
    items = [item for domain in suite.domains for item in frozen.load(domain)[:ITEMS]]
    chance = 100.0 * sum(1 / len(item.actions) for item in items) / len(items)
    action = results.overall()["action"]
    assert action.low <= chance <= action.high, (action, chance)
    assert results.overall()["genuine"].mean <= action.mean
    errors = sum(results.overall()[f"error_{link}"].mean for link in ("perception", "cognition", "action"))
    assert errors + results.overall()["genuine"].mean == pytest.approx(100.0)  # every episode: one first failure


def test_the_closed_loop_is_scored_by_its_outcome(tmp_path: Path) -> None:
    suite = PCASuite(items=2, image_size=64, closed_loop=True, decisions=4)
    results = evaluate(suite, ExpertAgent, tmp_path, show_progress=False)
    assert results.errors == 0 and [m.name for m in suite.metrics] == ["survived", "reached", "action", "decisions"]
    assert results.overall()["action"].mean == 100.0  # the oracle's every choice is right
    assert 1.0 <= results.overall()["decisions"].mean <= 4.0
    for line in (tmp_path / "episodes.jsonl").read_text().splitlines():
        record = json.loads(line)
        assert record["metrics"]["survived"] == 100.0 * (not record["steps"][-1]["data"]["failed"])


def test_the_closed_loop_suite_has_its_own_run_folder(tmp_path: Path) -> None:
    command = cli_command(["run", "suite=pca_loop", "agent=oracle", "suite.items=1", "suite.decisions=2",
                           "suite.domains=[domestic]", "record.video=false"])  # fmt: skip
    done = subprocess.run(command, cwd=tmp_path, env=cli_env(), capture_output=True, text=True, timeout=600)
    assert done.returncode == 0, done.stderr[-3000:]
    results = json.loads((tmp_path / "runs" / "pca-loop-lexical-oracle" / "results.json").read_text())
    assert results["episodes"] == 1 and "survived" in results["groups"]["overall"]["all"]


def test_the_installed_command_runs_the_suite_and_the_report_shows_the_links(tmp_path: Path) -> None:
    command = cli_command(["run", "suite=pca", "agent=oracle", "suite.items=2", "suite.image_size=64"])
    done = subprocess.run(command, cwd=tmp_path, env=cli_env(), capture_output=True, text=True, timeout=600)
    assert done.returncode == 0, done.stderr[-3000:]
    run = tmp_path / "runs" / "pca-lexical-oracle"
    results = json.loads((run / "results.json").read_text())
    assert results["episodes"] == 6 and results["groups"]["domain"]["game"]["genuine"]["mean"] == 100.0
    done = subprocess.run(cli_command(["report", str(run), "-o", "report"]), cwd=tmp_path, env=cli_env(),
                          capture_output=True, text=True, timeout=300)  # fmt: skip
    assert done.returncode == 0, done.stderr[-2000:]
    page = (tmp_path / "report" / "index.html").read_text()
    assert all(word in page for word in ("perception", "cognition", "genuine", "error_perception", "driving"))
    by_group = page[page.index('id="breakdowns"') : page.index('id="judge-checks"')]
    assert "oracle: by domain [95% CI]" in by_group and by_group.count("<tr>") == 1 + 3  # header, three domains
    assert by_group.count('<span class="mean">100.0</span>') == 3 * 4  # action, perception, cognition, genuine
    checks = page[page.index('id="judge-checks"') : page.index('id="plots"')]
    assert checks.count("<tr>") == 1 + 2 and "lexical" in checks  # perception and cognition rows


def test_judge_check_measures_the_lexical_judge_from_any_folder(tmp_path: Path) -> None:
    args = ["judge-check", "--items", "3", "-o", "check.json"]
    done = subprocess.run(cli_command(args), cwd=tmp_path, env=cli_env(), capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, done.stderr[-2000:]
    assert "judge lexical" in done.stdout and "false_fact" in done.stdout
    figures = json.loads((tmp_path / "check.json").read_text())
    assert figures["cases"] == 3 * 3 * 5 and figures["links"]["perception"]["unscored"] == 0
    assert figures["by_case"]["correct"] == {"perception": 100.0, "cognition": 100.0}
    assert figures["by_case"]["false_fact"]["cognition"] == 0.0  # what words alone cannot see
    done = subprocess.run(cli_command(["judge-check", "suite/judge=oracle"]), cwd=tmp_path, env=cli_env(),
                          capture_output=True, text=True, timeout=120)  # fmt: skip
    assert done.returncode == 2 and "unknown judge 'oracle'" in done.stderr
