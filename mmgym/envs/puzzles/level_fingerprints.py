"""The fingerprints of the frozen default level sets (`levels/fingerprints.json`; `mmgym.envs.fingerprints`).

A puzzle level is rebuilt by mmgym's own code alone (no third-party simulator), so its fingerprint
guards against a change of that code: it hashes what the agent reads at the start (the level's
text as the game writes it back, and the instruction) and the optimal solution's length, which
scores progress. A reset of a default level, by index or by its text, is checked against it.
"""

from __future__ import annotations

from mmgym.envs.fingerprints import Book
from mmgym.envs.puzzles.games import GAME_CLASSES
from mmgym.envs.puzzles.levels import default_set_path, load_set


def _keys() -> dict[str, list[tuple[str, str]]]:
    return {game: [(game, level.text) for level in load_set(game).levels] for game in GAME_CLASSES}


def _replay(limit: int | None) -> None:
    import gymnasium as gym

    for game in GAME_CLASSES:  # made through gymnasium: the env module reads these fingerprints
        [env_id] = [i for i, spec in gym.registry.items() if (spec.kwargs or {}).get("game") == game]
        env = gym.make(env_id, image_size=32, observe_image=False).unwrapped
        for level in load_set(game).levels[:limit]:
            env.reset(options={"level_index": level.index})


FINGERPRINTS = Book("games", default_set_path("sokoban").parent, ("mmgym",), _keys, _replay)
