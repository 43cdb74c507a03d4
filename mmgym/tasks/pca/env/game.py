"""The open-world game domain on Crafter: decisions from states a scripted player reaches, and closed-loop play.

Seed s is Crafter's world `crafter.Env(seed=s)` and a path through it: a seeded scripted player
(walk to trees, water, stone, cows or a table in sight, work there a few times, craft now and
then, drink, eat and sleep when low) plays a seed-drawn number of steps, then on until the rules
give a clear decision (at most `EXTRA_STEPS` more), preferably one with the answer the seed drew,
so that the set covers every rule. That state is read from Crafter's internals
(the player's stats, inventory and faced cell, the material map, the creatures around) into a
`game_rules.Situation`; the rules there pick the one right action and the clearly wrong ones.
`scene` stores the seed and the primitive actions taken (a letter each), so a rebuild replays
them without the scripted player.

Three changes keep replays exact and cheap, none of them to the game: a step draws no
observation (nothing reads it; `frame` draws on demand and puts back the world's random state,
which Crafter's night-time noise draws from); despawning picks a creature from a list in the
world's order, not from a set ordered by memory addresses; and while a world is generated,
opensimplex's gradient lookup is swapped for one on a tuple, which gives the same floats about
five times faster (world generation is otherwise about 1.5 s). Crafter is imported on first use.
"""

from __future__ import annotations

import copy
from collections.abc import Iterator
from contextlib import contextmanager
from functools import cache, lru_cache
from typing import Any

import numpy as np

from mmgym.envs.fingerprints import digest, quantised
from mmgym.tasks.pca.env.domain import Outcome
from mmgym.tasks.pca.env.game_rules import (
    ACTIONS,
    ATTACK,
    DRINK,
    EAT,
    MINE,
    PICKAXE,
    SLEEP,
    STAT_NAMES,
    TABLE,
    TABLE_WOOD,
    TIRED,
    WOOD,
    Situation,
    clear,
    decide,
    make_item,
)
from mmgym.tasks.pca.env.item import DecisionItem

MIN_STEPS, MAX_STEPS = 15, 240  # how long the scripted player plays before it looks for a decision
EXTRA_STEPS = 80  # then at most this many more steps until the rules give a clear decision
RUN_ON = 100  # closed loop: steps the scripted player may take after an action to reach the next decision
ATTACK_HITS = 8  # "Attack the zombie" / "Eat the cow": hits while the creature stays in front
SLEEP_STEPS = 150  # "Sleep": steps asleep at most
NOOP, LEFT, RIGHT, UP, DOWN, DO, SLEEP_ACTION = range(7)
PLACE_TABLE, MAKE_WOOD_PICKAXE = 8, 11  # indices into crafter's action list
MOVES = {LEFT: (-1, 0), RIGHT: (1, 0), UP: (0, -1), DOWN: (0, 1)}
TARGETS = ("tree", "water", "stone", "cow", "table", None)  # None: wander
TARGET_ODDS = (0.3, 0.2, 0.1, 0.15, 0.1, 0.15)
NEEDY = 4  # the scripted player looks for water or a cow at or below this drink or food
LEANS = {WOOD: "tree", TABLE: "tree", MINE: "stone", DRINK: "water", EAT: "cow", PICKAXE: "tree"}
SIGHT = 5  # cells: how far the scripted player looks for its target
THREATS = ("zombie", "skeleton", "arrow")
CREATURES = ("cow", *THREATS)
SKELETON_RANGE = 5  # Manhattan cells: a skeleton this close may shoot, and the scripted player steps away


def _code(action: int) -> str:
    return chr(ord("a") + action)


# ---- crafter, made replayable ----------------------------------------------------------------------
@cache
def _env_class() -> type:
    import crafter

    class ReplayableEnv(crafter.Env):
        """crafter.Env whose steps draw no image and whose despawning does not depend on memory addresses."""

        def _obs(self) -> None:
            return None

        def _balance_object(self, chunk, objs, cls, *args) -> None:
            index = self._world._obj_map
            super()._balance_object(chunk, sorted(objs, key=lambda obj: index[tuple(obj.pos)]), cls, *args)

    return ReplayableEnv


