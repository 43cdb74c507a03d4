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

from mmgym.envs.puzzles.games import get_game
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
    return Path(str(resources.files("mmgym.envs.puzzles") / "levels" / f"{game_name}.json"))


@functools.cache
def load_set(game_name: str, source: str = "default") -> LevelSet:
    """Load the frozen default set, a JSON set, or a text file of levels separated by blank lines."""
    path = default_set_path(game_name) if source == "default" else Path(source).expanduser()
    if not path.is_file():
        raise ConfigError(
            f"level set {source!r} for {game_name} not found; use 'default' or a path to a .json or text file"
        )
    if path.suffix == ".json":
        return json_set(game_name, path, source)
    return levels_from_text(game_name, path.read_text(), source)


LEVEL_FIELDS = ("index", "text", "optimal_length")
SET_SHAPE = '{"levels": [{"index": 0, "text": ..., "optimal_length": ...}, ...]}'


def json_set(game_name: str, path: Path, source: str) -> LevelSet:
    """A JSON set as `save_set` writes it. A user's file may be anything, so each way it can be malformed
    ends in one line naming the file, the place and the shape expected, not a traceback from deep inside."""
    try:
        data = json.loads(path.read_text())
    except json.JSONDecodeError as exc:
        raise LevelFormatError(
            f"level set {path} is not valid JSON ({exc.msg} at line {exc.lineno} column {exc.colno}); "
            f"expected {SET_SHAPE}"
        ) from None
    if not isinstance(data, dict) or not isinstance(data.get("levels"), list):
        found = 'an object without a "levels" list' if isinstance(data, dict) else json_kind(data)
        raise LevelFormatError(f"level set {path} holds {found}; expected {SET_SHAPE}")
    levels, fields = [], ", ".join(LEVEL_FIELDS)
    for i, entry in enumerate(data["levels"]):
        if not isinstance(entry, dict):
            raise LevelFormatError(
                f"level set {path}: levels[{i}] is {json_kind(entry)}; expected an object with {fields}"
            )
        missing = [name for name in LEVEL_FIELDS if name not in entry]
        if missing:
            raise LevelFormatError(
                f"level set {path}: levels[{i}] has no {', '.join(missing)}; every level needs {fields}"
            )
        if not (isinstance(entry["text"], str) and all(_is_int(entry[k]) for k in ("index", "optimal_length"))):
            raise LevelFormatError(f"level set {path}: levels[{i}] needs integer index and optimal_length, string text")
        levels.append(Level(entry["index"], entry["text"], entry["optimal_length"]))
    return LevelSet(
        game_name, tuple(levels), data.get("difficulty"), data.get("seed"), data.get("generator_version"), source
    )


def _is_int(value: object) -> bool:
    return isinstance(value, int) and not isinstance(value, bool)


def json_kind(value: object) -> str:
    """What a JSON value is, in words ("a list", "a string", ...)."""
    kinds = {dict: "an object", list: "a list", str: "a string", bool: "true or false", int: "a number",
             float: "a number", type(None): "null"}  # fmt: skip
    return kinds.get(type(value), type(value).__name__)


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
    """Regenerate the frozen default sets: `python -m mmgym.envs.puzzles.levels [game ...]`."""
    import sys
    import time

    from mmgym.envs.puzzles.games import GAME_CLASSES

    for name in sys.argv[1:] or GAME_CLASSES:
        start = time.perf_counter()
        level_set = generate_set(name)
        save_set(level_set, default_set_path(name))
        print(f"{name}: {len(level_set)} levels in {time.perf_counter() - start:.2f}s")


if __name__ == "__main__":
    main()
