"""The `mmgym` command: `run` (a Hydra app with overrides and -m sweeps), `list`, `replay`, `report`,
`judge-check` and `compare`.

Overrides are checked before Hydra starts, so a bad one ends in a single line that names what
is valid instead of a traceback.
"""

from __future__ import annotations

import argparse
import os
import sys
from pathlib import Path

from mmgym.cli import compare, judge_check
from mmgym.cli.catalogue import GROUPS, config_options
from mmgym.errors import MmgymError


def main(argv: list[str] | None = None) -> int:
    argv = list(sys.argv[1:] if argv is None else argv)
    import_from_working_directory()
    parser = argparse.ArgumentParser(
        prog="mmgym", description="Evaluate multimodal agents in interactive environments."
    )
    sub = parser.add_subparsers(dest="command", required=True)
    sub.add_parser("run", help="run a suite: mmgym run [-m] [--dry-run] [--append] [key=value ...]", add_help=False)
    sub.add_parser("list", help="list registered envs, suites, agents and runners")
    replay = sub.add_parser("replay", help="render episodes as videos with the agent's reasoning beside the frames")
    replay.add_argument("run_dir", type=Path, help="a run directory (holds episodes.jsonl)")
    replay.add_argument("episode_id", nargs="?", help="an episode id or a unique prefix; default: every episode")
    replay.add_argument("-o", "--output", type=Path, help="output file (.mp4 or .gif) for one episode")
    replay.add_argument("--format", choices=["mp4", "gif"], default="mp4", help="without --output (default: mp4)")
    replay.add_argument("--fps", type=float, default=1.0, help="states per second (default: 1)")
    report = sub.add_parser("report", help="write a self-contained HTML report of one or more runs")
    report.add_argument("run_dirs", type=Path, nargs="+", help="run directories")
    report.add_argument("-o", "--output", type=Path, default=Path("report"), help="report folder (default: report)")
    judge_check.add_parser(sub)
    compare.add_parser(sub)
    if argv[:1] == ["run"]:
        return _run(argv[1:])
    args = parser.parse_args(argv)
    try:
        if args.command == "list":
            return _list()
        if args.command == "replay":
            return _replay(args)
        if args.command == "report":
            return _report(args)
        if args.command == "judge-check":
            return judge_check.run(args)
        if args.command == "compare":
            return compare.run(args)
    except MmgymError as exc:
        print(f"mmgym: error: {exc}", file=sys.stderr)
        return 2
    return 2  # pragma: no cover - argparse exits on anything else


def import_from_working_directory() -> None:
    """Put the working directory first on the import path, as `python -m` does.

    A console script's path starts at its own folder, so without this an agent, suite, backend or
    env module next to the user (`agent._target_=my_pkg.agents.AlwaysLeft`) could not be imported.
    Ray workers started by a local instance run in this same directory and see it too.
    """
    cwd = os.getcwd()
    if cwd not in sys.path and "" not in sys.path:
        sys.path.insert(0, cwd)


def _replay(args: argparse.Namespace) -> int:
    from rich.progress import track

    from mmgym.results.store import ResultsStore
    from mmgym.views.replay import default_output, find_episode, write_replay

    _require_run_dir(args.run_dir)
    if args.episode_id:
        record = find_episode(args.run_dir, args.episode_id)
        output = args.output or default_output(args.run_dir, record, f".{args.format}")
        print(write_replay(record, args.run_dir, output, args.fps))
        return 0
    if args.output:
        raise MmgymError("--output names one file; give an EPISODE_ID too, or leave --output out")
    records = list(ResultsStore(args.run_dir).records())
    for record in track(records, description=f"replaying {len(records)} episodes"):
        write_replay(record, args.run_dir, default_output(args.run_dir, record, f".{args.format}"), args.fps)
    print(f"{len(records)} replays in {args.run_dir / 'replays'}")
    return 0


def _report(args: argparse.Namespace) -> int:
    from mmgym.views.report import write_report

    for run_dir in args.run_dirs:
        _require_run_dir(run_dir)
    print(write_report(args.run_dirs, args.output) / "index.html")
    return 0


def _require_run_dir(run_dir: Path) -> None:
    from mmgym.results.store import EPISODES_FILE

    if not (run_dir / EPISODES_FILE).exists():
        raise MmgymError(f"{run_dir} is not a run directory (no {EPISODES_FILE}); pass the output_dir of a run")


def _run(args: list[str]) -> int:
    from mmgym.cli.app import APPEND, BUDGET_STOPS, ERROR_STOPS, check_overrides, hydra_app

    if any(a in ("-h", "--help") for a in args):
        sys.argv = ["mmgym run", "--help"]
        hydra_app()
        return 0
    overrides = [a for a in args if not a.startswith("-")]
    try:
        if "--dry-run" in args:
            from mmgym.cli.dry_run import dry_run

            return dry_run(overrides, multirun=any(a in ("-m", "--multirun") for a in args))
        check_overrides(overrides)
    except MmgymError as exc:
        print(f"mmgym: error: {exc}", file=sys.stderr)
        return 2
    APPEND[0] = "--append" in args
    sys.argv = ["mmgym run", *(a for a in args if a != "--append")]
    hydra_app()
    return 4 if ERROR_STOPS else 3 if BUDGET_STOPS else 0


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
    for group in GROUPS:
        for name, description in config_options(group).items():
            table.add_row(group, name, escape(description))
    Console(width=140).print(table)
    return 0


if __name__ == "__main__":
    sys.exit(main())
