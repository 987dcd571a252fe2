"""Individual numbers (個人番号, "My Number"): check digit, parsing with reasons, masking.

The check digit is defined by 総務省令第85号 第5条: read the 11 leading digits left to right with
weights 6,5,4,3,2,7,6,5,4,3,2; r = sum mod 11; the check digit is 0 when r <= 1, else 11 - r.

Parsing never repairs a number. It folds only what the collation contract allows (full-width
digits, 4-4-4 grouping by spaces or hyphens) and says so; anything else is a named problem.
"""

from __future__ import annotations

import operator
import random
import re
import unicodedata
from collections.abc import Sequence
from dataclasses import dataclass
from enum import StrEnum

import numpy as np

LENGTH = 12
WEIGHTS = (6, 5, 4, 3, 2, 7, 6, 5, 4, 3, 2)

_FULL_WIDTH_DIGITS = str.maketrans("０１２３４５６７８９", "0123456789")
# Separators a person or a form may put between the 4-4-4 groups (ASCII and full-width).
# parse() and looks_like_number() must agree on them, or the screen misses what parse accepts.
_SEPARATOR = r"[ \-\u3000\uff0d\u2010\u2011\u2012\u2013\u2212]"
_GROUPED = re.compile(rf"(\d{{4}}){_SEPARATOR}(\d{{4}}){_SEPARATOR}(\d{{4}})")
# What Excel makes of a 12-digit number: 1.23457E+11, 1.23456789018e+11, 123456789018.0
_EXCEL_EXPONENT = re.compile(r"[+-]?\d(\.\d+)?[eE]\+?\d+")
_EXCEL_DECIMAL = re.compile(r"\d{11,12}\.0+")


class Problem(StrEnum):
    """Why a value is not a usable individual number."""

    EMPTY = "EMPTY"
    WRONG_LENGTH = "WRONG_LENGTH"
    NON_DIGIT = "NON_DIGIT"
    EXCEL_EXPONENT = "EXCEL_EXPONENT"
    LOST_LEADING_ZERO = "LOST_LEADING_ZERO"
    CHECK_DIGIT = "CHECK_DIGIT"


class Note(StrEnum):
    """Foldings applied to an otherwise well-formed value (noted, not a problem)."""

    FULL_WIDTH = "FULL_WIDTH"
    GROUPED = "GROUPED"


_PROBLEM_TEXT = {
    Problem.EMPTY: "個人番号が空欄",
    Problem.WRONG_LENGTH: "個人番号の桁数が{length}桁(12桁でない)",
    Problem.NON_DIGIT: "個人番号に数字以外の文字「{chars}」",
    Problem.EXCEL_EXPONENT: "個人番号が指数表記「{raw}」(Excelで数値化され桁が失われた)",
    Problem.LOST_LEADING_ZERO: "個人番号が11桁(Excelで先頭の0が落ちた可能性)",
    Problem.CHECK_DIGIT: "個人番号のチェックデジットが不一致(総務省令第85号第5条)",
}
_NOTE_TEXT = {
    Note.FULL_WIDTH: "個人番号の全角数字を半角に変換",
    Note.GROUPED: "個人番号の区切り(4-4-4)を除去",
}


_CODE_OFFSET = 48 * sum(WEIGHTS)


def check_digit(body: str) -> int:
    """Check digit for the 11 leading digits `body` (ASCII digits only)."""
    if len(body) != LENGTH - 1 or not body.isascii() or not body.isdigit():
        raise ValueError(f"check_digit needs 11 ASCII digits, got {body!r}")
    return _check_digit(body)


def _check_digit(body: str) -> int:
    # On the ASCII codes: each digit's code is 48 more than its value.
    remainder = (sum(map(operator.mul, body.encode(), WEIGHTS)) - _CODE_OFFSET) % 11
    return 0 if remainder <= 1 else 11 - remainder


def with_check_digit(body: str) -> str:
    """The 12-digit number whose first 11 digits are `body`."""
    return f"{body}{check_digit(body)}"


def random_number(rng: random.Random) -> str:
    """A valid synthetic number (for tests and demos; synth makes unique ones in bulk)."""
    return with_check_digit(f"{rng.randrange(10**11):011d}")


def plain_validity(values: Sequence[str | None]) -> list[bool | None]:
    """For a column of values: True/False where a value is exactly 12 ASCII digits (check
    digit right or not), None where it needs `parse`. Vectorised: the engine's fast path."""
    plain = [v is not None and len(v) == LENGTH and v.isascii() and v.isdigit() for v in values]
    digits_text = "".join(v for v, ok in zip(values, plain, strict=True) if ok)  # type: ignore[misc]
    if not digits_text:
        return [None] * len(values)
    digits = np.frombuffer(digits_text.encode("ascii"), dtype=np.uint8).reshape(-1, LENGTH) - 48
    remainder = (digits[:, :-1].astype(np.int64) @ np.array(WEIGHTS)) % 11
    expected = np.where(remainder <= 1, 0, 11 - remainder)
    valid = iter((expected == digits[:, -1]).tolist())
    return [next(valid) if ok else None for ok in plain]


