"""ING-VP as published: its own 300 levels (50 per game) and protocol, read from its released files.

`suite=ingvp_paper suite.data_dir=PATH/TO/ING-VP/data` plays ING-VP's six settings on the first 50
levels of each game's file (Sokoban's 51st is left out), with its 50-step limit, one move per reply
in multi-step play, its metrics, and Hanoi with ING-VP's rules (4 rods A-D, disks a-e, goal rod D).
Everything else (settings, scoring, groupings) is `IngvpSuite`'s; only where the levels come from,
the multi-step turn and ING-VP's undo differ: in multi-step Sokoban, N-Queens and Sudoku,
`back to step N` (or `{"output": N}`, ING-VP's reply) returns to the state after step N.
mmgym ships none of ING-VP's levels: point `data_dir` at a checkout of ING-VP's repository.
"""

from __future__ import annotations

import functools
from pathlib import Path
from typing import Any, Literal

from pydantic import Field, model_validator

from mmgym.core.spec import EpisodeSpec, PlayRules
from mmgym.envs.puzzles import get_game
from mmgym.errors import ConfigError
from mmgym.tasks.ingvp.files import FILES, PAPER_LEVELS, game_name, read_data_dir
from mmgym.tasks.ingvp.settings import Setting
from mmgym.tasks.ingvp.suite import IngvpSuite, Level

UNDO_GAMES = ("sokoban", "nqueens", "sudoku")  # where ING-VP's multi-step play has `back_to_step`


class IngvpPaperSuite(IngvpSuite):
    """`IngvpSuite` on ING-VP's released levels; `data_dir` is ING-VP's `data/` folder."""

    name: str = "ingvp_paper"
    data_dir: str | None = Field(default=None, description="ING-VP's data/ folder, e.g. ~/ING-VP/data")
    levels: int | None = Field(default=PAPER_LEVELS, ge=1, description="first N levels of each file; null for all")
    multi_step_actions: Literal["one", "plan"] = Field(
        default="one", description="ING-VP's multi-step play: one move per reply; 'plan' is IngvpSuite's"
    )
    undo: bool = Field(
        default=True, description="going back to an earlier step in multi-step Sokoban, N-Queens and Sudoku"
    )

    @model_validator(mode="after")
    def _levels_come_from_data_dir(self) -> IngvpPaperSuite:
        if self.level_set != "default":
            raise ConfigError("ingvp_paper reads its levels from suite.data_dir; suite.level_set does not apply")
        return self

    def level_texts(self, game: str) -> tuple[str, ...]:
        """The first `levels` levels of `game` in `data_dir`, each in the game's standard text format."""
        if not self.data_dir:
            expected = ", ".join(path for _, path in FILES.values())
            raise ConfigError(
                f"suite=ingvp_paper needs suite.data_dir=PATH, ING-VP's data/ folder (holding {expected})"
            )
        return _level_texts(str(Path(self.data_dir).expanduser().resolve()), game, self.levels)

    def setting_rules(self, setting: Setting) -> PlayRules:
        """The setting's rules; in multi-step play ING-VP executes one move per reply."""
        rules = setting.rules(self.max_steps)
        if setting.mode == "multi_step":
            rules = rules.model_copy(update={"actions_per_reply": self.multi_step_actions})
        return rules

    def setting_kwargs(self, game: str, setting: Setting) -> dict[str, Any]:
        """ING-VP's undo, where its multi-step play offers it."""
        return {"undo": True} if self.undo and setting.mode == "multi_step" and game in UNDO_GAMES else {}

    def levels_of(self, game: str) -> list[Level]:
        return [Level({"level": text}, {"level": index + 1}) for index, text in enumerate(self.level_texts(game))]

    def game_kwargs(self, game: str) -> dict[str, Any]:
        return {"game": game_name(game), "image_size": self.image_size}

    def specs(self) -> list[EpisodeSpec]:
        for game in self.games:  # every missing file fails before any spec is made
            self.level_texts(game)
        return super().specs()


@functools.cache
def _level_texts(data_dir: str, game: str, limit: int | None) -> tuple[str, ...]:
    puzzle = get_game(game_name(game))
    return tuple(puzzle.to_text(state) for state in read_data_dir(data_dir, game, limit))
