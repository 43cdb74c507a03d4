"""A stand-in for habitat-lab's language-rearrangement gym env, speaking the part of it EB-Habitat reads.

habitat-sim installs only through conda, so mmgym plays EB-Habitat's skills on a symbolic state
(`state`) instead. Like habitat's env as EBHabEnv drives it, `reset()` returns the observation and
info, `step(action_id)` the old-gym four values; the observation holds `head_rgb` and info holds
`was_prev_action_invalid`, `predicate_task_success`, `task_progress`, `lang_goal` and `action`
(the PDDL call, e.g. `pick_apple(robot_0)`). `task_progress` is EB-Habitat's: the share of the
episode's subgoals reached so far (once reached, a subgoal stays counted); success ends the episode.

What it does not model: the 3D apartment and its photographs (`head_rgb` is a floor plan, with
objects drawn only on the receptacle the robot stands at), distances (near means "navigated
there"), object instances beyond one per kind, physics (a placed object always lands; habitat's
can fall off or be blocked), and the robot's random spawn pose.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from mmgym.envs.habitat.planner import plan
from mmgym.envs.habitat.render import draw
from mmgym.envs.habitat.scene import Scene
from mmgym.envs.habitat.skills import SKILL_WORDS, SKILLS, Skill
from mmgym.envs.habitat.state import State

_PDDL = {"navigate": "nav", "pick": "pick", "place": "place"}


def pddl_call(skill: Skill) -> str:
    """The PDDL call habitat reports in `info["action"]`, in its spelling (`nav(...)`, `pick_apple(robot_0)`)."""
    if skill.verb == "pick":
        return f"pick_{skill.target}(robot_0)"
    if skill.verb in ("open", "close"):
        kind = "fridge" if skill.target == "refrigerator" else "cab"
        return f"{skill.verb}_{kind}({skill.target})"
    return f"{_PDDL[skill.verb]}({skill.target})"


class StandInHabitat:
    """One episode at a time: `load(scene)`, then `reset()` and `step(action_id)` over `SKILL_WORDS`."""

    skills = SKILL_WORDS

    def __init__(self, image_size: int) -> None:
        self.image_size = image_size
        self.scene: Scene | None = None
        self.state = State({})
        self._reached: list[bool] = []

    def load(self, scene: Scene) -> None:
        self.scene = scene

    def reset(self) -> tuple[dict[str, np.ndarray], dict[str, Any]]:
        if self.scene is None:
            raise RuntimeError("load a scene before reset()")
        self.state = State.start(self.scene)
        self._reached = [False] * len(self.scene.subgoals)
        return self._observation(), self._info(False, "")

    def step(self, action: int) -> tuple[dict[str, np.ndarray], float, bool, dict[str, Any]]:
        skill = SKILLS[action]
        before = self._progress()
        invalid = self.state.apply(skill) is not None
        info = self._info(invalid, pddl_call(skill))
        reward = 5.0 * (info["task_progress"] - before)  # habitat's subgoal reward
        return self._observation(), reward, bool(info["predicate_task_success"]), info

    def render(self) -> np.ndarray:
        """Everything, contents of closed parts included (greyed): more than the robot sees."""
        return draw(self.state, self.image_size, visible_only=False)

    def expert(self) -> list[Skill]:
        """Privileged: the planner's skills from the true state."""
        return plan(self.state, self.scene.goals) if self.scene is not None else []

    def goals_met(self) -> list[bool]:
        return [self.state.holds(goal) for goal in self.scene.goals]

    def subgoals_met(self) -> int:
        return sum(self._reached)

    def _progress(self) -> float:
        return sum(self._reached) / max(len(self._reached), 1)

    def _observation(self) -> dict[str, np.ndarray]:
        return {"head_rgb": draw(self.state, self.image_size, visible_only=True)}

    def _info(self, invalid: bool, action: str) -> dict[str, Any]:
        for i, subgoal in enumerate(self.scene.subgoals):
            self._reached[i] = self._reached[i] or all(self.state.holds(goal) for goal in subgoal)
        success = all(self.goals_met())
        return {
            "was_prev_action_invalid": invalid,
            "predicate_task_success": success,
            "task_progress": 1.0 if success else self._progress(),
            "lang_goal": self.scene.instruction,
            "action": action,
        }
