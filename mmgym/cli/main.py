"""The `mmgym` command: `run` (a Hydra app with overrides and -m sweeps), `list`, `replay`, `report`,
`compare`, `doctor`, `data`, `calibrate`, `play` (a person plays a suite in the browser), `view` (runs
served live), `export` (a run's episodes as plain data), `track` (finished runs logged to an experiment
tracker), and the commands benchmark plug-ins add
(`mmgym.tasks.plugins`).

Overrides are checked before Hydra starts, so a bad one ends in a single line that names what
is valid instead of a traceback.
"""

from __future__ import annotations

import argparse
import os
import sys
from pathlib import Path

from mmgym.cli import calibrate, compare, data, doctor, export, play, replay, track, view
from mmgym.cli.catalogue import config_groups, config_options
from mmgym.errors import MmgymError
from mmgym.tasks.plugins import commands as plugin_commands

# The subcommands whose module has `add_parser(sub)` and `run(args)`: each is run by its name.
COMMANDS = {
    "replay": replay,
    "compare": compare,
    "doctor": doctor,
    "data": data,
    "calibrate": calibrate,
    "play": play,
    "view": view,
    "export": export,
    "track": track,
}


def main(argv: list[str] | None = None) -> int:
    argv = list(sys.argv[1:] if argv is None else argv)
    import_from_working_directory()
    if argv[:1] == ["run"]:
        return _run(argv[1:])
    plugins = plugin_commands()
    args = build_parser().parse_args(argv)
    try:
        if args.command == "list":
            return _list()
        if args.command == "report":
            return _report(args)
        if args.command in COMMANDS:
            return COMMANDS[args.command].run(args)
        if args.command in plugins:
            from mmgym.cli.configs import HydraConfigs

            return plugins[args.command].run(args, HydraConfigs())
    except MmgymError as exc:
        print(f"mmgym: error: {exc}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        print(f"mmgym: interrupted: {args.command} stopped; what it finished is kept", file=sys.stderr)
        return 130
    except BrokenPipeError:  # `mmgym compare ... --format csv | head`: the reader has all it wanted
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())  # no second error when Python flushes stdout
        return 141
    return 2  # pragma: no cover - argparse exits on anything else


def build_parser() -> argparse.ArgumentParser:
    """The `mmgym` command's parser: its own subcommands and those benchmark plug-ins add (`run` is Hydra's)."""
    parser = argparse.ArgumentParser(
        prog="mmgym", description="Evaluate multimodal agents in interactive environments."
    )
    sub = parser.add_subparsers(dest="command", required=True)
    sub.add_parser("run", help="run a suite: mmgym run [-m] [--dry-run] [--append] [key=value ...]", add_help=False)
    sub.add_parser("list", help="list registered envs, suites, agents and runners")
    replay.add_parser(sub)
    report = sub.add_parser("report", help="write a self-contained HTML report of one or more runs")
    report.add_argument("run_dirs", type=Path, nargs="+", help="run directories")
    report.add_argument(
        "-o", "--output", type=Path, default=Path("report"), help="report folder, replaced whole (default: report)"
    )
    report.add_argument(
        "--calibration",
        type=Path,
        nargs="+",
        action="extend",
        default=[],
        metavar="DIR",
        help="a folder (or its calibration.json) from mmgym calibrate: its suite's floor and ceiling rows and plot",
    )
    report.add_argument(
        "--normalized",
        "--normalised",
        action="store_true",
        help="show the calibrated metric as 100 x (score - floor) / (ceiling - floor); needs --calibration",
    )
    compare.add_parser(sub)
    doctor.add_parser(sub)
    data.add_parser(sub)
    calibrate.add_parser(sub)
    play.add_parser(sub)
    view.add_parser(sub)
    export.add_parser(sub)
    track.add_parser(sub)
    for command in plugin_commands().values():
        command.add_arguments(sub.add_parser(command.name, help=command.help))
    return parser


def import_from_working_directory() -> None:
    """Put the working directory first on the import path, as `python -m` does.

    A console script's path starts at its own folder, so without this an agent, suite, backend or
    env module next to the user (`agent._target_=my_pkg.agents.AlwaysLeft`) could not be imported.
    Ray workers started by a local instance run in this same directory and see it too.
    """
    cwd = os.getcwd()
    if cwd not in sys.path and "" not in sys.path:
        sys.path.insert(0, cwd)


def _report(args: argparse.Namespace) -> int:
    from mmgym.cli.paths import check_writable_dir
    from mmgym.views.report import load_calibrations, write_report

    for run_dir in args.run_dirs:
        _require_run_dir(run_dir)
    calibrations = load_calibrations(args.calibration)
    check_writable_dir(args.output, "-o")
    print(write_report(args.run_dirs, args.output, calibrations, args.normalized) / "index.html")
    return 0


def _require_run_dir(run_dir: Path) -> None:
    from mmgym.results.run_dir import RunDir

    RunDir.open(run_dir)


def _run(args: list[str]) -> int:
    from mmgym.cli.app import APPEND, BUDGET_STOPS, ERROR_STOPS, check_overrides, hydra_app
    from mmgym.cli.track import TRACKER_STATUS, TRACKER_STOPS

    if any(a in ("-h", "--help") for a in args):
        sys.argv = ["mmgym run", "--help"]
        hydra_app()
        return 0
    overrides = [a for a in args if not a.startswith("-")]
    try:
        if "--dry-run" in args:
            from mmgym.cli.dry_run import dry_run

            return dry_run(overrides, multirun=any(a in ("-m", "--multirun") for a in args))
        check_overrides(overrides, multirun=any(a in ("-m", "--multirun") for a in args))
    except MmgymError as exc:
        print(f"mmgym: error: {exc}", file=sys.stderr)
        return 2
    APPEND[0] = "--append" in args
    sys.argv = ["mmgym run", *(a for a in args if a != "--append")]
    try:
        hydra_app()
    except KeyboardInterrupt:
        from mmgym.cli.interrupted import interrupted_line

        print(f"mmgym: interrupted: {interrupted_line(args)}", file=sys.stderr)
        return 130
    return 4 if ERROR_STOPS else 3 if BUDGET_STOPS else TRACKER_STATUS if TRACKER_STOPS else 0


def _list() -> int:
    from rich.console import Console
    from rich.markup import escape
    from rich.table import Table

    import mmgym  # noqa: F401  (registers envs)
    from mmgym.envs.registry import env_summaries

    table = Table(title="mmgym components", show_lines=False)
    table.add_column("kind")
    table.add_column("name")
    table.add_column("description")
    for env_id, description in env_summaries().items():
        table.add_row("env", env_id, escape(description))
    for group in config_groups():
        for name, description in config_options(group).items():
            table.add_row(group, name, escape(description))
    Console(width=140).print(table)
    return 0


if __name__ == "__main__":
    sys.exit(main())
