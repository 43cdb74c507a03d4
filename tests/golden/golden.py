"""The golden ING-VP run's normalization, shared by its generator and its test."""

from __future__ import annotations

import hashlib
import json
import re
from pathlib import Path
from typing import Any

GOLDEN_DIR = Path(__file__).resolve().parent
TIMINGS = ("started_at", "duration_s")
SAMPLE_LEVELS = re.compile(r"/00[01]/s\d+$")  # the first two levels of each game and setting


def normalize(record: dict[str, Any]) -> dict[str, Any]:
    """A record without its timings, named by its id without the spec hash (which changes with the spec's form)."""
    record = {k: v for k, v in record.items() if k not in TIMINGS}
    record["name"] = record.pop("id").rsplit("-", 1)[0]
    return record


EXPERT_REASONING = re.compile(r"^expert plan of (\d+) actions$")


def legacy(record: dict[str, Any]) -> dict[str, Any]:
    """A record of the generic core in the golden run's (ING-VP-shaped) form: the renames, undone.

    - spec: ING-VP's setting moved from `spec.setting` into `metadata` and `rules`; the task name
      gained the setting (so the readable id is unchanged); `max_steps` moved into `rules`;
    - steps: the solver's `state_changed` and `optimal_remaining` moved into the declared `data`;
    - record: `optimal_length` / `optimal_remaining` are the declared data at reset / at the end;
      `progress` and `groups` are new;
    - the oracle became the generic expert agent, its reasoning "expert plan of N actions".
    """
    record = dict(record)
    spec = dict(record["spec"])
    mode, modality, *history = spec["metadata"]["setting"].split("-")
    spec["setting"] = {"mode": mode, "modality": modality, "history": history == ["history"]}
    spec["max_steps"] = spec["rules"]["max_steps"]
    spec["task"] = spec["task"].split("/", 1)[1]
    for key in ("rules", "target", "metadata", "step_data"):
        spec.pop(key)
    record["spec"] = spec
    steps = []
    for step in record["steps"]:
        step = dict(step)
        data = step.pop("data")
        step["state_changed"] = bool(data.get("state_changed"))
        step["optimal_remaining"] = data.get("optimal_remaining")
        match = EXPERT_REASONING.match(step["reasoning"])
        if match:
            step["reasoning"] = f"optimal plan of {match[1]} moves"
        steps.append(step)
    record["steps"] = steps
    initial = record.pop("initial_data")
    record["optimal_length"] = initial.get("optimal_length", 0)
    record["optimal_remaining"] = (steps[-1] if steps else initial).get("optimal_remaining")
    for key in ("progress", "groups"):
        record.pop(key)
    return record


def digest(record: dict[str, Any]) -> str:
    return hashlib.sha256(json.dumps(record, sort_keys=True).encode()).hexdigest()[:16]


def sample(name: str) -> bool:
    return bool(SAMPLE_LEVELS.search(name))
