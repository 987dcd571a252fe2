"""Telling namesakes apart when the owner search cannot (patterns.check_namesakes)."""

from __future__ import annotations

from himoken.collate.classify import Assessment
from himoken.collate.patterns import Pending, check_namesakes
from himoken.collate.verdicts import Reason, Verdict

ENTRY = {
    "氏名": "山田　太郎",
    "生年月日": "1980-04-01",
    "住所": "大阪府豊中市新千里東町一丁目1番1号",
}
NAMESAKES = [
    {"個人番号": "A", "世帯番号": "H1", "住所": "大阪府吹田市江坂町一丁目2番3号",
     "前住所": "大阪府堺市堺区大町東一丁目1番1号"},
    {"個人番号": "B", "世帯番号": "H2", "住所": "大阪府枚方市大垣内町二丁目1番1号", "前住所": ""},
]  # fmt: skip


def pending(address: str) -> Pending:
    assessment = Assessment(name_and_birth_agree=True, searchable=True)
    if address:
        assessment.add(Reason.ADDRESS_DIFF, "住所の市区町村が異なる")
    else:
        assessment.add(Reason.HOMONYM, "住所がなく、氏名・生年月日が同じ住民が他にもいる")
        assessment.soft.add(Reason.HOMONYM)
    record = {"氏名": "山田 太郎", "生年月日": "昭和55年4月1日", "住所": address}
    return Pending(1, assessment, record, dict(ENTRY), "N")


def test_the_namesake_who_lived_at_the_records_address_is_the_owner() -> None:
    item = pending("大阪府堺市堺区大町東1-1-1")
    check_namesakes(item, NAMESAKES, set())
    assert item.assessment.candidate == "A"
    assert item.assessment.verdict is Verdict.SUSPECT
    assert Reason.HOMONYM in item.assessment.reasons


def test_the_namesake_in_a_form_mates_household_is_the_owner() -> None:
    item = pending("")
    check_namesakes(item, NAMESAKES, {"H2"})
    assert item.assessment.candidate == "B"
    assert item.assessment.verdict is Verdict.SUSPECT


def test_nothing_to_tell_them_apart_leaves_a_review_without_candidate() -> None:
    item = pending("")
    check_namesakes(item, NAMESAKES, {"H9"})
    assert item.assessment.candidate == ""
    assert item.assessment.verdict is Verdict.REVIEW
    assert Reason.HOMONYM in item.assessment.reasons


def test_two_namesakes_at_the_form_households_are_not_guessed_between() -> None:
    item = pending("")
    check_namesakes(item, NAMESAKES, {"H1", "H2"})
    assert item.assessment.candidate == ""
