"""A person as an agent: each turn goes to a desk where someone (through `mmgym play`'s page) answers it.

The agent plays by the same rules as a model: it sees what the rules show, a free-text answer goes
through the model replies' parser (`parse_reply`), and a chosen action is given as it is. The
seconds the person took go into the turn's usage as `latency_s` (and `human_seconds`), where a
model's time goes, so the run's tables show time per step instead of tokens.

The desk is the only thing shared with the page's server, which runs on another thread: the agent
posts a question and awaits its answer on its own event loop; the server reads the question and
answers it from its thread.
"""

from __future__ import annotations

import asyncio
import threading
import time
from dataclasses import dataclass
from typing import Literal

from mmgym.agents.parsing import parse_reply
from mmgym.core.agent import AgentReply, EpisodeContext, Turn, current_actions

AnswerKind = Literal["action", "text"]


@dataclass(frozen=True)
class Question:
    """One turn as the page shows it: `number` identifies it, so a late or repeated answer cannot reach the next."""

    number: int
    episode: int  # 1-based index of the episode among those this session plays
    context: EpisodeContext
    turn: Turn
    turn_index: int  # turns already answered in this episode
    actions: tuple[str, ...]  # the actions listed now (empty for integer-vector envs)
    asked_at: float


@dataclass(frozen=True)
class Answer:
    kind: AnswerKind  # `action`: one chosen action as listed; `text`: a free reply for the parser
    text: str
    seconds: float


class Desk:
    """The exchange between the human agent (its episode loop) and the page's server (another thread)."""

    def __init__(self, total: int = 0) -> None:
        self.total = total  # episodes this session plays
        self.episode = 0
        self.finished = False
        self._lock = threading.Lock()
        self._numbers = 0
        self._question: Question | None = None
        self._waiter: tuple[asyncio.AbstractEventLoop, asyncio.Future[Answer]] | None = None

    def start_episode(self) -> int:
        with self._lock:
            self.episode += 1
            return self.episode

    def finish(self) -> None:
        with self._lock:
            self.finished = True
            self._question = None

    @property
    def question(self) -> Question | None:
        with self._lock:
            return self._question

    async def ask(self, context: EpisodeContext, turn: Turn, turn_index: int) -> Answer:
        """Post the turn and wait for a person's answer (on the caller's loop)."""
        loop = asyncio.get_running_loop()
        future: asyncio.Future[Answer] = loop.create_future()
        with self._lock:
            self._numbers += 1
            self._question = Question(
                self._numbers, self.episode, context, turn, turn_index, current_actions(context, turn), time.time()
            )
            self._waiter = (loop, future)
        try:
            return await future
        finally:
            with self._lock:
                self._question, self._waiter = None, None

    def answer(self, number: int, kind: AnswerKind, text: str) -> bool:
        """Answer question `number` from any thread; False when it is no longer the open question."""
        with self._lock:
            if self._question is None or self._waiter is None or self._question.number != number:
                return False
            loop, future = self._waiter
            answer = Answer(kind, text, time.time() - self._question.asked_at)
            self._waiter = None  # one answer per question
        loop.call_soon_threadsafe(_settle, future, answer)
        return True


def _settle(future: asyncio.Future[Answer], answer: Answer) -> None:
    if not future.done():
        future.set_result(answer)


class HumanAgent:
    """Asks a person at `desk` for each turn's action."""

    def __init__(self, desk: Desk) -> None:
        self.desk = desk

    async def reset(self, context: EpisodeContext) -> None:
        self.context = context
        self.turns = 0
        self.desk.start_episode()

    async def act(self, turn: Turn) -> AgentReply:
        answer = await self.desk.ask(self.context, turn, self.turns)
        self.turns += 1
        usage = {"latency_s": answer.seconds, "human_seconds": answer.seconds}
        if answer.kind == "action":
            return AgentReply(actions=[answer.text], model_output=answer.text, parse_path="match", usage=usage)
        parsed = parse_reply(
            answer.text,
            plan=self.context.play.actions_per_reply != "one",
            valid_actions=current_actions(self.context, turn),
            vector=bool(self.context.action_vector),
        )
        return AgentReply(
            actions=list(parsed.actions),
            reasoning=parsed.thought,
            model_output=answer.text,
            parse_path=parsed.path,
            parse_error=parsed.error,
            usage=usage,
        )
