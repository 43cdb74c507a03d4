"""EB-Habitat's household rearrangement with high-level skills, with the mmgym language contract."""

from __future__ import annotations

from typing import Any, ClassVar, Literal

import numpy as np

from mmgym.core.language_env import EnvTraits, LanguageEnvBase
from mmgym.envs.fingerprints import digest
from mmgym.envs.habitat.describe import describe
from mmgym.envs.habitat.frozen import FINGERPRINTS, SETS, SUBSETS
from mmgym.envs.habitat.skills import GRAMMAR, RULES, SKILL_WORDS, parse_skill
from mmgym.errors import ConfigError

MAX_STEPS = 30  # EBHabEnv's _max_episode_steps
MAX_INVALID = 10  # and its _max_invalid_actions
EPISODES_PER_SUBSET = 50  # EB-Habitat's own episodes per subset (simulator=habitat)
Simulator = Literal["standin", "habitat"]
_HINTS = {  # EBHabEnv's hints after a failed skill: (verb, holding something) -> words
    ("pick", True): " Robot cannot pick any object when holding something. Please place the object before picking"
    " something.",
    ("pick", False): " Robot cannot pick any object that is not near the robot. Navigate to other place to find the"
    " object.",
    ("place", True): " Robot cannot place any object that is not near the robot. Navigate to other place to find the"
    " object.",
    ("place", False): " Robot cannot place any object when not holding something. Please pick the object before place"
    " it.",
    ("open", False): " Check whether the receptacle is already open or the robot is not near the receptacle.",
    ("close", False): " Check whether the receptacle is already closed or the robot is not near the receptacle.",
}


