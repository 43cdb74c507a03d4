"""What a benchmark package adds to the generic CLI and report, without the generic layers naming it.

A package under `mmgym.tasks` that has a `plugin` module declaring `BENCHMARK = Benchmark(...)` is
found by `benchmarks()`; so is any installed distribution that names one under the
`mmgym.benchmarks` entry-point group. The CLI adds each benchmark's commands as subcommands of
`mmgym`, and the report shows each benchmark's tables, built from the findings its suites keep in
`results.json` (`Suite.notes`). Discovery imports only the `plugin` modules, so `mmgym --help`
stays fast: a command imports its benchmark's heavy parts when it runs.
"""

from __future__ import annotations

import argparse
import importlib
import importlib.util
import pkgutil
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from importlib.metadata import entry_points
from typing import Any, Protocol

ENTRY_POINT_GROUP = "mmgym.benchmarks"


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
        """Which columns hold numbers (right-aligned): every non-empty cell parses as one."""
        return tuple(all(_is_number(row[i]) for row in self.rows if row[i]) for i in range(len(self.columns)))


ReportSection = Callable[[Sequence[RunNotes]], ReportTable | None]  # None: nothing to show for these runs


@dataclass(frozen=True)
class Benchmark:
    """A benchmark's contributions: subcommands of `mmgym` and sections of the report."""

    name: str
    commands: tuple[Command, ...] = ()
    report_sections: tuple[ReportSection, ...] = ()


def benchmarks() -> list[Benchmark]:
    """Every benchmark plug-in: mmgym's own packages (in name order), then installed ones."""
    found = [_builtin(name) for name in _task_packages()]
    found += [point.load() for point in entry_points(group=ENTRY_POINT_GROUP)]
    return [benchmark for benchmark in found if benchmark is not None]


def commands() -> dict[str, Command]:
    """Each plug-in subcommand by name; two benchmarks may not claim the same name."""
    by_name: dict[str, Command] = {}
    for benchmark in benchmarks():
        for command in benchmark.commands:
            if command.name in by_name:
                raise ValueError(f"two benchmarks add the command {command.name!r}; rename one")
            by_name[command.name] = command
    return by_name


def report_tables(runs: Sequence[RunNotes]) -> list[ReportTable]:
    """The tables every benchmark's report sections make of these runs, in benchmark order."""
    tables = (section(runs) for benchmark in benchmarks() for section in benchmark.report_sections)
    return [table for table in tables if table is not None]


def _task_packages() -> list[str]:
    import mmgym.tasks

    return sorted(info.name for info in pkgutil.iter_modules(mmgym.tasks.__path__) if info.ispkg)


def _builtin(package: str) -> Benchmark | None:
    module = f"mmgym.tasks.{package}.plugin"
    if importlib.util.find_spec(module) is None:
        return None
    return importlib.import_module(module).BENCHMARK


def _is_number(cell: str) -> bool:
    try:
        float(cell.lstrip("+").rstrip("%"))
    except ValueError:
        return False
    return True
