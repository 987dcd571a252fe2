"""Letters to residents after a wrong My Number linkage is found, rendered to PDF.

Two letters are sent: an identity-confirmation letter (本人確認のお願い) and an apology (お詫び).
Their default texts are Django template strings (`DEFAULT_TEMPLATES`) a clerk may edit; the
review app renders them (with autoescaping off: the result is plain text, not HTML) and hands
the plain text to `render_pdf`, which lays it out as a Japanese official letter on A4.

The Japanese font is reportlab's built-in CID font HeiseiMin-W3, which PDF readers carry, so
no font file is shipped or fetched. Output is deterministic: the same inputs give the same
bytes (fixed creation date and document ID). Nothing here needs Django.
"""

from __future__ import annotations

import datetime
import functools
import io
from collections.abc import Iterator
from enum import StrEnum
from typing import NamedTuple

from reportlab.lib.pagesizes import A4
from reportlab.lib.units import mm
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.cidfonts import UnicodeCIDFont
from reportlab.pdfgen import canvas

from himoken.normalize.dates import era_of

FONT = "HeiseiMin-W3"

PAGE_WIDTH, PAGE_HEIGHT = A4
MARGIN_LEFT = MARGIN_RIGHT = 25 * mm
MARGIN_TOP = 25 * mm
MARGIN_BOTTOM = 25 * mm
PAGE_NUMBER_Y = 12 * mm
TEXT_WIDTH = PAGE_WIDTH - MARGIN_LEFT - MARGIN_RIGHT

BODY_SIZE = 10.5  # the usual size of Japanese official documents
ADDRESS_SIZE = 12.0  # recipient and sender
TITLE_SIZE = 14.0
LEADING = 1.7  # line height as a multiple of the font size
PARAGRAPH_GAP = 0.5  # extra space for a blank line, in body lines
BOLD_STROKE = 0.03  # outline width, as a share of the size, that thickens the title

HONORIFIC = "様"

# 行頭禁則: characters a line should not start with; 行末禁則: ones it should not end with.
NO_LINE_START = frozenset(
    "、。，．,.・：；:;？！?!)）」』】〕〉》］｝]}’”ー々ゝゞぁぃぅぇぉっゃゅょゎァィゥェォッャュョヮ"
)
NO_LINE_END = frozenset("(（「『【〔〈《［｛[{‘“")

# (title, body) per letter kind, as Django template strings. Variables: recipient (the
# person's name, without 様), business (the 事務), organisation, contact (the office's contact
# line), viewed (apology only: whether the wrongly linked information was viewed). Lines are
# kept as written; a blank line separates paragraphs. They never hold a My Number.
DEFAULT_TEMPLATES: dict[str, tuple[str, str]] = {
    "confirmation": (
        "{{ business }}に関する本人確認のお願い",
        "　平素より{{ organisation }}の行政にご理解とご協力を賜り、厚くお礼申し上げます。\n"
        "\n"
        "　{{ organisation }}では、{{ business }}の記録に登録されている個人番号"
        "（マイナンバー）が正しくご本人のものであるかを確認する点検を行っております。"
        "この点検の結果、{{ recipient }}様の記録について、登録内容をご本人に確認させていただく"
        "必要があることが分かりました。\n"
        "\n"
        "　つきましては、お手数をおかけいたしますが、同封の確認書にご記入のうえ、同封の返信用封筒"
        "にてご返送いただくか、下記のお問い合わせ先までご連絡くださいますようお願い申し上げます。"
        "\n"
        "\n"
        "　なお、{{ organisation }}がこの件で暗証番号や口座番号をお尋ねしたり、手数料を"
        "求めたりすることはありません。不審な電話等にはご注意ください。\n"
        "\n"
        "【お問い合わせ先】\n"
        "{{ contact }}",
    ),
    "apology": (
        "{{ business }}における個人番号の誤った紐付けについて（お詫び）",
        "　平素より{{ organisation }}の行政にご理解とご協力を賜り、厚くお礼申し上げます。\n"
        "\n"
        "　このたび、{{ organisation }}が行った点検により、{{ business }}において、"
        "{{ recipient }}様の情報が、誤って別の方の個人番号（マイナンバー）と紐付けられていた"
        "ことが判明いたしました。\n"
        "　{{ recipient }}様には多大なご迷惑とご心配をおかけいたしましたことを、"
        "深くお詫び申し上げます。\n"
        "\n"
        "　誤った紐付けはすでに解消し、{{ recipient }}様の情報は正しい内容に訂正いたしました。\n"
        "{% if viewed %}"
        "　また、紐付けが誤っていた間に、{{ recipient }}様の情報がマイナポータル等を通じて"
        "別の方に閲覧されていたことが確認されました。重ねて深くお詫び申し上げます。"
        "閲覧された内容につきましては、下記のお問い合わせ先から改めてご説明いたします。"
        "{% else %}"
        "　なお、調査の結果、紐付けが誤っていた間に、{{ recipient }}様の情報が別の方に"
        "閲覧された事実は確認されておりません。"
        "{% endif %}\n"
        "\n"
        "　今後は、このようなことが起こらないよう、登録時の確認を徹底し、再発防止に努めて"
        "まいります。ご不明な点やご心配な点がございましたら、下記までお問い合わせください。\n"
        "\n"
        "【お問い合わせ先】\n"
        "{{ contact }}",
    ),
}


