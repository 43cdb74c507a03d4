from __future__ import annotations

import itertools

import numpy as np
import pytest
from game_checks import (
    accepted_steps,
    action_lists,
    assert_plan_solves,
    assert_solver_matches_bfs,
    bfs_lengths_after_walks,
    distances_from,
    junk_text,
    parse_level,
    plain_bfs,
)
from hypothesis import given, settings
from hypothesis import strategies as st

from mmgym.envs.puzzles import get_game
from mmgym.envs.puzzles.core import Rejected
from mmgym.envs.puzzles.hanoi import Hanoi, HanoiState, distance, plan, positions, rods_of
from mmgym.envs.puzzles.levels import load_set

GAME: Hanoi = get_game("hanoi")
FROZEN = load_set("hanoi")
MOVES = ["move A B", "move A C", "move B A", "move B C", "move C A", "move C B"]
JUNK = ["", "  ", "move", "A", "move A A", "c c", "move A D", "D A", "move 1 2", "A B C", "⬆", "\x00", "x" * 300]

HAND_LEVEL = "A: 4 3 1\nB: 2\nC:\ngoal: C"
FULL_GOAL_LEVEL = "A: 3\nB:\nC: 2 1\ngoal A: 1\ngoal B: 3 2\ngoal C:"
LEVEL_TEXTS = [level.text for level in FROZEN.levels] + [HAND_LEVEL, FULL_GOAL_LEVEL]


def all_distances(n: int, goal: tuple[int, ...]) -> dict[tuple[int, ...], int]:
    """BFS distances to `goal` from every configuration of n disks (moves are reversible)."""
    solved = HanoiState(rods_of(goal), rods_of(goal))
    return {positions(s.rods): d for s, d in distances_from(GAME, solved).items()}


def assert_legal(state: HanoiState) -> None:
    for rods in (state.rods, state.goal):
        assert sorted(d for rod in rods for d in rod) == list(range(1, state.disks + 1))
        assert all(list(rod) == sorted(rod, reverse=True) for rod in rods)


# ---- format ------------------------------------------------------------------------------
def test_parses_hand_written_level():
    state = GAME.from_text(HAND_LEVEL)
    assert state.rods == ((4, 3, 1), (2,), ())
    assert state.goal == ((), (), (4, 3, 2, 1))
    assert state.disks == 4
    assert GAME.to_text(state) == HAND_LEVEL
    assert GAME.from_text("a: 4 3 1\n\nb:2\n c: \nGOAL: c\n") == state
    assert GAME.from_text("A: 4 3 1\nB: 2\nC:") == state
    assert GAME.from_text(HAND_LEVEL.replace("\n", "\r\n")) == state
    assert GAME.from_text("C:\nB: 2\nA: 4, 3, 1\ngoal: C") == state


def test_parses_full_goal_configuration():
    state = GAME.from_text(FULL_GOAL_LEVEL)
    assert state.rods == ((3,), (), (2, 1)) and state.goal == ((1,), (3, 2), ())
    assert GAME.to_text(state) == FULL_GOAL_LEVEL
    tower_goal = GAME.from_text("A: 2 1\nB:\nC:\ngoal A:\ngoal B: 2 1\ngoal C:")
    assert GAME.to_text(tower_goal) == "A: 2 1\nB:\nC:\ngoal: B"
    assert GAME.solve(tower_goal) == ["move A C", "move A B", "move C B"]


