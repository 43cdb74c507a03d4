from __future__ import annotations

import numpy as np
import pytest
from game_checks import (
    accepted_steps,
    action_lists,
    assert_solver_matches_bfs,
    bfs_lengths_after_walks,
    junk_text,
    parse_level,
    plain_bfs,
    play_in_env,
    random_walk,
)
from hypothesis import given, settings
from hypothesis import strategies as st

from mmgym.envs.puzzles import get_game
from mmgym.envs.puzzles.core import Rejected
from mmgym.envs.puzzles.levels import load_set
from mmgym.envs.puzzles.sokoban import Sokoban, SokobanState

GAME: Sokoban = get_game("sokoban")
FROZEN = load_set("sokoban")
JUNK = ["", "  ", "north", "upp", "U R", "⬆", "\x00", "x" * 300, "left right"]

HAND_LEVEL = """\
  #####
###-__#
#.@$_.#
#-$___#
#_____#
#######"""
RAGGED_LEVEL = """\
    ####
  ###  #
###. $ ####
# $@  .  #
#   ###  #
#####  ###
"""
LEVEL_TEXTS = [level.text for level in FROZEN.levels] + [HAND_LEVEL, RAGGED_LEVEL]


# ---- format ------------------------------------------------------------------------------
def test_parses_hand_written_level_with_floor_aliases():
    state = GAME.from_text(HAND_LEVEL)
    assert (state.rows, state.cols) == (6, 7)
    assert state.player == (2, 2)
    assert state.boxes == frozenset({(2, 3), (3, 2)})
    assert state.targets == frozenset({(2, 1), (2, 5)})
    assert (0, 0) not in state.walls and (0, 2) in state.walls and (1, 3) not in state.walls
    assert GAME.to_text(state) == HAND_LEVEL.replace("-", " ").replace("_", " ")
    assert GAME.from_text(GAME.to_text(state)) == state


def test_parses_player_and_boxes_on_targets():
    state = GAME.from_text("#####\n#+$*#\n#####")
    assert state.player == (1, 1) and state.targets == frozenset({(1, 1), (1, 3)})
    assert state.boxes == frozenset({(1, 2), (1, 3)})
    assert not GAME.is_solved(state)
    assert GAME.is_solved(GAME.from_text("#####\n#@**#\n#####"))


@pytest.mark.parametrize(
    "text",
    [
        "",
        "\n \n",
        "#####\n#@  #\n#####",
        "#####\n#@$.@#\n#####",
        "#####\n# $.#\n#####",
        "######\n#@$$.#\n######",
        "######\n#@$..#\n######",
        "#####\n#@$X.#\n#####",
        "#####\n#@$\t.#\n#####",
        "@$.",
        "#####\n#@$.#\n## ##",
        "#####\n#@$. \n#####",
    ],
)
def test_bad_levels_raise_level_format_error(text):
    assert parse_level(GAME, text) is None


# ---- rules -------------------------------------------------------------------------------
def test_moves_pushes_and_rejections():
    state = GAME.from_text("#######\n#@$ $.#\n#  .  #\n#######")
    wall = GAME.step(state, "up")
    assert isinstance(wall, Rejected) and "wall" in wall.reason
    pushed = GAME.step(state, "R")
    assert isinstance(pushed, SokobanState)
    assert pushed.player == (1, 2) and pushed.boxes == frozenset({(1, 3), (1, 4)})
    blocked = GAME.step(pushed, "right")
    assert isinstance(blocked, Rejected) and "another box" in blocked.reason
    down = GAME.step(pushed, "down")
    assert isinstance(down, SokobanState) and down.boxes == pushed.boxes
    edge = GAME.from_text("#####\n#@ $#\n#. ##\n#####")
    into_wall = GAME.step(GAME.step(edge, "right"), "right")
    assert isinstance(into_wall, Rejected) and "wall is behind" in into_wall.reason


def test_parse_action_accepts_aliases_and_rejects_junk():
    for text, move in [("up", "up"), ("U", "up"), (" down ", "down"), ("l", "left"), ("Right.", "right")]:
        assert GAME.parse_action(text) == move
    for text in JUNK:
        assert isinstance(GAME.parse_action(text), Rejected)
    assert GAME.candidate_actions(GAME.from_text(HAND_LEVEL)) == ["up", "down", "left", "right"]


def assert_invariants(state: SokobanState, start: SokobanState) -> None:
    assert (state.walls, state.targets, state.rows, state.cols) == (start.walls, start.targets, start.rows, start.cols)
    assert len(state.boxes) == len(start.boxes)
    assert state.is_open(state.player) and state.player not in state.boxes
    assert all(state.is_open(b) for b in state.boxes)


@settings(deadline=None, max_examples=40)
@given(st.sampled_from(LEVEL_TEXTS), action_lists(["up", "down", "left", "right"], junk_text(JUNK)))
def test_random_actions_keep_invariants(text, actions):
    start = GAME.from_text(text)
    remaining = GAME.optimal_remaining(start)
    for state, _, result in accepted_steps(GAME, start, actions):
        assert result.player != state.player
        after = GAME.optimal_remaining(result)
        if after is not None:
            assert remaining is not None and remaining <= after + 1
        remaining = after
        assert_invariants(result, start)


# ---- solver ------------------------------------------------------------------------------
@settings(deadline=None, max_examples=25)
@given(st.sampled_from(LEVEL_TEXTS), st.integers(0, 2**32 - 1), st.integers(0, 60))
def test_solver_matches_plain_bfs_on_drifted_states(text, seed, steps):
    assert_solver_matches_bfs(GAME, random_walk(GAME, GAME.from_text(text), np.random.default_rng(seed), steps))


def test_solver_matches_plain_bfs_after_long_random_walks():
    outcomes = bfs_lengths_after_walks(GAME, FROZEN, 2, 3, lambda seed: 20 + 20 * seed)
    assert None in outcomes
    assert any(n is not None and n > FROZEN.difficulty for n in outcomes)


@pytest.mark.parametrize(
    "text",
    [
        "######\n#@  .#\n#   $#\n######",
        "#######\n#@   .#\n# $$ .#\n#######",
        "#######\n#@ $  #\n#    .#\n#######",
    ],
)
def test_deadlocks_are_unsolvable(text):
    state = GAME.from_text(text)
    assert GAME.solve(state) is None
    assert plain_bfs(GAME, state) is None


def test_moves_not_pushes_are_counted():
    state = GAME.from_text("#######\n#@  $.#\n#######")
    assert GAME.solve(state) == ["right", "right", "right"]
    detour = GAME.from_text("######\n#.$  #\n#   @#\n######")
    assert GAME.solve(detour) == ["up", "left", "left"]
    assert plain_bfs(GAME, detour) == 3


# ---- generation and the env ---------------------------------------------------------------
def test_generated_levels_have_one_or_two_boxes_off_target():
    for seed in range(6):
        level = GAME.generate(np.random.default_rng([7, seed]), 8)
        assert level.boxes != level.targets
        assert 1 <= len(level.boxes) <= 2


def test_instruction_names_boxes_and_targets():
    assert GAME.instruction(GAME.from_text(FROZEN[0].text)) == "Push every box ($) onto a target (.)."


def test_env_rejects_a_move_into_a_wall_then_pushes_the_box_home():
    feedback, _ = play_in_env("sokoban", "#####\n#@$.#\n#####", ["up"], "R")
    assert "wall" in feedback[0]
