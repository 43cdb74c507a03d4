"""Rebuilt turns as chat-format training rows: what the model saw, and the reply it should give.

A row's `messages` are the turn's messages as the model was sent them (the system text, any
few-shot exchanges, the user message with its history and observation), then the assistant's
reply. Every message's content is a list of parts, `{"type": "text", "text": ...}` or
`{"type": "image"}`, and the images, in the order of their parts, are in the row's `images`: as
files beside the JSONL file or as data URLs. That is the layout vision-language fine-tuning tools
read (TRL's, for one), and it keeps each part free of keys it does not use, which a chat template
may test for (`'image' in part`) once `datasets` has filled missing keys with nulls.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable
from pathlib import Path
from typing import Any

from mmgym.agents.models.base import ImagePart, Message, TextPart
from mmgym.agents.models.images import ImageEncoding
from mmgym.core.records import EpisodeRecord
from mmgym.runners.rerender import RenderedEpisode, RenderedTurn

ImageRef = Callable[[ImagePart], str]  # a frame to the text that stands for it in `images`


class ImageFolder:
    """Writes each distinct frame once, named by its content digest; refers to it by its path from `base`."""

    def __init__(self, folder: Path, base: Path, encoding: ImageEncoding) -> None:
        self.folder, self.base, self.encoding = folder, base, encoding
        self.written = 0

    def __call__(self, part: ImagePart) -> str:
        data = self.encoding.encode(part.image)
        path = self.folder / f"{hashlib.sha256(data).hexdigest()[:20]}.{self.encoding.image_format}"
        if not path.exists():
            self.folder.mkdir(parents=True, exist_ok=True)
            path.write_bytes(data)
            self.written += 1
        return path.relative_to(self.base).as_posix()


def data_urls(encoding: ImageEncoding) -> ImageRef:
    """Frames as `data:image/...;base64,` URLs, encoded as the run's backend encoded them."""
    return encoding.data_url


def turn_row(episode: RenderedEpisode, turn: RenderedTurn, images: ImageRef) -> dict[str, Any]:
    """One agent call as a row: the messages it was sent and its reply."""
    refs: list[str] = []
    messages = [_message(m, images, refs) for m in turn.messages] + [_assistant(turn.reply)]
    return {**_about(episode.record), "id": f"{episode.record.id}/{turn.index}", "turn": turn.index,
            "messages": messages, "images": refs}  # fmt: skip


def episode_row(episode: RenderedEpisode, images: ImageRef) -> dict[str, Any]:
    """A whole episode as one conversation: the first turn's messages, then each later turn's user message
    (which carries its own history and observation) and every reply in order."""
    refs: list[str] = []
    messages: list[dict[str, Any]] = []
    for i, turn in enumerate(episode.turns):
        shown = turn.messages if i == 0 else turn.messages[-1:]
        messages += [_message(m, images, refs) for m in shown] + [_assistant(turn.reply)]
    return {**_about(episode.record), "id": episode.record.id, "turn": None, "messages": messages, "images": refs}


def _about(record: EpisodeRecord) -> dict[str, Any]:
    return {
        "episode_id": record.id,
        "suite": record.spec.suite,
        "task": record.spec.task,
        "seed": record.spec.seed,
        "groups": dict(record.groups),
        "success": record.success,
    }


def _message(message: Message, images: ImageRef, refs: list[str]) -> dict[str, Any]:
    content: list[dict[str, Any]] = []
    for part in message.parts:
        if isinstance(part, TextPart):
            content.append({"type": "text", "text": part.text})
        else:
            refs.append(images(part))
            content.append({"type": "image"})
    return {"role": message.role, "content": content}


def _assistant(reply: str) -> dict[str, Any]:
    return {"role": "assistant", "content": [{"type": "text", "text": reply}]}
