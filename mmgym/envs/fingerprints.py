"""Fingerprints of the frozen episodes, so that a library upgrade cannot change a benchmark silently.

Most frozen episodes are rebuilt at play time by a third-party simulator: a BabyAI level laid out
from its seed, MiniWorld rooms, a MuJoCo tabletop after it settles, highway-env traffic driven to
the decision, a Crafter world. Next to each family's frozen sets, `fingerprints.json` holds one
short hash per episode (`digest`) of the state its env builds at reset (what the agent sees and
what decides the score, read from the simulator), and the library versions it was made with. A
reset of a frozen episode hashes that state again, once, and raises `EpisodeChanged` when it
differs. After a deliberate upgrade, or after regenerating a set:

    python -m mmgym.envs.fingerprints --check  [FAMILY ...]   # replay and compare; exit status: changed families
    python -m mmgym.envs.fingerprints --update [FAMILY ...]   # replay and rewrite the fingerprints

A benchmark whose protocol is an env of its own adds its frozen sets when it registers that env
(`mmgym.envs.registry.add_fingerprint_family`).
"""

from __future__ import annotations

import argparse
import hashlib
import importlib
import json
import sys
import time
from collections.abc import Callable, Hashable, Iterator, Mapping
from contextlib import contextmanager
from functools import cached_property
from importlib import metadata
from pathlib import Path
from typing import Any

import numpy as np

from mmgym.envs.registry import fingerprint_families
from mmgym.errors import ConfigError, EpisodeChanged, unknown_name

FAMILIES: dict[str, str] = {  # family -> the module whose `FINGERPRINTS` book holds its fingerprints
    "games": "mmgym.envs.puzzles.level_fingerprints",
    "babyai": "mmgym.envs.babyai.episodes",
    "miniworld": "mmgym.envs.miniworld.frozen",
    "mujoco": "mmgym.envs.mujoco.frozen",
    "habitat": "mmgym.envs.habitat.frozen",
    **fingerprint_families(),  # the benchmarks' own envs' sets, added as `import mmgym` registered them
}
FILE = "fingerprints.json"
LENGTH = 16  # hex digits of the sha256 kept
COMMAND = "python -m mmgym.envs.fingerprints"


def digest(*parts: Any) -> str:
    """The first `LENGTH` hex digits of the sha256 of the parts as canonical JSON (numpy values as lists)."""
    text = json.dumps(parts, sort_keys=True, separators=(",", ":"), default=_plain)
    return hashlib.sha256(text.encode()).hexdigest()[:LENGTH]


def quantised(values: Any, per_unit: int = 1000) -> list[int]:
    """Numbers as integers in 1/`per_unit` units (millimetres of metres by default): float noise below that,
    and the sign of zero, never reach a fingerprint."""
    return [round(float(v) * per_unit) for v in np.ravel(values)]


def _plain(value: Any) -> Any:
    if hasattr(value, "tolist"):  # numpy arrays and scalars
        return value.tolist()
    raise TypeError(f"cannot fingerprint a {type(value).__name__}")


def installed(library: str) -> str:
    try:
        return metadata.version(library)
    except metadata.PackageNotFoundError:
        return "not installed"


