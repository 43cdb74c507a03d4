"""What the AI2-THOR envs share: one simulator session per env, the language spaces, render and close."""

from __future__ import annotations

import functools
from collections.abc import Callable
from importlib import resources
from pathlib import Path
from typing import Any, ClassVar, TypeVar

from pydantic import BaseModel

from mmgym.core.language_env import EnvTraits, LanguageEnvBase
from mmgym.envs.thor.session import ThorConfig, ThorSession
from mmgym.errors import ConfigError

EpisodeT = TypeVar("EpisodeT", bound=BaseModel)


def episode_for_reset(
    options: dict[str, Any] | None,
    seed: int | None,
    model: type[EpisodeT],
    load_subset: Callable[[Path, str], list[EpisodeT]],
    shipped: str,
) -> EpisodeT:
    """`options["episode"]` (a dict or the model), as the suites pass it; without one, the seed modulo their number
    picks one of the base episodes shipped for the stand-in build (`standin/data/<shipped>`; None: the first), so
    that `gym.make` and `check_env` users can play."""
    if options and "episode" in options:
        return model.model_validate(options["episode"])
    if options:
        raise ConfigError(f"unknown reset option(s) {', '.join(map(repr, options))}; valid: 'episode'")
    episodes = _shipped_base(load_subset, shipped)
    return episodes[(seed or 0) % len(episodes)]


@functools.cache
def _shipped_base(load_subset: Callable[[Path, str], list[EpisodeT]], shipped: str) -> tuple[EpisodeT, ...]:
    return tuple(load_subset(Path(str(resources.files("mmgym.envs.thor.standin") / "data" / shipped)), "base"))


class ThorEnv(LanguageEnvBase):
    """A language env over one AI2-THOR process (`ThorSession`), kept across episodes; subclasses give
    `RULES`, `GRAMMAR` and the camera (`CAMERA`: extra `ThorConfig` fields)."""

    traits: ClassVar[EnvTraits] = EnvTraits(reusable=True)  # a simulator process per env: not cheap
    CAMERA: ClassVar[dict[str, float]] = {}

    def __init__(
        self,
        image_size: int = 500,
        observe_image: bool = True,
        executable: str | None = None,
        platform: str | None = None,
        x_display: str | None = None,
        render_mode: str | None = "rgb_array",
    ) -> None:
        super().__init__(image_size, observe_image, render_mode)
        place = {"executable": executable, "platform": platform, "x_display": x_display}
        self.session = ThorSession(ThorConfig(**place, width=image_size, height=image_size, **self.CAMERA))

    def render(self):
        return self.session.last_event.frame

    def close(self) -> None:
        self.session.close()
