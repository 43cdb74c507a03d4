"""What the AI2-THOR envs share: one simulator session per env, the language spaces, render and close."""

from __future__ import annotations

from typing import ClassVar

from mmgym.core.language_env import EnvTraits, LanguageEnvBase
from mmgym.envs.thor.session import ThorConfig, ThorSession


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
