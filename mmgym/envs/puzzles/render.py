"""Pillow drawing helpers shared by the game renderers: grids, centred labels, one palette, and the
layered frames that make a step's image cheap.

A frame is a level's background (drawn once per level and size, kept by the env) with the pieces
that move pasted on it as sprites, each drawn once per game, size and position. Drawing a whole
384 px frame with Pillow and converting it to an array costs about 1-2 ms; composing it costs a
copy and a few small blends (benchmarks/bench_llm_concurrency.py), which matters when a harness
steps a hundred envs on one event loop.
"""

from __future__ import annotations

import functools
from collections import OrderedDict
from collections.abc import Callable, Hashable, Iterable
from dataclasses import dataclass
from typing import NamedTuple

import numpy as np
from PIL import Image, ImageDraw, ImageFont

BACKGROUND = (245, 245, 240)
GRID_LINE = (60, 60, 60)
WALL = (70, 70, 80)
FLOOR = (235, 225, 200)
PLAYER = (30, 120, 230)
GOAL = (40, 170, 70)
BOX = (200, 130, 40)
TARGET = (220, 60, 60)
TEXT = (20, 20, 20)
HIGHLIGHT = (250, 215, 90)
MUTED = (150, 150, 150)


@functools.lru_cache(maxsize=64)
def font(size: int) -> ImageFont.FreeTypeFont:
    """Pillow's bundled scalable font, so rendering needs no system fonts."""
    return ImageFont.load_default(size=max(6, int(size)))


@dataclass(frozen=True)
class Grid:
    """Geometry of a rows x cols board drawn inside a square image, with room for labels."""

    rows: int
    cols: int
    size: int
    margin: int

    @functools.cached_property
    def cell(self) -> float:
        return (self.size - 2 * self.margin) / max(self.rows, self.cols)

    def box(self, row: int, col: int) -> tuple[float, float, float, float]:
        """Pixel box (x0, y0, x1, y1) of a cell."""
        x0 = self.margin + col * self.cell
        y0 = self.margin + row * self.cell
        return (x0, y0, x0 + self.cell, y0 + self.cell)

    def inset(self, row: int, col: int, fraction: float) -> tuple[float, float, float, float]:
        """A cell's box shrunk by `fraction` of the cell on each side."""
        x0, y0, x1, y1 = self.box(row, col)
        pad = self.cell * fraction
        return (x0 + pad, y0 + pad, x1 - pad, y1 - pad)


def new_canvas(size: int) -> tuple[Image.Image, ImageDraw.ImageDraw]:
    image = Image.new("RGB", (size, size), BACKGROUND)
    return image, ImageDraw.Draw(image)


def draw_grid_lines(draw: ImageDraw.ImageDraw, grid: Grid, width: int = 1, every: int = 0) -> None:
    """Draw cell borders; every `every`-th line (if set) is drawn three times thicker."""
    for i in range(grid.rows + 1):
        y = grid.margin + i * grid.cell
        w = width * 3 if every and i % every == 0 else width
        draw.line([(grid.margin, y), (grid.margin + grid.cols * grid.cell, y)], GRID_LINE, w)
    for j in range(grid.cols + 1):
        x = grid.margin + j * grid.cell
        w = width * 3 if every and j % every == 0 else width
        draw.line([(x, grid.margin), (x, grid.margin + grid.rows * grid.cell)], GRID_LINE, w)


def draw_centered(
    draw: ImageDraw.ImageDraw,
    box: tuple[float, float, float, float],
    text: str,
    fill: tuple[int, int, int] | int = TEXT,
    scale: float = 0.6,
) -> None:
    """Write `text` centred in a box, sized to a fraction of the box height."""
    x0, y0, x1, y1 = box
    mask, (dx, dy) = _text_mask(text, max(6, int((y1 - y0) * scale)))
    draw.bitmap((round((x0 + x1) / 2 + dx), round((y0 + y1) / 2 + dy)), mask, fill=fill)


@functools.lru_cache(maxsize=4096)
def _text_mask(text: str, size: int) -> tuple[Image.Image, tuple[int, int]]:
    """A text's anti-aliased glyph mask and its offset from the centre, rendered once per size:
    text rendering would otherwise dominate every frame (digits and labels repeat)."""
    face = font(size)
    left, top, right, bottom = face.getbbox(text, anchor="mm")
    mask = Image.new("L", (max(1, right - left), max(1, bottom - top)), 0)
    ImageDraw.Draw(mask).text((-left, -top), text, fill=255, font=face, anchor="mm")
    return mask, (left, top)


