"""What a benchmark package adds to mmgym, without the generic layers naming it.

Every package under `mmgym.tasks` is a benchmark: its configs in its `conf/` folder are found, and
a `plugin` module declaring `BENCHMARK = Benchmark(...)` adds more. So is any installed
distribution that names a `Benchmark` under the `mmgym.benchmarks` entry-point group. Hydra gets
each benchmark's suite configs (`mmgym.tasks.configs`), the CLI adds its commands as subcommands
of `mmgym`, and the report shows its tables, built from the findings its suites keep in
`results.json` (`Suite.notes`). A command imports its benchmark's heavy parts when it runs.
"""

from __future__ import annotations

import argparse
import dataclasses
import functools
import importlib
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from importlib.metadata import entry_points
from pathlib import Path
from typing import TYPE_CHECKING, Any, Protocol

from mmgym.tasks.registration import task_packages

if TYPE_CHECKING:
    from mmgym.tasks.downloads import DataRelease

ENTRY_POINT_GROUP = "mmgym.benchmarks"
MISSING = ("", "-")  # a table cell with no value


class Configs(Protocol):
    """The run configs, as the CLI offers them to a plug-in command (which may not import the CLI)."""

    def compose(self, overrides: list[str]) -> Any:
        """The run config with these overrides; a bad override is a one-line `ConfigError`."""
        ...

    def build(self, node: Any, group: str) -> Any:
        """The object a config node describes (its `_target_` with the other keys), validated."""
        ...

    def options(self, group: str) -> dict[str, str]:
        """A config group's options (e.g. `suite/judge`), each with its one-line description."""
        ...


@dataclass(frozen=True)
class Command:
    """A `mmgym <name>` subcommand: its arguments, and what it does (returning the exit status).

    `run` raises `MmgymError` for a one-line refusal (exit status 2)."""

    name: str
    help: str
    add_arguments: Callable[[argparse.ArgumentParser], None]
    run: Callable[[argparse.Namespace, Configs], int]


@dataclass(frozen=True)
class RunNotes:
    """What a report section reads of one run: its label in the report and its suite's notes."""

    label: str
    notes: Mapping[str, Any]


@dataclass(frozen=True)
class ReportTable:
    """A table the report shows: an anchor id, a title, column headers and rows of cells."""

    id: str
    title: str
    columns: tuple[str, ...]
    rows: tuple[tuple[str, ...], ...]

    @property
    def numeric(self) -> tuple[bool, ...]:
        """Which columns hold numbers (right-aligned): every cell parses as one or is missing (empty or `-`)."""
        return tuple(
            all(_is_number(row[i]) for row in self.rows if row[i] not in MISSING) for i in range(len(self.columns))
        )


ReportSection = Callable[[Sequence[RunNotes]], ReportTable | None]  # None: nothing to show for these runs


@dataclass(frozen=True)
class Benchmark:
    """A benchmark's contributions: subcommands of `mmgym`, sections of the report, and the released data
    `mmgym data get` fetches (`releases`, called only when a data command runs)."""

    name: str
    configs: Path | None = None  # a folder of Hydra config groups (suite/<name>.yaml); mmgym's own: <package>/conf
    commands: tuple[Command, ...] = ()
    report_sections: tuple[ReportSection, ...] = ()
    releases: Callable[[], Sequence[DataRelease]] | None = None


@functools.cache
def benchmarks() -> tuple[Benchmark, ...]:
    """Every benchmark: mmgym's own packages (in name order), then installed plug-ins."""
    found = [_builtin(name, folder) for name, folder in task_packages().items()]
    found += [point.load() for point in entry_points(group=ENTRY_POINT_GROUP)]
    return tuple(found)


def commands() -> dict[str, Command]:
    """Each plug-in subcommand by name; two benchmarks may not claim the same name."""
    by_name: dict[str, Command] = {}
    for benchmark in benchmarks():
        for command in benchmark.commands:
            if command.name in by_name:
                raise ValueError(f"two benchmarks add the command {command.name!r}; rename one")
            by_name[command.name] = command
    return by_name


def releases() -> list[DataRelease]:
    """Every benchmark's released datasets that `mmgym data get` can fetch, in benchmark order."""
    return [release for benchmark in benchmarks() if benchmark.releases for release in benchmark.releases()]


def report_tables(runs: Sequence[RunNotes]) -> list[ReportTable]:
    """The tables every benchmark's report sections make of these runs, in benchmark order."""
    tables = (section(runs) for benchmark in benchmarks() for section in benchmark.report_sections)
    return [table for table in tables if table is not None]


def _builtin(package: str, folder: Path) -> Benchmark:
    configs = folder / "conf" if (folder / "conf").is_dir() else None
    if not (folder / "plugin.py").exists():
        return Benchmark(name=package, configs=configs)
    benchmark: Benchmark = importlib.import_module(f"mmgym.tasks.{package}.plugin").BENCHMARK
    return benchmark if benchmark.configs else dataclasses.replace(benchmark, configs=configs)


def _is_number(cell: str) -> bool:
    try:
        float(cell.lstrip("+").rstrip("%"))
    except ValueError:
        return False
    return True
