"""Record-local verdicts: one record against the register entry of its number (spec §6, §7).

Everything that can be decided from the record and its linked entry alone is decided here, in
column batches so that the comparators' caches and the absence of per-row SQL keep it fast:
the number's problems (INVALID), the entry's state (removed, repeated or invalid number), the
five comparisons, and the register's history (MOVED, NAME_CHANGED). The cross-record patterns
(FAMILY_MEMBER, HOMONYM, ROW_SHIFT, CARRY_OVER, DUPLICATE_NUMBER) and the true-owner search
build on the Assessment made here (see `patterns`).
"""

from __future__ import annotations

import functools
from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from enum import StrEnum

from himoken.collate import history
from himoken.collate.verdicts import Reason, Verdict, least_verdict
from himoken.compare import addresses, dates, kana, names, sex
from himoken.compare.addresses import AddressLevel
from himoken.compare.dates import DateLevel
from himoken.compare.kana import KanaLevel
from himoken.compare.names import NameLevel
from himoken.compare.outcome import Outcome
from himoken.compare.sex import SexLevel
from himoken.normalize.names import has_gaiji

# The order reasons are listed in 理由 among those of the same verdict: identity first.
REASON_ORDER: tuple[Reason, ...] = tuple(Reason)


class EntryState(StrEnum):
    """What the register says about the linked number before any comparison."""

    FOUND = "found"
    NOT_FOUND = "not_found"
    REPEATED = "repeated"  # the register holds this number more than once
    INVALID_NUMBER = "invalid_number"  # the register's own number fails the check digit


class Item(StrEnum):
    """The compared items; `Assessment.differing` names those differing beyond notation."""

    NAME = "name"
    READING = "reading"
    BIRTH = "birth"
    SEX = "sex"
    ADDRESS = "address"


# Items whose difference points to another person (spec §6 SUSPECT: two or more of these).
IDENTITY_ITEMS = frozenset({Item.NAME, Item.BIRTH, Item.SEX})


@dataclass(slots=True)
class Assessment:
    """The verdict of one record so far, with what later stages need to refine it.

    The verdict is computed, never stored: the most severe of what the reasons imply, SUSPECT
    when two or more of name, birth date and sex differ (spec §6), MATCH when nothing is said.
    """

    reasons: list[Reason] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    differing: set[Item] = field(default_factory=set)
    name_and_birth_agree: bool = False  # the entry shares the record's name and birth date
    weak_move: bool = False  # ADDRESS_DIFF that 住所異動日 > 紐付け日 may yet explain (MOVED)
    searchable: bool = False  # the record has a name and birth date to search the owner by
    candidate: str = ""
    candidate_fits_better: bool = False
    # Reasons that only ask for a look here (REVIEW), e.g. HOMONYM on a record with no
    # address to tell the namesakes apart (spec §6).
    soft: set[Reason] = field(default_factory=set)

    @property
    def verdict(self) -> Verdict:
        verdict = max(
            (Verdict.REVIEW if r in self.soft else least_verdict(r) for r in self.reasons),
            default=Verdict.MATCH,
        )
        if len(self.differing & IDENTITY_ITEMS) >= 2 or self.candidate_fits_better:
            verdict = max(verdict, Verdict.SUSPECT)
        return verdict

    def add(self, reason: Reason, note: str = "") -> None:
        if reason not in self.reasons:
            self.reasons.append(reason)
        self.note(note)

    def note(self, note: str) -> None:
        if note and note not in self.notes:
            self.notes.append(note)

    def drop(self, reason: Reason) -> None:
        if reason in self.reasons:
            self.reasons.remove(reason)

    def ordered_reasons(self) -> list[Reason]:
        """The deciding reason first: by the verdict each implies, then the §7 order."""
        return sorted(self.reasons, key=lambda r: (-least_verdict(r), REASON_ORDER.index(r)))


@dataclass(frozen=True, slots=True)
class Options:
    """Profile settings that change comparisons."""

    gaiji_table: Mapping[str, str] = field(default_factory=dict)
    same_gaiji_table: bool = False


def invalid(reason: Reason, notes: Sequence[str], searchable: bool) -> Assessment:
    """A record whose number cannot be checked at all (INVALID)."""
    assessment = Assessment(searchable=searchable)
    assessment.add(reason)
    for note in notes:
        assessment.note(note)
    return assessment


