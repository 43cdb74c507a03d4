"""A backend for any OpenAI-compatible chat-completions server (OpenAI, vLLM serve, SGLang, llama.cpp, ...).

Many episodes share one backend, so it keeps up to `max_concurrency` requests in flight and applies one
retry policy: 408/429/5xx, timeouts, dropped connections and undecodable replies are retried with
exponential backoff and jitter, honouring Retry-After; any other 4xx fails at once. The API key is read
from the environment variable named in the config and is kept out of configs, records, reprs, cache
files and error messages.

Requests go out through aiohttp with orjson bodies: one POST per call, nothing else. Through the
`openai` SDK on httpx the same call cost 3.3 ms of this process's CPU, through this path 0.5 ms
(benchmarks/bench_llm_concurrency.py prints the split), and one process is what drives every episode.
"""

from __future__ import annotations

import asyncio
import os
import random
import time
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, Literal
from urllib.parse import urlsplit

from mmgym.agents.models.base import GenerationConfig, ImagePart, Message, ModelError, ModelResponse, Usage
from mmgym.agents.models.cache import ResponseCache, request_key
from mmgym.agents.models.chat_format import chat_messages
from mmgym.agents.models.images import IMAGE_FORMATS, ImageEncoding
from mmgym.errors import ConfigError

if TYPE_CHECKING:
    from tenacity import RetryCallState

INSTALL_HINT = 'pip install "mmgym[openai]" (or: pip install aiohttp orjson tenacity)'
OPENAI_API = "https://api.openai.com/v1"
LOCAL_HOSTS = frozenset({"localhost", "127.0.0.1", "::1", "0.0.0.0"})
RETRY_STATUSES = frozenset({408, 429})  # and every 5xx
LOCAL_DUMMY_KEY = "EMPTY"  # local servers without auth accept any key


class _Secret:
    """Holds the API key so that repr(), vars() and logs of the backend never show it."""

    __slots__ = ("value",)

    def __init__(self, value: str) -> None:
        self.value = value

    def __repr__(self) -> str:
        return "'***'"


class BadResponse(Exception):
    """The server answered 2xx with something that is not a chat completion (retried like a 5xx)."""


class HTTPStatusError(Exception):
    """The server answered with an error status; `message` is its error text, `headers` its response headers."""

    def __init__(self, status: int, message: str, headers: Mapping[str, str]) -> None:
        super().__init__(f"HTTP {status}: {message}")
        self.status = status
        self.message = message
        self.headers = headers


def _is_local(base_url: str | None) -> bool:
    if base_url is None:
        return False
    host = urlsplit(base_url).hostname or ""
    return host in LOCAL_HOSTS or host.startswith("127.")


def _import_transport() -> tuple[Any, Any]:
    try:
        import aiohttp
        import orjson
        import tenacity  # noqa: F401  (checked here so that a missing package fails at construction)
    except ImportError as exc:
        raise ConfigError(f"the openai backend needs aiohttp, orjson and tenacity; {INSTALL_HINT}") from exc
    return aiohttp, orjson


def _retry_after(exc: BaseException | None) -> float | None:
    """Seconds asked for by a Retry-After (or retry-after-ms) header; HTTP-date values are ignored."""
    headers = exc.headers if isinstance(exc, HTTPStatusError) else None
    if headers is None:
        return None
    for name, divisor in (("retry-after-ms", 1000.0), ("retry-after", 1.0)):
        value = headers.get(name)
        if value is None:
            continue
        try:
            seconds = float(value) / divisor
        except ValueError:
            continue
        if seconds >= 0:
            return seconds
    return None


def _proxy_for(url: str) -> str | None:
    """The proxy that HTTP(S)_PROXY / NO_PROXY (or the system's settings) name for `url`, if any."""
    from urllib.request import getproxies, proxy_bypass

    parts = urlsplit(url)
    if parts.hostname and proxy_bypass(parts.hostname):
        return None
    return getproxies().get(parts.scheme)


def _error_message(body: bytes, orjson: Any) -> str:
    """The error text of an error response: OpenAI's `{"error": {"message": ...}}`, a bare `message`, or the body."""
    try:
        data = orjson.loads(body)
    except ValueError:
        return body.decode("utf-8", "replace")[:200]
    error = data.get("error", data) if isinstance(data, dict) else data
    if isinstance(error, dict) and isinstance(error.get("message"), str):
        return error["message"]
    return str(error)[:200]


