"""Pillow drawing helpers shared by the game renderers: grids, centred labels, one palette."""

from __future__ import annotations

import functools
from dataclasses import dataclass

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
