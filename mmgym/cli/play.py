"""`mmgym play suite=X [suite options] [--player NAME]`: a person plays a suite's episodes in the browser.

It serves a local page (`mmgym.views.play_server`), prints its URL, and plays the suite's episodes
with the human agent (`mmgym.agents.human`): the same specs, seeds and play rules as a model gets.
Each finished episode is stored in the run directory (default `runs/<suite>-human-<player>`) as
any run's, under the agent name `human-<player>`, so `mmgym report`, `compare` and `replay` read
it; rerunning the command resumes after the episodes already played. Bound to another address
than the loopback (`--host`), the page needs the random token the printed URL carries.
"""

from __future__ import annotations

import argparse
import getpass
import re
from pathlib import Path
from typing import Any

from mmgym.errors import ConfigError

PLAYER_NAME = re.compile(r"[A-Za-z0-9_-]{1,40}")


def add_parser(sub: argparse._SubParsersAction) -> None:
    play = sub.add_parser("play", help="play a suite's episodes yourself in the browser, recorded as a run")
    play.add_argument("overrides", nargs="+", help="suite=<name> and any suite.<key>=<value>")
    play.add_argument("--player", help="your name in the run (letters, digits, - and _; default: your user name)")
    play.add_argument("-o", "--output", type=Path, help="run folder (default: runs/<suite>-human-<player>)")
    play.add_argument("--host", default="127.0.0.1", help="address to serve on (default: %(default)s)")
    play.add_argument("--port", type=int, default=0, help="port to serve on (default: a free one)")


def run(args: argparse.Namespace) -> int:
    from mmgym.agents.human import Desk, HumanAgent
    from mmgym.cli.configs import HydraConfigs
    from mmgym.cli.paths import check_writable_dir
    from mmgym.results.run_config import check_resumable, restored_on_failure, save_run_config
    from mmgym.results.store import ResultsStore
    from mmgym.runners.evaluate import evaluate
    from mmgym.runners.local import LocalRunner
    from mmgym.views.table import print_results

    if not any(o.startswith("suite=") for o in args.overrides):
        raise ConfigError("mmgym play needs suite=<name>, e.g. mmgym play suite=puzzle_sprint")
    if bad := [o for o in args.overrides if not o.startswith("suite")]:
        raise ConfigError(f"mmgym play takes only suite=<name> and suite.<key>=<value>; got {' '.join(bad)}")
    player = player_name(args.player)
    configs = HydraConfigs()
    cfg = configs.compose(list(args.overrides))
    suite = configs.build(cfg.suite, "suite")
    agent = f"human-{player}"
    output = args.output or Path("runs") / f"{suite.name}-{agent}"
    check_writable_dir(output, "-o")
    cfg = _run_config(cfg, agent, output)
    check_resumable(output, cfg)
    record = configs.build(cfg.record, "record")
    played = ResultsStore(output) if output.exists() else ()  # (a store would make the folder)
    todo = sum(1 for spec in suite.specs() if spec.id not in played)
    desk = Desk(total=todo)
    server = _server(desk, args.host, args.port, f"mmgym play: {suite.name} ({agent})")
    try:
        url = server.start()
    except OSError as exc:  # the port is taken, the address is not this machine's
        raise ConfigError(f"cannot serve on {args.host}:{args.port}: {exc.strerror or exc}") from None
    print(f"mmgym play: {todo} episodes of {suite.name} to play as {agent}; open {url}", flush=True)
    try:
        with restored_on_failure(output):
            save_run_config(output, cfg)
            results = evaluate(suite, lambda: HumanAgent(desk), output, LocalRunner(concurrency=1), False, record)
    finally:
        desk.finish()
    server.stop(grace_s=2.0)
    print_results(results)  # with the person's time per answer under it
    print(f"run directory: {output}")
    return 0


def player_name(name: str | None) -> str:
    """The player's name as given, else the user's; letters, digits, `-` and `_` only (it names a folder)."""
    if name is None:
        try:
            name = getpass.getuser()
        except Exception:  # no user name in this environment
            name = "player"
        name = re.sub(r"[^A-Za-z0-9_-]", "", name) or "player"
    if not PLAYER_NAME.fullmatch(name):
        raise ConfigError(f"--player must be 1 to 40 letters, digits, - or _; got {name!r}")
    return name


def _run_config(cfg: Any, agent: str, output: Path) -> Any:
    """The composed config as `mmgym run` would keep it, with the human agent in the agent's place."""
    from omegaconf import OmegaConf

    data = OmegaConf.to_container(cfg, resolve=False)
    data["agent"] = {"name": agent, "_target_": "mmgym.agents.human.HumanAgent"}
    data["output_dir"] = str(output)
    return OmegaConf.create(data)


def _server(desk: Any, host: str, port: int, title: str) -> Any:
    try:
        from mmgym.views.play_server import PlayServer
    except ImportError as exc:
        raise ConfigError(f"mmgym play needs aiohttp ({exc}); pip install 'mmgym[openai]'") from None
    return PlayServer(desk, host, port, title)
