"""Episode specs: plain, hashable data that says exactly which episode to run and how."""

from __future__ import annotations

import functools
import hashlib
import json
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict

from mmgym.errors import unknown_name

Mode = Literal["one_step", "multi_step"]
Modality = Literal["image_text", "text"]


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


ALL_SETTINGS: tuple[Setting, ...] = (
    Setting(mode="one_step", modality="image_text"),
    Setting(mode="one_step", modality="text"),
    Setting(mode="multi_step", modality="image_text", history=True),
    Setting(mode="multi_step", modality="image_text", history=False),
    Setting(mode="multi_step", modality="text", history=True),
    Setting(mode="multi_step", modality="text", history=False),
)


class EpisodeSpec(BaseModel):
    """One episode: env, its kwargs and reset options, seed, setting, step limit and tags.

    The id is readable and carries a hash of the whole spec, so changing anything that affects
    the episode (a kwarg, the step limit) makes it a new episode rather than a resumed one.
    """

    model_config = ConfigDict(frozen=True)

    suite: str
    task: str  # readable name of the level or task within the suite, e.g. "sokoban/007"
    env_id: str
    env_kwargs: dict[str, Any] = {}
    reset_options: dict[str, Any] = {}
    seed: int
    setting: Setting
    max_steps: int
    tags: tuple[str, ...] = ()

    @functools.cached_property
    def id(self) -> str:
        canonical = json.dumps(self.model_dump(mode="json"), sort_keys=True)
        digest = hashlib.sha256(canonical.encode()).hexdigest()[:10]
        return f"{self.suite}/{self.setting.name}/{self.task}/s{self.seed}-{digest}"
