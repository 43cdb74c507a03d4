"""A rearrangement episode as plain data: where each object starts, what is open, the goal and its subgoals.

Places and parts are named as the skills name them ("table 1", "refrigerator", "cabinet 7").
Goals are EB-Habitat's predicates (all must hold): `on` (habitat's on_top, or inside the
refrigerator or a drawer), `off` (the object is not on the place: the "move the X off the Y"
tasks), `not_holding`, `robot_at`, `opened`, `closed`. `subgoals` are the predicate sets EB-Habitat
stores with each episode for `task_progress`: after each step of the expert's plan from the start,
the goal-relevant predicates that hold then and did not at the start.
"""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, model_validator

from mmgym.envs.habitat.skills import BY_NAME, PLACES
from mmgym.envs.habitat.world import CATEGORIES, PARTS

PART_NAMES = tuple(part.name for part in PARTS)


class Placement(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")

    object: str
    receptacle: str


class Goal(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")

    predicate: Literal["on", "off", "not_holding", "robot_at", "opened", "closed", "holding"]
    object: str | None = None
    place: str | None = None  # a receptacle, a place to be at, or a part

    def __str__(self) -> str:
        args = ", ".join(a for a in (self.object, self.place) if a is not None)
        return f"{self.predicate}({args})"

    @model_validator(mode="after")
    def _arguments(self) -> Goal:
        needs_object = self.predicate in ("on", "off", "holding")
        if needs_object != (self.object is not None) or (needs_object and self.object not in CATEGORIES):
            raise ValueError(f"{self.predicate} takes {'an object kind' if needs_object else 'no object'}: {self}")
        places = {"on": BY_NAME, "off": BY_NAME, "robot_at": PLACES, "opened": PART_NAMES, "closed": PART_NAMES}
        if self.predicate in places and self.place not in places[self.predicate]:
            raise ValueError(f"{self.predicate} needs one of {sorted(places[self.predicate])}: {self}")
        return self


class Scene(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")

    template: str  # the kind of instruction, after EB-Habitat's instruction templates
    instruction: str
    objects: tuple[Placement, ...] = Field(min_length=1)
    opened: tuple[str, ...] = ()  # parts open at the start
    goals: tuple[Goal, ...] = Field(min_length=1)
    subgoals: tuple[tuple[Goal, ...], ...] = ()

    @model_validator(mode="after")
    def _known_names(self) -> Scene:
        kinds = [p.object for p in self.objects]
        if len(set(kinds)) != len(kinds):
            raise ValueError("a scene holds at most one object of each kind (EB-Habitat's max_per_obj_count)")
        for placement in self.objects:
            if placement.object not in CATEGORIES or placement.receptacle not in BY_NAME:
                raise ValueError(f"unknown object or receptacle in {placement}")
        if not set(self.opened) <= set(PART_NAMES):
            raise ValueError(f"opened names parts other than {PART_NAMES}")
        return self
