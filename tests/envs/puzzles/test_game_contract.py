"""The contract every puzzle game keeps, checked for all six games at once.

Game-specific rules, formats, invariants and solver cases stay in test_<game>.py.
"""

from __future__ import annotations

import functools
from dataclasses import dataclass

import numpy as np
import pytest
from game_checks import (
    accepted_steps,
    action_lists,
    assert_plan_solves,
    checked_step,
    junk_text,
    parse_level,
    plain_bfs,
    random_walk,
)
from hypothesis import given, settings
from hypothesis import strategies as st
from PIL import ImageDraw

from mmgym.envs.puzzles import GAME_CLASSES, Rejected, get_game, render
from mmgym.envs.puzzles.levels import generate_set, load_set

GAMES = list(GAME_CLASSES)
FROZEN_SET_SIZE = 50
TEXTS_PER_EXAMPLE = 5
JUNK = ["", "  ", "\n", "\x00", "⬆", "x" * 300, "up\ndown", "1 2 3 4 5", "...", "move", "-1"]


@dataclass(frozen=True)
class Contract:
    frozen_difficulty: int  # difficulty of the frozen default set: every level's optimal length
    difficulties: tuple[int, ...]  # the generator must hit each exactly
    seeds: int  # generated levels per difficulty
    impossible: tuple[int, ...]  # difficulties the generator must refuse with ValueError
    bfs_depth: int  # plain BFS confirms optimal lengths up to this many moves; deeper, the solver's own count
    level_alphabet: str  # random level text is drawn from these characters
    level_max_size: int
    parsed_moves_are_candidates: bool = True  # every parsed move is a candidate action of a frozen level


CONTRACTS = {
    "sokoban": Contract(
        frozen_difficulty=8,
        difficulties=(1, 2, 5, 8, 11),
        seeds=6,
        impossible=(0,),
        bfs_depth=11,
        level_alphabet="#$.*@+ -_\n",
        level_max_size=60,
    ),
    "maze": Contract(
        frozen_difficulty=8,
        difficulties=(0, *range(1, 16), 20),
        seeds=10,
        impossible=(-1,),
        bfs_depth=20,
        level_alphabet="#.PG* \n\t",
        level_max_size=40,
    ),
    "sudoku": Contract(
        frozen_difficulty=8,
        difficulties=(0, 1, 8, 20, 40),
        seeds=5,
        impossible=(81,),
        # BFS over 729 candidate writes per state is only feasible with a single blank; test_sudoku checks
        # the optimal lengths independently by counting solutions and blanks.
        bfs_depth=1,
        level_alphabet=".0123456789 \n",
        level_max_size=100,
    ),
    "nqueens": Contract(
        frozen_difficulty=4,
        difficulties=tuple(range(9)),
        seeds=10,
        impossible=(9,),
        bfs_depth=4,
        level_alphabet="Qq. \n",
        level_max_size=40,
        parsed_moves_are_candidates=False,  # any "row col" parses; only squares on the board are candidates
    ),
    "hanoi": Contract(
        frozen_difficulty=8,
        difficulties=(0, 1, 5, 8, 15, 31, 40, 100),
        seeds=6,
        impossible=(-1, 2**10),
        bfs_depth=8,
        level_alphabet="ABCgoal:0123456789 \n",
        level_max_size=50,
    ),
    "puzzle15": Contract(
        frozen_difficulty=8,
        difficulties=(0, 1, 2, 5, 8, 10, 14, 20),
        seeds=6,
        impossible=(-1,),
        bfs_depth=2,  # deeper distances come from test_puzzle15's BFS ball around the goal
        level_alphabet="0123456789 _\n",
        level_max_size=50,
    ),
}


@functools.cache
def start_state(name: str, index: int = 0):
    """Frozen level `index` of a game, parsed (states are immutable, so one copy serves every test)."""
    return get_game(name).from_text(load_set(name)[index].text)


def text_batches(text: st.SearchStrategy[str]) -> st.SearchStrategy[list[str]]:
    """Texts in fixed batches: 60 examples check 300 texts at a fifth of Hypothesis's per-example cost."""
    return st.lists(text, min_size=TEXTS_PER_EXAMPLE, max_size=TEXTS_PER_EXAMPLE)


def test_every_registered_game_has_a_contract():
    assert set(CONTRACTS) == set(GAME_CLASSES)


