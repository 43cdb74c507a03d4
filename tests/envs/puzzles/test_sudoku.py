from __future__ import annotations

import numpy as np
import pytest
from game_checks import (
    accepted_steps,
    action_lists,
    assert_plan_solves,
    distances_to_goal,
    parse_level,
    random_walk,
)
from hypothesis import given, settings
from hypothesis import strategies as st

from mmgym.envs.puzzles.core import Rejected
from mmgym.envs.puzzles.levels import load_set
from mmgym.envs.puzzles.sudoku import Sudoku, SudokuState

GAME = Sudoku()
WIKI_PUZZLE = "53..7....6..195....98....6.8...6...34..8.3..17...2...6.6....28....419..5....8..79"
WIKI_SOLUTION = "534678912672195348198342567859761423426853791713924856961537284287419635345286179"
ACTIONS = GAME.candidate_actions(GAME.from_text(WIKI_PUZZLE))
JUNK = st.one_of(
    st.text(max_size=20),
    st.sampled_from(["", " ", "0 1 1", "1 1 10", "10 1 1", "1 1", "1 1 1 1", "a b c", "١ ١ ١", "-1 2 3", "1,,2,3"]),
)


def blank(solution: str, cells: list[int]) -> str:
    return "".join("." if i in cells else ch for i, ch in enumerate(solution))


def count_solutions(text: str, cap: int = 2) -> int:
    """Plain row-major backtracking over digit sets, independent of the game's solver."""
    grid = [int(ch) if ch.isdigit() else 0 for ch in text]

    def fits(i: int, v: int) -> bool:
        r, c = divmod(i, 9)
        br, bc = r // 3 * 3, c // 3 * 3
        box = [grid[(br + dr) * 9 + bc + dc] for dr in range(3) for dc in range(3)]
        return v not in grid[r * 9 : r * 9 + 9] and v not in grid[c::9] and v not in box

    def search() -> int:
        if 0 not in grid:
            return 1
        i = grid.index(0)
        total = 0
        for v in range(1, 10):
            if fits(i, v):
                grid[i] = v
                total += search()
                grid[i] = 0
                if total >= cap:
                    break
        return total

    for i, v in enumerate(list(grid)):
        if v:
            grid[i] = 0
            ok = fits(i, v)
            grid[i] = v
            if not ok:
                return 0
    return search()


@pytest.mark.parametrize("cells", [[0, 80], [3, 4, 40]])
def test_solver_matches_bfs_on_every_reachable_state(cells: list[int]) -> None:
    start = GAME.from_text(blank(WIKI_SOLUTION, cells))
    dist = distances_to_goal(GAME, start)
    assert len(dist) == 10 ** len(cells)
    for state, d in dist.items():
        plan = GAME.solve(state)
        assert plan is not None and len(plan) == d
        assert_plan_solves(GAME, state, plan)


def test_solver_plan_from_drifted_state_is_exact() -> None:
    state = random_walk(GAME, GAME.from_text(WIKI_PUZZLE), np.random.default_rng(7), 300)
    plan = GAME.solve(state)
    assert plan is not None
    wrong = sum(1 for i in range(81) if not state.givens[i] and state.value(i) != int(WIKI_SOLUTION[i]))
    assert len(plan) == wrong
    assert_plan_solves(GAME, state, plan)


@settings(max_examples=40, deadline=None)
@given(
    seed=st.integers(0, 2**32 - 1),
    difficulty=st.integers(0, 12),
    actions=action_lists(ACTIONS, JUNK, max_size=40),
)
def test_random_actions_keep_invariants(seed: int, difficulty: int, actions: list[str]) -> None:
    start = GAME.generate(np.random.default_rng(seed), difficulty)
    remaining = GAME.optimal_remaining(start)
    assert remaining == difficulty
    for state, _, result in accepted_steps(GAME, start, actions):
        assert result.givens == state.givens
        assert all(not (g and e) for g, e in zip(result.givens, result.entries, strict=True))
        new_remaining = GAME.optimal_remaining(result)
        assert new_remaining is not None and abs(new_remaining - remaining) <= 1  # type: ignore[operator]
        assert (new_remaining == 0) == GAME.is_solved(result)
        remaining = new_remaining