@contextmanager
def _fast_noise() -> Iterator[None]:
    """opensimplex's `_extrapolate3` with the gradients in a tuple: the same arithmetic on the same numbers."""
    from opensimplex import internals

    original = getattr(internals, "_extrapolate3", None)
    if original is None or not hasattr(internals, "GRADIENTS3") or hasattr(original, "py_func"):
        yield  # another opensimplex, or numba-compiled: leave it as it is
        return
    gradients = tuple(internals.GRADIENTS3.tolist())

    def extrapolate3(perm, perm_grad_index3, xsb, ysb, zsb, dx, dy, dz):
        index = perm_grad_index3[(perm[(perm[xsb & 0xFF] + ysb) & 0xFF] + zsb) & 0xFF]
        return gradients[index] * dx + gradients[index + 1] * dy + gradients[index + 2] * dz

    internals._extrapolate3 = extrapolate3
    try:
        yield
    finally:
        internals._extrapolate3 = original


@lru_cache(maxsize=8)
def _generated_world(seed: int) -> Any:
    env = _env_class()(seed=seed)
    with _fast_noise():
        env.reset()
    return env


def _new_env(seed: int) -> Any:
    """A fresh copy of the seed's world just after `reset` (generated once per process, copied per use)."""
    base = _generated_world(seed)
    return copy.deepcopy(base, {id(base._textures): base._textures})


def _rebuild(scene: dict[str, Any]) -> Any:
    env = _new_env(scene["seed"])
    for letter in scene["actions"]:
        env.step(ord(letter) - ord("a"))
    return env


def _draw(env: Any, size: int) -> np.ndarray:
    """Crafter's own picture (local view and inventory), leaving the world's random state as it was."""
    state = env._world.random.get_state()
    image = env.render(size=(size, size))
    env._world.random.set_state(state)
    return np.ascontiguousarray(image, dtype=np.uint8)


def layout(env: Any) -> dict[str, Any]:
    """The world as Crafter generated and played it, for the fingerprint: every cell's material, every
    creature's kind, cell and health, the player's cell, facing, inventory and sleep, and the daylight."""
    world, player = env._world, env._player
    return {
        "materials": {str(name): index for name, index in world._mat_ids.items()},
        "map": world._mat_map,
        "objects": [[_kind(obj), obj.pos, getattr(obj, "health", None)] for obj in world.objects],
        "player": [player.pos, list(player.facing), player.inventory, bool(player.sleeping)],
        "daylight": quantised(world.daylight),
    }


# ---- reading the state -----------------------------------------------------------------------------
def _kind(obj: Any) -> str:
    return type(obj).__name__.lower()


def _faced(env: Any) -> tuple[np.ndarray, str]:
    player = env._player
    target = player.pos + np.array(player.facing)
    material, obj = env._world[target]
    return target, _kind(obj) if obj is not None else (material or "edge")


def situation(env: Any) -> Situation:
    """What the rules need, read from crafter's player and world."""
    player, world = env._player, env._world
    nearest: dict[str, int] = {}
    for obj in world.objects:
        kind = _kind(obj)
        if kind in THREATS:
            distance = int(np.abs(obj.pos - player.pos).sum())
            nearest[kind] = min(distance, nearest.get(kind, distance))
    inventory = player.inventory
    return Situation(
        **{name: int(inventory[name]) for name in STAT_NAMES},
        inventory={name: int(n) for name, n in inventory.items() if name not in STAT_NAMES and n > 0},
        facing=_faced(env)[1],
        table_near="table" in world.nearby(player.pos, 1)[0],
        zombie=nearest.get("zombie"),
        skeleton=nearest.get("skeleton"),
        arrow=nearest.get("arrow"),
        sleeping=bool(player.sleeping),
    )