def is_valid(value: str) -> bool:
    """True for exactly 12 ASCII digits whose check digit is right (no folding)."""
    return (
        len(value) == LENGTH
        and value.isascii()
        and value.isdigit()
        and check_digit(value[:-1]) == int(value[-1])
    )


@dataclass(frozen=True, slots=True)
class ParsedNumber:
    """A value read as an individual number.

    `number` is the 12 ASCII digits after the allowed foldings, or None when the value is
    malformed; with Problem.CHECK_DIGIT the digits are kept so the caller can show them.
    """

    raw: str
    number: str | None
    problem: Problem | None
    notes: tuple[Note, ...] = ()

    @property
    def ok(self) -> bool:
        return self.problem is None

    @property
    def malformed(self) -> bool:
        """Not even 12 digits: the spec's MALFORMED, as opposed to CHECK_DIGIT."""
        return self.problem is not None and self.problem is not Problem.CHECK_DIGIT

    def explanation(self) -> str:
        """One Japanese phrase a clerk can act on; empty for a clean value."""
        parts = [_NOTE_TEXT[n] for n in self.notes]
        if self.problem is not None:
            digits = re.sub(r"\D", "", self.raw)
            # parse() ignores surrounding whitespace, so it is not one of the offending characters.
            bad = "".join(dict.fromkeys(c for c in self.raw.strip() if not c.isdigit()))
            parts.append(
                _PROBLEM_TEXT[self.problem].format(
                    length=len(digits), chars=bad[:5], raw=self.raw.strip()
                )
            )
        return "。".join(parts)


def parse(value: str | None) -> ParsedNumber:
    """Read `value` as an individual number and say precisely what is wrong with it."""
    raw = "" if value is None else value
    if len(raw) == LENGTH and raw.isascii() and raw.isdigit():  # the common case, fast
        valid = _check_digit(raw[:-1]) == ord(raw[-1]) - 48
        return ParsedNumber(raw, raw, None if valid else Problem.CHECK_DIGIT)
    text = raw.strip()
    if not text:
        return ParsedNumber(raw, None, Problem.EMPTY)

    notes: list[Note] = []
    folded = text.translate(_FULL_WIDTH_DIGITS)
    if folded != text:
        notes.append(Note.FULL_WIDTH)
    grouped = _GROUPED.fullmatch(folded)
    if grouped:
        folded = "".join(grouped.groups())
        notes.append(Note.GROUPED)

    if _EXCEL_EXPONENT.fullmatch(folded) or _EXCEL_DECIMAL.fullmatch(folded):
        return ParsedNumber(raw, None, Problem.EXCEL_EXPONENT, tuple(notes))
    if not (folded.isascii() and folded.isdigit()):
        # Other Unicode digits (e.g. Arabic-Indic) are not a notation business systems use.
        return ParsedNumber(raw, None, Problem.NON_DIGIT, tuple(notes))
    if len(folded) == LENGTH - 1:
        return ParsedNumber(raw, None, Problem.LOST_LEADING_ZERO, tuple(notes))
    if len(folded) != LENGTH:
        return ParsedNumber(raw, None, Problem.WRONG_LENGTH, tuple(notes))
    if check_digit(folded[:-1]) != int(folded[-1]):
        return ParsedNumber(raw, folded, Problem.CHECK_DIGIT, tuple(notes))
    return ParsedNumber(raw, folded, None, tuple(notes))


def mask(value: str, visible: int = 4) -> str:
    """Mask all but the last `visible` characters: '123456789018' -> '********9018'."""
    text = unicodedata.normalize("NFKC", value).strip()
    # Clamp: text[-0:] is the whole string, so visible=0 (or < 0) must not reach the slice.
    visible = max(visible, 0)
    if len(text) <= visible:
        return "*" * len(text)
    return "*" * (len(text) - visible) + text[len(text) - visible :]


def looks_like_number(text: str) -> bool:
    """True when `text` holds a maximal run of exactly 12 digits (ASCII or full-width,
    optionally grouped 4-4-4) that passes the check digit: the personal-data screen of
    spec §8."""
    folded = text.translate(_FULL_WIDTH_DIGITS)
    for match in _CANDIDATE_RUN.finditer(folded):
        digits = re.sub(r"\D", "", match.group(0))
        if is_valid(digits):
            return True
    return False


def mask_numbers(text: str) -> str:
    """`text` with every run looks_like_number would find masked but its last four digits:
    for logs that keep a free text (an explanation echoing the value it read)."""
    folded = text.translate(_FULL_WIDTH_DIGITS)
    parts, last = [], 0
    for match in _CANDIDATE_RUN.finditer(folded):
        if is_valid(re.sub(r"\D", "", match.group(0))):
            parts += [text[last : match.start()], mask(match.group(0))]
            last = match.end()
    return "".join(parts) + text[last:]


# A maximal run of 12 digits, or 4-4-4 groups, not touching other digits.
_CANDIDATE_RUN = re.compile(
    rf"(?<!\d)(?:\d{{12}}|\d{{4}}{_SEPARATOR}\d{{4}}{_SEPARATOR}\d{{4}})(?!\d)"
)
