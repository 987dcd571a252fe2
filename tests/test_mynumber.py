"""Individual number (My Number): check digit, parsing with reasons, masking, screening.

The oracle for the check digit is written the way 総務省令第85号 第5条 states it (digits
counted from the right, Qn = n + 1 for n <= 6, n - 5 for 7 <= n <= 11), not the way the
implementation computes it (left-to-right weight table), so the two are independent.
"""

from __future__ import annotations

import random
import unicodedata

import pytest
from hypothesis import assume, given
from hypothesis import strategies as st

from himoken.mynumber import (
    Note,
    Problem,
    check_digit,
    is_valid,
    looks_like_number,
    mask,
    mask_numbers,
    parse,
    random_number,
    with_check_digit,
)

# Public test values.
VALID = "123456789018"
VALID_2 = "983205673214"
INVALID = "123456789010"  # VALID with a wrong check digit

# A valid number whose first digit is 0 (checked in test_fixture_values_are_what_they_claim).
VALID_LEADING_ZERO = "012345678903"

_FULL_WIDTH = str.maketrans("0123456789", "０１２３４５６７８９")

digits = st.text(alphabet="0123456789", min_size=11, max_size=11)


def to_full_width(ascii_digits: str) -> str:
    return ascii_digits.translate(_FULL_WIDTH)


def ordinance_remainder(body: str) -> int:
    """Sum of Pn * Qn mod 11, Pn the n-th digit counted from the right of the 11-digit body."""
    assert len(body) == 11
    total = 0
    for n, p in enumerate(reversed(body), start=1):
        q = n + 1 if n <= 6 else n - 5
        total += int(p) * q
    return total % 11


def ordinance_check_digit(body: str) -> int:
    remainder = ordinance_remainder(body)
    return 0 if remainder <= 1 else 11 - remainder


def replace_at(number: str, index: int, digit: str) -> str:
    return number[:index] + digit + number[index + 1 :]


def swap_adjacent(number: str, index: int) -> str:
    return number[:index] + number[index + 1] + number[index] + number[index + 2 :]


# --- check digit ---------------------------------------------------------------------------


def test_fixture_values_are_what_they_claim() -> None:
    assert ordinance_check_digit(VALID[:-1]) == int(VALID[-1])
    assert ordinance_check_digit(VALID_2[:-1]) == int(VALID_2[-1])
    assert ordinance_check_digit(INVALID[:-1]) != int(INVALID[-1])
    assert VALID_LEADING_ZERO.startswith("0")
    assert ordinance_check_digit(VALID_LEADING_ZERO[:-1]) == int(VALID_LEADING_ZERO[-1])


@pytest.mark.parametrize("number", [VALID, VALID_2])
def test_public_values_check_digit(number: str) -> None:
    assert check_digit(number[:-1]) == int(number[-1])
    assert with_check_digit(number[:-1]) == number
    assert is_valid(number)


def test_public_invalid_value() -> None:
    assert not is_valid(INVALID)
    assert with_check_digit(INVALID[:-1]) == VALID


@pytest.mark.parametrize(
    "body",
    [
        "",
        "1234567890",  # 10 digits
        "123456789012",  # 12 digits
        "1234567890a",
        "12345 67890",
        "１２３４５６７８９０１",  # full-width: not ASCII
        "１２３４５６７８９０1",
        "1234567890²",  # str.isdigit() is True for superscripts
        "+1234567890",
        "-1234567890",
    ],
)
def test_check_digit_rejects_bad_input(body: str) -> None:
    with pytest.raises(ValueError):
        check_digit(body)
    with pytest.raises(ValueError):
        with_check_digit(body)


@pytest.mark.parametrize(
    "value",
    [
        "",
        "12345678901",
        "1234567890180",
        "１２３４５６７８９０１８",  # is_valid does no folding
        "1234 5678 9018",
        " 123456789018",
        "12345678901a",
    ],
)
def test_is_valid_is_strict_and_does_not_raise(value: str) -> None:
    assert is_valid(value) is False


