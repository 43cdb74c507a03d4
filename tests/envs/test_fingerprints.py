"""The frozen episodes' fingerprints: the shipped ones match what the envs build now, and a change stops a reset.

Each family's shipped fingerprints are compared with a real replay through its env. Where a full
pass is slow, the first episodes of each set stand for it (`LIMITS`, with the seconds a full pass
takes here); `python -m mmgym.envs.fingerprints --check` replays everything.
"""

from __future__ import annotations

import copy
import json
from pathlib import Path

import pytest

from mmgym.envs import fingerprints
from mmgym.envs.fingerprints import FAMILIES, FILE, Book, digest, installed
from mmgym.errors import ConfigError, EpisodeChanged

LIMITS: dict[str, int | None] = {  # episodes replayed per set (None: all) and what a full pass costs
    "games": None,  # 300 levels, 0.5 s
    "babyai": None,  # 250 episodes, 1 s
    "mujoco": None,  # 250 scenes, 2.5 s
    "habitat": None,  # 120 scenes, 1.5 s
    "miniworld": 10,  # of 50 per subset; 250 scenes, 6 s
    "embodied_eval": 5,  # of 20 per category; 80 tasks, 6 s
    "pca": 2,  # of 200 per domain; 600 items, about 5 minutes (highway-env and Crafter rebuild each scene)
}


def one_line(error: Exception) -> str:
    message = str(error)
    assert "\n" not in message
    return message


def test_every_family_is_replayed() -> None:
    assert sorted(LIMITS) == sorted(FAMILIES)


@pytest.mark.parametrize("family", sorted(FAMILIES))
def test_the_shipped_fingerprints_match_what_the_envs_build_now(family: str) -> None:
    book = fingerprints.book(family)
    found = book.measure(LIMITS[family])
    assert all(found.values()), "every set replayed"
    assert fingerprints.changes(book.stored["sets"], found) == []
    assert set(book.stored["libraries"]) == {lib for name in found for lib in book.libraries_of(name)}


def test_the_command_checks_a_family(capsys: pytest.CaptureFixture[str]) -> None:
    assert fingerprints.main(["--check", "games"]) == 0
    assert capsys.readouterr().out.startswith("games: 300 episodes replayed, unchanged (")


def tampered(book: Book, monkeypatch: pytest.MonkeyPatch, name: str, index: int, **libraries: str) -> str:
    """Replace one shipped fingerprint (and the versions they were made with); returns the true one."""
    stored = copy.deepcopy(book.stored)
    true, stored["sets"][name][index] = stored["sets"][name][index], "0123456789abcdef"
    stored["libraries"].update(libraries)
    monkeypatch.setitem(book.__dict__, "stored", stored)
    return true


