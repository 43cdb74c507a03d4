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

from mmgym.envs.puzzles import get_game, render
from mmgym.envs.puzzles.core import Rejected
from mmgym.envs.puzzles.directions import DELTAS
from mmgym.envs.puzzles.levels import load_set
from mmgym.envs.puzzles.maze import Maze, MazeState

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
    assert parse_level(GAME, text) is None


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


def test_parse_action_handles_huge_input():
    assert isinstance(GAME.parse_action("up" * 100_000), Rejected)
    assert isinstance(GAME.parse_action("\U0001f600" * 10_000 + "\u2028"), Rejected)


def assert_invariants(state: MazeState, start: MazeState) -> None:
    assert (state.walls, state.goal, state.rows, state.cols) == (start.walls, start.goal, start.rows, start.cols)
    assert state.is_open(state.player)


@settings(deadline=None, max_examples=60)
@given(st.sampled_from(LEVEL_TEXTS), action_lists(DIRECTIONS, junk_text(JUNK)))
def test_random_actions_keep_invariants(text, actions):
    start = GAME.from_text(text)
    remaining = GAME.optimal_remaining(start)
    for state, action, result in accepted_steps(GAME, start, actions):
        dr, dc = DELTAS[GAME.parse_action(action)]
        assert result.player == (state.player[0] + dr, state.player[1] + dc)
        after = GAME.optimal_remaining(result)
        assert (after is None) == (remaining is None)
        if after is not None:
            assert abs(after - remaining) == 1
        remaining = after
        assert_invariants(result, start)


# ---- solver ------------------------------------------------------------------------------
@settings(deadline=None, max_examples=40)
@given(st.sampled_from(LEVEL_TEXTS), st.integers(0, 2**32 - 1), st.integers(0, 60))
def test_solver_matches_plain_bfs_on_drifted_states(text, seed, steps):
    assert_solver_matches_bfs(GAME, random_walk(GAME, GAME.from_text(text), np.random.default_rng(seed), steps))


@settings(deadline=None, max_examples=150)
@given(grids(), st.integers(0, 2**32 - 1), st.integers(0, 30))
def test_solver_matches_plain_bfs_on_random_grids(text, seed, steps):
    assert_solver_matches_bfs(GAME, random_walk(GAME, GAME.from_text(text), np.random.default_rng(seed), steps))


def test_solver_matches_plain_bfs_after_long_random_walks():
    outcomes = bfs_lengths_after_walks(GAME, FROZEN, 2, 3, lambda seed: 20 + 20 * seed)
    assert any(n is not None and n > FROZEN.difficulty for n in outcomes)
    assert 0 in outcomes or any(n is not None and n < FROZEN.difficulty for n in outcomes)


def test_unreachable_goal_is_unsolvable():
    state = GAME.from_text(WALLED_OFF_LEVEL)
    assert GAME.solve(state) is None and GAME.optimal_remaining(state) is None
    assert plain_bfs(GAME, state) is None


def test_solver_takes_the_short_way_round():
    state = GAME.from_text("#######\n#.....#\n#.###.#\n#P#G..#\n#######")
    assert GAME.solve(state) == ["up", "up", "right", "right", "right", "right", "down", "down", "left", "left"]
    loop = GAME.from_text("#####\n#P..#\n#.#.#\n#..G#\n#####")
    assert len(GAME.solve(loop)) == 4 == plain_bfs(GAME, loop)


# ---- generation and rendering ------------------------------------------------------------
def test_generated_levels_are_walled_squares_with_one_player_and_goal():
    for seed in range(6):
        level = GAME.generate(np.random.default_rng([7, seed]), 8)
        assert (level.rows, level.cols) == (GAME.size + 2, GAME.size + 2)
        assert all((r, c) in level.walls for r in range(level.rows) for c in (0, level.cols - 1))
        assert level.is_open(level.player) and level.is_open(level.goal)
        assert GAME.to_text(level).count("P") == 1 and GAME.to_text(level).count("G") == 1


def test_render_uses_the_tile_colours():
    image = GAME.render(GAME.from_text(FROZEN[0].text), 256)
    colours = {colour for _, colour in image.getcolors(256 * 256)}
    assert {render.WALL, render.FLOOR, render.PLAYER, render.GOAL} <= colours


def test_instruction_names_player_and_goal():
    assert GAME.instruction(GAME.from_text(FROZEN[0].text)) == "Move the player (P) to the goal (G)."


def test_env_rejects_walls_and_junk_then_reaches_the_goal():
    feedback, final = play_in_env("maze", "#####\n#PG.#\n#####", ["up", "left", "jump", "", "up"], "R")
    assert "wall" in feedback[-1]
    assert final == "#####\n#.*.#\n#####"
