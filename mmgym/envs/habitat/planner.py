"""The expert: skills that meet an episode's goals from any state, and the subgoals EB-Habitat scores progress by.

The plan puts down whatever the robot holds (delivering it when a goal wants it somewhere), then
meets the `on` goals in order (opening the refrigerator or a drawer to reach inside), moves
objects off the places an `off` goal clears, goes where a `robot_at` goal says, and last opens or
closes parts as the goals want them. Every skill is checked on a copy of the state as it is added.

`subgoals` follows EB-Habitat's dataset validator: run the expert's plan from the start and keep,
after each skill, the goal-relevant predicates that hold then and did not at the start.
"""

from __future__ import annotations

from collections.abc import Sequence

from mmgym.envs.habitat.scene import Goal, Scene
from mmgym.envs.habitat.skills import BY_NAME, Skill
from mmgym.envs.habitat.state import State, reach
from mmgym.envs.habitat.world import PARTS

OPEN_AIR = tuple(name for name, r in BY_NAME.items() if r.open_air)
_PART_PLACE = {part.name: "refrigerator push point" if part.name == "refrigerator" else part.name for part in PARTS}


class _Planner:
    def __init__(self, state: State, goals: Sequence[Goal]) -> None:
        self.state, self.goals, self.skills = state.copy(), goals, []

    def do(self, verb: str, target: str) -> None:
        skill = Skill(verb, target)  # type: ignore[arg-type]
        reason = self.state.apply(skill)
        if reason is not None:
            raise AssertionError(f"the expert's {skill.words!r} fails: {reason}")
        self.skills.append(skill)

    def go(self, place: str) -> None:
        if self.state.robot != place:
            self.do("navigate", place)

    def operate(self, part: str, opened: bool) -> None:
        if (part in self.state.opened) != opened:
            if part not in reach(self.state.robot)[1]:
                self.go(_PART_PLACE[part])
            self.do("open" if opened else "close", part)

    def reach_inside(self, receptacle: str) -> None:
        self.go(receptacle)
        part = BY_NAME[receptacle].part
        if part is not None:
            self.operate(part, True)

    def fetch(self, kind: str) -> None:
        if self.state.held != kind:
            self.reach_inside(self.state.where[kind])
            self.do("pick", kind)

    def put(self, receptacle: str) -> None:
        self.reach_inside(receptacle)
        self.do("place", receptacle)

    def elsewhere(self, kind: str) -> str:
        """An open-air receptacle to leave an object on: where the robot is, if it may go there."""
        banned = {g.place for g in self.goals if g.predicate == "off" and g.object == kind}
        receptacles, _ = reach(self.state.robot)
        options = [r for r in receptacles if r in OPEN_AIR] + list(OPEN_AIR)
        return next(r for r in options if r not in banned)

    def run(self) -> list[Skill]:
        wanted = {g.object: g.place for g in self.goals if g.predicate == "on"}
        held = self.state.held
        if held is not None:
            self.put(wanted.get(held) or self.elsewhere(held))
        for goal in self.goals:
            if goal.predicate == "on" and not self.state.holds(goal):
                self.fetch(goal.object)
                self.put(goal.place)
        for goal in self.goals:
            if goal.predicate == "off" and not self.state.holds(goal):
                self.fetch(goal.object)
                self.put(self.elsewhere(goal.object))
        for goal in self.goals:
            if goal.predicate == "robot_at":
                self.go(goal.place)
        for goal in self.goals:
            if goal.predicate in ("opened", "closed"):
                self.operate(goal.place, goal.predicate == "opened")
        return self.skills


def plan(state: State, goals: Sequence[Goal]) -> list[Skill]:
    """Skills that take `state` to one where every goal holds (empty when they all do)."""
    if all(state.holds(goal) for goal in goals):
        return []
    return _Planner(state, goals).run()


def subgoals(scene: Scene) -> tuple[tuple[Goal, ...], ...]:
    """EB-Habitat's subgoals of an episode: the new relevant predicates after each step of the expert's plan."""
    state = State.start(scene)
    skills = plan(state, scene.goals)
    kinds = {g.object for g in scene.goals if g.object is not None}
    receptacles = {g.place for g in scene.goals if g.place in BY_NAME} | {state.where[k] for k in kinds}
    places = receptacles | {g.place for g in scene.goals if g.predicate == "robot_at"}
    places |= {s.target for s in skills if s.verb == "navigate"}
    parts = {g.place for g in scene.goals if g.predicate in ("opened", "closed")}
    parts |= {BY_NAME[r].part for r in receptacles if BY_NAME[r].part}
    universe = [
        *(Goal(predicate="on", object=k, place=r) for k in sorted(kinds) for r in sorted(receptacles)),
        *(Goal(predicate="holding", object=k) for k in sorted(kinds)),
        *(Goal(predicate="robot_at", place=p) for p in sorted(places)),
        *(Goal(predicate=p, place=part) for part in sorted(parts) for p in ("opened", "closed")),
    ]
    at_start = {g for g in universe if state.holds(g)}
    found = []
    for skill in skills:
        state.apply(skill)
        new = tuple(g for g in universe if g not in at_start and state.holds(g))
        if new:
            found.append(new)
    return tuple(found)
