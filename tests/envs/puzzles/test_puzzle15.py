from __future__ import annotations

import functools
import time

import numpy as np
import pytest
from game_checks import (
    accepted_steps,
    action_lists,
    assert_plan_solves,
    distances_from,
    junk_text,
    parse_level,
    play_in_env,
    random_walk,
    successors,
)
from hypothesis import given, settings
from hypothesis import strategies as st

from mmgym.envs.puzzles import get_game
from mmgym.envs.puzzles.core import Rejected
from mmgym.envs.puzzles.levels import load_set
from mmgym.envs.puzzles.puzzle15 import Puzzle15, Puzzle15State, heuristic, is_solvable
from mmgym.errors import LevelFormatError

GAME: Puzzle15 = get_game("puzzle15")
FROZEN = load_set("puzzle15")
TILES = [str(t) for t in range(1, 16)]
JUNK = ["", "  ", "0", "16", "-3", "7 8", "seven", "up", "1.5", "tile", "٣", "\x00", "x" * 300, "9" * 5000]
BALL_DEPTH = 10

HAND_LEVEL = """\
 1  2  3  4
 5  6  0  8
 9 10  7 11
13 14 15 12"""
SOLVED = GAME.from_text("1 2 3 4\n5 6 7 8\n9 10 11 12\n13 14 15 0")
LEVEL_TEXTS = [level.text for level in FROZEN.levels] + [HAND_LEVEL]


@functools.cache
def ball() -> dict[Puzzle15State, int]:
    """Plain BFS from the goal over the public step API: exact distances up to BALL_DEPTH moves
    (moves are reversible, so distance from the goal is distance to it)."""
    return distances_from(GAME, SOLVED, BALL_DEPTH)


def legal_walk(state: Puzzle15State, rng: np.random.Generator, steps: int) -> Puzzle15State:
    """A walk of `steps` legal moves (backtracking allowed)."""
    for _ in range(steps):
        options = successors(GAME, state)
        state = options[rng.integers(len(options))]
    return state


def assert_invariants(state: Puzzle15State) -> None:
    assert sorted(state.tiles) == list(range(16))
    assert is_solvable(state.tiles)


def ball_parity(state: Puzzle15State) -> int:
    """Every solution of a state has the parity of the blank's distance from its home corner."""
    row, col = divmod(state.blank, 4)
    return (6 - row - col) % 2


# ---- format ------------------------------------------------------------------------------
def test_parses_hand_written_level():
    state = GAME.from_text(HAND_LEVEL)
    assert state.tiles == (1, 2, 3, 4, 5, 6, 0, 8, 9, 10, 7, 11, 13, 14, 15, 12)
    assert state.blank == 6
    assert GAME.to_text(state) == HAND_LEVEL
    assert GAME.from_text("1 2 3 4\n5 6 _ 8\n9 10 7 11\n13 14 15 12") == state
    assert GAME.from_text("\n1  2 3 4\r\n5 6 0 8\r\n\n9 10\t7 11\n13 14 15 12\n\n") == state
    assert GAME.to_text(SOLVED) == " 1  2  3  4\n 5  6  7  8\n 9 10 11 12\n13 14 15  0"
    assert GAME.is_solved(SOLVED) and GAME.solve(SOLVED) == []


@pytest.mark.parametrize(
    "text",
    [
        "",
        "\n \n",
        "1 2 3 4\n5 6 7 8\n9 10 11 12",
        "1 2 3 4\n5 6 7 8\n9 10 11 12\n13 14 15",
        "1 2 3 4\n5 6 7 8\n9 10 11 12\n13 14 15 0 16",
        "1 2 3 4\n5 6 7 8\n9 10 11 12\n13 14 15 0\n1 2 3 4",
        "1 2 3 4\n5 6 7 8\n9 10 11 12\n13 14 14 0",
        "1 2 3 4\n5 6 7 8\n9 10 11 12\n13 14 15 16",
        "1 2 3 4\n5 6 7 8\n9 10 11 12\n13 14 0 _",
        "1 2 3 4\n5 6 7 8\n9 10 11 12\n13 14 15 x",
        "1 2 3 4\n5 6 7 8\n9 10 11 12\n13 14 15 -0",
        "1 2 3 4\n5 6 7 8\n9 10 11 12\n13 15 14 0",
        "2 1 3 4\n5 6 7 8\n9 10 11 12\n13 14 15 0",
        "1,2,3,4\n5,6,7,8\n9,10,11,12\n13,14,15,0",
    ],
)
def test_bad_levels_raise_level_format_error(text):
    assert parse_level(GAME, text) is None


def test_unsolvable_permutations_are_rejected_with_a_reason():
    with pytest.raises(LevelFormatError, match="unsolvable"):
        GAME.from_text("1 2 3 4\n5 6 7 8\n9 10 11 12\n13 15 14 0")
    with pytest.raises(LevelFormatError, match="unsolvable"):
        GAME.from_text("1 2 3 4\n5 6 7 8\n9 10 11 12\n13 14 0 15".replace("13 14", "14 13"))


@settings(deadline=None, max_examples=200)
@given(st.permutations(range(16)))
def test_any_permutation_parses_exactly_when_solvable(perm):
    text = "\n".join(" ".join(map(str, perm[r * 4 : r * 4 + 4])) for r in range(4))
    solvable = is_solvable(tuple(perm))
    swapped = list(perm)
    i, j = [k for k in range(16) if perm[k] != 0][:2]
    swapped[i], swapped[j] = swapped[j], swapped[i]
    assert is_solvable(tuple(swapped)) != solvable
    state = parse_level(GAME, text)
    assert (state is not None) == solvable
    if state is not None:
        assert state.tiles == tuple(perm)


