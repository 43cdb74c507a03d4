"""The LLM agent keeps only the frames its next prompt can show, and each frame is encoded once."""

from __future__ import annotations

import asyncio
import gc
import weakref
from collections.abc import Callable

import pytest
from fault_server import FaultServer

from mmgym.agents.llm import LLMAgent
from mmgym.agents.models.base import GenerationConfig, ImagePart, Message, ModelResponse, TextPart, Usage
from mmgym.agents.models.images import ImageEncoding
from mmgym.core.spec import EpisodeSpec
from mmgym.runners.rollout import run_episode

SpecFactory = Callable[..., EpisodeSpec]
STEPS = 12
WALL = '{"action": "left"}'  # the corridor's first move into a wall: invalid, the episode runs to its step limit


class FrameWatchingBackend:
    """Answers `WALL`; holds only weak references to the frames it is sent, so it keeps none alive."""

    name = "frames"

    def __init__(self) -> None:
        self.frames: list[weakref.ref] = []
        self.views_shown: list[int] = []

    async def generate(self, messages: list[Message], config: GenerationConfig) -> ModelResponse:
        images = [p.image for m in messages for p in m.parts if isinstance(p, ImagePart)]
        self.frames += [weakref.ref(image) for image in images]
        self.views_shown.append(sum("Earlier view" in p.text for p in messages[-1].parts if isinstance(p, TextPart)))
        return ModelResponse(WALL, Usage())

    async def close(self) -> None:
        pass


@pytest.mark.parametrize(
    ("setting", "history_images", "can_show"),
    [
        ("multi_step-image_text-history", 0, 0),
        ("multi_step-image_text-history", 3, 3),
        ("multi_step-image_text-no_history", 3, 0),
        ("multi_step-text-history", 3, 0),
    ],
)
def test_the_agent_keeps_no_more_frames_than_its_prompts_can_show(
    maze_spec: SpecFactory, setting: str, history_images: int, can_show: int
) -> None:
    agent = LLMAgent(
        model={"_target_": "mmgym.agents.models.openai_backend.OpenAIBackend", "name": "x", "model": "x",
               "base_url": "http://127.0.0.1:9/v1"},
        history_images=history_images,
        max_consecutive_failures=STEPS + 1,
    )  # fmt: skip
    backend = agent.backend = FrameWatchingBackend()
    record = asyncio.run(run_episode(maze_spec(setting, max_steps=STEPS), agent))
    assert len(record.steps) == STEPS and record.status == "done"
    gc.collect()
    alive = len({id(ref()) for ref in backend.frames if ref() is not None})  # a frame is sent up to 1 + can_show times
    assert alive <= can_show, f"the agent still holds {alive} frames; its prompts can show {can_show}"
    assert backend.views_shown == [min(turn, can_show) for turn in range(STEPS)]


def test_a_frame_shown_again_as_history_is_encoded_once(maze_spec: SpecFactory, monkeypatch) -> None:
    encoded: list[int] = []
    original = ImageEncoding.encode

    def counting_encode(self: ImageEncoding, image) -> bytes:
        encoded.append(id(image))
        return original(self, image)

    monkeypatch.setattr(ImageEncoding, "encode", counting_encode)
    with FaultServer(reply_text=WALL) as server:
        model = {"_target_": "mmgym.agents.models.openai_backend.OpenAIBackend", "name": "fault", "model": "m",
                 "base_url": server.base_url}  # fmt: skip
        agent = LLMAgent(model=model, history_images=2, max_consecutive_failures=STEPS + 1)
        record = asyncio.run(run_episode(maze_spec("multi_step-image_text-history", max_steps=6), agent))
        sent = sum(p.get("type") == "image_url" for body in server.requests for p in body["messages"][-1]["content"])
    assert record.status == "done" and len(record.steps) == 6
    assert sent == 6 + 1 + 2 * 4  # the current frame each turn, and up to two earlier ones
    assert len(encoded) == 6  # one encoding per frame
