"""Episode observers: whatever watches episodes as a runner plays them, without changing them.

The video recorder (`recorder.Recorder`) is one. The rollout tells each observer when an attempt
at an episode starts (again, when a lost env worker or simulator makes the runner replay it from
its seed) and shows it every state: the initial one after reset, then the one after each step.
The runner hands it the finished record once the episode has left its slot (the next episode
starts meanwhile), before `on_done` scores and stores it. Neither the rollout nor the runners
know what an observer keeps.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any, Protocol

from mmgym.core.records import EpisodeRecord
from mmgym.core.spec import EpisodeSpec
from mmgym.runners.env_session import EnvDescription, EnvSession


@dataclass(frozen=True)
class EpisodeState:
    """One state of an episode as the rollout saw it: the observation after `step` steps (0: after reset)."""

    spec: EpisodeSpec
    step: int
    observation: dict[str, Any]
    description: EnvDescription  # what the env said of itself at reset (`full_render`: render() shows more)
    session: EnvSession = field(repr=False)

    async def render(self) -> Any:
        """The env's full render of this state (an env call: ask only when `description.full_render`)."""
        return await self.session.render()


class EpisodeObserver(Protocol):
    """Sees episodes as they are played. Episode ids are unique within a run; several episodes are in flight at once."""

    def on_start(self, spec: EpisodeSpec) -> None:
        """An attempt at `spec` starts; a replay after a lost env worker starts over (forget the earlier attempt)."""
        ...

    async def on_step(self, state: EpisodeState) -> None:
        """The episode's next state (steps that ran no action show the same observation again)."""
        ...

    async def on_end(self, record: EpisodeRecord) -> None:
        """The episode's final record, before it is scored and stored; the observer may add to it (its videos)."""
        ...


class Observers:
    """Several observers as one: each is called in the order given."""

    def __init__(self, observers: Iterable[EpisodeObserver] = ()) -> None:
        self.observers = tuple(observers)

    def __bool__(self) -> bool:
        return bool(self.observers)

    def on_start(self, spec: EpisodeSpec) -> None:
        for observer in self.observers:
            observer.on_start(spec)

    async def on_step(self, state: EpisodeState) -> None:
        for observer in self.observers:
            await observer.on_step(state)

    async def on_end(self, record: EpisodeRecord) -> None:
        for observer in self.observers:
            await observer.on_end(record)
