"""A run's spending limits: model calls, tokens and dollars, checked before each episode starts.

What counts is what the model was asked for: every turn with a model reply, its prompt and
completion tokens and its cost; a reply served from the on-disk cache costs nothing. The totals
start from the records already in the run directory, so a rerun with a higher budget resumes
where the last one stopped, and grow live as in-flight episodes' turns come back, so a slot that
frees up after the limit was passed starts nothing. Episodes already in flight always finish: a
half-played episode would be wasted money.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from pydantic import BaseModel, ConfigDict, Field

from mmgym.core.agent import Agent, AgentReply, EpisodeContext, ModelExchange, Turn
from mmgym.core.records import EpisodeRecord


class Budget(BaseModel):
    """The `budget` config: each limit is off when null."""

    model_config = ConfigDict(extra="forbid")

    max_cost_usd: float | None = Field(default=None, ge=0)
    max_tokens: int | None = Field(default=None, ge=0)
    max_model_calls: int | None = Field(default=None, ge=0)
    # Only `mmgym run --dry-run` reads this: prompt tokens per call assumed before the run has measured any.
    estimate_prompt_tokens: int = Field(default=2000, ge=0)

    @property
    def limited(self) -> bool:
        return any(limit is not None for limit in (self.max_cost_usd, self.max_tokens, self.max_model_calls))


@dataclass
class Spending:
    model_calls: int = 0
    tokens: int = 0
    cost_usd: float = 0.0

    def add(self, exchange: ModelExchange) -> None:
        """Count one turn: nothing for a scripted agent's turn or a cached reply."""
        if exchange.model_output is None or exchange.usage.get("cached"):
            return
        self.model_calls += 1
        self.tokens += int(exchange.usage.get("prompt_tokens", 0) + exchange.usage.get("completion_tokens", 0))
        self.cost_usd += float(exchange.usage.get("cost_usd", 0.0))

    @classmethod
    def of(cls, records: Iterable[EpisodeRecord]) -> Spending:
        spent = cls()
        for record in records:
            for turn in record.turns:
                spent.add(turn)
        return spent


class BudgetMeter:
    """The run's spending so far, and the one-line reason no further episode may start, once there is one."""

    def __init__(self, budget: Budget, spent: Spending | None = None) -> None:
        self.budget = budget
        self.spent = spent or Spending()
        self.not_started = 0  # episodes the budget kept from starting

    def exhausted(self) -> str | None:
        """Which limit is reached, with what was spent, or None while every limit has room."""
        budget, spent = self.budget, self.spent
        if budget.max_model_calls is not None and spent.model_calls >= budget.max_model_calls:
            return f"budget.max_model_calls={budget.max_model_calls} reached ({spent.model_calls} model calls made)"
        if budget.max_tokens is not None and spent.tokens >= budget.max_tokens:
            return f"budget.max_tokens={budget.max_tokens} reached ({spent.tokens} tokens used)"
        if budget.max_cost_usd is not None and spent.cost_usd >= budget.max_cost_usd:
            return f"budget.max_cost_usd={budget.max_cost_usd:g} reached (${spent.cost_usd:.4f} spent)"
        return None

    def may_start(self) -> bool:
        """Whether an episode may start now; a refusal is counted."""
        if self.exhausted() is None:
            return True
        self.not_started += 1
        return False

    def metered(self, agent: Agent) -> Agent:
        """`agent`, with each of its replies counted as it comes back."""
        return _MeteredAgent(agent, self.spent)

    def stop_line(self) -> str | None:
        """The line a run stopped by its budget ends with, or None if the budget stopped nothing."""
        reason = self.exhausted()
        if not self.not_started or reason is None:
            return None
        return f"{reason}; {self.not_started} episodes not started; rerun with a higher budget to resume"


class _MeteredAgent:
    def __init__(self, agent: Agent, spent: Spending) -> None:
        self._agent = agent
        self._spent = spent

    async def reset(self, context: EpisodeContext) -> None:
        await self._agent.reset(context)

    async def act(self, turn: Turn) -> AgentReply:
        reply = await self._agent.act(turn)
        self._spent.add(reply)
        return reply