@given(digits)
def test_check_digit_matches_the_ordinance(body: str) -> None:
    assert check_digit(body) == ordinance_check_digit(body)


@given(digits)
def test_with_check_digit_is_valid_and_parses_unchanged(body: str) -> None:
    number = with_check_digit(body)
    assert len(number) == 12
    assert number.startswith(body)
    assert is_valid(number)
    parsed = parse(number)
    assert parsed.ok
    assert parsed.number == number
    assert parsed.problem is None
    assert parsed.notes == ()
    assert parsed.explanation() == ""


@given(digits, st.sampled_from("0123456789"))
def test_changing_the_last_digit_always_invalidates(body: str, digit: str) -> None:
    number = with_check_digit(body)
    assume(digit != number[-1])
    changed = replace_at(number, 11, digit)
    assert not is_valid(changed)
    assert parse(changed).problem is Problem.CHECK_DIGIT


@given(digits, st.integers(min_value=0, max_value=10), st.sampled_from("0123456789"))
def test_single_substitution_in_body_is_missed_only_between_remainders_0_and_1(
    body: str, index: int, digit: str
) -> None:
    # A change of d * w with d in 1..9 and w in 2..7 is never 0 mod 11, so the remainder always
    # moves; it goes unnoticed only when it moves between 0 and 1 (both give check digit 0).
    assume(body[index] != digit)
    number = with_check_digit(body)
    changed = replace_at(number, index, digit)
    before = ordinance_remainder(number[:-1])
    after = ordinance_remainder(changed[:-1])
    assert before != after
    assert is_valid(changed) == ({before, after} == {0, 1})


@given(digits, st.integers(min_value=0, max_value=9))
def test_adjacent_swap_in_body_is_missed_only_between_remainders_0_and_1(
    body: str, index: int
) -> None:
    # Swapping a, b at weights w_i, w_{i+1} changes the sum by (b - a)(w_i - w_{i+1}); the
    # weight differences are 1 or -5 and |b - a| is 1..9, so mod 11 the change is never 0.
    assume(body[index] != body[index + 1])
    number = with_check_digit(body)
    swapped = swap_adjacent(number, index)
    before = ordinance_remainder(number[:-1])
    after = ordinance_remainder(swapped[:-1])
    assert before != after
    assert is_valid(swapped) == ({before, after} == {0, 1})


def test_adjacent_swap_between_remainders_0_and_1_is_not_detected() -> None:
    # The exception to swap detection is real, not theoretical.
    number = with_check_digit("12000400000")
    swapped = swap_adjacent(number, 0)
    assert number != swapped
    assert {ordinance_remainder(number[:-1]), ordinance_remainder(swapped[:-1])} == {0, 1}
    assert is_valid(number)
    assert is_valid(swapped)


def test_adjacent_swap_is_detected_outside_remainders_0_and_1() -> None:
    swapped = swap_adjacent(VALID, 0)  # 213456789018
    assert {ordinance_remainder(VALID[:-1]), ordinance_remainder(swapped[:-1])} != {0, 1}
    assert not is_valid(swapped)


# --- parse -----------------------------------------------------------------------------------


@pytest.mark.parametrize("value", [None, "", " ", "   ", "\t\n", "\u3000"])
def test_parse_empty(value: str | None) -> None:
    parsed = parse(value)
    assert parsed.problem is Problem.EMPTY
    assert parsed.number is None
    assert not parsed.ok
    assert parsed.malformed
    assert "空" in parsed.explanation()


def test_parse_keeps_raw_value() -> None:
    assert parse(None).raw == ""
    assert parse(" 123456789018 ").raw == " 123456789018 "


def test_parse_strips_surrounding_whitespace() -> None:
    parsed = parse(f"  {VALID}\t")
    assert parsed.ok
    assert parsed.number == VALID
    assert parsed.notes == ()


