"""One episode as one async rollout: reset, then ask the agent and step the env until done.

The rollout follows the spec's play rules and nothing else: how many of a reply's actions run,
what of the observation and info the agent sees, whether it sees its history, when to stop. It
knows no benchmark.
"""

from __future__ import annotations

import random
import time
import traceback
from typing import Any

from mmgym.core.agent import Agent, AgentReply, EpisodeContext, StepView, Turn, current_actions
from mmgym.core.language_env import format_vector
from mmgym.core.records import ERROR_TYPES, EpisodeRecord, StepRecord, TurnRecord
from mmgym.core.spec import EpisodeSpec, PlayRules
from mmgym.errors import ConfigError, SimulatorLost
from mmgym.runners.env_session import EnvDescription, EnvOpener, EnvSession, EnvWorkerLost
from mmgym.runners.in_process import in_process
from mmgym.runners.observers import EpisodeObserver, EpisodeState

NO_ACTION = ""  # what an env that numbers every reply is stepped with for a reply without actions


def agent_view(observation: dict[str, Any], rules: PlayRules) -> dict[str, Any]:
    """The part of the observation the rules let the agent see (the instruction always)."""
    hidden = set()
    if not rules.sees_image:
        hidden.add("image")
    if not rules.sees_text:
        hidden.add("text")
    return {k: v for k, v in observation.items() if k not in hidden}


def agent_info(info: dict[str, Any], rules: PlayRules) -> dict[str, Any]:
    """The env's info without the keys the rules hide."""
    return {k: v for k, v in info.items() if k not in rules.hidden_info}


async def run_episode(
    spec: EpisodeSpec, agent: Agent, open_env: EnvOpener | None = None, observer: EpisodeObserver | None = None
) -> EpisodeRecord:
    """Play one episode; an exception from the agent or env ends it as an error record, never a crash.

    Two escape: `EnvWorkerLost` or `SimulatorLost` (the env's process or its simulator died, so the
    runner may replay the episode from its seed, on a fresh worker or simulator) and `ConfigError`
    (the agent or env refuses the run's configuration, say an oracle on an env without an expert:
    every episode would, so the run stops with that one line). `observer`, when given, is told the
    attempt starts and shown every state (`observers.EpisodeObserver`).
    """
    if observer is not None:
        observer.on_start(spec)
    record = EpisodeRecord(id=spec.id, spec=spec, started_at=time.time())
    start = time.perf_counter()
    env: EnvSession | None = None
    own_envs = in_process() if open_env is None else None
    try:
        env = await (open_env or own_envs)(spec)  # type: ignore[misc]
        await _play(spec, agent, env, record, observer)
    except (EnvWorkerLost, SimulatorLost, ConfigError):  # a replay, or a configuration every episode would refuse
        raise
    except Exception as exc:  # one episode's failure must not stop the run
        mark_failed(record, exc)
    finally:
        if env is not None:
            await env.close()
        if own_envs is not None:
            own_envs.close()
    record.duration_s = time.perf_counter() - start
    return record


def mark_failed(record: EpisodeRecord, exc: BaseException) -> EpisodeRecord:
    """Turn a record into an error record that keeps the reason, the error's types and a short traceback."""
    record.status = "error"
    record.error = f"{type(exc).__name__}: {exc}"
    record.extra[ERROR_TYPES] = [cls.__name__ for cls in type(exc).__mro__ if cls is not object]
    record.extra["traceback"] = "".join(traceback.format_exception(exc, limit=8))
    return record


