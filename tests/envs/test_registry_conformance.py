"""Every env mmgym registers passes Gymnasium's own env checker, as `gym.make(id)` builds it.

`check_env` resets without options (with and without a seed), so each env must play something
from a seed alone: a frozen episode picked by it, or a level generated from it. The kwargs below
are the documented minimal ones (small frames, to keep the file fast); an id registered without
an entry here fails, so a new env cannot skip the check.
"""

from __future__ import annotations

import warnings
from typing import Any

import gymnasium as gym
import numpy as np
import pytest
from gymnasium.utils.env_checker import check_env, data_equivalence

import mmgym  # noqa: F401  (registers the envs)

SMALL = 32  # pixels: the smallest frame any mmgym env accepts

KWARGS: dict[str, dict[str, Any]] = {
    # the puzzle games: the seed generates a level
    "mmgym/Hanoi-v0": {"image_size": SMALL},
    "mmgym/Maze-v0": {"image_size": SMALL},
    "mmgym/NQueens-v0": {"image_size": SMALL},
    "mmgym/Puzzle15-v0": {"image_size": SMALL},
    "mmgym/Sokoban-v0": {"image_size": SMALL},
    "mmgym/Sudoku-v0": {"image_size": SMALL},
    # BabyAI: the seed lays out the default level
    "mmgym/BabyAI-v0": {"image_size": SMALL},
    # the scene families: the seed picks a frozen episode of the default subset
    "mmgym/EBNav-v0": {"image_size": SMALL, "map_size": SMALL},
    "mmgym/EBManip-v0": {"image_size": SMALL, "render_size": SMALL},
    "mmgym/EBHabitat-v0": {"image_size": SMALL},  # the symbolic stand-in (the default simulator)
    "mmgym/EmbodiedEval-v0": {"image_size": SMALL},
    # PCA: the seed picks one of the frozen items of all three domains
    "mmgym/PCA-v0": {"image_size": SMALL},
    # AI2-THOR through ai2thor's real Controller, started against mmgym's stand-in build (its Unity build
    # downloads at first use); the seed picks one of the base episodes shipped for the stand-in
    "mmgym/EBAlfred-v0": {"image_size": SMALL, "executable": "standin"},
    "mmgym/EBThorNav-v0": {"image_size": SMALL, "executable": "standin"},
}
# These generate a level from the seed (without one, from their own generator); the others pick a frozen episode.
GENERATED = {f"mmgym/{name}-v0" for name in ("BabyAI", "Hanoi", "Maze", "NQueens", "Puzzle15", "Sokoban", "Sudoku")}
REGISTERED = sorted(env_id for env_id in gym.registry if env_id.startswith("mmgym/"))


def test_the_table_covers_exactly_the_registered_envs() -> None:
    assert sorted(KWARGS) == REGISTERED, "add each new mmgym env to KWARGS, with its minimal kwargs"


@pytest.mark.parametrize("env_id", REGISTERED)
def test_every_registered_env_passes_the_gymnasium_checker_and_resets_by_seed(env_id: str) -> None:
    assert env_id in KWARGS, f"{env_id} is registered but not in KWARGS: add it with its minimal kwargs"
    env = gym.make(env_id, **KWARGS[env_id])
    try:
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always")
            check_env(env.unwrapped)
        complaints = [str(w.message) for w in caught if "WARN:" in str(w.message)]  # gymnasium's logger.warn
        assert not complaints, complaints

        first = env.reset(seed=7)
        other = env.reset(seed=8)
        assert data_equivalence(env.reset(seed=7), first), "the same seed must give the same episode"
        assert not data_equivalence(other[0], first[0]), "another seed should give another episode"
        if env_id not in GENERATED:  # no seed: the first episode
            assert data_equivalence(env.reset()[0], env.reset(seed=0)[0])
    finally:
        env.close()
    fresh = gym.make(env_id, **KWARGS[env_id])
    try:
        again = fresh.reset(seed=7)
        assert data_equivalence(again, first), (
            f"a new env must play the same episode for a seed: {differences(again, first)}"
        )
    finally:
        fresh.close()


def differences(a: tuple[dict, dict], b: tuple[dict, dict]) -> str:
    """Which observation and info keys differ (an image by how many pixels), so a failure says what changed."""
    found = []
    for part, (x, y) in zip(("observation", "info"), zip(a, b, strict=True), strict=True):
        for key in sorted(set(x) | set(y)):
            left, right = x.get(key), y.get(key)
            if data_equivalence(left, right):
                continue
            arrays = isinstance(left, np.ndarray) and isinstance(right, np.ndarray)
            if arrays and left.shape == right.shape:
                found.append(f"{part}[{key!r}]: {int((left != right).sum())} values differ")
            else:
                found.append(f"{part}[{key!r}]: {left!r:.120} != {right!r:.120}")
    return "; ".join(found) or "none by key"
