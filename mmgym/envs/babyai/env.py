"""BabyAI levels (minigrid) as one mmgym env: egocentric image + text, primitive or skill actions.

The env keeps one minigrid env per level it has played and switches between them at reset, so a
single instance serves episodes of any level (`reusable`). minigrid's own step limit is set out
of reach: the suite enforces its own.
"""

from __future__ import annotations

from typing import Any, ClassVar

import numpy as np

from mmgym.core.language_env import EnvTraits, LanguageEnvBase
from mmgym.envs.babyai import deps, expert, mission  # noqa: F401  (deps first: one line if minigrid is missing)
from mmgym.envs.babyai.episodes import FINGERPRINTS
from mmgym.envs.babyai.grid import NEVER, LevelPool, check_level, layout
from mmgym.envs.babyai.primitives import (
    PRIMITIVE_GRAMMAR,
    PRIMITIVE_RULES,
    PRIMITIVES,
    WORDS,
    outcome,
    parse_primitive,
    refusal,
)
from mmgym.envs.babyai.skills import (
    SKILL_GRAMMAR,
    SKILL_RULES,
    Refused,
    candidate_skills,
    label_of,
    name_objects,
    name_of,
    parse_skill,
    plan_skill,
)
from mmgym.envs.babyai.view import describe_view, ego_view, render_full, render_view
from mmgym.envs.fingerprints import digest
from mmgym.errors import ConfigError, unknown_name

DEFAULT_LEVEL = "BabyAI-GoToLocal-v0"
ACTION_LEVELS = ("primitive", "skill")
DONE_REFUSAL = (
    "done completes no part of the mission here (it only helps when you already face an object you must go to)"
)