@pytest.mark.parametrize(
    ("value", "length"),
    [("1234567890180", 13), ("12345", 5), ("1", 1), ("12345678901234567890", 20)],
)
def test_parse_wrong_length(value: str, length: int) -> None:
    parsed = parse(value)
    assert parsed.problem is Problem.WRONG_LENGTH
    assert parsed.number is None
    assert parsed.malformed
    explanation = parsed.explanation()
    assert f"{length}桁" in explanation
    assert "12桁" in explanation


@pytest.mark.parametrize("value", ["12345678901a", "abcdefghijkl", "1234/5678/9018", "個人番号"])
def test_parse_non_digit(value: str) -> None:
    parsed = parse(value)
    assert parsed.problem is Problem.NON_DIGIT
    assert parsed.number is None
    assert parsed.malformed


def test_parse_non_digit_explanation_names_the_offending_character() -> None:
    explanation = parse(" 12345678901x ").explanation()
    assert "x" in explanation
    assert "数字以外" in explanation
    # Surrounding whitespace is ignored by parse(), so it is not named as the culprit.
    assert "「x」" in explanation


def test_parse_other_unicode_digits_are_non_digit() -> None:
    arabic_indic = "".join(chr(0x0660 + int(d)) for d in VALID)
    parsed = parse(arabic_indic)
    assert parsed.problem is Problem.NON_DIGIT
    assert parsed.number is None


@pytest.mark.parametrize(
    "value",
    ["1.23457E+11", "1.23456789018e+11", "123456789018.0", "1.23457E11", " 1.23457E+11 "],
)
def test_parse_excel_exponent(value: str) -> None:
    parsed = parse(value)
    assert parsed.problem is Problem.EXCEL_EXPONENT
    assert parsed.number is None
    assert parsed.malformed
    explanation = parsed.explanation()
    assert "指数" in explanation
    assert value.strip() in explanation


@given(digits)
def test_parse_lost_leading_zero_is_never_repaired(body: str) -> None:
    number = with_check_digit("0" + body[1:])
    damaged = number[1:]  # what Excel leaves of it
    parsed = parse(damaged)
    assert parsed.problem is Problem.LOST_LEADING_ZERO
    assert parsed.number is None
    assert parsed.malformed
    assert "11桁" in parsed.explanation()


def test_parse_lost_leading_zero_example() -> None:
    parsed = parse(VALID_LEADING_ZERO[1:])
    assert parsed.problem is Problem.LOST_LEADING_ZERO
    assert parsed.number is None
    assert VALID_LEADING_ZERO not in repr(parsed)


def test_parse_check_digit_keeps_digits() -> None:
    parsed = parse(INVALID)
    assert parsed.problem is Problem.CHECK_DIGIT
    assert parsed.number == INVALID
    assert not parsed.ok
    assert not parsed.malformed
    assert "チェックデジット" in parsed.explanation()


def test_parse_full_width_digits() -> None:
    parsed = parse("１２３４５６７８９０１８")
    assert parsed.ok
    assert parsed.number == VALID
    assert parsed.notes == (Note.FULL_WIDTH,)
    assert not parsed.malformed
    assert "全角" in parsed.explanation()


def test_parse_full_width_with_wrong_check_digit() -> None:
    parsed = parse(to_full_width(INVALID))
    assert parsed.problem is Problem.CHECK_DIGIT
    assert parsed.number == INVALID
    assert Note.FULL_WIDTH in parsed.notes
    explanation = parsed.explanation()
    assert "全角" in explanation
    assert "チェックデジット" in explanation


