"""Wrong linkages and damaged values injected into the extracts, with ground truth.

A rate is the expected share of all records of the world that carry that error. Each type can
only occur where its pattern is possible (a carry-over needs a previous visitor on the same
terminal, a family-member mix-up a household of two or more ...), so the records eligible for a
type are drawn with probability rate * records / eligible: the expected count is exactly
rate * records whatever the eligibility, and types are exclusive per record.

Default rates follow the 2023 inspection: 8,351 wrong linkages in 82.08 million records
(0.010%), most of them a family member's number (10 of Shimane's 12), then 同姓同名 strangers
(47 of Shizuoka's 62), shared terminals (940 suspected of 56M 公金受取口座 records) and batch
keying slips. Benchmark worlds raise every rate so each type has hundreds of cases.
"""

from __future__ import annotations

import itertools
import random
from collections.abc import Callable

from himoken.synth.businesses import BATCH_METHODS, COUNTER, Linkage
from himoken.synth.draws import below, pick
from himoken.synth.numbers import (
    NOT_IN_REGISTER_BASE,
    NumberSpace,
    typo_failing_check,
    typo_passing_check,
)
from himoken.synth.people import Person

FAMILY_MEMBER = "FAMILY_MEMBER"
HOMONYM = "HOMONYM"
CARRY_OVER = "CARRY_OVER"
ROW_SHIFT = "ROW_SHIFT"
DUPLICATE_NUMBER = "DUPLICATE_NUMBER"
TYPO_VALID = "TYPO_VALID"
CHECK_DIGIT = "CHECK_DIGIT"
NOT_IN_REGISTER = "NOT_IN_REGISTER"
EXCEL_DAMAGE = "EXCEL_DAMAGE"
MALFORMED_ROW = "MALFORMED_ROW"

# Injected in this order: the types with the narrowest eligibility first.
DEFAULT_RATES: dict[str, float] = {
    CARRY_OVER: 0.00001,
    ROW_SHIFT: 0.000005,
    HOMONYM: 0.00002,
    FAMILY_MEMBER: 0.00004,
    DUPLICATE_NUMBER: 0.000005,
    TYPO_VALID: 0.000005,
    CHECK_DIGIT: 0.00002,
    NOT_IN_REGISTER: 0.00001,
    EXCEL_DAMAGE: 0.00005,
    MALFORMED_ROW: 0.00005,
}
ERROR_TYPES = tuple(DEFAULT_RATES)
# The types that put another person's number (or no valid number) on the record.
WRONG_NUMBER_TYPES = frozenset(ERROR_TYPES) - {EXCEL_DAMAGE, MALFORMED_ROW}

# Types any record can carry (no pattern needed).
_ANY_RECORD = frozenset(
    {DUPLICATE_NUMBER, TYPO_VALID, CHECK_DIGIT, NOT_IN_REGISTER, EXCEL_DAMAGE, MALFORMED_ROW}
)

MALFORMED_KINDS = ("UNDECODABLE", "MISSING_FIELDS", "DUPLICATE_ID")