class Book:
    """One family's fingerprints: `verify` at each reset, `measure` and `write` for the command.

    `keys()` maps each frozen set to what a reset of each of its episodes is recognised by (a scene,
    a (level, seed) pair, ...), in the set's order; `replay(limit)` resets the family's env on the
    first `limit` episodes of each set (all when None) the way the suites do. `libraries` names the
    distributions whose upgrade could change the sets (per set, or one tuple for all).
    """

    def __init__(
        self,
        family: str,
        folder: Path,
        libraries: tuple[str, ...] | Mapping[str, tuple[str, ...]],
        keys: Callable[[], Mapping[str, list[Hashable]]],
        replay: Callable[[int | None], None],
    ) -> None:
        self.family, self.path, self.libraries = family, folder / FILE, libraries
        self.keys, self.replay = keys, replay
        self._found: dict[Hashable, str] | None = None  # while measuring: what each reset hashed
        self._skip = False  # while regenerating: compare nothing

    def libraries_of(self, set_name: str) -> tuple[str, ...]:
        return self.libraries if isinstance(self.libraries, tuple) else self.libraries[set_name]

    @cached_property
    def _positions(self) -> dict[Hashable, tuple[str, int]]:
        return {key: (name, i) for name, keys in self.keys().items() for i, key in enumerate(keys)}

    @cached_property
    def stored(self) -> dict[str, Any]:
        """The shipped fingerprints, checked to cover every episode of every set."""
        if not self.path.exists():
            raise ConfigError(f"no fingerprints at {self.path}; make them with {COMMAND} --update {self.family}")
        stored = json.loads(self.path.read_text())
        for name, keys in self.keys().items():
            count = len(stored["sets"].get(name, ()))
            if count != len(keys):
                raise ConfigError(
                    f"{self.path} holds {count} fingerprints for {self.family} set {name!r} of {len(keys)} episodes "
                    f"(was the set regenerated?); refresh them with {COMMAND} --update {self.family}"
                )
        return stored

    @contextmanager
    def unchecked(self) -> Iterator[None]:
        """Resets inside compare nothing: for regenerating the sets after a deliberate upgrade, when the episodes
        drawn again are the frozen ones, changed (also a decorator)."""
        outer, self._skip = self._skip, True
        try:
            yield
        finally:
            self._skip = outer

    def verify(self, key: Hashable, compute: Callable[[], str]) -> None:
        """At a reset: when `key` is a frozen episode's, hash the state built (`compute`) and compare."""
        position = None if self._skip else self._positions.get(key)
        if position is None:
            return  # not a frozen episode (or regenerating): nothing to compare with
        found = compute()
        if self._found is not None:
            self._found[key] = found
            return
        name, index = position
        expected = self.stored["sets"][name][index]
        if found != expected:
            raise EpisodeChanged(self._changed(name, index, expected, found))

    def _changed(self, name: str, index: int, expected: str, found: str) -> str:
        made_with = self.stored.get("libraries", {})
        libraries = self.libraries_of(name)
        moved = [lib for lib in libraries if installed(lib) != made_with.get(lib)]
        if moved:
            why = "; ".join(
                f"{lib} {installed(lib)} is installed, the fingerprints were made with {lib} "
                f"{made_with.get(lib, '(unknown)')}"
                for lib in moved
            )
        else:
            now = ", ".join(f"{lib} {installed(lib)}" for lib in libraries)
            why = (
                f"{now} installed, as when the fingerprints were made: the change comes from elsewhere (mmgym's code?)"
            )
        return (
            f"frozen episode {self.family} {name}[{index}] changed: fingerprint {expected} expected, {found} found; "
            f"{why}; install the locked versions, or after a deliberate change refresh the fingerprints: "
            f"{COMMAND} --update {self.family}"
        )

    def measure(self, limit: int | None = None) -> dict[str, list[str]]:
        """Replay the first `limit` episodes of each set (all when None); the fingerprints their resets hash now."""
        found: dict[Hashable, str] = {}
        self._found = found
        try:
            self.replay(limit)
        finally:
            self._found = None
        measured = {name: keys[:limit] for name, keys in self.keys().items()}
        missing = [f"{name}[{i}]" for name, keys in measured.items() for i, key in enumerate(keys) if key not in found]
        if missing:
            raise RuntimeError(f"{self.family}: the replay skipped {len(missing)} frozen episodes, e.g. {missing[0]}")
        return {name: [found[key] for key in keys] for name, keys in measured.items()}

    def write(self, fingerprints: dict[str, list[str]]) -> None:
        libraries = sorted({lib for name in fingerprints for lib in self.libraries_of(name)})
        data = {"family": self.family, "libraries": {lib: installed(lib) for lib in libraries}, "sets": fingerprints}
        self.path.write_text(json.dumps(data, indent=1, sort_keys=True) + "\n")
        self.__dict__.pop("stored", None)


def book(family: str) -> Book:
    """A family's book (imports its frozen-set module, not its simulator)."""
    if family not in FAMILIES:
        raise unknown_name("fingerprint family", family, FAMILIES)
    return importlib.import_module(FAMILIES[family]).FINGERPRINTS


def changes(stored: dict[str, list[str]], found: dict[str, list[str]]) -> list[str]:
    """'set[i]' for each episode whose fingerprint found differs from the stored one."""
    return [
        f"{name}[{i}]" for name, prints in found.items() for i, print_ in enumerate(prints) if stored[name][i] != print_
    ]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("families", nargs="*", default=list(FAMILIES), help=f"any of {', '.join(FAMILIES)}")
    action = parser.add_mutually_exclusive_group()
    action.add_argument("--check", action="store_true", help="replay and compare with the shipped ones (default)")
    action.add_argument("--update", action="store_true", help="replay and rewrite the fingerprints")
    parser.add_argument("--limit", type=int, default=None, help="only the first N episodes of each set (--check)")
    args = parser.parse_args(argv)
    if args.update and args.limit is not None:
        parser.error("--update replays every episode; --limit is for --check")
    changed = 0
    for family in args.families:
        fingerprints, start = book(family), time.perf_counter()
        found = fingerprints.measure(args.limit)
        count, seconds = sum(map(len, found.values())), time.perf_counter() - start
        if args.update:
            fingerprints.write(found)
            print(f"{family}: {count} fingerprints -> {fingerprints.path} ({seconds:.1f}s)")
            continue
        differ = changes(fingerprints.stored["sets"], found)
        changed += bool(differ)
        verdict = f"{len(differ)} changed, e.g. {differ[0]}" if differ else "unchanged"
        print(f"{family}: {count} episodes replayed, {verdict} ({seconds:.1f}s)")
    return changed


if __name__ == "__main__":
    sys.exit(main())