@pytest.mark.parametrize(
    "value",
    [
        "1234 5678 9018",
        "1234-5678-9018",
        "1234\u30005678\u30009018",  # full-width space
        "1234－5678－9018",  # full-width hyphen-minus
        "1234 5678-9018",
        " 1234-5678-9018 ",
    ],
)
def test_parse_grouped(value: str) -> None:
    parsed = parse(value)
    assert parsed.ok
    assert parsed.number == VALID
    assert parsed.notes == (Note.GROUPED,)
    assert "区切り" in parsed.explanation()


def test_parse_full_width_and_grouped() -> None:
    parsed = parse("１２３４　５６７８　９０１８")
    assert parsed.ok
    assert parsed.number == VALID
    assert set(parsed.notes) == {Note.FULL_WIDTH, Note.GROUPED}
    explanation = parsed.explanation()
    assert "全角" in explanation
    assert "区切り" in explanation


@pytest.mark.parametrize("value", ["123 4567 89018", "12345678 9018", "1234  5678 9018"])
def test_parse_other_grouping_is_not_folded(value: str) -> None:
    parsed = parse(value)
    assert not parsed.ok
    assert parsed.number is None
    assert Note.GROUPED not in parsed.notes


@pytest.mark.parametrize(
    ("value", "problem"),
    [
        ("", Problem.EMPTY),
        ("1234567890180", Problem.WRONG_LENGTH),
        ("12345678901a", Problem.NON_DIGIT),
        ("1.23457E+11", Problem.EXCEL_EXPONENT),
        ("23456789018", Problem.LOST_LEADING_ZERO),
        (INVALID, Problem.CHECK_DIGIT),
        (VALID, None),
    ],
)
def test_malformed_is_everything_but_check_digit_and_ok(
    value: str, problem: Problem | None
) -> None:
    parsed = parse(value)
    assert parsed.problem is problem
    assert parsed.ok == (problem is None)
    assert parsed.malformed == (problem not in (None, Problem.CHECK_DIGIT))
    if problem is None:
        assert parsed.explanation() == ""
    else:
        assert parsed.explanation() != ""
    if parsed.malformed:
        assert parsed.number is None


@given(st.text(max_size=30))
def test_parse_never_raises_and_is_consistent(value: str) -> None:
    parsed = parse(value)
    assert parsed.ok == (parsed.problem is None)
    if parsed.number is not None:
        assert len(parsed.number) == 12
        assert parsed.number.isascii()
        assert parsed.number.isdigit()
        assert is_valid(parsed.number) == parsed.ok
    else:
        assert parsed.malformed
    assert isinstance(parsed.explanation(), str)


# --- mask ------------------------------------------------------------------------------------


def test_mask_keeps_last_four() -> None:
    assert mask(VALID) == "********9018"


def test_mask_full_width_is_masked_on_the_folded_value() -> None:
    assert mask("１２３４５６７８９０１８") == "********9018"


@pytest.mark.parametrize("value", ["", "1", "12", "901", "9018"])
def test_mask_short_strings_fully_masked(value: str) -> None:
    assert mask(value) == "*" * len(value)


@pytest.mark.parametrize("visible", [0, -1, -4])
def test_mask_with_nothing_visible_reveals_nothing(visible: int) -> None:
    assert mask(VALID, visible=visible) == "*" * 12


def test_mask_visible_count() -> None:
    assert mask(VALID, visible=2) == "**********18"
    assert mask(VALID, visible=12) == "************"


@given(st.text(alphabet="0123456789０１２３４５６７８９ -", max_size=20), st.integers(-2, 14))
def test_mask_reveals_at_most_the_tail(value: str, visible: int) -> None:
    text = unicodedata.normalize("NFKC", value).strip()
    masked = mask(value, visible=visible)
    assert len(masked) == len(text)
    shown = masked.lstrip("*")
    assert len(shown) <= max(visible, 0)
    assert len(shown) < len(text) or not text
    assert text.endswith(shown)


# --- looks_like_number -----------------------------------------------------------------------