def test_a_tampered_fingerprint_stops_the_reset_in_one_line_naming_the_upgraded_library(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    from mmgym.envs.babyai.env import BabyAIEnv
    from mmgym.envs.babyai.episodes import FINGERPRINTS, load_subset

    episode = load_subset("spatial", 1).episodes[3]
    others = {lib: installed(lib) for lib in FINGERPRINTS.libraries_of("spatial") if lib != "minigrid"}
    true = tampered(FINGERPRINTS, monkeypatch, "spatial", 3, minigrid="3.1.0", **others)  # only minigrid moved
    env = BabyAIEnv(observe_image=False)
    with pytest.raises(EpisodeChanged) as raised:
        env.reset(seed=episode.seed, options={"level": episode.level})
    assert one_line(raised.value) == (
        f"frozen episode babyai spatial[3] changed: fingerprint 0123456789abcdef expected, {true} found; "
        f"minigrid {installed('minigrid')} is installed, the fingerprints were made with minigrid 3.1.0; install the "
        "locked versions, or after a deliberate change refresh the fingerprints: "
        "python -m mmgym.envs.fingerprints --update babyai"
    )
    env.reset(seed=episode.seed + 1, options={"level": episode.level})  # not a frozen episode: nothing to compare
    env.reset(seed=load_subset("spatial", 1).episodes[4].seed, options={"level": episode.level})  # a frozen one, intact


def test_a_simulator_that_builds_a_frozen_scene_differently_is_caught(monkeypatch: pytest.MonkeyPatch) -> None:
    from mmgym.envs.miniworld.deps import miniworld
    from mmgym.envs.miniworld.env import EBNavEnv
    from mmgym.envs.miniworld.frozen import FINGERPRINTS, SETS

    scene = SETS.load("long_horizon").episodes[0].scene.model_dump(mode="json")
    add_rect_room = miniworld.MiniWorldEnv.add_rect_room

    def taller_walls(self, *args, **kwargs):  # as if an upgrade built rooms another way
        return add_rect_room(self, *args, **{**kwargs, "wall_height": kwargs.get("wall_height", 2.74) + 0.5})

    stored = copy.deepcopy(FINGERPRINTS.stored)  # as if made with the installed libraries, whichever they are
    stored["libraries"].update({lib: installed(lib) for lib in FINGERPRINTS.libraries_of("long_horizon")})
    monkeypatch.setitem(FINGERPRINTS.__dict__, "stored", stored)
    env = EBNavEnv(image_size=32, observe_image=False, map_size=32)
    try:
        env.reset(options={"scene": scene})  # as shipped
        monkeypatch.setattr(miniworld.MiniWorldEnv, "add_rect_room", taller_walls)
        with pytest.raises(EpisodeChanged) as raised:
            env.reset(options={"scene": scene})
        message = one_line(raised.value)
        assert message.startswith("frozen episode miniworld long_horizon[0] changed: fingerprint ")
        assert f"miniworld {installed('miniworld')}, pyglet {installed('pyglet')}, numpy " in message
        assert "installed, as when the fingerprints were made: the change comes from elsewhere" in message
        moved = {**scene, "agent_x": scene["agent_x"] + 0.25}  # not a frozen scene: plays
        assert env.reset(options={"scene": moved})[0]["instruction"] == scene["instruction"]
    finally:
        env.close()


@pytest.mark.parametrize("decisions", [1, 3])
def test_pca_checks_a_frozen_item_as_one_decision_and_as_a_closed_loop(
    decisions: int, monkeypatch: pytest.MonkeyPatch
) -> None:
    from mmgym.tasks.pca.env.env import PCAEnv
    from mmgym.tasks.pca.env.frozen import FINGERPRINTS, load

    item = load("domestic")[5].model_dump(mode="json")
    env = PCAEnv(image_size=32, decisions=decisions)
    try:
        env.reset(options={"item": item})  # as shipped
        true = tampered(FINGERPRINTS, monkeypatch, "domestic", 5)
        with pytest.raises(EpisodeChanged, match=rf"^frozen episode pca domestic\[5\] changed: .* {true} found; "):
            env.reset(options={"item": item})
    finally:
        env.close()


def toy_book(folder: Path, keys: list[str], hashed: list[str]) -> Book:
    """A book over one set of string keys whose 'env' hashes each key it resets (into `hashed`)."""

    def replay(limit: int | None) -> None:
        for key in keys[:limit]:
            book.verify(key, lambda key=key: hashed.append(key) or digest(key))

    book = Book("toy", folder, ("numpy",), lambda: {"set": list(keys)}, replay)
    return book


def test_a_reset_hashes_once_for_a_frozen_episode_and_never_otherwise(tmp_path: Path) -> None:
    hashed: list[str] = []
    book = toy_book(tmp_path, ["a", "b"], hashed)
    book.write(book.measure())
    assert json.loads((tmp_path / FILE).read_text()) == {
        "family": "toy",
        "libraries": {"numpy": installed("numpy")},
        "sets": {"set": [digest("a"), digest("b")]},
    }
    hashed.clear()
    book.verify("c", lambda: hashed.append("c") or "")  # not frozen
    book.verify("b", lambda: hashed.append("b") or digest("b"))
    assert hashed == ["b"]
    with book.unchecked():  # regenerating: nothing hashed, nothing compared
        book.verify("a", lambda: hashed.append("a") or "changed")
    assert hashed == ["b"]


def test_fingerprints_that_no_longer_cover_their_set_say_how_to_refresh(tmp_path: Path) -> None:
    with pytest.raises(ConfigError) as missing:
        toy_book(tmp_path, ["a"], []).verify("a", lambda: digest("a"))
    assert one_line(missing.value) == (
        f"no fingerprints at {tmp_path / FILE}; make them with python -m mmgym.envs.fingerprints --update toy"
    )
    book = toy_book(tmp_path, ["a", "b"], [])
    book.write(book.measure())
    regenerated = toy_book(tmp_path, ["a", "b", "c"], [])
    with pytest.raises(ConfigError) as raised:
        regenerated.verify("a", lambda: digest("a"))
    assert one_line(raised.value) == (
        f"{tmp_path / FILE} holds 2 fingerprints for toy set 'set' of 3 episodes (was the set regenerated?); "
        "refresh them with python -m mmgym.envs.fingerprints --update toy"
    )
