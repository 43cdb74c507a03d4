"""A run directory's pinned settings: what counts as another run, and what a later mmgym may change."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml
from omegaconf import OmegaConf

from mmgym.errors import ConfigError
from mmgym.results.run_config import check_resumable

SUITE = {"_target_": "mmgym.tasks.old_module.MazeSuite", "name": "maze", "levels": 2}
AGENT = {"_target_": "mmgym.agents.scripted.RandomAgent", "name": "random"}


def run_dir_with(tmp_path: Path, suite: dict, agent: dict = AGENT) -> Path:
    (tmp_path / "config.yaml").write_text(yaml.safe_dump({"suite": suite, "agent": agent, "model": None}))
    return tmp_path


def config(suite: dict, agent: dict = AGENT):
    return OmegaConf.create({"suite": suite, "agent": agent, "model": None})


def test_a_suite_class_that_moved_module_and_a_setting_added_since_resume_the_run(tmp_path: Path) -> None:
    run_dir = run_dir_with(tmp_path, SUITE)
    moved = SUITE | {"_target_": "mmgym.tasks.maze.MazeSuite", "max_steps": 50}  # a new field, at its default
    check_resumable(run_dir, config(moved))


def test_another_class_or_a_changed_setting_is_another_run(tmp_path: Path) -> None:
    run_dir = run_dir_with(tmp_path, SUITE)
    with pytest.raises(ConfigError, match=r"another suite setting \(suite._target_: 'MazeSuite' -> 'HanoiSuite'\)"):
        check_resumable(run_dir, config(SUITE | {"_target_": "mmgym.tasks.maze.HanoiSuite"}))
    with pytest.raises(ConfigError, match=r"another suite setting \(suite.levels: 2 -> 3\)"):
        check_resumable(run_dir, config(SUITE | {"levels": 3}))
    with pytest.raises(ConfigError, match=r"another suite setting \(suite.levels: 2 -> None\)"):
        check_resumable(run_dir, config({k: v for k, v in SUITE.items() if k != "levels"}))
