"""The symbolic rearrangement state and what each skill does to it, as habitat-lab's PDDL skills have it.

- navigate: always succeeds to a known place (habitat's `nav` has no precondition);
- pick: the robot holds nothing, is at the object's receptacle, and the object is not inside a
  closed refrigerator or drawer (the `pick` precondition, and EB-Habitat's prompt);
- place: the robot holds an object and is at the receptacle; the refrigerator or a drawer must be
  open (mmgym's rule: habitat's PDDL `place` does not ask, its simulator decides);
- open / close: the robot is at the part, and it is closed / open.
A failed skill changes nothing (habitat marks it `was_prev_action_invalid`).

"At" is symbolic here: the place the robot navigated to, where habitat measures distances (1.5 m
to pick, 2 m to place or open), so a few neighbouring places that count as near in habitat do not
here. The refrigerator is reached from the refrigerator or its push point; a drawer from itself or
its cabinet marker (cabinet 7 is the left drawer, cabinet 5 the right one).
"""

from __future__ import annotations

from dataclasses import dataclass, field

from mmgym.envs.habitat.scene import Goal, Scene
from mmgym.envs.habitat.skills import BY_NAME, Skill

_MARKER_REACH = {  # marker -> (receptacles, parts) within reach
    "refrigerator push point": ({"refrigerator"}, {"refrigerator"}),
    "cabinet 7": ({"left drawer of the kitchen counter"}, {"cabinet 7"}),
    "cabinet 6": (set(), {"cabinet 6"}),
    "cabinet 5": ({"right drawer of the kitchen counter"}, {"cabinet 5"}),
    "cabinet 4": (set(), {"cabinet 4"}),
}


def reach(place: str | None) -> tuple[set[str], set[str]]:
    """The receptacles and parts the robot can work on from `place` (None: where it spawned, nothing)."""
    if place is None:
        return set(), set()
    if place in _MARKER_REACH:
        receptacles, parts = _MARKER_REACH[place]
        return set(receptacles), set(parts)
    part = BY_NAME[place].part
    return {place}, ({part} if part else set())


@dataclass
class State:
    where: dict[str, str]  # object kind -> the receptacle it is on or in (absent while held)
    opened: set[str] = field(default_factory=set)
    held: str | None = None
    robot: str | None = None  # the place the robot navigated to last; None at its spawn point

    @classmethod
    def start(cls, scene: Scene) -> State:
        return cls({p.object: p.receptacle for p in scene.objects}, set(scene.opened))

    def copy(self) -> State:
        return State(dict(self.where), set(self.opened), self.held, self.robot)

    def accessible(self, receptacle: str) -> bool:
        """Its inside can be seen and reached: an open-air receptacle, or an open refrigerator or drawer."""
        part = BY_NAME[receptacle].part
        return part is None or part in self.opened

    def visible(self) -> dict[str, list[str]]:
        """What the robot's camera shows: receptacle -> the objects on or in it, at the place it stands."""
        receptacles, _ = reach(self.robot)
        return {
            r: [kind for kind, at in self.where.items() if at == r]
            for r in sorted(receptacles, key=list(BY_NAME).index)
            if self.accessible(r)
        }

    def refusal(self, skill: Skill) -> str | None:
        """Why the skill cannot run now, or None when it can."""
        receptacles, parts = reach(self.robot)
        if skill.verb == "pick":
            if self.held is not None:
                return f"the robot is holding the {self.held}"
            at = self.where.get(skill.target)
            if at is None or at not in receptacles:
                return f"no {skill.target} is near the robot"
            if not self.accessible(at):
                return f"the {skill.target} is inside the closed {BY_NAME[at].part}"
        elif skill.verb == "place":
            if self.held is None:
                return "the robot is holding nothing"
            if skill.target not in receptacles:
                return f"the robot is not at the {skill.target}"
            if not self.accessible(skill.target):
                return f"the {BY_NAME[skill.target].part} is closed"
        elif skill.verb in ("open", "close"):
            if skill.target not in parts:
                return f"the robot is not at the {skill.target}"
            if (skill.target in self.opened) == (skill.verb == "open"):
                return f"the {skill.target} is already {'open' if skill.verb == 'open' else 'closed'}"
        return None

    def apply(self, skill: Skill) -> str | None:
        """Run the skill: None when it ran, else why not (and nothing changed)."""
        reason = self.refusal(skill)
        if reason is not None:
            return reason
        if skill.verb == "navigate":
            self.robot = skill.target
        elif skill.verb == "pick":
            del self.where[skill.target]
            self.held = skill.target
        elif skill.verb == "place":
            self.where[self.held] = skill.target
            self.held = None
        elif skill.verb == "open":
            self.opened.add(skill.target)
        else:
            self.opened.discard(skill.target)
        return None

    def holds(self, goal: Goal) -> bool:
        predicate = goal.predicate
        if predicate == "on":
            return self.where.get(goal.object) == goal.place
        if predicate == "off":
            return self.where.get(goal.object) != goal.place
        if predicate == "holding":
            return self.held == goal.object
        if predicate == "not_holding":
            return self.held is None
        if predicate == "robot_at":
            return self.robot == goal.place
        return (goal.place in self.opened) == (predicate == "opened")
