"""Messages in the OpenAI chat-completions format, which HTTP servers and vLLM's `LLM.chat` both read."""

from __future__ import annotations

from typing import Any

from mmgym.agents.models.base import ImagePart, Message
from mmgym.agents.models.images import ImageEncoding

PNG = ImageEncoding()


def chat_messages(messages: list[Message], encoding: ImageEncoding = PNG) -> list[dict[str, Any]]:
    """Images become base64 data URLs (memoized per frame); a lone text part is sent as a plain string."""
    wire = []
    for message in messages:
        parts = message.parts
        if len(parts) == 1 and not isinstance(parts[0], ImagePart):
            wire.append({"role": message.role, "content": parts[0].text})
            continue
        content = []
        for part in parts:
            if isinstance(part, ImagePart):
                content.append({"type": "image_url", "image_url": {"url": encoding.data_url(part)}})
            else:
                content.append({"type": "text", "text": part.text})
        wire.append({"role": message.role, "content": content})
    return wire