class OpenAIBackend:
    """`ModelBackend` over one aiohttp session per event loop; safe to share between its coroutines."""

    def __init__(
        self,
        name: str,
        model: str,
        base_url: str | None = None,
        api_key_env: str = "OPENAI_API_KEY",
        max_concurrency: int = 32,
        timeout_s: float = 60,
        max_retries: int = 5,
        backoff_initial_s: float = 1.0,
        backoff_max_s: float = 30.0,
        image_format: Literal["png", "jpeg"] = "png",
        image_max_side: int | None = None,
        jpeg_quality: int = 90,
        png_level: int = 1,
        price_per_million_input: float = 0.0,
        price_per_million_output: float = 0.0,
        cache_dir: str | None = None,
        extra_body: dict[str, Any] | None = None,
    ) -> None:
        _check_settings(
            max_concurrency=max_concurrency,
            timeout_s=timeout_s,
            max_retries=max_retries,
            backoff_initial_s=backoff_initial_s,
            backoff_max_s=backoff_max_s,
            image_format=image_format,
            image_max_side=image_max_side,
            jpeg_quality=jpeg_quality,
            price_per_million_input=price_per_million_input,
            price_per_million_output=price_per_million_output,
        )
        self._aiohttp, self._orjson = _import_transport()
        self.name = name
        self.model = model
        self.base_url = base_url
        self.api_key_env = api_key_env
        self.max_concurrency = max_concurrency
        self.timeout_s = float(timeout_s)
        self.max_retries = max_retries
        self.backoff_initial_s = float(backoff_initial_s)
        self.backoff_max_s = float(backoff_max_s)
        self.image_encoding = ImageEncoding(image_format, image_max_side, jpeg_quality, png_level)
        self.price_per_million_input = float(price_per_million_input)
        self.price_per_million_output = float(price_per_million_output)
        self.extra_body = dict(extra_body) if extra_body else None
        self.cache = ResponseCache(cache_dir) if cache_dir else None
        self._api_key = _Secret(self._read_key())
        self._url = (base_url or OPENAI_API).rstrip("/") + "/chat/completions"
        self.requests_sent = 0  # HTTP requests started, retries included
        self.retries = 0  # requests that were retries of an earlier failed attempt
        self.cache_hits = 0
        self._session: Any = None
        self._semaphore: asyncio.Semaphore | None = None
        self._loop: asyncio.AbstractEventLoop | None = None

    def __repr__(self) -> str:
        return (
            f"OpenAIBackend(name={self.name!r}, model={self.model!r}, base_url={self.base_url!r}, "
            f"api_key_env={self.api_key_env!r}, max_concurrency={self.max_concurrency})"
        )

    def _read_key(self) -> str:
        key = os.environ.get(self.api_key_env, "")
        if key:
            return key
        if _is_local(self.base_url):
            return LOCAL_DUMMY_KEY
        where = self.base_url or "the OpenAI API"
        raise ConfigError(
            f"environment variable {self.api_key_env} is not set; it must hold the API key for {where} "
            "(or name another variable with api_key_env)"
        )

    # --- the request ---------------------------------------------------------------------------------------

    async def generate(self, messages: list[Message], config: GenerationConfig) -> ModelResponse:
        """One chat completion; served from the cache when enabled and seen before."""
        key = None
        if self.cache is not None:
            key = request_key(self.model, self.base_url, messages, config, self._cache_params())
            hit = self.cache.get(key)
            if hit is not None:
                self.cache_hits += 1
                return hit
        body = await self._body(messages, config)
        response = await self._send_with_retries(body)
        if self.cache is not None and key is not None:
            self.cache.put(key, response)
        return response

    async def close(self) -> None:
        """Close the connections; those of an event loop that has already ended went with it."""
        session, loop = self._session, self._loop
        self._session, self._loop, self._semaphore = None, None, None
        if session is not None and loop is asyncio.get_running_loop():
            await session.close()

    def _cache_params(self) -> dict[str, Any]:
        encoding = self.image_encoding
        params: dict[str, Any] = {"image_format": encoding.image_format, "image_max_side": encoding.max_side}
        if encoding.image_format == "jpeg":
            params["jpeg_quality"] = encoding.jpeg_quality
        if self.extra_body:
            params["extra_body"] = self.extra_body
        return params

    async def _body(self, messages: list[Message], config: GenerationConfig) -> bytes:
        """The request's JSON bytes; frames not yet encoded are encoded in a worker thread (off the event loop)
        unless their encoding is fast, when the hand-off would cost more than it saves."""
        fresh = not self.image_encoding.fast and any(
            isinstance(part, ImagePart) and self.image_encoding not in part.memo
            for message in messages
            for part in message.parts
        )
        if fresh:
            return await asyncio.to_thread(self._serialize, messages, config)
        return self._serialize(messages, config)

    def _serialize(self, messages: list[Message], config: GenerationConfig) -> bytes:
        return self._orjson.dumps(self._request(chat_messages(messages, self.image_encoding), config))

    def _request(self, wire_messages: list[dict[str, Any]], config: GenerationConfig) -> dict[str, Any]:
        request: dict[str, Any] = {
            "model": self.model,
            "messages": wire_messages,
            "temperature": config.temperature,
            "top_p": config.top_p,
        }
        # Newer OpenAI models take max_completion_tokens instead; naming it in extra_body replaces max_tokens.
        if not (self.extra_body and "max_completion_tokens" in self.extra_body):
            request["max_tokens"] = config.max_tokens
        if config.seed is not None:
            request["seed"] = config.seed
        if self.extra_body:
            request.update(self.extra_body)
        return request

    def _session_for_loop(self) -> tuple[Any, asyncio.Semaphore]:
        """The session and semaphore of the running loop (made anew if the backend moved to another loop)."""
        loop = asyncio.get_running_loop()
        if self._session is None or self._semaphore is None or self._loop is not loop:
            aiohttp = self._aiohttp
            connector = aiohttp.TCPConnector(limit=self.max_concurrency, limit_per_host=self.max_concurrency)
            # The proxy is looked up once here: aiohttp's trust_env would look it up (and read ~/.netrc)
            # in a worker thread for every request, which doubled the CPU of a call.
            self._session = aiohttp.ClientSession(
                connector=connector, timeout=aiohttp.ClientTimeout(total=self.timeout_s), proxy=_proxy_for(self._url)
            )
            self._semaphore = asyncio.Semaphore(self.max_concurrency)
            self._loop = loop
        return self._session, self._semaphore

    async def _send_with_retries(self, body: bytes) -> ModelResponse:
        """The request, retried by tenacity. Most calls succeed at once and skip tenacity's machinery (about
        50 us a call); a first failure is handed to it as its own first attempt, so attempts, waits and
        messages are the same as if it had made that attempt."""
        try:
            return await self._send_once(body)
        except Exception as exc:  # tenacity decides below: retried, mapped to a ModelError, or re-raised
            first_failure: BaseException | None = exc
        from tenacity import AsyncRetrying, retry_if_exception, stop_after_attempt

        retrying = AsyncRetrying(
            stop=stop_after_attempt(self.max_retries + 1),
            wait=self._backoff,
            retry=retry_if_exception(self._is_retryable),
            reraise=True,
        )
        attempts = 0
        try:
            async for attempt in retrying:
                with attempt:
                    attempts += 1
                    if attempts > 1:
                        self.retries += 1
                    if first_failure is not None:
                        failure, first_failure = first_failure, None
                        raise failure
                    return await self._send_once(body)
        except (HTTPStatusError, BadResponse, ValueError, OSError, asyncio.TimeoutError) as exc:
            raise ModelError(self._failure_message(exc, attempts)) from exc
        except self._aiohttp.ClientError as exc:
            raise ModelError(self._failure_message(exc, attempts)) from exc
        raise AssertionError("unreachable: tenacity either returns or re-raises")

    async def _send_once(self, body: bytes) -> ModelResponse:
        session, semaphore = self._session_for_loop()
        headers = {"Authorization": f"Bearer {self._api_key.value}", "Content-Type": "application/json"}
        async with semaphore:
            self.requests_sent += 1
            start = time.perf_counter()
            async with session.post(self._url, data=body, headers=headers) as reply:
                data = await reply.read()
                if reply.status >= 400:
                    raise HTTPStatusError(reply.status, _error_message(data, self._orjson), reply.headers)
            latency = time.perf_counter() - start
        try:
            completion = self._orjson.loads(data)
        except self._orjson.JSONDecodeError as exc:
            raise BadResponse(f"not JSON: {data[:80]!r}") from exc
        return self._to_response(completion, latency)

    def _to_response(self, completion: Any, latency_s: float) -> ModelResponse:
        choices = completion.get("choices") if isinstance(completion, dict) else None
        if not choices or not isinstance(choices, list) or not isinstance(choices[0], dict):
            raise BadResponse(f"not a chat completion: {str(completion)[:80]!r}")
        message = choices[0].get("message")
        if not isinstance(message, dict):
            raise BadResponse(f"choice has no message: {str(choices[0])[:80]!r}")
        text = message.get("content") or message.get("refusal") or ""
        if not isinstance(text, str):
            raise BadResponse(f"message content is {type(text).__name__}, not text")
        usage = completion.get("usage")
        usage = usage if isinstance(usage, dict) else {}
        prompt_tokens = int(usage.get("prompt_tokens") or 0)
        completion_tokens = int(usage.get("completion_tokens") or 0)
        cost = (prompt_tokens * self.price_per_million_input + completion_tokens * self.price_per_million_output) / 1e6
        return ModelResponse(
            text=text,
            usage=Usage(prompt_tokens, completion_tokens, latency_s=latency_s, cost_usd=cost),
            model=str(completion.get("model") or self.model),
        )

    # --- retry policy --------------------------------------------------------------------------------------

    def _is_retryable(self, exc: BaseException) -> bool:
        if isinstance(exc, HTTPStatusError):
            return exc.status in RETRY_STATUSES or exc.status >= 500
        return isinstance(exc, self._aiohttp.ClientError | OSError | asyncio.TimeoutError | BadResponse | ValueError)

    def _backoff(self, state: RetryCallState) -> float:
        """initial * 2^(n-1) plus up to `initial` of jitter, capped; at least what Retry-After asks (capped too)."""
        exponent = min(state.attempt_number - 1, 60)
        wait = self.backoff_initial_s * 2.0**exponent + random.uniform(0, self.backoff_initial_s)
        wait = min(wait, self.backoff_max_s)
        asked = _retry_after(state.outcome.exception() if state.outcome is not None else None)
        if asked is not None:
            wait = max(wait, min(asked, self.backoff_max_s))
        return wait

    def _failure_message(self, exc: BaseException, attempts: int) -> str:
        aiohttp = self._aiohttp
        where = self.base_url or "the OpenAI API"
        tries = f"{attempts} attempt{'s' if attempts != 1 else ''}"
        if isinstance(exc, HTTPStatusError):
            reason = f"HTTP {exc.status} from {where}: {exc.message}"
        elif isinstance(exc, asyncio.TimeoutError):
            reason = f"no response from {where} within {self.timeout_s:g} s"
        elif isinstance(exc, aiohttp.ClientConnectionError | OSError):
            cause = exc.__cause__ or exc.__context__ or exc
            reason = f"cannot reach {where} ({type(cause).__name__})"
        elif isinstance(exc, BadResponse | ValueError | aiohttp.ClientError):
            reason = f"undecodable response from {where} ({type(exc).__name__}: {exc})"
        else:
            reason = f"{type(exc).__name__}: {exc}"
        message = f"model {self.name!r} ({self.model}) failed after {tries}: {reason}"
        message = " ".join(message.split())[:400]
        return message.replace(self._api_key.value, "***") if len(self._api_key.value) >= 4 else message