@pytest.mark.parametrize(
    "text",
    [
        "",
        "\n \n",
        "A: 3 2 1\nB:",
        "A: 3 2 1\nB:\nC:\nD:",
        "A: 3 2 1\nB:\nA:\nC:",
        "A: 1 2 3\nB:\nC:",
        "A: 3 1\nB:\nC:",
        "A: 3 2 2 1\nB:\nC:",
        "A: 3 2 1\nB: 4\nC: 0",
        "A: 3 2 x\nB:\nC:",
        "A: 3 2 -1\nB:\nC:",
        "A:\nB:\nC:",
        "A: 11 10 9 8 7 6 5 4 3 2 1\nB:\nC:",
        "A: 3 2 1\nB:\nC:\ngoal: D",
        "A: 3 2 1\nB:\nC:\ngoal: B\ngoal: C",
        "A: 3 2 1\nB:\nC:\ngoal: C\ngoal A:\ngoal B:\ngoal C: 3 2 1",
        "A: 3 2 1\nB:\nC:\ngoal A: 3\ngoal B: 2 1",
        "A: 3 2 1\nB:\nC:\ngoal A: 3\ngoal B: 1 2\ngoal C:",
        "A: 3 2 1\nB:\nC:\ngoal A: 4 3\ngoal B: 2 1\ngoal C:",
        "A: 3 2 1\nB:\nC:\ngoal A: 3\ngoal B: 2\ngoal C:",
        "A: 2 1 B: C:",
        "A 2 1\nB\nC",
        "A: 9999999999999999999999 1\nB:\nC:",
    ],
)
def test_bad_levels_raise_level_format_error(text):
    assert parse_level(GAME, text) is None


@settings(deadline=None, max_examples=200)
@given(st.text(alphabet="ABCgoal:0123456789 \n", max_size=50))
def test_any_parsed_text_is_a_legal_configuration(text):
    state = parse_level(GAME, text)
    if state is not None:
        assert_legal(state)


@settings(deadline=None, max_examples=100)
@given(st.integers(1, 7).flatmap(lambda n: st.tuples(*[st.tuples(st.integers(0, 2), st.integers(0, 2))] * n)))
def test_every_configuration_round_trips(pairs):
    state = HanoiState(rods_of(tuple(p for p, _ in pairs)), rods_of(tuple(g for _, g in pairs)))
    assert GAME.from_text(GAME.to_text(state)) == state


# ---- rules -------------------------------------------------------------------------------
def test_moves_and_rejections():
    state = GAME.from_text(HAND_LEVEL)
    moved = GAME.step(state, "move A C")
    assert isinstance(moved, HanoiState) and moved.rods == ((4, 3), (2,), (1,))
    assert GAME.to_text(moved) == "A: 4 3\nB: 2\nC: 1\ngoal: C"
    larger_on_smaller = GAME.step(moved, "move B C")
    assert isinstance(larger_on_smaller, Rejected) and "smaller" in larger_on_smaller.reason
    assert isinstance(GAME.step(moved, "move A B"), Rejected)
    from_empty = GAME.step(state, "move C A")
    assert isinstance(from_empty, Rejected) and "empty" in from_empty.reason
    same_rod = GAME.step(state, "move A A")
    assert isinstance(same_rod, Rejected) and "same rod" in same_rod.reason
    assert GAME.step(state, "move B A") == GAME.step(state, "B->A")
    assert isinstance(GAME.step(state, "move B A"), Rejected)
    onto_empty = GAME.step(state, "move B C")
    assert isinstance(onto_empty, HanoiState) and onto_empty.rods == ((4, 3, 1), (), (2,))


def test_parse_action_accepts_aliases_and_rejects_junk():
    for text in ["move A C", "A C", "a c", "A->C", "A -> C", "A to C", "from A to C", "Move a to c.", "AC", "A - C"]:
        assert GAME.parse_action(text) == (0, 2), text
    for text in JUNK:
        result = GAME.parse_action(text)
        assert isinstance(result, Rejected) and result.reason and "\n" not in result.reason
    assert GAME.candidate_actions(GAME.from_text(HAND_LEVEL)) == MOVES
    assert all(GAME.format_action(GAME.parse_action(a)) == a for a in MOVES)


def test_parse_action_handles_huge_input():
    assert isinstance(GAME.parse_action("move A C" * 100_000), Rejected)
    assert isinstance(GAME.parse_action("A " + " " * 100_000 + "C\u2028x"), Rejected)


