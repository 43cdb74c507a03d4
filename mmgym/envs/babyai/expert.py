"""Privileged experts: skills from the mission tree, and BabyAI's bot for primitive actions.

Skill level: the remaining subgoals (in an order the mission allows) are turned into skills on
a copy of the true state, each skill run on the copy before the next is chosen, so the plan is
exactly what the env would do. Per subgoal: "go to X" -> go to the nearest X; "pick up X" ->
drop what is carried, then pick up the nearest X; "open X" -> open the nearest closed X (an open
one is closed first); "put X next to Y" -> drop anything else, pick up X, put it next to the Y
with the nearest free side. When the way is barred, the first obstacle on the cheapest path is
dealt with first: a locked door by fetching its key (dropping what is carried) and opening it,
an object by picking it up and dropping it where it blocks nothing.

Primitive level: minigrid's `BabyAIBot`, started on the first call in an episode from the part
of the mission still to do (like BabyAI's own bot it remembers what it has seen and explores the
rest), then told every action the env takes. Should the bot fail or propose an action the env
would refuse, the first primitive of the skill expert's plan is used instead for the rest of the
episode. Only the oracle pays for the bot: the env runs it only once `expert_plan()` is called.
"""

from __future__ import annotations

import copy

from minigrid.core.actions import Actions
from minigrid.core.world_object import WorldObj
from minigrid.envs.babyai.core.verifier import GoToInstr, OpenInstr, PickupInstr, PutNextInstr
from minigrid.utils.baby_ai_bot import BabyAIBot

from mmgym.envs.babyai import mission
from mmgym.envs.babyai.primitives import refusal
from mmgym.envs.babyai.skills import (
    Refused,
    drop_route,
    name_of,
    named_objects,
    obstacle,
    on_grid,
    parse_skill,
    plan_skill,
    put_route,
    put_spots,
    route,
)

MAX_SKILLS = 80  # a plan longer than this is a failure (the longest frozen episode needs 11)
_MAX_DETOURS = 4  # nested obstacles (a key behind a blocker behind ...) the expert unravels


class ExpertStuck(Exception):
    """The expert found no way forward from this state."""


def run_actions(env, actions: list[Actions]) -> tuple[int, bool, bool]:
    """Step a minigrid env through `actions`, stopping when the episode ends.

    Returns (steps taken, terminated, success). Success is minigrid's verdict: with the step
    limit set out of reach, a terminating step has a positive reward exactly when it succeeded.
    """
    for count, action in enumerate(actions, start=1):
        _, reward, terminated, _, _ = env.step(action)
        if terminated:
            return count, True, reward > 0
    return len(actions), False, False


# ---- skill level -----------------------------------------------------------------------------


def skill_plan(env, limit: int = MAX_SKILLS) -> list[str]:
    """The skills that complete the mission from `env`'s state (run on a copy; `env` is untouched).

    Raises `ExpertStuck` if the mission is not complete after `limit` skills.
    """
    sim = copy.deepcopy(env)
    plan: list[str] = []
    while len(plan) < limit:
        skill = next_skill(sim)
        parsed = parse_skill(skill)
        assert parsed is not None, skill
        try:
            actions = plan_skill(sim, parsed).actions
        except Refused as refused:
            raise ExpertStuck(f"the expert's own skill {skill!r} was refused: {refused}") from None
        plan.append(skill)
        _, terminated, success = run_actions(sim, actions)
        if terminated:
            if not success:
                raise ExpertStuck(f"the mission failed after {skill!r}")
            return plan
    raise ExpertStuck(f"no success within {limit} skills")


def next_skill(env) -> str:
    """The next skill towards the first subgoal not yet done."""
    todo = mission.pending(env.instrs, success=False)
    if not todo:
        raise ExpertStuck("no subgoal left, yet the mission is not complete")
    leaf = todo[0]
    if isinstance(leaf, GoToInstr):
        return _goto(env, leaf)
    if isinstance(leaf, PickupInstr):
        return _pickup(env, leaf)
    if isinstance(leaf, OpenInstr):
        return _open(env, leaf)
    if isinstance(leaf, PutNextInstr):
        return _put_next(env, leaf)
    raise ExpertStuck(f"unknown subgoal {type(leaf).__name__}")


def _at(env, positions) -> dict[tuple[int, int], WorldObj]:
    """The objects lying at the positions the verifier tracks (stale positions are skipped)."""
    found = {}
    for x, y in positions:
        obj = env.grid.get(int(x), int(y))
        if obj is not None and obj.type != "wall":
            found[(int(x), int(y))] = obj
    return found


def _nearest(env, where: dict[tuple[int, int], WorldObj]) -> WorldObj | None:
    found = route(env, set(where)) if where else None
    return where[found.goal] if found is not None else None


def _goto(env, leaf: GoToInstr) -> str:
    where = _at(env, leaf.desc.obj_poss)
    if not where and env.carrying is not None and env.carrying in leaf.desc.obj_set:
        return "drop"  # the object to go to is in hand: put it down (the verifier then tracks it again)
    target = _nearest(env, where)
    return f"go to the {name_of(target)}" if target is not None else _clear_way(env, set(where))


def _pickup(env, leaf: PickupInstr) -> str:
    if env.carrying is not None and env.carrying in leaf.desc.obj_set:
        return "drop"  # picked up before this subgoal began: it must be picked up again
    return _fetch(env, leaf.desc.obj_set)


