"""The puzzle env's undo (`undo=True`): back to the state after step N, as a step of its own."""

from __future__ import annotations

import pytest

from mmgym.envs.puzzles.env import PuzzleEnv
from mmgym.envs.puzzles.undo import NOT_OFFERED, StepHistory, undo_target

# Hand-made levels: a box two pushes from its target, a Sudoku with three blanks, one given queen.
CORRIDOR = "#######\n#@ $ .#\n#     #\n#######"
FULL_GRID = "123456789456789123789123456234567891567891234891234567345678912678912345912345678"
THREE_BLANKS = "0" + FULL_GRID[1:40] + "0" + FULL_GRID[41:80] + "0"
ONE_QUEEN = "\n".join(["Q......."] + ["........"] * 7)


def env_on(game: str, level: str, undo: bool = True) -> PuzzleEnv:
    env = PuzzleEnv(game, undo=undo, image_size=64, observe_image=False)
    env.reset(options={"level": level})
    return env


def texts_after(env: PuzzleEnv, actions: list[str]) -> list[str]:
    """The state text after each action, in order."""
    return [env.step(action)[0]["text"] for action in actions]


@pytest.mark.parametrize(
    ("action", "target"),
    [("3", 3), (" 12 ", 12), ("back to step 2", 2), ("Back To Step 7.", 7), ("0", 0), ("-1", -1)],
)
def test_undo_spellings(action: str, target: int) -> None:
    assert undo_target(action) == target


@pytest.mark.parametrize("action", ["3 5", "3 5 7", "up", "back to 2", "step", "", "1e3", "back to step"])
def test_moves_and_other_text_are_no_undo(action: str) -> None:
    assert undo_target(action) is None


def test_sokoban_goes_back_to_the_state_after_the_step_named() -> None:
    env = env_on("sokoban", CORRIDOR)
    after = texts_after(env, ["right", "down", "down"])  # the second down walks into the wall
    obs, reward, terminated, _, info = env.step("back to step 1")
    assert obs["text"] == after[0] != after[1]
    assert (info["valid"], info["state_changed"], reward, terminated) == (True, True, 0.0, False)
    assert info["feedback"] == "Back to the state after step 1."
    assert info["optimal_remaining"] == 2 and info["optimal_length"] == 3


def test_every_step_counts_in_the_numbering_undos_and_refusals_too() -> None:
    env = env_on("sokoban", CORRIDOR)
    after = texts_after(env, ["down", "down", "right", "1"])  # step 2 is refused; step 4 goes back to step 1
    assert after[1] == after[0] and after[3] == after[0] != after[2]
    assert env.step("2")[0]["text"] == after[1]  # the state step 2 left: unchanged by its refusal
    assert env.step("3")[0]["text"] == after[2]
    assert env.step("4")[0]["text"] == after[3]


def test_going_back_to_the_current_state_is_valid_and_changes_nothing() -> None:
    env = env_on("sokoban", CORRIDOR)
    env.step("right")
    info = env.step("1")[4]
    assert (info["valid"], info["state_changed"]) == (True, False)


@pytest.mark.parametrize("number", ["0", "-1", "3", "back to step 99"])
def test_a_step_not_taken_is_refused_and_changes_nothing(number: str) -> None:
    env = env_on("sokoban", CORRIDOR)
    before = texts_after(env, ["right", "down"])[-1]
    obs, _, _, _, info = env.step(number)
    assert obs["text"] == before and (info["valid"], info["state_changed"]) == (False, False)
    assert "your steps so far are 1 to 2" in info["feedback"] and "\n" not in info["feedback"]


def test_before_any_step_there_is_nothing_to_go_back_to() -> None:
    env = env_on("sokoban", CORRIDOR)
    info = env.step("1")[4]
    assert not info["valid"] and "no step was taken yet" in info["feedback"]


def test_reset_forgets_the_last_episode() -> None:
    env = env_on("sokoban", CORRIDOR)
    texts_after(env, ["right", "down"])
    env.reset(options={"level": CORRIDOR})
    assert not env.step("1")[4]["valid"]


def test_sudoku_goes_back_to_the_board_after_the_step() -> None:
    env = env_on("sudoku", THREE_BLANKS)
    after = texts_after(env, ["1 1 1", "5 5 9", "9 9 8"])
    obs, _, terminated, _, info = env.step("back to step 1")
    assert obs["text"] == after[0] and info["state_changed"] and not terminated
    assert env.step("3")[0]["text"] == after[2]


def test_nqueens_goes_back_and_the_queen_placed_later_is_gone() -> None:
    env = env_on("nqueens", ONE_QUEEN)
    first = env.step("2 3")
    after = [first[0]["text"], env.step("3 5")[0]["text"]]
    obs, _, _, _, info = env.step("1")
    assert obs["text"] == after[0] and obs["text"].count("q") == 1
    assert info["optimal_remaining"] == first[4]["optimal_remaining"]
    assert env.step("3 5")[0]["text"] == after[1]  # a pair of numbers stays a move


def test_solving_after_going_back_ends_the_episode_with_the_reward() -> None:
    env = env_on("sokoban", CORRIDOR)
    texts_after(env, ["right", "down", "1"])
    env.step("right")
    _, reward, terminated, _, info = env.step("right")
    assert info["success"] and terminated and reward == 1.0


def test_the_action_language_says_so_and_the_listed_actions_stay_the_games() -> None:
    on, off = env_on("sokoban", CORRIDOR), env_on("sokoban", CORRIDOR, undo=False)
    assert "back to step N" in on.action_grammar and "back to step" not in off.action_grammar
    assert on.action_grammar.startswith(off.action_grammar)
    assert on.candidate_actions() == off.candidate_actions()  # the random agent never draws an undo


@pytest.mark.parametrize(("game", "level"), [("sokoban", CORRIDOR), ("sudoku", THREE_BLANKS), ("nqueens", ONE_QUEEN)])
def test_without_undo_a_step_number_is_refused_saying_going_back_is_not_offered(game: str, level: str) -> None:
    env = env_on(game, level, undo=False)
    info = env.step("1")[4]
    assert not info["valid"] and info["feedback"].endswith(NOT_OFFERED)
    assert env.step("back to step 1")[4]["feedback"].endswith(NOT_OFFERED)


def test_a_number_that_is_a_move_of_the_game_gets_no_such_line() -> None:
    env = PuzzleEnv("puzzle15", image_size=64, observe_image=False)
    env.reset(options={"level": "1 2 3 4\n5 6 7 8\n9 10 11 12\n13 14 0 15"})
    assert env.step("3")[4]["feedback"] == "Invalid action '3': tile 3 is not next to the blank."
    assert env.step("15")[4]["valid"]  # tile 15 slides: a number is the 15-puzzle's move


def test_invalid_feedback_without_undo_is_as_before() -> None:
    env = env_on("sokoban", CORRIDOR, undo=False)
    assert env.step("jump")[4]["feedback"].startswith("Invalid action 'jump': ")
    assert NOT_OFFERED not in env.step("jump")[4]["feedback"]


def test_the_history_keeps_one_state_per_step() -> None:
    history = StepHistory()
    history.record("a")
    history.record("b")
    assert history.back_to(2) == "b" and history.back_to(1) == "a"
    assert "1 to 2" in history.back_to(3).reason  # type: ignore[union-attr]
