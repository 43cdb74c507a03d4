"""`mmgym report`: one self-contained HTML report over several runs, opened straight from disk.

The page holds the leaderboard, every metric by group, the plots and a small index of every episode; each episode's
details (steps, model input and output) live in their own script file, loaded when the episode
is opened, and its video is a file beside them. So the page stays light with 10,000 episodes,
and it needs no server: script files load from `file://` where `fetch` would be refused.

Nothing from a run reaches the page as markup. Server-side text goes through Jinja2's
autoescaping; data for the browser is JSON with `<`, `>` and `&` escaped, and the page's script
puts it on screen with `textContent` only.
"""

from __future__ import annotations

import itertools
import json
import os
import shutil
from dataclasses import dataclass
from importlib import resources
from pathlib import Path
from typing import Any

import yaml

from mmgym.core.records import EpisodeRecord, VideoRecord
from mmgym.errors import MmgymError
from mmgym.results.run_dir import RunDir
from mmgym.results.summary import RunResults, Summary
from mmgym.tasks.plugins import ReportTable, RunNotes, report_tables
from mmgym.views.plots import Bar, grouped_bars
from mmgym.views.progress import progress
from mmgym.views.report_folder import check_replaceable, fresh_folder

ASSETS = "mmgym.views.report_assets"


@dataclass
class Run:
    label: str
    path: Path
    results: RunResults
    config: dict[str, Any]


def breakdowns(runs: list[Run]) -> list[str]:
    """The runs' groupings worth a filter and a plot: all but `overall` and crossed ones (`a/b`), in declared order."""
    names = dict.fromkeys(g for run in runs for g in run.results.groups)
    return [name for name in names if name != "overall" and "/" not in name]


def load_runs(run_dirs: list[Path]) -> list[Run]:
    """Each run's results and config, labelled by agent (and model) and made unique by directory name."""
    runs = []
    for path in run_dirs:
        run_dir = RunDir(path)
        results = run_dir.results()
        config = run_dir.config()
        agent = str((config.get("agent") or {}).get("name") or path.name)
        runs.append(Run(agent, path, results, config))
    labels = [run.label for run in runs]
    for run in runs:
        if labels.count(run.label) > 1:
            run.label = f"{run.label} ({run.path.name})"
    return runs


def leaderboard(runs: list[Run]) -> dict[str, Any]:
    """Rows of runs; columns: overall per metric, the macro means, then the first metric per group of the
    first breakdown (a suite's settings or subsets), each with its CI."""
    first_breakdown = next(iter(breakdowns(runs)), None)
    groups = sorted({g for run in runs for g in run.results.groups.get(first_breakdown or "", {})})
    metrics = list(dict.fromkeys(m for run in runs for m in run.results.metric_names))
    macro = list(dict.fromkeys(name for run in runs for name in run.results.macro))
    rows = []
    for run in runs:
        overall = run.results.overall()
        first = run.results.metric_names[0]
        by_group = run.results.groups.get(first_breakdown or "", {})
        rows.append(
            {
                "label": run.label,
                "suite": run.results.suite,
                "episodes": run.results.episodes,
                "stopped": run.results.stopped,  # a budget left episodes unplayed
                "errors": run.results.errors,
                "overall": [_cell(overall.get(m)) for m in metrics],
                "macro": [_cell(run.results.macro.get(name, {}).get(first)) for name in macro],
                "groups": [_cell(by_group.get(g, {}).get(first)) for g in groups],
                "usage": model_usage(run.results.usage),
            }
        )
    with_model = any(row["usage"]["model calls"] != "0" for row in rows)
    return {
        "metrics": metrics,
        "macro": macro,
        "breakdown": first_breakdown,
        "groups": groups,
        "rows": rows,
        "usage": USAGE_COLUMNS if with_model else [],
    }


def failure_banners(runs: list[Run]) -> list[dict[str, Any]]:
    """One banner per run with failed episodes: its scores count those as failures, and a rerun retries them."""
    return [
        {
            "run": run.label,
            "line": run.results.error_line(),
            "where": {name: counts for name, counts in run.results.group_errors.items() if name != "overall"},
        }
        for run in runs
        if run.results.errors
    ]


