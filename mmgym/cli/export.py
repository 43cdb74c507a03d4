"""`mmgym export RUN_DIR --format jsonl-summary -o OUT`: a run's episodes leave mmgym as plain data.

`jsonl-summary` writes one JSON line per episode with its scores and groups
(`mmgym.results.export.summary_row`), for pandas, polars or anyone's own analysis. Filters pick
successful episodes only, one group, or the first N episodes of each group. The file is written
whole or not at all (a temporary file, renamed at the end).
"""

from __future__ import annotations

import argparse
import json
import os
from pathlib import Path

from mmgym.errors import ConfigError

FORMATS = ("jsonl-summary",)


def add_parser(sub: argparse._SubParsersAction) -> None:
    export = sub.add_parser("export", help="write a run's episodes as plain data: --format jsonl-summary")
    export.add_argument("run_dir", type=Path, help="a run directory")
    export.add_argument("--format", required=True, choices=FORMATS, help="jsonl-summary: one line per episode")
    export.add_argument("-o", "--output", type=Path, required=True, help="the file to write")
    export.add_argument("--successful", action="store_true", help="only episodes that succeeded")
    export.add_argument("--group", help="only one group, as GROUPING=GROUP, e.g. subset=base")
    export.add_argument("--per-group", type=int, help="at most N episodes of each group of --group-by")
    export.add_argument("--group-by", default="overall", help="the grouping --per-group counts in (default: overall)")


def run(args: argparse.Namespace) -> int:
    from mmgym.results.export import EpisodeFilter, selected_records, summary_row
    from mmgym.results.run_dir import RunDir

    run_dir = RunDir.open(args.run_dir)
    which = EpisodeFilter(args.successful, _group(args.group), _count(args.per_group), args.group_by)
    args.output.parent.mkdir(parents=True, exist_ok=True)
    partial = args.output.with_name(args.output.name + ".partial")
    written = 0
    with partial.open("w") as out:
        for record in selected_records(run_dir, which):
            out.write(json.dumps(summary_row(record), ensure_ascii=False) + "\n")
            written += 1
    os.replace(partial, args.output)
    print(f"{written} episodes written to {args.output}")
    return 0


def _group(text: str | None) -> tuple[str, str] | None:
    if text is None:
        return None
    grouping, sep, group = text.partition("=")
    if not sep or not grouping or not group:
        raise ConfigError(f"--group must be GROUPING=GROUP, e.g. subset=base; got {text!r}")
    return grouping, group


def _count(value: int | None) -> int | None:
    if value is not None and value < 1:
        raise ConfigError(f"--per-group must be at least 1; got {value}")
    return value
