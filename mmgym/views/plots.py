"""Bar charts and line plots with confidence-interval error bars as inline SVG (no plotting library, no network).

Every label goes through `html.escape`, so names taken from runs cannot inject markup.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from html import escape

PALETTE = ("#3b6fb6", "#e08a2e", "#3a9a5b", "#c0504d", "#8064a2", "#4bacc6", "#9b7b4f", "#7f7f7f")


@dataclass(frozen=True)
class Bar:
    mean: float
    low: float
    high: float
    n: int


def grouped_bars(
    title: str, groups: list[str], series: dict[str, dict[str, Bar]], scale: tuple[float, float] = (0.0, 100.0)
) -> str:
    """One cluster of bars per group, one bar per series (a run), with its CI as an error bar.

    The axis spans the metric's declared scale, widened to any value outside it (a metric without
    a fixed top, such as steps, declares a scale that fits its usual values).
    """
    values = [v for bars in series.values() for bar in bars.values() for v in (bar.low, bar.high, bar.mean)]
    bottom_value = min([scale[0], *values])
    top = max([scale[1], *values])
    span = (top - bottom_value) or 1.0
    baseline = 0.0 if bottom_value <= 0.0 <= top else bottom_value
    names = list(series)
    longest_group = max((len(group) for group in groups), default=0)
    bar_width, gap, height = 14, 18, 180
    left, bottom = max(50, int(4.6 * longest_group)), 30 + int(4.2 * longest_group)  # room for slanted labels
    cluster = max(1, len(names)) * bar_width + gap
    longest = max((len(name) for name in names), default=0)
    width = max(left + cluster * max(1, len(groups)) + 10, 12 + 8 * len(title), left + 20 + 6 * min(longest, 40))
    legend_height = 16 * len(names)
    total_height = height + bottom + legend_height + 24
    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" class="plot" width="{width}" height="{total_height}" '
        f'role="img" aria-label="{escape(title)}">',
        f'<text x="4" y="14" class="plot-title">{escape(title)}</text>',
    ]
    y0 = 24

    def y(value: float) -> float:
        return y0 + height * (1 - (value - bottom_value) / span)

    for tick in (0, 25, 50, 75, 100):
        value = bottom_value + span * tick / 100
        parts.append(f'<line x1="{left}" x2="{width - 10}" y1="{y(value):.1f}" y2="{y(value):.1f}" class="grid"/>')
        parts.append(f'<text x="{left - 4}" y="{y(value) + 4:.1f}" class="tick" text-anchor="end">{value:g}</text>')
    for g, group in enumerate(groups):
        x_group = left + g * cluster + gap / 2
        for s, name in enumerate(names):
            bar = series[name].get(group)
            if bar is None:
                continue
            x = x_group + s * bar_width
            colour = PALETTE[s % len(PALETTE)]
            tip = f"{name} / {group}: {bar.mean:.1f} [{bar.low:.1f}, {bar.high:.1f}], n={bar.n}"
            top_y, base_y = sorted((y(bar.mean), y(baseline)))
            parts.append(
                f'<rect x="{x:.1f}" y="{top_y:.1f}" width="{bar_width - 2}" '
                f'height="{base_y - top_y:.1f}" fill="{colour}"><title>{escape(tip)}</title></rect>'
            )
            centre = x + (bar_width - 2) / 2
            parts.append(
                f'<path d="M{centre:.1f},{y(bar.low):.1f}V{y(bar.high):.1f}M{centre - 3:.1f},{y(bar.low):.1f}'
                f'h6M{centre - 3:.1f},{y(bar.high):.1f}h6" class="errorbar"/>'
            )
        label_x = x_group + len(names) * bar_width / 2
        parts.append(
            f'<text x="{label_x:.1f}" y="{y0 + height + 12}" class="tick" text-anchor="end" '
            f'transform="rotate(-35 {label_x:.1f} {y0 + height + 12})">{escape(group)}</text>'
        )
    for s, name in enumerate(names):
        legend_y = y0 + height + bottom + 16 * s
        parts.append(f'<rect x="{left}" y="{legend_y}" width="10" height="10" fill="{PALETTE[s % len(PALETTE)]}"/>')
        parts.append(f'<text x="{left + 16}" y="{legend_y + 9}" class="tick">{escape(name)}</text>')
    parts.append("</svg>")
    return "".join(parts)


def score_lines(
    title: str,
    series: dict[str, dict[float, Bar]],
    references: dict[str, float] | None = None,
    scale: tuple[float, float] = (0.0, 100.0),
) -> str:
    """One line per series (a group) of its score against p from 0 to 1, each point with its CI as an error
    bar, and reference values (a floor, a ceiling) as dashed horizontal lines labelled at their right end.

    A calibration's plot: how far the score falls as the expert's play worsens, against its floor and ceiling.
    The y axis spans the metric's scale, widened to any value outside it, as `grouped_bars` does.
    """
    references = references or {}
    values = [v for points in series.values() for bar in points.values() for v in (bar.low, bar.high, bar.mean)]
    bottom_value = min([scale[0], *values, *references.values()])
    top = max([scale[1], *values, *references.values()])
    span = (top - bottom_value) or 1.0
    names = list(series)
    plot_width, height, left, y0 = 320, 180, 50, 24
    right = 12 + 6 * max((len(label) for label in references), default=0)
    longest = max((len(name) for name in names), default=0)
    width = max(left + plot_width + right, 12 + 8 * len(title), left + 20 + 6 * min(longest, 40))
    legend_top = y0 + height + 40
    total_height = legend_top + 16 * len(names) + 8
    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" class="plot" width="{width}" height="{total_height}" '
        f'role="img" aria-label="{escape(title)}">',
        f'<text x="4" y="14" class="plot-title">{escape(title)}</text>',
    ]

    def x(p: float) -> float:
        return left + 8 + (plot_width - 16) * p  # inset, so that the end points stand clear of the axes

    def y(value: float) -> float:
        return y0 + height * (1 - (value - bottom_value) / span)

    for tick in (0, 25, 50, 75, 100):
        value = bottom_value + span * tick / 100
        parts.append(
            f'<line x1="{left}" x2="{left + plot_width}" y1="{y(value):.1f}" y2="{y(value):.1f}" class="grid"/>'
        )
        parts.append(f'<text x="{left - 4}" y="{y(value) + 4:.1f}" class="tick" text-anchor="end">{value:g}</text>')
    for p in (0, 0.25, 0.5, 0.75, 1):
        parts.append(f'<text x="{x(p):.1f}" y="{y0 + height + 14}" class="tick" text-anchor="middle">{p:g}</text>')
    parts.append(f'<text x="{x(0.5):.1f}" y="{y0 + height + 28}" class="tick" text-anchor="middle">p</text>')
    for label, value in references.items():
        parts.append(_reference_line(label, left, left + plot_width, y(value)))
    for s, name in enumerate(names):
        shift = (s - (len(names) - 1) / 2) * 3  # side by side, so that equal points' error bars stay apart
        parts.append(_series_line(name, series[name], PALETTE[s % len(PALETTE)], x, y, shift))
    for s, name in enumerate(names):
        legend_y = legend_top + 16 * s
        parts.append(f'<rect x="{left}" y="{legend_y}" width="10" height="10" fill="{PALETTE[s % len(PALETTE)]}"/>')
        parts.append(f'<text x="{left + 16}" y="{legend_y + 9}" class="tick">{escape(name)}</text>')
    parts.append("</svg>")
    return "".join(parts)


def _reference_line(label: str, x_start: float, x_end: float, y_value: float) -> str:
    return (
        f'<line x1="{x_start:.1f}" x2="{x_end:.1f}" y1="{y_value:.1f}" y2="{y_value:.1f}" class="reference"/>'
        f'<text x="{x_end + 4:.1f}" y="{y_value + 4:.1f}" class="tick reference-label">{escape(label)}</text>'
    )


def _series_line(
    name: str,
    points: dict[float, Bar],
    colour: str,
    x: Callable[[float], float],
    y: Callable[[float], float],
    shift: float,
) -> str:
    """A series' polyline through its points, each a dot with its tooltip and its CI as an error bar."""
    ordered = sorted(points.items())
    if not ordered:
        return ""
    path = "L".join(f"{x(p) + shift:.1f},{y(bar.mean):.1f}" for p, bar in ordered)
    parts = [f'<path d="M{path}" class="line" stroke="{colour}"/>']
    for p, bar in ordered:
        centre = x(p) + shift
        tip = f"{name} at p={p:g}: {bar.mean:.1f} [{bar.low:.1f}, {bar.high:.1f}], n={bar.n}"
        parts.append(
            f'<path d="M{centre:.1f},{y(bar.low):.1f}V{y(bar.high):.1f}M{centre - 3:.1f},{y(bar.low):.1f}'
            f'h6M{centre - 3:.1f},{y(bar.high):.1f}h6" class="ci-bar" stroke="{colour}"/>'
        )
        parts.append(
            f'<circle cx="{centre:.1f}" cy="{y(bar.mean):.1f}" r="3" fill="{colour}">'
            f"<title>{escape(tip)}</title></circle>"
        )
    return "".join(parts)
