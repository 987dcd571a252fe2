"""Entry-time verification: check a number before a business system saves it for a person.

The engine's own judgement of one record against the register, made at the moment of linking
instead of months later: the record-local comparison (`collate.check`), then the set-wise
checks a single record allows — the true-owner search among the entries the model's blocking
rules reach (`collate.owner_score`), the 2023 patterns it reveals (FAMILY_MEMBER: the number
of a household member; HOMONYM: of a 同姓同名 stranger), CARRY_OVER (the number of the person
served just before on this terminal), namesakes that cannot be told apart — in the engine's
order and with its words, so a check here says what a collation would say of the record.

Decisions: MATCH is accepted; NOTATION and EXPLAINED are accepted with a note; REVIEW, SUSPECT
and INVALID stop the linkage (a second person may override: the web app records that).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from enum import StrEnum
from typing import Any

from himoken.collate import check, linked, patterns
from himoken.collate.classify import Assessment, EntryState, Options
from himoken.collate.keys import person_keys
from himoken.collate.owner_score import best_candidate
from himoken.collate.stage import birth_key
from himoken.collate.verdicts import Reason, Verdict
from himoken.mynumber import mask, parse
from himoken.prevention.register_index import RegisterIndex, entry_columns, model_columns


class Decision(StrEnum):
    ACCEPT = "accept"
    ACCEPT_WITH_NOTE = "accept_with_note"
    STOP = "stop"


DECISIONS: dict[Verdict, Decision] = {
    Verdict.MATCH: Decision.ACCEPT,
    Verdict.NOTATION: Decision.ACCEPT_WITH_NOTE,
    Verdict.EXPLAINED: Decision.ACCEPT_WITH_NOTE,
    Verdict.REVIEW: Decision.STOP,
    Verdict.SUSPECT: Decision.STOP,
    Verdict.INVALID: Decision.STOP,
}
# The 2023 patterns named as warnings of their own.
PATTERNS = (Reason.FAMILY_MEMBER, Reason.HOMONYM, Reason.CARRY_OVER)
# The columns of a check request (the record's person and how it is being linked), by the
# English names the API and the JSON of results use.
REQUEST_FIELDS = {
    "number": "個人番号", "name": "氏名", "reading": "氏名フリガナ", "birth_date": "生年月日",
    "sex": "性別", "address": "住所", "linked_on": "紐付け日", "method": "紐付け方法",
    "operator": "登録者", "terminal": "登録端末",
}  # fmt: skip
REQUEST_COLUMNS = tuple(REQUEST_FIELDS.values())


def request_record(fields: Mapping[str, str]) -> dict[str, str]:
    """A record in the contract's columns from request fields named as in REQUEST_FIELDS."""
    return {REQUEST_FIELDS[name]: value for name, value in fields.items() if name in REQUEST_FIELDS}


@dataclass(frozen=True, slots=True)
class Suggestion:
    """The register entry that fits the person better than the number's own entry."""

    number: str
    name: str
    reading: str
    birth_date: str
    sex: str
    address: str
    evidence: str  # 「氏名・生年月日・性別・住所が一致」


@dataclass(frozen=True, slots=True)
class EntryResult:
    decision: Decision
    verdict: Verdict
    reasons: tuple[Reason, ...]  # the deciding reason first
    explanation: str  # 説明, as results.csv words it
    warnings: tuple[Reason, ...]  # the 2023 patterns found (PATTERNS)
    suggestion: Suggestion | None

    def as_dict(self, show_numbers: bool = True) -> dict[str, Any]:
        """The JSON form of the API and `himoken verify` (the suggestion's number masked on
        ask)."""
        suggestion = None
        if self.suggestion is not None:
            s = self.suggestion
            suggestion = {
                "number": s.number if show_numbers else mask(s.number), "name": s.name,
                "reading": s.reading, "birth_date": s.birth_date, "sex": s.sex,
                "address": s.address, "evidence": s.evidence,
            }  # fmt: skip
        return {
            "decision": self.decision.value,
            "verdict": self.verdict.name,
            "reasons": [r.name for r in self.reasons],
            "warnings": [r.name for r in self.warnings],
            "explanation": self.explanation,
            "suggestion": suggestion,
        }


