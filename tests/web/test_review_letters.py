"""The identity-confirmation and apology letters as PDF (no Django needed to render them)."""

from __future__ import annotations

import datetime as dt
import re

import pytest
from django.template import Context, Engine

from himoken.web.review.letters import (
    BODY_SIZE,
    DEFAULT_TEMPLATES,
    NO_LINE_END,
    NO_LINE_START,
    TEXT_WIDTH,
    Align,
    japanese_date,
    lay_out,
    render_pdf,
    text_width,
    wrap,
)

LETTER = {
    "title": "児童手当における個人番号の誤った紐付けについて（お詫び）",
    "body": "　平素より○○市の行政にご理解とご協力を賜り、厚くお礼申し上げます。\n\n"
    "　このたび、児童手当において、誤った紐付けが判明いたしました。",
    "sender": "○○市長　鈴木 一郎",
    "recipient": "○○県○○市本町1-2-3\n山田 花子",
    "date": dt.date(2025, 4, 1),
}
PARAGRAPH = (
    "　このたび、○○市が行った点検により、児童手当において、山田 花子様の情報が、誤って別の方の"
    "個人番号（マイナンバー）と紐付けられていたことが判明いたしました。「確認書」（同封）に"
    "ご記入のうえ、ご返送ください。。。、、、Contact: tetsuzuki@city.example.jp (平日のみ)。"
)
LONG_BODY = "\n\n".join([PARAGRAPH] * 30)
CONTEXT = {
    "recipient": "山田 花子",
    "business": "児童手当",
    "organisation": "○○市",
    "contact": "○○市 こども家庭課　電話 000-000-0000",
}


def _info(pdf: bytes, key: bytes) -> str:
    """A text entry of the document information dictionary (a PDF literal string)."""
    match = re.search(rb"/" + key + rb" \(((?:\\.|[^\\)])*)\)", pdf, re.DOTALL)
    assert match is not None
    escapes = {b"n": b"\n", b"r": b"\r", b"t": b"\t", b"b": b"\b", b"f": b"\f"}

    def unescape(m: re.Match[bytes]) -> bytes:
        code = m.group(1)
        octal = re.fullmatch(rb"[0-7]+", code)
        return bytes([int(code, 8)]) if octal else escapes.get(code, code)

    raw = re.sub(rb"\\([0-7]{1,3}|.)", unescape, match.group(1), flags=re.DOTALL)
    return raw.decode("utf-16") if raw.startswith(b"\xfe\xff") else raw.decode("latin-1")


def _pages(pdf: bytes) -> int:
    return len(re.findall(rb"/Type /Page\b(?!s)", pdf))


def test_the_letter_is_a_pdf_with_the_japanese_cid_font_and_its_title() -> None:
    pdf = render_pdf(**LETTER)
    assert pdf.startswith(b"%PDF")
    assert b"/BaseFont /HeiseiMin-W3" in pdf
    assert b"/Encoding /UniJIS-UCS2-H" in pdf
    assert b"/FontFile" not in pdf  # nothing embedded: readers carry the font
    assert _info(pdf, b"Title") == LETTER["title"]
    assert _info(pdf, b"Author") == LETTER["sender"]
    assert _pages(pdf) == 1


def test_the_same_inputs_give_the_same_bytes() -> None:
    assert render_pdf(**LETTER) == render_pdf(**LETTER)
    assert render_pdf(**LETTER) != render_pdf(**{**LETTER, "date": dt.date(2025, 4, 2)})


def test_a_long_body_flows_to_further_pages_with_page_numbers() -> None:
    pdf = render_pdf(**{**LETTER, "body": LONG_BODY})
    pages = lay_out(**{**LETTER, "body": LONG_BODY})
    assert _pages(pdf) == len(pages) > 1
    assert re.search(rb"/Count %d\b" % len(pages), pdf)
    for number, page in enumerate(pages, start=1):
        assert page[-1].text == f"- {number} -"
        assert page[-1].align is Align.CENTRE
        assert all(item.y > 0 for item in page)
    assert all(not item.text.startswith("- ") for item in lay_out(**LETTER)[0])  # one page


def test_the_layout_of_an_official_letter() -> None:
    date, address, recipient, sender, title, first = lay_out(**{**LETTER, "body": "本文"})[0]
    assert date.text == "令和7年4月1日" and date.align is Align.RIGHT
    assert address.text == "○○県○○市本町1-2-3" and address.align is Align.LEFT
    assert recipient.text == "山田 花子　様" and recipient.align is Align.LEFT
    assert sender.text == "○○市長　鈴木 一郎" and sender.align is Align.RIGHT
    assert title.bold and title.align is Align.CENTRE and title.size > BODY_SIZE
    assert first.text == "本文" and first.align is Align.LEFT and first.size == BODY_SIZE
    assert date.y > address.y > recipient.y > sender.y > title.y > first.y


