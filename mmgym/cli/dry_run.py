"""`mmgym run ... --dry-run`: for each job, the episodes that would run per group, those already done,
and the model calls and cost to expect. Builds the components (as every run's up-front check does)
but calls no model, plays no episode and writes nothing.
"""

from __future__ import annotations

from hydra import initialize_config_module
from omegaconf import DictConfig
from rich.console import Console
from rich.markup import escape
from rich.table import Table

from mmgym.cli.app import compose_job, sweep_combinations
from mmgym.cli.build import build_components
from mmgym.cli.catalogue import CONFIG_MODULE
from mmgym.cli.paths import job_dir
from mmgym.results.plan import Pricing, RunPlan, plan_run
from mmgym.results.run_dir import RunDir


def dry_run(overrides: list[str], multirun: bool, console: Console | None = None) -> int:
    console = console or Console(width=max(Console().width, 140))
    combos = sweep_combinations(overrides)
    total_calls, total_cost = 0, 0.0
    with initialize_config_module(CONFIG_MODULE, version_base="1.3"):
        for combo in combos:
            cfg = compose_job(combo, with_hydra=True)
            components = build_components(cfg)
            run_dir = job_dir(cfg, multirun)
            plan = plan_run(components.suite, RunDir(run_dir), pricing_of(cfg))
            console.print(plan_table(plan, cfg))
            for line in [f"run directory: {run_dir}", *estimate_lines(plan, cfg)]:
                console.print(escape(line), soft_wrap=True)
            total_calls += plan.max_calls
            total_cost += plan.max_cost_usd
    if len(combos) > 1:
        console.print(f"all {len(combos)} jobs: at most {total_calls:,} model calls, at most ${total_cost:,.2f}")
    console.print("dry run: no model was called, no episode played, nothing written")
    return 0


def pricing_of(cfg: DictConfig) -> Pricing:
    """The agent's model prices (0 when the model config gives none) and reply limit; no model, no calls."""
    model = cfg.agent.get("model") if "agent" in cfg else None
    if not isinstance(model, DictConfig):
        return Pricing(calls_model=False)
    return Pricing(
        calls_model=True,
        price_per_million_input=float(model.get("price_per_million_input", 0.0) or 0.0),
        price_per_million_output=float(model.get("price_per_million_output", 0.0) or 0.0),
        completion_tokens=int(cfg.agent.get("max_tokens", 0) or 0),
        prompt_tokens=int(cfg.budget.estimate_prompt_tokens) if "budget" in cfg else 0,
    )


def plan_table(plan: RunPlan, cfg: DictConfig) -> Table:
    table = Table(
        title=escape(f"dry run: {cfg.suite.name} with {cfg.agent.name}"),
        caption=f"{plan.episodes:,} episodes: {plan.done:,} done, {plan.to_run:,} to run",
    )
    for column in ("grouping", "group", "episodes", "done", "to run"):
        table.add_column(column, justify="left" if column in ("grouping", "group") else "right")
    for count in plan.groups:
        table.add_row(
            escape(count.grouping), escape(count.group), str(count.episodes), str(count.done),
            str(count.episodes - count.done),
        )  # fmt: skip
    return table


def estimate_lines(plan: RunPlan, cfg: DictConfig) -> list[str]:
    """The calls and cost to expect: bounds from the step limits, and an estimate once calls were measured."""
    pricing = plan.pricing
    if not pricing.calls_model:
        return [f"agent {cfg.agent.name} calls no model"]
    priced = pricing.price_per_million_input or pricing.price_per_million_output
    prices = (
        f"${pricing.price_per_million_input:g} in / ${pricing.price_per_million_output:g} out per million tokens"
        if priced
        else "the model config gives no prices (model.price_per_million_input/output): cost counted as $0"
    )
    lines = [
        f"model calls: at most {plan.max_calls:,} (the step limits of {plan.to_run:,} episodes)",
        f"cost: at most ${plan.max_cost_usd:,.2f} at {pricing.prompt_tokens:,} prompt tokens per call "
        f"(assumed: budget.estimate_prompt_tokens) and {pricing.completion_tokens:,} completion tokens "
        f"(agent.max_tokens); {prices}",
    ]
    measured = plan.measured
    if measured is not None:
        lines.append(
            f"measured on the {measured.episodes} episodes done: {measured.calls_per_episode:.1f} calls per episode, "
            f"{measured.prompt_tokens_per_call:,.0f} prompt + {measured.completion_tokens_per_call:,.0f} completion "
            f"tokens per call; expect about {plan.expected_calls:,.0f} calls and ${plan.expected_cost_usd:,.2f}"
        )
    return lines
