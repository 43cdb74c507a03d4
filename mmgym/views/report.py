"""`mmgym report`: one self-contained HTML report over several runs, opened straight from disk.

The page holds the leaderboard, every metric by group, the plots, the suites' calibrations when given
(their floor and ceiling as reference rows, optionally normalised scores, a plot of the score against
the noisy expert's p) and a small index of every episode; each episode's details (steps, model input
and output) live in their own script file, loaded when the episode is opened, and its video is a file
beside them. So the page stays light with 10,000 episodes, and it needs no server: script files load
from `file://` where `fetch` would be refused.

Nothing from a run reaches the page as markup. Server-side text goes through Jinja2's
autoescaping; data for the browser is JSON with `<`, `>` and `&` escaped, and the page's script
puts it on screen with `textContent` only.
"""

from __future__ import annotations

import itertools
import json
import os
import shutil
from collections.abc import Sequence
from dataclasses import dataclass
from importlib import resources
from pathlib import Path
from typing import Any

import yaml

from mmgym.core.records import EpisodeRecord, VideoRecord
from mmgym.errors import ConfigError, MmgymError
from mmgym.results.calibration import FILE as CALIBRATION_FILE
from mmgym.results.calibration import Band, Calibration, GroupCalibration, format_epsilon
from mmgym.results.calibration import load as load_calibration
from mmgym.results.run_dir import RunDir
from mmgym.results.summary import RunResults, Summary
from mmgym.tasks.plugins import ReportTable, RunNotes, report_tables
from mmgym.views.plots import Bar, grouped_bars, score_lines
from mmgym.views.progress import progress
from mmgym.views.report_folder import check_replaceable, fresh_folder
from mmgym.views.table import TIME_COLUMNS, person_time, played_by_person

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


@dataclass(frozen=True)
class SuiteCalibration:
    """A suite's calibration (`mmgym calibrate`) and the file it was read from, which the page names."""

    source: Path
    figures: Calibration


def load_calibrations(paths: list[Path]) -> list[SuiteCalibration]:
    """Each calibration folder or `calibration.json`, read before the report is written; one per suite."""
    loaded: dict[str, SuiteCalibration] = {}
    for path in paths:
        figures = load_calibration(path)
        source = path / CALIBRATION_FILE if path.is_dir() else path
        if figures.suite in loaded:
            raise ConfigError(
                f"--calibration {loaded[figures.suite].source} and {source} both calibrate suite "
                f"{figures.suite!r}; pass one"
            )
        loaded[figures.suite] = SuiteCalibration(source, figures)
    return list(loaded.values())


@dataclass(frozen=True)
class Columns:
    """The leaderboard's score columns: overall per metric, the macro means, then the first metric per group."""

    metrics: list[str]
    macro: list[str]
    breakdown: str | None
    groups: list[str]


def leaderboard(
    runs: list[Run], calibrations: Sequence[SuiteCalibration] = (), normalized: bool = False
) -> dict[str, Any]:
    """Rows of runs; columns: overall per metric, the macro means, then the first metric per group of the
    first breakdown (a suite's settings or subsets), each with its CI.

    A calibrated suite's runs are followed by its floor and ceiling (and a decision suite's chance level)
    as reference rows; `normalized` shows the calibrated metric between floor (0) and ceiling (100)."""
    first_breakdown = next(iter(breakdowns(runs)), None)
    columns = Columns(
        metrics=list(dict.fromkeys(m for run in runs for m in run.results.metric_names)),
        macro=list(dict.fromkeys(name for run in runs for name in run.results.macro)),
        breakdown=first_breakdown,
        groups=sorted({g for run in runs for g in run.results.groups.get(first_breakdown or "", {})}),
    )
    by_suite = {c.figures.suite: c.figures for c in calibrations}
    last_of_suite = {run.results.suite: index for index, run in enumerate(runs)}
    rows = []
    for index, run in enumerate(runs):
        calibration = by_suite.get(run.results.suite)
        rows.append(run_row(index, run, columns, calibration, normalized))
        if calibration is not None and last_of_suite[run.results.suite] == index:
            same_suite = [r for r in runs if r.results.suite == run.results.suite]
            rows.extend(reference_rows(calibration, same_suite[0].results.metric_names[0], columns, normalized))
    columns_used = usage_columns([row for row in rows if not row["reference"]])
    return {
        "metrics": columns.metrics,
        "macro": columns.macro,
        "breakdown": first_breakdown,
        "groups": columns.groups,
        "rows": rows,
        "usage": list(columns_used),
        "usage_title": usage_title(columns_used),
        "raw_cells": any(cell.get("raw") for row in rows for cell in row["overall"] + row["macro"] + row["groups"]),
    }