def test_body_lines_are_kept_and_blank_lines_separate_paragraphs() -> None:
    page = lay_out(**{**LETTER, "body": "一行目\n二行目\n\n\n\n三行目"})[0]
    first, second, third = page[-3:]
    assert [first.text, second.text, third.text] == ["一行目", "二行目", "三行目"]
    assert second.y - third.y > first.y - second.y  # a paragraph gap, only one for the run


def test_a_recipient_already_addressed_with_sama_is_not_given_a_second() -> None:
    page = lay_out(**{**LETTER, "recipient": "山田 花子 様"})[0]
    assert [item.text for item in page].count("山田 花子 様") == 1


@pytest.mark.parametrize(
    ("date", "expected"),
    [
        (dt.date(2025, 4, 1), "令和7年4月1日"),
        (dt.date(2019, 5, 1), "令和元年5月1日"),
        (dt.date(2020, 12, 31), "令和2年12月31日"),
        (dt.date(2019, 4, 30), "平成31年4月30日"),
    ],
)
def test_the_date_is_written_in_the_japanese_era(date: dt.date, expected: str) -> None:
    assert japanese_date(date) == expected


@pytest.mark.parametrize("width", [TEXT_WIDTH, 100.0, 37.0])
@pytest.mark.parametrize("text", [PARAGRAPH, "あ" * 200, "、。）" * 20, "「（" * 20, "x"])
def test_wrapping_loses_no_character_and_keeps_within_the_width(text: str, width: float) -> None:
    lines = wrap(text, width)
    assert "".join(lines) == text
    assert all(lines)
    assert all(text_width(line, BODY_SIZE) <= width + 1e-9 for line in lines)


def test_wrapping_avoids_closing_punctuation_at_a_line_start() -> None:
    lines = wrap(PARAGRAPH, TEXT_WIDTH)
    assert len(lines) > 2
    assert not any(line[0] in NO_LINE_START for line in lines[1:])
    assert not any(line[-1] in NO_LINE_END for line in lines[:-1])
    # the break moves back rather than letting 。 start a line
    exact = "あ" * int(TEXT_WIDTH // text_width("あ", BODY_SIZE))
    assert wrap(exact + "。", TEXT_WIDTH) == [exact[:-1], "あ。"]


def test_a_short_paragraph_is_one_line_and_an_empty_one_none() -> None:
    assert wrap("本文", TEXT_WIDTH) == ["本文"]
    assert wrap("", TEXT_WIDTH) == []


@pytest.mark.parametrize("kind", ["confirmation", "apology"])
def test_the_default_templates_render_with_the_letter_variables(kind: str) -> None:
    title, body = DEFAULT_TEMPLATES[kind]
    engine = Engine(autoescape=False)
    for viewed in (True, False):
        context = Context({**CONTEXT, "viewed": viewed})
        rendered_title = engine.from_string(title).render(context)
        rendered_body = engine.from_string(body).render(context)
        assert "{" not in rendered_title + rendered_body
        assert "児童手当" in rendered_title and "山田 花子様" in rendered_body
        assert rendered_body.rstrip().endswith(CONTEXT["contact"])
        pdf = render_pdf(
            title=rendered_title,
            body=rendered_body,
            sender="○○市長",
            recipient="山田 花子",
            date=dt.date(2025, 4, 1),
        )
        assert _pages(pdf) == 1


def test_the_apology_says_whether_the_information_was_viewed() -> None:
    body = Engine(autoescape=False).from_string(DEFAULT_TEMPLATES["apology"][1])
    viewed = body.render(Context({**CONTEXT, "viewed": True}))
    not_viewed = body.render(Context({**CONTEXT, "viewed": False}))
    assert "閲覧されていたことが確認されました" in viewed
    assert "閲覧された事実は確認されておりません" in not_viewed
    assert "お詫び" in viewed and "訂正" in viewed


def test_the_templates_use_only_the_known_variables_and_hold_no_my_number() -> None:
    known = {"recipient", "business", "organisation", "contact", "viewed"}
    for title, body in DEFAULT_TEMPLATES.values():
        text = title + body
        used = set(re.findall(r"{{\s*(\w+)\s*}}", text)) | set(
            re.findall(r"{%\s*if\s+(\w+)\s*%}", text)
        )
        assert used <= known
        assert not re.search(r"[0-9０-９]{4}", text)
