"""A navigation scene as plain data: what `EBNavEnv.reset(options={"scene": ...})` builds.

Coordinates are MiniWorld's: metres on the floor plane, x to the east and z to the south (the top
view's right and down). Headings are degrees counter-clockwise from +x, in steps of 90 for the
agent (its moves stay on a 0.25 m lattice, as AI2-THOR's grid does in EB-Navigation).
"""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

from mmgym.envs.miniworld.things import COLOURS, KINDS, label

GRID = 0.25  # metres per move


class Room(BaseModel):
    """An axis-aligned rectangular room."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    x0: float
    x1: float
    z0: float
    z1: float

    def contains(self, x: float, z: float, margin: float = 0.0) -> bool:
        return self.x0 + margin <= x <= self.x1 - margin and self.z0 + margin <= z <= self.z1 - margin


class Doorway(BaseModel):
    """An opening between two rooms that share a wall: along z at x (vertical wall) or along x at z."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    rooms: tuple[int, int]
    low: float  # where the opening starts along the shared wall
    high: float  # and where it ends


class Thing(BaseModel):
    """An object in the scene."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    kind: str
    colour: str | None = None
    x: float
    z: float
    heading: float = 0.0

    @model_validator(mode="after")
    def _known(self) -> Thing:
        if self.kind not in KINDS:
            raise ValueError(f"unknown object kind {self.kind!r}; valid: {', '.join(KINDS)}")
        if KINDS[self.kind].coloured != (self.colour is not None):
            raise ValueError(f"a {self.kind} {'needs' if KINDS[self.kind].coloured else 'takes no'} colour")
        if self.colour is not None and self.colour not in COLOURS:
            raise ValueError(f"unknown colour {self.colour!r}; valid: {', '.join(COLOURS)}")
        return self

    @property
    def label(self) -> str:
        return label(self.kind, self.colour)

    @property
    def radius(self) -> float:
        return KINDS[self.kind].radius


class Scene(BaseModel):
    """Rooms, doorways, objects, the agent's start and which object is the target."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    rooms: tuple[Room, ...] = Field(min_length=1)
    doorways: tuple[Doorway, ...] = ()
    things: tuple[Thing, ...] = Field(min_length=1)
    agent_x: float
    agent_z: float
    agent_heading: int = 0
    target: int
    instruction: str

    @field_validator("agent_heading")
    @classmethod
    def _quarter_turns(cls, heading: int) -> int:
        if heading % 90:
            raise ValueError(f"the agent's heading must be a multiple of 90 degrees, got {heading}")
        return heading % 360

    @model_validator(mode="after")
    def _target_exists(self) -> Scene:
        if not 0 <= self.target < len(self.things):
            raise ValueError(f"target {self.target} is not one of the {len(self.things)} objects")
        for value in (self.agent_x, self.agent_z):
            if abs(value / GRID - round(value / GRID)) > 1e-6:
                raise ValueError(f"the agent must start on the {GRID} m grid, got {value}")
        return self

    @property
    def target_thing(self) -> Thing:
        return self.things[self.target]