def run_row(
    index: int, run: Run, columns: Columns, calibration: Calibration | None, normalized: bool
) -> dict[str, Any]:
    """A run's leaderboard row; with `normalized`, its calibrated metric's cells placed between floor and ceiling."""
    overall = run.results.overall()
    first = run.results.metric_names[0]
    target = calibration.metric if calibration is not None else first  # the metric a calibration would place
    by_group = run.results.groups.get(columns.breakdown or "", {})

    def score(stat: Summary | None, metric: str, grouping: str, group: str) -> dict[str, Any]:
        if not normalized or metric != target:
            return _cell(stat)
        return _normalised_cell(stat, calibration, grouping, group)

    return {
        "run_index": index,
        "reference": False,
        "label": run.label,
        "suite": run.results.suite,
        "episodes": run.results.episodes,
        "stopped": run.results.stopped,  # a budget left episodes unplayed
        "errors": run.results.errors,
        "overall": [score(overall.get(m), m, "overall", "all") for m in columns.metrics],
        "macro": [_raw_if(normalized, _cell(run.results.macro.get(name, {}).get(first))) for name in columns.macro],
        "groups": [score(by_group.get(g, {}).get(first), first, columns.breakdown or "", g) for g in columns.groups],
        "usage": run_usage(run),
    }


REFERENCES = (("floor (random agent)", "floor"), ("ceiling (expert)", "ceiling"))
BLANK = {"mean": "", "ci": ""}


def reference_rows(
    calibration: Calibration, first_metric: str, columns: Columns, normalized: bool
) -> list[dict[str, Any]]:
    """The suite's floor and ceiling as rows of raw scores, in the calibrated metric's cells only: overall
    and, when it is the metric the group columns show, per group (macro means left blank).
    A single-decision suite's chance level computed from its items follows, when the calibration has it."""
    per_group = calibration.metric == first_metric  # the group columns show the suite's first metric
    grouping = columns.breakdown or ""
    rows = []
    for label, side in REFERENCES:
        overall = _reference_band(calibration, side, "overall", "all")
        groups = [
            _cell(_reference_band(calibration, side, grouping, g)) if per_group else BLANK for g in columns.groups
        ]
        episodes = "" if overall is None else str(overall.n)
        rows.append(_reference_row(label, calibration, columns, normalized, _cell(overall), groups, episodes))
    chance = _chance_overall(calibration)
    if chance is not None:
        by_group = (calibration.chance_level or {}).get(f"by_{grouping}") if per_group else None
        by_group = by_group if isinstance(by_group, dict) else {}
        groups = [_value_cell(by_group.get(g)) if per_group else BLANK for g in columns.groups]
        label = "chance (from the items)"
        rows.append(_reference_row(label, calibration, columns, normalized, _value_cell(chance), groups, ""))
    return rows


def _reference_band(calibration: Calibration, side: str, grouping: str, group: str) -> Band | None:
    """A group's floor or ceiling (`side`), None when the calibration has no figures for it."""
    figures = calibration.groups.get(grouping, {}).get(group)
    return None if figures is None else getattr(figures, side)


