"""EmbodiedBench's AI2-THOR tracks, EB-ALFRED and EB-Navigation, on their released episodes.

Both read EmbodiedBench's data as released, from `data_dir`, and drive AI2-THOR through ai2thor's
own `Controller`: the Unity build it downloads (`executable: null`), one given by path, or
mmgym's stand-in build (`executable: standin`, a symbolic kitchen and bedroom for testing the
whole path where AI2-THOR cannot run; its own episodes in EmbodiedBench's format ship with
mmgym and are used when `data_dir` is null).

- `eb_alfred`: household tasks with EB-ALFRED's high-level skills, 30 steps, ended at the tenth
  failed skill; success = all of ALFRED's goal conditions, progress = their share. Subsets: base,
  common_sense, complex_instruction, spatial, visual_appearance, long_horizon.
- `eb_thor_nav`: EB-Navigation's eight atomic actions, 20 steps; success within 1 m (xz) of the
  target after any step; progress = the share of the starting distance covered (an mmgym
  addition). Subsets: base, common_sense, complex_instruction, visual_appearance, long_horizon.

Metrics per episode, reported per subset and as a macro mean over subsets (EmbodiedBench's way):
success, progress, steps and invalid actions (refused or failed in the simulator).
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterable
from importlib import resources
from pathlib import Path
from typing import Any, ClassVar, Literal

from pydantic import BaseModel, Field, PrivateAttr

from mmgym.core.spec import PlayRules
from mmgym.envs.thor import ALFRED_ENV_ID, NAV_ENV_ID
from mmgym.errors import ConfigError
from mmgym.tasks.embodiedbench import alfred_data, nav_data
from mmgym.tasks.embodiedbench.protocol import TRACKS, ProtocolChoice, Track
from mmgym.tasks.scene_suite import SubsetSuite
from mmgym.tasks.suite import EpisodePlan, FloorBound, Notes

STANDIN = "standin"
log = logging.getLogger(__name__)


class MalformedSteps(BaseModel):
    """Reference steps of the released data that name no object, by episode (kept in results.json notes)."""

    episodes: int
    steps: int
    by_episode: dict[str, list[str]]


def standin_data(track: str) -> Path:
    """The stand-in build's own episodes for a track, in EmbodiedBench's file layout."""
    return Path(str(resources.files("mmgym.envs.thor.standin") / "data" / track))


class ThorSuite(ProtocolChoice, SubsetSuite):
    """What both tracks share: data folder, simulator, subsets, protocol, play rules, specs and scores."""

    data_dir: str | None = Field(default=None, description="EmbodiedBench's data folder for this track")
    executable: str | None = Field(default=None, description="AI2-THOR build path, 'standin', or null to download")
    platform: str | None = Field(default=None, description="CloudRendering for headless GPU servers")
    x_display: str | None = Field(
        default=None, description='the X display AI2-THOR renders on, e.g. ":0"; null reads DISPLAY'
    )
    observation: Literal["image", "image_text", "text"] = "image"
    image_size: int = Field(default=500, ge=32, description="EmbodiedBench's frames are 500 px")

    track: ClassVar[str]  # the stand-in's data folder
    load: ClassVar[Callable[[str | Path, str], list[Any]]]
    floor_bound: ClassVar[FloorBound] = FloorBound(
        most=5.0,
        reason="a random skill or move seldom completes a household task or ends within 1 m of the target: "
        "none of the stand-in simulator's episodes (AI2-THOR itself does not run here)",
    )

    def folder(self) -> Path:
        if self.data_dir:
            return Path(self.data_dir).expanduser()
        if self.executable == STANDIN:
            return standin_data(self.track)
        raise ConfigError(
            f"suite.data_dir is required for {self.name}: EmbodiedBench's {self.track} data folder "
            "(or suite.executable=standin to play the stand-in's own episodes)"
        )

    def env_kwargs(self, rules: PlayRules) -> dict[str, Any]:
        return super().env_kwargs(rules) | {
            "executable": self.executable,
            "platform": self.platform,
            "x_display": self.x_display,
        }

    def episode_metadata(self, episode: Any) -> dict[str, Any]:
        return {"instruction": episode.instruction}

    def rules(self) -> PlayRules:
        return self.under_protocol(super().rules())

    def plans(self) -> Iterable[EpisodePlan]:
        folder = self.folder()
        for subset in self.subsets:
            rules = self.under_protocol(super().rules(), subset)  # EB-ALFRED's long_horizon has its own examples
            for episode in type(self).load(folder, subset)[: self.episodes]:
                yield EpisodePlan(
                    task=f"{subset}/{episode.index:03d}",
                    reset_options={"episode": episode.model_dump(mode="json")},
                    metadata={"subset": subset, **self.episode_metadata(episode)},
                    tags=(subset,),
                    rules=rules if self.protocol != "mmgym" else None,
                )

    async def notes(self) -> Notes:
        return self.protocol_notes()


class EBAlfredSuite(ThorSuite):
    """EB-ALFRED: every field can be overridden from the command line."""

    name: str = "eb_alfred"
    subsets: list[str] = Field(default_factory=lambda: list(alfred_data.SUBSETS))
    max_steps: int = Field(default=30, ge=1, description="EB-ALFRED's 30")

    env_id: ClassVar[str] = ALFRED_ENV_ID
    track: ClassVar[str] = "eb_alfred"
    protocol_track: ClassVar[Track] = TRACKS["eb_alfred"]
    valid_subsets: ClassVar[tuple[str, ...]] = alfred_data.SUBSETS
    hidden_info: ClassVar[tuple[str, ...]] = ("progress", "goal_conditions", "poses_restored")
    step_data: ClassVar[tuple[str, ...]] = ("goal_conditions", "held", "poses_restored")
    group_by: ClassVar[tuple[str, ...]] = ("subset", "task_type")
    load: ClassVar = staticmethod(alfred_data.load_subset)
    _malformed: MalformedSteps | None = PrivateAttr(default=None)

    def episode_metadata(self, episode: Any) -> dict[str, Any]:
        metadata = {
            "instruction": episode.instruction,
            "task_type": episode.task_type,
            "scene": episode.scene,
            "expert_plan_length": len(episode.reference_plan),
        }
        malformed = alfred_data.malformed_steps(episode.reference_plan)
        if malformed:  # only then: every other episode's spec (and id) stays as it was
            metadata["malformed_steps"] = malformed
        return metadata

    def malformed(self) -> MalformedSteps:
        """The released reference steps that name no object, in the episodes this suite plays: found when its
        specs were made, so notes at a run's end do not read every trajectory file again."""
        if self._malformed is None:
            self._find_malformed(list(super().plans()))
        assert self._malformed is not None
        return self._malformed

    def plans(self) -> Iterable[EpisodePlan]:
        plans = list(super().plans())
        found = self._find_malformed(plans)
        if found.steps:
            first = next(iter(found.by_episode.values()))[0]
            log.warning(
                "EB-ALFRED data: %d reference steps name no object (e.g. %r) in %d episodes (%s); they are kept as "
                "released and listed in results.json notes",
                found.steps, first, found.episodes, ", ".join(found.by_episode),
            )  # fmt: skip
        return plans

    def _find_malformed(self, plans: list[EpisodePlan]) -> MalformedSteps:
        found = {plan.task: plan.metadata["malformed_steps"] for plan in plans if "malformed_steps" in plan.metadata}
        self._malformed = MalformedSteps(episodes=len(found), steps=sum(map(len, found.values())), by_episode=found)
        return self._malformed

    async def notes(self) -> Notes:
        malformed = self.malformed()
        return {**self.protocol_notes(), **({"malformed_reference_steps": malformed} if malformed.steps else {})}


