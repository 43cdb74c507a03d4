"""The calibrations in the docs: each suite's floor, ceiling and score as the expert's play worsens, with run times.

    python benchmarks/bench_calibration.py [--out DIR] [--plots DIR] [--only babyai-skill,pca]

Runs the installed `mmgym calibrate` (the one beside this Python; p = 0, 0.1, 0.25, 0.5, 0.75, 1)
on each case below, one after another, timing each, then prints one markdown row per case from its `calibration.json`
(the headline metric overall: floor, ceiling, the score at each p, monotone, resolution, seconds)
and, with `--plots`, writes each case's plots of the score against p as SVG files: overall
(`<case>.svg`) and by the suite's first breakdown (`<case>-<subset|game|domain>.svg`).
Calibrations resume: with an `--out` that already holds a case, its time is only what was left.
"""

from __future__ import annotations

import argparse
import subprocess
import sys
import tempfile
import time
from pathlib import Path

CASES: dict[str, list[str]] = {
    "babyai-skill": ["suite=babyai"],
    "babyai-primitive": ["suite=babyai", "suite.action_level=primitive"],
    "embodied_eval": ["suite=embodied_eval"],
    "eb_manip": ["suite=eb_manip"],
    "eb_nav": ["suite=eb_nav"],
    "ingvp": ["suite=ingvp"],
    "pca": ["suite=pca", "suite.items=100", "suite.judge_check=0"],
}


def cell(band) -> str:
    return "-" if band is None else f"{band.mean:.1f} [{band.low:.1f}, {band.high:.1f}]"


def row(case: str, seconds: float, folder: Path) -> str:
    from mmgym.results.calibration import format_epsilon, load

    figures = load(folder)
    overall = figures.overall()
    scores = [cell(overall.by_epsilon.get(format_epsilon(e))) for e in figures.epsilons if e > 0]
    size = " ".join(CASES[case])
    cells = [f"`{size}`", figures.metric, cell(overall.floor), cell(overall.ceiling), *scores]
    resolution = "-" if overall.resolution is None else f"{overall.resolution:g}"
    cells += ["yes" if overall.monotone else "NO", resolution, f"{seconds:.0f} s"]
    return "| " + " | ".join(cells) + " |"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--out", type=Path, help="calibration folders, one per case (default: a temporary folder)")
    parser.add_argument("--plots", type=Path, help="write each case's overall plot here as <case>.svg")
    parser.add_argument("--only", help="comma-separated cases (default: all): " + ", ".join(CASES))
    args = parser.parse_args()
    cases = args.only.split(",") if args.only else list(CASES)
    out = args.out or Path(tempfile.mkdtemp(prefix="mmgym-calibration-"))
    rows = []
    for case in cases:
        start = time.perf_counter()
        command = [str(Path(sys.executable).with_name("mmgym")), "calibrate", *CASES[case], "-o", str(out / case)]
        subprocess.run(command, check=True, stdout=subprocess.DEVNULL)
        seconds = time.perf_counter() - start
        rows.append(row(case, seconds, out / case))
        print(rows[-1], flush=True)
        if args.plots:
            from mmgym.results.calibration import load
            from mmgym.views.report import calibration_plot

            args.plots.mkdir(parents=True, exist_ok=True)
            figures = load(out / case)
            (args.plots / f"{case}.svg").write_text(calibration_plot(figures) + "\n")
            breakdown = next((g for g in figures.groups if g != "overall" and "/" not in g), None)
            if breakdown:  # the suite's subsets, games or domains
                (args.plots / f"{case}-{breakdown}.svg").write_text(calibration_plot(figures, breakdown) + "\n")
    print("\n| suite and size | metric | floor | ceiling | p = 0.1 | p = 0.25 | p = 0.5 | p = 0.75 | p = 1 | monotone "
          "| resolution | time |")  # fmt: skip
    print("|---|---|---|---|---|---|---|---|---|---|---|---|")
    print("\n".join(rows))


if __name__ == "__main__":
    main()
