"""Puzzle sprint: solve puzzles from their text, one move per reply, with as few wasted moves as possible.

The episodes are the first `levels` levels of each of `games` (mmgym's own Maze and Sokoban sets).
The agent sees the level as text only and its past moves, and makes one move per reply for at
most `max_steps` moves. Two metrics per level: `solved` (percent), and `wasted_moves`, the moves
made beyond the shortest solution (an unsolved level wastes every move it was allowed). Results
break down by game.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any, ClassVar, Literal

from pydantic import Field

from mmgym.core.records import EpisodeRecord
from mmgym.core.spec import PlayRules
from mmgym.envs import env_id
from mmgym.tasks.scoring import Metric, Scores
from mmgym.tasks.suite import EpisodePlan, FloorBound, SpecSuite

ENVS = {"maze": env_id("Maze"), "sokoban": env_id("Sokoban")}  # the games this suite plays, by name


class PuzzleSprintSuite(SpecSuite):
    """Config and logic of the suite; every field can be overridden from the command line."""

    name: str = "puzzle_sprint"
    games: list[Literal["maze", "sokoban"]] = Field(default_factory=lambda: list(ENVS), description="games to play")
    levels: int = Field(default=5, ge=1, le=50, description="the first N levels of each game")
    max_steps: int = Field(default=40, ge=1, description="moves before an episode is cut")

    group_by: ClassVar[tuple[str, ...]] = ("game",)
    floor_bound: ClassVar[FloorBound] = FloorBound(
        most=5.0, reason="40 random moves do not walk a maze or push a box home: none of the 10 levels"
    )
    step_data: ClassVar[tuple[str, ...]] = ("optimal_length",)

    @property
    def metrics(self) -> tuple[Metric, ...]:
        return (
            Metric(name="solved", description="the agent reached the goal"),
            Metric(
                name="wasted_moves",
                scale=(0.0, float(self.max_steps)),
                higher_is_better=False,
                description="moves made beyond the shortest solution",
            ),
        )

    def rules(self) -> PlayRules:
        return PlayRules(actions_per_reply="one", observation="text", history=True, max_steps=self.max_steps)

    def env_kwargs(self, rules: PlayRules) -> dict[str, Any]:
        return {"observe_image": False}

    def plans(self) -> Iterable[EpisodePlan]:
        for game in self.games:
            for index in range(self.levels):
                yield EpisodePlan(
                    task=f"{game}/{index:03d}",
                    env_id=ENVS[game],
                    reset_options={"level_index": index},
                    metadata={"game": game},
                )

    async def score(self, record: EpisodeRecord) -> Scores:
        shortest = record.initial_data.get("optimal_length", 0)
        moves = len(record.steps)
        wasted = moves - shortest if record.success else self.max_steps
        return {"solved": 100.0 * record.success, "wasted_moves": float(max(wasted, 0))}
