"""The objects a scene may hold: how each is named, how big it is, and what it is for.

Boxes, balls and keys come in MiniWorld's six colours; the other objects are meshes with their own
look, so their colour is not part of their name. `use` names an object by what it is for, as
EB-Navigation's common-sense subset does ("something to sit on").
"""

from __future__ import annotations

from dataclasses import dataclass

COLOURS = ("red", "green", "blue", "purple", "yellow", "grey")


@dataclass(frozen=True)
class Kind:
    name: str  # as the instruction and the text observation say it
    radius: float  # of the bounding circle on the floor, in metres (what collisions use)
    coloured: bool  # comes in COLOURS (boxes, balls, keys) or has one look (meshes)
    use: str  # the object described by its use
    mesh: str = ""  # MiniWorld mesh name for meshes
    height: float = 0.0  # metres, for meshes and balls


KINDS: dict[str, Kind] = {
    kind.name: kind
    for kind in (
        Kind("box", 0.35, True, "something to pack things in"),
        Kind("ball", 0.3, True, "something to play catch with", height=0.6),
        Kind("key", 0.25, True, "something to open a lock with", height=0.35),
        Kind("chair", 0.45, False, "something to sit on", mesh="office_chair", height=1.0),
        Kind("desk", 0.6, False, "something to put a computer on", mesh="office_desk", height=0.8),
        Kind("barrel", 0.4, False, "something to store rainwater in", mesh="barrel", height=1.0),
        Kind("traffic cone", 0.3, False, "something that warns drivers of a hazard", mesh="cone", height=0.7),
        Kind("rubber duck", 0.3, False, "a toy that floats in the bath", mesh="duckie", height=0.5),
        Kind("first-aid kit", 0.35, False, "something to treat a cut with", mesh="medkit", height=0.4),
        Kind("potion bottle", 0.25, False, "a bottle of something to drink", mesh="potion", height=0.6),
    )
}
COLOURED = tuple(name for name, kind in KINDS.items() if kind.coloured)
MESHES = tuple(name for name, kind in KINDS.items() if not kind.coloured)


def label(kind: str, colour: str | None) -> str:
    """'red box' for coloured kinds, 'chair' for meshes."""
    return f"{colour} {kind}" if colour else kind
