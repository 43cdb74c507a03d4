"""HFBackend on a real (tiny, random) LLaVA model: batching, determinism, usage, errors; and the test server.

The model's text is nonsense, so no test looks at what it says, only at how it was produced.
"""

from __future__ import annotations

import asyncio
import base64
import io
import json
import urllib.request
from pathlib import Path

import numpy as np
import pytest

from mmgym.agents.models.base import (
    GenerationConfig,
    ImagePart,
    Message,
    ModelBackend,
    ModelError,
    ModelResponse,
    TextPart,
)
from mmgym.agents.models.hf_backend import HFBackend, completion_length
from mmgym.errors import ConfigError

GREEDY = GenerationConfig(max_tokens=12)


def frame(seed: int, size: int = 64) -> np.ndarray:
    return np.random.default_rng(seed).integers(0, 256, (size, size, 3), dtype=np.uint8)


def request(seed: int) -> list[Message]:
    """A system prompt and a user turn with an image; prompt length varies with the seed (left padding)."""
    question = "Which action moves the player to the goal? " * (1 + seed % 3)
    return [
        Message.text("system", "You are an agent in a maze."),
        Message("user", (ImagePart(frame(seed)), TextPart(f"Step {seed}. {question}"))),
    ]


@pytest.fixture
def backend(tiny_vlm_dir: Path) -> HFBackend:
    return HFBackend("tiny", str(tiny_vlm_dir), dtype="float32", device="cpu", max_batch_size=8, batch_wait_ms=50)


def test_loads_the_saved_model_through_the_auto_classes(backend: HFBackend) -> None:
    assert isinstance(backend, ModelBackend)
    assert not backend.loaded  # nothing is loaded before the first use
    response = asyncio.run(backend.generate(request(0), GREEDY))
    assert backend.loaded
    assert type(backend._model).__name__ == "LlavaForConditionalGeneration"
    assert type(backend._processor).__name__ == "LlavaProcessor"
    assert isinstance(response, ModelResponse)
    assert isinstance(response.text, str)
    assert response.model == backend.model_path
    assert backend.generate_calls == 1


def test_concurrent_requests_with_images_share_one_generate_call(backend: HFBackend) -> None:
    async def main() -> list[ModelResponse]:
        return await asyncio.gather(*(backend.generate(request(i), GREEDY) for i in range(8)))

    responses = asyncio.run(main())
    assert len(responses) == 8
    assert backend.generate_calls == 1
    assert backend.batch_sizes == [8]


def test_more_requests_than_the_batch_size_are_split(tiny_vlm_dir: Path) -> None:
    backend = HFBackend("tiny", str(tiny_vlm_dir), max_batch_size=3, batch_wait_ms=50)

    async def main() -> list[ModelResponse]:
        return await asyncio.gather(*(backend.generate(request(i), GREEDY) for i in range(7)))

    assert len(asyncio.run(main())) == 7
    assert backend.batch_sizes == [3, 3, 1]
    assert backend.generate_calls == 3


def test_greedy_decoding_is_deterministic_and_independent_of_batching(backend: HFBackend) -> None:
    async def main() -> tuple[list[ModelResponse], list[ModelResponse], list[ModelResponse]]:
        batched = await asyncio.gather(*(backend.generate(request(i), GREEDY) for i in range(6)))
        alone = [await backend.generate(request(i), GREEDY) for i in range(6)]
        again = [await backend.generate(request(i), GREEDY) for i in range(6)]
        return batched, alone, again

    batched, alone, again = asyncio.run(main())
    assert backend.batch_sizes == [6] + [1] * 12
    assert [r.text for r in alone] == [r.text for r in again]
    # Left padding with the attention mask: a row's tokens do not depend on its batch neighbours.
    assert [r.text for r in batched] == [r.text for r in alone]
    assert [r.usage.prompt_tokens for r in batched] == [r.usage.prompt_tokens for r in alone]


def test_usage_counts_real_tokens_and_the_batch_time(backend: HFBackend) -> None:
    config = GenerationConfig(max_tokens=7)

    async def main() -> list[ModelResponse]:
        return await asyncio.gather(*(backend.generate(request(i), config) for i in range(3)))

    responses = asyncio.run(main())
    prompts = [r.usage.prompt_tokens for r in responses]
    assert all(p > 0 for p in prompts)
    assert prompts[0] < prompts[1] < prompts[2]  # longer questions, more tokens; padding is not counted
    for response in responses:
        assert 1 <= response.usage.completion_tokens <= config.max_tokens
        assert response.usage.latency_s > 0
        assert response.usage.cost_usd == 0.0
        assert not response.usage.cached
    assert len({r.usage.latency_s for r in responses}) == 1  # one batch, one wall time


