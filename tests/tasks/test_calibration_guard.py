"""Every suite in the catalogue is calibrated: a small calibration of each checks the floor it declares,
the expert's ceiling, and a score that does not rise as the expert's play gets worse.

A suite declares its `FloorBound` (the most a random agent may score, and why); a new suite without
one, or without a small size here, fails. `mmgym calibrate` measures the same figures at full size
(docs: "Calibrating a suite").
"""

from __future__ import annotations

from pathlib import Path

import pytest
from hydra import compose, initialize_config_module

from mmgym.cli.build import build_object
from mmgym.cli.catalogue import config_options
from mmgym.results.calibration import Calibration
from mmgym.runners.calibrate import play_calibration

INGVP_FILES = Path(__file__).parents[1] / "envs" / "puzzles" / "fixtures" / "ingvp"
MULTI_STEP = "suite.settings=[multi_step-text-history]"
SMALL: dict[str, list[str]] = {  # each suite config of the catalogue at a size the tests can afford
    "babyai": ["suite.episodes=3"],
    "eb_alfred": ["suite.executable=standin"],
    "eb_thor_nav": ["suite.executable=standin"],
    "eb_habitat": ["suite.episodes=2"],
    "eb_manip": ["suite.episodes=2"],
    "eb_nav": ["suite.episodes=2"],
    "embodied_eval": ["suite.episodes=3"],
    "ingvp": ["suite.games=[maze,sokoban]", "suite.levels=3", MULTI_STEP],
    "ingvp_paper": [f"suite.data_dir={INGVP_FILES}", MULTI_STEP],
    "pca": ["suite.items=8", "suite.judge_check=0"],
    "pca_loop": ["suite.items=3", "suite.judge_check=0"],
    "puzzle_sprint": [],
}
EPSILONS = (0.0, 0.5, 1.0)


def build_suite(name: str):
    with initialize_config_module("mmgym.conf", version_base=None):
        return build_object(compose("config", overrides=[f"suite={name}", *SMALL[name]]).suite, "suite")


def small_calibration(suite, folder: Path) -> Calibration:
    """The random agent, the expert (p = 0) and the noisy expert at each p, on the same episodes."""
    return play_calibration(suite, EPSILONS, folder, concurrency=8, show_progress=False)


def test_every_suite_in_the_catalogue_declares_its_floor_and_has_a_small_size_here() -> None:
    suites = set(config_options("suite"))
    assert suites == set(SMALL), f"give each suite a small size in SMALL: {sorted(suites ^ set(SMALL))}"
    for name in suites:
        bound = type(build_suite(name)).floor_bound
        assert bound is not None and bound.reason, f"{name} declares no FloorBound (mmgym.tasks.suite)"


@pytest.mark.slow
@pytest.mark.parametrize("name", sorted(SMALL))
def test_the_floor_is_under_its_bound_the_expert_at_the_ceiling_and_the_score_falls_with_p(
    name: str, tmp_path: Path
) -> None:
    suite = build_suite(name)
    bound = suite.floor_bound
    figures = small_calibration(suite, tmp_path)
    overall = figures.overall()
    assert figures.floor_within_bound(), f"{name}: random scores {overall.floor.mean:.1f} > {bound.most}"
    assert overall.ceiling.mean >= bound.ceiling, f"{name}: the expert scores {overall.ceiling.mean:.1f}"
    falling = {f"{grouping}/{group}": g.monotone for grouping, groups in figures.groups.items() for group, g in
               groups.items()}  # fmt: skip
    assert all(falling.values()), f"{name}: the score rises with p in {[k for k, ok in falling.items() if not ok]}"
    assert overall.by_epsilon["1"].mean < overall.ceiling.mean  # all-random play is worse than the expert's


@pytest.mark.slow
def test_the_guard_catches_a_suite_whose_random_floor_is_too_high(tmp_path: Path) -> None:
    """BabyAI's first release (`suite.version=1`): random play solves most single-instruction missions."""
    from mmgym.tasks.babyai.suite import BabyAISuite

    suite = BabyAISuite(version=1, episodes=3, observation="text")
    figures = small_calibration(suite, tmp_path)
    assert figures.floor_within_bound() is False and figures.overall().floor.mean > suite.floor_bound.most