def draw_axis_labels(draw: ImageDraw.ImageDraw, grid: Grid, first: int = 1) -> None:
    """Number rows down the left side and columns along the top, starting at `first`."""
    for r in range(grid.rows):
        x0, y0, _, y1 = grid.box(r, 0)
        draw_centered(draw, (x0 - grid.margin, y0, x0, y1), str(r + first), MUTED, 0.45)
    for c in range(grid.cols):
        x0, y0, x1, _ = grid.box(0, c)
        draw_centered(draw, (x0, y0 - grid.margin, x1, y0), str(c + first), MUTED, 0.45)


# ---- layered frames -----------------------------------------------------------------------
Draw = Callable[[ImageDraw.ImageDraw], None]


class Piece(NamedTuple):
    """A part of the frame that moves: `key` names what `draw` draws and where (equal keys, equal drawings)."""

    key: Hashable
    draw: Draw


class Sprite(NamedTuple):
    """A drawn piece cut to its bounding box, and where it goes: its opaque pixels are copied, and only
    its few partly transparent ones (anti-aliased text edges) are blended."""

    top: int
    left: int
    rgb: np.ndarray  # h x w x 3 uint8
    opaque: np.ndarray  # h x w x 3 bool (a mask broadcast from h x w x 1 is 10x slower to copy through)
    partial: tuple[np.ndarray, np.ndarray]  # rows and columns of the partly transparent pixels
    partial_rgb: np.ndarray  # k x 3 uint16: RGB x alpha
    partial_transparency: np.ndarray  # k x 1 uint16: 255 - alpha


class Backgrounds:
    """One env's latest background: a level's is drawn once and reused by every step until the level changes."""

    def __init__(self) -> None:
        self.key: Hashable = None
        self.image: np.ndarray | None = None

    def get(self, key: Hashable, draw: Callable[[], Image.Image]) -> np.ndarray:
        if self.image is None or self.key != key:
            image = draw()
            self.key, self.image = key, np.asarray(image if image.mode == "RGB" else image.convert("RGB"))
        return self.image


SPRITE_CACHE_SIZE = 8192  # a 384 px sprite is a few KB: at most some tens of MB, in practice far less
_sprites: OrderedDict[Hashable, Sprite | None] = OrderedDict()


def compose(background: np.ndarray, size: int, pieces: Iterable[Piece], owner: Hashable) -> np.ndarray:
    """A copy of `background` with every piece pasted on it, in order; `owner` (the game) scopes the sprite cache."""
    frame = background.copy()
    for piece in pieces:
        sprite = _sprite((owner, size, piece.key), size, piece.draw)
        if sprite is not None:
            _paste(frame, sprite)
    return frame


def _sprite(key: Hashable, size: int, draw: Draw) -> Sprite | None:
    """The piece's sprite, drawn on first use on a transparent canvas and cut to what it covers."""
    if key in _sprites:
        _sprites.move_to_end(key)
        return _sprites[key]
    layer = Image.new("RGBA", (size, size), (0, 0, 0, 0))
    draw(ImageDraw.Draw(layer))
    box = layer.getbbox()
    sprite = None
    if box is not None:
        pixels = np.asarray(layer.crop(box), dtype=np.uint8)
        alpha = pixels[:, :, 3]
        partial = np.nonzero((alpha > 0) & (alpha < 255))
        sprite = Sprite(
            top=box[1],
            left=box[0],
            rgb=pixels[:, :, :3].copy(),
            opaque=np.repeat((alpha == 255)[:, :, None], 3, axis=2),
            partial=partial,
            partial_rgb=pixels[partial][:, :3].astype(np.uint16) * alpha[partial][:, None],
            partial_transparency=255 - alpha[partial][:, None].astype(np.uint16),
        )
    _sprites[key] = sprite
    if len(_sprites) > SPRITE_CACHE_SIZE:
        _sprites.popitem(last=False)
    return sprite


def _paste(frame: np.ndarray, sprite: Sprite) -> None:
    """Alpha-composite the sprite over the frame in place (what drawing it there would give)."""
    height, width = sprite.rgb.shape[:2]
    region = frame[sprite.top : sprite.top + height, sprite.left : sprite.left + width]
    np.copyto(region, sprite.rgb, where=sprite.opaque)
    if sprite.partial_rgb.size:
        below = region[sprite.partial]
        region[sprite.partial] = (sprite.partial_rgb + below * sprite.partial_transparency + 127) // 255
