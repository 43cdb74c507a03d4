"""`mmgym view RUN_DIR...`: the report of runs in progress, live at a local URL, until Ctrl-C.

A folder that holds no run yet is accepted (its run may be starting) and shows no episodes until
its first record lands. Listening on another address than 127.0.0.1 (`--host`) puts a random token
in the printed URL, which every request must carry.
"""

from __future__ import annotations

import argparse
import asyncio
from pathlib import Path

from mmgym.errors import ConfigError

INSTALL_HINT = 'pip install "mmgym[openai]" (or: pip install aiohttp)'


def add_parser(sub: argparse._SubParsersAction) -> None:
    view = sub.add_parser("view", help="serve the report of runs in progress, live at a local URL")
    view.add_argument("run_dirs", type=Path, nargs="+", help="run directories (a run may still be starting)")
    view.add_argument(
        "--host", default="127.0.0.1", help="address to listen on (default: 127.0.0.1; any other adds a token)"
    )
    view.add_argument("--port", type=int, default=0, help="port (default: 0, a free one)")


def run(args: argparse.Namespace) -> int:
    for path in args.run_dirs:
        if not path.is_dir():
            raise ConfigError(f"{path} is not a folder; pass run directories (output_dir of mmgym run)")
    if not 0 <= args.port <= 65535:
        raise ConfigError(f"--port {args.port} is not a port (0 to 65535; 0 picks a free one)")
    try:
        from mmgym.views.live_server import serve
    except ImportError as exc:
        raise ConfigError(f"mmgym view needs aiohttp ({exc}); {INSTALL_HINT}") from None

    def ready(url: str) -> None:
        runs = len(args.run_dirs)
        print(f"mmgym view: {runs} run{'' if runs == 1 else 's'} at {url} (Ctrl-C stops)", flush=True)

    try:
        asyncio.run(serve(list(args.run_dirs), args.host, args.port, ready))
    except OSError as exc:  # the address is taken or cannot be bound
        raise ConfigError(f"cannot listen on {args.host}:{args.port}: {exc.strerror or exc}") from None
    except KeyboardInterrupt:
        print("mmgym view: stopped", flush=True)
    return 0
