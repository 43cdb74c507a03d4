from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from mmgym.envs.games import get_game, render
from mmgym.envs.games.core import Rejected, replay
from mmgym.envs.games.directions import DELTAS
from mmgym.envs.games.levels import generate_set, load_set
from mmgym.envs.games.maze import Maze, MazeState
from mmgym.errors import LevelFormatError

GAME: Maze = get_game("maze")
FROZEN = load_set("maze")
DIRECTIONS = ["up", "down", "left", "right"]
JUNK = ["", "  ", "north", "upp", "U R", "⬆", "\x00", "x" * 300, "left right", "up\ndown", "..."]

HAND_LEVEL = """\
#######
#P..#.#
#.#.#.#
#.#...#
#...#G#
#######"""
OPEN_LEVEL = "P..\n...\n..G"
WALLED_OFF_LEVEL = "#######\n#P..#G#\n#...#.#\n#######"
LEVEL_TEXTS = [level.text for level in FROZEN.levels] + [HAND_LEVEL, OPEN_LEVEL, WALLED_OFF_LEVEL]


@st.composite
def grids(draw: st.DrawFn) -> str:
    """A random rectangular level with exactly one player and one goal (the goal may be cut off)."""
    rows, cols = draw(st.integers(1, 6)), draw(st.integers(1, 6))
    cells = draw(st.lists(st.sampled_from("#.."), min_size=rows * cols, max_size=rows * cols))
    player = draw(st.integers(0, rows * cols - 1))
    goal = draw(st.integers(0, rows * cols - 1))
    cells[player] = "P"
    cells[goal] = "*" if goal == player else "G"
    return "\n".join("".join(cells[r * cols : (r + 1) * cols]) for r in range(rows))


def plain_bfs(state: MazeState) -> int | None:
    """Shortest number of moves to a solved state using only the public step API."""
    seen = {state}
    frontier = [state]
    depth = 0
    while frontier:
        if any(GAME.is_solved(s) for s in frontier):
            return depth
        nxt = []
        for s in frontier:
            for action in GAME.candidate_actions(s):
                child = GAME.step(s, action)
                if not isinstance(child, Rejected) and child not in seen:
                    seen.add(child)
                    nxt.append(child)
        frontier = nxt
        depth += 1
    return None


def walk(state: MazeState, rng: np.random.Generator, steps: int) -> MazeState:
    actions = GAME.candidate_actions(state)
    return replay(GAME, state, [actions[rng.integers(len(actions))] for _ in range(steps)])


def assert_plan_solves(state: MazeState, plan: list[str]) -> None:
    for action in plan:
        assert action in GAME.candidate_actions(state)
        result = GAME.step(state, action)
        assert not isinstance(result, Rejected), result
        state = result
    assert GAME.is_solved(state)


def assert_solver_matches_bfs(state: MazeState) -> int | None:
    plan = GAME.solve(state)
    expected = plain_bfs(state)
    assert (None if plan is None else len(plan)) == expected
    if plan is not None:
        assert_plan_solves(state, plan)
    return expected


# ---- format ------------------------------------------------------------------------------
def test_parses_hand_written_level():
    state = GAME.from_text(HAND_LEVEL)
    assert (state.rows, state.cols) == (6, 7)
    assert state.player == (1, 1) and state.goal == (4, 5)
    assert (0, 0) in state.walls and (2, 2) in state.walls and (1, 4) in state.walls
    assert (1, 2) not in state.walls and state.player not in state.walls and state.goal not in state.walls
    assert len(state.walls) == sum(line.count("#") for line in HAND_LEVEL.splitlines())
    assert GAME.to_text(state) == HAND_LEVEL
    assert GAME.from_text(GAME.to_text(state)) == state
    assert GAME.from_text("\n" + HAND_LEVEL + "\n\n") == state
    assert GAME.from_text(HAND_LEVEL.replace("\n", "\r\n")) == state