async def _play(
    spec: EpisodeSpec, agent: Agent, env: EnvSession, record: EpisodeRecord, observer: EpisodeObserver | None
) -> None:
    rules = spec.rules
    obs, info = await env.reset(spec.seed, dict(spec.reset_options))
    description = await env.describe()
    shown = _Shown(observer, spec, description, env)
    await shown(0, obs)
    record.instruction = str(obs.get("instruction", ""))
    record.initial_text = obs.get("text", "")
    record.initial_data = {key: info.get(key) for key in spec.step_data}
    record.success = bool(info.get("success", False))
    context = _context(spec, description, env)
    await agent.reset(context)
    history: list[StepView] = []
    done = record.success
    while not done and len(record.steps) < rules.max_steps:
        if rules.single_reply and record.agent_calls == 1:
            break
        if rules.max_invalid is not None and (refused := refused_count(record)) >= rules.max_invalid:
            record.stop_reason = f"{refused} refused actions and unparseable replies (the limit is {rules.max_invalid})"
            break
        turn = Turn(agent_view(obs, rules), agent_info(info, rules), tuple(history) if rules.history else ())
        reply = await agent.act(turn)
        _record_turn(record, reply)
        if reply.stop_reason and not reply.actions:
            record.stop_reason = reply.stop_reason
            break
        if not reply.actions and rules.unparseable == "ends":
            reason = reply.parse_error or "no action"
            record.stop_reason = f"unparseable reply ({reason}): the play rules end the episode"
            break
        if not reply.actions and rules.unparseable == "free":
            if not record.turns or record.turns[-1].index != record.agent_calls:  # a scripted agent's, kept too:
                _keep_turn(record, reply)  # it counts toward max_invalid
            continue
        fallback = not reply.actions and rules.unparseable == "random"
        if fallback:
            reply = _random_action(reply, spec, context, turn, record.agent_calls)
        elif not reply.actions and description.numbers_every_reply:
            await env.step(NO_ACTION)  # the env counts this reply as a step too, as its history shows it
        obs, info, done = await _execute(spec, env, reply, record, history, obs, info, shown, fallback)
        if reply.stop_reason and not done:  # the reply's actions ran; now it ends the episode
            record.stop_reason = reply.stop_reason
            break
    record.success = bool(info.get("success", False))
    record.progress = float(info.get("progress", 0.0))
    record.truncated = not record.success and len(record.steps) >= rules.max_steps
    record.usage = episode_usage(record)


def _random_action(reply: AgentReply, spec: EpisodeSpec, context: EpisodeContext, turn: Turn, call: int) -> AgentReply:
    """The reply with one action drawn uniformly at random in its place (a listed action, or a vector within
    the env's bounds), from a generator seeded by the episode and the call, so a replay draws the same."""
    draw = random.Random(f"{spec.id}/{call}")
    listed = current_actions(context, turn)
    if listed:
        action = draw.choice(listed)
    elif context.action_vector:  # each element uniformly within its bounds
        action = format_vector([draw.randint(low, high) for low, high in context.action_vector])
    else:
        raise ConfigError(f"{spec.env_id} lists no actions, so unparseable='random' cannot draw one")
    reason = reply.parse_error or "the reply held no action"
    return reply.model_copy(
        update={"actions": [action], "reasoning": f"Unparseable reply ({reason}): drawn at random."}
    )


async def _execute(
    spec: EpisodeSpec,
    env: EnvSession,
    reply: AgentReply,
    record: EpisodeRecord,
    history: list[StepView],
    obs: dict[str, Any],
    info: dict[str, Any],
    shown: _Shown,
    fallback: bool = False,
) -> tuple[dict[str, Any], dict[str, Any], bool]:
    """Step the env through the reply's actions, as the rules allow; returns the last observation, info, and done.

    A reply without actions costs one step and changes nothing. `one` runs the first action only;
    `plan` stops after the first invalid action, so the agent can react to the feedback;
    `solution` runs every action (invalid ones change nothing). `fallback` marks the step as drawn at
    random for an unparseable reply.
    """
    if not reply.actions:
        reason = reply.parse_error or "the reply held no action"
        info = {**info, "valid": False, "state_changed": False, "feedback": f"No action taken: {reason}."}
        _append_step(spec, record, history, "", 0.0, obs, info, reply.reasoning)
        await shown(len(record.steps), obs)
        return obs, info, False
    actions = reply.actions[:1] if spec.rules.actions_per_reply == "one" else reply.actions
    for i, action in enumerate(actions):
        obs, reward, terminated, truncated, info = await env.step(action)
        step = _append_step(spec, record, history, action, reward, obs, info, reply.reasoning if i == 0 else "")
        step.random_fallback = fallback
        await shown(len(record.steps), obs)
        if terminated or truncated:
            return obs, info, True
        stop_at_invalid = spec.rules.actions_per_reply == "plan" and not step.valid
        if len(record.steps) >= spec.rules.max_steps or stop_at_invalid:
            break
    return obs, info, False