def _check_settings(**settings: Any) -> None:
    """One-line ConfigErrors for settings that would otherwise fail deep inside a run."""
    if settings["image_format"] not in IMAGE_FORMATS:
        raise ConfigError(f"unknown image_format {settings['image_format']!r}; valid: {', '.join(IMAGE_FORMATS)}")
    if not isinstance(settings["max_concurrency"], int) or settings["max_concurrency"] < 1:
        raise ConfigError(f"max_concurrency must be a positive integer; got {settings['max_concurrency']!r}")
    if not isinstance(settings["max_retries"], int) or settings["max_retries"] < 0:
        raise ConfigError(f"max_retries must be an integer >= 0; got {settings['max_retries']!r}")
    for name in ("timeout_s", "backoff_max_s"):
        if not isinstance(settings[name], int | float) or settings[name] <= 0:
            raise ConfigError(f"{name} must be a number > 0; got {settings[name]!r}")
    for name in ("backoff_initial_s", "price_per_million_input", "price_per_million_output"):
        if not isinstance(settings[name], int | float) or settings[name] < 0:
            raise ConfigError(f"{name} must be a number >= 0; got {settings[name]!r}")
    side = settings["image_max_side"]
    if side is not None and (not isinstance(side, int) or side < 1):
        raise ConfigError(f"image_max_side must be a positive integer or null; got {side!r}")
    quality = settings["jpeg_quality"]
    if not isinstance(quality, int) or not 1 <= quality <= 100:
        raise ConfigError(f"jpeg_quality must be an integer in 1..100; got {quality!r}")


__all__ = ["BadResponse", "HTTPStatusError", "OpenAIBackend"]