def _fetch(env, objs: list[WorldObj], keep_free: frozenset[tuple[int, int]] = frozenset()) -> str:
    """The next skill towards holding one of `objs` (the hands do not hold one yet).

    What the hands hold is put down first, away from the cells in `keep_free` (walking to the
    object to fetch first when "drop" would fill one of them).
    """
    where = on_grid(env, objs)
    target = _nearest(env, where)
    if target is None:
        return _clear_way(env, set(where))
    if env.carrying is None:
        return f"pick up the {name_of(target)}"
    landing = drop_route(env) if keep_free else None
    if landing is not None and landing.goal in keep_free and env.grid.get(*env.front_pos) is not target:
        return f"go to the {name_of(target)}"
    return "drop"


def _open(env, leaf: OpenInstr) -> str:
    doors = on_grid(env, leaf.desc.obj_set)
    key = env.carrying if env.carrying is not None and env.carrying.type == "key" else None
    openable = {
        pos: door
        for pos, door in doors.items()
        if not door.is_open and (not door.is_locked or (key is not None and key.color == door.color))
    }
    door = _nearest(env, openable)
    if door is not None:
        return f"open the {name_of(door)}"
    door = _nearest(env, {pos: door for pos, door in doors.items() if door.is_open})
    if door is not None:
        return f"close the {name_of(door)}"  # an open door must be closed before it can be opened
    for door in doors.values():
        if door.is_locked and _keys(env, door.color):
            return _unlock_step(env, door, depth=0)
    return _clear_way(env, set(doors))


def _put_next(env, leaf: PutNextInstr) -> str:
    anchors = list(_at(env, leaf.desc_fixed.obj_poss).values())
    spots = put_spots(env, anchors)
    held = env.carrying
    if held is not None and held in leaf.desc_move.obj_set:
        found = put_route(env, anchors)
        if found is not None:
            return f"put the {name_of(held)} next to the {name_of(found[1])}"
        return "drop" if not spots else _clear_way(env, set(spots))
    if not spots:
        # Every side of the destination is taken: move one of the objects there out of the way.
        return "drop" if held is not None else _fetch(env, _beside(env, anchors))
    if route(env, set(spots)) is None:
        return _clear_way(env, set(spots))  # clear the way to the destination first
    return _fetch(env, leaf.desc_move.obj_set, keep_free=frozenset(spots))


def _beside(env, anchors: list[WorldObj]) -> list[WorldObj]:
    """Objects that can be picked up lying beside (not diagonal to) any of `anchors`."""
    found = []
    for x, y in on_grid(env, anchors):
        for dx, dy in ((1, 0), (-1, 0), (0, 1), (0, -1)):
            obj = env.grid.get(x + dx, y + dy)
            if obj is not None and obj.can_pickup():
                found.append(obj)
    return found


def _keys(env, color: str) -> dict[tuple[int, int], WorldObj]:
    return on_grid(env, [obj for obj in named_objects(env) if obj.type == "key" and obj.color == color])


def _clear_way(env, targets: set[tuple[int, int]], depth: int = 0) -> str:
    """The skill that removes the first obstacle between the agent and `targets`."""
    if depth > _MAX_DETOURS:
        raise ExpertStuck("too many nested obstacles")
    blocker = obstacle(env, targets) if targets else None
    if blocker is None:
        raise ExpertStuck("the target cannot be reached, even past locked doors and objects")
    if blocker.type == "door":
        return _unlock_step(env, blocker, depth)
    if env.carrying is not None:
        return "drop"
    return f"pick up the {name_of(blocker)}"


def _unlock_step(env, door: WorldObj, depth: int) -> str:
    """The next skill towards opening a locked door: clear the way to it, fetch its key, open it."""
    held = env.carrying
    cells = set(on_grid(env, [door]))
    if route(env, cells) is None:
        return _clear_way(env, cells, depth + 1)
    if held is not None and held.type == "key" and held.color == door.color:
        return f"open the {name_of(door)}"
    if held is not None:
        return "drop"
    keys = _keys(env, door.color)
    key = _nearest(env, keys)
    if key is not None:
        return f"pick up the {name_of(key)}"
    return _clear_way(env, set(keys), depth + 1)


# ---- primitive level -------------------------------------------------------------------------


class BotExpert:
    """BabyAIBot following one episode (see the module docstring)."""

    def __init__(self, env) -> None:
        self.bot = BabyAIBot(env)
        # Replace the bot's plan (made from the whole mission) with one for what is left.
        self.bot.stack = []
        remaining = mission.remaining_tree(env.instrs)
        if remaining is not None:
            self.bot._process_instr(remaining)
        self.suggestion: Actions = self.bot.replan()

    def observe(self, action: Actions) -> None:
        """Tell the bot the env took `action`; it replans from the new state."""
        self.suggestion = self.bot.replan(action)


def fallback_action(env) -> Actions:
    """The first primitive of the skill expert's plan."""
    skills = skill_plan(env)
    parsed = parse_skill(skills[0])
    assert parsed is not None
    return plan_skill(env, parsed).actions[0]


def bot_action_usable(env, action: Actions) -> bool:
    """Whether the env would accept the bot's action: not refused, and `done` only when it completes something."""
    if refusal(env, action) is not None:
        return False
    if action != Actions.done:
        return True
    sim = copy.deepcopy(env)
    before = mission.subgoals_done(sim.instrs, success=False)
    _, _, success = run_actions(sim, [Actions.done])
    return success or mission.subgoals_done(sim.instrs, success=False) > before
