"""ING-VP's level files as released, read from hand-written fixtures in the same formats; its 4-rod Hanoi.

The fixtures (tests/envs/puzzles/fixtures/ingvp/) are written for these tests: ING-VP's own levels are
not shipped. Each reader's test also has the env's exact expert solve every level it reads.
"""

from __future__ import annotations

import itertools
from pathlib import Path

import gymnasium as gym
import pytest

import mmgym.envs  # noqa: F401  (registers the envs)
from mmgym.envs.puzzles import GAME_CLASSES, get_game
from mmgym.envs.puzzles import hanoi as three_rods
from mmgym.envs.puzzles.core import Rejected, replay
from mmgym.envs.puzzles.hanoi_rods import HanoiRods, HanoiRodsState, distances, from_letters, positions
from mmgym.envs.puzzles.nqueens import NQueensState
from mmgym.errors import ConfigError, LevelFormatError
from mmgym.tasks.ingvp.files import (
    FILES,
    PAPER_LEVELS,
    game_name,
    level_path,
    main,
    optima,
    read_data_dir,
    read_levels,
)

FIXTURES = Path(__file__).parent / "fixtures" / "ingvp"
HANOI: HanoiRods = get_game("hanoi_rods")


def oracle_solves_every_level(game: str) -> list[int]:
    """Play each fixture level of `game` in the env with the exact expert's plan; the optimal lengths."""
    env_name = {"sokoban": "Sokoban", "maze": "Maze", "sudoku": "Sudoku", "nqueens": "NQueens"}
    env_name |= {"hanoi": "Hanoi", "puzzle15": "Puzzle15"}
    env = gym.make(f"mmgym/{env_name[game]}-v0", game=game_name(game), observe_image=False)
    puzzle = get_game(game_name(game))
    lengths = []
    for state in read_data_dir(FIXTURES, game):
        _, info = env.reset(options={"level": puzzle.to_text(state)})
        plan = env.unwrapped.expert_plan()
        assert len(plan) == info["optimal_length"]
        for action in plan:
            _, _, terminated, _, info = env.step(action)
            assert info["valid"] and info["state_changed"]
        assert terminated and info["success"] and info["optimal_remaining"] == 0
        lengths.append(len(plan))
    env.close()
    return lengths


# ---- readers ------------------------------------------------------------------------------
def test_maze_reader() -> None:
    levels = read_data_dir(FIXTURES, "maze")
    assert len(levels) == 3
    first = levels[0]
    assert (first.rows, first.cols, first.player, first.goal) == (11, 11, (9, 2), (9, 10))
    assert (1, 0) not in first.walls and (0, 0) in first.walls  # the border's gap is open floor, as in ING-VP
    assert get_game("maze").to_text(first).splitlines()[9] == "#.P.......G"
    assert oracle_solves_every_level("maze") == [8, 25, 16]


def test_maze_rows_that_lost_their_trailing_spaces_are_padded(tmp_path: Path) -> None:
    text = (FIXTURES / "maze" / "levels_50.txt").read_text()
    stripped = "\n".join(line.rstrip() for line in text.splitlines())
    path = tmp_path / "maze.txt"
    path.write_text(stripped)
    assert read_levels("maze", path) == read_data_dir(FIXTURES, "maze")


def test_sokoban_reader_keeps_every_level_and_the_paper_takes_50() -> None:
    path = level_path(FIXTURES, "sokoban")
    levels = read_levels("sokoban", path)
    assert len(levels) == 4  # like ING-VP's file, a last one-move level after the others
    assert get_game("sokoban").to_text(levels[3]) == "###\n#@#\n#$#\n#.#\n###"
    assert read_data_dir(FIXTURES, "sokoban", limit=3) == levels[:3]
    assert PAPER_LEVELS == 50
    assert oracle_solves_every_level("sokoban") == [8, 5, 6, 1]


def test_hanoi_reader_letters_a_largest_bottom_to_top_goal_d() -> None:
    levels = read_data_dir(FIXTURES, "hanoi")
    assert len(levels) == 4
    first = levels[0]
    assert first == HanoiRodsState(((5, 1), (4,), (3, 2), ()), 3)
    assert HANOI.to_text(first) == "A: a e\nB: b\nC: c d\nD:\ngoal: D"
    assert oracle_solves_every_level("hanoi") == [8, 10, 13, 6]


def test_nqueens_reader_one_given_queen_seven_to_place() -> None:
    levels = read_data_dir(FIXTURES, "nqueens")
    assert levels == [
        NQueensState(8, frozenset({(2, 5)}), frozenset()),
        NQueensState(8, frozenset({(7, 0)}), frozenset()),
        NQueensState(8, frozenset({(0, 3)}), frozenset()),
    ]
    nqueens = get_game("nqueens")
    assert isinstance(nqueens.step(levels[0], "3 6"), Rejected)  # the given queen stays
    assert oracle_solves_every_level("nqueens") == [7, 7, 7]


def test_puzzle15_reader() -> None:
    levels = read_data_dir(FIXTURES, "puzzle15")
    assert levels[1].tiles == (1, 2, 3, 4, 5, 6, 0, 8, 9, 10, 7, 11, 13, 14, 15, 12)
    assert oracle_solves_every_level("puzzle15") == [8, 3, 4]


