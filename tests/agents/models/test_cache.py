"""The response cache: keys change with every part of a request, entries survive on disk and come back cached."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import numpy as np
import pytest

from mmgym.agents.models.base import GenerationConfig, ImagePart, Message, ModelResponse, TextPart, Usage
from mmgym.agents.models.cache import ResponseCache, request_key

IMAGE = np.arange(2 * 6 * 3, dtype=np.uint8).reshape(2, 6, 3)


def messages(text: str = "go", image: np.ndarray = IMAGE, role: str = "user") -> list[Message]:
    return [Message.text("system", "be brief"), Message(role, (TextPart(text), ImagePart(image)))]  # type: ignore[arg-type]


def key(**changes: Any) -> str:
    request: dict[str, Any] = {
        "model": "m",
        "base_url": "http://127.0.0.1:1/v1",
        "messages": messages(),
        "config": GenerationConfig(),
        "params": {"image_format": "png"},
    }
    request.update(changes)
    return request_key(**request)


def test_key_is_stable_for_equal_requests() -> None:
    assert key() == key(messages=messages(image=IMAGE.copy()))
    assert len(key()) == 64


@pytest.mark.parametrize(
    "changes",
    [
        {"model": "other"},
        {"base_url": "http://127.0.0.1:2/v1"},
        {"base_url": None},
        {"messages": messages(text="stop")},
        {"messages": messages(role="assistant")},
        {"messages": messages()[1:]},
        {"messages": messages(image=np.where(IMAGE == 5, 6, IMAGE).astype(np.uint8))},
        {"messages": messages(image=IMAGE.reshape(6, 2, 3))},  # same bytes, other shape
        {"config": GenerationConfig(max_tokens=7)},
        {"config": GenerationConfig(temperature=0.5)},
        {"config": GenerationConfig(top_p=0.9)},
        {"config": GenerationConfig(seed=1)},
        {"params": {"image_format": "jpeg"}},
        {"params": {"image_format": "png", "extra_body": {"top_k": 5}}},
    ],
)
def test_key_changes_with_every_part_of_the_request(changes: dict[str, Any]) -> None:
    assert key(**changes) != key()


def test_put_then_get_returns_a_cached_copy_without_latency_or_cost(tmp_path: Path) -> None:
    cache = ResponseCache(tmp_path / "cache")
    original = ModelResponse("move left", Usage(11, 4, latency_s=1.5, cost_usd=0.25), model="m-2024")
    cache.put(key(), original)
    hit = cache.get(key())
    assert hit == ModelResponse("move left", Usage(11, 4, latency_s=0.0, cost_usd=0.0, cached=True), model="m-2024")
    assert original.usage.cached is False
    assert ResponseCache(tmp_path / "cache").get(key()) == hit  # survives a new instance


def test_one_json_file_per_key_in_a_two_level_fan_out_and_no_temp_files(tmp_path: Path) -> None:
    cache = ResponseCache(tmp_path)
    k = key()
    cache.put(k, ModelResponse("a"))
    cache.put(k, ModelResponse("b"))  # overwrite in place
    files = [p for p in tmp_path.rglob("*") if p.is_file()]
    assert files == [tmp_path / k[:2] / k[2:4] / f"{k}.json"]
    assert json.loads(files[0].read_text())["text"] == "b"


def test_missing_or_corrupt_entries_are_misses(tmp_path: Path) -> None:
    cache = ResponseCache(tmp_path)
    assert cache.get(key()) is None
    cache.path(key()).parent.mkdir(parents=True)
    cache.path(key()).write_text("{not json")
    assert cache.get(key()) is None
    cache.path(key()).write_text(json.dumps({"text": "x"}))  # a field missing
    assert cache.get(key()) is None
    cache.put(key(), ModelResponse("fixed"))
    assert cache.get(key()) is not None