# ---- the scripted player ---------------------------------------------------------------------------
class Walker:
    """A seeded player that walks to a kind of thing in sight, works at it a few times, and crafts now and then.

    `wanted` (an answer of the rules) leans it towards states where that answer is right: it walks to that
    answer's thing more often, and holds off the crafting that would use up the state (placing a table when a
    table is wanted, making the pickaxe when the table or the pickaxe is).
    """

    def __init__(self, rng: np.random.RandomState, wanted: str | None = None) -> None:
        self.rng, self.wanted = rng, wanted
        self.target: str | None = None
        self.heading = DOWN
        self.chores = -1  # `do`s left at the current target; -1 until it is reached

    def act(self, env: Any) -> int:
        player, s = env._player, situation(env)
        rng = self.rng
        if s.sleeping:
            return NOOP
        danger = self._danger(env, s)
        if danger is not None:
            return danger
        if s.energy <= (1 if self.wanted == SLEEP else TIRED) and not (s.zombie and s.zombie <= 6):
            return SLEEP_ACTION
        crafting = self.wanted not in (TABLE, PICKAXE)
        if crafting and s.table_near and s.has("wood") and not s.has("wood_pickaxe") and rng.uniform() < 0.25:
            return MAKE_WOOD_PICKAXE
        free = s.facing in ("grass", "sand", "path")
        placing = self.wanted != TABLE and not s.has("wood_pickaxe")
        if placing and not s.table_near and s.has("wood") > TABLE_WOOD and free and rng.uniform() < 0.2:
            return PLACE_TABLE
        if self.target is None or rng.uniform() < 0.03:
            self.target, self.chores = self._pick(s), -1
        cell = None if self.target is None else _nearest(env, self.target)
        if cell is None:
            return self._wander(env)
        offset = cell - player.pos
        if int(np.abs(offset).sum()) == 1:
            return self._work(tuple(offset), tuple(player.facing))
        return self._approach(env, offset)

    def _danger(self, env: Any, s: Situation) -> int | None:
        """Fight a zombie next to me (turn to it, hit it); step away from a skeleton in range."""
        player = env._player
        if s.zombie == 1:
            zombie = _nearest(env, "zombie")
            if tuple(zombie - player.pos) == tuple(player.facing):
                return DO
            return next(a for a, step in MOVES.items() if step == tuple(zombie - player.pos))
        fled = "skeleton" if s.skeleton is not None and s.skeleton <= SKELETON_RANGE else None
        if s.health <= 4 and s.zombie is not None and s.zombie <= 4:
            fled = "zombie"
        if fled:
            away = player.pos - _nearest(env, fled, SKELETON_RANGE)
            options = [a for a, step in MOVES.items() if np.dot(step, away) > 0 and _walkable(env, a)]
            return options[self.rng.randint(len(options))] if options else None
        return None

    def _pick(self, s: Situation) -> str | None:
        """What to walk to next: water or a cow when low on drink or food, else a seeded draw."""
        if s.drink <= NEEDY and self.rng.uniform() < 0.7:
            return "water"
        if s.food <= NEEDY and self.rng.uniform() < 0.7:
            return "cow"
        if self.wanted in LEANS and self.rng.uniform() < 0.5:
            return LEANS[self.wanted]
        return TARGETS[self.rng.choice(len(TARGETS), p=TARGET_ODDS)]

    def _work(self, offset: tuple[int, int], facing: tuple[int, int]) -> int:
        if offset != facing:
            return next(a for a, step in MOVES.items() if step == offset)  # turns to face it (it blocks the way)
        if self.chores < 0:
            self.chores = self.rng.randint(0, 4)
        if self.chores == 0:
            self.target = None
            return NOOP
        self.chores -= 1
        return DO

    def _approach(self, env: Any, offset: np.ndarray) -> int:
        axes = [0, 1] if abs(offset[0]) > abs(offset[1]) or (offset[0] and self.rng.uniform() < 0.5) else [1, 0]
        for axis in axes:
            if offset[axis]:
                step = [0, 0]
                step[axis] = int(np.sign(offset[axis]))
                action = next(a for a, s in MOVES.items() if s == tuple(step))
                if _walkable(env, action):
                    return action
        return self._wander(env)

    def _wander(self, env: Any) -> int:
        if self.rng.uniform() < 0.25 or not _walkable(env, self.heading):
            options = [a for a in MOVES if _walkable(env, a)] or list(MOVES)
            self.heading = options[self.rng.randint(len(options))]
        return self.heading