def breakdown_tables(runs: list[Run]) -> list[dict[str, Any]]:
    """Every metric of each run by each breakdown, with CIs: a table per run and breakdown (groups as rows).

    The leaderboard shows the first metric per group; a suite with several links or measures per
    group (a decision's perception, cognition and action per domain) shows them all here.
    """
    tables = []
    for run in runs:
        metrics = run.results.metric_names
        for name in breakdowns([run]):
            groups = run.results.groups.get(name, {})
            rows = [{"group": g, "cells": [_cell(groups[g].get(m)) for m in metrics]} for g in sorted(groups)]
            tables.append({"run": run.label, "breakdown": name, "metrics": metrics, "rows": rows})
    return tables


def comparisons(runs: list[Run]) -> list[dict[str, Any]]:
    """Paired comparisons of every two runs of the same suite (`mmgym compare`), on their first metric:
    overall and per group of the first breakdown, with the difference's interval, p-value and record.

    Pairs follow the order the runs were given, as `mmgym compare A B` does: the later argument minus the
    earlier, whichever run is older."""
    from mmgym.results.compare import compare_runs

    rows = []
    for a, b in itertools.combinations(runs, 2):
        if a.results.suite != b.results.suite:
            continue
        try:
            comparison = compare_runs(a.path, b.path)
        except MmgymError:  # the same suite, but no episode in common: nothing to pair
            continue
        metric = a.results.metric_names[0]
        first = next(iter(breakdowns([a])), None)
        for s in comparison.stats:
            if s.metric == metric and s.grouping in ("overall", first):
                rows.append(
                    {
                        "pair": f"{b.label} minus {a.label}",
                        "metric": metric,
                        "group": s.group if s.grouping == "overall" else f"{s.grouping}: {s.group}",
                        "n": s.n,
                        "difference": f"{s.difference:+.1f}",
                        "ci": f"[{s.low:+.1f}, {s.high:+.1f}]",
                        "p": f"{s.p_value:.3g}" if s.p_value >= 0.001 else "<0.001",
                        "record": f"{s.wins} / {s.losses} / {s.ties}",
                        "unpaired": len(comparison.only_a) + len(comparison.only_b),
                    }
                )
    return rows


def plugin_tables(runs: list[Run]) -> list[ReportTable]:
    """The benchmarks' own tables (a judged suite's check of its judge), from what their suites noted."""
    return report_tables([RunNotes(run.label, run.results.notes) for run in runs])


USAGE_COLUMNS = ("model calls", "unparsed", "tokens in / out", "cost $")


def model_usage(usage: dict[str, float]) -> dict[str, str]:
    """A run's model usage totals as leaderboard cells (shown when some run called a model)."""
    tokens_in, tokens_out = int(usage.get("prompt_tokens", 0)), int(usage.get("completion_tokens", 0))
    return {
        "model calls": f"{int(usage.get('model_calls', 0))}",
        "unparsed": f"{int(usage.get('parse_failures', 0))}",
        "tokens in / out": f"{tokens_in:,} / {tokens_out:,}",
        "cost $": f"{usage.get('cost_usd', 0.0):.2f}",
    }


def _cell(stat: Summary | None) -> dict[str, str]:
    if stat is None:
        return {"mean": "-", "ci": ""}
    return {"mean": f"{stat.mean:.1f}", "ci": f"[{stat.low:.1f}, {stat.high:.1f}]"}


def plots(runs: list[Run]) -> list[str]:
    """SVG bar charts of each run's first metric by each breakdown, with CI error bars, on the metric's scale."""
    svgs = []
    for grouping in breakdowns(runs):
        series: dict[str, dict[str, Bar]] = {}
        for run in runs:
            metric = run.results.metric_names[0]
            series[run.label] = {
                group: Bar(s[metric].mean, s[metric].low, s[metric].high, s[metric].n)
                for group, s in run.results.groups.get(grouping, {}).items()
                if metric in s
            }
        groups = sorted({g for bars in series.values() for g in bars})
        if groups:
            metric_names = sorted({run.results.metric_names[0] for run in runs})
            scale = runs[0].results.metrics[0].scale
            svgs.append(grouped_bars(f"{' / '.join(metric_names)} by {grouping}", groups, series, scale))
    return svgs


def episode_summary(
    number: int, run_index: int, record: EpisodeRecord, first_metric: str, filters: list[str]
) -> list[Any]:
    """One row of the episode index (see index_columns)."""
    metric = record.metrics.get(first_metric)
    return [
        number,
        run_index,
        record.spec.task,
        *(record.groups.get(name, "") for name in filters),
        bool(record.success),
        record.status,
        len(record.steps),
        None if metric is None else round(metric, 2),
        record.video is not None,
    ]


def index_columns(filters: list[str]) -> list[str]:
    return ["n", "run", "task", *filters, "success", "status", "steps", "metric", "video"]


