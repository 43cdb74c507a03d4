"""The LLM agent's loop: prompts per setting, parsing, failures fed back, no invented actions.

The backend here is a scripted stand-in that answers given texts: the tiny real models answer
nonsense, and these tests need to control what the model "says". The real backends are tested
in tests/agents/models/.
"""

from __future__ import annotations

import asyncio
import json
from collections.abc import Callable, Sequence
from pathlib import Path

import pytest

from mmgym.agents.llm import LLMAgent
from mmgym.agents.models.base import GenerationConfig, ImagePart, Message, ModelError, ModelResponse, TextPart, Usage
from mmgym.core.records import EpisodeRecord
from mmgym.core.spec import EpisodeSpec
from mmgym.errors import ConfigError
from mmgym.runners.rollout import run_episode

SpecFactory = Callable[..., EpisodeSpec]
# The agent builds its backend from config (a local endpoint that is never called); the tests
# swap the scripted one in right after.
STUB_MODEL = {
    "_target_": "mmgym.agents.models.openai_backend.OpenAIBackend",
    "name": "unused",
    "model": "unused",
    "base_url": "http://127.0.0.1:9/v1",
}


class ScriptedBackend:
    """Answers the given texts in order (the last one repeats) and keeps every request."""

    name = "scripted"

    def __init__(self, replies: Sequence[str | Exception]) -> None:
        self.replies = list(replies)
        self.requests: list[list[Message]] = []

    async def generate(self, messages: list[Message], config: GenerationConfig) -> ModelResponse:
        self.requests.append(messages)
        reply = self.replies[min(len(self.requests), len(self.replies)) - 1]
        if isinstance(reply, Exception):
            raise reply
        return ModelResponse(reply, Usage(prompt_tokens=100, completion_tokens=10, latency_s=0.01, cost_usd=0.001))

    async def close(self) -> None:
        pass


def agent_with(replies: Sequence[str | Exception], **kwargs: object) -> tuple[LLMAgent, ScriptedBackend]:
    agent = LLMAgent(model=STUB_MODEL, **kwargs)  # type: ignore[arg-type]
    backend = ScriptedBackend(replies)
    agent.backend = backend
    return agent, backend


def play(spec: EpisodeSpec, agent: LLMAgent) -> EpisodeRecord:
    return asyncio.run(run_episode(spec, agent))


def user_text(messages: list[Message]) -> str:
    return "\n".join(p.text for p in messages[-1].parts if isinstance(p, TextPart))


def test_json_replies_drive_the_episode_and_are_recorded(maze_spec: SpecFactory) -> None:
    reply = '{"thought": "go right", "action": "right"}'
    agent, backend = agent_with([reply])
    record = play(maze_spec("multi_step-text-history"), agent)
    assert record.success and len(record.steps) == 4 and len(backend.requests) == 4
    turn = record.turns[0]
    assert turn.model_output == reply and turn.parse_path == "json" and turn.reasoning == "go right"
    assert turn.model_input and turn.model_input[0]["role"] == "system"
    assert record.usage["model_calls"] == 4 and record.usage["prompt_tokens"] == 400
    assert record.usage["parse_failures"] == 0 and record.usage["invalid_actions"] == 0
    assert record.usage["cost_usd"] == pytest.approx(0.004)


def test_unparseable_reply_costs_a_step_and_is_fed_back(maze_spec: SpecFactory) -> None:
    agent, backend = agent_with(["I would like to go somewhere", "Action: right"])
    record = play(maze_spec("multi_step-text-no_history"), agent)
    first = record.steps[0]
    assert first.action == "" and not first.valid and not first.data["state_changed"]
    assert first.state_text == record.initial_text  # nothing moved
    assert record.turns[0].parse_path == "none" and record.turns[0].parse_error
    assert "Your last reply failed" in user_text(backend.requests[1])  # fed back without history
    assert record.success and record.usage["parse_failures"] == 1


def test_history_setting_shows_past_steps_and_no_history_does_not(maze_spec: SpecFactory) -> None:
    replies = ["Action: left", "Action: right", "Action: right"]
    with_history, backend_h = agent_with(replies)
    play(maze_spec("multi_step-text-history", max_steps=3), with_history)
    assert "Previous steps" in user_text(backend_h.requests[2])
    assert "1. left -> INVALID" in user_text(backend_h.requests[2])
    without, backend_n = agent_with(replies)
    play(maze_spec("multi_step-text-no_history", max_steps=3), without)
    assert all("Previous steps" not in user_text(r) for r in backend_n.requests)


