"""One episode as one async rollout: reset, then ask the agent and step the env until done.

The rollout is the only place that knows the setting's rules of play: one-step play asks the
agent once and executes its whole plan; multi-step play asks every turn; the modality decides
whether the image reaches the agent; history reaches it only when the setting has history.
"""

from __future__ import annotations

import time
import traceback
from typing import Any

from mmgym.core.agent import Agent, AgentReply, EpisodeContext, StepView, Turn
from mmgym.core.records import EpisodeRecord, StepRecord, TurnRecord
from mmgym.core.spec import EpisodeSpec, Setting
from mmgym.runners.env_session import EnvDescription, EnvOpener, EnvSession, EnvWorkerLost, in_process
from mmgym.runners.recorder import EpisodeFrames

# Scoring fields an agent must not see: they come from the exact solver.
PRIVILEGED_INFO = frozenset({"optimal_remaining", "optimal_length", "progress"})


def agent_view(observation: dict[str, Any], setting: Setting) -> dict[str, Any]:
    """The part of the observation the setting lets the agent see."""
    if setting.modality == "text":
        return {k: v for k, v in observation.items() if k != "image"}
    return observation


def agent_info(info: dict[str, Any]) -> dict[str, Any]:
    """The env's info without the solver's scoring fields."""
    return {k: v for k, v in info.items() if k not in PRIVILEGED_INFO}


async def run_episode(
    spec: EpisodeSpec, agent: Agent, open_env: EnvOpener | None = None, frames: EpisodeFrames | None = None
) -> EpisodeRecord:
    """Play one episode; an exception from the agent or env ends it as an error record, never a crash.

    Only `EnvWorkerLost` escapes: the env's process died, so the runner may replay the episode
    from its seed on a fresh worker. `frames`, when given, receives every state's image (and full render).
    """
    record = EpisodeRecord(id=spec.id, spec=spec, started_at=time.time())
    start = time.perf_counter()
    env: EnvSession | None = None
    try:
        env = await (open_env or in_process())(spec)
        await _play(spec, agent, env, record, frames)
    except EnvWorkerLost:
        raise
    except Exception as exc:  # one episode's failure must not stop the run
        mark_failed(record, exc)
    finally:
        if env is not None:
            await env.close()
    record.duration_s = time.perf_counter() - start
    return record


def mark_failed(record: EpisodeRecord, exc: BaseException) -> EpisodeRecord:
    """Turn a record into an error record that keeps the reason and a short traceback."""
    record.status = "error"
    record.error = f"{type(exc).__name__}: {exc}"
    record.extra["traceback"] = "".join(traceback.format_exception(exc, limit=8))
    return record


async def _play(
    spec: EpisodeSpec, agent: Agent, env: EnvSession, record: EpisodeRecord, frames: EpisodeFrames | None
) -> None:
    obs, info = await env.reset(spec.seed, dict(spec.reset_options))
    description = await env.describe()
    if frames is not None:
        frames.wants_render = description.full_render
        await _capture(frames, env, 0, obs)
    record.instruction = str(obs.get("instruction", ""))
    record.initial_text = obs.get("text", "")
    record.optimal_length = info.get("optimal_length", 0)
    record.optimal_remaining = info.get("optimal_remaining")
    record.success = bool(info.get("success", False))
    await agent.reset(_context(spec, description))
    history: list[StepView] = []
    done = record.success
    while not done and len(record.steps) < spec.max_steps:
        if spec.setting.mode == "one_step" and record.agent_calls == 1:
            break
        turn = Turn(agent_view(obs, spec.setting), agent_info(info), tuple(history) if spec.setting.history else ())
        reply = await agent.act(turn)
        _record_turn(record, reply)
        if reply.stop_reason:
            record.stop_reason = reply.stop_reason
            break
        obs, info, done = await _execute(spec, env, reply, record, history, obs, info, frames)
    record.success = bool(info.get("success", False))
    record.optimal_remaining = info.get("optimal_remaining")
    record.truncated = not record.success and len(record.steps) >= spec.max_steps
    record.usage = episode_usage(record)


