"""The scripted baselines: the oracle solves every frozen level in every setting; random stays near the floor."""

from __future__ import annotations

import asyncio
import json
import string
from collections.abc import Callable
from pathlib import Path
from typing import Any, ClassVar

import gymnasium as gym
import pytest

from mmgym.agents.scripted import ExpertAgent, OracleAgent, RandomAgent
from mmgym.core.agent import Agent, EpisodeContext, Turn
from mmgym.core.language_env import check_language_env, format_vector
from mmgym.core.records import EpisodeRecord
from mmgym.core.spec import EpisodeSpec, PlayRules
from mmgym.envs.puzzles import GAME_CLASSES
from mmgym.envs.puzzles.levels import default_set_path, load_set
from mmgym.errors import ConfigError
from mmgym.results.store import ResultsStore
from mmgym.results.summary import RunResults
from mmgym.runners.evaluate import evaluate
from mmgym.runners.local import LocalRunner
from mmgym.runners.rollout import run_episode
from mmgym.tasks.ingvp.settings import ALL_SETTINGS
from mmgym.tasks.ingvp.suite import IngvpSuite

GAMES = list(GAME_CLASSES)


def run(suite: IngvpSuite, agent: Callable[[], Agent], run_dir: Path) -> tuple[RunResults, list[EpisodeRecord]]:
    results = evaluate(suite, agent, run_dir, LocalRunner(concurrency=32), show_progress=False)
    return results, list(ResultsStore(run_dir).records())


def test_every_game_ships_a_frozen_set() -> None:
    assert all(default_set_path(game).is_file() for game in GAMES)


@pytest.mark.parametrize("game", GAMES)
def test_oracle_solves_every_default_level_in_every_setting(game: str, tmp_path: Path) -> None:
    levels = load_set(game)
    results, records = run(IngvpSuite(games=[game]), OracleAgent, tmp_path)
    assert results.episodes == len(records) == len(ALL_SETTINGS) * len(levels)
    assert results.errors == 0
    for record in records:
        assert record.status == "done", record.error
        assert record.success, record.id
        assert record.metrics == {"accuracy": 100.0, "completion": 100.0, "efficiency": 100.0}, record.id
        level = levels[record.spec.reset_options["level_index"]]
        assert record.initial_data["optimal_length"] == level.optimal_length > 0
        assert record.final_data("optimal_remaining") == 0
        assert len(record.steps) == level.optimal_length  # optimal: no wasted moves
        one_step = record.spec.metadata["setting"].startswith("one_step")
        assert one_step == (record.spec.rules.actions_per_reply == "solution") == record.spec.rules.single_reply
        expected_calls = 1 if one_step else level.optimal_length
        assert record.agent_calls == expected_calls
    for group in results.groups["game/setting"].values():
        assert group["accuracy"].mean == group["completion"].mean == 100.0


def test_random_is_near_the_floor(tmp_path: Path) -> None:
    suite = IngvpSuite(games=["maze"], levels=20)
    random_results, records = run(suite, RandomAgent, tmp_path / "random")
    oracle_results, _ = run(suite, OracleAgent, tmp_path / "oracle")
    assert random_results.episodes == len(records) == 120 and random_results.errors == 0
    random_overall = random_results.overall()
    oracle_overall = oracle_results.overall()
    assert random_overall["accuracy"].mean < 25.0
    assert oracle_overall["accuracy"].mean - random_overall["accuracy"].mean > 60.0
    assert random_overall["completion"].mean < oracle_overall["completion"].mean - 40.0
    # one-step random plans of 8 moves essentially never solve a level that needs 8
    for name in ("one_step-image_text", "one_step-text"):
        assert random_results.groups["setting"][name]["accuracy"].mean < 10.0
    # random plays well-formed moves, so some are legal and some hit walls
    valid = [step.valid for record in records for step in record.steps]
    assert 0.2 < sum(valid) / len(valid) < 0.9


def test_random_is_reproducible(maze_spec: Callable[..., Any]) -> None:
    spec = maze_spec(max_steps=15)
    first = asyncio.run(run_episode(spec, RandomAgent()))
    second = asyncio.run(run_episode(spec, RandomAgent()))
    assert [s.action for s in first.steps] == [s.action for s in second.steps]
    assert len(first.steps) > 1
    other = asyncio.run(run_episode(maze_spec(max_steps=15, seed=1), RandomAgent()))
    assert [s.action for s in other.steps] != [s.action for s in first.steps]


