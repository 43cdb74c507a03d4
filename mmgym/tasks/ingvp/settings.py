"""ING-VP's six settings, and how each maps onto mmgym's generic play rules.

ING-VP plays each level either in one step (one reply with the whole solution, every move
executed) or in many (one reply per turn, until solved or 50 steps), with image and text or text
only, with or without the history of past steps.
"""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, ConfigDict

from mmgym.core.spec import PlayRules
from mmgym.errors import unknown_name

Mode = Literal["one_step", "multi_step"]
Modality = Literal["image_text", "text"]
HIDDEN_INFO = ("optimal_remaining", "optimal_length", "progress")  # the exact solver's scoring fields


class Setting(BaseModel):
    """How the agent plays: whole solution at once or turn by turn, what it sees, whether it remembers."""

    model_config = ConfigDict(frozen=True)

    mode: Mode
    modality: Modality
    history: bool = False

    @property
    def name(self) -> str:
        parts = [self.mode, self.modality]
        if self.mode == "multi_step":
            parts.append("history" if self.history else "no_history")
        return "-".join(parts)

    @classmethod
    def parse(cls, name: str) -> Setting:
        """Inverse of `name`, e.g. 'multi_step-text-history'."""
        for setting in ALL_SETTINGS:
            if setting.name == name:
                return setting
        raise unknown_name("setting", name, [s.name for s in ALL_SETTINGS])

    def rules(self, max_steps: int) -> PlayRules:
        """The play rules of this setting.

        One-step play: a single reply whose actions are all executed (invalid moves change
        nothing), as ING-VP does. Multi-step play: a reply per turn, a plan in it executed until
        its first invalid move so the agent can react.
        """
        one_step = self.mode == "one_step"
        return PlayRules(
            actions_per_reply="solution" if one_step else "plan",
            observation=self.modality,
            history=self.history,
            max_steps=max_steps,
            single_reply=one_step,
            hidden_info=HIDDEN_INFO,
        )


ALL_SETTINGS: tuple[Setting, ...] = (
    Setting(mode="one_step", modality="image_text"),
    Setting(mode="one_step", modality="text"),
    Setting(mode="multi_step", modality="image_text", history=True),
    Setting(mode="multi_step", modality="image_text", history=False),
    Setting(mode="multi_step", modality="text", history=True),
    Setting(mode="multi_step", modality="text", history=False),
)
