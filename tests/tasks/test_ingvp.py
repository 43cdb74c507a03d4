"""The ING-VP suite: spec expansion, stable ids, settings, and one-line errors for bad names."""

from __future__ import annotations

import json
import subprocess
import sys

import pytest

from mmgym.core.spec import PlayRules
from mmgym.envs.puzzles import GAME_CLASSES
from mmgym.envs.puzzles.levels import default_set_path
from mmgym.errors import ConfigError
from mmgym.tasks.ingvp.settings import ALL_SETTINGS, Setting
from mmgym.tasks.ingvp.suite import IngvpSuite

SETTING_NAMES = [
    "one_step-image_text",
    "one_step-text",
    "multi_step-image_text-history",
    "multi_step-image_text-no_history",
    "multi_step-text-history",
    "multi_step-text-no_history",
]
FROZEN_GAMES = [game for game in GAME_CLASSES if default_set_path(game).is_file()]


def ids(suite: IngvpSuite) -> list[str]:
    return [spec.id for spec in suite.specs()]


def test_settings_round_trip() -> None:
    assert [s.name for s in ALL_SETTINGS] == SETTING_NAMES
    for setting in ALL_SETTINGS:
        assert Setting.parse(setting.name) == setting
    assert Setting.parse("multi_step-text-history").history is True
    assert Setting.parse("multi_step-text-no_history").history is False
    assert Setting.parse("one_step-image_text").mode == "one_step"


@pytest.mark.parametrize("name", SETTING_NAMES)
def test_each_setting_maps_onto_play_rules(name: str) -> None:
    """One step: one reply, every action of it executed; multi step: a plan per turn, stopped at an invalid move."""
    setting = Setting.parse(name)
    rules = setting.rules(17)
    one_step = name.startswith("one_step")
    assert rules == PlayRules(
        actions_per_reply="solution" if one_step else "plan",
        observation="text" if "-text" in name else "image_text",
        history=name.endswith("-history"),
        max_steps=17,
        single_reply=one_step,
        hidden_info=rules.hidden_info,
    )
    assert {"optimal_remaining", "optimal_length", "progress"} <= set(rules.hidden_info)  # the solver's fields


def test_default_suite_covers_six_games_and_settings() -> None:
    suite = IngvpSuite()
    assert sorted(suite.games) == sorted(GAME_CLASSES) and len(suite.games) == 6
    assert suite.settings == SETTING_NAMES


def test_expansion_settings_x_games_x_levels() -> None:
    suite = IngvpSuite(games=FROZEN_GAMES, levels=3, max_steps=17)
    specs = suite.specs()
    assert len(specs) == 6 * len(FROZEN_GAMES) * 3
    expected = {(s, g, i) for s in SETTING_NAMES for g in FROZEN_GAMES for i in range(3)}
    got = {(spec.metadata["setting"], spec.tags[0], spec.reset_options["level_index"]) for spec in specs}
    assert got == expected
    for spec in specs:
        setting, game, index = spec.task.split("/")
        assert setting == spec.metadata["setting"] and spec.rules == Setting.parse(setting).rules(17)
        assert game == spec.tags[0] == spec.metadata["game"] and int(index) == spec.reset_options["level_index"]
        assert spec.env_id.startswith("mmgym/") and spec.env_id.endswith("-v0")
        assert spec.rules.max_steps == 17 and spec.suite == "ingvp"
        assert spec.step_data == IngvpSuite.step_data == ("state_changed", "optimal_remaining", "optimal_length")
        assert spec.env_kwargs["level_set"] == "default" and spec.env_kwargs["image_size"] == 384
    assert len(set(ids(suite))) == len(specs)


def test_all_levels_by_default() -> None:
    specs = IngvpSuite(games=["maze"], settings=["one_step-text"]).specs()
    assert len(specs) == 50
    assert [s.task for s in specs] == [f"one_step-text/maze/{i:03d}" for i in range(50)]
    assert {s.env_id for s in specs} == {"mmgym/Maze-v0"}


def test_levels_beyond_the_set_are_capped() -> None:
    assert len(IngvpSuite(games=["maze"], settings=["one_step-text"], levels=10_000).specs()) == 50


