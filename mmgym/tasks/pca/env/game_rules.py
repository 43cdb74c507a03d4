"""The game domain's decision rules on a small description of a Crafter state (no simulator needed).

The rules pick the one action a state calls for; the first that applies wins:

| # | when                                                          | answer                     |
|---|---------------------------------------------------------------|----------------------------|
| 1 | a zombie in the faced cell (health <= 2: no item, too close)  | Attack the zombie          |
|   | any other threat near: zombie or skeleton <= 5 cells, arrow <= 4 | no item                 |
| 2 | facing water, drink <= 6                                      | Drink water                |
| 3 | facing a cow, food <= 6                                       | Eat the cow                |
| 4 | energy <= 3                                                   | Sleep                      |
| 5 | a table within one cell, wood >= 1, no wooden pickaxe         | Make a wooden pickaxe      |
| 6 | facing stone, a wooden pickaxe                                | Mine the stone             |
| 7 | no table near, no pickaxe, wood >= 2, facing free ground      | Place a crafting table     |
| 8 | facing a tree, wood <= 4                                      | Collect wood from the tree |

An offered wrong action is one that does nothing here because Crafter's precondition fails
(`failure`), or sleeping with a zombie near (it deals 7 damage to a sleeper). An action that
would work but is not the rule's pick is never offered, so exactly one offered action is right.
Distances are Manhattan, in cells; "within one cell" is Crafter's own test for crafting (the
3 x 3 square around the player).
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from typing import Any

import numpy as np

from mmgym.tasks.pca.env.item import Concept, DecisionItem

FULL = 9  # every stat's maximum
LOW = 6  # drink or food at or below this makes drinking or eating the priority when the means is in front
DYING = 2  # health at or below this with a zombie in front: neither fighting nor fleeing is clearly right
TIRED = 3  # energy at or below this makes sleep the priority
FEW_WOOD = 4  # facing a tree with at most this much wood: collect
TABLE_WOOD = 2  # Crafter's place_table uses 2 wood (data.yaml)
ZOMBIE_NEAR, SKELETON_NEAR, ARROW_NEAR = 5, 5, 4  # about what the 9 x 7 view shows
FREE_GROUND = ("grass", "sand", "path")  # where Crafter places a table

ATTACK = "Attack the zombie"
DRINK = "Drink water"
EAT = "Eat the cow"
SLEEP = "Sleep"
PICKAXE = "Make a wooden pickaxe"
MINE = "Mine the stone"
TABLE = "Place a crafting table"
WOOD = "Collect wood from the tree"
ACTIONS = (ATTACK, DRINK, EAT, SLEEP, PICKAXE, MINE, TABLE, WOOD)


@dataclass(frozen=True)
class Situation:
    """What the rules read from a Crafter state. `facing` is the faced cell: an object's kind if one
    stands there (cow, zombie, skeleton, plant, arrow), else its material; "edge" off the map."""

    health: int = FULL
    food: int = FULL
    drink: int = FULL
    energy: int = FULL
    inventory: dict[str, int] = field(default_factory=dict)  # items other than the four stats, counts > 0
    facing: str = "grass"
    table_near: bool = False
    zombie: int | None = None  # distance to the nearest zombie
    skeleton: int | None = None
    arrow: int | None = None
    sleeping: bool = False

    def has(self, name: str) -> int:
        return self.inventory.get(name, 0)

    def to_json(self) -> dict[str, Any]:
        return asdict(self)


@dataclass(frozen=True)
class Decision:
    """The rule's answer and the facts it rests on."""

    answer: str
    concepts: tuple[Concept, ...]
    facts: tuple[str, ...]  # one reasoning sentence per concept, each containing the concept's name


def _near(distance: int | None, limit: int) -> bool:
    return distance is not None and distance <= limit


def threatened(s: Situation) -> bool:
    return _near(s.zombie, ZOMBIE_NEAR) or _near(s.skeleton, SKELETON_NEAR) or _near(s.arrow, ARROW_NEAR)