async def _execute(
    spec: EpisodeSpec,
    env: EnvSession,
    reply: AgentReply,
    record: EpisodeRecord,
    history: list[StepView],
    obs: dict[str, Any],
    info: dict[str, Any],
    frames: EpisodeFrames | None,
) -> tuple[dict[str, Any], dict[str, Any], bool]:
    """Step the env through the reply's actions; returns the last observation, info and whether the episode ended.

    A reply without actions costs one step and changes nothing. In multi-step play the rest of a
    plan is dropped after an invalid action, so the agent can react to the feedback; one-step play
    executes the whole plan (invalid moves change nothing), as ING-VP does.
    """
    if not reply.actions:
        reason = reply.parse_error or "the reply held no action"
        info = {**info, "valid": False, "state_changed": False, "feedback": f"No action taken: {reason}."}
        _append_step(record, history, "", 0.0, obs, info, reply.reasoning)
        await _capture(frames, env, len(record.steps), obs)
        return obs, info, False
    for i, action in enumerate(reply.actions):
        obs, reward, terminated, truncated, info = await env.step(action)
        step = _append_step(record, history, action, reward, obs, info, reply.reasoning if i == 0 else "")
        await _capture(frames, env, len(record.steps), obs)
        if terminated or truncated:
            return obs, info, True
        if len(record.steps) >= spec.max_steps or (not step.valid and spec.setting.mode == "multi_step"):
            break
    return obs, info, False


def _append_step(
    record: EpisodeRecord,
    history: list[StepView],
    action: str,
    reward: float,
    obs: dict[str, Any],
    info: dict[str, Any],
    reasoning: str,
) -> StepRecord:
    step = _step_record(len(record.steps), record.agent_calls, action, reward, obs, info, reasoning)
    record.steps.append(step)
    history.append(StepView(step.index, action, step.valid, step.state_changed, step.feedback))
    return step


async def _capture(frames: EpisodeFrames | None, env: EnvSession, step: int, obs: dict[str, Any]) -> None:
    """Keep the state's observation image, and the env's full render when it has one."""
    if frames is None:
        return
    frames.observation.add(step, obs.get("image"))
    if frames.wants_render:
        frames.render.add(step, await env.render())


def _record_turn(record: EpisodeRecord, reply: AgentReply) -> None:
    record.agent_calls += 1
    record.actions_given += len(reply.actions)
    if reply.model_output is not None or reply.parse_error is not None:  # scripted agents' turns are their steps
        record.turns.append(TurnRecord(index=record.agent_calls, **reply.model_dump(exclude={"stop_reason"})))


USAGE_FIELDS = ("prompt_tokens", "completion_tokens", "latency_s", "cost_usd")


def episode_usage(record: EpisodeRecord) -> dict[str, float]:
    """Per-episode model statistics: calls, unparseable replies, invalid actions, tokens, latency, cost."""
    unparsed = sum(1 for turn in record.turns if not turn.actions)
    usage = {
        "model_calls": float(sum(turn.model_output is not None for turn in record.turns)),
        "parse_failures": float(unparsed),
        "invalid_actions": float(sum(not step.valid for step in record.steps) - unparsed),
    }
    for name in USAGE_FIELDS:
        usage[name] = float(sum(turn.usage.get(name, 0.0) for turn in record.turns))
    return usage


def _context(spec: EpisodeSpec, env: EnvDescription) -> EpisodeContext:
    return EpisodeContext(
        episode_id=spec.id,
        env_id=spec.env_id,
        seed=spec.seed,
        setting=spec.setting,
        rules=env.rules,
        action_grammar=env.action_grammar,
        max_steps=spec.max_steps,
        valid_actions=env.valid_actions,
    )


def _step_record(
    index: int, turn: int, action: str, reward: float, obs: dict, info: dict, reasoning: str
) -> StepRecord:
    return StepRecord(
        index=index,
        turn=turn,
        action=action,
        valid=bool(info.get("valid", True)),
        state_changed=bool(info.get("state_changed", False)),
        feedback=str(info.get("feedback", "")),
        reward=float(reward),
        success=bool(info.get("success", False)),
        progress=float(info.get("progress", 0.0)),
        optimal_remaining=info.get("optimal_remaining"),
        state_text=obs.get("text", ""),
        reasoning=reasoning,
    )