@pytest.mark.parametrize("text", ["9" * 10_000, "1 1 " + "9" * 5000, "\x00", "１ ２ ３", "1 2 3" * 1000, "\ud800"])
def test_parse_action_rejects_odd_input(text: str) -> None:
    assert isinstance(GAME.parse_action(text), Rejected)


@pytest.mark.parametrize("text", ["3 5 7", "3,5,7", "(3, 5, 7)", " 3 ; 5 ; 7 ", "357", "[3 5 7]."])
def test_parse_action_spellings(text: str) -> None:
    move = GAME.parse_action(text)
    assert not isinstance(move, Rejected)
    assert GAME.format_action(move) == "3 5 7"


def test_writes_overwrite_but_not_on_givens() -> None:
    state = GAME.from_text(WIKI_PUZZLE)
    assert isinstance(GAME.step(state, "1 1 5"), Rejected)
    first = GAME.step(state, "1 3 9")
    assert isinstance(first, SudokuState)
    second = GAME.step(first, "1 3 4")
    assert isinstance(second, SudokuState) and second.value(2) == 4
    assert GAME.optimal_remaining(first) == GAME.optimal_remaining(state) == GAME.optimal_remaining(second) + 1


def test_text_round_trip_and_format() -> None:
    state = GAME.from_text(WIKI_PUZZLE)
    assert GAME.to_text(state) == WIKI_PUZZLE
    moved = GAME.step(state, "1 3 4")
    assert isinstance(moved, SudokuState)
    text = GAME.to_text(moved)
    assert text == WIKI_PUZZLE + "\nentries: .." + "4" + "." * 78
    assert GAME.from_text(text) == moved


def test_standard_format_accepts_grids_and_zeros() -> None:
    rows = [WIKI_PUZZLE[i : i + 9].replace(".", "0") for i in range(0, 81, 9)]
    spaced = "\n".join(" ".join(row) for row in rows)
    state = GAME.from_text(spaced)
    assert state == GAME.from_text(WIKI_PUZZLE)
    assert state.givens[:9] == (5, 3, 0, 0, 7, 0, 0, 0, 0)
    assert not any(state.entries)
    assert GAME.optimal_remaining(state) == WIKI_PUZZLE.count(".")


@pytest.mark.parametrize(
    "text",
    [
        "",
        WIKI_PUZZLE[:-1],
        WIKI_PUZZLE + "1",
        WIKI_PUZZLE[:-1] + "x",
        "55" + WIKI_PUZZLE[2:],
        "." * 81,
        "12345678." + "." * 8 + "9" + "." * 63,
        WIKI_PUZZLE + "\nentries: 1" + "." * 80,
        WIKI_PUZZLE + "\nentries: 12",
        WIKI_PUZZLE + "\nentries: entries: " + "." * 81,
    ],
)
def test_bad_levels_raise(text: str) -> None:
    assert parse_level(GAME, text) is None


def test_generated_levels_have_one_solution_and_difficulty_blanks() -> None:
    for seed in range(5):
        for difficulty in (1, 8, 20, 40):
            level = GAME.generate(np.random.default_rng(seed), difficulty)
            assert sum(1 for v in level.givens if not v) == difficulty
            assert count_solutions(GAME.to_text(level)) == 1


def test_frozen_levels_have_unique_solutions() -> None:
    """The independent check of the frozen set's optimal lengths (BFS over writes is infeasible): one
    solution, so each blank needs exactly one write."""
    for level in load_set("sudoku").levels:
        assert count_solutions(level.text) == 1
        assert level.optimal_length == level.text.count(".")


def test_independent_counter_sees_multiple_solutions() -> None:
    assert count_solutions(WIKI_PUZZLE) == 1
    assert count_solutions("." * 81) == 2
    assert count_solutions("55" + "." * 79) == 0
    assert count_solutions("12345678." + "." * 8 + "9" + "." * 63) == 0