# ---- the frozen level sets ----------------------------------------------------------------
@pytest.mark.parametrize("name", GAMES)
def test_frozen_levels_replay_to_their_optimal_length(name):
    """ING-VP's released solver misjudged 10 of 50 Sokoban levels and its checker most N-Queens levels; every
    frozen level is verified end to end: the solver's plan, replayed through `step`, solves it in the stored
    optimal length, confirmed by a plain BFS where one is feasible."""
    game, frozen, contract = get_game(name), load_set(name), CONTRACTS[name]
    assert len(frozen) == FROZEN_SET_SIZE and frozen.difficulty == contract.frozen_difficulty
    for level in frozen.levels:
        state = game.from_text(level.text)
        plan = game.solve(state)
        assert plan is not None
        assert len(plan) == level.optimal_length == frozen.difficulty == game.optimal_remaining(state)
        assert_plan_solves(game, state, plan)
        if frozen.difficulty <= contract.bfs_depth:
            assert plain_bfs(game, state) == frozen.difficulty


@pytest.mark.parametrize("name", GAMES)
def test_frozen_set_is_reproducible_from_its_seed(name):
    frozen = load_set(name)
    assert frozen.generator_version == get_game(name).generator_version
    assert generate_set(name, len(frozen), frozen.seed, frozen.difficulty) == frozen


@pytest.mark.parametrize("name", GAMES)
def test_frozen_levels_are_distinct(name):
    frozen = load_set(name)
    assert len({level.text for level in frozen.levels}) == len(frozen)
    assert [level.index for level in frozen.levels] == list(range(len(frozen)))


@pytest.mark.parametrize("name", GAMES)
def test_frozen_levels_round_trip_through_text(name):
    game = get_game(name)
    for index, level in enumerate(load_set(name).levels):
        state = game.from_text(level.text)
        assert game.to_text(state) == level.text
        assert game.from_text(game.to_text(state)) == state
        drifted = random_walk(game, state, np.random.default_rng([index]), 20)
        assert game.from_text(game.to_text(drifted)) == drifted


@pytest.mark.parametrize("name", GAMES)
@settings(deadline=None, max_examples=60)
@given(data=st.data())
def test_level_text_round_trips_or_is_refused_in_one_line(name, data):
    game, contract = get_game(name), CONTRACTS[name]
    texts = text_batches(st.text(alphabet=contract.level_alphabet, max_size=contract.level_max_size))
    for text in data.draw(texts, label="texts"):
        state = parse_level(game, text)
        if state is not None:
            assert game.to_text(game.from_text(game.to_text(state))) == game.to_text(state)


# ---- generation ---------------------------------------------------------------------------
@pytest.mark.parametrize("name", GAMES)
def test_generation_is_deterministic_and_exact(name):
    game, contract = get_game(name), CONTRACTS[name]
    for difficulty in contract.difficulties:
        for seed in range(contract.seeds):
            np.random.seed(seed)  # the global numpy RNG must play no part
            level = game.generate(np.random.default_rng([difficulty, seed]), difficulty)
            np.random.seed(seed + 100)
            assert game.generate(np.random.default_rng([difficulty, seed]), difficulty) == level
            assert game.optimal_remaining(level) == difficulty, (difficulty, seed)
            assert game.is_solved(level) == (difficulty == 0)
            assert game.from_text(game.to_text(level)) == level
            if difficulty <= contract.bfs_depth:
                assert plain_bfs(game, level) == difficulty, (difficulty, seed)
                assert_plan_solves(game, level, game.solve(level))
    usual = contract.frozen_difficulty
    assert game.generate(np.random.default_rng(1), usual) != game.generate(np.random.default_rng(2), usual)


@pytest.mark.parametrize("name", GAMES)
def test_generation_refuses_impossible_difficulties(name):
    for difficulty in CONTRACTS[name].impossible:
        with pytest.raises(ValueError):
            get_game(name).generate(np.random.default_rng(0), difficulty)


# ---- rendering ----------------------------------------------------------------------------
@pytest.mark.parametrize("name", GAMES)
def test_render_is_square_rgb_and_shows_moves(name):
    game, state = get_game(name), start_state(name)
    for size in (64, 96, 384):
        image = game.render(state, size)
        assert image.size == (size, size) and image.mode == "RGB"
    image = game.render(state, 256)
    assert image.size == (256, 256) and image.mode == "RGB"
    moved = game.step(state, game.solve(state)[0])
    assert game.render(moved, 256).tobytes() != image.tobytes()
    assert game.render(state, 256).tobytes() == image.tobytes()


