"""The vLLM backend against a stand-in `vllm` module: vLLM needs a GPU, which this machine lacks.

What is checked is mmgym's side of the contract: the engine arguments, one `LLM.chat` call per
batch with OpenAI-format conversations (images as data URLs), sampling parameters, usage, and
errors turned into ModelError.
"""

from __future__ import annotations

import asyncio
import sys
import types
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pytest

from mmgym.agents.models.base import GenerationConfig, ImagePart, Message, ModelError, TextPart
from mmgym.agents.models.vllm_backend import VLLMBackend


@dataclass
class FakeEngine:
    kwargs: dict[str, Any]
    calls: list[tuple[list[Any], Any]] = field(default_factory=list)
    fail: bool = False

    def chat(self, conversations: list[Any], params: Any, use_tqdm: bool = True) -> list[Any]:
        if self.fail:
            raise RuntimeError("CUDA out of memory")
        self.calls.append((conversations, params))
        completion = types.SimpleNamespace(text="Action: up", token_ids=[1, 2, 3])
        return [types.SimpleNamespace(prompt_token_ids=[0] * 11, outputs=[completion]) for _ in conversations]


@pytest.fixture
def fake_vllm(monkeypatch: pytest.MonkeyPatch) -> list[FakeEngine]:
    engines: list[FakeEngine] = []
    module = types.ModuleType("vllm")

    def make_llm(**kwargs: Any) -> FakeEngine:
        engines.append(FakeEngine(kwargs))
        return engines[-1]

    module.LLM = make_llm  # type: ignore[attr-defined]
    module.SamplingParams = lambda **kw: types.SimpleNamespace(**kw)  # type: ignore[attr-defined]
    monkeypatch.setitem(sys.modules, "vllm", module)
    return engines


def request(i: int) -> list[Message]:
    image = np.full((8, 8, 3), i, dtype=np.uint8)
    return [Message.text("system", "sys"), Message("user", (TextPart(f"turn {i}"), ImagePart(image)))]


def test_concurrent_requests_become_one_chat_call(fake_vllm: list[FakeEngine]) -> None:
    backend = VLLMBackend(name="v", model="some/model", max_model_len=4096, batch_wait_ms=50)
    config = GenerationConfig(max_tokens=32, temperature=0.0, seed=3)

    async def main() -> list[Any]:
        try:
            return await asyncio.gather(*(backend.generate(request(i), config) for i in range(5)))
        finally:
            await backend.close()

    responses = asyncio.run(main())
    (engine,) = fake_vllm
    assert engine.kwargs == {
        "model": "some/model",
        "tensor_parallel_size": 1,
        "dtype": "auto",
        "max_model_len": 4096,
        "gpu_memory_utilization": 0.9,
    }
    assert len(engine.calls) == 1
    conversations, params = engine.calls[0]
    assert len(conversations) == 5
    user = conversations[0][1]["content"]
    assert user[0] == {"type": "text", "text": "turn 0"}
    assert user[1]["image_url"]["url"].startswith("data:image/png;base64,")
    assert (params.max_tokens, params.temperature, params.seed) == (32, 0.0, 3)
    assert [r.text for r in responses] == ["Action: up"] * 5
    assert responses[0].usage.prompt_tokens == 11 and responses[0].usage.completion_tokens == 3


def test_engine_failure_reaches_every_caller_as_model_error(fake_vllm: list[FakeEngine]) -> None:
    backend = VLLMBackend(name="v", model="m")
    backend.engine().fail = True

    async def main() -> list[Any]:
        try:
            return await asyncio.gather(
                *(backend.generate(request(i), GenerationConfig()) for i in range(3)), return_exceptions=True
            )
        finally:
            await backend.close()

    results = asyncio.run(main())
    assert all(isinstance(r, ModelError) and "CUDA out of memory" in str(r) for r in results)


def test_missing_vllm_says_what_to_install(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setitem(sys.modules, "vllm", None)
    with pytest.raises(Exception, match=r"mmgym\[vllm\]"):
        VLLMBackend(name="v", model="m").engine()