def failure(action: str, s: Situation) -> str | None:
    """Why `action` is clearly wrong here (a true sentence), or None when it would do what it says."""
    checks = {
        ATTACK: (s.facing != "zombie", "there is no zombie in front of me"),
        DRINK: (s.facing != "water", "there is no water in front of me"),
        EAT: (s.facing != "cow", "there is no cow in front of me"),
        WOOD: (s.facing != "tree", "there is no tree in front of me"),
        MINE: (s.facing != "stone", "there is no stone in front of me"),
        PICKAXE: (not s.table_near, "there is no crafting table next to me"),
        TABLE: (s.has("wood") < TABLE_WOOD, f"a table needs {TABLE_WOOD} wood and I have {s.has('wood')}"),
        SLEEP: (s.energy >= FULL, "my energy is already full"),
    }
    wrong, why = checks[action]
    if wrong:
        return why
    if action == MINE and not s.has("wood_pickaxe"):
        return "mining stone needs a wooden pickaxe, which I do not have"
    if action == PICKAXE and not s.has("wood"):
        return "a pickaxe needs wood and I have none"
    if action == TABLE and s.facing not in FREE_GROUND:
        return "the cell in front of me is not free ground"
    if action == SLEEP and _near(s.zombie, ZOMBIE_NEAR):
        return "a zombie is close, and a sleeper takes heavy damage"
    return None


def decide(s: Situation) -> Decision | None:
    """The rules in priority order (module docstring); None when none applies or a threat blurs the choice."""
    if s.sleeping:
        return None
    if s.facing == "zombie":
        return None if s.health <= DYING else _decision(ATTACK, FACING["zombie"])
    if threatened(s):
        return None
    if s.facing == "water" and s.drink <= LOW:
        return _decision(DRINK, FACING["water"], _level("drink", s.drink))
    if s.facing == "cow" and s.food <= LOW:
        return _decision(EAT, FACING["cow"], _level("food", s.food))
    if s.energy <= TIRED:
        return _decision(SLEEP, _level("energy", s.energy), SAFE)
    if s.table_near and s.has("wood") and not s.has("wood_pickaxe"):
        return _decision(PICKAXE, TABLE_NEAR, _wood(s), NO_PICKAXE)
    if s.facing == "stone" and s.has("wood_pickaxe"):
        return _decision(MINE, FACING["stone"], HAS_PICKAXE)
    if not s.table_near and not s.has("wood_pickaxe") and s.has("wood") >= TABLE_WOOD and s.facing in FREE_GROUND:
        return _decision(TABLE, ENOUGH_WOOD, NO_TABLE, FREE)
    if s.facing == "tree" and s.has("wood") <= FEW_WOOD:
        return _decision(WOOD, FACING["tree"], _wood(s))
    return None


def clear(s: Situation) -> bool:
    """Whether the state gives an item: a rule applies and at least two other actions are clearly wrong."""
    decision = decide(s)
    return decision is not None and sum(failure(a, s) is not None for a in ACTIONS if a != decision.answer) >= 2


# ---- the concepts, each with a sentence that states it ---------------------------------------------
Fact = tuple[Concept, str]  # a key concept and a reasoning sentence containing its name


def _fact(name: str, synonyms: tuple[str, ...], sentence: str) -> Fact:
    return Concept(name=name, synonyms=synonyms), sentence.format(name=name)


def _facing(thing: str, name: str, *synonyms: str) -> Fact:
    return _fact(name, (f"facing {thing}", *synonyms), "Looking at the cell I face, {name}.")


FACING = {
    "zombie": _facing("a zombie", "a zombie is right in front of me", "zombie in front", "zombie next to me"),
    "water": _facing("water", "water is right in front of me", "water in front", "water ahead"),
    "cow": _facing("a cow", "a cow is right in front of me", "cow in front", "cow ahead"),
    "stone": _facing("stone", "stone is right in front of me", "stone in front", "rock in front"),
    "tree": _facing("a tree", "a tree is right in front of me", "tree in front", "tree ahead"),
}
LEVELS = {
    "drink": ("my drink level is low", ("thirsty", "low on water", "low drink")),
    "food": ("my food level is low", ("hungry", "low on food", "low food")),
    "energy": ("my energy is low", ("tired", "low energy", "exhausted", "sleepy")),
}
SAFE = _fact("no enemy is nearby", ("no threats nearby", "no zombies nearby", "no monsters nearby"),
             "Scanning around me, {name}.")  # fmt: skip