def value(row: Mapping[str, str] | None, column: str) -> str:
    """A row's value of `column`, stripped; empty when the row or column is absent."""
    return ((row or {}).get(column) or "").strip()


Columns = Mapping[str, Sequence[str | None]]


def row_of(columns: Columns, index: int, names: Sequence[str]) -> dict[str, str]:
    """One row of a column batch as a mapping (only for the rows that need one)."""
    return {name: columns[name][index] or "" for name in names if name in columns}


class RowView(Mapping[str, str]):
    """One row of a column batch, read on demand (a dict per row would copy every column)."""

    __slots__ = ("columns", "index")

    def __init__(self, columns: Columns, index: int) -> None:
        self.columns = columns
        self.index = index

    def __getitem__(self, column: str) -> str:
        return self.columns[column][self.index] or ""

    def __iter__(self) -> Iterator[str]:
        return iter(self.columns)

    def __len__(self) -> int:
        return len(self.columns)


def _texts(columns: Columns, column: str, count: int) -> list[str]:
    values = columns.get(column)
    return [(v or "").strip() for v in values] if values is not None else [""] * count


def _outcomes(
    mine: list[str],
    theirs: list[str],
    compare_at: Callable[[list[int]], list[Outcome]],
    same: Outcome,
    must_compare: Callable[[str], bool] = lambda value: False,
) -> list[Outcome]:
    """Outcomes of a column pair, computed (by `compare_at`, given the row positions) only
    where the values differ as written or `must_compare` says equal text is not enough; `same`
    stands for the rest."""
    need = [
        i for i, (a, b) in enumerate(zip(mine, theirs, strict=True)) if a != b or must_compare(a)
    ]
    result = [same] * len(mine)
    if need:
        for i, outcome in zip(need, compare_at(need), strict=True):
            result[i] = outcome
    return result


def _at(compare_many: Callable[..., list[Outcome]], *columns: list[str]) -> Callable:
    """`compare_many` applied to the given row positions of `columns`."""
    return lambda need: compare_many(*([column[i] for i in need] for column in columns))


def assess_linked(
    records: Columns,
    entries: Columns,
    states: Sequence[EntryState | None],
    options: Options = Options(),
) -> list[Assessment | None]:
    """Assess records whose number is well formed and found in the register, given as column
    batches (records with the contract's columns, entries with the register's). None stands
    for a plain MATCH with nothing to say — most records — so that nothing is built for it,
    and for the rows whose state is None (no entry: the caller decides those)."""
    count = len(states)
    mine = {c: _texts(records, c, count) for c in PERSON_ITEMS}
    theirs = {c: _texts(entries, c, count) for c in PERSON_ITEMS}
    compare_names = functools.partial(
        names.compare_many,
        gaiji_table=options.gaiji_table,
        same_gaiji_table=options.same_gaiji_table,
    )
    name, reading, birth, gender, address = (mine[c] for c in PERSON_ITEMS)
    outcomes = zip(
        _outcomes(name, theirs["氏名"], _at(compare_names, name, theirs["氏名"],
                  _texts(entries, "通称", count)), _SAME_NAME, _needs_name_check),
        _outcomes(reading, theirs["氏名フリガナ"], _at(kana.compare_many, reading,
                  theirs["氏名フリガナ"]), _SAME_READING),
        dates.compare_many(birth, theirs["生年月日"]),
        sex.compare_many(gender, theirs["性別"]),
        _outcomes(address, theirs["住所"], _at(addresses.compare_many, address, theirs["住所"]),
                  _SAME_ADDRESS, _empty),
        strict=True,
    )  # fmt: skip
    removals = _texts(entries, "消除事由", count)
    assessments: list[Assessment | None] = []
    for i, (state, found) in enumerate(zip(states, outcomes, strict=True)):
        if state is None:
            assessments.append(None)
            continue
        if state is EntryState.FOUND and not removals[i] and name[i] and birth[i]:
            notes = [o.note for o in found if o.note]
            if all(o.reason is None for o in found):  # nothing differs: MATCH, maybe a note
                assessments.append(_noted(notes, found) if notes else None)
                continue
        record = {c: mine[c][i] for c in PERSON_ITEMS} | row_of(records, i, _RECORD_CONTEXT)
        entry = RowView(entries, i)
        assessments.append(_assess_one(record, entry, state, list(found), options))
    return assessments