@pytest.mark.parametrize(
    "text",
    [
        VALID,
        f"連絡先 {VALID} です",
        f"連絡先{VALID}です",
        "1234 5678 9018",
        "1234-5678-9018",
        "番号は1234－5678－9018まで",
        "1234\u20105678\u20109018",  # hyphen as parse() accepts it
        "１２３４５６７８９０１８",
        "個人番号:１２３４ ５６７８ ９０１８。",
        f"No.{VALID_2}",
        f"{INVALID} と {VALID_2}",  # the invalid one does not hide the valid one
    ],
)
def test_looks_like_number_finds(text: str) -> None:
    assert looks_like_number(text)


@pytest.mark.parametrize(
    "text",
    [
        "",
        "個人番号なし",
        INVALID,
        f"連絡先 {INVALID} です",
        "1234 5678 9010",
        to_full_width(INVALID),
        VALID_LEADING_ZERO[1:],  # 11 digits
        VALID + "0",  # 13-digit run: 1234567890180
        "9" + VALID,
        f"口座 99{VALID}77 です",
        VALID_2 + VALID,
        "1.23457E+11",
    ],
)
def test_looks_like_number_does_not_flag(text: str) -> None:
    assert not looks_like_number(text)


def test_looks_like_number_agrees_with_parse_on_grouping() -> None:
    for separator in [" ", "-", "\u3000", "\uff0d", "\u2010", "\u2011", "\u2012", "\u2013"]:
        grouped = separator.join([VALID[:4], VALID[4:8], VALID[8:]])
        assert parse(grouped).ok
        assert looks_like_number(grouped), repr(separator)


filler = st.text(alphabet="あいうえお番号 :、。abcXYZ", max_size=10)


@given(digits, filler, filler)
def test_looks_like_number_finds_any_valid_number_in_text(
    body: str, prefix: str, suffix: str
) -> None:
    number = with_check_digit(body)
    assert looks_like_number(prefix + number + suffix)
    assert looks_like_number(prefix + to_full_width(number) + suffix)


@given(digits, st.sampled_from("0123456789"), st.booleans(), filler)
def test_looks_like_number_ignores_valid_number_inside_longer_run(
    body: str, extra: str, before: bool, context: str
) -> None:
    number = with_check_digit(body)
    run = extra + number if before else number + extra
    assert not looks_like_number(context + run + context)


@given(digits, st.sampled_from("0123456789"), filler)
def test_looks_like_number_ignores_invalid_check_digit(body: str, digit: str, context: str) -> None:
    number = with_check_digit(body)
    assume(digit != number[-1])
    assert not looks_like_number(context + replace_at(number, 11, digit) + context)


def test_random_number_is_valid_and_reproducible() -> None:
    first = [random_number(random.Random(5)) for _ in range(3)]
    numbers = [random_number(random.Random(seed)) for seed in range(200)]
    assert all(is_valid(n) for n in numbers)
    assert len(set(numbers)) == 200
    assert len(set(first)) == 1  # the same seed gives the same number


@pytest.mark.parametrize(
    "text",
    [
        f"連絡先 {VALID} です",
        "番号は1234－5678－9018まで",
        "１２３４５６７８９０１８",
        f"{INVALID} と {VALID_2}",
    ],
)
def test_mask_numbers_leaves_nothing_that_looks_like_a_number(text: str) -> None:
    masked = mask_numbers(text)
    assert not looks_like_number(masked) and masked != text
    assert len(masked) == len(text)  # only the digits change


def test_mask_numbers_keeps_what_is_not_a_number() -> None:
    for text in ("個人番号なし", INVALID, f"口座 99{VALID}77 です", "1.23457E+11"):
        assert mask_numbers(text) == text


@given(digits, filler, filler)
def test_mask_numbers_masks_any_valid_number_in_text(body: str, prefix: str, suffix: str) -> None:
    masked = mask_numbers(prefix + with_check_digit(body) + suffix)
    assert not looks_like_number(masked) and masked.startswith(prefix) and masked.endswith(suffix)
