"""Bar charts with confidence-interval error bars as inline SVG (no plotting library, no network).

Every label goes through `html.escape`, so names taken from runs cannot inject markup.
"""

from __future__ import annotations

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
