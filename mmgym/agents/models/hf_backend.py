"""A local Hugging Face transformers vision-language model, with concurrent requests batched.

All episodes of a run share one backend: their requests are gathered by a `MicroBatcher` and
each batch is one left-padded `model.generate` call in a worker thread, so the event loop keeps
stepping environments meanwhile. torch and transformers are imported, and the weights loaded,
on first use.
"""

from __future__ import annotations

import contextlib
import importlib.util
import re
import threading
import time
from dataclasses import dataclass
from typing import Any, ClassVar

from mmgym.agents.models.base import GenerationConfig, ImagePart, Message, ModelError, ModelResponse, Usage
from mmgym.agents.models.batching import MicroBatcher
from mmgym.agents.models.images import check_image
from mmgym.errors import ConfigError

INSTALL_HINT = 'pip install "mmgym[hf]" (or: pip install torch transformers accelerate)'
DTYPES: tuple[str, ...] = ("auto", "float32", "float16", "bfloat16")
_DEVICE = re.compile(r"^(auto|cpu|mps|cuda(:\d+)?)$")


@dataclass(frozen=True, eq=False)
class _Request:
    """One caller's conversation, already in the processor's chat format (images as PIL images)."""

    conversation: list[dict[str, Any]]
    config: GenerationConfig


def _conversation(messages: list[Message]) -> list[dict[str, Any]]:
    """Messages in the chat format processors' templates read: a list of typed parts per message."""
    from PIL import Image

    conversation = []
    for message in messages:
        content: list[dict[str, Any]] = []
        for part in message.parts:
            if isinstance(part, ImagePart):
                check_image(part.image)
                content.append({"type": "image", "image": Image.fromarray(part.image)})
            else:
                content.append({"type": "text", "text": part.text})
        conversation.append({"role": message.role, "content": content})
    return conversation


def _config_of(request: _Request) -> GenerationConfig:
    return request.config


def completion_length(tokens: list[int], stop_ids: set[int]) -> int:
    """Generated tokens up to and including the first stop token (what follows it is padding)."""
    for index, token in enumerate(tokens):
        if token in stop_ids:
            return index + 1
    return len(tokens)