def episode_detail(
    record: EpisodeRecord, run: Run, video_src: str | None, render_src: str | None = None
) -> dict[str, Any]:
    """Everything the browser shows for one opened episode."""
    return {
        "id": record.id,
        "run": run.label,
        "task": record.spec.task,
        "groups": record.groups,
        "seed": record.spec.seed,
        "instruction": record.instruction,
        "initial_text": record.initial_text,
        "success": record.success,
        "status": record.status,
        "error": record.error,
        "stop_reason": record.stop_reason,
        "metrics": record.metrics,
        "usage": record.usage,
        "video": None if not (record.video and video_src) else {**record.video.model_dump(), "src": video_src},
        "render_video": None
        if not (record.render_video and render_src)
        else {**record.render_video.model_dump(), "src": render_src},
        "steps": [step.model_dump() for step in record.steps],
        "turns": [turn.model_dump() for turn in record.turns],
    }


def script_json(value: Any) -> str:
    """JSON safe inside a script: no `</script>`, no HTML entities, no JS line terminators."""
    text = json.dumps(value, ensure_ascii=False, default=str)
    for char, escaped in (
        ("<", "\\u003c"),
        (">", "\\u003e"),
        ("&", "\\u0026"),
        ("\u2028", "\\u2028"),
        ("\u2029", "\\u2029"),
    ):
        text = text.replace(char, escaped)
    return text


def write_report(run_dirs: list[Path], output: Path) -> Path:
    """Write `output/index.html` with its data and videos into a fresh folder (`report_folder`); returns `output`.

    The runs are read before the folder is touched, so a run that cannot be read leaves an earlier report whole.
    """
    check_replaceable(output)
    runs = load_runs([Path(p) for p in run_dirs])
    filters = breakdowns(runs)
    records = [(i, run, r) for i, run in enumerate(runs) for r in RunDir(run.path).records()]
    with fresh_folder(output) as folder:
        _write_page(runs, filters, records, folder)
    return output


def _write_page(
    runs: list[Run], filters: list[str], records: list[tuple[int, Run, EpisodeRecord]], folder: Path
) -> None:
    from jinja2 import Environment, select_autoescape
    from markupsafe import Markup

    (folder / "data" / "episodes").mkdir(parents=True, exist_ok=True)
    rows: list[list[Any]] = []
    with progress("report: episodes", len(records)) as advance:
        for number, (run_index, run, record) in enumerate(records):
            video_src = _place_video(run, run_index, record.video, folder)
            render_src = _place_video(run, run_index, record.render_video, folder)
            rows.append(episode_summary(number, run_index, record, run.results.metric_names[0], filters))
            detail = script_json(episode_detail(record, run, video_src, render_src))
            (folder / "data" / "episodes" / f"{number}.js").write_text(f"mmgymEpisode({number}, {detail});\n")
            advance()
    index = {"columns": index_columns(filters), "filters": filters, "rows": rows, "runs": [run.label for run in runs]}
    (folder / "data" / "index.js").write_text(f"window.MMGYM_INDEX = {script_json(index)};\n")

    assets = resources.files(ASSETS)
    env = Environment(autoescape=select_autoescape(default=True, default_for_string=True))
    template = env.from_string(assets.joinpath("report.html.j2").read_text())
    page = template.render(
        runs=runs,
        configs=[yaml.safe_dump(run.config, sort_keys=False) for run in runs],
        board=leaderboard(runs),
        breakdown_tables=breakdown_tables(runs),
        plugin_tables=plugin_tables(runs),
        failures=failure_banners(runs),
        comparisons=comparisons(runs),
        plots=[Markup(svg) for svg in plots(runs)],  # built with every label escaped (plots.py)
        style=Markup(assets.joinpath("report.css").read_text()),
        script=Markup(assets.joinpath("report.js").read_text()),
        episodes=len(rows),
        filters=filters,
    )
    (folder / "index.html").write_text(page)


def _place_video(run: Run, run_index: int, video: VideoRecord | None, output: Path) -> str | None:
    """Link (or copy) a video of the run into the report; its path relative to index.html."""
    source = RunDir(run.path).video_path(video)
    if source is None or not source.exists():
        return None
    relative = Path("videos") / str(run_index) / Path(video.path).name
    target = output / relative
    target.parent.mkdir(parents=True, exist_ok=True)
    if not target.exists():
        try:
            os.link(source, target)
        except OSError:  # another file system: copy
            shutil.copyfile(source, target)
    return relative.as_posix()
