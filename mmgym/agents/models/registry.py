"""One backend per distinct model config, shared by every episode of the process.

Agents are built once per episode, but a model (an HTTP client with its connection pool and
concurrency limit, or weights on a GPU with a batching queue) must be built once and shared, so
that its limits and batches span all episodes.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any

from mmgym.agents.models.base import ModelBackend
from mmgym.construct import factory_from_dict

BackendBuilder = Callable[[dict[str, Any]], ModelBackend]

_backends: dict[str, ModelBackend] = {}


def build_here(config: dict[str, Any]) -> ModelBackend:
    """Build the backend in this process."""
    return factory_from_dict(config, "model")()


_builder: BackendBuilder = build_here


def shared_backend(config: dict[str, Any]) -> ModelBackend:
    """The backend for `config` (a `_target_` plus arguments), built on first use by the current builder."""
    key = json.dumps(config, sort_keys=True, default=str)
    if key not in _backends:
        _backends[key] = _builder(config)
    return _backends[key]


@contextmanager
def built_by(builder: BackendBuilder) -> Iterator[None]:
    """Within the block, backends are built by `builder` (a runner may host them elsewhere, e.g. in a Ray actor)."""
    global _builder
    previous, _builder = _builder, builder
    try:
        yield
    finally:
        _builder = previous


async def close_all() -> None:
    """Close every shared backend (end of a run); the next use builds them anew."""
    backends = list(_backends.values())
    _backends.clear()
    for backend in backends:
        await backend.close()