def _append_step(
    spec: EpisodeSpec,
    record: EpisodeRecord,
    history: list[StepView],
    action: str,
    reward: float,
    obs: dict[str, Any],
    info: dict[str, Any],
    reasoning: str,
) -> StepRecord:
    step = StepRecord(
        index=len(record.steps),
        turn=record.agent_calls,
        action=action,
        valid=bool(info.get("valid", True)),
        feedback=str(info.get("feedback", "")),
        reward=float(reward),
        success=bool(info.get("success", False)),
        progress=float(info.get("progress", 0.0)),
        state_text=obs.get("text", ""),
        reasoning=reasoning,
        data={key: info.get(key) for key in spec.step_data},
    )
    record.steps.append(step)
    history.append(StepView(step.index, action, step.valid, step.feedback))
    return step


class _Shown:
    """Shows an episode's states to its observer (when it has one)."""

    def __init__(
        self, observer: EpisodeObserver | None, spec: EpisodeSpec, description: EnvDescription, env: EnvSession
    ) -> None:
        self.observer, self.spec, self.description, self.env = observer, spec, description, env

    async def __call__(self, step: int, obs: dict[str, Any]) -> None:
        """The state after `step` steps (0: after reset)."""
        if self.observer is not None:
            await self.observer.on_step(EpisodeState(self.spec, step, obs, self.description, self.env))


def _record_turn(record: EpisodeRecord, reply: AgentReply) -> None:
    """Count an agent call and keep its exchange (a scripted agent's turns are its steps, so only a model's)."""
    record.agent_calls += 1
    record.actions_given += len(reply.actions)
    if reply.model_output is not None or reply.parse_error is not None:
        _keep_turn(record, reply)


def _keep_turn(record: EpisodeRecord, reply: AgentReply) -> None:
    record.turns.append(TurnRecord(index=record.agent_calls, **reply.model_dump(exclude={"stop_reason"})))


USAGE_FIELDS = ("prompt_tokens", "completion_tokens", "latency_s", "cost_usd")


def episode_usage(record: EpisodeRecord) -> dict[str, float]:
    """Per-episode model statistics: calls, unparseable replies (and how many cost no step), invalid actions,
    actions drawn at random for unparseable replies, tokens, latency, cost."""
    unparsed = sum(1 for turn in record.turns if not turn.actions)
    free = unparsed_without_step(record)
    usage = {
        "model_calls": float(sum(turn.model_output is not None for turn in record.turns)),
        "parse_failures": float(unparsed),
        "invalid_actions": float(sum(not step.valid and bool(step.action) for step in record.steps)),
    }
    if free:
        usage["parse_failures_without_step"] = float(free)
    if any(step.random_fallback for step in record.steps):
        usage["random_actions"] = float(sum(step.random_fallback for step in record.steps))
    for name in USAGE_FIELDS:
        usage[name] = float(sum(turn.usage.get(name, 0.0) for turn in record.turns))
    return usage


def unparsed_without_step(record: EpisodeRecord) -> int:
    """Replies without actions that cost no step (play rules `unparseable: free`)."""
    stepped = {step.turn for step in record.steps}
    return sum(1 for turn in record.turns if not turn.actions and turn.index not in stepped)


def refused_count(record: EpisodeRecord) -> int:
    """Refused actions and unparseable replies so far, each counted once (what `max_invalid` limits)."""
    return sum(not step.valid for step in record.steps) + unparsed_without_step(record)


def _context(spec: EpisodeSpec, env: EnvDescription, session: EnvSession) -> EpisodeContext:
    return EpisodeContext(
        episode_id=spec.id,
        env_id=spec.env_id,
        seed=spec.seed,
        play=spec.rules,
        rules=env.rules,
        action_grammar=env.action_grammar,
        valid_actions=env.valid_actions,
        action_vector=env.action_vector,
        expert=session.expert_plan if env.has_expert else None,
    )