class EBHabitatEnv(LanguageEnvBase):
    """Rearrange objects in a ReplicaCAD apartment with EB-Habitat's 70 skills (navigate, pick, place, open, close).

    `simulator="standin"` (the default) plays symbolic scenes (`standin`): `reset(options={"scene":
    ...})` takes a `Scene` (a dict or the model), the suite's are frozen (`episodes`); without a
    scene, the seed picks a frozen base episode; a frozen scene is checked against its fingerprint
    (`frozen`). `simulator="habitat"` drives habitat-lab (`real`;
    conda only, with EB-Habitat's data in `./data`) and plays EB-Habitat's own episodes:
    `reset(options={"subset": ..., "index": ...})`.

    Observations: `image`, habitat's `head_rgb` (`image_size` pixels square; left out when
    `observe_image=False`); `text`, what the camera shows in words (an mmgym extension);
    `instruction`. Actions: one of the 70 skills, word for word (`candidate_actions()`). A skill
    whose preconditions fail is refused (`valid` False) and changes nothing; the feedback is
    EBHabEnv's. As in EBHabEnv, the episode ends on success, after 30 skills (truncated) or on the
    10th refused action (text that is no skill counts, but is not a step). `progress` is
    EB-Habitat's task_progress (share of the episode's subgoals reached). Beyond the contract,
    `info` holds `held` and `subgoals_met`. `render()` shows every object (the stand-in only).
    """

    # a frame per step (and a 3D simulator under habitat): not cheap
    traits: ClassVar[EnvTraits] = EnvTraits(reusable=True, full_render=True)
    RULES: ClassVar[str] = RULES
    GRAMMAR: ClassVar[str] = GRAMMAR
    SUMMARY: ClassVar[str] = (
        "EB-Habitat household rearrangement: 70 high-level skills; a symbolic stand-in or habitat-lab"
    )

    def __init__(
        self,
        image_size: int = 500,
        observe_image: bool = True,
        simulator: Simulator = "standin",
        render_mode: str | None = "rgb_array",
    ) -> None:
        super().__init__(image_size, observe_image, render_mode)
        if simulator not in ("standin", "habitat"):
            raise ConfigError(f"unknown simulator {simulator!r}; valid: habitat, standin")
        self.simulator = simulator
        if simulator == "habitat":
            from mmgym.envs.habitat.real import RealHabitat

            self.sim: Any = RealHabitat(image_size)
        else:
            from mmgym.envs.habitat.standin import StandInHabitat

            self.sim = StandInHabitat(image_size)
        self.instruction = ""
        self.steps = self.invalid = 0
        self.held = ""
        self._frame: np.ndarray | None = None
        self._info_sim: dict[str, Any] = {}
        self._over = self._ready = False

    # ---- gymnasium API ---------------------------------------------------------------------
    def reset(self, *, seed: int | None = None, options: dict[str, Any] | None = None):
        super().reset(seed=seed)
        if self.simulator == "habitat":
            self.sim.load(*_episode_option(options))
        else:
            self.sim.load(SETS.scene_for_reset(options, seed))
        observation, self._info_sim = self.sim.reset()
        self._frame = observation["head_rgb"]
        self.instruction = self._info_sim["lang_goal"]
        self.steps = self.invalid = 0
        self.held = ""
        self._over, self._ready = False, True
        start = self._observation(), self._info(True, f"Task: {self.instruction}")
        if self.simulator == "standin":
            FINGERPRINTS.verify(self.sim.scene, lambda: digest(start[0]["text"], start[0]["instruction"], start[1]))
        return start

    def step(self, action: Any):
        if not self._ready:
            raise RuntimeError("call reset() before step()")
        if self._over:
            return self._refuse("the episode is over; reset the env to play again", terminated=True)
        skill = parse_skill(action)
        if skill is None:  # EmbodiedBench's planner marks such a reply invalid without stepping the simulator
            self.invalid += 1
            shown = action.strip()[:80] if isinstance(action, str) else type(action).__name__
            return self._refuse(f"{shown!r} is not one of the listed skills", terminated=self.invalid >= MAX_INVALID)
        observation, _, done, self._info_sim = self.sim.step(self.sim.skills.index(skill.words))
        self._frame = observation["head_rgb"]
        self.steps += 1
        failed = bool(self._info_sim["was_prev_action_invalid"])
        self.invalid += failed
        feedback = self._feedback(skill.verb, skill.target, failed)
        success = bool(self._info_sim["predicate_task_success"])
        terminated = success or done or self.invalid >= MAX_INVALID
        truncated = not terminated and self.steps >= MAX_STEPS
        self._over = terminated or truncated
        if success:
            feedback += " The task is complete."
        return self._observation(), float(success), terminated, truncated, self._info(not failed, feedback)

    def render(self) -> np.ndarray:
        if not self._ready:
            raise RuntimeError("call reset() before render()")
        return self.sim.render()

    # ---- the expert ------------------------------------------------------------------------
    def expert_plan(self) -> list[str]:
        """Privileged: skills that reach the goal from the true state; empty once over (and under habitat)."""
        if not self._ready or self._over or self.simulator == "habitat":
            return []
        return [skill.words for skill in self.sim.expert()]

    # ---- helpers ---------------------------------------------------------------------------
    def _feedback(self, verb: str, target: str, failed: bool) -> str:
        """EBHabEnv's verbose feedback, which tracks what the robot holds from its own successful skills."""
        if failed:
            hint = (
                _HINTS.get((verb, bool(self.held)), "") if verb in ("pick", "place") else _HINTS.get((verb, False), "")
            )
            return "Last action is invalid." + hint
        if verb == "pick":
            self.held = target
            return f"Last action executed successfully and you are holding {target}."
        if verb == "place":
            self.held = ""
            return "Last action executed successfully and you are holding nothing."
        if verb in ("open", "close"):
            return f"Last action executed successfully and now {target} is {'open' if verb == 'open' else 'closed'}."
        return "Last action executed successfully."

    def _observation(self) -> dict[str, Any]:
        if self.simulator == "habitat":
            text = f"The robot is holding {f'the {self.held}' if self.held else 'nothing'}."
        else:
            text = describe(self.sim.state)
        observation: dict[str, Any] = {"text": text, "instruction": self.instruction}
        if self.observe_image:
            observation["image"] = np.array(self._frame[:, :, :3], dtype=np.uint8)  # a copy: callers keep it
        return observation

    def _refuse(self, reason: str, terminated: bool = False):
        self._over = self._over or terminated
        return self._observation(), 0.0, terminated, False, self._info(False, f"Invalid action: {reason}.")

    def _info(self, valid: bool, feedback: str) -> dict[str, Any]:
        success = bool(self._info_sim.get("predicate_task_success", False))
        met = self.sim.subgoals_met() if self.simulator == "standin" else 0
        return {
            "valid": valid,
            "feedback": feedback,
            "success": success,
            "progress": 1.0 if success else float(self._info_sim.get("task_progress", 0.0)),
            "held": self.held,
            "subgoals_met": met,
        }

    # ---- prompt material -------------------------------------------------------------------
    def candidate_actions(self) -> list[str]:
        return list(self.sim.skills or SKILL_WORDS)

    def close(self) -> None:
        if self.simulator == "habitat":
            self.sim.close()


def _episode_option(options: dict[str, Any] | None) -> tuple[str, int]:
    """(subset, index) of an EB-Habitat episode, from `reset(options={"subset": ..., "index": ...})`."""
    options = dict(options or {})
    subset, index = options.pop("subset", "base"), options.pop("index", 0)
    if options:
        raise ConfigError(f"unknown reset option(s) {', '.join(map(repr, options))}; valid: 'subset', 'index'")
    if subset not in SUBSETS or not isinstance(index, int) or not 0 <= index < EPISODES_PER_SUBSET:
        raise ConfigError(f"no EB-Habitat episode {subset!r} #{index!r}; subsets: {', '.join(SUBSETS)}, index 0-49")
    return subset, index
