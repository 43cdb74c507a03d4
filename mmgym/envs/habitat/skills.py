"""EB-Habitat's 70 high-level skills, worded as EBHabEnv words them, in the order of its action ids.

habitat-lab's `pddl_hl_action` lists every grounding of the allowed PDDL actions (nav, pick,
place, open_fridge, close_fridge, open_cab, close_cab) over the domain's entities; EBHabEnv turns
each into words (`transform_action_to_natural_language`). The list is the same in every episode:
it names all 33 object kinds whether or not an episode holds them. Its order reproduces the ids
EmbodiedBench's prompt examples use (navigate to the table 1 = 6, pick up the apple = 33, place at
the table 1 = 50, close the refrigerator = 61). Receptacles are named by rules on habitat's entity
names (`receptacle_words`): tables and chairs by their number, the drawers' markers as cabinets.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

from mmgym.envs.habitat.world import CATEGORIES, PARTS, RECEPTACLES, Receptacle

Verb = Literal["navigate", "pick", "place", "open", "close"]

# (substring of the entity name, words): the first rule that matches names the receptacle; a
# trailing "#" takes the number after the substring (table_01 -> table 1, cab_push_point_7 -> cabinet 7).
_RULES: tuple[tuple[str, str], ...] = (
    ("table_0", "table #"),
    ("fridge", "refrigerator push point"),
    ("refrigerator", "refrigerator"),
    ("drawer_right", "right drawer of the kitchen counter"),
    ("drawer_left", "left drawer of the kitchen counter"),
    ("chair_0", "chair #"),
    ("tvstand", "TV stand"),
    ("counter_left", "left counter in the kitchen"),
    ("counter_right", "right counter in the kitchen"),
    ("sink", "sink in the kitchen"),
    ("sofa", "sofa"),
    ("cab", "cabinet #"),
)


def receptacle_words(entity: str) -> str:
    """How EBHabEnv names a navigation or placement target of habitat's, e.g. 'table 1' for '..._table_01'."""
    for key, words in _RULES:
        if key in entity:
            if words.endswith("#"):
                number = entity.split("_")[-1] if key == "cab" else entity.split(key)[1]
                return words[:-1] + number
            return words
    raise ValueError(f"EB-Habitat has no words for the entity {entity!r}")


@dataclass(frozen=True)
class Skill:
    verb: Verb
    target: str  # a place (navigate, place), an object kind (pick) or a part (open, close)

    @property
    def words(self) -> str:
        if self.verb == "navigate":
            return f"navigate to the {self.target}"
        if self.verb == "pick":
            return f"pick up the {self.target}"
        if self.verb == "place":
            return f"place at the {self.target}"
        return f"{self.verb} the {self.target}"


MARKERS: tuple[str, ...] = tuple(
    receptacle_words(part.marker) for part in PARTS
)  # cabinet 7 ... refrigerator push point
BY_NAME: dict[str, Receptacle] = {receptacle_words(r.entity): r for r in RECEPTACLES}  # "table 1" -> its facts
PLACES: tuple[str, ...] = (*MARKERS, *BY_NAME)  # where the robot can navigate to
_DRAWERS = tuple(part.name for part in PARTS if part.name != "refrigerator")

SKILLS: tuple[Skill, ...] = (
    *(Skill("navigate", place) for place in PLACES),
    *(Skill("pick", kind) for kind in CATEGORIES),
    *(Skill("place", name) for name in BY_NAME),
    Skill("open", "refrigerator"),
    Skill("close", "refrigerator"),
    *(Skill("open", drawer) for drawer in _DRAWERS),
    *(Skill("close", drawer) for drawer in _DRAWERS),
)
SKILL_WORDS: tuple[str, ...] = tuple(skill.words for skill in SKILLS)
_BY_WORDS = {words.lower(): skill for words, skill in zip(SKILL_WORDS, SKILLS, strict=True)}


def parse_skill(action: object) -> Skill | None:
    """The skill an action names (case, surrounding spaces and a final period do not matter), or None."""
    if not isinstance(action, str):
        return None
    return _BY_WORDS.get(" ".join(action.strip().rstrip(".").split()).lower())


RULES = """You are a robot in a home (a ReplicaCAD apartment), doing rearrangement tasks with high-level skills.
- navigate to the <place>: always possible for any place in the list.
- pick up the <object>: only when the robot is at the receptacle the object is on, holds nothing, and the
  object is not inside a closed refrigerator or drawer.
- place at the <receptacle>: only when the robot holds an object and is at that receptacle; inside the
  refrigerator or a drawer only when it is open.
- open / close the refrigerator or a cabinet (a drawer of the kitchen counter): only when the robot is at it
  and it is closed / open.
An impossible skill fails and changes nothing. The episode ends when the task is done, after 30 skills, or
after 10 failed ones."""

GRAMMAR = "One skill from the list, word for word, e.g. 'navigate to the table 1' or 'pick up the apple'."
