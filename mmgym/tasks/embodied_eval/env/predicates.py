"""EmbodiedEval's success predicates, evaluated on a plain snapshot of the simulator's state.

A task is a list of predicates; it succeeds when every one holds on the final state, and its
goal-condition success is the share that hold. The thresholds are EmbodiedEval's, in metres
(MiniWorld's unit; on a BabyAI grid one cell counts as one metre):

- `at`: the subject within 0.3 of the object (the subject may be `agent`);
- `near` / `not_near`: within 1.5 of it, or further than 1.5;
- `holding`: the agent holds the object;
- `answered`: the agent's answer is this one;
- `closer` / `further`: the distance between two objects shrank by more than 2, or grew by more
  than 1, since the episode started;
- `not_at`: further than 0.3 apart in 3D (the one predicate that counts height, as EmbodiedEval's does);
- `swapped`: each of two objects within 1 of where the other started;
- `all_at` / `none_near`: every listed object within 0.3 of a target / none closer to it than 1
  (EmbodiedEval's older `in` and `noton`).

Three predicates are about the past, so they stay met once met (`latched`): `held_once` (the agent
has held the object), `passed` (the agent came within 0.3 of it) and `action_succeeded` (an option
with these words was chosen and the simulator reported it a success). They need the state after
every step: `PredicateTracker` feeds it to them; `check` alone judges one state.

Predicates read a `WorldState`, not a simulator, so that the same library scores MiniWorld,
BabyAI, and any state a user builds from another simulator's objects and positions.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field, replace
from typing import Annotated, ClassVar, Literal

from pydantic import BaseModel, ConfigDict, Field

AGENT = "agent"  # the subject that names the agent rather than an object
AT_DISTANCE = 0.3
NEAR_DISTANCE = 1.5
CLOSER_BY = 2.0
FURTHER_BY = 1.0
SWAP_DISTANCE = 1.0
NOT_ON_DISTANCE = 1.0
SUCCESS = "success"  # the simulator's feedback on an option that worked
Point = tuple[float, float]


@dataclass(frozen=True)
class WorldState:
    """What predicates read: the agent's and objects' floor positions, what is held, the answer given.

    A held object stands where the agent stands (as a carried object does in LEGENT). `heights` (the
    vertical coordinate, 0 when absent) matter to `not_at` only; `chosen` and `feedback` are the option
    the last step chose and the simulator's word on it ("success" or "failed"), for `action_succeeded`.
    """

    agent: Point
    objects: Mapping[str, Point] = field(default_factory=dict)
    holding: str | None = None
    answer: str | None = None
    heights: Mapping[str, float] = field(default_factory=dict)
    chosen: str | None = None
    feedback: str | None = None

    def position(self, name: str) -> Point:
        if name == AGENT or name == self.holding:
            return self.agent
        if name not in self.objects:
            raise KeyError(f"no object {name!r} in the state; objects: {', '.join(sorted(self.objects))}")
        return self.objects[name]

    def distance(self, a: str, b: str) -> float:
        return math.dist(self.position(a), self.position(b))

    def height(self, name: str) -> float:
        return self.heights.get(AGENT if name == self.holding else name, 0.0)

    def distance_3d(self, a: str, b: str) -> float:
        return math.hypot(self.distance(a, b), self.height(a) - self.height(b))

    def moved(self, name: str, to: Point) -> WorldState:
        """The state with `name` put down at `to` (no longer held)."""
        holding = None if self.holding == name else self.holding
        return replace(self, objects={**self.objects, name: to}, holding=holding)


class _Predicate(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")

    latched: ClassVar[bool] = False  # about the past: once met, met for the rest of the episode

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


class NotAt(_Pair):
    kind: Literal["not_at"] = "not_at"

    def met(self, state: WorldState, start: WorldState) -> bool:
        return state.distance_3d(self.subject, self.object) > AT_DISTANCE


class Swapped(_Pair):
    kind: Literal["swapped"] = "swapped"

    def met(self, state: WorldState, start: WorldState) -> bool:
        return (
            math.dist(state.position(self.subject), start.position(self.object)) < SWAP_DISTANCE
            and math.dist(state.position(self.object), start.position(self.subject)) < SWAP_DISTANCE
        )


class _Group(_Predicate):
    objects: tuple[str, ...] = Field(min_length=1)
    target: str

    def names(self) -> tuple[str, ...]:
        return (*self.objects, self.target)


class AllAt(_Group):
    kind: Literal["all_at"] = "all_at"

    def met(self, state: WorldState, start: WorldState) -> bool:
        return all(state.distance(name, self.target) <= AT_DISTANCE for name in self.objects)


class NoneNear(_Group):
    kind: Literal["none_near"] = "none_near"

    def met(self, state: WorldState, start: WorldState) -> bool:
        return all(state.distance(name, self.target) >= NOT_ON_DISTANCE for name in self.objects)


class HeldOnce(_Predicate):
    kind: Literal["held_once"] = "held_once"
    object: str
    latched: ClassVar[bool] = True

    def names(self) -> tuple[str, ...]:
        return (self.object,)

    def met(self, state: WorldState, start: WorldState) -> bool:
        return state.holding == self.object


class Passed(_Predicate):
    kind: Literal["passed"] = "passed"
    object: str
    latched: ClassVar[bool] = True

    def names(self) -> tuple[str, ...]:
        return (self.object,)

    def met(self, state: WorldState, start: WorldState) -> bool:
        return state.distance(AGENT, self.object) < AT_DISTANCE


class ActionSucceeded(_Predicate):
    kind: Literal["action_succeeded"] = "action_succeeded"
    action: str  # the option's words
    latched: ClassVar[bool] = True

    def met(self, state: WorldState, start: WorldState) -> bool:
        return state.chosen == self.action and state.feedback == SUCCESS


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


Predicate = Annotated[
    At
    | Near
    | NotNear
    | NotAt
    | Closer
    | Further
    | Swapped
    | AllAt
    | NoneNear
    | Holding
    | HeldOnce
    | Passed
    | ActionSucceeded
    | Answered,
    Field(discriminator="kind"),
]
KINDS = (
    "at", "near", "not_near", "not_at", "closer", "further", "swapped", "all_at", "none_near",
    "holding", "held_once", "passed", "action_succeeded", "answered",
)  # fmt: skip


def check(predicates: Sequence[Predicate], state: WorldState, start: WorldState) -> list[bool]:
    """Whether each predicate holds on `state` (`start`: the state the episode began in); a latched one
    only if it holds on this state (see `PredicateTracker` for an episode)."""
    return [predicate.met(state, start) for predicate in predicates]


class PredicateTracker:
    """A task's predicates over an episode: `update` with the state after each step; a latched predicate
    stays met once met. Updating twice with the same state changes nothing."""

    def __init__(self, predicates: Sequence[Predicate], start: WorldState) -> None:
        self.predicates, self.start = tuple(predicates), start
        self._ever = [False] * len(self.predicates)

    def update(self, state: WorldState) -> list[bool]:
        now = check(self.predicates, state, self.start)
        latched = [met and p.latched for met, p in zip(now, self.predicates, strict=True)]
        self._ever = [ever or met for ever, met in zip(self._ever, latched, strict=True)]
        return [met or ever for met, ever in zip(now, self._ever, strict=True)]
