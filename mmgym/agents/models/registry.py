"""One backend per distinct model config, shared by every episode of the process.

Agents are built once per episode, but a model (an HTTP client with its connection pool and
concurrency limit, or weights on a GPU with a batching queue) must be built once and shared, so
that its limits and batches span all episodes.
"""

from __future__ import annotations

import json
from typing import Any

from mmgym.agents.models.base import ModelBackend
from mmgym.construct import factory_from_dict

_backends: dict[str, ModelBackend] = {}


def shared_backend(config: dict[str, Any]) -> ModelBackend:
    """The backend for `config` (a `_target_` plus arguments), built on first use."""
    key = json.dumps(config, sort_keys=True, default=str)
    if key not in _backends:
        _backends[key] = factory_from_dict(config, "model")()
    return _backends[key]


async def close_all() -> None:
    """Close every shared backend (end of a run); the next use builds them anew."""
    backends = list(_backends.values())
    _backends.clear()
    for backend in backends:
        await backend.close()
