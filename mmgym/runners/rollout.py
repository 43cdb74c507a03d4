"""One episode as one async rollout: reset, then ask the agent and step the env until done.

The rollout is the only place that knows the setting's rules of play: one-step play asks the
agent once and executes its whole plan; multi-step play asks every turn; the modality decides
whether the image reaches the agent; history reaches it only when the setting has history.
"""

from __future__ import annotations

import time
import traceback
from collections.abc import Callable
from typing import Any

import gymnasium as gym

from mmgym.agents.base import Agent, AgentReply, EpisodeContext, StepView, Turn
from mmgym.runners.records import EpisodeRecord, StepRecord
from mmgym.tasks.spec import EpisodeSpec, Setting

EnvFactory = Callable[[EpisodeSpec], gym.Env]


def make_env(spec: EpisodeSpec) -> gym.Env:
    """Build the spec's env in-process."""
    return gym.make(spec.env_id, **spec.env_kwargs).unwrapped


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


async def run_episode(spec: EpisodeSpec, agent: Agent, env_factory: EnvFactory = make_env) -> EpisodeRecord:
    """Play one episode; an exception from the agent or env ends it as an error record, never a crash."""
    record = EpisodeRecord(id=spec.id, spec=spec, started_at=time.time())
    start = time.perf_counter()
    env: gym.Env | None = None
    try:
        env = env_factory(spec)
        await _play(spec, agent, env, record)
    except Exception as exc:  # one episode's failure must not stop the run
        mark_failed(record, exc)
    finally:
        if env is not None:
            env.close()
    record.duration_s = time.perf_counter() - start
    return record


def mark_failed(record: EpisodeRecord, exc: BaseException) -> EpisodeRecord:
    """Turn a record into an error record that keeps the reason and a short traceback."""
    record.status = "error"
    record.error = f"{type(exc).__name__}: {exc}"
    record.extra["traceback"] = "".join(traceback.format_exception(exc, limit=8))
    return record


async def _play(spec: EpisodeSpec, agent: Agent, env: gym.Env, record: EpisodeRecord) -> None:
    obs, info = env.reset(seed=spec.seed, options=dict(spec.reset_options))
    record.initial_text = obs.get("text", "")
    record.optimal_length = info.get("optimal_length", 0)
    record.optimal_remaining = info.get("optimal_remaining")
    record.success = bool(info.get("success", False))
    await agent.reset(_context(spec, env))
    history: list[StepView] = []
    done = record.success
    while not done and len(record.steps) < spec.max_steps:
        if spec.setting.mode == "one_step" and record.agent_calls == 1:
            break
        turn = Turn(agent_view(obs, spec.setting), agent_info(info), tuple(history) if spec.setting.history else ())
        reply = await agent.act(turn)
        record.agent_calls += 1
        record.actions_given += len(reply.actions)
        for i, action in enumerate(_actions_of(reply)):
            obs, reward, terminated, truncated, info = env.step(action)
            reasoning = reply.reasoning if i == 0 else ""
            step = _step_record(len(record.steps), record.agent_calls, action, reward, obs, info, reasoning)
            record.steps.append(step)
            history.append(StepView(step.index, action, step.valid, step.state_changed, step.feedback))
            done = terminated or truncated
            if done or len(record.steps) >= spec.max_steps:
                break
    record.success = bool(info.get("success", False))
    record.optimal_remaining = info.get("optimal_remaining")
    record.truncated = not record.success and len(record.steps) >= spec.max_steps


def _actions_of(reply: AgentReply) -> list[str]:
    """An empty reply still costs a step, so a silent agent cannot stall an episode forever."""
    return reply.actions or [""]


def _context(spec: EpisodeSpec, env: gym.Env) -> EpisodeContext:
    return EpisodeContext(
        episode_id=spec.id,
        env_id=spec.env_id,
        seed=spec.seed,
        setting=spec.setting,
        rules=getattr(env, "rules", ""),
        action_grammar=getattr(env, "action_grammar", ""),
        max_steps=spec.max_steps,
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
