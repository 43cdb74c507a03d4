"""Checks shared by the puzzle-game tests. Each takes the game as a parameter and uses only the public
`PuzzleGame` API, so a game's own solver is always compared against something independent of it."""

from __future__ import annotations

import functools
from collections import deque
from collections.abc import Callable, Hashable, Iterable, Iterator
from typing import Any

import numpy as np
from hypothesis import strategies as st

from mmgym.envs.puzzles import PuzzleGame
from mmgym.envs.puzzles.core import Rejected, replay
from mmgym.envs.puzzles.levels import LevelSet
from mmgym.errors import LevelFormatError

State = Any


@functools.lru_cache(maxsize=64)
def _parsed(game: PuzzleGame, actions: tuple[str, ...]) -> tuple[Any, ...]:
    return tuple(game.parse_action(action) for action in actions)


def successors(game: PuzzleGame, state: State) -> list[State]:
    """Every state one accepted candidate action away, in candidate order: `game.step(state, action)`
    for each candidate, with each action string parsed once (`step` is `parse_action` then `apply`, and
    parsing is pure; the searches below make hundreds of thousands of steps)."""
    assert type(game).step is PuzzleGame.step, "the game overrides step; step each action instead"
    moves = _parsed(game, tuple(game.candidate_actions(state)))
    results = (game.apply(state, move) for move in moves if not isinstance(move, Rejected))
    return [s for s in results if not isinstance(s, Rejected)]


def plain_bfs(game: PuzzleGame, state: State, max_depth: int | None = None) -> int | None:
    """Shortest number of moves to a solved state, searching `successors` (the public step API).

    None when no solved state is reachable (or none within `max_depth` moves)."""
    seen = {state}
    frontier = [state]
    depth = 0
    while frontier:
        if any(game.is_solved(s) for s in frontier):
            return depth
        if max_depth is not None and depth >= max_depth:
            return None
        nxt = []
        for s in frontier:
            for child in successors(game, s):
                if child not in seen:
                    seen.add(child)
                    nxt.append(child)
        frontier = nxt
        depth += 1
    return None


def distances_from(game: PuzzleGame, start: State, max_depth: int | None = None) -> dict[State, int]:
    """Plain BFS distance from `start` to every state reachable in at most `max_depth` moves.

    In a game whose moves are reversible, the distance from a goal is the distance to it."""
    found = {start: 0}
    frontier = [start]
    depth = 0
    while frontier and (max_depth is None or depth < max_depth):
        depth += 1
        nxt = []
        for s in frontier:
            for child in successors(game, s):
                if child not in found:
                    found[child] = depth
                    nxt.append(child)
        frontier = nxt
    return found


def distances_to_goal(game: PuzzleGame, start: State) -> dict[State, int | None]:
    """Exact distance to a goal for every state reachable from `start` (None: no goal reachable),
    by a forward sweep over `step` and a backward BFS from the solved states (moves need not be reversible)."""
    edges: dict[Hashable, list[State]] = {}
    queue = deque([start])
    while queue:
        state = queue.popleft()
        if state in edges:
            continue
        edges[state] = successors(game, state)
        queue.extend(s for s in edges[state] if s not in edges)
    reverse: dict[Hashable, list[State]] = {s: [] for s in edges}
    for state, nexts in edges.items():
        for nxt in nexts:
            reverse[nxt].append(state)
    dist: dict[Hashable, int] = {s: 0 for s in edges if game.is_solved(s)}
    queue = deque(dist)
    while queue:
        state = queue.popleft()
        for prev in reverse[state]:
            if prev not in dist:
                dist[prev] = dist[state] + 1
                queue.append(prev)
    return {s: dist.get(s) for s in edges}


def random_walk(game: PuzzleGame, state: State, rng: np.random.Generator, steps: int) -> State:
    """Apply `steps` candidate actions (of the start state) drawn uniformly; rejected ones change nothing."""
    actions = game.candidate_actions(state)
    return replay(game, state, [actions[rng.integers(len(actions))] for _ in range(steps)])


