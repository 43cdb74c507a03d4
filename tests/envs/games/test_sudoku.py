from __future__ import annotations

from collections import deque

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from mmgym.envs.games.core import Rejected, replay
from mmgym.envs.games.levels import load_set
from mmgym.envs.games.sudoku import Sudoku, SudokuState
from mmgym.errors import LevelFormatError

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
        return v not in grid[r * 9:r * 9 + 9] and v not in grid[c::9] and v not in box

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


def bfs_distances(start: SudokuState) -> dict[SudokuState, int]:
    """Exact distance to the goal for every state reachable from `start`, by plain BFS over `step`."""
    edges: dict[SudokuState, list[SudokuState]] = {}
    queue = deque([start])
    while queue:
        state = queue.popleft()
        if state in edges:
            continue
        results = (GAME.step(state, a) for a in GAME.candidate_actions(state))
        edges[state] = [s for s in results if not isinstance(s, Rejected)]
        queue.extend(s for s in edges[state] if s not in edges)
    reverse: dict[SudokuState, list[SudokuState]] = {s: [] for s in edges}
    for state, nexts in edges.items():
        for nxt in nexts:
            reverse[nxt].append(state)
    dist = {s: 0 for s in edges if GAME.is_solved(s)}
    queue = deque(dist)
    while queue:
        state = queue.popleft()
        for prev in reverse[state]:
            if prev not in dist:
                dist[prev] = dist[state] + 1
                queue.append(prev)
    return dist


@pytest.mark.parametrize("cells", [[0, 80], [3, 4, 40]])
def test_solver_matches_bfs_on_every_reachable_state(cells: list[int]) -> None:
    start = GAME.from_text(blank(WIKI_SOLUTION, cells))
    dist = bfs_distances(start)
    assert len(dist) == 10 ** len(cells)
    for state, d in dist.items():
        plan = GAME.solve(state)
        assert plan is not None and len(plan) == d
        assert GAME.is_solved(replay(GAME, state, plan))


def test_solver_plan_from_drifted_state_is_exact() -> None:
    state = GAME.from_text(WIKI_PUZZLE)
    rng = np.random.default_rng(7)
    actions = GAME.candidate_actions(state)
    state = replay(GAME, state, [actions[i] for i in rng.integers(len(actions), size=300)])
    plan = GAME.solve(state)
    assert plan is not None
    wrong = sum(1 for i in range(81) if not state.givens[i] and state.value(i) != int(WIKI_SOLUTION[i]))
    assert len(plan) == wrong
    assert GAME.is_solved(replay(GAME, state, plan))


@settings(max_examples=40, deadline=None)
@given(
    seed=st.integers(0, 2**32 - 1),
    difficulty=st.integers(0, 12),
    actions=st.lists(st.one_of(st.sampled_from(ACTIONS), JUNK), max_size=40),
)
def test_random_actions_keep_invariants(seed: int, difficulty: int, actions: list[str]) -> None:
    state = GAME.generate(np.random.default_rng(seed), difficulty)
    remaining = GAME.optimal_remaining(state)
    assert remaining == difficulty
    for action in actions:
        before_text = GAME.to_text(state)
        result = GAME.step(state, action)
        if isinstance(result, Rejected):
            assert result.reason and "\n" not in result.reason
            assert GAME.to_text(state) == before_text
            continue
        after_text = GAME.to_text(result)
        assert (after_text != before_text) == (result != state)
        assert result.givens == state.givens
        assert all(not (g and e) for g, e in zip(result.givens, result.entries, strict=True))
        assert GAME.from_text(after_text) == result
        new_remaining = GAME.optimal_remaining(result)
        assert new_remaining is not None and abs(new_remaining - remaining) <= 1  # type: ignore[operator]
        assert (new_remaining == 0) == GAME.is_solved(result)
        state, remaining = result, new_remaining


@settings(max_examples=300, deadline=None)
@given(st.text())
def test_parse_action_never_raises(text: str) -> None:
    result = GAME.parse_action(text)
    assert isinstance(result, Rejected) or GAME.parse_action(GAME.format_action(result)) == result


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
    rows = [WIKI_PUZZLE[i:i + 9].replace(".", "0") for i in range(0, 81, 9)]
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
    with pytest.raises(LevelFormatError):
        GAME.from_text(text)


def test_generation_is_deterministic_with_exact_difficulty() -> None:
    for seed in range(5):
        for difficulty in (1, 8, 20, 40):
            level = GAME.generate(np.random.default_rng(seed), difficulty)
            assert level == GAME.generate(np.random.default_rng(seed), difficulty)
            assert sum(1 for v in level.givens if not v) == difficulty
            assert GAME.optimal_remaining(level) == difficulty
            assert count_solutions(GAME.to_text(level)) == 1
    assert GAME.generate(np.random.default_rng(0), 8) != GAME.generate(np.random.default_rng(1), 8)
    with pytest.raises(ValueError):
        GAME.generate(np.random.default_rng(0), 81)


def test_frozen_levels_have_unique_solutions() -> None:
    level_set = load_set("sudoku")
    assert len(level_set) == 50
    for level in level_set.levels:
        state = GAME.from_text(level.text)
        assert GAME.to_text(state) == level.text
        assert count_solutions(level.text) == 1
        assert level.optimal_length == level.text.count(".") == GAME.optimal_remaining(state)
        plan = GAME.solve(state)
        assert plan is not None and GAME.is_solved(replay(GAME, state, plan))


def test_independent_counter_sees_multiple_solutions() -> None:
    assert count_solutions(WIKI_PUZZLE) == 1
    assert count_solutions("." * 81) == 2
    assert count_solutions("55" + "." * 79) == 0
    assert count_solutions("12345678." + "." * 8 + "9" + "." * 63) == 0


def test_render_is_square_rgb_and_changes_with_state() -> None:
    state = GAME.from_text(WIKI_PUZZLE)
    moved = GAME.step(state, "1 3 4")
    assert isinstance(moved, SudokuState)
    before, after = GAME.render(state, 256), GAME.render(moved, 256)
    assert before.size == (256, 256) and before.mode == "RGB"
    assert np.any(np.asarray(before) != np.asarray(after))


def test_env_checker_passes() -> None:
    from gymnasium.utils.env_checker import check_env

    from mmgym.envs.puzzle_env import PuzzleEnv

    env = PuzzleEnv(game="sudoku", image_size=128)
    check_env(env, skip_render_check=True)
    _, info = env.reset(options={"level_index": 0})
    assert info["optimal_remaining"] == 8
