"""Frozen level sets: generated once from a seed, committed as JSON, loaded by index.

A set records the seed and generator version that produced it, so results stay comparable
across mmgym versions even when a generator changes. Users can also load their own level files
(one level per block, separated by a blank line, in the game's standard format).
"""

from __future__ import annotations

import functools
import json
from dataclasses import asdict, dataclass, field
from importlib import resources
from pathlib import Path

import numpy as np

from mmgym.envs.games import get_game
from mmgym.errors import ConfigError, LevelFormatError

DEFAULT_SET_SEED = 2024
DEFAULT_SET_SIZE = 50


@dataclass(frozen=True)
class Level:
    index: int
    text: str
    optimal_length: int


@dataclass(frozen=True)
class LevelSet:
    game: str
    levels: tuple[Level, ...]
    difficulty: int | None = None
    seed: int | None = None
    generator_version: int | None = None
    source: str = field(default="generated", compare=False)

    def __len__(self) -> int:
        return len(self.levels)

    def __getitem__(self, index: int) -> Level:
        if not 0 <= index < len(self.levels):
            raise ConfigError(
                f"level index {index} is out of range for {self.game} set '{self.source}' (0..{len(self.levels) - 1})"
            )
        return self.levels[index]


def level_seed(set_seed: int, index: int) -> list[int]:
    """The per-level seed entropy: stable across machines and numpy versions (PCG64)."""
    return [set_seed, index]


def generate_set(
    game_name: str, count: int = DEFAULT_SET_SIZE, seed: int = DEFAULT_SET_SEED, difficulty: int | None = None
) -> LevelSet:
    """Generate `count` distinct levels, each verified solvable by the game's exact solver.

    Level i comes from seed entropy `[seed, k]` for increasing k; a level equal to an earlier
    one is skipped, so small level spaces (few 15-puzzle states lie exactly 8 moves from the
    goal) still give a set of distinct levels.
    """
    game = get_game(game_name)
    difficulty = game.default_difficulty if difficulty is None else difficulty
    levels: list[Level] = []
    seen: set[str] = set()
    for k in range(count * 100):
        if len(levels) == count:
            break
        state = game.generate(np.random.default_rng(level_seed(seed, k)), difficulty)
        plan = game.solve(state)
        if plan is None:
            raise RuntimeError(f"{game_name} generator produced an unsolvable level (seed {seed}, draw {k})")
        text = game.to_text(state)
        if text not in seen:
            seen.add(text)
            levels.append(Level(len(levels), text, len(plan)))
    if len(levels) < count:
        raise RuntimeError(f"only {len(levels)} distinct {game_name} levels of difficulty {difficulty} found")
    return LevelSet(game_name, tuple(levels), difficulty, seed, game.generator_version, "generated")


def save_set(level_set: LevelSet, path: Path) -> None:
    payload = {
        "game": level_set.game,
        "generator_version": level_set.generator_version,
        "seed": level_set.seed,
        "difficulty": level_set.difficulty,
        "levels": [asdict(level) for level in level_set.levels],
    }
    path.write_text(json.dumps(payload, indent=1) + "\n")


def default_set_path(game_name: str) -> Path:
    return Path(str(resources.files("mmgym.envs.games") / "levels" / f"{game_name}.json"))


@functools.cache
def load_set(game_name: str, source: str = "default") -> LevelSet:
    """Load the frozen default set, a JSON set, or a text file of levels separated by blank lines."""
    path = default_set_path(game_name) if source == "default" else Path(source).expanduser()
    if not path.is_file():
        raise ConfigError(
            f"level set {source!r} for {game_name} not found; use 'default' or a path to a .json or text file"
        )
    if path.suffix == ".json":
        data = json.loads(path.read_text())
        levels = tuple(Level(d["index"], d["text"], d["optimal_length"]) for d in data["levels"])
        return LevelSet(
            game_name, levels, data.get("difficulty"), data.get("seed"), data.get("generator_version"), source
        )
    return levels_from_text(game_name, path.read_text(), source)


def levels_from_text(game_name: str, text: str, source: str = "text") -> LevelSet:
    """Parse a file of levels in the game's standard format (see `split_level_file`) and solve each."""
    game = get_game(game_name)
    levels = []
    for i, block in enumerate(game.split_level_file(text)):
        state = game.from_text(block)
        plan = game.solve(state)
        if plan is None:
            raise LevelFormatError(f"level {i} of {source!r} has no solution")
        levels.append(Level(i, game.to_text(state), len(plan)))
    return LevelSet(game_name, tuple(levels), source=source)


def main() -> None:
    """Regenerate the frozen default sets: `python -m mmgym.envs.games.levels [game ...]`."""
    import sys
    import time

    from mmgym.envs.games import GAME_CLASSES

    for name in sys.argv[1:] or GAME_CLASSES:
        start = time.perf_counter()
        level_set = generate_set(name)
        save_set(level_set, default_set_path(name))
        print(f"{name}: {len(level_set)} levels in {time.perf_counter() - start:.2f}s")


if __name__ == "__main__":
    main()