def test_random_one_step_plan_length(maze_spec: Callable[..., Any]) -> None:
    record = asyncio.run(run_episode(maze_spec("one_step-text", max_steps=50), RandomAgent(plan_length=5)))
    assert record.agent_calls == 1 and record.actions_given == 5
    assert 1 <= len(record.steps) <= 5


# ---- the random agent on an env whose actions are integer vectors ---------------------------------

ARM_BOUNDS = ((0, 99),) * 3 + ((0, 119),) * 3 + ((0, 1),)


def vector_context(name: str = "arm-reach", seed: int = 0, actions_per_reply: str = "plan") -> EpisodeContext:
    rules = PlayRules(actions_per_reply=actions_per_reply, observation="text", max_steps=10)  # type: ignore[arg-type]
    episode_id = f"{name}-0123abcd"  # a readable name, then the spec hash
    return EpisodeContext(episode_id, "test/Arm-v0", seed, rules, "", "", action_vector=ARM_BOUNDS)


def random_vectors(context: EpisodeContext, turns: int, **kwargs: Any) -> list[list[list[int]]]:
    """The agent's replies over `turns` turns, each action read back as its list of integers."""

    async def play() -> list[list[str]]:
        agent = RandomAgent(**kwargs)
        await agent.reset(context)
        return [(await agent.act(Turn(observation={}, info={}))).actions for _ in range(turns)]

    return [[json.loads(action) for action in reply] for reply in asyncio.run(play())]


def test_random_draws_integer_vectors_within_each_elements_inclusive_bounds() -> None:
    replies = random_vectors(vector_context(), turns=300)
    assert all(len(reply) == 1 for reply in replies)
    vectors = [reply[0] for reply in replies]
    assert all(len(v) == 7 and all(isinstance(x, int) for x in v) for v in vectors)
    for i, (low, high) in enumerate(ARM_BOUNDS):
        column = [v[i] for v in vectors]
        assert low <= min(column) and max(column) <= high
        assert len(set(column)) > (1 if high == 1 else 50)  # spread over the range, not a constant
    assert {v[6] for v in vectors} == {0, 1}  # both ends of an inclusive range are drawn
    assert len({tuple(v) for v in vectors}) == len(vectors)


def test_random_vectors_are_spelled_by_format_vector() -> None:
    async def first_action() -> str:
        agent = RandomAgent()
        await agent.reset(vector_context())
        return (await agent.act(Turn(observation={}, info={}))).actions[0]

    action = asyncio.run(first_action())
    assert action == format_vector(json.loads(action)) and action.startswith("[") and ", " in action


def test_random_vectors_depend_on_the_episodes_name_and_seed_only() -> None:
    first = random_vectors(vector_context(), turns=5)
    assert random_vectors(vector_context(), turns=5) == first
    renamed = vector_context()
    renamed = EpisodeContext(**{**renamed.__dict__, "episode_id": "arm-reach-ffffffff"})  # another spec hash
    assert random_vectors(renamed, turns=5) == first
    assert random_vectors(vector_context(name="arm-lift"), turns=5) != first
    assert random_vectors(vector_context(seed=1), turns=5) != first


def test_random_solution_plans_of_vectors_have_plan_length_actions() -> None:
    (reply,) = random_vectors(vector_context(actions_per_reply="solution"), turns=1, plan_length=5)
    assert len(reply) == 5 and len({tuple(v) for v in reply}) == 5


def test_random_needs_listed_actions_or_an_action_vector() -> None:
    context = EpisodeContext(**{**vector_context().__dict__, "action_vector": ()})
    with pytest.raises(ConfigError, match="lists its actions or declares an action vector; test/Arm-v0 does neither"):
        asyncio.run(RandomAgent().reset(context))


# ---- the expert agent on any env: it follows the env's own expert_plan() ----------------------------


