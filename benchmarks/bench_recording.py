"""What episode videos and the report cost: runs with recording on and off, and report build time.

    python benchmarks/bench_recording.py [--levels 50] [--report-episodes 10000]

Recording: the oracle and the random agent on Sokoban and Maze in the two image settings with
history (`--levels` levels each), once with `RecordConfig()` and once without, in this process;
wall time, and CPU time of this process and its children (ffmpeg), per episode. Report: a run
of `--report-episodes` copies of one recorded episode (no video, as most text runs), timed from
`write_report` to the finished folder, with the page's and the episode index's sizes.
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

from mmgym.agents.scripted import OracleAgent, RandomAgent
from mmgym.results.store import ResultsStore
from mmgym.runners.evaluate import evaluate
from mmgym.runners.local import LocalRunner
from mmgym.runners.recorder import RecordConfig
from mmgym.tasks.ingvp.suite import IngvpSuite
from mmgym.views.report import write_report

SETTINGS = ["multi_step-image_text-history", "one_step-image_text"]


def cpu_seconds() -> float:
    own, children = resource.getrusage(resource.RUSAGE_SELF), resource.getrusage(resource.RUSAGE_CHILDREN)
    return own.ru_utime + own.ru_stime + children.ru_utime + children.ru_stime


def timed_run(agent: type, levels: int, record: RecordConfig | None) -> tuple[int, float, float, int]:
    """Episodes, wall seconds, CPU seconds (with ffmpeg), bytes of video."""
    suite = IngvpSuite(games=["sokoban", "maze"], settings=SETTINGS, levels=levels)
    with tempfile.TemporaryDirectory() as run_dir:
        start, cpu = time.perf_counter(), cpu_seconds()
        results = evaluate(suite, agent, run_dir, LocalRunner(), False, record)
        wall, cpu = time.perf_counter() - start, cpu_seconds() - cpu
        size = sum(p.stat().st_size for p in Path(run_dir).glob("videos/*.mp4"))
    return results.episodes, wall, cpu, size


def recording(levels: int) -> None:
    print(f"recording: sokoban + maze, {', '.join(SETTINGS)}, {levels} levels each, 384 px frames")
    print("agent | videos | episodes | wall s | ms/episode | CPU ms/episode (with ffmpeg) | MB of video")
    print("--- | --- | --- | --- | --- | --- | ---")
    for agent in (OracleAgent, RandomAgent):
        for record in (None, RecordConfig()):
            episodes, wall, cpu, size = timed_run(agent, levels, record)
            print(
                f"{agent.__name__} | {'on' if record else 'off'} | {episodes} | {wall:.1f} | "
                f"{1000 * wall / episodes:.1f} | {1000 * cpu / episodes:.1f} | {size / 1e6:.1f}"
            )


def report(episodes: int) -> None:
    with tempfile.TemporaryDirectory() as work:
        source, big = Path(work) / "source", Path(work) / "big"
        suite = IngvpSuite(games=["maze"], settings=["multi_step-text-history"], levels=1)
        evaluate(suite, RandomAgent, source, LocalRunner(), False)
        big.mkdir()
        shutil.copy(source / "results.json", big / "results.json")
        template = next(iter(ResultsStore(source).records()))
        with (big / "episodes.jsonl").open("w") as out:
            for n in range(episodes):
                out.write(template.model_copy(update={"id": f"{template.id}-{n}"}).model_dump_json() + "\n")
        start = time.perf_counter()
        output = write_report([big], Path(work) / "report")
        elapsed = time.perf_counter() - start
        page = (output / "index.html").stat().st_size
        index = (output / "data" / "index.js").stat().st_size
        details = sum(p.stat().st_size for p in (output / "data" / "episodes").iterdir())
    print(f"\nreport: {episodes} episodes of {len(template.steps)} steps in {elapsed:.1f} s")
    print(f"index.html {page / 1e3:.0f} KB, episode index {index / 1e6:.2f} MB, episode files {details / 1e6:.0f} MB")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--levels", type=int, default=50)
    parser.add_argument("--report-episodes", type=int, default=10_000)
    args = parser.parse_args()
    recording(args.levels)
    report(args.report_episodes)


if __name__ == "__main__":
    main()