def _walkable(env: Any, action: int) -> bool:
    """Free grass or sand that way: the scripted player keeps out of tunnels and caves, where skeletons shoot."""
    material, obj = env._world[env._player.pos + np.array(MOVES[action])]
    return obj is None and material in ("grass", "sand")


def _nearest(env: Any, kind: str, sight: int = SIGHT) -> np.ndarray | None:
    """The nearest cell within `sight` (each way) holding `kind`: a material, or a creature."""
    player, world = env._player, env._world
    if kind in CREATURES:
        cells = [obj.pos for obj in world.objects if _kind(obj) == kind]
    else:
        low = np.maximum(player.pos - sight, 0)
        area = world._mat_map[low[0] : player.pos[0] + sight + 1, low[1] : player.pos[1] + sight + 1]
        cells = list(np.argwhere(area == world._mat_ids.get(kind, -1)) + low)
    cells = [c for c in cells if np.abs(c - player.pos).sum() > 0 and np.abs(c - player.pos).max() <= sight]
    if not cells:
        return None
    return min(cells, key=lambda c: (int(np.abs(c - player.pos).sum()), tuple(c)))


def _play(env: Any, walker: Walker, steps: int) -> str | None:
    """`steps` of the scripted player, as letters; None if the player died."""
    letters = ""
    for _ in range(steps):
        action = walker.act(env)
        letters += _code(action)
        env.step(action)
        if env._player.health <= 0:
            return None
    return letters


def _search(env: Any, walker: Walker, steps: int) -> tuple[str, bool] | None:
    """Play on, at most `steps`, to a clear decision whose answer is the walker's `wanted`; failing that, to the
    first clear decision on the way. The actions, and whether `env` is in that state (False: it went further)."""
    letters, first = "", None
    while True:
        s = situation(env)
        if clear(s):
            if decide(s).answer == walker.wanted:
                return letters, True
            first = len(letters) if first is None else first
        if len(letters) == steps or env._player.health <= 0:
            return None if first is None else (letters[:first], False)
        action = walker.act(env)
        letters += _code(action)
        env.step(action)


# ---- the domain --------------------------------------------------------------------------------------
def _item(env: Any, seed: int, actions: str, index: int) -> DecisionItem | None:
    """The rules' item for the state `actions` led to; its texts are drawn from (seed, number of steps)."""
    s = situation(env)
    scene = {"seed": seed, "steps": len(actions), "actions": actions, "state": s.to_json()}
    return make_item(s, np.random.RandomState([seed, len(actions)]), index, scene)


class GameDomain:
    """Crafter decisions (`Domain`): see the module docstring, and `game_rules` for the rules."""

    name = "game"
    title = "Open-World Game"

    def generate(self, seed: int, index: int) -> DecisionItem | None:
        rng = np.random.RandomState(seed)
        env, walker = _new_env(seed), Walker(rng, wanted=ACTIONS[rng.randint(len(ACTIONS))])
        before = _play(env, walker, rng.randint(MIN_STEPS, MAX_STEPS + 1))
        found = None if before is None else _search(env, walker, EXTRA_STEPS)
        if found is None:
            return None
        actions = before + found[0]
        return _item(env if found[1] else _rebuild({"seed": seed, "actions": actions}), seed, actions, index)

    def render(self, item: DecisionItem, size: int) -> np.ndarray:
        return self.view(item, size)[0]

    def view(self, item: DecisionItem, size: int) -> tuple[np.ndarray, str]:
        env = _rebuild(item.scene)
        return _draw(env, size), digest(layout(env))

    def closed_loop(self, item: DecisionItem, decisions: int) -> GameLoop:
        return GameLoop(item)  # the mission's own goal and budget end the loop


DOMAIN = GameDomain()


