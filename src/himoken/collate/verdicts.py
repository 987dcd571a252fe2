"""The vocabulary of results.csv: verdicts (spec §6) and what each reason (spec §7) implies.

A record gets exactly one verdict, the most severe that applies; `Verdict` is ordered by
severity so that `max()` picks it. The reason codes are `himoken.compare.outcome.Reason`; here
each gets the verdict it raises a record to at least (DUPLICATE_NUMBER only on the record that
disagrees with the entry, see the classifier) and its Japanese label.
"""

from __future__ import annotations

from enum import IntEnum

from himoken.compare.outcome import Reason


class Verdict(IntEnum):
    """判定, least severe first."""

    MATCH = 0
    NOTATION = 1
    EXPLAINED = 2
    REVIEW = 3
    SUSPECT = 4
    INVALID = 5

    @property
    def code(self) -> str:
        return self.name

    @property
    def label(self) -> str:
        """The Japanese name clerks see (spec §6)."""
        return VERDICT_LABELS[self]

    @property
    def flagged(self) -> bool:
        """要確認: a person must look at the record."""
        return self >= Verdict.REVIEW


VERDICT_LABELS: dict[Verdict, str] = {
    Verdict.MATCH: "一致",
    Verdict.NOTATION: "表記差異",
    Verdict.EXPLAINED: "経緯差異",
    Verdict.REVIEW: "不一致",
    Verdict.SUSPECT: "誤紐付け疑い",
    Verdict.INVALID: "番号不正",
}


LEAST_VERDICT: dict[Reason, Verdict] = {
    Reason.KANJI_VARIANT: Verdict.NOTATION,
    Reason.KANA_VARIANT: Verdict.NOTATION,
    Reason.ADDRESS_NOTATION: Verdict.NOTATION,
    Reason.NAME_NOTATION: Verdict.NOTATION,
    Reason.MOVED: Verdict.EXPLAINED,
    Reason.NAME_CHANGED: Verdict.EXPLAINED,
    Reason.GAIJI: Verdict.REVIEW,
    Reason.NAME_DIFF: Verdict.REVIEW,
    Reason.KANA_DIFF: Verdict.REVIEW,
    Reason.BIRTHDATE_DIFF: Verdict.REVIEW,
    Reason.SEX_DIFF: Verdict.REVIEW,
    Reason.ADDRESS_DIFF: Verdict.REVIEW,
    Reason.REMOVED: Verdict.REVIEW,
    Reason.REGISTER_NUMBER: Verdict.REVIEW,
    Reason.FAMILY_MEMBER: Verdict.SUSPECT,
    Reason.HOMONYM: Verdict.SUSPECT,
    Reason.ROW_SHIFT: Verdict.SUSPECT,
    Reason.CARRY_OVER: Verdict.SUSPECT,
    Reason.DUPLICATE_NUMBER: Verdict.SUSPECT,
    Reason.NOT_IN_REGISTER: Verdict.INVALID,
    Reason.CHECK_DIGIT: Verdict.INVALID,
    Reason.MALFORMED: Verdict.INVALID,
}

REASON_LABELS: dict[Reason, str] = {
    Reason.KANJI_VARIANT: "氏名の字形差異",
    Reason.KANA_VARIANT: "フリガナの表記差異",
    Reason.ADDRESS_NOTATION: "住所の表記差異",
    Reason.NAME_NOTATION: "氏名の表記差異",
    Reason.MOVED: "転居",
    Reason.NAME_CHANGED: "氏名変更",
    Reason.GAIJI: "外字",
    Reason.NAME_DIFF: "氏名相違",
    Reason.KANA_DIFF: "フリガナ相違",
    Reason.BIRTHDATE_DIFF: "生年月日相違",
    Reason.SEX_DIFF: "性別相違",
    Reason.ADDRESS_DIFF: "住所相違",
    Reason.REMOVED: "消除者",
    Reason.REGISTER_NUMBER: "住民記録側の番号の重複・不正",
    Reason.FAMILY_MEMBER: "世帯員の番号",
    Reason.HOMONYM: "同姓同名同生年月日の別人",
    Reason.ROW_SHIFT: "行ずれ",
    Reason.CARRY_OVER: "前の来庁者の番号",
    Reason.DUPLICATE_NUMBER: "番号の重複",
    Reason.NOT_IN_REGISTER: "住民記録に番号なし",
    Reason.CHECK_DIGIT: "チェックデジット不正",
    Reason.MALFORMED: "形式不正",
}


def least_verdict(reason: Reason) -> Verdict:
    return LEAST_VERDICT[reason]
