"""EmbodiedEval-style play: each step the agent picks one option from a menu rebuilt from the state."""

from __future__ import annotations

from typing import Any, ClassVar

import numpy as np

from mmgym.core.language_env import EnvTraits, LanguageEnvBase
from mmgym.envs.fingerprints import digest
from mmgym.tasks.embodied_eval.env.frozen import FINGERPRINTS, SETS
from mmgym.tasks.embodied_eval.env.menu import ChoiceError, Option, answer_option, menu_text, read_choice
from mmgym.tasks.embodied_eval.env.predicates import SUCCESS, Answered, PredicateTracker, WorldState
from mmgym.tasks.embodied_eval.env.task import Simulator, Task
from mmgym.tasks.embodied_eval.env.world import make_world

RULES = (
    "You are an agent in a 3D scene (or on a grid of rooms), seeing through your own eyes. Each step you "
    "choose one option from the numbered menu of what you can do right now; the menu changes as you move. "
    "A task succeeds when its goal conditions hold: walking to an object counts when you are within 1.5 "
    'of it. A question ends with your answer: choosing an `answer "..."` option ends the episode.'
)
GRAMMAR = "the number of one option of the current menu, written [N] (e.g. `Choice: [2]`), or the option's own words"


class EmbodiedEvalEnv(LanguageEnvBase):
    """A task (`reset(options={"scene": <Task>})`) played through an option menu; scored by predicates.

    A frozen task is checked against its fingerprint (`frozen`) at reset: `EpisodeChanged` if its
    simulator now builds the scene differently.

    Observations: `image` (the agent's view; left out when `observe_image=False`), `text` (the view in
    words) and `instruction`: the task followed by the current menu ("[1] move forward ..."), so the
    menu reaches the agent whatever it observes. An action names an option by number or words (see
    `menu`); a number outside the menu, or a reply that names none, is refused with feedback and
    changes nothing. An answer ends the episode; other tasks end when every predicate holds. With
    `max_steps`, the menu of a question's last step holds only its answers, as EmbodiedEval's does
    (refused choices count as steps; replies the agent could not parse never reach the env). With
    `refusal_ends` (EmbodiedEval's own loop), a refused choice ends the episode, a failure.

    Predicates about the past (`held_once`, `passed`, `action_succeeded`) are tracked over the episode
    (`predicates.PredicateTracker`); the option chosen and "success" reach them with each state.

    `info` holds, beyond the contract: `choice_error` ("", "no_match" or "out_of_range"),
    `predicates_met` and `predicates_total` (progress is their ratio), `answer` (the answer given,
    "" before one) and `candidate_actions` (the words of the current menu's options).
    """

    metadata: ClassVar[dict[str, Any]] = {"render_modes": ["rgb_array"], "render_fps": 4}
    traits: ClassVar[EnvTraits] = EnvTraits(reusable=True, full_render=True)  # a 3D render per step (MiniWorld)
    RULES: ClassVar[str] = RULES
    GRAMMAR: ClassVar[str] = GRAMMAR
    SUMMARY: ClassVar[str] = (
        "EmbodiedEval-style tasks on MiniWorld and BabyAI: a numbered option menu each step, predicate scoring"
    )

    def __init__(
        self,
        image_size: int = 256,
        observe_image: bool = True,
        max_steps: int | None = None,
        render_mode: str | None = "rgb_array",
        refusal_ends: bool = False,
    ) -> None:
        super().__init__(image_size, observe_image, render_mode)
        self.max_steps, self.refusal_ends = max_steps, refusal_ends
        self._worlds: dict[Simulator, Any] = {}
        self.world: Any = None
        self.task: Task | None = None
        self.menu: list[Option] = []
        self.start: WorldState | None = None
        self.answer: str | None = None
        self.chosen: str | None = None  # the option the last step carried out
        self.tracker: PredicateTracker | None = None
        self.steps = 0
        self._over = False

    # ---- gymnasium API ---------------------------------------------------------------------
    def reset(self, *, seed: int | None = None, options: dict[str, Any] | None = None):
        super().reset(seed=seed)
        self.task = SETS.scene_for_reset(options, seed)
        if self.task.simulator not in self._worlds:
            self._worlds[self.task.simulator] = make_world(self.task.simulator, self.image_size, self.observe_image)
        self.world = self._worlds[self.task.simulator]
        self.world.load(self.task)
        FINGERPRINTS.verify(self.task, lambda: digest(self.world.layout()))
        self.start, self.answer, self.chosen, self.steps, self._over = self.world.state(), None, None, 0, False
        self.tracker = PredicateTracker(self.task.predicates, self.start)
        self._rebuild_menu()
        return self._observation(), self._info(True, f"Task: {self.task.text}")

    def step(self, action: Any):
        if self.task is None:
            raise RuntimeError("call reset() before step()")
        if self._over:
            return self._refuse("the episode is over; reset the env to play again", "", terminated=True)
        self.steps += 1  # a refused choice costs a step too: the last step's answers-only menu must not lag
        index, error = read_choice(action, self.menu)
        self.chosen = None
        if index is None:
            shown = action.strip()[:80] if isinstance(action, str) else type(action).__name__
            reason = "is not a number on the menu" if error == "out_of_range" else "names no option"
            count = len(self.menu)
            self._over = self.refusal_ends
            self._rebuild_menu()
            ending = "; the episode ends (EmbodiedEval's rule)" if self.refusal_ends else ""
            return self._refuse(f"{shown!r} {reason}; choose one of [1] to [{count}]{ending}", error, self._over)
        option = self.menu[index]
        self.chosen = option.text
        if option.kind == "answer":
            self.answer, self._over = option.payload, True
            feedback = f"You answered {option.payload!r}."
        else:
            feedback = self.world.apply(option)
        met = self._met()
        self._over |= all(met) and not self.task.is_question
        self._rebuild_menu()
        success = self._over and all(met)
        return self._observation(), float(success), self._over, False, self._info(True, feedback)

    def render(self) -> np.ndarray:
        if self.task is None:
            raise RuntimeError("call reset() before render()")
        return self.world.render()

    def close(self) -> None:
        for world in self._worlds.values():
            world.close()
        self._worlds.clear()

    # ---- the expert ------------------------------------------------------------------------
    def expert_plan(self) -> list[str]:
        """Privileged: the options (by their words) that complete the task from the true state; for a
        question, the moves that meet its other predicates and bring what it asks about into view, then
        the right answer."""
        if self.task is None or self._over:
            return []
        moves = self.world.expert(self.task, self.start) or []
        right = [p.answer for p in self.task.predicates if isinstance(p, Answered)]
        return [*moves, answer_option(right[0]).text] if right else moves

    # ---- helpers ---------------------------------------------------------------------------
    def _state(self) -> WorldState:
        state = self.world.state()
        feedback = SUCCESS if self.chosen is not None else None
        return WorldState(state.agent, state.objects, state.holding, self.answer, state.heights, self.chosen, feedback)

    def _met(self) -> list[bool]:
        return self.tracker.update(self._state())

    def _rebuild_menu(self) -> None:
        answers = [answer_option(answer) for answer in self.task.answers]
        last_step = self.max_steps is not None and self.steps >= self.max_steps - 1
        self.menu = answers if answers and last_step else self.world.options() + answers

    def _observation(self) -> dict[str, Any]:
        image, text = self.world.observe()
        observation: dict[str, Any] = {
            "text": text,
            "instruction": f"{self.task.text}\nOptions:\n{menu_text(self.menu)}",
        }
        if image is not None:
            observation["image"] = image
        return observation

    def _refuse(self, reason: str, error: ChoiceError, terminated: bool = False):
        info = self._info(False, f"Invalid choice: {reason}.", error)
        return self._observation(), 0.0, terminated, False, info

    def _info(self, valid: bool, feedback: str, error: ChoiceError = "") -> dict[str, Any]:
        met = self._met()
        return {
            "valid": valid,
            "feedback": feedback,
            "success": self._over and all(met),
            "progress": sum(met) / len(met),
            "choice_error": error,
            "predicates_met": sum(met),
            "predicates_total": len(met),
            "answer": self.answer or "",
            "candidate_actions": [option.text for option in self.menu],
        }

    # ---- prompt material -------------------------------------------------------------------
    def candidate_actions(self) -> list[str]:
        """The words of the current menu's options (the menu changes from step to step; see `info`)."""
        return [option.text for option in self.menu]
