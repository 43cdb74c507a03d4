"""The export figures in the docs: time, peak memory and size of each format, from full expert runs.

    python benchmarks/bench_export.py [--out DIR] [--only ingvp,eb_nav]

For each case, plays the expert on the suite's default episodes with the installed `mmgym run`
(no videos; a run in `--out` resumes), then runs `mmgym export` once per format, each in a fresh
Python process that reports its own peak resident memory. Prints one markdown row per export:
episodes, rows written, seconds, peak MiB and the size on disk. `sft` and `hf` replay every
episode to rebuild its prompts, so their time is mostly the simulator's.
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import tempfile
import time
from pathlib import Path

CASES: dict[str, list[str]] = {
    "ingvp": ["suite=ingvp"],
    "eb_nav": ["suite=eb_nav"],
    "eb_manip": ["suite=eb_manip"],
    "babyai": ["suite=babyai"],
}
FORMATS = {"sft": "train.jsonl", "hf": "dataset", "parquet": "steps.parquet", "jsonl-summary": "summary.jsonl"}
# Runs `mmgym ARGS` in this process and prints the peak resident memory (KiB on Linux) as the last line.
MEASURED = (
    "import resource, sys\n"
    "from mmgym.cli.main import main\n"
    "code = main(sys.argv[1:])\n"
    "print(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss)\n"
    "sys.exit(code)\n"
)


def mmgym(*args: str) -> None:
    subprocess.run([str(Path(sys.executable).with_name("mmgym")), *args], check=True, stdout=subprocess.DEVNULL)


def size_mib(path: Path) -> float:
    files = [path] if path.is_file() else [p for p in path.rglob("*") if p.is_file()]
    images = path.parent / f"{path.stem}_images"
    files += [p for p in images.glob("*") if p.is_file()] if path.is_file() else []
    return sum(p.stat().st_size for p in files) / 2**20


def export(run: Path, fmt: str, output: Path) -> tuple[int, float, float]:
    """Rows written, seconds and peak MiB of one `mmgym export`."""
    start = time.perf_counter()
    done = subprocess.run(
        [sys.executable, "-c", MEASURED, "export", str(run), "--format", fmt, "-o", str(output)],
        check=True,
        capture_output=True,
        text=True,
    )
    seconds = time.perf_counter() - start
    lines = done.stdout.split("\n")
    written = next(line for line in lines if " written to " in line)
    return int(written.split()[0]), seconds, int(lines[-2]) / 1024


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, help="keep the runs and exports here (default: a temporary folder)")
    parser.add_argument("--only", help=f"comma-separated cases of {', '.join(CASES)}")
    args = parser.parse_args()
    cases = args.only.split(",") if args.only else list(CASES)
    with tempfile.TemporaryDirectory() as scratch:
        out = args.out or Path(scratch)
        print("| suite | format | episodes | rows | seconds | peak MiB | on disk MiB |")
        print("|---|---|---|---|---|---|---|")
        for case in cases:
            run = out / "runs" / case
            mmgym("run", *CASES[case], "agent=oracle", "record.video=false", "progress=false", f"output_dir={run}")
            episodes = json.loads((run / "results.json").read_text())["episodes"]
            for fmt, name in FORMATS.items():
                output = out / "exports" / case / name
                rows, seconds, peak = export(run, fmt, output)
                print(f"| {case} | {fmt} | {episodes} | {rows} | {seconds:.1f} | {peak:.0f} | {size_mib(output):.1f} |")


if __name__ == "__main__":
    main()