class HFBackend:
    """`ModelBackend` over `AutoModelForImageTextToText`; safe to share between coroutines of one loop.

    Requests with equal `GenerationConfig`s are batched together (up to `max_batch_size`, waiting at
    most `batch_wait_ms` for a batch to fill). Temperature 0 decodes greedily; otherwise it samples
    with temperature and top_p. A seed makes a batch reproducible: the same requests batched the
    same way sample the same tokens (rows of one batch share one random stream).
    """

    holds_weights: ClassVar[bool] = True  # a Ray runner hosts it in a model actor (GPU when present)

    def __init__(
        self,
        name: str,
        model_path: str,
        dtype: str = "auto",
        device: str = "cpu",
        max_batch_size: int = 8,
        batch_wait_ms: float = 20,
        trust_remote_code: bool = False,
    ) -> None:
        if dtype not in DTYPES:
            raise ConfigError(f"unknown dtype {dtype!r}; valid: {', '.join(DTYPES)}")
        if not isinstance(device, str) or not _DEVICE.match(device):
            raise ConfigError(f"unknown device {device!r}; valid: auto, cpu, cuda, cuda:<index>, mps")
        if not isinstance(max_batch_size, int) or max_batch_size < 1:
            raise ConfigError(f"max_batch_size must be a positive integer; got {max_batch_size!r}")
        if not isinstance(batch_wait_ms, int | float) or batch_wait_ms < 0:
            raise ConfigError(f"batch_wait_ms must be a number >= 0; got {batch_wait_ms!r}")
        missing = [package for package in ("torch", "transformers") if importlib.util.find_spec(package) is None]
        if missing:
            raise ConfigError(f"the hf backend needs the packages {' and '.join(missing)}; {INSTALL_HINT}")
        self.name = name
        self.model_path = str(model_path)
        self.dtype = dtype
        self.device = device
        self.max_batch_size = max_batch_size
        self.batch_wait_ms = float(batch_wait_ms)
        self.trust_remote_code = trust_remote_code
        self.generate_calls = 0  # model.generate calls: one per batch
        self._model: Any = None
        self._processor: Any = None
        self._load_lock = threading.Lock()
        self._batcher = self._new_batcher()

    def __repr__(self) -> str:
        return (
            f"HFBackend(name={self.name!r}, model_path={self.model_path!r}, dtype={self.dtype!r}, "
            f"device={self.device!r}, max_batch_size={self.max_batch_size})"
        )

    @property
    def batch_sizes(self) -> list[int]:
        """The size of every batch run so far, in order."""
        return self._batcher.batch_sizes

    @property
    def loaded(self) -> bool:
        return self._model is not None

    # --- the request ---------------------------------------------------------------------------------------

    async def generate(self, messages: list[Message], config: GenerationConfig) -> ModelResponse:
        """One chat completion, run in a batch with whatever other requests arrive meanwhile."""
        if config.max_tokens < 1:
            raise ModelError(f"model {self.name!r}: max_tokens must be >= 1; got {config.max_tokens!r}")
        try:
            conversation = _conversation(messages)
        except ValueError as exc:
            raise ModelError(f"model {self.name!r}: bad request: {exc}") from exc
        try:
            return await self._batcher.submit(_Request(conversation, config))
        except ModelError:
            raise
        except Exception as exc:  # one fresh error per caller, though the batch failed once
            raise ModelError(f"model {self.name!r} ({self.model_path}) failed: {type(exc).__name__}: {exc}") from exc

    async def close(self) -> None:
        """Finish queued requests, then free the weights (the next request loads them again)."""
        await self._batcher.close()
        with self._load_lock:
            model, self._model, self._processor = self._model, None, None
        if model is not None:
            import torch

            del model
            if torch.cuda.is_available():
                torch.cuda.empty_cache()
        sizes, self._batcher = self._batcher.batch_sizes, self._new_batcher()
        self._batcher.batch_sizes = sizes  # statistics span the backend's life, not one open period

    def _new_batcher(self) -> MicroBatcher[_Request, ModelResponse]:
        return MicroBatcher(
            self._run_batch, max_batch_size=self.max_batch_size, wait_ms=self.batch_wait_ms, key_of=_config_of
        )

    # --- loading -------------------------------------------------------------------------------------------

    def load(self) -> None:
        """Load processor and model now (otherwise the first batch does); safe to call from any thread."""
        with self._load_lock:
            if self._model is not None:
                return
            try:
                import torch
                from transformers import AutoModelForImageTextToText, AutoProcessor
            except ImportError as exc:
                raise ModelError(f"the hf backend cannot import torch/transformers ({exc}); {INSTALL_HINT}") from exc
            device = self._resolve_device(torch)
            dtype = "auto" if self.dtype == "auto" else getattr(torch, self.dtype)
            processor = AutoProcessor.from_pretrained(self.model_path, trust_remote_code=self.trust_remote_code)
            tokenizer = getattr(processor, "tokenizer", processor)
            tokenizer.padding_side = "left"  # generation continues every row from its last real token
            model = AutoModelForImageTextToText.from_pretrained(
                self.model_path, dtype=dtype, trust_remote_code=self.trust_remote_code
            )
            self._processor, self._model = processor, model.to(device).eval()

    def _resolve_device(self, torch: Any) -> str:
        if self.device == "auto":
            return "cuda" if torch.cuda.is_available() else "cpu"
        if self.device.startswith("cuda") and not torch.cuda.is_available():
            raise ModelError(f"device {self.device!r} was asked for but torch sees no CUDA device; use cpu or auto")
        return self.device

    # --- one batch (in a worker thread) --------------------------------------------------------------------

    def _run_batch(self, requests: list[_Request]) -> list[ModelResponse]:
        import torch

        self.load()
        model, processor = self._model, self._processor
        config = requests[0].config  # the batcher groups requests by config
        start = time.perf_counter()
        inputs = processor.apply_chat_template(
            [request.conversation for request in requests],
            add_generation_prompt=True,
            tokenize=True,
            return_dict=True,
            return_tensors="pt",
            processor_kwargs={"padding": True},
        )
        inputs = inputs.to(model.device)
        for key, value in inputs.items():  # images in the model's dtype, token ids left as they are
            if torch.is_tensor(value) and torch.is_floating_point(value):
                inputs[key] = value.to(model.dtype)
        self._check_context(model, inputs["input_ids"].shape[1], config.max_tokens)
        tokenizer = getattr(processor, "tokenizer", processor)
        stop_ids = self._stop_ids(model, tokenizer)
        seeded = config.seed is not None
        devices = [model.device.index or 0] if seeded and model.device.type == "cuda" else []
        with torch.inference_mode(), torch.random.fork_rng(devices=devices) if seeded else contextlib.nullcontext():
            if seeded:
                torch.manual_seed(config.seed)
            output = model.generate(**inputs, **self._decoding(config, tokenizer, stop_ids))
        self.generate_calls += 1
        latency = time.perf_counter() - start
        prompt_length = inputs["input_ids"].shape[1]
        new_tokens = output if model.config.is_encoder_decoder else output[:, prompt_length:]
        mask = inputs.get("attention_mask")
        prompt_tokens = mask.sum(dim=1).tolist() if mask is not None else [prompt_length] * len(requests)
        rows = [row[: completion_length(row, stop_ids)] for row in new_tokens.tolist()]
        texts = processor.batch_decode(rows, skip_special_tokens=True)
        return [
            ModelResponse(
                text=text,
                usage=Usage(prompt_tokens=int(prompt), completion_tokens=len(row), latency_s=latency),
                model=self.model_path,
            )
            for text, row, prompt in zip(texts, rows, prompt_tokens, strict=True)
        ]

    def _check_context(self, model: Any, prompt_tokens: int, max_new_tokens: int) -> None:
        """Refuse a prompt the model's context cannot hold: past it, positions run off the trained range and the
        model writes nonsense without any error."""
        text_config = getattr(model.config, "text_config", model.config)
        context = getattr(text_config, "max_position_embeddings", None)
        if context and prompt_tokens + max_new_tokens > context:
            raise ModelError(
                f"model {self.name!r}: the prompt has {prompt_tokens} tokens and max_tokens is {max_new_tokens}, "
                f"but the model's context holds {context}; shorten the prompt (history, few-shot) or max_tokens"
            )

    @staticmethod
    def _stop_ids(model: Any, tokenizer: Any) -> set[int]:
        eos = model.generation_config.eos_token_id
        if eos is None:
            eos = tokenizer.eos_token_id
        ids = set(eos) if isinstance(eos, list | tuple) else {eos}
        return {int(i) for i in ids if i is not None}

    @staticmethod
    def _decoding(config: GenerationConfig, tokenizer: Any, stop_ids: set[int]) -> dict[str, Any]:
        """generate() arguments; the model's own sampling defaults (top_k, temperature) are overridden."""
        pad = tokenizer.pad_token_id if tokenizer.pad_token_id is not None else min(stop_ids, default=None)
        settings: dict[str, Any] = {"max_new_tokens": config.max_tokens, "pad_token_id": pad, "top_k": None}
        if config.temperature == 0:
            return {**settings, "do_sample": False, "temperature": None, "top_p": None}
        return {**settings, "do_sample": True, "temperature": config.temperature, "top_p": config.top_p}


__all__ = ["HFBackend", "completion_length"]
