"""The ING-VP suite: six puzzle games x six settings, scored by accuracy, completion and efficiency.

Metrics per level (all in percent):
- accuracy: the level is solved;
- completion: 100 * max(0, 1 - optimal_remaining_at_end / optimal_length_at_start), ING-VP's
  12.5-per-move and 14.3-per-queen rule for any difficulty, in one-step and multi-step play;
- efficiency: one-step, state-changing moves / max(optimal length, moves given); multi-step,
  state-changing steps / all steps.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any, ClassVar

from pydantic import Field, field_validator

from mmgym.core.language_env import MIN_IMAGE_SIZE
from mmgym.core.records import EpisodeRecord
from mmgym.core.spec import PlayRules
from mmgym.envs import env_id
from mmgym.envs.puzzles import GAME_CLASSES, PUZZLE_ENVS
from mmgym.envs.puzzles.levels import load_set
from mmgym.errors import unknown_name
from mmgym.tasks.ingvp.settings import ALL_SETTINGS, Setting
from mmgym.tasks.scoring import GroupKey, Metric, Scores
from mmgym.tasks.suite import EpisodePlan, FloorBound, SpecSuite

GAME_ENV = {game: name for name, game in PUZZLE_ENVS.items()}


@dataclass(frozen=True)
class Level:
    """How one level is asked for at reset, and what its spec's metadata adds about it."""

    reset_options: dict[str, Any]
    metadata: dict[str, Any] = field(default_factory=dict)


class IngvpSuite(SpecSuite):
    """Config and logic of the suite; every field can be overridden from the command line."""

    name: str = "ingvp"
    floor_bound: ClassVar[FloorBound] = FloorBound(
        most=10.0,
        reason="a random move solves a puzzle only by luck within the step limit (a one-reply plan, never): "
        "2.4% of the 1,800 episodes",
    )
    games: list[str] = Field(default_factory=lambda: list(GAME_CLASSES), description="the games to play")
    settings: list[str] = Field(
        default_factory=lambda: [s.name for s in ALL_SETTINGS], description="ING-VP's settings to play each level in"
    )
    level_set: str = Field(
        default="default",
        description="default, or a path to a .json set or a text file of levels separated by blank lines",
    )
    levels: int | None = Field(default=None, ge=1, description="first N levels of each set; null for all")
    max_steps: int = Field(default=50, ge=1, description="env steps before a multi-step episode is cut")
    image_size: int = Field(default=384, ge=MIN_IMAGE_SIZE, description="frame side in pixels")
    seed: int = Field(default=0, description="the episodes' reset seed")

    metrics: ClassVar[tuple[Metric, ...]] = (
        Metric(name="accuracy", description="the level is solved"),
        Metric(name="completion", description="share of the optimal moves done, by the exact solver"),
        Metric(name="efficiency", description="state-changing moves among those made"),
    )
    macro_over: ClassVar[tuple[str, ...]] = ()  # ING-VP reports plain means
    step_data: ClassVar[tuple[str, ...]] = ("state_changed", "optimal_remaining", "optimal_length")
    group_by: ClassVar[tuple[str, ...]] = ("setting", "game")

    @field_validator("games")
    @classmethod
    def _known_games(cls, games: list[str]) -> list[str]:
        for game in games:
            if game not in GAME_CLASSES:
                raise unknown_name("game", game, GAME_CLASSES)
        return games

    @field_validator("settings")
    @classmethod
    def _known_settings(cls, settings: list[str]) -> list[str]:
        for name in settings:
            Setting.parse(name)
        return settings

    def plans(self) -> Iterable[EpisodePlan]:
        for setting in (Setting.parse(name) for name in self.settings):
            for game in self.games:
                for index, level in enumerate(self.levels_of(game)):
                    yield EpisodePlan(
                        task=f"{setting.name}/{game}/{index:03d}",
                        env_id=env_id(GAME_ENV[game]),
                        env_kwargs=self.game_kwargs(game)
                        | {"observe_image": setting.modality == "image_text"}
                        | self.setting_kwargs(game, setting),
                        reset_options=level.reset_options,
                        seed=self.seed,
                        rules=self.setting_rules(setting),
                        metadata={"game": game, "setting": setting.name, **level.metadata},
                        tags=(game,),
                    )

    def levels_of(self, game: str) -> list[Level]:
        """The game's levels this suite plays, in order: by index in the configured level set."""
        level_set = load_set(game, self.level_set)
        count = len(level_set) if self.levels is None else min(self.levels, len(level_set))
        return [Level({"level_index": index}) for index in range(count)]

    def game_kwargs(self, game: str) -> dict[str, Any]:
        """The game env's constructor arguments, but for whether it renders images (the setting's)."""
        return {"level_set": self.level_set, "image_size": self.image_size}

    def setting_kwargs(self, game: str, setting: Setting) -> dict[str, Any]:
        """Constructor arguments a setting adds for a game (none here; ING-VP's own protocol adds its undo)."""
        return {}

    def setting_rules(self, setting: Setting) -> PlayRules:
        return setting.rules(self.max_steps)

    async def score(self, record: EpisodeRecord) -> Scores:
        return score_ingvp(record)

    def groupings(self) -> dict[str, GroupKey]:
        return super().groupings() | {
            "game/setting": lambda r: f"{r.spec.metadata['game']}/{r.spec.metadata['setting']}"
        }


def score_ingvp(record: EpisodeRecord) -> Scores:
    """ING-VP's three metrics for one episode (see the module docstring)."""
    length = record.initial_data.get("optimal_length", 0)
    remaining = record.final_data("optimal_remaining")
    if remaining is None:
        completion = 0.0
    elif length == 0:
        completion = 100.0
    else:
        completion = 100.0 * max(0.0, 1.0 - remaining / length)
    effective = sum(bool(step.data.get("state_changed")) for step in record.steps)
    if record.spec.rules.actions_per_reply == "solution":
        efficiency = 100.0 * effective / max(length, record.actions_given, 1)
    else:
        efficiency = 100.0 * effective / len(record.steps) if record.steps else 0.0
    return {"accuracy": 100.0 * record.success, "completion": completion, "efficiency": efficiency}
