"""A tabletop scene as plain data: the objects, containers and target regions, the goals and the instruction.

Positions are metres on the table top (x right as the front camera sees it, y away from it);
yaws are degrees about the vertical. Objects take the model's pooled bodies in order: the first
cube is `cube0`, the second `cube1`, and so on (`body_names`).
"""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, model_validator

from mmgym.envs.mujoco.things import POOL_CONTAINERS, POOL_PER_SHAPE, POOL_REGIONS, SHAPES

Colour = Literal["red", "green", "blue", "yellow", "purple", "orange", "white", "black"]
Task = Literal["pick_place", "stack", "sort", "push"]
Relation = Literal["inside", "on", "in_region"]


class Thing(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")

    shape: Literal["cube", "cylinder", "triangle"]
    colour: Colour
    x: float
    y: float
    yaw: float = 0.0

    @property
    def label(self) -> str:
        return f"{self.colour} {self.shape}"


class Fixture(BaseModel):
    """A container (a low open box) or a target region (a coloured patch on the table)."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    kind: Literal["container", "region"]
    colour: Colour
    x: float
    y: float

    @property
    def label(self) -> str:
        return f"{self.colour} {self.kind}"


class Goal(BaseModel):
    """One goal condition: a thing inside a container, on another thing, or in a region.

    `target` indexes `things` for "on" and `fixtures` otherwise.
    """

    model_config = ConfigDict(frozen=True, extra="forbid")

    relation: Relation
    thing: int = Field(ge=0)
    target: int = Field(ge=0)


class Scene(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")

    task: Task
    instruction: str
    things: tuple[Thing, ...]
    fixtures: tuple[Fixture, ...] = ()
    goals: tuple[Goal, ...] = Field(min_length=1)

    @model_validator(mode="after")
    def _fits_the_model(self) -> Scene:
        for shape in SHAPES:
            if sum(t.shape == shape for t in self.things) > POOL_PER_SHAPE:
                raise ValueError(f"a scene holds at most {POOL_PER_SHAPE} objects of each shape")
        for kind, pool in (("container", POOL_CONTAINERS), ("region", POOL_REGIONS)):
            if sum(f.kind == kind for f in self.fixtures) > pool:
                raise ValueError(f"a scene holds at most {pool} {kind}s")
        for goal in self.goals:
            targets = self.things if goal.relation == "on" else self.fixtures
            if goal.thing >= len(self.things) or goal.target >= len(targets):
                raise ValueError(f"goal {goal} names a thing or target the scene does not have")
            if goal.relation != "on" and targets[goal.target].kind != (
                "container" if goal.relation == "inside" else "region"
            ):
                raise ValueError(f"goal {goal} puts a thing {goal.relation} a {targets[goal.target].kind}")
        return self

    def body_names(self) -> tuple[list[str], list[str]]:
        """The pooled bodies the scene's things and fixtures take, in order."""
        counts: dict[str, int] = {}
        names = []
        for item in (*self.things, *self.fixtures):
            key = item.shape if isinstance(item, Thing) else item.kind
            names.append(f"{key}{counts.get(key, 0)}")
            counts[key] = counts.get(key, 0) + 1
        return names[: len(self.things)], names[len(self.things) :]
