"""The BabyAI expert's search: breadth-first over the small grid state, so that conjunctions are planned exactly.

A task such as "put the grey ball next to the red box, then pick up the red key" needs its steps
in the right order (the agent carries one object), and a shortest plan may move either object of
a pair, or an object in the way. So a search state is what the menu can change: the agent's cell
and heading, and the cell of every object allowed to move (None for the one carried); walls,
doors and the other objects stay put. `GridRoom.expert` searches first with the objects the
predicates name, then checks that plan against a search in which every object may move.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass

from mmgym.envs.search import MAX_DEPTH, shortest
from mmgym.tasks.embodied_eval.env.predicates import Predicate, WorldState, check

Cell = tuple[int, int]
# (x, y, heading, the movable objects' cells in `GridProblem.names` order, None for the one carried)
GridState = tuple[int, int, int, tuple[Cell | None, ...]]
AHEAD = ((1, 0), (0, 1), (-1, 0), (0, -1))  # minigrid's headings: 0 east, 1 south, 2 west, 3 north
MOVES = ("move forward", "turn left", "turn right")


@dataclass(frozen=True)
class GridProblem:
    """What stays put: `walls` (cells no one enters: walls, closed doors, objects left in place) and `filled`
    (cells nothing can be put down on: those, and open doors); and the names of the objects that may move."""

    walls: frozenset[Cell]
    filled: frozenset[Cell]
    names: tuple[str, ...]

    def moves(self, state: GridState) -> Iterator[tuple[str, GridState]]:
        """(option words, state after it) for every menu option possible in `state`, as `GridRoom` offers them."""
        x, y, d, cells = state
        ahead = (x + AHEAD[d][0], y + AHEAD[d][1])
        there = cells.index(ahead) if ahead in cells else None
        if there is None and ahead not in self.walls:
            yield MOVES[0], (*ahead, d, cells)
        yield MOVES[1], (x, y, (d - 1) % 4, cells)
        yield MOVES[2], (x, y, (d + 1) % 4, cells)
        held = cells.index(None) if None in cells else None
        if held is None and there is not None:
            yield f"pick up the {self.names[there]}", (x, y, d, _put(cells, there, None))
        if held is not None and there is None and ahead not in self.filled:
            yield f"put down the {self.names[held]}", (x, y, d, _put(cells, held, ahead))

    def world(self, state: GridState) -> WorldState:
        """The state as predicates read it: a carried object stands where the agent stands."""
        x, y, _, cells = state
        agent = (float(x), float(y))
        pairs = list(zip(self.names, cells, strict=True))
        objects = {name: agent if cell is None else (float(cell[0]), float(cell[1])) for name, cell in pairs}
        held = [name for name, cell in pairs if cell is None]
        return WorldState(agent=agent, objects=objects, holding=held[0] if held else None)

    def plan(
        self, start: GridState, predicates: Sequence[Predicate], begun: WorldState, max_depth: int = MAX_DEPTH
    ) -> tuple[list[str], list[GridState]] | None:
        """The options of a shortest plan from `start` to a state where every predicate holds (`begun`: the
        episode's first state, which closer and further compare with), and the states it passes; None if none."""
        goal: Callable[[GridState], bool] = lambda s: all(check(predicates, self.world(s), begun))  # noqa: E731
        found = shortest(start, self.moves, goal, max_depth)
        if found is None:
            return None
        words, states = found[0], [start]
        for option in words:
            states.append(dict(self.moves(states[-1]))[option])
        return words, states


def _put(cells: tuple[Cell | None, ...], index: int, cell: Cell | None) -> tuple[Cell | None, ...]:
    return (*cells[:index], cell, *cells[index + 1 :])