@settings(deadline=None, max_examples=60)
@given(st.sampled_from(LEVEL_TEXTS), action_lists(MOVES, junk_text(JUNK)))
def test_random_actions_keep_invariants(text, actions):
    start = GAME.from_text(text)
    remaining = GAME.optimal_remaining(start)
    for state, action, result in accepted_steps(GAME, start, actions):
        src, dst = GAME.parse_action(action)
        assert result.rods[dst][-1] == state.rods[src][-1]
        assert len(result.rods[src]) == len(state.rods[src]) - 1
        assert result.goal == start.goal and result.disks == start.disks
        assert_legal(result)
        after = GAME.optimal_remaining(result)
        assert abs(after - remaining) <= 1
        remaining = after


# ---- solver ------------------------------------------------------------------------------
@pytest.mark.parametrize("n", [1, 2, 3, 4])
def test_solver_matches_bfs_on_every_pair_of_configurations(n):
    configurations = list(itertools.product(range(3), repeat=n))
    for goal in configurations:
        truth = all_distances(n, goal)
        assert len(truth) == 3**n
        for start in configurations:
            moves = plan(start, goal)
            assert len(moves) == distance(start, goal) == truth[start]


@pytest.mark.parametrize("n", [5, 6])
def test_solver_matches_bfs_on_larger_towers(n):
    rng = np.random.default_rng(n)
    for _ in range(4):
        goal = tuple(int(r) for r in rng.integers(3, size=n))
        truth = all_distances(n, goal)
        for start in itertools.islice(truth, 0, None, 7):
            state = HanoiState(rods_of(start), rods_of(goal))
            actions = GAME.solve(state)
            assert len(actions) == truth[start]
            assert_plan_solves(GAME, state, actions)


def test_solver_matches_plain_bfs_on_frozen_and_drifted_levels():
    outcomes = bfs_lengths_after_walks(GAME, FROZEN, 1, 2, lambda seed: 10 + 30 * seed)
    assert min(outcomes) < FROZEN.difficulty < max(outcomes)


def test_classic_tower_needs_two_to_the_n_minus_one_moves():
    for n in range(1, 11):
        state = GAME.from_text(f"A: {' '.join(map(str, range(n, 0, -1)))}\nB:\nC:\ngoal: C")
        actions = GAME.solve(state)
        assert len(actions) == 2**n - 1
        assert_plan_solves(GAME, state, actions)
    assert GAME.solve(GAME.from_text("A:\nB:\nC: 2 1")) == []


def test_largest_disk_may_need_two_moves():
    assert_solver_matches_bfs(GAME, GAME.from_text("A: 3\nB: 2 1\nC:\ngoal A:\ngoal B: 3\ngoal C: 2 1"))
    detour = GAME.from_text("A: 3\nB:\nC: 2 1\ngoal A: 1\ngoal B: 3 2\ngoal C:")
    assert len(GAME.solve(detour)) == plain_bfs(GAME, detour)
    assert sum(action.startswith("move A") for action in GAME.solve(detour)) >= 1


def test_frozen_levels_have_four_or_five_disks():
    assert all(4 <= GAME.from_text(level.text).disks <= 5 for level in FROZEN.levels)


# ---- generation and rendering ------------------------------------------------------------
@pytest.mark.parametrize("difficulty", [0, 1, 5, 8, 15, 31, 40, 100])
def test_generated_levels_are_legal(difficulty):
    for seed in range(5):
        assert_legal(GAME.generate(np.random.default_rng([difficulty, seed]), difficulty))


def test_render_fits_the_tallest_tower():
    assert GAME.render(GAME.from_text("A: 10 9 8 7 6 5 4 3 2 1\nB:\nC:"), 64).size == (64, 64)


def test_instruction_names_the_goal():
    assert GAME.instruction(GAME.from_text(HAND_LEVEL)).startswith("Move all disks onto rod C")
    assert "goal configuration" in GAME.instruction(GAME.from_text(FULL_GOAL_LEVEL))
