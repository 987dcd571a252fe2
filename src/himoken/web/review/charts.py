"""Small inline SVG charts of the review site (no script, no library: they print and they work
offline on the isolated network), drawn the way the progress site draws its own. Their words
are translated when a chart is drawn, in the reader's language, and escaped like labels."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass
from html import escape

from django.utils.translation import gettext

WIDTH, HEIGHT, MARGIN = 640, 260, 48
LEGEND_ITEM = 150  # width of one legend entry (a line and its label) above the plot


@dataclass(frozen=True)
class Series:
    """One line: `key` names it for styles and tests, `label` is already translated."""

    key: str
    label: str
    colour: str
    points: Sequence[tuple[dt.datetime, int]]
    dashed: bool = False


def lines(series: Sequence[Series], title: str) -> str:
    """Counts over time, one line per series, a dot with its figure at every point (so a single
    run still shows), the date range below and a legend above."""
    points = [point for line in series for point in line.points]
    if not points:
        return '<p class="empty">' + escape(gettext("まだ再照合の記録がない")) + "</p>"
    first = min(moment for moment, _ in points)
    last = max(moment for moment, _ in points)
    top = max(value for _, value in points) or 1
    span = (last - first).total_seconds()
    plot_top = MARGIN + 8  # below the legend and the scale

    def x(moment: dt.datetime) -> float:
        if not span:
            return WIDTH / 2
        return MARGIN + (WIDTH - 2 * MARGIN) * (moment - first).total_seconds() / span

    def y(value: int) -> float:
        return HEIGHT - MARGIN - (HEIGHT - MARGIN - plot_top) * value / top

    label = escape(title)
    scale = escape(gettext("%(count)s件") % {"count": f"{top:,}"})
    parts = [
        f'<svg class="chart" viewBox="0 0 {WIDTH} {HEIGHT}" width="{WIDTH}" height="{HEIGHT}" '
        'style="max-width: 100%; height: auto" role="img" '
        f'aria-label="{label}" xmlns="http://www.w3.org/2000/svg">',
        f'<line x1="{MARGIN}" y1="{HEIGHT - MARGIN}" x2="{WIDTH - MARGIN}" '
        f'y2="{HEIGHT - MARGIN}" stroke="#888"/>',
        f'<line x1="{MARGIN}" y1="{plot_top}" x2="{MARGIN}" y2="{HEIGHT - MARGIN}" stroke="#888"/>',
        f'<text x="{MARGIN + 4}" y="{plot_top - 6}" font-size="12">{scale}</text>',
        f'<text x="{MARGIN}" y="{HEIGHT - MARGIN + 16}" font-size="12">{first:%Y-%m-%d}</text>',
        f'<text x="{WIDTH - MARGIN}" y="{HEIGHT - MARGIN + 16}" font-size="12" '
        f'text-anchor="end">{last:%Y-%m-%d}</text>',
    ]
    for column, line in enumerate(series):
        dash = ' stroke-dasharray="6 4"' if line.dashed else ""
        key, name = escape(line.key), escape(line.label)
        left = MARGIN + LEGEND_ITEM * column
        parts.append(
            f'<line x1="{left}" y1="16" x2="{left + 24}" y2="16" '
            f'stroke="{line.colour}" stroke-width="2.5"{dash}/>'
            f'<text x="{left + 30}" y="20" font-size="12">{name}</text>'
        )
        drawn = " ".join(f"{x(moment):.1f},{y(value):.1f}" for moment, value in line.points)
        if len(line.points) > 1:
            parts.append(
                f'<polyline class="series {key}" points="{drawn}" fill="none" '
                f'stroke="{line.colour}" stroke-width="2.5"{dash}><title>{name}</title></polyline>'
            )
        for moment, value in line.points:
            parts.append(
                f'<circle class="point {key}" cx="{x(moment):.1f}" cy="{y(value):.1f}" r="3.5" '
                f'fill="{line.colour}"><title>{name} {moment:%Y-%m-%d}: {value:,}</title></circle>'
            )
    parts.append("</svg>")
    return "".join(parts)