class BabyAIEnv(LanguageEnvBase):
    """A BabyAI level with the mmgym language contract.

    Observations: `image`, the agent's egocentric view (minigrid's agent-POV render, image_size
    pixels square; left out when `observe_image=False`); `text`, the same view in words; and
    `instruction`, the mission. `render()` draws the whole map from above.

    `action_level="primitive"`: BabyAI's actions in words (see `primitives`). `"skill"`: skills
    such as "pick up the red ball", each run as many primitive steps in one env step (see
    `skills`). An action that cannot do anything is refused (`valid` False, `feedback` says why)
    and changes nothing. Beyond the contract, `info` holds `subgoals_done` and `subgoals_total`
    (progress is their ratio; see `mission` for when a subgoal counts), `primitive_steps` (how
    many minigrid steps the action took) and `level`.

    `reset(seed=..., options={"level": ...})` plays any BabyAI level; the same level and seed
    always give the same episode. A (level, seed) of the frozen subsets is checked against its
    fingerprint (`episodes`): `EpisodeChanged` if minigrid now lays it out differently.
    """

    metadata: ClassVar[dict[str, Any]] = {"render_modes": ["rgb_array"], "render_fps": 4}
    # A primitive step costs ~0.15 ms with text only, ~0.3 ms with the 224 px image; a skill,
    # ~17 primitive steps planned on the grid, ~2-3 ms (`python -m mmgym.envs.babyai.speed`).
    traits: ClassVar[EnvTraits] = EnvTraits(cheap_steps=True, reusable=True, full_render=True)
    SUMMARY: ClassVar[str] = (
        "BabyAI levels (minigrid): egocentric view and its description; actions: primitive "
        "(turn left, go forward, pick up, ...) or skill (go to the red ball, open the blue door, ...)"
    )

    def __init__(
        self,
        level: str = DEFAULT_LEVEL,
        action_level: str = "primitive",
        image_size: int = 224,
        observe_image: bool = True,
        render_mode: str | None = "rgb_array",
    ) -> None:
        if action_level not in ACTION_LEVELS:
            raise unknown_name("action_level", str(action_level), ACTION_LEVELS)
        super().__init__(image_size, observe_image, render_mode)
        self.level = check_level(level)
        self.action_level = action_level
        # One minigrid env per level; minigrid never truncates (the suite sets the episode's limit), and
        # this env reads the grid, not minigrid's observation.
        self._levels = LevelPool(max_steps=NEVER, observe=False)
        self.grid_env: Any = None  # the minigrid env of the current episode
        self.episode_level = self.level
        self._over = False
        self._success = False
        self._bot: expert.BotExpert | None = None
        self._bot_broken = False

    # ---- gymnasium API ---------------------------------------------------------------------
    def reset(self, *, seed: int | None = None, options: dict[str, Any] | None = None):
        super().reset(seed=seed)
        options = dict(options or {})
        level = check_level(options.pop("level", self.level))
        if options:
            raise ConfigError(f"unknown reset option(s) {', '.join(map(repr, options))}; valid: 'level'")
        episode_seed = seed if seed is not None else int(self.np_random.integers(2**31))
        self.grid_env = self._levels.reset(level, episode_seed)
        FINGERPRINTS.verify((level, episode_seed), lambda: digest(layout(self.grid_env)))
        name_objects(self.grid_env)
        self.episode_level = level
        self._over = self._success = False
        self._bot, self._bot_broken = None, False
        return self._observation(), self._info(True, f"Mission: {self.grid_env.mission}.", 0, success=False)

    def step(self, action: Any):
        if self.grid_env is None:
            raise RuntimeError("call reset() before step()")
        if self._over:
            return self._refuse("the episode is over; reset the env to play again", terminated=True)
        if not isinstance(action, str):
            return self._refuse(f"an action must be a string, got {type(action).__name__}")
        if self.action_level == "primitive":
            return self._step_primitive(action)
        return self._step_skill(action)

    def render(self) -> np.ndarray:
        if self.grid_env is None:
            raise RuntimeError("call reset() before render()")
        return render_full(self.grid_env)

    # ---- actions ---------------------------------------------------------------------------
    def _step_primitive(self, text: str):
        action = parse_primitive(text)
        if action is None:
            return self._refuse(f"{text.strip()[:80]!r} is not an action; valid: {', '.join(PRIMITIVES)}")
        reason = refusal(self.grid_env, action)
        if reason is not None:
            return self._refuse(reason)
        unless = DONE_REFUSAL if action == PRIMITIVES["done"] else None
        return self._execute([action], outcome(self.grid_env, action), unless)

    def _step_skill(self, text: str):
        skill = parse_skill(text)
        if skill is None:
            return self._refuse(
                f"{text.strip()[:80]!r} is not a skill; skills look like 'go to the red ball', 'pick up the red ball', "
                "'open the red door', 'close the red door', 'drop', 'put the red ball next to the blue key'"
            )
        try:
            plan = plan_skill(self.grid_env, skill)
        except Refused as refused:
            return self._refuse(str(refused))
        message = plan.message
        if plan.doors_opened:
            message += f" On the way you opened the {' and the '.join(plan.doors_opened)}."
        unless = None
        if plan.needs_progress:
            unless = f"you already face the {name_of(plan.target)}, and that completes no part of the mission"
        return self._execute(plan.actions, message, unless)

    def _execute(self, actions: list, message: str, unless_progress: str | None = None):
        """Run primitive actions; with `unless_progress`, refuse (with that reason) if no subgoal got done."""
        env = self.grid_env
        before = mission.subgoals_done(env.instrs, success=False)
        steps, success = 0, False
        for action in actions:
            _, reward, terminated, _, _ = env.step(action)
            steps += 1
            if self._bot is not None:
                self._observe_bot(action)
            if terminated:
                self._over, self._success = True, reward > 0
                success = self._success
                break
        done = mission.subgoals_done(env.instrs, success)
        if unless_progress is not None and not success and done == before:
            return self._refuse(unless_progress, primitive_steps=steps)
        if success:
            message += " The mission is complete."
            if steps < len(actions):
                message += f" (It was completed on the way, after {steps} of {len(actions)} steps.)"
        elif self._over:
            message += " The mission has failed."
        elif done > before:
            message += f" Subgoals done: {done} of {len(mission.leaves(env.instrs))}."
        reward = 1.0 if success else 0.0
        return self._observation(), reward, self._over, False, self._info(True, message, steps, success)

    def _refuse(self, reason: str, terminated: bool = False, primitive_steps: int = 0):
        feedback = f"Invalid action: {reason}."
        return self._observation(), 0.0, terminated, False, self._info(False, feedback, primitive_steps, self._success)

    # ---- the expert ------------------------------------------------------------------------
    def expert_plan(self) -> list[str]:
        """Privileged: actions that complete the mission from the true current state.

        Primitive level: BabyAIBot's next action (a list of one). Skill level: every remaining
        skill (see `expert`). Empty once the episode is over, or when the expert knows no way.
        """
        if self.grid_env is None or self._over:
            return []
        try:
            if self.action_level == "skill":
                return expert.skill_plan(self.grid_env)
            return [WORDS[self._bot_action()]]
        except expert.ExpertStuck:
            return []  # no plan known from here (rare: see the expert success rates in `episodes`)

    def _bot_action(self):
        env = self.grid_env
        if self._bot is None and not self._bot_broken:
            try:
                self._bot = expert.BotExpert(env)
            except Exception:  # the bot's asserts fire in states it was not written for
                self._bot_broken = True
        if self._bot is not None and expert.bot_action_usable(env, self._bot.suggestion):
            return self._bot.suggestion
        self._bot, self._bot_broken = None, True
        return expert.fallback_action(env)

    def _observe_bot(self, action) -> None:
        try:
            self._bot.observe(action)
        except Exception:  # see _bot_action
            self._bot, self._bot_broken = None, True

    # ---- helpers ---------------------------------------------------------------------------
    def _observation(self) -> dict[str, Any]:
        view = ego_view(self.grid_env)
        label = label_of if self.action_level == "skill" else None
        observation: dict[str, Any] = {"text": describe_view(view, label), "instruction": self.grid_env.mission}
        if self.observe_image:
            observation["image"] = render_view(view, self.image_size)
        return observation

    def _info(self, valid: bool, feedback: str, primitive_steps: int, success: bool) -> dict[str, Any]:
        instrs = self.grid_env.instrs
        total = len(mission.leaves(instrs))
        done = mission.subgoals_done(instrs, success)
        return {
            "valid": valid,
            "feedback": feedback,
            "success": success,
            "progress": done / total,
            "subgoals_done": done,
            "subgoals_total": total,
            "primitive_steps": primitive_steps,
            "level": self.episode_level,
        } | self._menu()

    def _menu(self) -> dict[str, Any]:
        """The skills listed now (`candidate_actions`): carrying an object adds the "put ... next to" skills,
        so an agent that names skills by their place in the list needs this step's list."""
        return {"candidate_actions": self.candidate_actions()} if self.action_level == "skill" else {}

    # ---- prompt material -------------------------------------------------------------------
    def candidate_actions(self) -> list[str]:
        """Primitive level: the seven actions. Skill level: every skill for this level's objects."""
        if self.action_level == "primitive":
            return list(PRIMITIVES)
        return candidate_skills(self.grid_env) if self.grid_env is not None else []

    @property
    def rules(self) -> str:
        return PRIMITIVE_RULES if self.action_level == "primitive" else SKILL_RULES

    @property
    def action_grammar(self) -> str:
        return PRIMITIVE_GRAMMAR if self.action_level == "primitive" else SKILL_GRAMMAR