TABLE_NEAR = _fact("a crafting table is nearby", ("table nearby", "next to the table", "near the table"),
                   "Glancing around me, {name}.")  # fmt: skip
NO_TABLE = _fact("there is no crafting table around me", ("no table nearby", "no table around", "without a table"),
                 "Looking around, {name}.")  # fmt: skip
NO_PICKAXE = _fact("I have no pickaxe", ("no pickaxe", "without a pickaxe", "lack a pickaxe"), "Also, {name} yet.")
HAS_PICKAXE = _fact("I have a wooden pickaxe", ("carrying a pickaxe", "have a pickaxe", "pickaxe in my inventory"),
                    "Checking my inventory, {name}.")  # fmt: skip
ENOUGH_WOOD = _fact("I have enough wood for a table", ("enough wood", "wood for a table", "sufficient wood"),
                    f"A table costs {TABLE_WOOD} wood, and {{name}}.")  # fmt: skip
FREE = _fact("the ground in front of me is free", ("free ground in front", "empty ground ahead", "open ground ahead"),
             "As for the cell ahead, {name}.")  # fmt: skip


def _level(stat: str, value: int) -> Fact:
    name, synonyms = LEVELS[stat]
    return _fact(name, synonyms, f"The status bar shows {stat} at {value}/{FULL}, so {{name}}.")


def _wood(s: Situation) -> Fact:
    """How the reasoning puts the wood I carry when it matters (none, a little, some)."""
    n = s.has("wood")
    if n == 0:
        return _fact("I have no wood", ("out of wood", "no wood", "without wood"), "Checking my inventory, {name}.")
    if s.table_near:  # the pickaxe rule: any wood will do
        return _fact("I have wood", ("some wood", "carrying wood", "wood in my inventory"),
                     f"Checking my inventory, {{name}} ({n}).")  # fmt: skip
    return _fact("I have little wood", ("low on wood", "little wood", "not much wood"),
                 f"Checking my inventory, {{name}} (only {n}).")  # fmt: skip


def _decision(answer: str, *facts: Fact) -> Decision:
    return Decision(answer, tuple(c for c, _ in facts), tuple(sentence for _, sentence in facts))


# ---- the texts around a decision ------------------------------------------------------------------
# The paraphrase puts each concept by one of its synonyms (the index into `synonyms`), in another shape.
PARAPHRASE = {
    ATTACK: ((0,), "Because I am {0}, I have to deal with it before it strikes again"),
    DRINK: ((0, 0), "I am {0} and {1}, so the obvious move is to take a sip"),
    EAT: ((0, 0), "I am {0} and {1}; killing it will refill my food"),
    SLEEP: ((0, 0), "I am {0} and there are {1}, which makes this a good time to rest"),
    PICKAXE: ((0, 0, 0), "With a {0}, {1} in hand and {2} yet, crafting one is the next step"),
    MINE: ((0, 0), "Since I am {0} and {1}, I can break it"),
    TABLE: ((0, 0, 0), "I have {0}, there is {1}, and there is {2}, so it is time to build one"),
    WOOD: ((0, 0), "I am {0} while {1}, so I should chop it"),
}
# Reasons that are false or beside the point in Crafter; none names a concept or its synonyms.
WRONG_REASONS = {
    ATTACK: "Zombies only come out at noon, and defeating one is the quickest way to find diamonds.",
    DRINK: "Drinking is how the game saves my progress, and the day is about to end.",
    EAT: "Cows drop wood when they are defeated, and wood is what every tool needs.",
    SLEEP: "Sleeping makes the saplings grow faster, and it reveals the whole map.",
    PICKAXE: "A pickaxe lets me swim across lakes, and crafting works anywhere in the world.",
    MINE: "Stone is the main food in this game, and mining heals me.",
    TABLE: "Tables keep zombies away at night, and the game rewards building next to lakes.",
    WOOD: "Trees give food when chopped, and chopping makes the night end sooner.",
}
STAT_NAMES = ("health", "food", "drink", "energy")
ITEM_ORDER = ("sapling", "wood", "stone", "coal", "iron", "diamond", "wood_pickaxe", "stone_pickaxe", "iron_pickaxe",
              "wood_sword", "stone_sword", "iron_sword")  # fmt: skip  # crafter's, as its inventory bar shows them
