"""EmbodiedEval's success predicates, evaluated on a plain snapshot of the simulator's state.

A task is a list of predicates; it succeeds when every one holds on the final state, and its
goal-condition success is the share that hold. The thresholds are EmbodiedEval's, in metres
(MiniWorld's unit; on a BabyAI grid one cell counts as one metre):

- `at`: the subject within 0.3 of the object (the subject may be `agent`);
- `near` / `not_near`: within 1.5 of it, or further than 1.5;
- `holding`: the agent holds the object;
- `answered`: the agent's answer is this one;
- `closer` / `further`: the distance between two objects shrank by more than 2, or grew by more
  than 1, since the episode started.

Predicates read a `WorldState`, not a simulator, so that the same library scores MiniWorld,
BabyAI, and any state a user builds from another simulator's objects and positions.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field, replace
from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field

AGENT = "agent"  # the subject that names the agent rather than an object
AT_DISTANCE = 0.3
NEAR_DISTANCE = 1.5
CLOSER_BY = 2.0
FURTHER_BY = 1.0
Point = tuple[float, float]


@dataclass(frozen=True)
class WorldState:
    """What predicates read: the agent's and objects' floor positions, what is held, the answer given.

    A held object stands where the agent stands (as a carried object does in LEGENT).
    """

    agent: Point
    objects: Mapping[str, Point] = field(default_factory=dict)
    holding: str | None = None
    answer: str | None = None

    def position(self, name: str) -> Point:
        if name == AGENT or name == self.holding:
            return self.agent
        if name not in self.objects:
            raise KeyError(f"no object {name!r} in the state; objects: {', '.join(sorted(self.objects))}")
        return self.objects[name]

    def distance(self, a: str, b: str) -> float:
        return math.dist(self.position(a), self.position(b))

    def moved(self, name: str, to: Point) -> WorldState:
        """The state with `name` put down at `to` (no longer held)."""
        holding = None if self.holding == name else self.holding
        return replace(self, objects={**self.objects, name: to}, holding=holding)


class _Predicate(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")

    def names(self) -> tuple[str, ...]:
        """The objects the predicate is about."""
        return ()


class _Pair(_Predicate):
    subject: str
    object: str

    def names(self) -> tuple[str, ...]:
        return tuple(n for n in (self.subject, self.object) if n != AGENT)


class At(_Pair):
    kind: Literal["at"] = "at"

    def met(self, state: WorldState, start: WorldState) -> bool:
        return state.distance(self.subject, self.object) < AT_DISTANCE


class Near(_Pair):
    kind: Literal["near"] = "near"

    def met(self, state: WorldState, start: WorldState) -> bool:
        return state.distance(self.subject, self.object) < NEAR_DISTANCE


class NotNear(_Pair):
    kind: Literal["not_near"] = "not_near"

    def met(self, state: WorldState, start: WorldState) -> bool:
        return state.distance(self.subject, self.object) > NEAR_DISTANCE


class Closer(_Pair):
    kind: Literal["closer"] = "closer"

    def met(self, state: WorldState, start: WorldState) -> bool:
        return start.distance(self.subject, self.object) - state.distance(self.subject, self.object) > CLOSER_BY


class Further(_Pair):
    kind: Literal["further"] = "further"

    def met(self, state: WorldState, start: WorldState) -> bool:
        return state.distance(self.subject, self.object) - start.distance(self.subject, self.object) > FURTHER_BY


class Holding(_Predicate):
    kind: Literal["holding"] = "holding"
    object: str

    def names(self) -> tuple[str, ...]:
        return (self.object,)

    def met(self, state: WorldState, start: WorldState) -> bool:
        return state.holding == self.object


class Answered(_Predicate):
    kind: Literal["answered"] = "answered"
    answer: str

    def met(self, state: WorldState, start: WorldState) -> bool:
        return state.answer == self.answer


Predicate = Annotated[At | Near | NotNear | Closer | Further | Holding | Answered, Field(discriminator="kind")]
KINDS = ("at", "near", "not_near", "holding", "answered", "closer", "further")


def check(predicates: Sequence[Predicate], state: WorldState, start: WorldState) -> list[bool]:
    """Whether each predicate holds on `state` (`start`: the state the episode began in)."""
    return [predicate.met(state, start) for predicate in predicates]
