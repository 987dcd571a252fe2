"""Injected wrong linkages: each at its requested rate, each truth row right."""

from __future__ import annotations

import itertools
import math
import re
from collections import Counter, defaultdict

import pytest

from himoken.mynumber import is_valid
from himoken.synth import ERROR_TYPES
from tests.synth.conftest import RAISED, RAISED_RATE
from tests.synth.world_files import Extract, World


def _rows_of(world: World, error_type: str) -> list[tuple[Extract, dict[str, str]]]:
    return [(e, row) for e, row in world.all_truth if row["誤り種別"] == error_type]


@pytest.mark.parametrize("error_type", ERROR_TYPES)
def test_each_error_type_appears_at_its_requested_rate(
    raised_world: World, error_type: str
) -> None:
    records = sum(len(e.truth) for e in raised_world.extracts.values())
    assert records == RAISED.records
    observed = len(_rows_of(raised_world, error_type))
    expected = records * RAISED_RATE
    # Binomial tolerance: 4 standard deviations (a false alarm about once in 16,000 runs).
    tolerance = 4 * math.sqrt(records * RAISED_RATE * (1 - RAISED_RATE)) + 1
    assert abs(observed - expected) <= tolerance, (error_type, observed, expected)


def test_manifest_counts_match_the_truth_files(raised_world: World) -> None:
    by_type = Counter(row["誤り種別"] for _, row in raised_world.all_truth if row["誤り種別"])
    assert {k: v for k, v in raised_world.manifest["errors"].items() if v} == dict(by_type)
    for business in raised_world.manifest["businesses"]:
        extract = raised_world.extracts[business["slug"]]
        assert business["records"] == len(extract.truth) == len(extract.lines)
        assert business["needs_review"] == sum(r["要確認"] == "1" for r in extract.truth)


def test_every_error_needs_review_and_correct_rows_carry_their_owner_number(
    raised_world: World,
) -> None:
    for _, row in raised_world.all_truth:
        if row["誤り種別"]:
            assert row["要確認"] == "1"
            assert row["紐付け個人番号"] != row["正しい個人番号"] or row["誤り種別"] == (
                "MALFORMED_ROW"
            )
        else:
            assert row["紐付け個人番号"] == row["正しい個人番号"]
        assert row["正しい個人番号"] in raised_world.register


def test_family_member_number_belongs_to_someone_of_the_same_household(
    raised_world: World,
) -> None:
    rows = _rows_of(raised_world, "FAMILY_MEMBER")
    assert rows
    for _, row in rows:
        owner = raised_world.register[row["正しい個人番号"]]
        linked = raised_world.register[row["紐付け個人番号"]]
        assert linked["世帯番号"] == owner["世帯番号"]
        assert linked["個人番号"] != owner["個人番号"]


def test_homonym_number_belongs_to_a_stranger_with_same_name_and_birth_date(
    raised_world: World,
) -> None:
    rows = _rows_of(raised_world, "HOMONYM")
    assert rows
    for extract, row in rows:
        owner = raised_world.register[row["正しい個人番号"]]
        linked = raised_world.register[row["紐付け個人番号"]]
        assert linked["個人番号"] != owner["個人番号"]
        assert linked["世帯番号"] != owner["世帯番号"]
        assert (linked["氏名"], linked["生年月日"], linked["性別"]) == (
            owner["氏名"],
            owner["生年月日"],
            owner["性別"],
        )
        # The record describes its owner: at the owner's address when it holds one.
        record = extract.record(row)
        if record["住所"] and not row["表記差異"] and not row["経緯"]:
            assert record["住所"] in (owner["住所"], owner["住所"].removeprefix("大阪府"))


def _by(
    extract: Extract, key: str, method: str | None = None
) -> dict[str, list[tuple[int, dict[str, str], dict[str, str]]]]:
    """Records grouped by `key` (登録端末 or 登録バッチ), ordered by 登録順."""
    groups: dict[str, list[tuple[int, dict[str, str], dict[str, str]]]] = defaultdict(list)
    for row in extract.truth:
        line = extract.lines[int(row["行番号"]) - 1]
        if line.fields is None or len(line.fields) != len(extract.header):
            continue
        record = dict(zip(extract.header, line.fields, strict=True))
        if record[key] and (method is None or record["紐付け方法"] == method):
            groups[record[key]].append((int(record["登録順"]), record, row))
    for group in groups.values():
        group.sort(key=lambda item: item[0])
    return groups


def _malformed_rows(world: World) -> int:
    return len(_rows_of(world, "MALFORMED_ROW"))


def test_carry_over_number_belongs_to_the_person_linked_just_before_on_that_terminal(
    raised_world: World,
) -> None:
    checked = unreadable = 0
    for extract in raised_world.extracts.values():
        for group in _by(extract, "登録端末", "窓口端末").values():
            for (previous, _, before), (order, _, row) in itertools.pairwise(group):
                if row["誤り種別"] != "CARRY_OVER":
                    continue
                if previous != order - 1:  # the row just before is a malformed one
                    unreadable += 1
                    continue
                assert row["紐付け個人番号"] == before["正しい個人番号"], order
                checked += 1
    assert checked + unreadable == len(_rows_of(raised_world, "CARRY_OVER"))
    assert checked > 0 and unreadable <= _malformed_rows(raised_world)