ITEM_WORDS = {"wood_pickaxe": "wooden pickaxe", "wood_sword": "wooden sword", "stone_pickaxe": "stone pickaxe",
              "stone_sword": "stone sword", "iron_pickaxe": "iron pickaxe", "iron_sword": "iron sword"}  # fmt: skip


def conclusion(answer: str) -> str:
    return f'So the best action is "{answer}".'


def reasoning(decision: Decision) -> str:
    return " ".join((*decision.facts, conclusion(decision.answer)))


def paraphrase(decision: Decision) -> str:
    picks, template = PARAPHRASE[decision.answer]
    words = [c.synonyms[i] for c, i in zip(decision.concepts, picks, strict=True)]
    return f'{template.format(*words)}: "{decision.answer}".'


def wrong_reasoning(decision: Decision) -> str:
    return f"{WRONG_REASONS[decision.answer]} {conclusion(decision.answer)}"


def question(s: Situation) -> str:
    stats = ", ".join(f"{name} {getattr(s, name)}/{FULL}" for name in STAT_NAMES[1:])
    return (
        f"You are playing Crafter, a 2D survival game. Your health is {s.health}/{FULL}, {stats}; "
        f"you carry {carried(s)}. Based on the image, what is the best action to take now?"
    )


def carried(s: Situation) -> str:
    held = sorted(s.inventory.items(), key=lambda pair: ITEM_ORDER.index(pair[0]))
    parts = [f"{n} {ITEM_WORDS.get(name, name)}" for name, n in held if n > 0]
    if not parts:
        return "nothing"
    return parts[0] if len(parts) == 1 else f"{', '.join(parts[:-1])} and {parts[-1]}"


def false_facts(s: Situation, rng: np.random.RandomState) -> tuple[str, ...]:
    """2-3 statements that are false here, from a pool of checkable ones."""
    pool = [sentence for false, sentence in (
        (s.facing != "zombie", "A zombie is right in front of me."),
        (s.facing != "water", "Water is right in front of me."),
        (s.facing != "cow", "A cow is right in front of me."),
        (s.facing != "tree", "A tree is right in front of me."),
        (s.facing != "stone", "Stone is right in front of me."),
        (not s.table_near, "A crafting table is right next to me."),
        (not s.has("wood_pickaxe"), "I carry a wooden pickaxe."),
        (s.has("wood") > 0, "I carry no wood."),
        (s.has("wood") == 0, "I carry some wood."),
        (s.health < FULL, "My health is full."),
        (s.energy < FULL, "My energy is full."),
        (s.drink < FULL, "My drink level is full."),
    ) if false]  # fmt: skip
    chosen = rng.choice(len(pool), size=rng.randint(2, 4), replace=False)
    return tuple(pool[i] for i in sorted(chosen))


def offered(decision: Decision, s: Situation, rng: np.random.RandomState) -> tuple[tuple[str, ...], int] | None:
    """The answer and 2-4 clearly wrong actions, shuffled; None when fewer than two are clearly wrong."""
    wrong = [a for a in ACTIONS if a != decision.answer and failure(a, s) is not None]
    if len(wrong) < 2:
        return None
    picked = [wrong[i] for i in sorted(rng.choice(len(wrong), size=min(len(wrong), rng.randint(2, 5)), replace=False))]
    actions = [decision.answer, *picked]
    order = rng.permutation(len(actions))
    shuffled = tuple(actions[i] for i in order)
    return shuffled, shuffled.index(decision.answer)


def make_item(s: Situation, rng: np.random.RandomState, index: int, scene: dict[str, Any]) -> DecisionItem | None:
    """The decision item for this state, or None when the rules give no single clear answer."""
    decision = decide(s)
    choice = None if decision is None else offered(decision, s, rng)
    if choice is None:
        return None
    actions, answer = choice
    return DecisionItem(
        domain="game",
        index=index,
        question=question(s),
        actions=actions,
        answer_index=answer,
        key_concepts=decision.concepts,
        reasoning=reasoning(decision),
        paraphrase=paraphrase(decision),
        false_facts=false_facts(s, rng),
        wrong_reasoning=wrong_reasoning(decision),
        scene=scene,
    )