class EBThorNavSuite(ThorSuite):
    """EB-Navigation on AI2-THOR: every field can be overridden from the command line."""

    name: str = "eb_thor_nav"
    subsets: list[str] = Field(default_factory=lambda: list(nav_data.SUBSETS))
    max_steps: int = Field(default=20, ge=1, description="EB-Navigation's 20")

    env_id: ClassVar[str] = NAV_ENV_ID
    track: ClassVar[str] = "eb_navigation"
    protocol_track: ClassVar[Track] = TRACKS["eb_navigation"]
    valid_subsets: ClassVar[tuple[str, ...]] = nav_data.SUBSETS
    hidden_info: ClassVar[tuple[str, ...]] = ("progress", "distance")  # the agent is not told how close it is
    step_data: ClassVar[tuple[str, ...]] = ("distance",)
    load: ClassVar = staticmethod(nav_data.load_subset)

    def episode_metadata(self, episode: Any) -> dict[str, Any]:
        return {"instruction": episode.instruction, "target": episode.target_type, "scene": episode.scene}


def standin_defaults() -> dict[str, list[dict[str, Any]]]:
    """The stand-in's base episodes per track in the envs' own format: what `mmgym.envs.thor` ships in
    `default_episodes.json` for a reset without an episode (a test keeps the two the same)."""
    suites = (EBAlfredSuite, EBThorNavSuite)
    return {s.track: [e.model_dump(mode="json") for e in s.load(standin_data(s.track), "base")] for s in suites}
