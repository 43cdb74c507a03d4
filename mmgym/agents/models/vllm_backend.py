"""The vLLM offline engine (`vllm.LLM`) in this process, behind the same backend interface.

For a GPU machine: `pip install "mmgym[vllm]"`. Concurrent requests from all episodes are
gathered by the same `MicroBatcher` as the HF backend and sent as one `LLM.chat` call, which
takes OpenAI-format messages (images as data URLs) and schedules the batch itself. It cannot run
on a CPU-only machine; its tests check the request it builds against a stand-in engine.
"""

from __future__ import annotations

import time
from dataclasses import dataclass
from typing import Any, ClassVar

from mmgym.agents.models.base import GenerationConfig, Message, ModelError, ModelResponse, Usage
from mmgym.agents.models.batching import MicroBatcher
from mmgym.agents.models.chat_format import chat_messages
from mmgym.agents.models.images import ImageEncoding
from mmgym.errors import ConfigError

INSTALL_HINT = 'pip install "mmgym[vllm]" (needs a GPU machine)'


@dataclass(frozen=True, eq=False)
class _Request:
    conversation: list[dict[str, Any]]
    config: GenerationConfig


def _config_of(request: _Request) -> GenerationConfig:
    return request.config


class VLLMBackend:
    holds_weights: ClassVar[bool] = True  # a Ray runner hosts it in a model actor (GPU when present)

    def __init__(
        self,
        name: str,
        model: str,
        tensor_parallel_size: int = 1,
        dtype: str = "auto",
        max_model_len: int | None = None,
        gpu_memory_utilization: float = 0.9,
        max_batch_size: int = 64,
        batch_wait_ms: float = 20.0,
        image_max_side: int | None = None,
    ) -> None:
        self.name = name
        self.engine_args = {
            "model": model,
            "tensor_parallel_size": tensor_parallel_size,
            "dtype": dtype,
            "max_model_len": max_model_len,
            "gpu_memory_utilization": gpu_memory_utilization,
        }
        self.image_max_side = image_max_side
        self.image_encoding = ImageEncoding(max_side=image_max_side)
        self.batcher: MicroBatcher[_Request, ModelResponse] = MicroBatcher(
            self._run_batch, max_batch_size=max_batch_size, wait_ms=batch_wait_ms, key_of=_config_of
        )
        self._llm: Any = None

    async def generate(self, messages: list[Message], config: GenerationConfig) -> ModelResponse:
        conversation = chat_messages(messages, self.image_encoding)
        return await self.batcher.submit(_Request(conversation, config))

    async def close(self) -> None:
        await self.batcher.close()

    def engine(self) -> Any:
        """The `vllm.LLM`, created on first use (loading weights takes minutes)."""
        if self._llm is None:
            try:
                import vllm
            except ImportError:
                raise ConfigError(f"the vllm backend needs vLLM: {INSTALL_HINT}") from None
            self._llm = vllm.LLM(**{k: v for k, v in self.engine_args.items() if v is not None})
        return self._llm

    def _run_batch(self, requests: list[_Request]) -> list[ModelResponse]:
        import vllm

        config = requests[0].config  # the batcher never mixes configs
        params = vllm.SamplingParams(
            max_tokens=config.max_tokens, temperature=config.temperature, top_p=config.top_p, seed=config.seed
        )
        start = time.perf_counter()
        try:
            outputs = self.engine().chat([r.conversation for r in requests], params, use_tqdm=False)
        except Exception as exc:  # the engine's own errors reach each caller as one ModelError
            raise ModelError(f"vLLM generation failed: {type(exc).__name__}: {exc}") from exc
        latency = time.perf_counter() - start
        return [
            ModelResponse(
                text=out.outputs[0].text,
                usage=Usage(len(out.prompt_token_ids or ()), len(out.outputs[0].token_ids), latency),
                model=self.name,
            )
            for out in outputs
        ]