def assert_plan_solves(game: PuzzleGame, state: State, plan: list[str]) -> State:
    """Every plan action is a canonical candidate that `step` accepts, and the last state is solved; returns it."""
    for action in plan:
        assert action in game.candidate_actions(state), action
        result = game.step(state, action)
        assert not isinstance(result, Rejected), result
        state = result
    assert game.is_solved(state)
    return state


def assert_solver_matches_bfs(game: PuzzleGame, state: State) -> int | None:
    """The solver's plan is as long as a plain BFS says (or both find none) and solves the state;
    returns the BFS length."""
    plan = game.solve(state)
    expected = plain_bfs(game, state)
    assert (None if plan is None else len(plan)) == expected
    if plan is not None:
        assert_plan_solves(game, state, plan)
    return expected


def bfs_lengths_after_walks(
    game: PuzzleGame, levels: LevelSet, stride: int, seeds: int, steps: Callable[[int], int]
) -> list[int | None]:
    """`assert_solver_matches_bfs` on the states `steps(seed)` random moves away from every `stride`-th level
    (rng `[index, seed]` for each seed below `seeds`); returns the BFS lengths, to check the walks' spread."""
    lengths = []
    for index in range(0, len(levels), stride):
        start = game.from_text(levels[index].text)
        for seed in range(seeds):
            state = random_walk(game, start, np.random.default_rng([index, seed]), steps(seed))
            lengths.append(assert_solver_matches_bfs(game, state))
    return lengths


def checked_step(game: PuzzleGame, state: State, action: str) -> State | Rejected:
    """`game.step` plus what every step must satisfy.

    A rejection has a one-line reason, is repeatable and leaves the state and its text unchanged. An
    accepted action changes the text exactly when it changes the state, and the new state round-trips
    through its text."""
    before = game.to_text(state)
    result = game.step(state, action)
    if isinstance(result, Rejected):
        assert result.reason and "\n" not in result.reason, result
        assert game.step(state, action) == result
        assert game.to_text(state) == before
        return result
    after = game.to_text(result)
    assert (after != before) == (result != state)
    assert game.from_text(after) == result
    return result


def accepted_steps(game: PuzzleGame, state: State, actions: Iterable[str]) -> Iterator[tuple[State, str, State]]:
    """Apply `actions` in order through `checked_step`; yield `(before, action, after)` for each accepted one."""
    for action in actions:
        result = checked_step(game, state, action)
        if not isinstance(result, Rejected):
            yield state, action, result
            state = result


def action_lists(candidates: list[str], junk: st.SearchStrategy[str], max_size: int = 60) -> st.SearchStrategy:
    """Lists of actions: canonical candidates mixed with `junk`."""
    return st.lists(st.one_of(st.sampled_from(candidates), junk), max_size=max_size)


def junk_text(examples: list[str]) -> st.SearchStrategy[str]:
    """Malformed actions: the given examples, or short arbitrary text."""
    return st.one_of(st.sampled_from(examples), st.text(max_size=5))


def parse_level(game: PuzzleGame, text: str) -> State | None:
    """The state `text` describes, round-tripped through `to_text`; None when `from_text` refuses it,
    after checking that the `LevelFormatError` gives a one-line reason."""
    try:
        state = game.from_text(text)
    except LevelFormatError as error:
        assert str(error) and "\n" not in str(error)
        return None
    assert game.from_text(game.to_text(state)) == state
    return state


def play_in_env(name: str, level: str, rejected: list[str], winning: str) -> tuple[list[str], str]:
    """Play `level` in a `PuzzleEnv`: each `rejected` action must leave the state and text observation
    unchanged for no reward, then the `winning` action must solve it. Returns the rejections' feedback
    and the final text observation."""
    from mmgym.envs.puzzles.env import PuzzleEnv

    env = PuzzleEnv(game=name, image_size=64)
    obs, _ = env.reset(options={"level": level})
    before, feedback = env.state, []
    for action in rejected:
        after, reward, done, truncated, info = env.step(action)
        assert env.state == before and after["text"] == obs["text"]
        assert not info["valid"] and not info["state_changed"] and reward == 0.0 and not (done or truncated)
        feedback.append(info["feedback"])
    final, reward, done, _, info = env.step(winning)
    assert done and reward == 1.0 and info["success"] and info["optimal_remaining"] == 0
    return feedback, final["text"]
