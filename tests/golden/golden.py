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


def digest(record: dict[str, Any]) -> str:
    return hashlib.sha256(json.dumps(record, sort_keys=True).encode()).hexdigest()[:16]


def sample(name: str) -> bool:
    return bool(SAMPLE_LEVELS.search(name))
