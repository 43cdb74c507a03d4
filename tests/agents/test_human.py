"""The human agent plays real suite episodes as the expert would when its desk answers with the expert's moves."""

from __future__ import annotations

import asyncio
import json
import threading
from pathlib import Path

from mmgym.agents.human import Answer, AnswerKind, Desk, HumanAgent
from mmgym.agents.scripted import OracleAgent
from mmgym.core.agent import EpisodeContext, Turn
from mmgym.results.store import ResultsStore
from mmgym.runners.evaluate import evaluate
from mmgym.runners.local import LocalRunner
from mmgym.tasks.ingvp.suite import IngvpSuite
from mmgym.tasks.puzzle_sprint import PuzzleSprintSuite


class ExpertDesk:
    """Answers every turn with the expert's next move, as a chosen action or as typed text."""

    def __init__(self, kind: AnswerKind = "action") -> None:
        self.kind = kind
        self.episodes = 0

    def start_episode(self) -> int:
        self.episodes += 1
        return self.episodes

    async def ask(self, context: EpisodeContext, turn: Turn, turn_index: int) -> Answer:
        assert context.expert is not None
        move = (await context.expert()).actions[0]
        return Answer(self.kind, move if self.kind == "action" else f"I go {move}.\nAction: {move}", 2.0)


def _records(run_dir: Path) -> dict[str, object]:
    return {r.id: r for r in ResultsStore(run_dir).records()}


def test_a_person_answering_as_the_expert_plays_the_experts_episodes(tmp_path: Path) -> None:
    suite = PuzzleSprintSuite(games=["maze"], levels=2)
    evaluate(suite, OracleAgent, tmp_path / "oracle", LocalRunner(concurrency=1), False)
    for kind in ("action", "text"):
        desk = ExpertDesk(kind)  # type: ignore[arg-type]
        evaluate(suite, lambda d=desk: HumanAgent(d), tmp_path / kind, LocalRunner(concurrency=1), False)
        oracle, human = _records(tmp_path / "oracle"), _records(tmp_path / kind)
        assert oracle.keys() == human.keys() and desk.episodes == 2
        for episode_id, record in human.items():
            expected = oracle[episode_id]
            assert [s.action for s in record.steps] == [s.action for s in expected.steps]  # type: ignore[attr-defined]
            assert record.metrics == expected.metrics and record.success  # type: ignore[attr-defined]
            assert record.usage["latency_s"] == 2.0 * len(record.steps)  # the person's time, where a model's goes
            assert all(turn.usage["human_seconds"] == 2.0 for turn in record.turns)
        if kind == "text":  # typed replies went through the models' parser
            assert {turn.parse_path for turn in record.turns} == {"regex"}


def test_an_unreadable_reply_costs_a_step_with_the_parsers_reason(tmp_path: Path) -> None:
    class Babbling(ExpertDesk):
        async def ask(self, context: EpisodeContext, turn: Turn, turn_index: int) -> Answer:
            return Answer("text", "hmm, let me think", 1.0)

    suite = PuzzleSprintSuite(games=["maze"], levels=1, max_steps=2)
    evaluate(suite, lambda: HumanAgent(Babbling()), tmp_path, LocalRunner(concurrency=1), False)
    (record,) = ResultsStore(tmp_path).records()
    assert [s.action for s in record.steps] == ["", ""] and not record.success
    assert record.usage["parse_failures"] == 2 and all(t.parse_error for t in record.turns)


def test_the_desk_takes_one_answer_per_question_from_another_thread() -> None:
    desk = Desk(total=1)
    context = EpisodeContext("e", "env", 0, PuzzleSprintSuite().rules(), "", "", valid_actions=("up", "down"))
    turn = Turn({"text": "."}, {})

    def person() -> None:
        while desk.question is None:
            threading.Event().wait(0.01)
        number = desk.question.number
        assert not desk.answer(number + 1, "action", "down")  # a stale or made-up turn number
        assert desk.answer(number, "action", "up")
        assert not desk.answer(number, "action", "down")  # a second click on the same turn

    async def ask() -> Answer:
        desk.start_episode()
        return await desk.ask(context, turn, 0)

    thread = threading.Thread(target=person)
    thread.start()
    answer = asyncio.run(ask())
    thread.join()
    assert (answer.kind, answer.text) == ("action", "up") and desk.question is None and desk.episode == 1


def test_a_whole_solution_sent_as_one_json_reply_solves_a_one_step_level(tmp_path: Path) -> None:
    class Planner(ExpertDesk):
        async def ask(self, context: EpisodeContext, turn: Turn, turn_index: int) -> Answer:
            assert context.expert is not None
            return Answer("text", json.dumps({"actions": (await context.expert()).actions}), 3.0)

    suite = IngvpSuite(games=["maze"], settings=["one_step-text"], levels=2, image_size=64)
    evaluate(suite, OracleAgent, tmp_path / "oracle", LocalRunner(concurrency=1), False)
    evaluate(suite, lambda: HumanAgent(Planner()), tmp_path / "human", LocalRunner(concurrency=1), False)
    oracle, human = _records(tmp_path / "oracle"), _records(tmp_path / "human")
    assert {i: r.metrics for i, r in human.items()} == {i: r.metrics for i, r in oracle.items()}  # type: ignore[attr-defined]
    assert all(r.agent_calls == 1 and r.turns[0].parse_path == "json" for r in human.values())  # type: ignore[attr-defined]
