"""`mmgym replay RUN_DIR [EPISODE_ID]`: episodes as videos with the agent's reasoning beside the frames.

One episode renders in this process. Every episode renders in `--jobs` worker processes (drawing
frames and feeding ffmpeg keep one core busy per episode), a few episodes ahead at a time so that
memory stays flat, with progress on stderr that shows when the output is piped too.
"""

from __future__ import annotations

import argparse
import os
import signal
from concurrent.futures import FIRST_COMPLETED, Future, ProcessPoolExecutor, wait
from multiprocessing import get_context
from pathlib import Path

from mmgym.errors import MmgymError

MAX_DEFAULT_JOBS = 8


def add_parser(sub: argparse._SubParsersAction) -> None:
    replay = sub.add_parser("replay", help="render episodes as videos with the agent's reasoning beside the frames")
    replay.add_argument("run_dir", type=Path, help="a run directory (holds episodes.jsonl)")
    replay.add_argument("episode_id", nargs="?", help="an episode id or a unique prefix; default: every episode")
    replay.add_argument("-o", "--output", type=Path, help="output file (.mp4 or .gif) for one episode")
    replay.add_argument("--format", choices=["mp4", "gif"], default="mp4", help="without --output (default: mp4)")
    replay.add_argument("--fps", type=float, default=1.0, help="states per second (default: 1)")
    jobs_help = f"episodes rendered at once (default: the CPUs, at most {MAX_DEFAULT_JOBS})"
    replay.add_argument("-j", "--jobs", type=int, default=None, help=jobs_help)


def run(args: argparse.Namespace) -> int:
    from mmgym.cli.paths import check_writable_dir, check_writable_file
    from mmgym.results.run_dir import RunDir
    from mmgym.views.replay import default_output, find_episode, write_replay

    run_dir = RunDir.open(args.run_dir)
    jobs = args.jobs if args.jobs is not None else min(os.cpu_count() or 1, MAX_DEFAULT_JOBS)
    if jobs < 1:
        raise MmgymError(f"--jobs must be at least 1, got {jobs}")
    if args.episode_id:
        if args.output:
            check_writable_file(args.output, "-o")
        record = find_episode(args.run_dir, args.episode_id)
        output = args.output or default_output(args.run_dir, record, f".{args.format}")
        print(write_replay(record, args.run_dir, output, args.fps))
        return 0
    if args.output:
        raise MmgymError("--output names one file; give an EPISODE_ID too, or leave --output out")
    folder = run_dir.replays_dir
    check_writable_dir(folder, "replay folder")
    records = list(run_dir.records())
    work = [(r, args.run_dir, default_output(args.run_dir, r, f".{args.format}"), args.fps) for r in records]
    render_all(work, jobs)
    print(f"{len(records)} replays in {folder}")
    return 0


def render_all(work: list[tuple], jobs: int) -> None:
    """`write_replay(*item)` for every item, in `jobs` processes (here when 1), reporting progress."""
    from mmgym.views.progress import progress
    from mmgym.views.replay import write_replay

    with progress(f"replaying {len(work)} episodes", len(work)) as advance:
        if jobs == 1 or len(work) <= 1:
            for item in work:
                write_replay(*item)
                advance()
            return
        pool = ProcessPoolExecutor(jobs, mp_context=get_context("spawn"), initializer=_ignore_sigint)
        pending: set[Future] = set()
        try:
            for item in work:
                pending.add(pool.submit(write_replay, *item))
                if len(pending) >= 2 * jobs:  # a few ahead, not the whole run's records in the queue
                    done, pending = wait(pending, return_when=FIRST_COMPLETED)
                    _finish(done, advance)
            while pending:
                done, pending = wait(pending, return_when=FIRST_COMPLETED)
                _finish(done, advance)
        finally:
            pool.shutdown(wait=True, cancel_futures=True)


def _finish(done: set[Future], advance) -> None:
    for future in done:
        future.result()  # a worker's error ends the command, as it would in this process
        advance()


def _ignore_sigint() -> None:
    """Workers leave Ctrl-C to the command, which stops handing out episodes; no traceback per worker."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)