def test_text_only_and_multi_image_requests_batch_together(backend: HFBackend) -> None:
    question = TextPart("Which action?")
    text_only = [Message("user", (question,))]
    one_image = [Message("user", (ImagePart(frame(1)), question))]
    two_images = [Message("user", (ImagePart(frame(1)), ImagePart(frame(2, size=32)), question))]

    async def main() -> list[ModelResponse]:
        return await asyncio.gather(*(backend.generate(m, GREEDY) for m in (text_only, one_image, two_images)))

    plain, one, two = (r.usage.prompt_tokens for r in asyncio.run(main()))
    assert backend.batch_sizes == [3]
    assert one > plain
    assert two - plain == 2 * (one - plain)  # every image costs the same number of prompt tokens


def test_different_generation_configs_are_never_mixed(backend: HFBackend) -> None:
    short, sampled = GenerationConfig(max_tokens=4), GenerationConfig(max_tokens=4, temperature=0.8, seed=1)

    async def main() -> list[ModelResponse]:
        configs = [short, sampled] * 4
        return await asyncio.gather(*(backend.generate(request(i), c) for i, c in enumerate(configs)))

    responses = asyncio.run(main())
    assert sorted(backend.batch_sizes) == [4, 4]
    assert backend.generate_calls == 2
    assert all(r.usage.completion_tokens <= 4 for r in responses)


def test_a_seed_makes_sampling_reproducible_without_touching_the_global_rng(backend: HFBackend) -> None:
    import torch

    config = GenerationConfig(max_tokens=10, temperature=1.0, top_p=0.9, seed=123)
    state = torch.random.get_rng_state()
    first = asyncio.run(backend.generate(request(0), config))
    second = asyncio.run(backend.generate(request(0), config))
    assert first.text == second.text
    assert torch.equal(torch.random.get_rng_state(), state)


def test_an_exception_inside_a_batch_reaches_every_caller_as_model_error(
    backend: HFBackend, monkeypatch: pytest.MonkeyPatch
) -> None:
    backend.load()

    def broken(*args: object, **kwargs: object) -> None:
        raise RuntimeError("device fell over")

    monkeypatch.setattr(backend._model, "generate", broken)

    async def main() -> list[ModelResponse | BaseException]:
        return await asyncio.gather(*(backend.generate(request(i), GREEDY) for i in range(4)), return_exceptions=True)

    results = asyncio.run(main())
    assert backend.batch_sizes == [4]
    assert all(isinstance(r, ModelError) for r in results)
    assert all("RuntimeError: device fell over" in str(r) for r in results)
    assert len({id(r) for r in results}) == 4  # one error per caller, each with the same cause
    monkeypatch.undo()
    assert isinstance(asyncio.run(backend.generate(request(0), GREEDY)), ModelResponse)  # the backend still works


def test_a_bad_image_fails_its_own_request_only(backend: HFBackend) -> None:
    bad = [Message("user", (ImagePart(np.zeros((8, 8), dtype=np.uint8)), TextPart("?")))]

    async def main() -> list[ModelResponse | BaseException]:
        return await asyncio.gather(
            backend.generate(bad, GREEDY), backend.generate(request(0), GREEDY), return_exceptions=True
        )

    bad_result, good_result = asyncio.run(main())
    assert isinstance(bad_result, ModelError)
    assert "H x W x 3 uint8" in str(bad_result)
    assert isinstance(good_result, ModelResponse)


def test_a_missing_model_is_a_model_error(tmp_path: Path) -> None:
    backend = HFBackend("missing", str(tmp_path / "no-such-model"))
    with pytest.raises(ModelError, match="no-such-model"):
        asyncio.run(backend.generate(request(0), GREEDY))