def test_parses_player_on_goal_and_borderless_levels():
    solved = GAME.from_text("###\n#*#\n###")
    assert solved.player == solved.goal == (1, 1)
    assert GAME.is_solved(solved) and GAME.solve(solved) == []
    assert GAME.to_text(solved) == "###\n#*#\n###"
    state = GAME.from_text(OPEN_LEVEL)
    assert state.walls == frozenset() and (state.rows, state.cols) == (3, 3)
    assert not GAME.is_solved(state)


@pytest.mark.parametrize(
    "text",
    [
        "",
        "\n \n",
        "#####\n#P.G#\n####",
        "#####\n#P..#\n#####",
        "#####\n#..G#\n#####",
        "#####\n#PPG#\n#####",
        "#####\n#PGG#\n#####",
        "#####\n#*.P#\n#####",
        "#####\n#*.G#\n#####",
        "#####\n#PXG#\n#####",
        "#####\n#P G#\n#####",
        "#####\n#P\tG#\n#####",
        "#####\n#P@G#\n#####",
        "#####\n#p.g#\n#####",
    ],
)
def test_bad_levels_raise_level_format_error(text):
    with pytest.raises(LevelFormatError) as info:
        GAME.from_text(text)
    assert str(info.value) and "\n" not in str(info.value)


@settings(deadline=None, max_examples=300)
@given(st.text(alphabet="#.PG* \n\t", max_size=40))
def test_any_parsed_text_round_trips(text):
    try:
        state = GAME.from_text(text)
    except LevelFormatError as error:
        assert "\n" not in str(error)
        return
    assert GAME.from_text(GAME.to_text(state)) == state
    assert GAME.to_text(GAME.from_text(GAME.to_text(state))) == GAME.to_text(state)


@settings(deadline=None, max_examples=150)
@given(grids())
def test_random_grids_round_trip_exactly(text):
    state = GAME.from_text(text)
    assert GAME.to_text(state) == text
    assert GAME.from_text(GAME.to_text(state)) == state


# ---- rules -------------------------------------------------------------------------------
def test_moves_and_rejections():
    state = GAME.from_text(HAND_LEVEL)
    for action in ["up", "left"]:
        blocked = GAME.step(state, action)
        assert isinstance(blocked, Rejected) and "wall" in blocked.reason and action in blocked.reason
    moved = GAME.step(state, "R")
    assert isinstance(moved, MazeState) and moved.player == (1, 2)
    assert GAME.to_text(moved).splitlines()[1] == "#.P.#.#"
    down = GAME.step(moved, "down")
    assert isinstance(down, Rejected)
    edge = GAME.from_text(OPEN_LEVEL)
    off_grid = GAME.step(edge, "up")
    assert isinstance(off_grid, Rejected) and off_grid.reason and "\n" not in off_grid.reason
    assert GAME.step(GAME.step(GAME.from_text("#####\n#PG.#\n#####"), "right"), "right").player == (1, 3)


def test_parse_action_accepts_aliases_and_rejects_junk():
    for text, move in [("up", "up"), ("U", "up"), (" down ", "down"), ("l", "left"), ("Right.", "right")]:
        assert GAME.parse_action(text) == move
    for text in JUNK:
        result = GAME.parse_action(text)
        assert isinstance(result, Rejected) and result.reason
    assert GAME.candidate_actions(GAME.from_text(HAND_LEVEL)) == DIRECTIONS
    assert all(GAME.format_action(GAME.parse_action(a)) == a for a in DIRECTIONS)


@settings(deadline=None, max_examples=200)
@given(st.text())
def test_parse_action_never_raises(text):
    result = GAME.parse_action(text)
    assert isinstance(result, Rejected) or result in DIRECTIONS
    assert isinstance(GAME.step(GAME.from_text(HAND_LEVEL), text), (Rejected, MazeState))


def test_parse_action_handles_huge_input():
    assert isinstance(GAME.parse_action("up" * 100_000), Rejected)
    assert isinstance(GAME.parse_action("\U0001f600" * 10_000 + "\u2028"), Rejected)