# ---------------------------------------------------------------- text


@functools.cache
def register_font() -> str:
    """Register the CID font once; its name."""
    pdfmetrics.registerFont(UnicodeCIDFont(FONT))
    return FONT


def japanese_date(date: datetime.date) -> str:
    """令和7年4月1日; 元年 for an era's first year (令和元年5月1日)."""
    era = era_of(date.year, date.month, date.day)
    if era is None:
        return f"{date.year}年{date.month}月{date.day}日"
    year = era.era_year(date.year)
    return f"{era.name}{'元' if year == 1 else year}年{date.month}月{date.day}日"


def text_width(text: str, size: float) -> float:
    return pdfmetrics.stringWidth(text, register_font(), size)


def _fit(text: str, start: int, width: float, size: float) -> int:
    """The end of the longest run from `start` that fits `width` (at least one character)."""
    used = 0.0
    for end in range(start, len(text)):
        used += text_width(text[end], size)
        if used > width:
            return max(end, start + 1)
    return len(text)


def _break_at(text: str, start: int, end: int) -> int:
    """Move a break back so the next line does not start with 、。） nor this one end with （.

    A line keeps at least two characters: if no earlier break is allowed, it stays at `end`.
    """
    for candidate in range(end, start + 1, -1):
        if text[candidate] not in NO_LINE_START and text[candidate - 1] not in NO_LINE_END:
            return candidate
    return end


def wrap(text: str, width: float, size: float = BODY_SIZE) -> list[str]:
    """Break one paragraph into lines no wider than `width` points, between any characters.

    Japanese has no spaces, so any character boundary is a break opportunity; only the 禁則
    characters above move a break. The lines joined give back `text` exactly.
    """
    lines: list[str] = []
    start = 0
    while start < len(text):
        end = _fit(text, start, width, size)
        if end < len(text):
            end = _break_at(text, start, end)
        lines.append(text[start:end])
        start = end
    return lines


def _body_lines(body: str) -> Iterator[str | None]:
    """Each line of the body as written; None for a paragraph break (runs of blank lines)."""
    gap = False
    for line in body.replace("\r\n", "\n").replace("\r", "\n").split("\n"):
        if not line.strip():
            gap = True
            continue
        if gap:
            yield None
            gap = False
        yield line.rstrip()


# ---------------------------------------------------------------- layout


class Align(StrEnum):
    LEFT = "left"
    RIGHT = "right"
    CENTRE = "centre"


class Placed(NamedTuple):
    """One line of text on a page: its baseline y, and x at its left/right end or centre."""

    text: str
    x: float
    y: float
    size: float
    align: Align = Align.LEFT
    bold: bool = False


_X = {
    Align.LEFT: MARGIN_LEFT,
    Align.RIGHT: PAGE_WIDTH - MARGIN_RIGHT,
    Align.CENTRE: PAGE_WIDTH / 2,
}


