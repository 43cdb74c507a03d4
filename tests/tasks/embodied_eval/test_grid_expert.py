"""The BabyAI expert's search: shortest plans for conjunctions on hand-built rooms (lengths worked out by hand),
objects in the way moved when that is shorter, and the plan kept while the oracle follows it."""

from __future__ import annotations

import pytest

from mmgym.tasks.embodied_eval.env.grid_expert import GridProblem, GridState
from mmgym.tasks.embodied_eval.env.predicates import Holding, Near, WorldState, check


def room(width: int, height: int, names: tuple[str, ...]) -> GridProblem:
    """A walled room whose inside is x in 1..width, y in 1..height; nothing in it but the movable `names`."""
    border = {(x, y) for x in range(width + 2) for y in range(height + 2)}
    inside = {(x, y) for x in range(1, width + 1) for y in range(1, height + 1)}
    walls = frozenset(border - inside)
    return GridProblem(walls, walls, names)


def replay(problem: GridProblem, start: GridState, plan: list[str]) -> GridState:
    state = start
    for option in plan:
        state = dict(problem.moves(state))[option]
    return state


# Two rows of four cells; the agent at (1, 1) faces east, the ball ahead of it, the key below it, the box at (4, 2).
TWO_ROWS = room(4, 2, ("ball", "box", "key"))
TWO_ROWS_START: GridState = (1, 1, 0, ((2, 1), (4, 2), (1, 2)))
PUT_THEN_PICK = (Near(subject="ball", object="box"), Holding(object="key"))


def test_a_two_part_task_is_planned_in_order_and_shortest() -> None:
    # By hand: pick up the ball, step east, put it down at (3, 1) (a diagonal from the box: 1.41 < 1.5), then
    # turn right, step south, turn right to face the key, pick it up: 7. Picking up the key first leaves no
    # free hand for the ball; putting the ball anywhere else near the box takes more steps.
    begun = TWO_ROWS.world(TWO_ROWS_START)
    assert check(PUT_THEN_PICK, begun, begun) == [False, False]
    plan, states = TWO_ROWS.plan(TWO_ROWS_START, PUT_THEN_PICK, begun)
    assert len(plan) == len(states) - 1 == 7
    assert plan.index("put down the ball") < plan.index("pick up the key") == 6
    assert check(PUT_THEN_PICK, TWO_ROWS.world(states[-1]), begun) == [True, True]
    halfway = states[plan.index("put down the ball") + 1]
    assert check(PUT_THEN_PICK, TWO_ROWS.world(halfway), begun) == [True, False]  # half the goal conditions


def test_a_carried_object_stands_where_the_agent_stands_and_frees_a_hand_only_when_put_down() -> None:
    x, y, d, (_, box, key) = TWO_ROWS_START
    carrying = TWO_ROWS.world((x, y, d, (None, box, key)))
    assert carrying.holding == "ball" and carrying.position("ball") == (1.0, 1.0)
    facing_key = (x, y, 1, (None, box, key))  # south: the key is ahead, the hands are full, nothing to put it on
    assert [words for words, _ in TWO_ROWS.moves(facing_key)] == ["turn left", "turn right"]


# A corridor of six cells: the agent at (1, 1) faces east, a ball blocks the way to the key at (6, 1).
CORRIDOR_START_CELLS = {"ball": (2, 1), "key": (6, 1)}


def corridor(names: tuple[str, ...]) -> tuple[GridProblem, GridState]:
    problem = room(6, 1, names)
    still = frozenset(cell for name, cell in CORRIDOR_START_CELLS.items() if name not in names)
    problem = GridProblem(problem.walls | still, problem.filled | still, names)
    return problem, (1, 1, 0, tuple(CORRIDOR_START_CELLS[name] for name in names))


