"""The common names: a run's config as flat dotted params, its results as flat metric names.

Every tracker logs the same names, so a run reads the same in MLflow, W&B and TensorBoard:

- `{metric}/{grouping}/{group}`: the group's mean, with `{metric}_ci_low/...` and `{metric}_ci_high/...`
  (the 95% bootstrap interval) and `n/{grouping}/{group}` (its episodes); `accuracy/overall/all` is the headline;
- `{metric}/macro/{grouping}` (and its `_ci_low`, `_ci_high`): the equal-weight mean over a grouping's groups;
- `episodes`, `errors` and `usage/{key}` (model calls, tokens, cost).

Names keep only the characters every tracker accepts (MLflow's are the narrowest); any other becomes `_`.
"""

from __future__ import annotations

import json
import re
from collections.abc import Mapping
from typing import Any

from mmgym.results.summary import RunResults, Summary

UNSAFE = re.compile(r"[^\w\-. /:]")
# Not a setting of the run: which tracker logs it.
SKIPPED_KEYS = frozenset({"tracker"})

Param = str | int | float | bool


def clean_name(name: str) -> str:
    """`name` with every character MLflow refuses in a key replaced by `_`."""
    return UNSAFE.sub("_", name)


def flat_params(config: Mapping[str, Any], prefix: str = "") -> dict[str, Param]:
    """The resolved config as `suite.games`, `agent.name`, ... -> value; lists and null as JSON text."""
    params: dict[str, Param] = {}
    for key, value in config.items():
        if not prefix and key in SKIPPED_KEYS:
            continue
        name = f"{prefix}{key}"
        if isinstance(value, Mapping):
            params |= flat_params(value, f"{name}.")
        elif isinstance(value, str | int | float | bool):
            params[clean_name(name)] = value
        else:
            params[clean_name(name)] = json.dumps(value)
    return params


def metric_values(results: RunResults) -> dict[str, float]:
    """Every declared metric's mean and interval, overall, per group of every grouping, and macro."""
    values: dict[str, float] = {"episodes": float(results.episodes), "errors": float(results.errors)}
    values |= {clean_name(f"usage/{key}"): float(value) for key, value in results.usage.items()}
    for grouping, groups in results.groups.items():
        for group, summaries in groups.items():
            where = f"{grouping}/{group}"
            values |= _summaries(summaries, where)
            first = next(iter(summaries.values()), None)
            if first is not None:
                values[clean_name(f"n/{where}")] = float(first.n)
    for grouping, summaries in results.macro.items():
        values |= _summaries(summaries, f"macro/{grouping}")
    return values


def _summaries(summaries: Mapping[str, Summary], where: str) -> dict[str, float]:
    values = {}
    for metric, summary in summaries.items():
        values[clean_name(f"{metric}/{where}")] = summary.mean
        values[clean_name(f"{metric}_ci_low/{where}")] = summary.low
        values[clean_name(f"{metric}_ci_high/{where}")] = summary.high
    return values
