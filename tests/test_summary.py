"""summary.json: the spec §8 document, its schema, sums and personal-data screen."""

from __future__ import annotations

import copy
import json
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from himoken import summary
from himoken.mynumber import with_check_digit

VALID_NUMBER = "123456789018"

# The example of spec §8, verbatim.
EXAMPLE = {
    "schema": "himoken.summary/1",
    "organisation": {"code": "271004", "name": "大阪市"},
    "business": "障害者手帳",
    "system": "手帳台帳システム",
    "run": {
        "id": "0f8e1c2a-5b7d-4e0a-9c31-2d4b6a8f1e90",
        "finished": "2026-11-27T10:15:00+09:00",
        "engine": "himoken 0.3.0",
        "register_rows": 2751862,
        "record_rows": 61233,
    },
    "verdicts": {"MATCH": 50102, "NOTATION": 8003, "EXPLAINED": 2510, "REVIEW": 402,
                 "SUSPECT": 161, "INVALID": 55},
    "reasons": {"KANJI_VARIANT": 3120, "ADDRESS_NOTATION": 5877, "MOVED": 2301,
                "FAMILY_MEMBER": 12},
    "warnings": {"register_duplicate_numbers": 0, "register_invalid_numbers": 0},
    "review": {"flagged": 618, "confirmed_right": 540, "wrong_found": 31, "corrected": 27,
               "deleted": 4, "correction_pending": 0, "in_progress": 47},
    "causes": {"FAMILY_MEMBER": 14, "HOMONYM": 9, "CARRY_OVER": 2, "ROW_SHIFT": 0, "TYPO": 0,
               "OTHER": 6},
}  # fmt: skip


def changed(path: tuple, value: object) -> dict:
    document = copy.deepcopy(EXAMPLE)
    node = document
    for key in path[:-1]:
        node = node[key]
    if value is ...:
        del node[path[-1]]
    else:
        node[path[-1]] = value
    return document


def test_the_spec_example_is_valid() -> None:
    assert summary.validate(EXAMPLE) == []


def test_an_engine_summary_without_review_is_valid() -> None:
    document = changed(("review",), ...)
    del document["causes"]
    assert summary.validate(document) == []


@pytest.mark.parametrize(
    ("path", "value", "expected"),
    [
        (("schema",), "himoken.summary/2", "/schema"),
        (("verdicts", "MATCH"), ..., "MATCH"),
        (("verdicts", "MATCH"), -1, "/verdicts/MATCH"),
        (("verdicts", "MATCH"), 50103, "合計"),
        (("run", "id"), "not-a-uuid", "/run/id"),
        (("run", "finished"), "yesterday", "/run/finished"),
        (("reasons", "SOMETHING"), 1, "/reasons"),
        (("reasons", "MOVED"), 0, "/reasons/MOVED"),
        (("review", "flagged"), 619, "/review"),
        (("review", "deleted"), 5, "wrong_found"),
        (("causes", "OTHER"), 7, "/causes"),
        (("causes",), ..., "causes"),
        (("extra",), "x", "スキーマにない"),
        (("verdicts", "MATCH"), 123456789018, "maximum"),
    ],
)
def test_what_is_refused_and_where(path: tuple, value: object, expected: str) -> None:
    problems = summary.validate(changed(path, value))
    assert problems and any(expected in p for p in problems), problems


@pytest.mark.parametrize(
    "path",
    [("organisation", "name"), ("business",), ("system",)],
)
@pytest.mark.parametrize(
    "text",
    [
        VALID_NUMBER,
        f"連絡先 {VALID_NUMBER}",
        "1234-5678-9018",
        "１２３４５６７８９０１８",
        "1234 5678 9018",
    ],
)
def test_the_personal_data_screen_refuses_numbers_in_free_text(path: tuple, text: str) -> None:
    problems = summary.validate(changed(path, text))
    assert any("個人番号" in p for p in problems)
    assert not any(VALID_NUMBER in p or "9018" in p for p in problems)  # never echoed


def test_numbers_hidden_in_keys_are_refused_without_being_written_out() -> None:
    problems = summary.validate(changed(("warnings", VALID_NUMBER), 1))
    assert any("キー" in p and "個人番号" in p for p in problems)
    assert all(VALID_NUMBER not in p for p in problems)


def test_twelve_digits_that_fail_the_check_digit_are_not_personal_data() -> None:
    assert summary.validate(changed(("business",), "事務 123456789010")) == []
    assert summary.validate(changed(("business",), "番号 1234567890180")) == []  # 13 digits


def test_format_validated_fields_are_not_screened() -> None:
    # An organisation code of 12 digits that passes the check digit is still only a code.
    assert summary.validate(changed(("organisation", "code"), VALID_NUMBER)) == []


@given(st.text(max_size=30), st.text(max_size=30), st.integers(0, 10**11 - 1))
def test_any_valid_number_in_free_text_is_refused(before: str, after: str, body: int) -> None:
    number = with_check_digit(f"{body:011d}")
    text = f"{before} {number} {after}"
    assert any("個人番号" in p for p in summary.validate(changed(("business",), text)))


def test_load_names_the_file_and_the_line(tmp_path: Path) -> None:
    broken = tmp_path / "summary.json"
    broken.write_text('{"schema": "himoken.summary/1",\n  oops}', encoding="utf-8")
    with pytest.raises(summary.SummaryError) as raised:
        summary.load(broken)
    assert str(broken) in str(raised.value) and "2行" in str(raised.value)

    good = tmp_path / "good.json"
    good.write_text(json.dumps(EXAMPLE, ensure_ascii=False), encoding="utf-8-sig")
    assert summary.load(good)["run"]["record_rows"] == 61233

    leaking = tmp_path / "leak.json"
    leaking.write_text(json.dumps(changed(("system",), VALID_NUMBER)), encoding="utf-8")
    with pytest.raises(summary.SummaryError) as raised:
        summary.load(leaking)
    assert VALID_NUMBER not in str(raised.value)
