"""Small inline SVG charts (no script, no library: they print and they work offline). Their
words are translated when a chart is drawn, in the reader's language, and escaped like labels."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from html import escape

from django.utils.translation import gettext

WIDTH, HEIGHT, MARGIN = 640, 240, 48


def burn_down(
    actual: Sequence[tuple[dt.date, int]],
    ideal: Sequence[tuple[dt.date, int]],
    deadline: dt.date | None,
) -> str:
    """Remaining records by week (solid) against the ideal line to the deadline (dashed)."""
    points = [*actual, *ideal]
    if not points:
        return '<p class="empty">' + escape(gettext("まだ件数の報告がない")) + "</p>"
    first = min(day for day, _ in points)
    last = max([day for day, _ in points] + ([deadline] if deadline else []))
    top = max(value for _, value in points) or 1
    span = max((last - first).days, 1)

    def x(day: dt.date) -> float:
        return MARGIN + (WIDTH - 2 * MARGIN) * (day - first).days / span

    def y(value: int) -> float:
        return HEIGHT - MARGIN + (2 * MARGIN - HEIGHT) * value / top

    def line(series: Sequence[tuple[dt.date, int]]) -> str:
        return " ".join(f"{x(day):.1f},{y(value):.1f}" for day, value in series)

    title = escape(gettext("残件数の推移"))
    scale = escape(gettext("%(count)s件") % {"count": f"{top:,}"})
    parts = [
        f'<svg class="chart" viewBox="0 0 {WIDTH} {HEIGHT}" role="img" '
        f'aria-label="{title}" xmlns="http://www.w3.org/2000/svg">',
        f'<line x1="{MARGIN}" y1="{HEIGHT - MARGIN}" x2="{WIDTH - MARGIN}" '
        f'y2="{HEIGHT - MARGIN}" stroke="#888"/>',
        f'<text x="{MARGIN}" y="{MARGIN - 12}" font-size="12">{scale}</text>',
        f'<text x="{MARGIN}" y="{HEIGHT - MARGIN + 16}" font-size="12">{first:%Y-%m-%d}</text>',
        f'<text x="{WIDTH - MARGIN}" y="{HEIGHT - MARGIN + 16}" font-size="12" '
        f'text-anchor="end">{last:%Y-%m-%d}</text>',
    ]
    if ideal:
        ideal_line = escape(gettext("理想線"))
        parts.append(f'<polyline points="{line(ideal)}" fill="none" stroke="#999" '
                     f'stroke-dasharray="6 4"><title>{ideal_line}</title></polyline>')  # fmt: skip
    if actual:
        remaining = escape(gettext("残件数"))
        parts.append(f'<polyline points="{line(actual)}" fill="none" stroke="#1f3a5f" '
                     f'stroke-width="2.5"><title>{remaining}</title></polyline>')  # fmt: skip
    if deadline:
        at = f"{x(deadline):.1f}"
        due = escape(gettext("期限"))
        parts.append(f'<line x1="{at}" y1="{MARGIN}" x2="{at}" y2="{HEIGHT - MARGIN}" '
                     f'stroke="#c00"><title>{due} {deadline}</title></line>')  # fmt: skip
    parts.append("</svg>")
    return "".join(parts)


def bars(values: Sequence[tuple[str, int]]) -> str:
    """Horizontal bars with their labels and figures."""
    top = max((value for _, value in values), default=0) or 1
    rows = len(values)
    height = 22 * rows + 8
    parts = [f'<svg class="chart" viewBox="0 0 {WIDTH} {height}" role="img" '
             f'xmlns="http://www.w3.org/2000/svg">']  # fmt: skip
    for row, (label, value) in enumerate(values):
        top_y = 4 + 22 * row
        length = (WIDTH - 260) * value / top
        parts.append(
            f'<text x="0" y="{top_y + 15}" font-size="13">{escape(label)}</text>'
            f'<rect x="180" y="{top_y}" width="{length:.1f}" height="18" fill="#1f3a5f"/>'
            f'<text x="{186 + length:.1f}" y="{top_y + 15}" font-size="13">{value:,}</text>'
        )
    parts.append("</svg>")
    return "".join(parts)
