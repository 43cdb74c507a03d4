"""What the agent perceives: its egocentric view as cells, as words and as pixels.

minigrid builds the agent's view by slicing, rotating and copying its grid on every step, which
costs about a third of a millisecond; `EgoView` reads the same 7 x 7 cells straight from the
grid and applies the same occlusion rule, so the text and the image describe exactly what
minigrid's own agent-POV observation shows (the tests compare the two on random states).

View coordinates: the agent stands at the bottom middle cell `(size // 2, size - 1)` and faces up;
`ahead` counts rows up from the agent and `right` counts columns to its right (negative: left).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import numpy as np
from minigrid.core.grid import Grid
from minigrid.core.world_object import Wall, WorldObj
from PIL import Image

FULL_RENDER_SIZE = 448  # pixels of the square top-down render; a multiple of 16 for video encoders
_OUTSIDE = Wall()  # what lies beyond the grid's edge, as minigrid's slice shows it


@dataclass(frozen=True)
class EgoView:
    """The cells in the agent's view: `cells[ahead][right + half]`, None where empty or unseen."""

    cells: tuple[tuple[WorldObj | None, ...], ...]
    visible: tuple[tuple[bool, ...], ...]
    carrying: WorldObj | None

    @property
    def size(self) -> int:
        return len(self.cells)

    def at(self, ahead: int, right: int) -> WorldObj | None:
        return self.cells[ahead][right + self.size // 2]

    def seen(self, ahead: int, right: int) -> bool:
        return self.visible[ahead][right + self.size // 2]


def ego_view(env) -> EgoView:
    """The agent's view of `env` (a minigrid env), with minigrid's occlusion rule.

    A cell is visible when light can reach it from the agent through cells that do not block the
    sight (walls and closed doors do): minigrid sweeps rows away from the agent, spreading
    visibility sideways and one row further from every visible see-through cell.
    """
    size = env.agent_view_size
    half = size // 2
    ax, ay = int(env.agent_pos[0]), int(env.agent_pos[1])
    fx, fy = (int(v) for v in env.dir_vec)
    rx, ry = -fy, fx  # right of the facing direction
    grid = env.grid
    width, height, cells_of = grid.width, grid.height, grid.grid
    cells: list[list[WorldObj | None]] = []
    for ahead in range(size):
        row = []
        for right in range(-half, half + 1):
            x, y = ax + fx * ahead + rx * right, ay + fy * ahead + ry * right
            row.append(cells_of[y * width + x] if 0 <= x < width and 0 <= y < height else _OUTSIDE)
        cells.append(row)
    visible = _visibility(cells, half)
    for ahead in range(size):
        for column in range(size):
            if not visible[ahead][column]:
                cells[ahead][column] = None
    return EgoView(tuple(map(tuple, cells)), tuple(map(tuple, visible)), env.carrying)


def _visibility(cells: list[list[WorldObj | None]], half: int) -> list[list[bool]]:
    """minigrid's `Grid.process_vis`, in row = distance-ahead coordinates."""
    size = len(cells)
    clear = [[cell is None or cell.see_behind() for cell in row] for row in cells]
    mask = [[False] * size for _ in range(size)]
    mask[0][half] = True
    for ahead in range(size):
        here, see = mask[ahead], clear[ahead]
        nxt = mask[ahead + 1] if ahead + 1 < size else None
        for column in range(size - 1):
            if here[column] and see[column]:
                here[column + 1] = True
                if nxt is not None:
                    nxt[column + 1] = nxt[column] = True
        for column in range(size - 1, 0, -1):
            if here[column] and see[column]:
                here[column - 1] = True
                if nxt is not None:
                    nxt[column - 1] = nxt[column] = True
    return mask


# ---- words -----------------------------------------------------------------------------------


def describe_object(obj: WorldObj) -> str:
    """'a red ball', 'a locked yellow door'."""
    if obj.type == "door":
        state = "open" if obj.is_open else "locked" if obj.is_locked else "closed"
        words = f"{state} {obj.color} door"
    else:
        words = f"{obj.color} {obj.type}"
    return f"{'an' if words[0] in 'aeiou' else 'a'} {words}"


def where(ahead: int, right: int) -> str:
    """'2 steps ahead and 1 step to your left', 'right in front of you', '1 step to your right'."""

    def steps(n: int) -> str:
        return f"{n} step{'s' if n != 1 else ''}"

    parts = []
    if ahead:
        parts.append(f"{steps(ahead)} ahead")
    if right:
        parts.append(f"{steps(abs(right))} to your {'right' if right > 0 else 'left'}")
    if (ahead, right) == (1, 0):
        return "right in front of you (1 step ahead)"
    return " and ".join(parts)


def describe_view(view: EgoView, label: Callable[[WorldObj], str | None] | None = None) -> str:
    """The view in words: what the agent carries, what is in front of it, every visible object.

    Walls are reported only where they bound movement: the nearest visible wall straight ahead,
    to the left and to the right. `label` may name an object (e.g. 'red ball 2', the name skills
    use for it); its name then follows the description in parentheses.
    """
    half = view.size // 2

    def words(obj: WorldObj) -> str:
        name = label(obj) if label is not None else None
        return describe_object(obj) + (f" ({name})" if name else "")

    lines = [f"You carry {words(view.carrying)}." if view.carrying is not None else "You carry nothing."]
    front = view.at(1, 0)
    if front is None:
        lines.append("In front of you: an empty cell (you can go forward).")
    elif front.type == "wall":
        lines.append("In front of you: a wall.")
    else:
        lines.append(f"In front of you: {words(front)}.")
    seen: list[str] = []
    order = sorted(range(view.size), key=lambda column: abs(column - half))  # nearest columns first
    for ahead, row in enumerate(view.cells):
        for column in order:
            obj = row[column]
            if obj is not None and obj.type != "wall" and (ahead or column != half):
                seen.append(f"{words(obj)} {where(ahead, column - half)}")
    for name, ahead, right in _nearest_walls(view):
        seen.append(f"a wall {where(ahead, right)}" if name == "ahead" else f"a wall {where(0, right)}")
    lines.append("You see:" if seen else "You see no objects.")
    lines.extend(f"- {item}" for item in seen)
    return "\n".join(lines)


def _nearest_walls(view: EgoView) -> list[tuple[str, int, int]]:
    half = view.size // 2
    found = []
    for name, rays in (
        ("ahead", [(a, 0) for a in range(1, view.size)]),
        ("left", [(0, -r) for r in range(1, half + 1)]),
        ("right", [(0, r) for r in range(1, half + 1)]),
    ):
        for ahead, right in rays:
            if not view.seen(ahead, right):
                break
            obj = view.at(ahead, right)
            if obj is not None and obj.type == "wall":
                found.append((name, ahead, right))
                break
    return found


# ---- pixels ----------------------------------------------------------------------------------


def render_view(view: EgoView, image_size: int) -> np.ndarray:
    """The agent-POV image minigrid draws (`get_pov_render`), resized to image_size x image_size.

    Tiles come from minigrid's own tile cache, so the pixels match minigrid's render exactly
    when image_size is a multiple of the view size (224 = 7 x 32).
    """
    size = view.size
    tile = -(-image_size // size)
    image = np.empty((size * tile, size * tile, 3), dtype=np.uint8)
    for ahead in range(size):
        top = (size - 1 - ahead) * tile  # the farthest row is drawn at the top
        cells, visible = view.cells[ahead], view.visible[ahead]
        for column in range(size):
            agent_here = ahead == 0 and column == size // 2
            obj = view.carrying if agent_here else cells[column]
            left = column * tile
            image[top : top + tile, left : left + tile] = _tile(obj, agent_here, visible[column], tile)
    if image.shape[0] != image_size:
        image = np.asarray(Image.fromarray(image).resize((image_size, image_size), Image.Resampling.BILINEAR))
    return image


_TILES: dict[tuple, np.ndarray] = {}


def _tile(obj: WorldObj | None, agent_here: bool, highlight: bool, tile: int) -> np.ndarray:
    """minigrid's tile for a cell, as uint8 (minigrid caches float64 tiles, 8 times the bytes to copy)."""
    key = (obj.encode() if obj is not None else None, agent_here, highlight, tile)
    found = _TILES.get(key)
    if found is None:
        drawn = Grid.render_tile(obj, agent_dir=3 if agent_here else None, highlight=highlight, tile_size=tile)
        found = _TILES[key] = np.asarray(drawn, dtype=np.uint8)
    return found


def render_full(env) -> np.ndarray:
    """The whole grid from above with the agent's field of view highlighted, on a square canvas."""
    tile = max(1, FULL_RENDER_SIZE // max(env.width, env.height))
    frame = env.get_full_render(True, tile)
    canvas = np.zeros((FULL_RENDER_SIZE, FULL_RENDER_SIZE, 3), dtype=np.uint8)
    canvas[: frame.shape[0], : frame.shape[1]] = frame[:FULL_RENDER_SIZE, :FULL_RENDER_SIZE]
    return canvas
