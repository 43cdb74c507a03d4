"""EB-ALFRED on AI2-THOR: household tasks with high-level skills, through ai2thor's own `Controller`."""

from __future__ import annotations

from typing import Any, ClassVar

from mmgym.envs.thor.alfred_executor import SkillExecutor
from mmgym.envs.thor.alfred_goals import conditions_met, with_goal_steps
from mmgym.envs.thor.alfred_skills import global_skills, instance_names, instance_skills, match_skill, skill_index
from mmgym.envs.thor.episodes import AlfredEpisode, episode_for_reset
from mmgym.envs.thor.thor_env import ThorEnv

MAX_INVALID = 10  # EB-ALFRED ends an episode at its tenth failed skill
RULES = (
    "You are a household robot. Complete the task with high-level skills, one per action: find an object "
    "(you walk to it), pick it up, put down the object in hand (into the receptacle you last found), drop it, "
    "open/close, turn on/off, slice (holding a knife). Several instances of a type are numbered (Cabinet_2). "
    f"An episode ends when the task is done, or after {MAX_INVALID} failed skills."
)
GRAMMAR = "one listed skill, e.g. `find a Apple`, `pick up the Apple`, `put down the object in hand`"


class EBAlfredEnv(ThorEnv):
    """EB-ALFRED's skills on an AI2-THOR scene restored from an ALFRED trajectory.

    `reset(options={"episode": AlfredEpisode as a dict})` loads the scene, restores its objects'
    poses, toggles and dirt, and teleports the agent to the start, as EmbodiedBench does; the same
    simulator process serves every episode. Observations: `image`, the agent's camera; `text`, the
    objects in view and what the agent holds (an mmgym addition); `instruction`. A skill not in
    the list is refused and changes nothing; a listed skill that fails in the simulator (an object
    out of reach, a closed receptacle) counts as invalid too, as in EB-ALFRED. `success` is all of
    ALFRED's goal conditions, `progress` their share; `info` adds `goal_conditions`, `held` and
    `poses_restored` (how many of the trajectory's object poses named an object of the loaded scene:
    ALFRED recorded them in ai2thor 2.1.0, and a later build may name objects differently).
    Without an episode, the seed picks one of the base episodes shipped for the stand-in build.
    """

    RULES: ClassVar[str] = RULES
    GRAMMAR: ClassVar[str] = GRAMMAR
    SUMMARY: ClassVar[str] = "EB-ALFRED on AI2-THOR (ai2thor's Controller): household tasks with high-level skills"

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.episode: AlfredEpisode | None = None
        self.executor: SkillExecutor | None = None
        self.skills: list[str] = []
        self.index: dict[str, str] = {}
        self.met, self.total, self.invalid, self.steps_taken = 0, 1, 0, 0
        self.poses_restored = ""

    # ---- gymnasium API ---------------------------------------------------------------------
    def reset(self, *, seed: int | None = None, options: dict[str, Any] | None = None):
        super().reset(seed=seed)
        episode = episode_for_reset(options, seed, AlfredEpisode, "eb_alfred")
        self.episode = episode
        session = self.session
        loaded = session.reset(episode.scene).metadata["objects"]
        names = {o["name"] for o in loaded}  # ALFRED recorded its poses by these names (in ai2thor 2.1.0)
        matched = sum(pose["objectName"] in names for pose in episode.object_poses)
        self.poses_restored = f"{matched}/{len(episode.object_poses)}"
        if episode.object_toggles:
            session.step({"action": "SetObjectToggles", "objectToggles": episode.object_toggles})
        if episode.dirty_and_empty:
            session.step({"action": "SetStateOfAllObjects", "StateChange": "CanBeDirty", "forceAction": True})
        session.step({"action": "SetObjectPoses", "objectPoses": episode.object_poses})
        start = {k: v for k, v in episode.init_action.items() if k != "rotateOnTeleport"} | {"standing": True}
        session.step(start)
        objects = session.last_event.metadata["objects"]
        numbered = instance_names(objects)
        self.skills = global_skills() + instance_skills(numbered, objects)
        self.index = skill_index(self.skills)
        self.executor = SkillExecutor(session, numbered)
        self.invalid = self.steps_taken = 0
        self._score()
        return self._observation(), self._info(True, f"Task: {episode.instruction}")

    def step(self, action: Any):
        if self.executor is None:
            raise RuntimeError("call reset() before step()")
        self.steps_taken += 1
        skill = match_skill(str(action), self.index)
        if skill is None:
            return self._after(False, f"Invalid action: {str(action)[:80]!r} is not one of the listed skills.")
        message = self.executor.run(skill)
        self._score()
        if message:
            return self._after(False, f"Last action is invalid. {message}")
        return self._after(
            True, "Last action executed successfully." + (" The task is complete." if self._done else "")
        )

    def _after(self, valid: bool, feedback: str):
        if not valid:
            self.invalid += 1
        truncated = self.invalid >= MAX_INVALID and not self._done
        if truncated:
            feedback += f" That was the {MAX_INVALID}th failed action: the episode ends."
        return self._observation(), float(self._done), self._done, truncated, self._info(valid, feedback)

    @property
    def _done(self) -> bool:
        return self.met == self.total

    def _score(self) -> None:
        episode, executor = self.episode, self.executor
        metadata = self.session.last_event.metadata
        self.met, self.total = conditions_met(episode.task_type, episode.pddl_params, metadata, executor.changed)

    # ---- the expert ------------------------------------------------------------------------
    def expert_plan(self) -> list[str]:
        """The episode's reference plan (EmbodiedBench's), completed from the goal, as listed skills;
        empty once done.

        EB-ALFRED's reference plans for clean-then-place tasks put the object into the sink and never
        turn the faucet on, which its own env requires to clean; the expert adds the faucet steps
        the goal needs (`with_goal_steps`). It is the whole plan from the start, not a replanning
        expert: `agent=oracle` follows it from the episode's first step.
        """
        if self.episode is None or self._done:
            return []
        reference = with_goal_steps(self.episode.task_type, self.episode.reference_plan)
        plan = [match_skill(step, self.index) or step for step in reference]
        return plan[self.steps_taken :]

    # ---- helpers ---------------------------------------------------------------------------
    def _observation(self) -> dict[str, Any]:
        event = self.session.last_event
        metadata = event.metadata
        seen = sorted({o["objectType"] for o in metadata["objects"] if o["visible"]})
        held = metadata["inventoryObjects"]
        text = f"You see: {', '.join(seen) or 'nothing you can name'}. "
        text += f"You hold: {held[0]['objectType']}." if held else "Your hand is empty."
        observation: dict[str, Any] = {"text": text, "instruction": self.episode.instruction}
        if self.observe_image:
            observation["image"] = event.frame.copy()
        return observation

    def _info(self, valid: bool, feedback: str) -> dict[str, Any]:
        held = self.session.last_event.metadata["inventoryObjects"]
        return {
            "valid": valid,
            "feedback": feedback,
            "success": self._done,
            "progress": self.met / self.total,
            "goal_conditions": f"{self.met}/{self.total}",
            "held": held[0]["objectType"] if held else "",
            "poses_restored": self.poses_restored,  # the trajectory's object poses this scene had names for
        }

    def candidate_actions(self) -> list[str]:
        return list(self.skills)
