"""`mmgym judge-check`: measure a judge on labelled cases before its PCA scores are trusted.

mmgym judge-check                                                  # the lexical judge
mmgym judge-check suite/judge=model model@suite.judge.model=gpt4o   # a model judge (any model config)
mmgym judge-check suite/judge=model model@suite.judge.model=hf suite.judge.model.model_path=DIR --items 5 -o check.json
"""

from __future__ import annotations

import argparse
import asyncio
import json
from pathlib import Path

from mmgym.errors import ConfigError, unknown_name
from mmgym.tasks.plugins import Command, Configs

JUDGE_GROUP = "suite/judge"
JUDGE_MODEL = "model@suite.judge.model"


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "overrides",
        nargs="*",
        help=f"{JUDGE_GROUP}=lexical|model, {JUDGE_MODEL}=<model>, suite.judge.model.<key>=...",
    )
    parser.add_argument("--items", type=int, default=10, help="items per domain (default: 10; 5 cases each)")
    parser.add_argument("--domains", nargs="+", default=None, help="default: all three")
    parser.add_argument("-o", "--output", type=Path, help="also write the figures as JSON to this file")


def run(args: argparse.Namespace, configs: Configs) -> int:
    from rich.console import Console

    from mmgym.agents.models.registry import close_all
    from mmgym.tasks.pca.env import frozen
    from mmgym.tasks.pca.env.item import DOMAINS
    from mmgym.tasks.pca.judge_check import check_judge

    if args.items < 1:
        raise ConfigError(f"--items must be at least 1, got {args.items}")
    judge = build_judge(args.overrides, configs)
    domains = args.domains or list(DOMAINS)
    for domain in domains:
        if domain not in DOMAINS:
            raise unknown_name("PCA domain", domain, DOMAINS)
    items = [item for domain in domains for item in frozen.load(domain)[: args.items]]

    async def check():
        try:
            return await check_judge(judge, items)
        finally:
            await close_all()

    figures = asyncio.run(check())
    Console(width=120).print(*_tables(figures))
    if args.output:
        args.output.write_text(json.dumps(figures.model_dump(mode="json"), indent=1) + "\n")
        print(f"figures written to {args.output}")
    return 0


def build_judge(overrides: list[str], configs: Configs):
    """The judge that `suite=pca` with these overrides would use."""
    for override in overrides:
        key, _, value = override.partition("=")
        if key == JUDGE_MODEL and value not in configs.options("model"):
            raise unknown_name("model", value, configs.options("model"))
        if key == JUDGE_GROUP and value not in configs.options(JUDGE_GROUP):
            raise unknown_name("judge", value, configs.options(JUDGE_GROUP))
    cfg = configs.compose(["suite=pca", *overrides])
    return configs.build(cfg.suite.judge, "suite.judge")


def _tables(figures):
    from rich.table import Table

    from mmgym.tasks.pca.judge_check import TRUSTED

    def pct(value: float | None) -> str:
        return "-" if value is None else f"{value:.1f}"

    links = Table(title=f"judge {figures.judge}: {figures.cases} labelled cases from {figures.items} items")
    for column in ("link", "agreement %", "precision %", "recall %", "unscored"):
        links.add_column(column, justify="right" if column != "link" else "left")
    for link, f in figures.links.items():
        links.add_row(link, pct(f.agreement), pct(f.precision), pct(f.recall), str(f.unscored))
    cases = Table(title="agreement with the labels, per case (%)")
    cases.add_column("case")
    for link in figures.links:
        cases.add_column(link, justify="right")
    for kind, by_link in figures.by_case.items():
        cases.add_row(kind, *(pct(v) for v in by_link.values()))
    biases = Table(title="sensitivity (% of verdicts that change)")
    biases.add_column("bias")
    biases.add_column("value", justify="right")
    biases.add_row("choices reordered", pct(figures.order_flips))
    biases.add_row("reasoning padded", pct(figures.length_flips))
    biases.add_row("padding: rise in verdicts 1 (points)", pct(figures.length_positive_shift))
    people = Table(title=f"on {next(iter(figures.people.values())).n} reasons written by people (people_reasons.json)")
    for column in ("link", "agreement %", "precision %", "recall %", "trust"):
        people.add_column(column, justify="right" if column not in ("link", "trust") else "left")
    for link, f in figures.people.items():
        trust = f"untrusted: under {TRUSTED:.0f}%" if link in figures.untrusted else "ok"
        people.add_row(link, pct(f.agreement), pct(f.precision), pct(f.recall), trust)
    return links, cases, biases, people


JUDGE_CHECK = Command(
    name="judge-check",
    help="measure a judge on labelled reasoning cases (agreement, biases)",
    add_arguments=add_arguments,
    run=run,
)
