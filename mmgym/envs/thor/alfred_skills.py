"""EB-ALFRED's high-level skills: the global list EmbodiedBench builds, numbered skills for duplicate
instances, and the reading of a reply into one of them.

The lists of AI2-THOR object types are ALFRED's (the types its tasks use). Every episode offers
the same global skills (find any of 80 types, pick up any of 53, ...) so a model cannot learn the
scene from the menu; a scene with several receptacles (or pickable objects) of one type adds
`find a Cabinet_2`, `open the Cabinet_2`... for the second and later instances, as EmbodiedBench does.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from typing import Any

FINDABLE = [
    "Cart",
    "Potato",
    "Faucet",
    "Ottoman",
    "CoffeeMachine",
    "Candle",
    "CD",
    "Pan",
    "Watch",
    "HandTowel",
    "SprayBottle",
    "BaseballBat",
    "CellPhone",
    "Kettle",
    "Mug",
    "StoveBurner",
    "Bowl",
    "Toilet",
    "DiningTable",
    "Spoon",
    "TissueBox",
    "Shelf",
    "Apple",
    "TennisRacket",
    "SoapBar",
    "Cloth",
    "Plunger",
    "FloorLamp",
    "ToiletPaperHanger",
    "CoffeeTable",
    "Spatula",
    "Plate",
    "Bed",
    "Glassbottle",
    "Knife",
    "Tomato",
    "ButterKnife",
    "Dresser",
    "Microwave",
    "CounterTop",
    "GarbageCan",
    "WateringCan",
    "Vase",
    "ArmChair",
    "Safe",
    "KeyChain",
    "Pot",
    "Pen",
    "Cabinet",
    "Desk",
    "Newspaper",
    "Drawer",
    "Sofa",
    "Bread",
    "Book",
    "Lettuce",
    "CreditCard",
    "AlarmClock",
    "ToiletPaper",
    "SideTable",
    "Fork",
    "Box",
    "Egg",
    "DeskLamp",
    "Ladle",
    "WineBottle",
    "Pencil",
    "Laptop",
    "RemoteControl",
    "BasketBall",
    "DishSponge",
    "Cup",
    "SaltShaker",
    "PepperShaker",
    "Pillow",
    "Bathtub",
    "SoapBottle",
    "Statue",
    "Fridge",
    "Sink",
]
PICKABLE = [
    "KeyChain",
    "Potato",
    "Pot",
    "Pen",
    "Candle",
    "CD",
    "Pan",
    "Watch",
    "Newspaper",
    "HandTowel",
    "SprayBottle",
    "BaseballBat",
    "Bread",
    "CellPhone",
    "Book",
    "Lettuce",
    "CreditCard",
    "Mug",
    "AlarmClock",
    "Kettle",
    "ToiletPaper",
    "Bowl",
    "Fork",
    "Box",
    "Egg",
    "Spoon",
    "TissueBox",
    "Apple",
    "TennisRacket",
    "Ladle",
    "WineBottle",
    "Cloth",
    "Plunger",
    "SoapBar",
    "Pencil",
    "Laptop",
    "RemoteControl",
    "BasketBall",
    "DishSponge",
    "Cup",
    "Spatula",
    "SaltShaker",
    "Plate",
    "PepperShaker",
    "Pillow",
    "Glassbottle",
    "SoapBottle",
    "Knife",
    "Statue",
    "Tomato",
    "ButterKnife",
    "WateringCan",
    "Vase",
]
OPENABLE = ("Safe", "Laptop", "Fridge", "Box", "Microwave", "Cabinet", "Drawer")
SLICEABLE = ("Potato", "Lettuce", "Tomato", "Apple", "Bread")
TOGGLEABLE = ("Microwave", "DeskLamp", "FloorLamp", "Faucet")
PUT_DOWN = "put down the object in hand"
DROP = "drop the object in hand"
ALIASES = {"sinkbasin": "sink", "bathtubbasin": "bathtub"}  # ALFRED's basin names for the fixture's skills


def global_skills() -> list[str]:
    """The skills every episode offers, in EmbodiedBench's order."""
    skills = [f"find a {name}" for name in FINDABLE]
    skills += [f"pick up the {name}" for name in PICKABLE]
    skills += [PUT_DOWN, DROP]
    for name in OPENABLE:
        skills += [f"open the {name}", f"close the {name}"]
    for name in TOGGLEABLE:
        skills += [f"turn on the {name}", f"turn off the {name}"]
    skills += [f"slice the {name}" for name in SLICEABLE]
    return skills


def instance_names(objects: Iterable[Mapping[str, Any]]) -> dict[str, str]:
    """`Cabinet`, `Cabinet_2`, ... -> objectId, for receptacle and pickable types with several instances.

    Receptacles and pickable objects are counted apart, in the simulator's listing order, as
    EmbodiedBench counts them; the first instance keeps the bare type name.
    """
    groups: dict[tuple[str, str], list[str]] = {}
    for obj in objects:
        kind = "receptacle" if obj["receptacle"] else "pickable" if obj["pickupable"] else ""
        if kind:
            groups.setdefault((kind, obj["objectType"]), []).append(obj["objectId"])
    names: dict[str, str] = {}
    for (_, kind), ids in groups.items():
        if len(ids) >= 2:
            for k, oid in enumerate(ids):
                names[kind if k == 0 else f"{kind}_{k + 1}"] = oid
    return names


def instance_skills(names: Mapping[str, str], objects: Iterable[Mapping[str, Any]]) -> list[str]:
    """The numbered skills a scene adds: find (and open/close when openable) each later instance."""
    receptacles = {o["objectId"] for o in objects if o["receptacle"]}
    numbered = sorted(name for name in names if "_" in name)
    skills = []
    for name in numbered:
        if names[name] in receptacles:
            skills.append(f"find a {name}")
            if name.split("_")[0] in OPENABLE:
                skills += [f"open the {name}", f"close the {name}"]
    skills += [f"find a {name}" for name in numbered if names[name] not in receptacles]
    return skills


def _key(text: str) -> str:
    """A spelling-insensitive key: lower case, one article, no spaces or end punctuation, basins aliased."""
    text = text.strip().strip(".!").lower()
    text = re.sub(r"^find an? ", "find a ", text)
    text = re.sub(r"^pick up (the|a|an) ", "pick up the ", text)
    text = re.sub(r"^put down .*", PUT_DOWN, text)
    text = re.sub(r"^drop( .*)?$", DROP, text)
    for alias, name in ALIASES.items():
        text = re.sub(rf"\b{alias}\b", name, text)
    return text.replace(" ", "")


def skill_index(skills: Iterable[str]) -> dict[str, str]:
    """Key -> skill, for reading replies with `match_skill`."""
    return {_key(skill): skill for skill in skills}


def match_skill(text: str, index: Mapping[str, str]) -> str | None:
    """The listed skill a reply names (`Find an apple.` -> `find a Apple`), or None."""
    return index.get(_key(text))
