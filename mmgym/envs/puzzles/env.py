"""One Gymnasium env for every puzzle game: image + exact text observations, string actions."""

from __future__ import annotations

from dataclasses import replace
from typing import Any, ClassVar

import numpy as np

from mmgym.core.language_env import EnvTraits, LanguageEnvBase
from mmgym.envs.fingerprints import digest
from mmgym.envs.puzzles.core import PuzzleGame, Rejected
from mmgym.envs.puzzles.games import get_game
from mmgym.envs.puzzles.level_fingerprints import FINGERPRINTS
from mmgym.envs.puzzles.levels import load_set
from mmgym.envs.puzzles.render import Backgrounds
from mmgym.envs.puzzles.undo import GRAMMAR, NOT_OFFERED, StepHistory, undo_target


class PuzzleEnv(LanguageEnvBase):
    """A puzzle game as a `gymnasium.Env`.

    `observe_image=False` drops the image from observations (text-only play need not pay for
    rendering); `render()` still draws it.

    Level choice at `reset`, first match wins: `options["level"]` (standard-format text),
    `options["level_index"]` (into `level_set`), the constructor's `level`, its `level_index`,
    else a fresh level generated from the reset seed at `difficulty`. A level of the frozen default
    sets is checked against its fingerprint (`games.level_fingerprints`).

    An invalid or malformed action never changes the state; `info["valid"]` is False and
    `info["feedback"]` says why. `info` always holds `success`, `progress` (0..1), `valid`,
    `state_changed`, `optimal_remaining` (None when the goal became unreachable) and
    `optimal_length` (at reset).

    `undo=True` adds going back: `back to step N` (or `N` alone, a number being no move in the games
    that offer it) returns to the state after step N of the episode, as a step of its own (`undo`).
    Without it, such an action is refused with a line saying that going back is not offered.
    """

    # A step costs microseconds, so runners keep these envs in their own process; a reset loads any
    # level, so one env serves every episode of a slot.
    traits: ClassVar[EnvTraits] = EnvTraits(cheap_steps=True, reusable=True)

    def __init__(
        self,
        game: str,
        level: str | None = None,
        level_set: str = "default",
        level_index: int | None = None,
        difficulty: int | None = None,
        image_size: int = 384,
        observe_image: bool = True,
        render_mode: str | None = "rgb_array",
        undo: bool = False,
    ) -> None:
        super().__init__(image_size, observe_image, render_mode)
        self.game: PuzzleGame = get_game(game)
        self.level = level
        self.level_set = level_set
        self.level_index = level_index
        self.difficulty = self.game.default_difficulty if difficulty is None else difficulty
        self.state: Any = None
        self.undo = undo
        if undo:  # going back names steps by number, so every reply must be a step here, as it is in the history
            self.traits = replace(type(self).traits, numbers_every_reply=True)
        self._history = StepHistory()
        self.optimal_length = 0
        self._backgrounds = Backgrounds()  # the level's background, drawn once and reused by every step

    # ---- gymnasium API -------------------------------------------------------------------
    def reset(self, *, seed: int | None = None, options: dict[str, Any] | None = None):
        super().reset(seed=seed)
        text = self._level_text(options or {})
        self.state = self.game.generate(self.np_random, self.difficulty) if text is None else self.game.from_text(text)
        self.optimal_length = self.game.optimal_remaining(self.state) or 0
        self._history.clear()
        observation = self._observation()
        if text is not None:  # a frozen default level is checked against its fingerprint
            start = observation["text"], observation["instruction"], self.optimal_length
            FINGERPRINTS.verify((self.game.name, text), lambda: digest(*start))
        return observation, self._info(valid=True, changed=False, feedback="Puzzle loaded.")

    def step(self, action: Any):
        if self.state is None:
            raise RuntimeError("call reset() before step()")
        target = undo_target(action) if self.undo and isinstance(action, str) else None
        if target is not None:
            result = self._history.back_to(target)
            done = f"Back to the state after step {target}."
        elif isinstance(action, str):
            result = self.game.step(self.state, action)
            done = f"Applied {action.strip()!r}."
        else:
            result = Rejected(f"action must be a string, got {type(action).__name__}")
        if isinstance(result, Rejected):
            reason = f"Invalid action {action!r}: {result.reason}."
            info = self._info(valid=False, changed=False, feedback=f"{reason} {self._not_offered(action)}".strip())
        else:
            changed = result != self.state
            self.state = result
            info = self._info(valid=True, changed=changed, feedback=done)
        self._history.record(self.state)
        solved = info["success"]
        reward = 1.0 if solved and info["state_changed"] else 0.0
        return self._observation(), reward, solved, False, info

    def render(self) -> np.ndarray:
        return self.game.frame(self.state, self.image_size, self._backgrounds)

    # ---- helpers ---------------------------------------------------------------------------
    def _level_text(self, options: dict[str, Any]) -> str | None:
        """The level to play in the standard format; None for a fresh level generated from the reset seed."""
        if options.get("level") is not None:
            return options["level"]
        index = options.get("level_index", self.level_index)
        if "level_index" not in options and self.level is not None:
            return self.level
        if index is not None:
            return load_set(self.game.name, self.level_set)[int(index)].text
        return None

    def _not_offered(self, action: Any) -> str:
        """Why a refused undo-like action did nothing, when going back is off and it is no move of the game."""
        if self.undo or not isinstance(action, str) or undo_target(action) is None:
            return ""
        return "" if action.strip() in self.game.candidate_actions(self.state) else NOT_OFFERED

    def _observation(self) -> dict[str, Any]:
        observation = {"text": self.game.to_text(self.state), "instruction": self.game.instruction(self.state)}
        if self.observe_image:
            observation["image"] = self.render()
        return observation

    def _info(self, *, valid: bool, changed: bool, feedback: str) -> dict[str, Any]:
        remaining = self.game.optimal_remaining(self.state)
        if remaining is None:
            progress = 0.0
        else:
            progress = 1.0 if self.optimal_length == 0 else max(0.0, 1.0 - remaining / self.optimal_length)
        return {
            "success": self.game.is_solved(self.state),
            "progress": progress,
            "valid": valid,
            "state_changed": changed,
            "optimal_remaining": remaining,
            "optimal_length": self.optimal_length,
            "feedback": feedback,
        }

    # ---- prompt material -------------------------------------------------------------------
    def candidate_actions(self) -> list[str]:
        """Every well-formed action in canonical spelling (legal here or not), for parsers and prompts."""
        return self.game.candidate_actions(self.state)

    @classmethod
    def summary(cls, game: str, **_: object) -> str:
        """One line for `mmgym list`: the game and its action language."""
        puzzle = get_game(game)
        return f"{puzzle.title}; actions: {puzzle.action_grammar}"

    def expert_plan(self) -> list[str]:
        """The exact solver's optimal moves from the current state (empty when solved or unreachable)."""
        return list(self.game.solve(self.state) or [])

    @property
    def rules(self) -> str:
        return self.game.rules

    @property
    def action_grammar(self) -> str:
        return f"{self.game.action_grammar}; {GRAMMAR}" if self.undo else self.game.action_grammar