# ---- closed-loop play --------------------------------------------------------------------------------
PLANS = {  # each action's primitive: crafter's action and how many times at most
    ATTACK: (DO, ATTACK_HITS),
    EAT: (DO, ATTACK_HITS),
    DRINK: (DO, 1),
    WOOD: (DO, 1),
    MINE: (DO, 1),
    SLEEP: (SLEEP_ACTION, SLEEP_STEPS),
    PICKAXE: (MAKE_WOOD_PICKAXE, 1),
    TABLE: (PLACE_TABLE, 1),
}


class GameLoop:
    """The item's world going on: each chosen action runs as crafter primitives, then the scripted player
    walks on (at most `RUN_ON` steps) until the rules give the next decision."""

    def __init__(self, item: DecisionItem) -> None:
        self.origin, self.seed = item, item.scene["seed"]
        self.env = _rebuild(item.scene)
        self.actions = item.scene["actions"]
        self.walker = Walker(np.random.RandomState([self.seed, 1]))
        self.unlocked = _unlocked(self.env)
        self.current: DecisionItem | None = None
        self.decided_at = -1  # len(actions) when `current` was built

    def item(self) -> DecisionItem | None:
        if self.decided_at != len(self.actions):
            self.decided_at, self.current = len(self.actions), self._decide()
        return self.current

    def _decide(self) -> DecisionItem | None:
        if self.actions == self.origin.scene["actions"]:
            return self.origin
        return _item(self.env, self.seed, self.actions, self.origin.index)

    def frame(self, size: int) -> np.ndarray:
        return _draw(self.env, size)

    def fingerprint(self) -> str:
        return digest(layout(self.env))

    def act(self, choice: str) -> Outcome:
        action, most = PLANS[_known(choice)]
        before, known = dict(self.env._player.inventory), set(self.unlocked)
        self._step(action)
        for _ in range(most - 1):
            if not self._keeps_going(_known(choice)):
                break
            self._step(action)
        change = _change(before, self.env._player.inventory)
        for _ in range(RUN_ON):
            if self._over() or clear(situation(self.env)):  # the next decision
                break
            self._step(self.walker.act(self.env))
        return self._outcome(change, reached=bool(self.unlocked - known))

    def _keeps_going(self, choice: str) -> bool:
        player = self.env._player
        if choice == SLEEP:
            return bool(player.sleeping) and not self._over()
        return _faced(self.env)[1] in ("zombie", "cow") and not self._over()

    def _step(self, action: int) -> None:
        self.env.step(action)
        self.actions += _code(action)
        self.unlocked |= _unlocked(self.env)

    def _over(self) -> bool:
        return self.env._player.health <= 0 or self.env._step >= self.env._length

    def _outcome(self, change: str, reached: bool) -> Outcome:
        player = self.env._player
        died = player.health <= 0
        stats = ", ".join(f"{name} {player.inventory[name]}/9" for name in STAT_NAMES)
        news = "You died." if died else f"Now {stats}."
        return Outcome(
            done=self._over(),
            failed=died,
            reached=reached,
            feedback=f"{change} {news}",
            measures={
                **{name: float(player.inventory[name]) for name in STAT_NAMES},
                "achievements": float(len(self.unlocked)),
                "steps": float(self.env._step),
            },
        )

    def close(self) -> None:
        self.env = None


def _unlocked(env: Any) -> set[str]:
    return {name for name, n in env._player.achievements.items() if n > 0}


def _known(choice: str) -> str:
    for action in PLANS:
        if action.lower() == choice.strip().lower():
            return action
    raise ValueError(f"not a game action: {choice!r} (one of {', '.join(PLANS)})")


def _change(before: dict[str, int], after: dict[str, int]) -> str:
    """`Changes: +1 wood, -1 drink.`, or `Nothing changed in the inventory or the stats.`"""
    parts = [f"{after[k] - before[k]:+d} {k.replace('_', ' ')}" for k in after if after[k] != before[k]]
    return f"Changes: {', '.join(parts)}." if parts else "Nothing changed in the inventory or the stats."