class _Flow:
    """Places lines top to bottom, starting a new page when one is full."""

    def __init__(self) -> None:
        self.pages: list[list[Placed]] = [[]]
        self.y = PAGE_HEIGHT - MARGIN_TOP

    def line(self, text: str, size: float, align: Align = Align.LEFT, bold: bool = False) -> None:
        height = size * LEADING
        if self.y - height < MARGIN_BOTTOM and self.pages[-1]:
            self.pages.append([])
            self.y = PAGE_HEIGHT - MARGIN_TOP
        self.y -= height
        self.pages[-1].append(Placed(text, _X[align], self.y, size, align, bold))

    def paragraph(
        self, text: str, size: float, align: Align = Align.LEFT, bold: bool = False
    ) -> None:
        for line in wrap(text, TEXT_WIDTH, size):
            self.line(line, size, align, bold)

    def gap(self, height: float) -> None:
        """Vertical space, dropped at the top of a page."""
        if self.pages[-1]:
            self.y -= height


def _recipient_lines(recipient: str) -> list[str]:
    """The recipient as written (address lines first), 様 after the name on the last line."""
    lines = [line.strip() for line in recipient.splitlines() if line.strip()] or [""]
    if not lines[-1].endswith(HONORIFIC):
        lines[-1] = f"{lines[-1]}　{HONORIFIC}" if lines[-1] else HONORIFIC
    return lines


def _header(flow: _Flow, title: str, sender: str, recipient: str, date: datetime.date) -> None:
    flow.line(japanese_date(date), BODY_SIZE, Align.RIGHT)
    flow.gap(BODY_SIZE)
    for line in _recipient_lines(recipient):
        flow.paragraph(line, ADDRESS_SIZE)
    flow.gap(BODY_SIZE)
    for line in sender.splitlines():
        if line.strip():
            flow.paragraph(line.strip(), ADDRESS_SIZE, Align.RIGHT)
    flow.gap(2 * BODY_SIZE)
    for line in title.splitlines():
        if line.strip():
            flow.paragraph(line.strip(), TITLE_SIZE, Align.CENTRE, bold=True)
    flow.gap(BODY_SIZE)


def _page_numbers(pages: list[list[Placed]]) -> None:
    """「- n -」 at the bottom of every page of a letter longer than one page."""
    if len(pages) < 2:
        return
    for number, page in enumerate(pages, start=1):
        page.append(Placed(f"- {number} -", PAGE_WIDTH / 2, PAGE_NUMBER_Y, BODY_SIZE, Align.CENTRE))


def lay_out(
    *, title: str, body: str, sender: str, recipient: str, date: datetime.date
) -> list[list[Placed]]:
    """The letter's lines, page by page, as `render_pdf` draws them."""
    flow = _Flow()
    _header(flow, title, sender, recipient, date)
    for line in _body_lines(body):
        if line is None:
            flow.gap(BODY_SIZE * LEADING * PARAGRAPH_GAP)
        else:
            flow.paragraph(line, BODY_SIZE)
    _page_numbers(flow.pages)
    return flow.pages


# ---------------------------------------------------------------- PDF


def _draw(pdf: canvas.Canvas, item: Placed) -> None:
    pdf.setFont(register_font(), item.size)
    mode = 2 if item.bold else 0  # 2: fill and stroke, a bolder look for a font without bold
    pdf.setLineWidth(item.size * BOLD_STROKE)
    if item.align is Align.RIGHT:
        pdf.drawRightString(item.x, item.y, item.text, mode=mode)
    elif item.align is Align.CENTRE:
        pdf.drawCentredString(item.x, item.y, item.text, mode=mode)
    else:
        pdf.drawString(item.x, item.y, item.text, mode=mode)


def _one_line(text: str) -> str:
    return " ".join(line.strip() for line in text.splitlines() if line.strip())


def render_pdf(*, title: str, body: str, sender: str, recipient: str, date: datetime.date) -> bytes:
    """The letter as an A4 PDF; the same inputs give the same bytes.

    `body` is plain text: its lines are kept, a blank line separates paragraphs, and long
    lines wrap at the text width. `recipient` gets 様 after the name; `sender` and
    `recipient` may span several lines (an address above a name).
    """
    register_font()
    buffer = io.BytesIO()
    pdf = canvas.Canvas(buffer, pagesize=A4, invariant=True, lang="ja")
    pdf.setTitle(_one_line(title))
    pdf.setAuthor(_one_line(sender))
    pdf.setSubject(_one_line(title))
    pdf.setCreator("himoken")
    pages = lay_out(title=title, body=body, sender=sender, recipient=recipient, date=date)
    for page in pages:
        for item in page:
            _draw(pdf, item)
        pdf.showPage()
    pdf.save()
    return buffer.getvalue()
