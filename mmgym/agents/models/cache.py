"""An on-disk cache of model responses, so that re-running an evaluation does not pay for the same request twice.

The key is a hash of everything that decides the reply: model, endpoint, every message part (images by
their pixels and shape), decoding settings and any extra request parameters. Credentials are never part
of a request as seen here, so they never reach the key or the files. Sampled replies (temperature > 0)
are cached like greedy ones: whoever enables the cache asks for the same answer to the same request.
"""

from __future__ import annotations

import dataclasses
import hashlib
import json
import os
import tempfile
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

from mmgym.agents.models.base import GenerationConfig, ImagePart, Message, ModelResponse, TextPart, Usage

CACHE_FORMAT = 1


def _part_fingerprint(part: TextPart | ImagePart) -> dict[str, Any]:
    if isinstance(part, TextPart):
        return {"text": part.text}
    image = part.image
    digest = hashlib.sha256(memoryview(image.tobytes())).hexdigest()
    return {"image_sha256": digest, "shape": list(image.shape), "dtype": str(image.dtype)}


def request_key(
    model: str,
    base_url: str | None,
    messages: Sequence[Message],
    config: GenerationConfig,
    params: Mapping[str, Any] | None = None,
) -> str:
    """SHA-256 of the canonical JSON of a full request; params must be JSON-serialisable."""
    request = {
        "format": CACHE_FORMAT,
        "model": model,
        "base_url": base_url,
        "messages": [{"role": m.role, "parts": [_part_fingerprint(p) for p in m.parts]} for m in messages],
        "config": dataclasses.asdict(config),
        "params": dict(params or {}),
    }
    canonical = json.dumps(request, sort_keys=True, separators=(",", ":"), ensure_ascii=True, default=repr)
    return hashlib.sha256(canonical.encode("utf-8")).hexdigest()


class ResponseCache:
    """One JSON file per request key under `directory/ab/cd/<key>.json`, each written atomically."""

    def __init__(self, directory: str | os.PathLike[str]) -> None:
        self.directory = Path(directory)

    def __repr__(self) -> str:
        return f"ResponseCache({str(self.directory)!r})"

    def path(self, key: str) -> Path:
        return self.directory / key[:2] / key[2:4] / f"{key}.json"

    def get(self, key: str) -> ModelResponse | None:
        """The stored response marked cached (no latency, no cost), or None; an unreadable entry counts as a miss."""
        try:
            data = json.loads(self.path(key).read_text(encoding="utf-8"))
            usage = Usage(
                prompt_tokens=int(data["prompt_tokens"]), completion_tokens=int(data["completion_tokens"]), cached=True
            )
            return ModelResponse(text=str(data["text"]), usage=usage, model=str(data.get("model", "")))
        except (OSError, ValueError, KeyError, TypeError):
            return None

    def put(self, key: str, response: ModelResponse) -> None:
        """Store the text and token counts; a concurrent writer of the same key leaves one whole file."""
        path = self.path(key)
        path.parent.mkdir(parents=True, exist_ok=True)
        entry = {
            "format": CACHE_FORMAT,
            "text": response.text,
            "model": response.model,
            "prompt_tokens": response.usage.prompt_tokens,
            "completion_tokens": response.usage.completion_tokens,
        }
        fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{key[:8]}-", suffix=".tmp")
        try:
            with os.fdopen(fd, "w", encoding="utf-8") as handle:
                json.dump(entry, handle, ensure_ascii=False)
            os.replace(tmp, path)
        except BaseException:
            Path(tmp).unlink(missing_ok=True)
            raise