class EntryChecker:
    """Checks records against one register index; safe to share between threads."""

    def __init__(self, index: RegisterIndex, options: Options = Options()) -> None:  # noqa: B008
        self.index = index
        self.options = options

    def check(
        self,
        record: Mapping[str, str | None],
        previous: Mapping[str, str | None] | None = None,
    ) -> EntryResult:
        """Judge `record` (REQUEST_COLUMNS; the others are ignored). `previous`: the person
        checked just before on the same terminal (their record), for CARRY_OVER."""
        record = {c: (record.get(c) or "").strip() for c in REQUEST_COLUMNS}
        number = parse(record["個人番号"]).number
        rows = self.index.entries_of(number) if number else []
        first = rows[0] if rows else None  # the engine compares with the first in order
        entry = entry_columns(first) if first is not None else None
        state = EntryState.FOUND
        if len(rows) > 1:
            state = EntryState.REPEATED
        elif first is not None and not first["number_valid"]:
            state = EntryState.INVALID_NUMBER
        assessment = check.assess(record, entry, self.options, state)
        # The linked entry's namesakes, looked up only where a check reads them.
        namesakes: list[dict[str, str]] | None = None
        if first is not None and not record["住所"]:
            namesakes = self.index.namesakes(first)
            if namesakes:  # as the engine: no address to tell them apart (spec §6 HOMONYM)
                assessment = assessment or Assessment(name_and_birth_agree=True, searchable=True)
                if assessment.name_and_birth_agree:
                    assessment.add(
                        Reason.HOMONYM, "住所がなく、氏名・生年月日が同じ住民が他にもいる"
                    )
                    assessment.soft.add(Reason.HOMONYM)
        assessment = assessment or Assessment()
        evidence = ""
        if linked.needs_owner(assessment):
            pending = patterns.Pending(0, assessment, record, entry, number)
            if previous is not None:
                mate = {c: (previous.get(c) or "").strip() for c in REQUEST_COLUMNS}
                patterns.check_neighbours(pending, {"terminal_before": 0}, {0: mate})
            evidence = self._owner(pending, first)
            if (first is not None and assessment.name_and_birth_agree
                    and not assessment.candidate and assessment.verdict.flagged):  # fmt: skip
                # As run._namesakes: a flagged record whose entry's namesakes the owner search
                # could not tell apart.
                if namesakes is None:
                    namesakes = self.index.namesakes(first)
                patterns.check_namesakes(pending, namesakes, set())
            patterns.check_family_without_candidate(pending, self.index.has_households)
            patterns.settle_weak_move(pending)
        result = check.result_of(assessment)
        return EntryResult(
            decision=DECISIONS[result.verdict],
            verdict=result.verdict,
            reasons=result.reasons,
            explanation=result.explanation,
            warnings=tuple(r for r in result.reasons if r in PATTERNS),
            suggestion=self._suggestion(assessment, evidence),
        )

    def check_in_order(
        self,
        records: Iterable[Mapping[str, str | None]],
        last: dict[str, Mapping[str, str | None]] | None = None,
    ) -> list[EntryResult]:
        """Check records in the order they were keyed, each against the person checked just
        before on its 登録端末: earlier in `records`, else in `last` (each terminal's last
        person, updated here as the records are checked)."""
        last = {} if last is None else last
        results = []
        for record in records:
            terminal = (record.get("登録端末") or "").strip()
            results.append(self.check(record, last.get(terminal) if terminal else None))
            if terminal:
                last[terminal] = record
        return results

    def _owner(self, pending: patterns.Pending, first: Mapping[str, Any] | None) -> str:
        """The true-owner search for one record, as the engine's (run._owners); the evidence
        of the candidate it names ("" if none)."""
        record = pending.record
        linked_address = (first or {}).get("住所")
        keyed = person_keys(
            [record["氏名"] or None],
            [record["氏名フリガナ"] or None],
            [birth_key(record["生年月日"] or None)],
            [record["性別"] or None],
            [record["住所"] or None],
            address_hint=[linked_address],
            gaiji_table=dict(self.options.gaiji_table),
        ).to_pylist()[0]
        keyed["given_key"] = keyed["given_folded"]  # as owner.searched_inputs
        reachable = self.index.reachable(keyed, first if pending.entry is not None else None)
        linked_number = pending.number if pending.entry is not None else None
        candidate = best_candidate(keyed, linked_number, [model_columns(r) for r in reachable])
        if candidate is None or not candidate.fits_better:
            return ""
        patterns.check_owner(
            pending,
            candidate.number,
            self.index.entry(candidate.number),
            candidate.evidence,
            (),
            self.index.has_households,
        )
        return candidate.evidence

    def _suggestion(self, assessment: Assessment, evidence: str) -> Suggestion | None:
        """The entry named 候補個人番号, by the owner search or among namesakes."""
        entry = self.index.entry(assessment.candidate) if assessment.candidate else None
        if entry is None:
            return None
        return Suggestion(
            assessment.candidate, entry["氏名"], entry["氏名フリガナ"], entry["生年月日"],
            entry["性別"], entry["住所"], evidence,
        )  # fmt: skip