def assert_invariants(state: MazeState, start: MazeState) -> None:
    assert (state.walls, state.goal, state.rows, state.cols) == (start.walls, start.goal, start.rows, start.cols)
    assert state.is_open(state.player)
    assert GAME.from_text(GAME.to_text(state)) == state


@settings(deadline=None, max_examples=60)
@given(
    st.sampled_from(LEVEL_TEXTS),
    st.lists(st.one_of(st.sampled_from(DIRECTIONS), st.sampled_from(JUNK), st.text(max_size=5)), max_size=60),
)
def test_random_actions_keep_invariants(text, actions):
    start = GAME.from_text(text)
    state = start
    remaining = GAME.optimal_remaining(state)
    for action in actions:
        before_text = GAME.to_text(state)
        result = GAME.step(state, action)
        if isinstance(result, Rejected):
            assert result.reason and "\n" not in result.reason
            assert GAME.step(state, action) == result
            assert GAME.to_text(state) == before_text
            continue
        move = GAME.parse_action(action)
        dr, dc = DELTAS[move]
        assert result.player == (state.player[0] + dr, state.player[1] + dc)
        assert GAME.to_text(result) != before_text
        after = GAME.optimal_remaining(result)
        assert (after is None) == (remaining is None)
        if after is not None:
            assert abs(after - remaining) == 1
        state, remaining = result, after
        assert_invariants(state, start)


# ---- solver ------------------------------------------------------------------------------
@pytest.mark.parametrize("difficulty", range(1, 16))
def test_solver_matches_plain_bfs_on_generated_levels(difficulty):
    for seed in range(3):
        state = GAME.generate(np.random.default_rng([difficulty, seed]), difficulty)
        assert assert_solver_matches_bfs(state) == difficulty


@settings(deadline=None, max_examples=40)
@given(st.sampled_from(LEVEL_TEXTS), st.integers(0, 2**32 - 1), st.integers(0, 60))
def test_solver_matches_plain_bfs_on_drifted_states(text, seed, steps):
    state = walk(GAME.from_text(text), np.random.default_rng(seed), steps)
    assert_solver_matches_bfs(state)


@settings(deadline=None, max_examples=150)
@given(grids(), st.integers(0, 2**32 - 1), st.integers(0, 30))
def test_solver_matches_plain_bfs_on_random_grids(text, seed, steps):
    assert_solver_matches_bfs(walk(GAME.from_text(text), np.random.default_rng(seed), steps))


def test_solver_matches_plain_bfs_after_long_random_walks():
    outcomes = []
    for index in range(0, len(FROZEN), 2):
        for seed in range(3):
            state = walk(GAME.from_text(FROZEN[index].text), np.random.default_rng([index, seed]), 20 + 20 * seed)
            outcomes.append(assert_solver_matches_bfs(state))
    assert any(n is not None and n > FROZEN.difficulty for n in outcomes)
    assert 0 in outcomes or any(n is not None and n < FROZEN.difficulty for n in outcomes)


def test_unreachable_goal_is_unsolvable():
    state = GAME.from_text(WALLED_OFF_LEVEL)
    assert GAME.solve(state) is None and GAME.optimal_remaining(state) is None
    assert plain_bfs(state) is None


def test_solver_takes_the_short_way_round():
    state = GAME.from_text("#######\n#.....#\n#.###.#\n#P#G..#\n#######")
    assert GAME.solve(state) == ["up", "up", "right", "right", "right", "right", "down", "down", "left", "left"]
    loop = GAME.from_text("#####\n#P..#\n#.#.#\n#..G#\n#####")
    assert len(GAME.solve(loop)) == 4 == plain_bfs(loop)


