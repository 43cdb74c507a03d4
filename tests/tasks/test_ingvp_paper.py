"""suite=ingvp_paper: ING-VP's settings on levels read from its data folder (here hand-written fixtures)."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from hydra import compose, initialize_config_module
from omegaconf import OmegaConf

from mmgym.agents.scripted import OracleAgent
from mmgym.errors import ConfigError
from mmgym.results.store import ResultsStore
from mmgym.runners.evaluate import evaluate
from mmgym.runners.local import LocalRunner
from mmgym.tasks.ingvp.paper import IngvpPaperSuite
from mmgym.tasks.ingvp.settings import ALL_SETTINGS, Setting
from mmgym.tasks.ingvp.suite import IngvpSuite, score_ingvp

FIXTURES = Path(__file__).parents[1] / "envs" / "puzzles" / "fixtures" / "ingvp"
LEVELS = {"sokoban": 4, "maze": 3, "sudoku": 2, "nqueens": 3, "hanoi": 4, "puzzle15": 3}


def test_the_conf_is_the_suite_with_its_defaults() -> None:
    with initialize_config_module("mmgym.conf", version_base=None):
        config = dict(OmegaConf.to_container(compose("config", overrides=["suite=ingvp_paper"]).suite))
    assert config.pop("_target_") == "mmgym.tasks.ingvp.IngvpPaperSuite"
    assert IngvpPaperSuite(**config) == IngvpPaperSuite()
    suite = IngvpPaperSuite()
    assert (suite.name, suite.levels, suite.max_steps) == ("ingvp_paper", 50, 50)
    assert suite.settings == [s.name for s in ALL_SETTINGS]
    assert isinstance(suite, IngvpSuite) and IngvpPaperSuite.metrics == IngvpSuite.metrics


def test_specs_from_a_data_dir() -> None:
    suite = IngvpPaperSuite(data_dir=str(FIXTURES), max_steps=17)
    specs = suite.specs()
    assert len(specs) == 6 * sum(LEVELS.values())
    assert len({spec.id for spec in specs}) == len(specs)
    for spec in specs:
        setting, game, index = spec.task.split("/")
        assert spec.suite == "ingvp_paper" and spec.metadata == {
            "game": game,
            "setting": setting,
            "level": int(index) + 1,
        }
        one_move = {"actions_per_reply": "one"} if setting.startswith("multi_step") else {}
        assert spec.rules == Setting.parse(setting).rules(17).model_copy(update=one_move)
        assert spec.env_kwargs["game"] == ("hanoi_rods" if game == "hanoi" else game)
        assert spec.env_kwargs["observe_image"] == ("image_text" in setting)
        assert "level_set" not in spec.env_kwargs and set(spec.reset_options) == {"level"}
    hanoi = next(spec for spec in specs if spec.tags == ("hanoi",))
    assert hanoi.env_id == "mmgym/Hanoi-v0" and hanoi.reset_options["level"].startswith("A: a e\n")
    assert specs[0].id.startswith("ingvp_paper/one_step-image_text/sokoban/000/s0-")


def test_first_n_levels_per_game_and_ids_stay() -> None:
    small = IngvpPaperSuite(data_dir=str(FIXTURES), levels=2, games=["sokoban", "hanoi"], settings=["one_step-text"])
    large = IngvpPaperSuite(data_dir=str(FIXTURES), levels=None, games=["sokoban", "hanoi"], settings=["one_step-text"])
    assert [s.task for s in small.specs()] == [
        f"one_step-text/{g}/{i:03d}" for g in ("sokoban", "hanoi") for i in (0, 1)
    ]
    assert len(large.specs()) == 8
    assert {s.id for s in small.specs()} < {s.id for s in large.specs()}


def test_a_missing_data_dir_is_one_line_naming_what_is_expected() -> None:
    with pytest.raises(ConfigError) as excinfo:
        IngvpPaperSuite().specs()
    message = str(excinfo.value)
    assert "suite.data_dir=" in message and "maze/levels_50.txt" in message and "n_puzzle/levels_50.jsonl" in message
    assert "\n" not in message


def test_a_missing_file_is_one_line_naming_it(tmp_path: Path) -> None:
    shutil.copytree(FIXTURES, tmp_path / "data")
    (tmp_path / "data" / "n_queens" / "levels_50.jsonl").unlink()
    suite = IngvpPaperSuite(data_dir=str(tmp_path / "data"))
    with pytest.raises(ConfigError) as excinfo:
        suite.specs()
    assert "n_queens/levels_50.jsonl" in str(excinfo.value) and "\n" not in str(excinfo.value)
    assert len(IngvpPaperSuite(data_dir=str(tmp_path / "data"), games=["maze"]).specs()) == 6 * 3


def test_multi_step_play_is_one_move_per_reply_unless_asked() -> None:
    config = {"data_dir": str(FIXTURES), "games": ["maze"], "levels": 1}
    rules = {s.metadata["setting"]: s.rules.actions_per_reply for s in IngvpPaperSuite(**config).specs()}
    assert rules == {name: "solution" if name.startswith("one_step") else "one" for name in rules}
    plans = IngvpPaperSuite(**config, multi_step_actions="plan").specs()
    assert [s.rules for s in plans] == [Setting.parse(s.metadata["setting"]).rules(50) for s in plans]


def test_level_set_does_not_apply() -> None:
    with pytest.raises(ConfigError, match="data_dir"):
        IngvpPaperSuite(level_set="my_levels.txt")


def test_the_oracle_solves_every_fixture_level_in_every_setting(tmp_path: Path) -> None:
    suite = IngvpPaperSuite(data_dir=str(FIXTURES), image_size=64)
    results = evaluate(suite, OracleAgent, tmp_path, LocalRunner(concurrency=8), show_progress=False)
    assert results.episodes == 6 * sum(LEVELS.values())
    overall = results.overall()
    assert {name: overall[name].mean for name in ("accuracy", "completion", "efficiency")} == {
        "accuracy": 100.0,
        "completion": 100.0,
        "efficiency": 100.0,
    }
    records = list(ResultsStore(tmp_path).records())
    assert all(r.success and r.metrics == score_ingvp(r) for r in records)  # IngvpSuite's metrics
    hanoi = sorted((r.spec.task, len(r.steps)) for r in records if r.spec.tags == ("hanoi",))
    assert [steps for task, steps in hanoi if task.startswith("multi_step-text-history/")] == [8, 10, 13, 6]
