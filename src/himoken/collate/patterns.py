"""The 2023 error patterns: evidence that a flagged record's number belongs to someone else.

Each check looks beyond the record and its linked entry (spec §7): at the records sharing its
number (DUPLICATE_NUMBER), at its neighbours in a 登録バッチ or on a 登録端末 (ROW_SHIFT,
CARRY_OVER), at the register entry that fits the record best (the true-owner search) and its
household (FAMILY_MEMBER, HOMONYM), and settles what the record alone left open (a move known
only from 住所異動日). They run on the few records the record-local classifier did not clear.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from himoken.collate.classify import IDENTITY_ITEMS, Assessment, Item, value
from himoken.collate.verdicts import Reason
from himoken.compare import addresses, dates, names
from himoken.normalize.names import normalize, split

PARTIAL_QUERY = "住基ネット照会(一部情報)"


@dataclass(slots=True)
class Pending:
    """A record the record-local classifier left open, with what the checks read."""

    ordinal: int
    assessment: Assessment
    record: dict[str, str]
    entry: dict[str, str] | None
    number: str | None  # the linked number, when well formed

    @property
    def identity_differs(self) -> bool:
        return bool(self.assessment.differing & {Item.NAME, Item.BIRTH})


def same_person(a: Mapping[str, str], b: Mapping[str, str]) -> bool:
    """Name and birth date agree beyond notation (a record with an entry, or two records)."""
    name = names.compare(value(a, "氏名"), value(b, "氏名"))
    if name.level not in names.AGREES:
        return False
    return dates.compare(value(a, "生年月日"), value(b, "生年月日")).level in dates.AGREES


def _surname(name: str) -> str | None:
    parts = split(name)
    return normalize(parts[0]).folded if parts else None


def check_duplicate(pending: Pending, sharing: Sequence[Mapping[str, str]]) -> None:
    """DUPLICATE_NUMBER: the number is also linked to a record of a different person."""
    others = [r for r in sharing if r["ordinal"] != pending.ordinal]
    strangers = [r for r in others if not same_person(pending.record, r)]
    if not strangers:
        return
    rows = "・".join(str(r["ordinal"]) for r in strangers[:3])
    if pending.entry is not None and not pending.identity_differs:
        pending.assessment.note(f"この番号は別人の事務データ(データ行{rows})にも紐付いている")
        return
    pending.assessment.add(
        Reason.DUPLICATE_NUMBER, f"同じ番号が別人の事務データ(データ行{rows})にも紐付いている"
    )


def check_neighbours(
    pending: Pending,
    neighbours: Mapping[str, int | None],
    records: Mapping[int, Mapping[str, str]],
) -> None:
    """ROW_SHIFT / CARRY_OVER: the linked entry is the person of a neighbouring record."""
    if pending.entry is None or not pending.identity_differs:
        return
    for key, reason, where in (
        ("batch_before", Reason.ROW_SHIFT, "同じバッチの前の行"),
        ("batch_after", Reason.ROW_SHIFT, "同じバッチの次の行"),
        ("terminal_before", Reason.CARRY_OVER, "同じ端末で直前に登録した人"),
        ("operator_before", Reason.CARRY_OVER, "同じ登録者が直前に登録した人"),
    ):
        ordinal = neighbours.get(key)
        neighbour = records.get(ordinal) if ordinal is not None else None
        if neighbour is None or same_person(pending.record, neighbour):
            continue
        if same_person(neighbour, pending.entry):
            row = f"(データ行{ordinal})" if ordinal > 0 else ""  # 0: not a row of a file
            pending.assessment.add(reason, f"紐付いた番号は{where}{row}の人のもの")
            return


def check_owner(
    pending: Pending,
    candidate_number: str,
    candidate: Mapping[str, str] | None,
    evidence: str,
    application_mates: Sequence[str] = (),
    register_has_households: bool = True,
) -> None:
    """A register entry fits the record better than the linked one: name it (候補個人番号),
    and say whether it is the linked person's household member or a namesake."""
    assessment = pending.assessment
    assessment.candidate = candidate_number
    if pending.entry is None:
        assessment.note(f"候補: {evidence}")
        return
    assessment.candidate_fits_better = True
    assessment.note(f"住民記録に事務側とよりよく合う人がいる({evidence})")
    if candidate is None:
        return
    if assessment.name_and_birth_agree and same_person(candidate, pending.entry):
        assessment.soft.discard(Reason.HOMONYM)
        assessment.add(Reason.HOMONYM, "紐付いた人は氏名・生年月日が同じ別人")
    elif pending.identity_differs and _household_members(
        pending.entry, candidate, application_mates, register_has_households
    ):
        assessment.add(Reason.FAMILY_MEMBER, "紐付いた番号は同じ世帯の別の人のもの")