def test_every_frozen_level_is_solved_by_replaying_the_solver_plan():
    assert len(FROZEN) == 50 and FROZEN.difficulty == 8
    for level in FROZEN.levels:
        state = GAME.from_text(level.text)
        assert GAME.to_text(state) == level.text
        plan = GAME.solve(state)
        assert plan is not None
        assert len(plan) == level.optimal_length == FROZEN.difficulty == plain_bfs(state)
        assert_plan_solves(state, plan)


def test_frozen_set_is_reproducible_from_its_seed():
    assert FROZEN.generator_version == GAME.generator_version
    assert generate_set("maze", len(FROZEN), FROZEN.seed, FROZEN.difficulty) == FROZEN


# ---- generation and rendering ------------------------------------------------------------
def test_generation_is_deterministic_and_exact():
    for seed in range(6):
        np.random.seed(seed)
        first = GAME.generate(np.random.default_rng([7, seed]), 8)
        np.random.seed(seed + 100)
        again = GAME.generate(np.random.default_rng([7, seed]), 8)
        assert first == again
        assert GAME.optimal_remaining(first) == 8
        assert (first.rows, first.cols) == (GAME.size + 2, GAME.size + 2)
        assert all((r, c) in first.walls for r in range(first.rows) for c in (0, first.cols - 1))
        assert first.is_open(first.player) and first.is_open(first.goal)
        assert GAME.to_text(first).count("P") == 1 and GAME.to_text(first).count("G") == 1
        assert GAME.from_text(GAME.to_text(first)) == first
    assert GAME.generate(np.random.default_rng(1), 8) != GAME.generate(np.random.default_rng(2), 8)


@pytest.mark.parametrize("difficulty", [1, 8, 15, 20])
def test_generated_levels_have_exact_optimal_length(difficulty):
    for seed in range(10):
        state = GAME.generate(np.random.default_rng([difficulty, seed, 1]), difficulty)
        assert GAME.optimal_remaining(state) == difficulty


def test_generation_edge_difficulties():
    assert GAME.is_solved(GAME.generate(np.random.default_rng(0), 0))
    with pytest.raises(ValueError):
        GAME.generate(np.random.default_rng(0), -1)


def test_render_is_square_rgb_and_shows_moves():
    state = GAME.from_text(FROZEN[0].text)
    for size in (96, 256):
        image = GAME.render(state, size)
        assert image.size == (size, size) and image.mode == "RGB"
    image = GAME.render(state, 256)
    colours = {colour for _, colour in image.getcolors(256 * 256)}
    assert {render.WALL, render.FLOOR, render.PLAYER, render.GOAL} <= colours
    moved = GAME.step(state, GAME.solve(state)[0])
    assert GAME.render(moved, 256).tobytes() != image.tobytes()
    assert GAME.render(state, 256).tobytes() == image.tobytes()


def test_env_passes_gymnasium_checker():
    from gymnasium.utils.env_checker import check_env

    from mmgym.envs.puzzle_env import PuzzleEnv

    env = PuzzleEnv(game="maze", image_size=128)
    check_env(env, skip_render_check=True)
    _, info = env.reset(options={"level_index": 0})
    assert info["optimal_length"] == 8 and info["optimal_remaining"] == 8
    assert GAME.instruction(env.state) == "Move the player (P) to the goal (G)."


def test_env_rejected_action_leaves_state_unchanged():
    from mmgym.envs.puzzle_env import PuzzleEnv

    env = PuzzleEnv(game="maze", image_size=64)
    obs, _ = env.reset(options={"level": "#####\n#PG.#\n#####"})
    before = env.state
    for action in ["up", "left", "jump", ""]:
        obs2, reward, done, _, info = env.step(action)
        assert env.state == before and obs2["text"] == obs["text"]
        assert not info["valid"] and not info["state_changed"] and reward == 0.0 and not done
    _, _, _, _, info = env.step("up")
    assert "wall" in info["feedback"]
    obs3, reward, done, _, info = env.step("R")
    assert done and reward == 1.0 and info["optimal_remaining"] == 0 and obs3["text"] == "#####\n#.*.#\n#####"
