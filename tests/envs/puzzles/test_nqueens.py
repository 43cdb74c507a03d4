from __future__ import annotations

import itertools

import numpy as np
import pytest
from game_checks import accepted_steps, action_lists, assert_plan_solves, distances_to_goal, parse_level
from hypothesis import given, settings
from hypothesis import strategies as st

from mmgym.envs.puzzles.core import Rejected
from mmgym.envs.puzzles.levels import load_set
from mmgym.envs.puzzles.nqueens import NQueens, NQueensState
from mmgym.errors import LevelFormatError

GAME = NQueens()
JUNK = st.one_of(
    st.text(max_size=20),
    st.sampled_from(["", " ", "0 1", "1 0", "9 1", "1 9", "100 100", "1", "1 2 3", "a b", "٣ ٥", "-1 2", "1,,2"]),
)
HAND_LEVEL = "Q.......\n........\n........\n........\n........\n........\n........\n........"


def empty(n: int, fixed: frozenset[tuple[int, int]] = frozenset()) -> NQueensState:
    return NQueensState(n, fixed, frozenset())


def valid_full_board(text: str) -> bool:
    """Independent check of a final board: n queens, one per row and column, no shared diagonal."""
    rows = text.split("\n")
    n = len(rows)
    queens = [(r, c) for r, row in enumerate(rows) for c, ch in enumerate(row) if ch in "Qq"]
    if len(queens) != n or len({r for r, _ in queens}) != n or len({c for _, c in queens}) != n:
        return False
    return len({r + c for r, c in queens}) == n and len({r - c for r, c in queens}) == n


@pytest.mark.parametrize(
    "start",
    [
        empty(4),
        empty(4, frozenset({(0, 1)})),
        empty(5),
        empty(5, frozenset({(2, 2)})),
        empty(6),
        empty(6, frozenset({(0, 1), (5, 4)})),
        empty(6, frozenset({(0, 0)})),
        empty(3),
    ],
)
def test_solver_matches_bfs_on_every_reachable_state(start: NQueensState) -> None:
    dist = distances_to_goal(GAME, start)
    assert len(dist) > 1
    for state, d in dist.items():
        plan = GAME.solve(state)
        if d is None:
            assert plan is None
            continue
        assert plan is not None and len(plan) == d
        assert_plan_solves(GAME, state, plan)


@settings(max_examples=50, deadline=None)
@given(
    seed=st.integers(0, 2**32 - 1),
    difficulty=st.integers(0, 8),
    actions=action_lists(GAME.candidate_actions(empty(8)), JUNK),
)
def test_random_actions_keep_invariants(seed: int, difficulty: int, actions: list[str]) -> None:
    start = GAME.generate(np.random.default_rng(seed), difficulty)
    remaining = GAME.optimal_remaining(start)
    assert remaining == difficulty
    for state, _, result in accepted_steps(GAME, start, actions):
        assert result != state
        assert result.fixed == state.fixed and not (result.fixed & result.placed)
        assert len(result.placed ^ state.placed) == 1
        queens = sorted(result.queens)
        assert not any(
            r1 == r2 or c1 == c2 or abs(r1 - r2) == abs(c1 - c2)
            for i, (r1, c1) in enumerate(queens)
            for r2, c2 in queens[i + 1 :]
        )
        new_remaining = GAME.optimal_remaining(result)
        assert new_remaining is not None and abs(new_remaining - remaining) == 1  # type: ignore[operator]
        assert (new_remaining == 0) == GAME.is_solved(result)
        remaining = new_remaining


@pytest.mark.parametrize("text", ["9" * 10_000, "1 " + "9" * 5000, "\x00", "１ ２", "1 2" * 1000, "\ud800", "0 3"])
def test_parse_action_rejects_odd_input(text: str) -> None:
    assert isinstance(GAME.parse_action(text), Rejected)


@pytest.mark.parametrize("text", ["3 5", "3,5", "(3, 5)", " 3 ; 5 ", "[3 5]."])
def test_parse_action_spellings(text: str) -> None:
    move = GAME.parse_action(text)
    assert not isinstance(move, Rejected)
    assert GAME.format_action(move) == "3 5"


def test_toggle_attack_and_fixed_rules() -> None:
    state = GAME.from_text(HAND_LEVEL)
    assert isinstance(GAME.step(state, "1 1"), Rejected)
    assert isinstance(GAME.step(state, "2 2"), Rejected)
    assert isinstance(GAME.step(state, "5 1"), Rejected)
    assert isinstance(GAME.step(state, "9 1"), Rejected)
    placed = GAME.step(state, "2 3")
    assert isinstance(placed, NQueensState) and placed.placed == {(1, 2)}
    assert GAME.to_text(placed).split("\n")[1] == "..q....."
    assert GAME.step(placed, "2 3") == state


def test_standard_format_and_round_trip() -> None:
    state = GAME.from_text(HAND_LEVEL)
    assert state == NQueensState(8, frozenset({(0, 0)}), frozenset())
    assert GAME.to_text(state) == HAND_LEVEL
    assert GAME.optimal_remaining(state) == 7
    spaced = GAME.from_text("\n" + "\n".join(" ".join(row) for row in HAND_LEVEL.split("\n")) + "\n")
    assert spaced == state
    with_placed = GAME.from_text(".q..\n...q\nQ...\n..q.")
    assert with_placed.placed == {(0, 1), (1, 3), (3, 2)} and with_placed.fixed == {(2, 0)}
    assert GAME.is_solved(with_placed) and GAME.optimal_remaining(with_placed) == 0


def test_unsolvable_board_has_no_plan() -> None:
    assert GAME.solve(GAME.from_text("...\n...\n...")) is None
    assert GAME.solve(GAME.from_text("Q...\n....\n....\n....")) is None


@pytest.mark.parametrize(
    "text",
    [
        "",
        "Q.\n..\n..",
        "Q..\n...",
        "X...\n....\n....\n....",
        "Q...\n.Q..\n....\n....",
        "Q..Q\n....\n....\n....",
        "\n".join(["." * 13] * 13),
    ],
)
def test_bad_levels_raise(text: str) -> None:
    assert parse_level(GAME, text) is None


def test_generated_levels_fix_the_queens_not_to_place() -> None:
    for seed in range(10):
        for difficulty in range(9):
            level = GAME.generate(np.random.default_rng(seed), difficulty)
            assert len(level.fixed) == 8 - difficulty and not level.placed


def test_frozen_levels_plans_reach_valid_boards() -> None:
    """ING-VP's checker misjudged most of its N-Queens levels; an independent check of every final board."""
    for level in load_set("nqueens").levels:
        state = GAME.from_text(level.text)
        final = assert_plan_solves(GAME, state, GAME.solve(state))
        assert valid_full_board(GAME.to_text(final))


def test_is_solved_agrees_with_independent_check() -> None:
    for cols in itertools.permutations(range(6)):
        text = "\n".join("." * c + "Q" + "." * (5 - c) for c in cols)
        valid = valid_full_board(text)
        if valid:
            assert GAME.is_solved(GAME.from_text(text))
        else:
            with pytest.raises(LevelFormatError):
                GAME.from_text(text)
            assert not GAME.is_solved(NQueensState(6, frozenset(enumerate(cols)), frozenset()))