def _noted(notes: list[str], found: Sequence[Outcome]) -> Assessment:
    """A MATCH with something to say (an era written after it ended, no address on the
    record ...): what _assess_one would make of it, without its checks."""
    agree = found[0].level in names.AGREES and found[2].level in dates.AGREES
    return Assessment(notes=notes, name_and_birth_agree=agree, searchable=True)


PERSON_ITEMS = ("氏名", "氏名フリガナ", "生年月日", "性別", "住所")
_RECORD_CONTEXT = ("紐付け日", "紐付け方法")
_SAME_NAME = Outcome(NameLevel.EXACT)
_SAME_READING = Outcome(KanaLevel.EQUAL)
_SAME_ADDRESS = Outcome(AddressLevel.SAME)


def _needs_name_check(name: str) -> bool:
    """Equal text is not enough for an empty name or one holding 外字."""
    return not name or has_gaiji(name)


def _empty(value: str) -> bool:
    return not value


# Levels at which an item differs beyond notation (evidence of another person).
_DIFFERS = {
    Item.NAME: frozenset({NameLevel.NEAR, NameLevel.DIFFERENT}),
    Item.READING: frozenset({KanaLevel.NEAR, KanaLevel.DIFFERENT}),
    Item.BIRTH: frozenset({DateLevel.NEAR, DateLevel.DIFFERENT}),
    Item.SEX: frozenset({SexLevel.DIFFERENT}),
}


def _assess_one(
    record: Mapping[str, str],
    entry: Mapping[str, str],
    state: EntryState,
    outcomes: list[Outcome],
    options: Options,
) -> Assessment:
    name, reading, birth, sex_outcome, address = outcomes
    assessment = Assessment(searchable=bool(value(record, "氏名") and value(record, "生年月日")))
    if state is EntryState.REPEATED:
        assessment.add(Reason.REGISTER_NUMBER, "住民記録にこの番号が複数ある")
    elif state is EntryState.INVALID_NUMBER:
        assessment.add(Reason.REGISTER_NUMBER, "住民記録側の番号がチェックデジット不正")
    removal = value(entry, "消除事由")
    if removal:
        assessment.add(Reason.REMOVED, f"住民記録は消除済み({removal})")

    name, birth = (
        _required(name, record, "氏名", Reason.NAME_DIFF),
        _required(birth, record, "生年月日", Reason.BIRTHDATE_DIFF),
    )
    change = None
    if name.level in _DIFFERS[Item.NAME]:
        change = history.name_change(record, entry, birth, sex_outcome, options.gaiji_table)
    if change is not None:
        assessment.add(Reason.NAME_CHANGED, change.note)
        if change.explains_reading:
            reading = Outcome(KanaLevel.EQUAL)
    else:
        _apply(assessment, name, Item.NAME)
    _apply(assessment, reading, Item.READING)
    _apply(assessment, birth, Item.BIRTH)
    _apply(assessment, sex_outcome, Item.SEX)

    move = history.move(record, entry) if address.reason is Reason.ADDRESS_DIFF else None
    if move is not None and move.strong:
        assessment.add(Reason.MOVED, move.note)
    else:
        _apply(assessment, address, Item.ADDRESS)
        if move is not None:
            assessment.weak_move = True
            assessment.note(move.note)

    assessment.name_and_birth_agree = name.level in names.AGREES and birth.level in dates.AGREES
    return assessment


def _required(outcome: Outcome, record: Mapping[str, str], column: str, reason: Reason) -> Outcome:
    """A required value the record leaves empty cannot be confirmed: REVIEW, not evidence of
    another person (the level stays MISSING)."""
    if outcome.reason is None and not value(record, column):
        return Outcome(outcome.level, reason, (), f"事務側の{column}が空欄")
    return outcome


def _apply(assessment: Assessment, outcome: Outcome, item: Item) -> None:
    """Record a comparison: its reason raises the verdict, its note goes to 説明."""
    if outcome.reason is not None:
        assessment.add(outcome.reason, outcome.note)
        if outcome.reason is Reason.ADDRESS_DIFF or outcome.level in _DIFFERS.get(item, ()):
            assessment.differing.add(item)
    else:
        assessment.note(outcome.note)