def test_close_frees_the_model_and_a_later_request_loads_it_again(backend: HFBackend) -> None:
    asyncio.run(backend.generate(request(0), GREEDY))
    asyncio.run(backend.close())
    assert not backend.loaded
    asyncio.run(backend.generate(request(0), GREEDY))
    assert backend.loaded
    assert backend.batch_sizes == [1, 1]


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"dtype": "fp8"}, "unknown dtype 'fp8'; valid: auto, float32, float16, bfloat16"),
        ({"device": "gpu"}, "unknown device 'gpu'"),
        ({"max_batch_size": 0}, "max_batch_size must be a positive integer; got 0"),
        ({"batch_wait_ms": -5}, "batch_wait_ms must be a number >= 0; got -5"),
    ],
)
def test_bad_settings_are_config_errors(kwargs: dict[str, object], message: str) -> None:
    with pytest.raises(ConfigError, match=f"^{message}"):
        HFBackend("x", "some/path", **kwargs)


def test_completion_length_stops_at_the_first_stop_token() -> None:
    assert completion_length([5, 6, 2, 0, 0], {2}) == 3
    assert completion_length([5, 6, 7], {2}) == 3
    assert completion_length([2, 0], {2, 9}) == 1
    assert completion_length([], {2}) == 0


def test_the_tiny_model_builds_deterministically(tiny_vlm_dir: Path, tmp_path: Path) -> None:
    from tiny_vlm import build_tiny_vlm

    again = build_tiny_vlm(tmp_path / "again")
    for name in ("model.safetensors", "tokenizer.json", "config.json", "chat_template.jinja"):
        assert (again / name).read_bytes() == (tiny_vlm_dir / name).read_bytes(), name


def _png_data_url(image: np.ndarray) -> str:
    from PIL import Image

    buffer = io.BytesIO()
    Image.fromarray(image).save(buffer, format="PNG")
    return "data:image/png;base64," + base64.b64encode(buffer.getvalue()).decode("ascii")


@pytest.mark.slow
def test_the_transformers_server_answers_a_chat_completion_with_an_image(
    transformers_server: tuple[str, str],
) -> None:
    base_url, model_name = transformers_server
    body = {
        "model": model_name,
        "max_tokens": 6,
        "temperature": 0,
        "messages": [
            {"role": "system", "content": "You are an agent in a maze."},
            {
                "role": "user",
                "content": [
                    {"type": "image_url", "image_url": {"url": _png_data_url(frame(0))}},
                    {"type": "text", "text": "Which action?"},
                ],
            },
        ],
    }
    http_request = urllib.request.Request(
        f"{base_url}/chat/completions", data=json.dumps(body).encode(), headers={"Content-Type": "application/json"}
    )
    with urllib.request.urlopen(http_request, timeout=60) as http_response:
        completion = json.load(http_response)
    assert completion["model"] == model_name
    assert isinstance(completion["choices"][0]["message"]["content"], str)
    usage = completion["usage"]
    assert usage["prompt_tokens"] > 0
    assert 1 <= usage["completion_tokens"] <= 6


@pytest.mark.slow
def test_the_openai_backend_talks_to_the_transformers_server(transformers_server: tuple[str, str]) -> None:
    pytest.importorskip("openai", reason="the openai backend needs openai (pip install 'mmgym[openai]')")
    pytest.importorskip("tenacity", reason="the openai backend needs tenacity (pip install 'mmgym[openai]')")
    from mmgym.agents.models.openai_backend import OpenAIBackend

    base_url, model_name = transformers_server
    backend = OpenAIBackend("tiny-served", model_name, base_url=base_url, api_key_env="MMGYM_TEST_UNSET_KEY")

    async def main() -> list[ModelResponse]:
        try:
            return await asyncio.gather(
                *(backend.generate(request(i), GenerationConfig(max_tokens=5)) for i in range(3))
            )
        finally:
            await backend.close()

    responses = asyncio.run(main())
    for response in responses:
        assert isinstance(response.text, str)
        assert response.usage.prompt_tokens > 0
        assert 1 <= response.usage.completion_tokens <= 5
        assert response.usage.latency_s > 0


def test_a_prompt_longer_than_the_models_context_is_refused_in_one_line(backend: HFBackend) -> None:
    from tiny_vlm import CONTEXT_TOKENS

    too_long = [Message.text("user", "move left " * CONTEXT_TOKENS)]
    with pytest.raises(ModelError, match=f"the model's context holds {CONTEXT_TOKENS}") as caught:
        asyncio.run(backend.generate(too_long, GREEDY))
    assert "\n" not in str(caught.value)
    assert isinstance(asyncio.run(backend.generate(request(0), GREEDY)), ModelResponse)  # the backend still works