def test_ids_are_stable() -> None:
    config = {"games": ["maze"], "levels": 4, "settings": SETTING_NAMES[:2]}
    assert ids(IngvpSuite(**config)) == ids(IngvpSuite(**config))
    # and across interpreters (no hash randomisation, no object addresses)
    code = (
        "import json; from mmgym.tasks.ingvp.suite import IngvpSuite; "
        f"print(json.dumps([s.id for s in IngvpSuite(**{config!r}).specs()]))"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True, timeout=60)
    assert json.loads(out.stdout) == ids(IngvpSuite(**config))


@pytest.mark.parametrize("change", [{"max_steps": 49}, {"seed": 1}, {"image_size": 256}])
def test_changed_episode_config_changes_every_id(change: dict) -> None:
    base = {"games": ["maze"], "levels": 3}
    assert not set(ids(IngvpSuite(**base))) & set(ids(IngvpSuite(**base, **change)))


def test_more_levels_or_settings_keep_existing_ids() -> None:
    """Growing a run (more levels, more settings) must resume, not restart, the episodes already done."""
    small = set(ids(IngvpSuite(games=["maze"], levels=2, settings=SETTING_NAMES[:1])))
    large = set(ids(IngvpSuite(games=["maze"], levels=5, settings=SETTING_NAMES)))
    assert small < large


def test_id_is_readable() -> None:
    spec = IngvpSuite(games=["maze"], levels=1, settings=["multi_step-text-history"]).specs()[0]
    assert spec.id.startswith("ingvp/multi_step-text-history/maze/000/s0-")


def test_unknown_game_names_the_valid_ones() -> None:
    with pytest.raises(ConfigError) as excinfo:
        IngvpSuite(games=["maze", "mazz"])
    message = str(excinfo.value)
    assert "'mazz'" in message and "Did you mean 'maze'" in message
    assert all(game in message for game in GAME_CLASSES)
    assert "\n" not in message


def test_unknown_setting_names_the_valid_ones() -> None:
    with pytest.raises(ConfigError) as excinfo:
        IngvpSuite(settings=["multi_step-text"])
    message = str(excinfo.value)
    assert "'multi_step-text'" in message
    assert all(name in message for name in SETTING_NAMES)
    assert "\n" not in message


def test_unknown_level_set_is_a_config_error() -> None:
    with pytest.raises(ConfigError, match=r"no/such/set\.json"):
        IngvpSuite(games=["maze"], level_set="no/such/set.json").specs()


# Three mazes in the standard text format, blank lines between them, with their optimal lengths.
MY_LEVELS = {
    "#######\n#P...G#\n#######": 4,
    "#####\n#P..#\n##.##\n#G..#\n#####": 4,
    "#######\n#P#...#\n#.#.#.#\n#...#G#\n#######": 10,
}


def test_a_text_file_of_levels_is_a_level_set_the_suite_runs(tmp_path, run_cli) -> None:
    (tmp_path / "my_levels.txt").write_text("\n\n".join(MY_LEVELS) + "\n")
    args = [
        "run",
        "agent=oracle",
        "suite.games=[maze]",
        "suite.level_set=my_levels.txt",  # relative to the working directory, as a user would write it
        "suite.settings=[multi_step-text-history,one_step-text]",
        "record.video=false",
        "output_dir=run",
        "progress=false",
    ]
    result = run_cli(args, cwd=tmp_path)
    assert result.returncode == 0, result.stderr[-2000:]
    records = [json.loads(line) for line in (tmp_path / "run" / "episodes.jsonl").read_text().splitlines()]
    by_setting: dict[str, list[tuple[str, str, int]]] = {}
    for record in sorted(records, key=lambda r: r["spec"]["task"]):
        task, text, length = record["spec"]["task"], record["initial_text"], record["initial_data"]["optimal_length"]
        setting = record["spec"]["metadata"]["setting"]
        assert record["id"].split("/")[1] == setting
        by_setting.setdefault(setting, []).append((task, text, length))
        assert record["success"] and len(record["steps"]) == length  # the oracle walks each optimal path
    assert by_setting == {
        setting: [(f"{setting}/maze/{i:03d}", text, length) for i, (text, length) in enumerate(MY_LEVELS.items())]
        for setting in ("multi_step-text-history", "one_step-text")
    }
    results = json.loads((tmp_path / "run" / "results.json").read_text())
    assert results["episodes"] == 6 and results["groups"]["overall"]["all"]["accuracy"]["mean"] == 100.0
