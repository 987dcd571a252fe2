"""The estimate page's chart, inline SVG in the style of the progress site's (no script, no
library: it prints and works offline): two bars a member of the public can read side by side,
the wrong linkages that may still hide among the auto-cleared records (at most, at the chosen
confidence) and the flagged records whose check has not finished."""

from __future__ import annotations

from html import escape

from django.utils.translation import gettext

WIDTH, ROW, LABEL, BAR = 640, 56, 18, 22
RIGHT = 110  # room for the figure after the longest bar


def residue_bars(at_most: int, open_flagged: int, population: int, confidence: str) -> str:
    """'At most N wrong among the auto-cleared' beside 'still open among the flagged'."""
    bars = [
        (
            gettext("自動で照合済みとした記録%(population)s件に残るかもしれない誤り"
                    "(多くとも、信頼度%(confidence)s)")
            % {"population": f"{population:,}", "confidence": confidence},
            at_most,
            "#1f3a5f",
        ),
        (gettext("要確認のうち確認が終わっていない記録"), open_flagged, "#b36b00"),
    ]  # fmt: skip
    top = max(value for _, value, _ in bars) or 1
    height = ROW * len(bars) + 8
    title = escape(gettext("残っているかもしれない誤りと、確認中の要確認"))
    parts = [
        f'<svg class="chart" viewBox="0 0 {WIDTH} {height}" role="img" aria-label="{title}" '
        f'xmlns="http://www.w3.org/2000/svg"><title>{title}</title>'
    ]
    for row, (label, value, colour) in enumerate(bars):
        y = 4 + ROW * row
        length = max((WIDTH - RIGHT) * value / top, 1.0 if value else 0.0)
        figure = escape(gettext("%(count)s件") % {"count": f"{value:,}"})
        parts.append(
            f'<text x="0" y="{y + 14}" font-size="13">{escape(label)}</text>'
            f'<rect x="0" y="{y + LABEL}" width="{length:.1f}" height="{BAR}" fill="{colour}"/>'
            f'<text x="{length + 6:.1f}" y="{y + LABEL + 16}" font-size="14" '
            f'font-weight="bold">{figure}</text>'
        )
    parts.append("</svg>")
    return "".join(parts)
