"""The ReplicaCAD apartment of EB-Habitat as plain facts: its receptacles, articulated parts and object kinds.

Facts carried over from EmbodiedBench's EB-Habitat (habitat-lab's language rearrangement, from
apple/ml-llarp): the receptacles of `dataset/configs/dataset.yaml` (`all_receps`; seven of them
are the open-air ones objects start on) with the words the skills use (EBHabEnv's naming) and the
words instructions use (`instructions.yaml`'s name mappings: "black table", "fridge", ...); the
navigation markers of the refrigerator and the kitchen counter's drawers ("cabinet 4" to
"cabinet 7", in the PDDL domain's order); and the 33 YCB/ReplicaCAD object categories
(`all_cats`). The objects' colours and shapes are mmgym's, for the stand-in's frames.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Receptacle:
    entity: str  # habitat's entity name
    spoken: str  # how EB-Habitat's instructions name it
    open_air: bool  # in EB-Habitat's open_air_receps: where objects start and tasks send them (not the chair)
    part: str | None  # the articulated part that must be open to reach inside it


@dataclass(frozen=True)
class Part:
    """An articulated part opened by `open the <name>`: the refrigerator or one of the counter's drawers."""

    name: str  # as the skills say it: "refrigerator", "cabinet 7"
    marker: str  # habitat's navigation marker
    spoken: str  # as instructions say it


RECEPTACLES: tuple[Receptacle, ...] = (  # all_receps, in EB-Habitat's order
    Receptacle("receptacle_aabb_Chr1_Top1_frl_apartment_chair_01", "chair", False, None),
    Receptacle("receptacle_aabb_Tbl1_Top1_frl_apartment_table_01", "black table", True, None),
    Receptacle("receptacle_aabb_Tbl2_Top1_frl_apartment_table_02", "brown table", True, None),
    Receptacle("receptacle_aabb_TvStnd1_Top1_frl_apartment_tvstand", "TV stand", True, None),
    Receptacle("receptacle_aabb_sink_kitchen_counter", "sink", True, None),
    Receptacle("receptacle_aabb_counter_right_kitchen_counter", "right counter", True, None),
    Receptacle("receptacle_aabb_counter_left_kitchen_counter", "left counter", True, None),
    Receptacle("receptacle_aabb_Sofa_frl_apartment_sofa", "sofa", True, None),
    Receptacle("receptacle_aabb_middle_topfrl_apartment_refrigerator", "fridge", False, "refrigerator"),
    Receptacle("receptacle_aabb_drawer_left_top_frl_apartment_kitchen_counter", "left drawer", False, "cabinet 7"),
    Receptacle("receptacle_aabb_drawer_right_top_frl_apartment_kitchen_counter", "right drawer", False, "cabinet 5"),
)

PARTS: tuple[Part, ...] = (  # the PDDL domain's constants, in its order (the drawers' words: instructions.yaml)
    Part("cabinet 7", "cab_push_point_7", "left drawer"),
    Part("cabinet 6", "cab_push_point_6", "middle drawer"),
    Part("cabinet 5", "cab_push_point_5", "right drawer"),
    Part("cabinet 4", "cab_push_point_4", "bottom drawer"),
    Part("refrigerator", "fridge_push_point", "fridge"),
)

# category -> (colour, shape) for the frames; the categories and their order are EB-Habitat's all_cats.
OBJECTS: dict[str, tuple[str, str]] = {
    "ball": ("#f2f2f2", "circle"),
    "clamp": ("#3a6fd8", "square"),
    "hammer": ("#8b5a2b", "square"),
    "screwdriver": ("#e0c020", "triangle"),
    "padlock": ("#c0c0c0", "square"),
    "scissors": ("#d83a3a", "triangle"),
    "block": ("#c8a165", "square"),
    "drill": ("#f0a020", "square"),
    "spatula": ("#303030", "triangle"),
    "knife": ("#a0a0a0", "triangle"),
    "spoon": ("#b0b0b0", "circle"),
    "plate": ("#fafafa", "circle"),
    "sponge": ("#60c040", "square"),
    "cleanser": ("#40a0e0", "square"),
    "plum": ("#6a2c91", "circle"),
    "pear": ("#b5c935", "circle"),
    "peach": ("#f5a86b", "circle"),
    "apple": ("#d62020", "circle"),
    "lemon": ("#f5e02a", "circle"),
    "can": ("#9aa0a8", "square"),
    "box": ("#d9b44a", "square"),
    "banana": ("#f0d030", "triangle"),
    "strawberry": ("#e0303a", "triangle"),
    "lego": ("#e03030", "square"),
    "rubriks cube": ("#2060e0", "square"),
    "book": ("#7a3b2e", "square"),
    "bowl": ("#e8e0d0", "circle"),
    "cup": ("#4aa0c0", "circle"),
    "mug": ("#1f4f8f", "circle"),
    "orange": ("#f58220", "circle"),
    "lid": ("#505050", "circle"),
    "toy airplane": ("#3070d0", "triangle"),
    "wrench": ("#707880", "triangle"),
}
CATEGORIES = tuple(OBJECTS)
