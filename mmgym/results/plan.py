"""What a run would do, before it does it: episodes per group (done and to run), and its model calls and cost.

Calls are bounded by the play rules: every turn costs at least one step, so an episode makes at
most `max_steps` calls (one for a single-reply suite), plus `max_invalid` where unparseable replies
cost no step. Tokens per call are measured from the
run directory's own records once it has some, and assumed until then; completion tokens are
bounded by the agent's `max_tokens`. Reading the run directory never changes it.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from mmgym.core.records import EpisodeRecord
from mmgym.core.spec import EpisodeSpec
from mmgym.results.run_dir import RunDir

if TYPE_CHECKING:
    from mmgym.tasks.suite import Suite


@dataclass(frozen=True)
class Pricing:
    """What a call costs and how long it is: the model config's prices and the agent's reply limit."""

    calls_model: bool
    price_per_million_input: float = 0.0
    price_per_million_output: float = 0.0
    completion_tokens: int = 0  # the agent's max_tokens: an upper bound per call
    prompt_tokens: int = 0  # assumed until measured

    def cost(self, prompt_tokens: float, completion_tokens: float) -> float:
        return (prompt_tokens * self.price_per_million_input + completion_tokens * self.price_per_million_output) / 1e6


@dataclass(frozen=True)
class GroupCount:
    grouping: str
    group: str
    episodes: int
    done: int


@dataclass(frozen=True)
class Measured:
    """Per-call and per-episode figures from the episodes already in the run directory."""

    episodes: int
    calls_per_episode: float
    prompt_tokens_per_call: float
    completion_tokens_per_call: float
    cost_per_call: float


@dataclass(frozen=True)
class RunPlan:
    episodes: int
    done: int
    groups: list[GroupCount]
    max_calls: int  # for the episodes still to run
    max_cost_usd: float  # those calls at the assumed prompt length and the agent's max_tokens
    pricing: Pricing
    measured: Measured | None = None

    @property
    def to_run(self) -> int:
        return self.episodes - self.done

    @property
    def expected_calls(self) -> float | None:
        return self.measured.calls_per_episode * self.to_run if self.measured else None

    @property
    def expected_cost_usd(self) -> float | None:
        return self.measured.cost_per_call * self.expected_calls if self.measured else None  # type: ignore[operator]


def plan_run(suite: Suite, run_dir: RunDir, pricing: Pricing) -> RunPlan:
    """What running `suite` into `run_dir` (which need not exist yet) would do."""
    specs = suite.specs()
    latest = {record.id: record for record in run_dir.records()}  # each id's latest: a retry's, not the error's
    done_records = {i: record for i, record in latest.items() if record.status == "done"}
    done_ids = {spec.id for spec in specs if spec.id in done_records}
    todo = [spec for spec in specs if spec.id not in done_ids]
    max_calls = sum(max_calls_of(spec) for spec in todo) if pricing.calls_model else 0
    measured = _measured([done_records[i] for i in done_ids], pricing) if pricing.calls_model else None
    return RunPlan(
        episodes=len(specs),
        done=len(done_ids),
        groups=group_counts(suite, specs, done_ids),
        max_calls=max_calls,
        max_cost_usd=max_calls * pricing.cost(pricing.prompt_tokens, pricing.completion_tokens),
        pricing=pricing,
        measured=measured,
    )


def max_calls_of(spec: EpisodeSpec) -> int:
    """The most model calls an episode can make: each turn costs at least one step, except unparseable
    replies that cost none (play rules `unparseable: free`), of which `max_invalid` bounds the count."""
    rules = spec.rules
    if rules.single_reply:
        return 1
    free = (rules.max_invalid or 0) if rules.unparseable == "free" else 0
    return rules.max_steps + free


def group_counts(suite: Suite, specs: list[EpisodeSpec], done_ids: set[str]) -> list[GroupCount]:
    """Episodes and episodes done per group of each grouping that a spec alone decides (not `overall`)."""
    counts: dict[tuple[str, str], list[int]] = {}
    for name, key in suite.groupings().items():
        if name == "overall":
            continue
        for spec in specs:
            try:
                group = key(EpisodeRecord(id=spec.id, spec=spec, started_at=0.0))
            except Exception:  # a grouping that needs the episode's outcome cannot be counted before it
                break
            if group is None:
                continue
            tally = counts.setdefault((name, group), [0, 0])
            tally[0] += 1
            tally[1] += spec.id in done_ids
    return [GroupCount(name, group, total, done) for (name, group), (total, done) in counts.items()]


def _measured(records: list[EpisodeRecord], pricing: Pricing) -> Measured | None:
    calls = [turn for record in records for turn in record.turns if turn.model_output is not None]
    if not calls:
        return None
    prompt = sum(turn.usage.get("prompt_tokens", 0.0) for turn in calls) / len(calls)
    completion = sum(turn.usage.get("completion_tokens", 0.0) for turn in calls) / len(calls)
    return Measured(
        episodes=len(records),
        calls_per_episode=len(calls) / len(records),
        prompt_tokens_per_call=prompt,
        completion_tokens_per_call=completion,
        cost_per_call=pricing.cost(prompt, completion),
    )
