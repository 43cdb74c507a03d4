"""The OpenAI-compatible backend against a scripted local server: wire format, retries, timeouts, limits, cache, key."""

from __future__ import annotations

import asyncio
import base64
import gc
import io
import socket
import time
import warnings
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import numpy as np
import pytest
from fault_server import COMPLETION_TOKENS, PROMPT_TOKENS, FaultServer, Reply
from PIL import Image

from mmgym.agents.models.base import (
    GenerationConfig,
    ImagePart,
    Message,
    ModelBackend,
    ModelError,
    ModelResponse,
    TextPart,
)
from mmgym.agents.models.openai_backend import OpenAIBackend
from mmgym.errors import ConfigError

KEY_ENV = "MMGYM_TEST_API_KEY"
FAKE_KEY = "sk-fake-9f3c1a7e-DO-NOT-LEAK"
IMAGE = np.random.default_rng(0).integers(0, 256, (60, 90, 3), dtype=np.uint8)


@pytest.fixture(autouse=True)
def fake_key(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv(KEY_ENV, FAKE_KEY)


@pytest.fixture
def server() -> Iterator[FaultServer]:
    with FaultServer() as running:
        yield running


def backend(server: FaultServer, **settings: Any) -> OpenAIBackend:
    options: dict[str, Any] = {
        "name": "test",
        "model": "vlm-test",
        "base_url": server.base_url,
        "api_key_env": KEY_ENV,
        "timeout_s": 5.0,
        "max_retries": 3,
        "backoff_initial_s": 0.05,
        "backoff_max_s": 1.0,
    }
    options.update(settings)
    return OpenAIBackend(**options)


def chat(image: np.ndarray = IMAGE) -> list[Message]:
    return [
        Message.text("system", "You play a game."),
        Message("user", (TextPart("What now?"), ImagePart(image))),
    ]


def generate(model: OpenAIBackend, messages: list[Message] | None = None, **config: Any) -> ModelResponse:
    async def once() -> ModelResponse:
        try:
            return await model.generate(messages or chat(), GenerationConfig(**config))
        finally:
            await model.close()

    return asyncio.run(once())


def timed_failure(model: OpenAIBackend) -> tuple[ModelError, float]:
    start = time.perf_counter()
    with pytest.raises(ModelError) as info:
        generate(model)
    return info.value, time.perf_counter() - start


def sent_image(body: dict[str, Any]) -> tuple[str, np.ndarray]:
    parts = body["messages"][1]["content"]
    url = next(part["image_url"]["url"] for part in parts if part["type"] == "image_url")
    head, data = url.split(",", 1)
    pixels = np.asarray(Image.open(io.BytesIO(base64.b64decode(data))).convert("RGB"))
    return head, pixels


# --- the ok path ----------------------------------------------------------------------------------------------


def test_ok_path_text_usage_cost_latency_and_wire_format(server: FaultServer) -> None:
    model = backend(server, price_per_million_input=2.0, price_per_million_output=10.0, extra_body={"top_k": 3})
    assert isinstance(model, ModelBackend)
    response = generate(model, max_tokens=64, temperature=0.7, top_p=0.9, seed=5)
    assert response.text == "move right"
    assert response.model == "vlm-test"
    assert (response.usage.prompt_tokens, response.usage.completion_tokens) == (PROMPT_TOKENS, COMPLETION_TOKENS)
    assert response.usage.cost_usd == pytest.approx((PROMPT_TOKENS * 2.0 + COMPLETION_TOKENS * 10.0) / 1e6)
    assert 0 < response.usage.latency_s < 5 and not response.usage.cached
    assert (model.requests_sent, model.retries) == (1, 0)

    [body] = server.requests
    assert body["model"] == "vlm-test"
    assert (body["max_tokens"], body["temperature"], body["top_p"], body["seed"], body["top_k"]) == (64, 0.7, 0.9, 5, 3)
    assert body["messages"][0] == {"role": "system", "content": "You play a game."}
    assert body["messages"][1]["role"] == "user"
    assert body["messages"][1]["content"][0] == {"type": "text", "text": "What now?"}
    head, pixels = sent_image(body)
    assert head == "data:image/png;base64"
    np.testing.assert_array_equal(pixels, IMAGE)
    assert server.headers[0]["authorization"] == f"Bearer {FAKE_KEY}"


def test_jpeg_and_max_side_shape_the_sent_image(server: FaultServer) -> None:
    generate(backend(server, image_format="jpeg", image_max_side=45, jpeg_quality=80))
    head, pixels = sent_image(server.requests[0])
    assert head == "data:image/jpeg;base64"
    assert pixels.shape == (30, 45, 3)


def test_max_completion_tokens_in_extra_body_replaces_max_tokens(server: FaultServer) -> None:
    generate(backend(server, extra_body={"max_completion_tokens": 99}))
    assert server.requests[0]["max_completion_tokens"] == 99
    assert "max_tokens" not in server.requests[0]
    assert "seed" not in server.requests[0]


def test_missing_usage_counts_zero_tokens(server: FaultServer) -> None:
    original = server._completion

    def without_usage(payload: dict[str, Any], reply: Reply) -> dict[str, Any]:
        completion = original(payload, reply)
        del completion["usage"]
        return completion

    server._completion = without_usage  # type: ignore[method-assign]
    usage = generate(backend(server, price_per_million_input=5.0)).usage
    assert (usage.prompt_tokens, usage.completion_tokens, usage.cost_usd) == (0, 0, 0.0)


def test_backend_made_outside_a_loop_serves_several_event_loops(server: FaultServer) -> None:
    model = backend(server)
    assert generate(model).text == generate(model).text == "move right"  # closed after each loop
    with warnings.catch_warnings():
        # Connections left open when a loop ends die with it (ResourceWarnings only); collect them here.
        warnings.simplefilter("ignore", ResourceWarning)
        for _ in range(2):  # not closed: the next loop gets a client of its own
            assert asyncio.run(model.generate(chat(), GenerationConfig())).text == "move right"
        asyncio.run(model.close())  # closing from yet another loop is harmless
        gc.collect()
    assert server.count == 4


# --- retries and failures -------------------------------------------------------------------------------------


# Lower bounds on waits are exact (a sleep never ends early, however loaded the machine). Upper bounds
# are set far from what the right behaviour takes and far below what a wrong one would take (the cap,
# a server's 30 s hang), so that a loaded 2-core CI machine cannot make them fail.


def retry_gaps(server: FaultServer) -> list[float]:
    """Seconds between consecutive requests' arrivals: each is a client wait plus one round trip."""
    return [b - a for a, b in zip(server.arrivals, server.arrivals[1:], strict=False)]


def test_429_then_ok_succeeds_after_one_retry_and_waits_the_backoff_floor(server: FaultServer) -> None:
    server.push("429")
    model = backend(server, backoff_initial_s=0.2, backoff_max_s=30.0)
    start = time.perf_counter()
    assert generate(model).text == "move right"
    elapsed = time.perf_counter() - start
    assert (server.count, model.requests_sent, model.retries) == (2, 2, 1)
    [gap] = retry_gaps(server)
    assert gap >= 0.2 and elapsed >= gap  # the backoff floor was waited before the retry
    assert elapsed < 10.0  # the first backoff (0.2-0.4 s), nowhere near the 30 s cap


def test_retry_after_header_lengthens_the_wait_up_to_backoff_max(server: FaultServer) -> None:
    server.push(Reply("status", 429, retry_after=0.4))
    start = time.perf_counter()
    generate(backend(server, backoff_initial_s=0.01))
    assert time.perf_counter() - start >= 0.4

    server.push(Reply("status", 429, retry_after=100))
    start = time.perf_counter()
    generate(backend(server, backoff_initial_s=0.01, backoff_max_s=0.2))
    assert 0.2 <= time.perf_counter() - start < 20.0  # capped at 0.2 s: uncapped, Retry-After would wait 100 s


@pytest.mark.parametrize("status", ["500", "503"])
def test_server_errors_fail_after_exactly_max_retries_plus_one_attempts(server: FaultServer, status: str) -> None:
    server.push(*[status] * 10)
    model = backend(server, max_retries=3, backoff_max_s=30.0)
    error, elapsed = timed_failure(model)
    assert server.count == model.requests_sent == 4 and model.retries == 3
    assert f"HTTP {status}" in str(error) and "4 attempts" in str(error) and "\n" not in str(error)
    # waits 0.05, 0.1 and 0.2 s, each plus up to 0.05 s of jitter: each gap at least its doubling floor
    gaps = retry_gaps(server)
    assert [g >= floor for g, floor in zip(gaps, (0.05, 0.1, 0.2), strict=True)] == [True] * 3, gaps
    assert elapsed >= sum(gaps) >= 0.35
    assert elapsed < 15.0  # the three backoffs take under 0.5 s; waiting the 30 s cap even once would not fit


def test_zero_retries_makes_a_single_attempt(server: FaultServer) -> None:
    server.push("500", "500")
    error, _ = timed_failure(backend(server, max_retries=0))
    assert server.count == 1 and "1 attempt:" in str(error)


def test_hanging_server_times_out_each_attempt_and_fails_in_bounded_time(server: FaultServer) -> None:
    server.push("hang", "hang", "hang")
    model = backend(server, timeout_s=0.25, max_retries=2)
    error, elapsed = timed_failure(model)
    assert server.count == 3 and model.retries == 2
    assert "within 0.25 s" in str(error) and "3 attempts" in str(error)
    assert 3 * 0.25 + 0.15 <= elapsed < 15.0  # about 1 s; one attempt left hanging would take the server's 30 s


def test_hang_then_ok_recovers(server: FaultServer) -> None:
    server.push("hang")
    assert generate(backend(server, timeout_s=0.25)).text == "move right"
    assert server.count == 2


@pytest.mark.parametrize("garbage", ["garbage", "garbage_text"])
def test_garbage_is_retried_then_succeeds(server: FaultServer, garbage: str) -> None:
    server.push(garbage, garbage)
    model = backend(server)
    assert generate(model).text == "move right"
    assert model.retries == 2


def test_only_garbage_ends_in_model_error(server: FaultServer) -> None:
    server.push(*["garbage"] * 5)
    error, _ = timed_failure(backend(server, max_retries=2))
    assert server.count == 3 and "undecodable response" in str(error)


def test_valid_json_that_is_not_a_completion_is_garbage(server: FaultServer) -> None:
    original = server._completion
    calls = []

    def empty_choices(payload: dict[str, Any], reply: Reply) -> dict[str, Any]:
        calls.append(1)
        completion = original(payload, reply)
        if len(calls) == 1:
            completion["choices"] = []
        return completion

    server._completion = empty_choices  # type: ignore[method-assign]
    model = backend(server)
    assert generate(model).text == "move right"
    assert model.retries == 1


@pytest.mark.parametrize("status", ["400", "404", "422"])
def test_other_4xx_fail_at_once_naming_the_status(server: FaultServer, status: str) -> None:
    server.push(Reply("status", int(status), text="image too large"))
    model = backend(server, backoff_initial_s=30.0, backoff_max_s=60.0)
    error, elapsed = timed_failure(model)
    assert server.count == 1 and model.retries == 0 and elapsed < 15.0  # no backoff: that alone is 30 s
    assert f"HTTP {status}" in str(error) and "image too large" in str(error) and "1 attempt:" in str(error)


def test_unreachable_server_is_retried_then_fails() -> None:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    model = OpenAIBackend(
        "test", "m", base_url=f"http://127.0.0.1:{port}/v1", max_retries=1, backoff_initial_s=0.01, timeout_s=2
    )
    error, _ = timed_failure(model)
    assert model.requests_sent == 2 and "cannot reach" in str(error)


# --- concurrency ----------------------------------------------------------------------------------------------


def test_concurrency_limit_is_honoured_and_used(server: FaultServer) -> None:
    server.latency_s = 0.15

    def burst(limit: int, requests: int = 12) -> tuple[float, int]:
        """Seconds for `requests` concurrent calls through a backend limited to `limit`, and the peak in flight."""
        model = backend(server, max_concurrency=limit)
        server.max_in_flight = 0

        async def many() -> list[ModelResponse]:
            try:
                return await asyncio.gather(*(model.generate(chat(), GenerationConfig()) for _ in range(requests)))
            finally:
                await model.close()

        start = time.perf_counter()
        assert len(asyncio.run(many())) == requests
        return time.perf_counter() - start, server.max_in_flight

    sequential, sequential_peak = burst(1)
    limited, limited_peak = burst(4)
    assert server.count == 24 and (sequential_peak, limited_peak) == (1, 4)
    assert sequential >= 12 * 0.15 and limited >= 3 * 0.15  # never more than the limit at a time
    assert limited < sequential / 2  # and the limit is used: about 4x faster than one at a time, on any machine


# --- cache ----------------------------------------------------------------------------------------------------


def test_cache_serves_identical_requests_without_network(server: FaultServer, tmp_path: Path) -> None:
    cache_dir = tmp_path / "cache"
    first = generate(backend(server, cache_dir=str(cache_dir), price_per_million_input=1.0))
    assert server.count == 1 and not first.usage.cached

    again = backend(server, cache_dir=str(cache_dir), price_per_million_input=1.0)
    second = generate(again)
    assert server.count == 1 and again.requests_sent == 0 and again.cache_hits == 1
    assert second.text == first.text and second.usage.cached
    assert (second.usage.latency_s, second.usage.cost_usd) == (0.0, 0.0)
    assert second.usage.prompt_tokens == first.usage.prompt_tokens

    other = IMAGE.copy()
    other[0, 0] ^= 1
    generate(again, chat(other))
    generate(again, temperature=0.5)
    generate(backend(server, cache_dir=str(cache_dir), image_max_side=32))
    assert server.count == 4


# --- the API key ----------------------------------------------------------------------------------------------


def test_api_key_never_leaks_into_repr_cache_files_or_errors(server: FaultServer, tmp_path: Path) -> None:
    model = backend(server, cache_dir=str(tmp_path), max_retries=1)
    assert FAKE_KEY not in repr(model) and FAKE_KEY not in str(vars(model))
    generate(model)
    files = [path for path in tmp_path.rglob("*") if path.is_file()]
    assert files and all(FAKE_KEY not in path.read_text() for path in files)

    server.push(Reply("status", 401, text=f"Incorrect API key provided: {FAKE_KEY}"))
    error, _ = timed_failure(backend(server))
    assert "HTTP 401" in str(error) and FAKE_KEY not in str(error)
    server.push(*["500"] * 3)
    error, _ = timed_failure(backend(server, max_retries=2))
    assert FAKE_KEY not in str(error)


def test_missing_key_for_a_remote_server_is_a_config_error(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv(KEY_ENV)
    with pytest.raises(ConfigError, match=KEY_ENV) as info:
        OpenAIBackend("remote", "m", base_url="https://api.example.com/v1", api_key_env=KEY_ENV)
    assert "\n" not in str(info.value)
    with pytest.raises(ConfigError, match=KEY_ENV):
        OpenAIBackend("openai", "m", api_key_env=KEY_ENV)


def test_missing_key_is_fine_for_a_local_server(monkeypatch: pytest.MonkeyPatch, server: FaultServer) -> None:
    monkeypatch.delenv(KEY_ENV)
    assert generate(backend(server)).text == "move right"
    assert server.headers[0]["authorization"].startswith("Bearer ")


@pytest.mark.parametrize(
    ("setting", "value"),
    [
        ("image_format", "gif"),
        ("max_concurrency", 0),
        ("max_retries", -1),
        ("timeout_s", 0),
        ("image_max_side", 0),
        ("jpeg_quality", 101),
        ("price_per_million_input", -1.0),
    ],
)
def test_bad_settings_are_one_line_config_errors(server: FaultServer, setting: str, value: object) -> None:
    with pytest.raises(ConfigError, match=setting) as info:
        backend(server, **{setting: value})
    assert repr(value) in str(info.value) and "\n" not in str(info.value)


# --- the fault server itself (reused by the throughput benchmark) ---------------------------------------------


async def _raw_request(port: int, method: str, path: str, body: bytes = b"") -> tuple[int, bytes]:
    reader, writer = await asyncio.open_connection("127.0.0.1", port)
    head = f"{method} {path} HTTP/1.1\r\nHost: test\r\nContent-Length: {len(body)}\r\nConnection: close\r\n\r\n"
    writer.write(head.encode() + body)
    response = await reader.read()
    writer.close()
    status = int(response.split(b" ", 2)[1])
    return status, response.split(b"\r\n\r\n", 1)[1]


def test_fault_server_lists_models_and_404s_unknown_routes(server: FaultServer) -> None:
    status, body = asyncio.run(_raw_request(server.port, "GET", "/v1/models"))
    assert status == 200 and b"fault-model" in body
    status, _ = asyncio.run(_raw_request(server.port, "POST", "/v1/embeddings", b"{}"))
    assert status == 404 and server.count == 0


def test_fault_server_holds_hundreds_of_concurrent_connections_at_fixed_latency() -> None:
    # Every request is held until all 300 have arrived, so all 300 connections are open at once however
    # slowly a loaded machine opens them; a server that served them one by one would never answer.
    with FaultServer(latency_s=0.2, hold_until=300) as server:

        async def burst() -> list[tuple[int, bytes]]:
            calls = (_raw_request(server.port, "POST", "/v1/chat/completions", b'{"model": "m"}') for _ in range(300))
            return await asyncio.gather(*calls)

        start = time.perf_counter()
        replies = asyncio.run(burst())
        elapsed = time.perf_counter() - start
    assert all(status == 200 and b'"move right"' in body for status, body in replies)
    assert server.count == 300 and server.max_in_flight == 300
    assert elapsed >= 0.2  # each reply waited its latency