class Injector:
    """Injects errors into one chunk's linkages (all businesses together)."""

    def __init__(
        self,
        linkages: list[Linkage],
        people: list[Person],
        numbers: NumberSpace,
        chunk: int,
        rng: random.Random,
    ) -> None:
        self.linkages = linkages
        self.people = people
        self.numbers = numbers
        self.chunk = chunk
        self.rng = rng
        self.malformed: dict[int, str] = {}  # id(linkage) -> malformed kind
        self._foreign_numbers = 0
        self._twins_used: set[int] = set()
        self._previous_visitor, self._next_row = _neighbours(linkages)

    def inject(self, rates: dict[str, float], total_records: int) -> None:
        """total_records: records of the whole chunk, the base of every rate."""
        handlers: dict[str, Callable[[Linkage], bool]] = {
            CARRY_OVER: self._carry_over,
            ROW_SHIFT: self._row_shift,
            HOMONYM: self._homonym,
            FAMILY_MEMBER: self._family_member,
            DUPLICATE_NUMBER: self._duplicate_number,
            TYPO_VALID: self._typo_valid,
            CHECK_DIGIT: self._check_digit,
            NOT_IN_REGISTER: self._not_in_register,
            EXCEL_DAMAGE: self._excel_damage,
            MALFORMED_ROW: self._malformed_row,
        }
        for error_type in ERROR_TYPES:
            rate = rates.get(error_type, 0.0)
            if rate <= 0:
                continue
            handler = handlers[error_type]
            if error_type in _ANY_RECORD:
                eligible = self.linkages
                count = sum(1 for x in eligible if not x.error)
            else:
                eligible = [
                    x for x in self.linkages if not x.error and self._eligible(error_type, x)
                ]
                count = len(eligible)
            if not count:
                continue
            probability = min(1.0, rate * total_records / count)
            for linkage in eligible:
                if self.rng.random() < probability and not linkage.error and handler(linkage):
                    linkage.error = error_type

    # -- eligibility

    def _eligible(self, error_type: str, x: Linkage) -> bool:
        if error_type == CARRY_OVER:
            return x.method == COUNTER and self._other_household(
                self._previous_visitor.get(id(x)), x
            )
        if error_type == ROW_SHIFT:
            return x.method in BATCH_METHODS and self._other_household(self._next_row.get(id(x)), x)
        if error_type == HOMONYM:
            person = x.person
            return not person.foreign and person.age >= 18 and person.name_on(x.day) is person.name
        if error_type == FAMILY_MEMBER:
            return len(x.person.members) > 1
        raise ValueError(error_type)

    @staticmethod
    def _other_household(other: Linkage | None, x: Linkage) -> bool:
        return other is not None and other.person.household != x.person.household

    # -- handlers: set x.number (and x.error through inject); False when not possible

    def _carry_over(self, x: Linkage) -> bool:
        x.number = self._previous_visitor[id(x)].person.number
        return True

    def _row_shift(self, x: Linkage) -> bool:
        x.number = self._next_row[id(x)].person.number
        return True

    def _homonym(self, x: Linkage) -> bool:
        """Make a stranger living alone share the client's name, birth date and sex, and link
        the stranger's number (the 住基ネット query without the address found the wrong one)."""
        owner = x.person
        candidates = [
            p
            for p in self.people
            if len(p.members) == 1
            and p.sex == owner.sex
            and not p.foreign
            and p.household != owner.household
            and p.index not in self._twins_used
            and not p.former_names
            and not p.removal
        ]
        if not candidates:
            return False
        twin = pick(self.rng, candidates)
        twin.become_namesake_of(owner)
        self._twins_used.add(twin.index)
        self._twins_used.add(owner.index)
        x.number = twin.number
        return True

    def _family_member(self, x: Linkage) -> bool:
        others = [p for p in x.person.members if p is not x.person]
        # Parent for child, child for parent: the applicant's own number is the usual slip.
        x.number = pick(self.rng, others).number
        return True

    def _duplicate_number(self, x: Linkage) -> bool:
        others = [
            o
            for o in self.linkages
            if o.business is x.business and o.person.household != x.person.household and not o.error
        ]
        if not others:
            return False
        x.number = pick(self.rng, others).person.number
        return True

    def _typo_valid(self, x: Linkage) -> bool:
        x.number = typo_passing_check(x.person.number, self.rng)
        return True

    def _check_digit(self, x: Linkage) -> bool:
        x.number = typo_failing_check(x.person.number, self.rng)
        return True

    def _not_in_register(self, x: Linkage) -> bool:
        self._foreign_numbers += 1
        x.number = self.numbers.number(
            NOT_IN_REGISTER_BASE + self.chunk * 100_000 + self._foreign_numbers
        )
        return True

    def _excel_damage(self, x: Linkage) -> bool:
        number = x.person.number
        if number.startswith("0") and self.rng.random() < 0.5:
            x.number = str(int(number))  # the leading zero(s) lost
        else:
            x.number = f"{int(number):.5E}"  # 1.23457E+11
        return True

    def _malformed_row(self, x: Linkage) -> bool:
        self.malformed[id(x)] = MALFORMED_KINDS[below(self.rng, len(MALFORMED_KINDS))]
        return True


def _neighbours(linkages: list[Linkage]) -> tuple[dict[int, Linkage], dict[int, Linkage]]:
    """(previous on the same counter terminal, next row in the same batch), keyed by id()."""
    by_terminal: dict[tuple[str, str], list[Linkage]] = {}
    by_batch: dict[str, list[Linkage]] = {}
    for x in linkages:
        if x.method == COUNTER:
            by_terminal.setdefault((x.business.slug, x.terminal), []).append(x)
        elif x.batch:
            by_batch.setdefault(x.batch, []).append(x)
    previous_visitor: dict[int, Linkage] = {}
    next_row: dict[int, Linkage] = {}
    for group in by_terminal.values():
        group.sort(key=lambda x: x.order)
        for before, after in itertools.pairwise(group):
            previous_visitor[id(after)] = before
    for group in by_batch.values():
        group.sort(key=lambda x: x.order)
        for row, following in itertools.pairwise(group):
            next_row[id(row)] = following
    return previous_visitor, next_row