@pytest.mark.parametrize(("setting", "images"), [("multi_step-text-history", 0), ("multi_step-image_text-history", 1)])
def test_modality_decides_whether_the_image_is_sent(maze_spec: SpecFactory, setting: str, images: int) -> None:
    agent, backend = agent_with(["Action: right"])
    play(maze_spec(setting, max_steps=1), agent)
    parts = [p for p in backend.requests[0][-1].parts if isinstance(p, ImagePart)]
    assert len(parts) == images
    if images:
        assert parts[0].image.shape == (64, 64, 3)


def test_history_images_are_sent_when_asked(maze_spec: SpecFactory) -> None:
    agent, backend = agent_with(["Action: right"], history_images=2)
    play(maze_spec("multi_step-image_text-history", max_steps=3), agent)
    counts = [sum(isinstance(p, ImagePart) for p in r[-1].parts) for r in backend.requests]
    assert counts == [1, 2, 3]


def test_too_many_failures_in_a_row_end_the_episode_as_a_failure(maze_spec: SpecFactory) -> None:
    agent, backend = agent_with(["no idea"], max_consecutive_failures=3)
    record = play(maze_spec("multi_step-text-history", max_steps=20), agent)
    assert record.status == "done" and not record.success
    assert record.stop_reason == "3 unparseable or invalid replies in a row"
    assert len(record.steps) == 3 and len(backend.requests) == 3
    assert all(step.action == "" for step in record.steps)  # never a made-up action


def test_one_step_asks_once_for_the_whole_plan(maze_spec: SpecFactory) -> None:
    agent, backend = agent_with(['{"thought": "t", "actions": ["right", "right", "right", "right"]}'])
    record = play(maze_spec("one_step-image_text"), agent)
    assert record.success and len(backend.requests) == 1 and len(record.steps) == 4
    assert '"actions"' in user_text(backend.requests[0])


def test_plan_mode_stops_at_the_first_invalid_action(maze_spec: SpecFactory) -> None:
    agent, _ = agent_with(
        ['{"actions": ["right", "up", "right"]}', '{"actions": ["right", "right", "right"]}'], plan=True
    )
    record = play(maze_spec("multi_step-text-history"), agent)
    assert [s.action for s in record.steps[:2]] == ["right", "up"] and not record.steps[1].valid
    assert record.steps[2].turn == 2  # "right" after the invalid "up" was dropped; the model was asked again
    assert record.success


def test_model_error_ends_the_episode_as_an_error(maze_spec: SpecFactory) -> None:
    agent, _ = agent_with([ModelError("HTTP 500 after 6 attempts")])
    record = play(maze_spec(), agent)
    assert record.status == "error" and "HTTP 500 after 6 attempts" in (record.error or "")
    assert record.steps == []


def test_few_shot_examples_are_sent_before_the_task(maze_spec: SpecFactory, tmp_path: Path) -> None:
    few_shot = tmp_path / "shots.yaml"
    few_shot.write_text('mmgym/Maze-v0:\n  - user: "example state"\n    assistant: \'{"action": "up"}\'\n')
    agent, backend = agent_with(["Action: right"], few_shot_file=str(few_shot))
    play(maze_spec(max_steps=1), agent)
    roles = [m.role for m in backend.requests[0]]
    assert roles == ["system", "user", "assistant", "user"]
    assert backend.requests[0][2].parts[0] == TextPart('{"action": "up"}')


def test_text_output_format_asks_for_action_lines(maze_spec: SpecFactory) -> None:
    agent, backend = agent_with(["Thought: right is open\nAction: right"], output_format="text")
    record = play(maze_spec(max_steps=1), agent)
    assert "Action: <action>" in user_text(backend.requests[0])
    assert record.turns[0].parse_path == "regex" and record.steps[0].data["state_changed"]


def test_shipped_few_shot_examples_load_by_name_and_are_correct(maze_spec: SpecFactory) -> None:
    """Each shipped demonstration's action is the optimal first move of its state."""
    import yaml

    from mmgym.agents.prompts import SHIPPED_FEW_SHOT, load_few_shot
    from mmgym.envs.puzzles import game_of, get_game

    data = yaml.safe_load((SHIPPED_FEW_SHOT / "ingvp.yaml").read_text())
    assert len(data) == 6
    for env_id in data:
        (shot,) = load_few_shot("ingvp", env_id)
        game = get_game(game_of(env_id))
        state = game.from_text(shot.user.split("Current state:\n", 1)[1])
        action = json.loads(shot.assistant)["action"]
        assert game.optimal_remaining(game.step(state, action)) == game.optimal_remaining(state) - 1
    with pytest.raises(ConfigError, match="ingvp"):
        load_few_shot("nope", "mmgym/Maze-v0")
