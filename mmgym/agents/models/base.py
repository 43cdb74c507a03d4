"""The one small interface every model backend implements: chat messages in, text and usage out.

Messages follow the OpenAI chat shape so that the HTTP backend can send them as they are and
local backends can hand them to a processor's chat template: a message is a role and a list of
parts, each part text or an image (an RGB uint8 array, encoded by whoever needs bytes).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Literal, Protocol, runtime_checkable

import numpy as np

from mmgym.errors import MmgymError

Role = Literal["system", "user", "assistant"]


@dataclass(frozen=True)
class TextPart:
    text: str


@dataclass(frozen=True, eq=False)
class ImagePart:
    """A frame in a message. An agent that shows the same frame again (as history) passes the same
    part, so its `memo` of derived forms (encoded data URLs, digests) spares re-encoding it."""

    image: np.ndarray  # H x W x 3, uint8
    memo: dict[Any, Any] = field(default_factory=dict, repr=False, compare=False)


Part = TextPart | ImagePart


@dataclass(frozen=True)
class Message:
    role: Role
    parts: tuple[Part, ...]

    @classmethod
    def text(cls, role: Role, text: str) -> Message:
        return cls(role, (TextPart(text),))


@dataclass(frozen=True)
class GenerationConfig:
    """Decoding settings a request may carry; backends map them to their own names."""

    max_tokens: int = 512
    temperature: float = 0.0  # 0 means greedy
    top_p: float = 1.0
    seed: int | None = None


@dataclass
class Usage:
    prompt_tokens: int = 0
    completion_tokens: int = 0
    latency_s: float = 0.0
    cost_usd: float = 0.0
    cached: bool = False


@dataclass
class ModelResponse:
    text: str
    usage: Usage = field(default_factory=Usage)
    model: str = ""


class ModelError(MmgymError):
    """A request that still failed after the backend's retries; the episode ends as an error."""


@runtime_checkable
class ModelBackend(Protocol):
    """Shared by every episode of a run; must be safe to call from many coroutines at once."""

    name: str

    async def generate(self, messages: list[Message], config: GenerationConfig) -> ModelResponse: ...

    async def close(self) -> None: ...
