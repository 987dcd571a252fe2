"""Name normalization: splitting, 通称, profile 外字 tables, batch behaviour."""

from __future__ import annotations

import pytest

from himoken.compare.names import NameLevel, compare_many
from himoken.compare.outcome import Reason
from himoken.normalize import names


def test_split_on_any_space() -> None:
    assert names.split("山田　太郎") == ("山田", "太郎")
    assert names.split("山田 太郎") == ("山田", "太郎")
    assert names.split("NGUYEN VAN NAM") == ("NGUYEN", "VANNAM")


def test_split_by_the_register_split_when_the_record_has_no_space() -> None:
    # 長谷川 is a known surname, but the register says this person is 長谷 + 川太郎.
    assert names.split("長谷川太郎", hint=("長谷", "川太郎")) == ("長谷", "川太郎")
    # The hint works through variant forms: the register writes 髙橋.
    assert names.split("高橋一郎", hint=("髙橋", "一郎")) == ("高橋", "一郎")


def test_split_by_the_surname_list_without_space_or_hint() -> None:
    assert names.split("佐々木健太") == ("佐々木", "健太")
    assert names.split("髙橋一郎") == ("髙橋", "一郎")  # found through its folded form 高橋


def test_split_refuses_what_it_cannot_justify() -> None:
    assert names.split("ＸＹＺ") is None


def test_alias_match_is_a_notation_difference() -> None:
    [outcome] = compare_many(["山口　力雄"], ["金　英哲"], aliases=["山口　力雄"])
    assert outcome.level is NameLevel.NOTATION
    assert outcome.reason is Reason.NAME_NOTATION
    assert "通称" in outcome.evidence


def test_profile_gaiji_table_makes_private_use_characters_comparable() -> None:
    record, register = "\ue000橋　太郎", "髙橋　太郎"
    [without] = compare_many([record], [register])
    [with_table] = compare_many([record], [register], gaiji_table={"\ue000": "髙"})
    assert without.reason is Reason.GAIJI
    assert with_table.level is NameLevel.EXACT


def test_same_gaiji_table_on_both_sides() -> None:
    same = "\ue000橋　太郎"
    [unknown] = compare_many([same], [same])
    [shared] = compare_many([same], [same], same_gaiji_table=True)
    assert unknown.level is NameLevel.GAIJI
    assert shared.level is NameLevel.EXACT


def test_each_distinct_name_is_normalized_once(monkeypatch: pytest.MonkeyPatch) -> None:
    calls: list[str] = []
    real = names._normalize

    def counting(value: str, table: tuple = ()) -> names.NormalizedName:
        calls.append(value)
        return real(value, table)

    monkeypatch.setattr(names, "_normalize", counting)
    column = ["山田　太郎", "髙橋　一郎"] * 500
    normalized = names.normalize_many(column)
    assert len(normalized) == 1000
    assert sorted(calls) == sorted({"山田　太郎", "髙橋　一郎"})
    assert normalized[2] is normalized[0]


def test_folding_never_merges_different_characters() -> None:
    for a, b in ("斎斉", "崎埼", "太大", "沢択", "橋争", "関英"):
        assert not names.are_variants(a, b), (a, b)
        assert names.representative(a) != names.representative(b)