def test_sudoku_reader_checks_the_files_solution(tmp_path: Path) -> None:
    levels = read_data_dir(FIXTURES, "sudoku")
    assert [sum(1 for g in s.givens if g == 0) for s in levels] == [10, 9]
    assert oracle_solves_every_level("sudoku") == [10, 9]
    line = (FIXTURES / "sudoku" / "levels_50.jsonl").read_text().splitlines()[0]
    path = tmp_path / "sudoku.jsonl"
    path.write_text(line.replace('"solutions": "1234', '"solutions": "2134'))
    with pytest.raises(LevelFormatError, match="'solutions' is not the puzzle's solution"):
        read_levels("sudoku", path)


@pytest.mark.parametrize("game", list(FILES))
def test_a_missing_file_is_one_line_naming_it(game: str, tmp_path: Path) -> None:
    with pytest.raises(ConfigError) as excinfo:
        read_data_dir(tmp_path, game)
    message = str(excinfo.value)
    assert FILES[game][1] in message and "data/" in message and "\n" not in message


def test_a_malformed_file_is_one_line(tmp_path: Path) -> None:
    path = tmp_path / "hanoi.jsonl"
    path.write_text('{"level": 1, "position": {"A": ["a"], "B": ["b"], "C": ["b"], "D": []}}\n')
    with pytest.raises(LevelFormatError) as excinfo:
        read_levels("hanoi", path)
    assert "hanoi" in str(excinfo.value) and "\n" not in str(excinfo.value)
    path.write_text('{"level": 1, "position": {"A": ["b", "a"], "B": [], "C": [], "D": []}}\n')
    with pytest.raises(LevelFormatError, match="larger disk on a smaller one"):
        read_levels("hanoi", path)
    path.write_text("+++\n+S+\n+++\n")
    with pytest.raises(LevelFormatError, match="maze"):
        read_levels("maze", path)


# ---- the optima table ----------------------------------------------------------------------
def test_optima_lists_the_levels_off_the_assumed_optimum() -> None:
    assert optima(FIXTURES) == {
        "sokoban": [(2, 5), (3, 6), (4, 1)],
        "maze": [(2, 25), (3, 16)],
        "hanoi": [(2, 10), (3, 13), (4, 6)],
        "puzzle15": [(2, 3), (3, 4)],
        "nqueens": [],
    }


def test_optima_cli(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    assert main(["optima", str(FIXTURES), "maze", "nqueens"]) == 0
    assert capsys.readouterr().out.splitlines() == [
        "maze: 2 of the paper's levels differ from 8: 2 (25), 3 (16)",
        "nqueens: 0 of the paper's levels differ from 7: none",
    ]
    assert main(["optima", str(tmp_path)]) == 1
    assert capsys.readouterr().err.count("\n") == 1
    assert main([]) == 2


# ---- Hanoi with any number of rods ---------------------------------------------------------
def test_three_rod_bfs_agrees_with_the_closed_form_solver() -> None:
    for n in (1, 3, 4):
        dist = distances(3, n, 2)
        assert len(dist) == 3**n
        for pos in itertools.product(range(3), repeat=n):
            assert dist[pos] == three_rods.distance(pos, (2,) * n)


def test_four_rods_five_disks() -> None:
    dist = distances(4, 5, 3)
    assert len(dist) == 4**5
    assert dist[(0,) * 5] == 13  # Frame-Stewart: a 5-disk tower moves across 4 rods in 13
    assert max(dist.values()) == 13


def test_moves_and_rules() -> None:
    state = from_letters([["a", "e"], ["b"], ["c", "d"], []])
    assert HANOI.parse_action("AC") == HANOI.parse_action("move a c") == HANOI.parse_action("A -> C") == (0, 2)
    assert isinstance(HANOI.parse_action("AA"), Rejected) and isinstance(HANOI.parse_action("A"), Rejected)
    assert isinstance(HANOI.step(state, "BA"), Rejected)  # b onto the smaller e
    assert isinstance(HANOI.step(state, "DA"), Rejected)  # D is empty
    assert isinstance(HANOI.step(state, "AE"), Rejected)  # no rod E
    moved = HANOI.step(state, "AD")
    assert isinstance(moved, HanoiRodsState) and HANOI.to_text(moved).splitlines()[3] == "D: e"
    assert HANOI.candidate_actions(state)[:3] == ["AB", "AC", "AD"] and len(HANOI.candidate_actions(state)) == 12
    assert HANOI.from_text(HANOI.to_text(moved)) == moved
    assert not HANOI.is_solved(state)
    assert HANOI.is_solved(replay(HANOI, state, HANOI.solve(state)))
    assert positions(moved.rods) == (3, 2, 2, 1, 0)


def test_text_errors_are_one_line() -> None:
    for text in ("A: a\nB: b", "A: a\nB: b\nC: b\nD:", "A: a\nB:\nD: b\nE:", "A: a\nfoo", "A: b a\nB:\nC:"):
        with pytest.raises(LevelFormatError) as excinfo:
            HANOI.from_text(text)
        assert "\n" not in str(excinfo.value)


def test_image_and_generator() -> None:
    import numpy as np

    state = from_letters([["a", "e"], ["b"], ["c", "d"], []])
    assert HANOI.render(state, 64).size == (64, 64)
    level = HANOI.generate(np.random.default_rng(1), 8)
    assert HANOI.optimal_remaining(level) == 8


def test_the_default_games_are_unchanged() -> None:
    assert list(GAME_CLASSES) == ["sokoban", "maze", "sudoku", "nqueens", "hanoi", "puzzle15"]
    assert type(get_game("hanoi")).__name__ == "Hanoi"
    assert get_game("hanoi").format_action((0, 2)) == "move A C"
