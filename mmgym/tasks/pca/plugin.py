"""PCA-Bench's additions to the CLI and the report: `mmgym judge-check` and the table of judge checks."""

from __future__ import annotations

from collections.abc import Sequence

from mmgym.tasks.pca.command import JUDGE_CHECK
from mmgym.tasks.plugins import Benchmark, ReportTable, RunNotes

COLUMNS = ("run", "judge", "cases", "link", "agreement %", "precision %", "recall %", "unscored",
           "flips: choices reordered %", "flips: reasoning padded %", "people's reasons: agreement %",
           "trust")  # fmt: skip


def judge_checks(runs: Sequence[RunNotes]) -> ReportTable | None:
    """Each judged run's check of its judge: agreement, precision and recall per link, how often a verdict
    changes with the choices reordered or the reasoning padded, its agreement on reasons people wrote, and
    whether the link's scores can be trusted (`untrusted` where that agreement is under TRUSTED)."""
    from mmgym.tasks.pca.judge_check import NOTES_KEY, TRUSTED, JudgeFigures  # the judges load only for a report

    rows = []
    for run in runs:
        if not (found := run.notes.get(NOTES_KEY)):
            continue
        check = JudgeFigures.model_validate(found)
        for link, figures in check.links.items():
            cells = (_pct(figures.agreement), _pct(figures.precision), _pct(figures.recall))
            order, length = _pct(check.order_flips), _pct(check.length_flips)
            people = check.people.get(link)
            agreement = _pct(people.agreement) if people else "-"
            trust = "-" if people is None else f"untrusted (< {TRUSTED:.0f}%)" if link in check.untrusted else "ok"
            rows.append((run.label, check.judge, str(check.cases), link, *cells, str(figures.unscored), order, length,
                         agreement, trust))  # fmt: skip
    return ReportTable("judge-checks", "Judge checks", COLUMNS, tuple(rows)) if rows else None


def _pct(value: float | None) -> str:
    return "-" if value is None else f"{value:.1f}"


BENCHMARK = Benchmark(name="pca", commands=(JUDGE_CHECK,), report_sections=(judge_checks,))