@pytest.mark.parametrize("name", GAMES)
def test_layered_frames_match_drawing_everything_at_once(name):
    """A frame composed from the reused background and cached sprites is the image that drawing the
    background and every piece on one canvas gives (to within 1 of 255 where text edges blend), along a
    whole solution and on into the next level, through one env's background cache."""
    game, backgrounds = get_game(name), render.Backgrounds()
    for index in (0, 1):
        state = start_state(name, index)
        for action in [None, *game.solve(state)]:
            state = state if action is None else game.step(state, action)
            for size in (96, 384):
                direct = game.draw_background(state, size)
                draw = ImageDraw.Draw(direct)
                for piece in game.pieces(state, size):
                    piece.draw(draw)
                frame = game.frame(state, size, backgrounds)
                assert frame.shape == (size, size, 3) and frame.dtype == np.uint8
                difference = np.abs(frame.astype(int) - np.asarray(direct, dtype=int))
                assert difference.max() <= 1, f"{name} level {index} after {action!r} at {size} px"


# ---- actions ------------------------------------------------------------------------------
@pytest.mark.parametrize("name", GAMES)
@settings(deadline=None, max_examples=60)
@given(texts=text_batches(st.text()))
def test_parse_action_never_raises(name, texts):
    game, state = get_game(name), start_state(name)
    for text in texts:
        result = game.parse_action(text)
        if isinstance(result, Rejected):
            assert result.reason and "\n" not in result.reason
        else:
            assert game.parse_action(game.format_action(result)) == result
            if CONTRACTS[name].parsed_moves_are_candidates:
                assert game.format_action(result) in game.candidate_actions(state)
        assert isinstance(game.step(state, text), (Rejected, type(state)))


@pytest.mark.parametrize("name", GAMES)
@settings(deadline=None, max_examples=30)
@given(data=st.data())
def test_rejected_actions_change_nothing(name, data):
    game = get_game(name)
    index = data.draw(st.integers(0, FROZEN_SET_SIZE - 1), label="level")
    steps = data.draw(st.integers(0, 30), label="drift")
    state = random_walk(game, start_state(name, index), np.random.default_rng([index, steps]), steps)
    actions = data.draw(action_lists(game.candidate_actions(state), junk_text(JUNK), max_size=30), label="actions")
    for _ in accepted_steps(game, state, actions):  # checked_step checks every step, accepted or rejected
        pass


@pytest.mark.parametrize("name", GAMES)
def test_text_changes_whenever_the_state_changes(name):
    """Every candidate action from a spread of frozen and drifted states: accepted ones change the text
    exactly when they change the state, rejected ones change neither."""
    game = get_game(name)
    for index in range(0, FROZEN_SET_SIZE, 25):
        start = start_state(name, index)
        for state in (start, random_walk(game, start, np.random.default_rng([index]), 15)):
            outcomes = [checked_step(game, state, action) for action in game.candidate_actions(state)]
            assert any(not isinstance(result, Rejected) for result in outcomes)


# ---- the Gymnasium env on the frozen levels -------------------------------------------------
@pytest.mark.parametrize("name", GAMES)
def test_env_serves_frozen_levels_and_ignores_rejected_actions(name):
    from gymnasium.utils.env_checker import check_env

    from mmgym.envs.puzzles.env import PuzzleEnv

    game, frozen = get_game(name), load_set(name)
    env = PuzzleEnv(game=name, image_size=128)
    check_env(env, skip_render_check=True)
    obs, info = env.reset(options={"level_index": 0})
    assert obs["text"] == frozen[0].text
    assert info["optimal_length"] == info["optimal_remaining"] == frozen.difficulty
    before = env.state
    illegal = next(a for a in game.candidate_actions(before) if isinstance(game.step(before, a), Rejected))
    for action in (illegal, "", "definitely not an action"):
        obs2, reward, done, truncated, info = env.step(action)
        assert env.state == before and obs2["text"] == obs["text"]
        assert not info["valid"] and not info["state_changed"] and info["feedback"]
        assert reward == 0.0 and not done and not truncated
