"""One backend per distinct model config, shared by every episode of a run.

Agents are built once per episode, but a model (an HTTP client with its connection pool and
concurrency limit, or weights on a GPU with a batching queue) must be built once and shared, so
that its limits and batches span all episodes.

A `BackendRegistry` holds the shared backends and the builder that makes them. The process has
one that builds each backend here; a runner that places backends elsewhere (the Ray runner puts
those holding weights in actors) makes a registry of its own and puts it in effect for its run
(`BackendRegistry.in_effect`). Which registry is in effect is a context variable, so it follows
the run's asyncio tasks (the agents built in them, the judges that score their episodes) and no
other run, thread or task sees it.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from typing import Any

from mmgym.agents.models.base import ModelBackend
from mmgym.construct import factory_from_dict

BackendBuilder = Callable[[dict[str, Any]], ModelBackend]


def build_here(config: dict[str, Any]) -> ModelBackend:
    """Build the backend in this process."""
    return factory_from_dict(config, "model")()


class BackendRegistry:
    """The backends built by `builder`, one per distinct config, until `close_all`."""

    def __init__(self, builder: BackendBuilder = build_here) -> None:
        self.builder = builder
        self._backends: dict[str, ModelBackend] = {}

    def backend(self, config: dict[str, Any]) -> ModelBackend:
        """The backend for `config` (a `_target_` plus arguments), built on first use."""
        key = json.dumps(config, sort_keys=True, default=str)
        if key not in self._backends:
            self._backends[key] = self.builder(config)
        return self._backends[key]

    async def close_all(self) -> None:
        """Close every backend built so far (end of a run); the next use builds them anew."""
        backends = list(self._backends.values())
        self._backends.clear()
        for backend in backends:
            await backend.close()

    @contextmanager
    def in_effect(self) -> Iterator[BackendRegistry]:
        """Within the block (and the asyncio tasks started in it), `shared_backend` builds through this registry."""
        token = _in_effect.set(self)
        try:
            yield self
        finally:
            _in_effect.reset(token)


_PROCESS_REGISTRY = BackendRegistry()  # builds here; never swapped (a runner puts its own in effect instead)
_in_effect: ContextVar[BackendRegistry | None] = ContextVar("mmgym_backend_registry", default=None)


def current_registry() -> BackendRegistry:
    """The registry in effect: a runner's for its run, else the process's (which builds backends here)."""
    return _in_effect.get() or _PROCESS_REGISTRY


def shared_backend(config: dict[str, Any]) -> ModelBackend:
    """The backend for `config`, from the registry in effect (built there on first use)."""
    return current_registry().backend(config)


async def close_all() -> None:
    """Close every backend of the registry in effect (end of a run); the next use builds them anew."""
    await current_registry().close_all()