class Counter(gym.Env):
    """Not a puzzle: count up to a target with 'inc' and 'dec' (text only, no solver behind it)."""

    metadata: ClassVar[dict[str, Any]] = {"render_modes": []}
    rules = "Reach the target count."
    action_grammar = "'inc' or 'dec'"

    def __init__(self, target: int = 3) -> None:
        self.target = target
        self.count = 0
        text = gym.spaces.Text(64, charset=string.printable)
        self.observation_space = gym.spaces.Dict({"text": text, "instruction": text})
        self.action_space = gym.spaces.Text(16, charset=string.printable)

    def reset(self, *, seed: int | None = None, options: dict[str, Any] | None = None) -> Any:
        super().reset(seed=seed)
        self.count = 0
        return self._obs(), self._info(True, "Counting from 0.")

    def step(self, action: str) -> Any:
        valid = action in ("inc", "dec")
        self.count += {"inc": 1, "dec": -1}.get(action, 0)
        done = self.count == self.target
        return self._obs(), float(done), done, False, self._info(valid, f"count is {self.count}")

    def candidate_actions(self) -> list[str]:
        return ["inc", "dec"]

    def _obs(self) -> dict[str, Any]:
        return {"text": f"count: {self.count}", "instruction": f"Count to {self.target}."}

    def _info(self, valid: bool, feedback: str) -> dict[str, Any]:
        progress = max(0.0, min(1.0, self.count / self.target))
        return {"valid": valid, "feedback": feedback, "success": self.count == self.target, "progress": progress}


class CounterWithExpert(Counter):
    """The same env, with an expert that reads the true count."""

    def expert_plan(self) -> list[str]:
        return ["inc"] * max(0, self.target - self.count)


for _name, _cls in (("Counter", Counter), ("CounterWithExpert", CounterWithExpert)):
    if f"test/{_name}-v0" not in gym.registry:
        gym.register(f"test/{_name}-v0", entry_point=f"{__name__}:{_cls.__name__}")


def counter_spec(env: str, actions_per_reply: str = "plan", single_reply: bool = False) -> EpisodeSpec:
    rules = PlayRules(actions_per_reply=actions_per_reply, observation="text", max_steps=10,  # type: ignore[arg-type]
                      single_reply=single_reply)  # fmt: skip
    return EpisodeSpec(suite="test", task="count", env_id=env, env_kwargs={"target": 3}, seed=0, rules=rules)


def test_the_counter_follows_the_language_env_contract() -> None:
    check_language_env(gym.make("test/Counter-v0"))
    check_language_env(gym.make("test/CounterWithExpert-v0"))


def test_oracle_on_an_env_without_an_expert_stops_the_run_with_one_line_naming_the_env(tmp_path) -> None:
    message = "^test/Counter-v0 has no expert \\(expert_plan\\); agent=oracle needs one$"
    with pytest.raises(ConfigError, match=message):
        asyncio.run(run_episode(counter_spec("test/Counter-v0"), OracleAgent()))

    class CounterSuite(IngvpSuite):
        def specs(self) -> list:
            return [counter_spec("test/Counter-v0")]

    with pytest.raises(ConfigError, match=message):  # the whole run stops; nothing is recorded
        evaluate(CounterSuite(), OracleAgent, tmp_path, show_progress=False)
    assert not (tmp_path / "episodes.jsonl").exists()


@pytest.mark.parametrize(
    ("actions_per_reply", "single_reply", "calls"),
    [("plan", False, 3), ("one", False, 3), ("solution", True, 1), ("solution", False, 3)],
)
def test_oracle_follows_the_experts_plan_of_any_env(actions_per_reply: str, single_reply: bool, calls: int) -> None:
    """The whole plan when one reply must solve the task; else one action a turn, replanned from the true state
    (a reply's actions that all run, as EB-Manipulation's do, would otherwise follow a stale plan)."""
    spec = counter_spec("test/CounterWithExpert-v0", actions_per_reply, single_reply)
    record = asyncio.run(run_episode(spec, OracleAgent()))
    assert record.status == "done", record.error
    assert record.success and [s.action for s in record.steps] == ["inc"] * 3 and record.agent_calls == calls
    reasonings = [s.reasoning for s in record.steps if s.reasoning]
    expected = ["expert plan of 3 actions"] if calls == 1 else ["expert plan of 1 actions"] * 3
    assert reasonings == expected


def test_the_oracle_is_the_expert_and_follows_the_puzzle_solver(maze_spec: Callable[..., Any]) -> None:
    assert OracleAgent is ExpertAgent
    record = asyncio.run(run_episode(maze_spec("one_step-text"), OracleAgent()))
    assert record.success and record.agent_calls == 1
    assert record.steps[0].reasoning == "expert plan of 4 actions" and len(record.steps) == 4
