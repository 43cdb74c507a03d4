"""What `mmgym replay RUN` costs per episode: drawing the frames (Python) and encoding them (ffmpeg), and the
wall time with several worker processes.

    python benchmarks/bench_replay.py [--levels 2] [--jobs 1 2 4]

A random-agent run of ING-VP (all six games and settings, `--levels` levels each, recorded videos:
half the episodes read their frames back from video, half draw their states' text) is replayed
once per `--jobs` value into a fresh folder. CPU time is this process's and its children's
(the workers and ffmpeg), so it does not depend on how busy the machine is; wall time does.

Measured on a shared 2-core machine (load 3-5), 72 episodes, 2,635 frames: before this script existed,
`mmgym replay` took 671 ms of wall time and 462 ms of CPU per episode (255 ms drawing, 207 ms ffmpeg),
one episode at a time; with the drawing cached (text masks, state images, no copy of frames already
the right size) 428 ms and 326 ms (112 ms drawing), and 360 ms of wall time with `--jobs 2`. ffmpeg's
H.264 encoding is now most of the cost; more cores divide the wall time.
"""

from __future__ import annotations

import argparse
import os
import resource
import shutil
import tempfile
import time
from pathlib import Path

os.environ.setdefault("OMP_NUM_THREADS", "1")

from mmgym.agents.scripted import RandomAgent
from mmgym.cli.replay import render_all
from mmgym.results.store import ResultsStore
from mmgym.runners.evaluate import evaluate
from mmgym.runners.local import LocalRunner
from mmgym.runners.recorder import RecordConfig
from mmgym.tasks.ingvp.suite import IngvpSuite
from mmgym.views.replay import default_output


def cpu_seconds() -> tuple[float, float]:
    """User + system seconds of this process, and of its finished children (workers, ffmpeg)."""
    own, children = resource.getrusage(resource.RUSAGE_SELF), resource.getrusage(resource.RUSAGE_CHILDREN)
    return own.ru_utime + own.ru_stime, children.ru_utime + children.ru_stime


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--levels", type=int, default=2)
    parser.add_argument("--jobs", type=int, nargs="+", default=[1, 2])
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as folder:
        run_dir = Path(folder) / "run"
        evaluate(IngvpSuite(levels=args.levels), RandomAgent, run_dir, LocalRunner(), False, RecordConfig())
        records = list(ResultsStore(run_dir).records())
        steps = sum(len(r.steps) + 1 for r in records)
        print(f"replay: {len(records)} episodes, {steps} frames, {os.cpu_count()} CPUs, load {os.getloadavg()[0]:.1f}")
        print("jobs | wall s | wall ms/episode | CPU ms/episode (all processes, ffmpeg included)")
        print("--- | --- | --- | ---")
        for jobs in args.jobs:
            shutil.rmtree(run_dir / "replays", ignore_errors=True)
            work = [(r, run_dir, default_output(run_dir, r), 1.0) for r in records]
            start, cpu = time.perf_counter(), sum(cpu_seconds())
            render_all(work, jobs)
            wall, cpu = time.perf_counter() - start, sum(cpu_seconds()) - cpu
            per = 1000 / len(records)
            print(f"{jobs} | {wall:.1f} | {wall * per:.0f} | {cpu * per:.0f}")


if __name__ == "__main__":
    main()