def test_row_shift_number_belongs_to_the_next_row_of_the_same_batch(raised_world: World) -> None:
    checked = unreadable = 0
    for extract in raised_world.extracts.values():
        for group in _by(extract, "登録バッチ").values():
            for (order, _, row), (following, _, after) in itertools.pairwise(group):
                if row["誤り種別"] != "ROW_SHIFT":
                    continue
                if following != order + 1:  # the next row is a malformed one
                    unreadable += 1
                    continue
                assert row["紐付け個人番号"] == after["正しい個人番号"]
                checked += 1
    # A shifted row that is last of its group here had its follower unreadable.
    assert checked + unreadable <= len(_rows_of(raised_world, "ROW_SHIFT"))
    assert checked >= len(_rows_of(raised_world, "ROW_SHIFT")) - _malformed_rows(raised_world)
    assert checked > 0


def test_duplicate_number_is_linked_to_another_record_of_its_true_owner(
    raised_world: World,
) -> None:
    rows = _rows_of(raised_world, "DUPLICATE_NUMBER")
    assert rows
    for extract, row in rows:
        owners = {r["正しい個人番号"] for r in extract.truth if r is not row}
        assert row["紐付け個人番号"] in owners
        linked = raised_world.register[row["紐付け個人番号"]]
        assert linked["世帯番号"] != raised_world.register[row["正しい個人番号"]]["世帯番号"]


def _digit_changes(a: str, b: str) -> int:
    return sum(x != y for x, y in zip(a, b, strict=True))


def test_typos_fail_or_pass_the_check_digit_as_labelled(raised_world: World) -> None:
    failing = _rows_of(raised_world, "CHECK_DIGIT")
    passing = _rows_of(raised_world, "TYPO_VALID")
    assert failing and passing
    for extract, row in failing:
        linked, true = row["紐付け個人番号"], row["正しい個人番号"]
        assert len(linked) == 12 and linked.isdigit() and not is_valid(linked)
        assert extract.record(row)["個人番号"] == linked
        swapped = any(
            linked[:i] + linked[i + 1] + linked[i] + linked[i + 2 :] == true for i in range(11)
        )
        assert _digit_changes(linked, true) == 1 or swapped
    for _, row in passing:
        linked, true = row["紐付け個人番号"], row["正しい個人番号"]
        assert is_valid(linked) and linked != true
        assert _digit_changes(linked[:11], true[:11]) == 2 and linked[11] == true[11]


def test_not_in_register_numbers_are_valid_and_unknown(raised_world: World) -> None:
    rows = _rows_of(raised_world, "NOT_IN_REGISTER")
    assert rows
    for _, row in rows:
        assert is_valid(row["紐付け個人番号"])
        assert row["紐付け個人番号"] not in raised_world.register


def test_excel_damage_looks_like_excel_made_it(raised_world: World) -> None:
    rows = _rows_of(raised_world, "EXCEL_DAMAGE")
    assert rows
    for extract, row in rows:
        cell = extract.record(row)["個人番号"]
        if row["誤り詳細"] == "EXPONENT":
            # E+10 or less when the number starts with 0, as Excel shows it.
            assert re.fullmatch(r"\d\.\d{5}E\+1[01]|\d\.\d{5}E\+0\d", cell)
            assert float(cell) == pytest.approx(int(row["正しい個人番号"]), rel=1e-5)
        else:
            assert row["誤り詳細"] == "LOST_LEADING_ZERO"
            assert len(cell) < 12 and int(cell) == int(row["正しい個人番号"])


def test_malformed_rows_are_broken_as_labelled(raised_world: World) -> None:
    rows = _rows_of(raised_world, "MALFORMED_ROW")
    kinds = Counter(row["誤り詳細"] for _, row in rows)
    assert set(kinds) == {"UNDECODABLE", "MISSING_FIELDS", "DUPLICATE_ID"}
    for extract, row in rows:
        line = extract.lines[int(row["行番号"]) - 1]
        if row["誤り詳細"] == "UNDECODABLE":
            assert line.fields is None
        elif row["誤り詳細"] == "MISSING_FIELDS":
            assert line.fields is not None and len(line.fields) < len(extract.header)
        else:
            previous = extract.truth[int(row["行番号"]) - 2]
            assert line.fields is not None
            assert line.fields[0] == previous["レコード番号"] == row["レコード番号"]
    # Only malformed rows are broken.
    broken = {
        (e.slug, line.ordinal)
        for e in raised_world.extracts.values()
        for line in e.lines
        if line.fields is None or len(line.fields) != len(e.header)
    }
    assert broken <= {(e.slug, int(row["行番号"])) for e, row in rows}