def _household_members(
    entry: Mapping[str, str],
    candidate: Mapping[str, str],
    application_mates: Sequence[str],
    register_has_households: bool,
) -> bool:
    """Spec §7: same 世帯番号 where the register has it, else same address (room included)
    and same surname or same 申請書番号."""
    if register_has_households:
        household = value(entry, "世帯番号")
        return bool(household) and household == value(candidate, "世帯番号")
    same_place = addresses.compare(value(entry, "住所"), value(candidate, "住所"))
    if same_place.level not in addresses.SAME_PLACE:
        return False
    surname = _surname(value(entry, "氏名"))
    return (surname is not None and surname == _surname(value(candidate, "氏名"))) or (
        value(entry, "個人番号") in application_mates
    )


def check_family_without_candidate(pending: Pending, register_has_households: bool) -> None:
    """A register without 世帯番号 and no better entry found, but the linked entry lives at
    the record's address with the record's surname and is another person (two identity items
    differ): the number of someone in the record holder's household (spec §7)."""
    if register_has_households or pending.entry is None:
        return
    if len(pending.assessment.differing & IDENTITY_ITEMS) < 2:
        return
    if Reason.FAMILY_MEMBER in pending.assessment.reasons:
        return
    record, entry = pending.record, pending.entry
    same_place = addresses.compare(value(record, "住所"), value(entry, "住所"))
    if same_place.level not in addresses.SAME_PLACE:
        return
    surname = _surname(value(record, "氏名"))
    if surname is not None and surname == _surname(value(entry, "氏名")):
        pending.assessment.add(
            Reason.FAMILY_MEMBER, "紐付いた番号は同じ住所・同じ氏の別の人(世帯員)のもの"
        )


def settle_weak_move(pending: Pending) -> None:
    """A move known only from 住所異動日 > 紐付け日 explains the address (EXPLAINED) when the
    linkage was not a partial-information query and no other entry fits better."""
    assessment = pending.assessment
    if not assessment.weak_move:
        return
    if value(pending.record, "紐付け方法") == PARTIAL_QUERY or assessment.candidate_fits_better:
        return
    assessment.drop(Reason.ADDRESS_DIFF)
    assessment.differing.discard(Item.ADDRESS)
    assessment.add(Reason.MOVED)


def check_namesakes(
    pending: Pending, namesakes: Sequence[Mapping[str, str]], form_households: set[str]
) -> None:
    """The linked entry shares name and birth date with other residents and the owner search
    could not tell them apart (no address on the record, or an address none has now). One of
    them is the owner when it alone had the record's address before (前住所), or alone lives
    in the household of a record on the same 申請書番号."""
    assessment = pending.assessment
    if assessment.candidate or not assessment.name_and_birth_agree or not namesakes:
        return
    address = value(pending.record, "住所")
    by_history = [
        n for n in namesakes
        if address and any(
            addresses.compare(address, old).level in addresses.SAME_PLACE
            for old in value(n, "前住所").split(";") if old.strip()
        )
    ]  # fmt: skip
    by_form = [n for n in namesakes if value(n, "世帯番号") in form_households]
    if len(by_history) == 1:
        owner, why = by_history[0], "事務側の住所は、氏名・生年月日が同じ別の住民の前住所"
    elif len(by_form) == 1:
        owner, why = by_form[0], "同じ申請書の他の記録の世帯に、氏名・生年月日が同じ別の住民がいる"
    else:
        return
    assessment.soft.discard(Reason.HOMONYM)
    assessment.candidate = value(owner, "個人番号")
    assessment.candidate_fits_better = True
    assessment.add(Reason.HOMONYM, why)
