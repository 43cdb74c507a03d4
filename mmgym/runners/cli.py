"""The `mmgym` command: `run` (a Hydra app with overrides and -m sweeps) and `list`.

Overrides are checked before Hydra starts, so a bad one ends in a single line that names what
is valid instead of a traceback.
"""

from __future__ import annotations

import argparse
import sys
from importlib import resources
from pathlib import Path

from mmgym.errors import MmgymError

CONFIG_MODULE = "mmgym.conf"
GROUPS = ("suite", "agent", "model", "runner")


def main(argv: list[str] | None = None) -> int:
    argv = list(sys.argv[1:] if argv is None else argv)
    parser = argparse.ArgumentParser(
        prog="mmgym", description="Evaluate multimodal agents in interactive environments."
    )
    sub = parser.add_subparsers(dest="command", required=True)
    sub.add_parser("run", help="run a suite: mmgym run [-m] [key=value ...]", add_help=False)
    sub.add_parser("list", help="list registered envs, suites, agents and runners")
    if argv[:1] == ["run"]:
        return _run(argv[1:])
    args = parser.parse_args(argv)
    if args.command == "list":
        return _list()
    return 2  # pragma: no cover - argparse exits on anything else


def _run(args: list[str]) -> int:
    from mmgym.runners.app import check_overrides, hydra_app

    if any(a in ("-h", "--help") for a in args):
        sys.argv = ["mmgym run", "--help"]
        hydra_app()
        return 0
    overrides = [a for a in args if not a.startswith("-")]
    try:
        check_overrides(overrides)
    except MmgymError as exc:
        print(f"mmgym: error: {exc}", file=sys.stderr)
        return 2
    sys.argv = ["mmgym run", *args]
    hydra_app()
    return 0


def config_options(group: str) -> dict[str, str]:
    """Option name -> its one-line description (the YAML's first comment) for a config group."""
    folder = Path(str(resources.files(CONFIG_MODULE) / group))
    return {path.stem: _description(path) for path in sorted(folder.glob("*.yaml"))}


def _description(path: Path) -> str:
    first = path.read_text().splitlines()[0] if path.stat().st_size else ""
    return first.lstrip("# ").split(": ", 1)[-1] if first.startswith("#") else ""


def _list() -> int:
    import gymnasium as gym
    from rich.console import Console
    from rich.markup import escape
    from rich.table import Table

    import mmgym  # noqa: F401  (registers envs)
    from mmgym.envs.games import get_game

    table = Table(title="mmgym components", show_lines=False)
    table.add_column("kind")
    table.add_column("name")
    table.add_column("description")
    for env_id, spec in sorted(gym.registry.items()):
        if env_id.startswith("mmgym/"):
            game = get_game(spec.kwargs["game"])
            table.add_row("env", env_id, escape(f"{game.title}; actions: {game.action_grammar}"))
    for group in GROUPS:
        for name, description in config_options(group).items():
            table.add_row(group, name, escape(description))
    Console(width=140).print(table)
    return 0


if __name__ == "__main__":
    sys.exit(main())
