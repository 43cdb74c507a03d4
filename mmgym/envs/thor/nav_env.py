"""EB-Navigation on AI2-THOR: walk to a named object with eight atomic actions, through ai2thor's `Controller`."""

from __future__ import annotations

import math
from typing import Any, ClassVar

from mmgym.envs.thor import nav_expert
from mmgym.envs.thor.episodes import NavEpisode, episode_for_reset
from mmgym.envs.thor.thor_env import ThorEnv

SUCCESS_RADIUS = 1.0  # metres in the floor plane, EB-Navigation's threshold
ACTIONS = {  # EB-Navigation's skill texts -> AI2-THOR actions
    "Move forward by 0.25": {"action": "MoveAhead", "moveMagnitude": 0.25},
    "Move backward by 0.25": {"action": "MoveBack", "moveMagnitude": 0.25},
    "Move rightward by 0.25": {"action": "MoveRight", "moveMagnitude": 0.25},
    "Move leftward by 0.25": {"action": "MoveLeft", "moveMagnitude": 0.25},
    "Rotate to the right by 90 degrees.": {"action": "RotateRight", "degrees": 90},
    "Rotate to the left by 90 degrees.": {"action": "RotateLeft", "degrees": 90},
    "Tilt the camera upward by 30 degrees.": {"action": "LookUp", "degrees": 30},
    "Tilt the camera downward by 30 degrees.": {"action": "LookDown", "degrees": 30},
}
RULES = (
    "You are a robot in a room. Navigate to the object named in the task: you succeed when you are within "
    f"{SUCCESS_RADIUS:g} m of it. Each action moves you 0.25 m, turns you 90 degrees or tilts the camera 30 degrees."
)
GRAMMAR = "one of the eight listed actions, e.g. `Move forward by 0.25`"


def _key(text: str) -> str:
    return " ".join(text.strip().rstrip(".").lower().split())


class EBThorNavEnv(ThorEnv):
    """EB-Navigation's eight actions on an AI2-THOR scene; success within 1 m (xz) of the target after any step.

    `reset(options={"episode": NavEpisode as a dict})` loads the scene and teleports the agent to
    the start pose; one simulator process serves every episode. Observations: `image`, the
    agent's camera; `text`, the agent's position and heading (an mmgym addition; EB-Navigation
    shows only the image); `instruction`. A move the simulator refuses (a wall, furniture) is
    invalid and changes nothing. `progress` is the share of the starting distance covered;
    `info` adds `distance`. Without an episode, the seed picks one of the base tasks shipped for the
    stand-in build.
    """

    RULES: ClassVar[str] = RULES
    GRAMMAR: ClassVar[str] = GRAMMAR
    CAMERA: ClassVar[dict[str, float]] = {"field_of_view": 100.0, "grid_size": 0.1}  # EB-Navigation's
    SUMMARY: ClassVar[str] = (
        "EB-Navigation on AI2-THOR (ai2thor's Controller): reach a named object with 8 atomic actions"
    )

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.index = {_key(text): text for text in ACTIONS}
        self.episode: NavEpisode | None = None
        self.reachable: list[tuple[float, float]] = []
        self.start_distance = 1.0

    # ---- gymnasium API ---------------------------------------------------------------------
    def reset(self, *, seed: int | None = None, options: dict[str, Any] | None = None):
        super().reset(seed=seed)
        episode = episode_for_reset(options, seed, NavEpisode, "eb_navigation")
        self.episode = episode
        self.session.reset(episode.scene)
        start = {"x": 0.0, "y": episode.start_rotation, "z": 0.0}
        self.session.step({"action": "Teleport", "position": episode.start_position, "rotation": start,
                           "horizon": episode.start_horizon, "standing": True})  # fmt: skip
        positions = self.session.step({"action": "GetReachablePositions"}).metadata["actionReturn"] or []
        self.reachable = [(p["x"], p["z"]) for p in positions]
        self.start_distance = max(self.distance(), 1e-6)
        return self._observation(), self._info(True, f"Task: {episode.instruction}")

    def step(self, action: Any):
        if self.episode is None:
            raise RuntimeError("call reset() before step()")
        text = self.index.get(_key(str(action)))
        if text is None:
            return self._outcome(False, f"Invalid action: {str(action)[:80]!r} is not one of the eight actions.")
        event = self.session.step(dict(ACTIONS[text]))
        if not event.metadata["lastActionSuccess"]:
            return self._outcome(False, f"Last action failed: {event.metadata['errorMessage'] or 'blocked'}.")
        return self._outcome(True, "Last action executed successfully.")

    def _outcome(self, valid: bool, feedback: str):
        success = self.distance() <= SUCCESS_RADIUS
        if success:
            feedback += " You reached the target."
        return self._observation(), float(success), success, False, self._info(valid, feedback)

    def distance(self) -> float:
        agent = self.session.last_event.metadata["agent"]["position"]
        target = self.episode.target_position
        return math.hypot(agent["x"] - target["x"], agent["z"] - target["z"])

    # ---- the expert ------------------------------------------------------------------------
    def expert_plan(self) -> list[str]:
        """Privileged: the fewest moves from the true pose to within the success radius."""
        if self.episode is None:
            return []
        agent = self.session.last_event.metadata["agent"]
        target = self.episode.target_position
        return nav_expert.plan(
            (agent["position"]["x"], agent["position"]["z"]),
            agent["rotation"]["y"],
            (target["x"], target["z"]),
            self.reachable,
            SUCCESS_RADIUS,
        )

    # ---- helpers ---------------------------------------------------------------------------
    def _observation(self) -> dict[str, Any]:
        event = self.session.last_event
        agent = event.metadata["agent"]
        p = agent["position"]
        text = (
            f"You stand at x={p['x']:.2f}, z={p['z']:.2f}, facing {agent['rotation']['y']:.0f} degrees, "
            f"camera tilted {agent['cameraHorizon']:.0f} degrees."
        )
        observation: dict[str, Any] = {"text": text, "instruction": self.episode.instruction}
        if self.observe_image:
            observation["image"] = event.frame.copy()
        return observation

    def _info(self, valid: bool, feedback: str) -> dict[str, Any]:
        distance = self.distance()
        to_go = max(self.start_distance - SUCCESS_RADIUS, 1e-6)
        progress = min(max(1.0 - (distance - SUCCESS_RADIUS) / to_go, 0.0), 1.0)
        return {
            "valid": valid,
            "feedback": feedback,
            "success": distance <= SUCCESS_RADIUS,
            "progress": progress,
            "distance": round(distance, 3),
        }

    def candidate_actions(self) -> list[str]:
        return list(ACTIONS)