def _reference_row(
    label: str,
    calibration: Calibration,
    columns: Columns,
    normalized: bool,
    overall: dict[str, Any],
    groups: list[dict[str, Any]],
    episodes: str,
) -> dict[str, Any]:
    """A reference row: cells for the calibrated metric only, the rest blank; raw scores, marked as such
    when the leaderboard is normalised."""
    return {
        "run_index": None,
        "reference": True,
        "label": label,
        "suite": calibration.suite,
        "episodes": episodes,
        "stopped": None,
        "errors": "",
        "overall": [_raw_if(normalized, overall) if m == calibration.metric else BLANK for m in columns.metrics],
        "macro": [BLANK for _ in columns.macro],
        "groups": [_raw_if(normalized, cell) for cell in groups],
        "usage": dict.fromkeys(USAGE_COLUMNS + TIME_COLUMNS, ""),
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


def usage_columns(rows: list[dict[str, Any]]) -> tuple[str, ...]:
    """The usage columns the runs need: model usage when a run called a model, time when a person played."""
    with_model = any(row["usage"]["model calls"] not in ("0", "") for row in rows)
    with_person = any(row["usage"]["answers"] for row in rows)
    return (USAGE_COLUMNS if with_model else ()) + (TIME_COLUMNS if with_person else ())


def usage_title(columns: tuple[str, ...]) -> str:
    """The usage columns' heading: what the runs spent."""
    if set(columns) <= set(TIME_COLUMNS):
        return "time (played by a person)"
    return "model usage" if set(columns) <= set(USAGE_COLUMNS) else "model usage / a person's time"


def run_usage(run: Run) -> dict[str, str]:
    """A run's usage cells: a person's answers and time (`mmgym play`), else its model's calls, tokens and cost."""
    agent = str((run.config.get("agent") or {}).get("name") or "")
    if played_by_person(run.results.usage) or agent.startswith("human-"):
        return dict.fromkeys(USAGE_COLUMNS, "") | person_time(run.results.usage)
    return model_usage(run.results.usage) | dict.fromkeys(TIME_COLUMNS, "")


def model_usage(usage: dict[str, float]) -> dict[str, str]:
    """A run's model usage totals as leaderboard cells (shown when some run called a model)."""
    tokens_in, tokens_out = int(usage.get("prompt_tokens", 0)), int(usage.get("completion_tokens", 0))
    return {
        "model calls": f"{int(usage.get('model_calls', 0))}",
        "unparsed": f"{int(usage.get('parse_failures', 0))}",
        "tokens in / out": f"{tokens_in:,} / {tokens_out:,}",
        "cost $": f"{usage.get('cost_usd', 0.0):.2f}",
    }


def _cell(stat: Summary | Band | None) -> dict[str, Any]:
    if stat is None:
        return {"mean": "-", "ci": ""}
    return {"mean": f"{stat.mean:.1f}", "ci": f"[{stat.low:.1f}, {stat.high:.1f}]"}


def _value_cell(value: Any) -> dict[str, Any]:
    """A figure without an interval (a chance level)."""
    return {"mean": f"{value:.1f}", "ci": ""} if isinstance(value, int | float) else {"mean": "-", "ci": ""}


def _raw_if(marked: bool, cell: dict[str, Any]) -> dict[str, Any]:
    """The cell marked as a raw score, in a leaderboard whose calibrated cells are normalised."""
    return {**cell, "raw": True} if marked and cell["mean"] not in ("-", "") else cell


def _normalised_cell(
    stat: Summary | None, calibration: Calibration | None, grouping: str, group: str
) -> dict[str, Any]:
    """The score and its CI bounds at 100 x (score - floor) / (ceiling - floor) of the group's own floor and
    ceiling; the raw score, marked, where the group has no figures or its floor equals its ceiling."""
    if stat is None:
        return _cell(None)
    points = [
        None if calibration is None else calibration.normalised(v, grouping, group)
        for v in (stat.mean, stat.low, stat.high)
    ]
    if calibration is None or any(p is None for p in points):
        return _raw_if(True, _cell(stat))
    mean, low, high = (float(p) for p in points if p is not None)
    low, high = sorted((low, high))  # a ceiling below its floor turns the interval round
    return {"mean": f"{mean:.1f}", "ci": f"[{low:.1f}, {high:.1f}]"}


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


def calibration_sections(calibrations: Sequence[SuiteCalibration], runs: list[Run]) -> list[dict[str, Any]]:
    """Per calibration, per grouping (overall first, then each breakdown): a plot of the score against p
    with floor and ceiling, and a table of the figures behind it."""
    sections = []
    for calibration in calibrations:
        figures = calibration.figures
        of_suite = [run for run in runs if run.results.suite == figures.suite]
        scale = next(
            (m.scale for run in of_suite for m in run.results.metrics if m.name == figures.metric), (0.0, 100.0)
        )
        sections.append(
            {
                "suite": figures.suite,
                "metric": figures.metric,
                "source": str(calibration.source),
                "in_report": bool(of_suite),
                "chance": _chance_overall(figures),
                "epsilons": [format_epsilon(e) for e in figures.epsilons],
                "groupings": [_calibration_grouping(figures, name, scale) for name in _calibration_groupings(figures)],
            }
        )
    return sections


def _calibration_groupings(figures: Calibration) -> list[str]:
    """`overall`, then the other groupings in their order, leaving out crossed ones (`a/b`) as the report does."""
    others = [name for name in figures.groups if name != "overall" and "/" not in name]
    return (["overall"] if "overall" in figures.groups else []) + others


def _chance_overall(figures: Calibration) -> float | None:
    chance = figures.chance_level
    value = chance.get("overall") if isinstance(chance, dict) else None
    return float(value) if isinstance(value, int | float) else None


def calibration_plot(figures: Calibration, grouping: str = "overall", scale: tuple[float, float] = (0.0, 100.0)) -> str:
    """One grouping's plot of the score against p as a standalone SVG file, styled as in the report (the docs
    keep each suite's)."""
    svg = _calibration_grouping(figures, grouping, scale)["svg"]
    css = resources.files(ASSETS).joinpath("report.css").read_text()
    rules = "\n".join(line for line in css.splitlines() if line.startswith(".plot "))
    head, rest = svg.split(">", 1)
    return f"{head}><style>{rules}</style>{rest}"


def _calibration_grouping(figures: Calibration, grouping: str, scale: tuple[float, float]) -> dict[str, Any]:
    """One grouping's plot (with the overall floor, ceiling and chance level as reference lines) and table."""
    groups = figures.groups[grouping]
    series = {group: _points(figures.epsilons, g) for group, g in groups.items()}
    references = _overall_references(figures) if grouping == "overall" else {}
    title = f"{figures.suite}: {figures.metric} against p" + ("" if grouping == "overall" else f", by {grouping}")
    rows = [
        {
            "group": group,
            "floor": _cell(g.floor),
            "ceiling": _cell(g.ceiling),
            "by_epsilon": [_cell(g.by_epsilon.get(format_epsilon(e))) for e in figures.epsilons],
            "monotone": "yes" if g.monotone else "NO",
            "resolution": "-" if g.resolution is None else f"{g.resolution:g}",
        }
        for group, g in groups.items()
    ]
    return {"name": grouping, "svg": score_lines(title, series, references, scale), "rows": rows}


def _overall_references(figures: Calibration) -> dict[str, float]:
    """The overall floor, ceiling and chance level, drawn as dashed lines across the overall plot."""
    overall = figures.overall()
    bands = {} if overall is None else {"floor (random)": overall.floor, "ceiling (expert)": overall.ceiling}
    references = {label: band.mean for label, band in bands.items() if band is not None}
    chance = _chance_overall(figures)
    return references if chance is None else {**references, "chance (items)": chance}


def _points(epsilons: list[float], figures: GroupCalibration) -> dict[float, Bar]:
    """A group's scores by p, leaving out any p it has no score at."""
    bands = {e: figures.by_epsilon.get(format_epsilon(e)) for e in epsilons}
    return {e: Bar(b.mean, b.low, b.high, b.n) for e, b in bands.items() if b is not None}


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


def write_report(
    run_dirs: list[Path],
    output: Path,
    calibrations: Sequence[SuiteCalibration] = (),
    normalized: bool = False,
) -> Path:
    """Write `output/index.html` with its data and videos into a fresh folder (`report_folder`); returns `output`.

    The runs are read before the folder is touched, so a run that cannot be read leaves an earlier report whole.
    `calibrations` add their suites' reference rows and plots; `normalized` places scores between their floor
    and ceiling, so it needs one.
    """
    if normalized and not calibrations:
        raise ConfigError(
            "--normalized needs a floor and a ceiling: pass --calibration DIR, a folder written by "
            "mmgym calibrate suite=<name> -o DIR"
        )
    check_replaceable(output)
    runs = load_runs([Path(p) for p in run_dirs])
    filters = breakdowns(runs)
    records = [(i, run, r) for i, run in enumerate(runs) for r in RunDir(run.path).records()]
    with fresh_folder(output) as folder:
        _write_page(runs, filters, records, folder, Calibrated(list(calibrations), normalized))
    return output


@dataclass(frozen=True)
class Calibrated:
    """The calibrations a report was given and whether its leaderboard is normalised by them."""

    calibrations: list[SuiteCalibration]
    normalized: bool


def _write_page(
    runs: list[Run],
    filters: list[str],
    records: list[tuple[int, Run, EpisodeRecord]],
    folder: Path,
    calibrated: Calibrated,
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
    calibration = calibration_sections(calibrated.calibrations, runs)
    for section in calibration:
        for grouping in section["groupings"]:
            grouping["svg"] = Markup(grouping["svg"])  # built with every label escaped (plots.py)
    page = template.render(
        runs=runs,
        configs=[yaml.safe_dump(run.config, sort_keys=False) for run in runs],
        board=leaderboard(runs, calibrated.calibrations, calibrated.normalized),
        normalized=calibrated.normalized,
        calibration=calibration,
        breakdown_tables=breakdown_tables(runs),
        plugin_tables=plugin_tables(runs),
        failures=failure_banners(runs),
        comparisons=comparisons(runs),
        plots=[Markup(svg) for svg in plots(runs)],  # built with every label escaped (plots.py)
        style=Markup(assets.joinpath("report.css").read_text()),
        script=Markup(assets.joinpath("episode.js").read_text() + "\n" + assets.joinpath("report.js").read_text()),
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
