"""`mmgym export RUN_DIR --format sft|hf|parquet|jsonl-summary -o OUT`: a run's episodes leave mmgym as data.

- `sft`: chat-format JSONL for fine-tuning, one row per turn (or per episode with `--unit episode`):
  each turn's prompt rebuilt exactly by replaying the episode, then the reply in the suite's reply
  format (`mmgym.views.training_export`); images as files beside it or as data URLs (`--images`).
- `hf`: the same rows as a Hugging Face `datasets` dataset saved to the folder OUT, images an `Image` feature.
- `parquet`: one row per step, for pandas or polars (`mmgym.results.export.step_rows`).
- `jsonl-summary`: one JSON line per episode with its scores and groups (`summary_row`).

Filters pick successful episodes only, one group, or the first N episodes of each group. Files
are written whole or not at all (a temporary file, renamed at the end).
"""

from __future__ import annotations

import argparse
import json
import os
from pathlib import Path
from typing import Any

import yaml

from mmgym.errors import ConfigError

FORMATS = ("sft", "hf", "parquet", "jsonl-summary")


def add_parser(sub: argparse._SubParsersAction) -> None:
    export = sub.add_parser("export", help="write a run's episodes as data: sft, hf, parquet or jsonl-summary")
    export.add_argument("run_dir", type=Path, help="a run directory")
    export.add_argument(
        "--format",
        required=True,
        choices=FORMATS,
        help="sft: chat JSONL for fine-tuning; hf: a datasets folder; parquet: one row per step; "
        "jsonl-summary: one line per episode",
    )
    export.add_argument("-o", "--output", type=Path, required=True, help="the file (the folder, for hf) to write")
    export.add_argument("--successful", action="store_true", help="only episodes that succeeded")
    export.add_argument("--group", help="only one group, as GROUPING=GROUP, e.g. subset=base")
    export.add_argument("--per-group", type=int, help="at most N episodes of each group of --group-by")
    export.add_argument("--group-by", default="overall", help="the grouping --per-group counts in (default: overall)")
    export.add_argument(
        "--unit", choices=("turn", "episode"), default="turn", help="sft/hf: one row per turn (default) or per episode"
    )
    export.add_argument(
        "--images", choices=("files", "data-url"), default="files", help="sft: images as files (default) or data URLs"
    )
    export.add_argument(
        "--prompt",
        action="append",
        default=[],
        metavar="KEY=VALUE",
        help="sft/hf from a scripted agent's run: a setting of the LLM agent's prompt, e.g. output_format=text",
    )


def run(args: argparse.Namespace) -> int:
    from mmgym.results.export import EpisodeFilter
    from mmgym.results.run_dir import RunDir

    run_dir = RunDir.open(args.run_dir)
    which = EpisodeFilter(args.successful, _group(args.group), _count(args.per_group), args.group_by)
    if args.format in ("sft", "hf"):
        return _chat(args, run_dir, which)
    written = _rows(args, run_dir, which)
    print(f"{written} {'steps' if args.format == 'parquet' else 'episodes'} written to {args.output}")
    return 0


def _rows(args: argparse.Namespace, run_dir: Any, which: Any) -> int:
    from mmgym.results.export import selected_records, step_rows, summary_row, write_parquet

    if args.format == "parquet":
        return write_parquet(
            (row for record in selected_records(run_dir, which) for row in step_rows(record)), args.output
        )
    args.output.parent.mkdir(parents=True, exist_ok=True)
    partial = args.output.with_name(args.output.name + ".partial")
    written = 0
    with partial.open("w") as out:
        for record in selected_records(run_dir, which):
            out.write(json.dumps(summary_row(record), ensure_ascii=False) + "\n")
            written += 1
    os.replace(partial, args.output)
    return written


def _chat(args: argparse.Namespace, run_dir: Any, which: Any) -> int:
    from mmgym.views.training_export import ChatExport, write_hf, write_sft

    export = ChatExport(which, args.unit, args.images, _prompt_settings(args.prompt))
    count = (write_sft if args.format == "sft" else write_hf)(run_dir, export, args.output)
    skipped = f"; {count.skipped_errors} episodes left out: they ended in an error" if count.skipped_errors else ""
    print(f"{count.rows} rows from {count.episodes} episodes written to {args.output}{skipped}")
    return 0


def _prompt_settings(items: list[str]) -> dict[str, Any]:
    settings = {}
    for item in items:
        key, sep, value = item.partition("=")
        if not sep or not key:
            raise ConfigError(f"--prompt must be KEY=VALUE, e.g. output_format=text; got {item!r}")
        settings[key] = yaml.safe_load(value)
    return settings


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