# ---- rules -------------------------------------------------------------------------------
def test_moves_and_rejections():
    state = GAME.from_text(HAND_LEVEL)
    for tile in ["3", "6", "8", "7"]:
        assert isinstance(GAME.step(state, tile), Puzzle15State)
    moved = GAME.step(state, "7")
    assert moved.tiles[6] == 7 and moved.tiles[10] == 0
    assert GAME.to_text(moved).splitlines()[1:3] == [" 5  6  7  8", " 9 10  0 11"]
    for tile in ["1", "2", "4", "5", "10", "12", "15"]:
        far = GAME.step(state, tile)
        assert isinstance(far, Rejected) and f"tile {tile} is not next to the blank" == far.reason
    for text in ["0", "16", "100"]:
        assert isinstance(GAME.step(state, text), Rejected)


def test_parse_action_accepts_aliases_and_rejects_junk():
    for text in ["7", " 7 ", "move 7", "tile 7", "Move tile 7.", "#7", "07"]:
        assert GAME.parse_action(text) == 7, text
    for text in JUNK:
        result = GAME.parse_action(text)
        assert isinstance(result, Rejected) and result.reason and "\n" not in result.reason
    assert GAME.candidate_actions(SOLVED) == TILES
    assert all(GAME.format_action(GAME.parse_action(a)) == a for a in TILES)


def test_parse_action_handles_huge_input():
    assert isinstance(GAME.parse_action("7" * 100_000), Rejected)
    assert isinstance(GAME.parse_action("move " * 50_000 + "7"), Rejected)
    assert isinstance(GAME.parse_action("\U0001f600" * 10_000 + "\u2028"), Rejected)


@settings(deadline=None, max_examples=60)
@given(st.sampled_from(LEVEL_TEXTS), action_lists(TILES, junk_text(JUNK)))
def test_random_actions_keep_invariants(text, actions):
    start = GAME.from_text(text)
    remaining = GAME.optimal_remaining(start)
    for state, action, result in accepted_steps(GAME, start, actions):
        tile = GAME.parse_action(action)
        assert result.tiles[state.blank] == tile and result.tiles[state.tiles.index(tile)] == 0
        assert sum(a != b for a, b in zip(state.tiles, result.tiles, strict=True)) == 2
        assert_invariants(result)
        after = GAME.optimal_remaining(result)
        assert abs(after - remaining) == 1
        assert heuristic(result.tiles) <= after
        remaining = after


# ---- solver ------------------------------------------------------------------------------
def test_solver_matches_plain_bfs_on_every_state_near_the_goal():
    distances = ball()
    assert len(distances) == 1 + 2 + 4 + 10 + 24 + 54 + 107 + 212 + 446 + 946 + 1948
    for state, depth in distances.items():
        actions = GAME.solve(state)
        assert len(actions) == depth
        assert heuristic(state.tiles) <= depth
    for state in list(distances)[::25]:
        assert_plan_solves(GAME, state, GAME.solve(state))


@settings(deadline=None, max_examples=60)
@given(st.sampled_from(LEVEL_TEXTS), st.integers(0, 2**32 - 1), st.integers(0, 60))
def test_solver_matches_plain_bfs_on_drifted_states(text, seed, steps):
    state = random_walk(GAME, GAME.from_text(text), np.random.default_rng(seed), steps)
    actions = GAME.solve(state)
    assert_plan_solves(GAME, state, actions)
    if state in ball():
        assert len(actions) == ball()[state]
    else:
        assert len(actions) > BALL_DEPTH


def test_solver_is_exact_and_fast_on_far_drifted_states():
    rng = np.random.default_rng(15)
    for index in range(0, len(FROZEN), 5):
        state = legal_walk(GAME.from_text(FROZEN[index].text), rng, 40)
        start = time.perf_counter()
        actions = GAME.solve(state)
        assert time.perf_counter() - start < 5
        assert_plan_solves(GAME, state, actions)
        assert heuristic(state.tiles) <= len(actions)
        assert len(actions) % 2 == ball_parity(state)
        for action in GAME.candidate_actions(state):
            neighbour = GAME.step(state, action)
            if not isinstance(neighbour, Rejected) and action == actions[0]:
                assert GAME.optimal_remaining(neighbour) == len(actions) - 1


def test_solver_finds_the_only_shortest_plan_around_the_rim():
    state = GAME.from_text("5 1 2 3\n9 6 7 4\n13 10 11 8\n0 14 15 12")
    assert heuristic(state.tiles) == 9
    assert GAME.solve(state) == ["13", "9", "5", "1", "2", "3", "4", "8", "12"]


def test_frozen_levels_lie_at_their_optimal_length_from_the_goal():
    """The 15-puzzle's independent BFS check: the goal ball replaces a plain BFS from each level."""
    for level in FROZEN.levels:
        assert ball()[GAME.from_text(level.text)] == level.optimal_length == FROZEN.difficulty


# ---- generation and the env --------------------------------------------------------------
@pytest.mark.parametrize("difficulty", [0, 1, 2, 5, 8, 10, 14, 20])
def test_generated_levels_are_solvable_permutations_at_their_ball_distance(difficulty):
    for seed in range(5):
        state = GAME.generate(np.random.default_rng([difficulty, seed]), difficulty)
        assert_invariants(state)
        if difficulty <= BALL_DEPTH:
            assert ball()[state] == difficulty


def test_env_rejects_a_missing_tile_then_slides_the_last_one_home():
    play_in_env("puzzle15", "1 2 3 4\n5 6 7 8\n9 10 11 12\n13 14 0 15", ["16"], "move 15")
