"""PCA decisions as a gymnasium env: an image, a question, lettered actions; one reply, or a closed loop."""

from __future__ import annotations

from typing import Any, ClassVar

import numpy as np

from mmgym.core.language_env import EnvTraits, LanguageEnvBase
from mmgym.errors import ConfigError
from mmgym.tasks.pca.env.choice import choice_index
from mmgym.tasks.pca.env.domain import ClosedLoop
from mmgym.tasks.pca.env.frozen import FINGERPRINTS, domain, frozen_key, item_for_seed
from mmgym.tasks.pca.env.item import DecisionItem

RULES = (
    "You see an image and a question with lettered action choices. Choose the one best action and explain "
    "your reasoning: what in the image matters, and why it leads to your choice."
)
GRAMMAR = "the letter of one choice, e.g. `B`, or the choice's own words"


def _item_for_reset(options: dict[str, Any] | None, seed: int | None) -> DecisionItem:
    """`options["item"]` (a dict or the model); without one, a frozen item picked by the seed (`item_for_seed`)."""
    if options and "item" in options:
        return DecisionItem.model_validate(options["item"])
    if options:
        raise ConfigError(f"unknown reset option(s) {', '.join(map(repr, options))}; valid: 'item'")
    return item_for_seed(seed)


class PCAEnv(LanguageEnvBase):
    """One decision item (`reset(options={"item": ...})`), or a closed loop of up to `decisions` of them.

    Single decision (`decisions=1`, PCA-Bench's way): the observation is the item's image and its
    question with the lettered choices; one step chooses (`valid` when the reply names a choice),
    `success` when it is the right one, and the episode ends. Closed loop (`decisions>1`, an mmgym
    mode): the scene goes on after each chosen action, the next decision is asked from the new
    state, and the episode ends when the world says so (a crash, death, the goal reached) or after
    `decisions`. `info` holds `choice` (index, -1 for none), `correct`, and in a closed loop the
    outcome so far: `failed`, `reached`, `decisions`, `right_decisions` and the domain's measures.
    Items from PCA-Bench's own files (`item.image` set) are played from their image file
    (`image_dir`), single decision only. Without an item, the seed picks one of the frozen items
    (`frozen.item_for_seed`), so that `gym.make` and `check_env` users can play. A frozen item is
    checked at reset against its fingerprint (`frozen`): `EpisodeChanged` if its simulator now
    rebuilds another state from its scene.
    """

    traits: ClassVar[EnvTraits] = EnvTraits(reusable=True)
    RULES: ClassVar[str] = RULES
    GRAMMAR: ClassVar[str] = GRAMMAR
    SUMMARY: ClassVar[str] = (
        "PCA-Bench-style decisions from simulator states (driving, domestic robot, open-world game)"
    )

    def __init__(
        self,
        image_size: int = 256,
        observe_image: bool = True,
        decisions: int = 1,
        image_dir: str | None = None,
        render_mode: str | None = "rgb_array",
    ) -> None:
        super().__init__(image_size, observe_image, render_mode)
        if decisions < 1:
            raise ValueError(f"decisions must be at least 1, got {decisions}")
        self.decisions, self.image_dir = decisions, image_dir
        self.item: DecisionItem | None = None
        self.loop: ClosedLoop | None = None
        self.frame = np.zeros((image_size, image_size, 3), np.uint8)
        self.counts: dict[str, Any] = {}

    # ---- gymnasium API ---------------------------------------------------------------------
    def reset(self, *, seed: int | None = None, options: dict[str, Any] | None = None):
        super().reset(seed=seed)
        self._close_loop()
        item = _item_for_reset(options, seed)
        self.counts = {"decisions": 0, "right_decisions": 0, "failed": False, "reached": False}
        if self.decisions > 1:
            self.loop = domain(item.domain).closed_loop(item, self.decisions)
            FINGERPRINTS.verify(frozen_key(item), self.loop.fingerprint)
            self._show(self.loop.item() or item)
        else:
            self._show(item, verify=True)
        return self._observation(), self._info(True, "", choice=-1)

    def step(self, action: Any):
        if self.item is None:
            raise RuntimeError("call reset() before step()")
        item = self.item
        index = choice_index(str(action), item.actions)
        if index is None:
            feedback = f"Invalid action: {str(action)[:80]!r} names none of the choices {item.choices_text()}."
            return self._observation(), 0.0, self.loop is None, False, self._info(False, feedback, choice=-1)
        correct = index == item.answer_index
        self.counts["decisions"] += 1
        self.counts["right_decisions"] += correct
        if self.loop is None:
            feedback = f"You chose {item.labelled(index)}."
            return self._observation(), float(correct), True, False, self._info(True, feedback, index)
        outcome = self.loop.act(item.actions[index])
        self.counts["failed"] |= outcome.failed
        self.counts["reached"] |= outcome.reached
        self.counts.update(outcome.measures)
        following = None if outcome.done else self.loop.item()
        over = following is None
        truncated = not over and self.counts["decisions"] >= self.decisions
        if following is not None:
            self._show(following)
        else:
            self.frame = self.loop.frame(self.image_size)
        feedback = f"You chose {item.labelled(index)}. {outcome.feedback}".strip()
        return self._observation(), float(correct), over, truncated, self._info(True, feedback, index)

    def render(self) -> np.ndarray:
        return self.frame

    def close(self) -> None:
        self._close_loop()

    # ---- helpers ---------------------------------------------------------------------------
    def _show(self, item: DecisionItem, verify: bool = False) -> None:
        """Show `item`; with `verify`, check a frozen item's rebuilt state against its fingerprint (`frozen`)."""
        self.item = item
        if self.loop is not None:
            self.frame = self.loop.frame(self.image_size)
        elif item.image is not None:
            from mmgym.tasks.pca.pcabench import load_image

            self.frame = load_image(self.image_dir, item.image, self.image_size)
        else:
            self.frame, fingerprint = domain(item.domain).view(item, self.image_size)
            if verify:
                FINGERPRINTS.verify(frozen_key(item), lambda: fingerprint)

    def _close_loop(self) -> None:
        if self.loop is not None:
            self.loop.close()
            self.loop = None

    def _observation(self) -> dict[str, Any]:
        item = self.item
        question = item.prompt or f"{item.question}\nChoices: {item.choices_text()}"
        observation: dict[str, Any] = {"text": question, "instruction": question}
        if self.observe_image:
            observation["image"] = self.frame.copy()
        return observation

    def _info(self, valid: bool, feedback: str, choice: int) -> dict[str, Any]:
        correct = choice == self.item.answer_index
        closed = self.loop is not None
        # A closed loop succeeds by its outcome (decided at least once, never failed); a decision by its choice.
        success = self.counts["decisions"] > 0 and not self.counts["failed"] if closed else correct
        return {
            "valid": valid,
            "feedback": feedback,
            "success": bool(success),
            "progress": float(correct),
            "choice": choice,
            "correct": correct,
            **(self.counts if closed else {}),
        }

    def candidate_actions(self) -> list[str]:
        return list(self.item.actions) if self.item else []

    def expert_plan(self) -> list[str]:
        """The right choice of the current decision (privileged: the item's answer)."""
        return [self.item.answer] if self.item else []

    def expert_reasoning(self) -> str:
        """The current decision's reference reasoning (privileged): it names every key concept."""
        return self.item.reasoning if self.item else ""