def test_an_object_in_the_way_is_moved_only_when_it_may_move() -> None:
    wanted = (Holding(object="key"),)
    stuck, start = corridor(("key",))
    begun = WorldState(agent=(1.0, 1.0), objects={"key": (6.0, 1.0)})
    assert stuck.plan(start, wanted, begun) is None  # the ball is a wall to a search that may not move it
    free, start = corridor(("key", "ball"))
    plan, _ = free.plan(start, wanted, begun)
    # By hand: pick up the ball, turn round twice (4 turns: it can only go down behind the agent), 4 steps east
    # and the three hand actions: 11.
    assert len(plan) == 11 and plan.count("move forward") == 4 and plan[-1] == "pick up the key"


@pytest.fixture(scope="module")
def grid_room():
    pytest.importorskip("minigrid")
    from mmgym.tasks.embodied_eval.env.babyai_world import GridRoom

    world = GridRoom(32, False)
    yield world
    world.close()


def frozen_grid_tasks():
    from mmgym.tasks.embodied_eval.env.frozen import SETS

    return [episode.scene for episode in SETS.load("object_interaction").episodes]


def test_the_expert_is_never_longer_than_moving_only_the_named_objects_and_sometimes_shorter(grid_room) -> None:
    shorter = 0
    for task in frozen_grid_tasks():
        grid_room.load(task)
        start = grid_room.state()
        named = tuple(dict.fromkeys(n for p in task.predicates for n in p.names()))
        problem, now = grid_room._problem(named)
        only_named = problem.plan(now, task.predicates, start)
        plan = grid_room.expert(task, start)
        assert plan and (only_named is None or len(plan) <= len(only_named[0])), task.text
        shorter += only_named is None or len(plan) < len(only_named[0])
    assert shorter >= 1  # some task is quicker done by moving an object it does not name out of the way


def test_while_the_oracle_follows_the_plan_it_keeps_it(grid_room) -> None:
    from mmgym.tasks.embodied_eval.env.menu import Option

    task = next(t for t in frozen_grid_tasks() if len(t.predicates) == 2)
    grid_room.load(task)
    start = grid_room.state()
    plan = grid_room.expert(task, start)
    for done, words in enumerate(plan[:3], 1):
        grid_room.apply(next(o for o in grid_room.options() if o.text == words))
        assert grid_room.expert(task, start) == plan[done:]
    off = "turn right" if plan[3] == "turn left" else "turn left"
    grid_room.apply(Option(off))  # off the plan: a fresh search, at most one option longer (turn back)
    left = len(plan) - 3
    assert left - 1 <= len(grid_room.expert(task, start)) <= left + 1


def test_on_a_real_grid_the_expert_moves_a_ball_out_of_a_corridor_to_reach_the_key(grid_room) -> None:
    from minigrid.core.grid import Grid
    from minigrid.core.world_object import Ball, Key

    from mmgym.envs.babyai.skills import name_objects
    from mmgym.tasks.embodied_eval.env.task import Task

    task = Task(category="object_interaction", text="Pick up the red key.", babyai=frozen_grid_tasks()[0].babyai,
                predicates=(Holding(object="red key"),))  # fmt: skip
    grid_room.load(task)
    env = grid_room.env
    env.grid = Grid(8, 3)
    env.grid.wall_rect(0, 0, 8, 3)
    env.grid.set(2, 1, Ball("grey"))
    env.grid.set(6, 1, Key("red"))
    env.agent_pos, env.agent_dir, env.carrying = (1, 1), 0, None
    name_objects(env)
    start = grid_room.state()
    stuck, now = grid_room._problem(("red key",))
    assert stuck.plan(now, task.predicates, start) is None  # the ball blocks a search that may not move it
    plan = grid_room.expert(task, start)
    assert len(plan) == 11 and plan[0] == "pick up the grey ball"  # as in the hand-built corridor above
    for words in plan:
        grid_room.apply(next(o for o in grid_room.options() if o.text == words))
    assert grid_room.state().holding == "red key"
