"""What every comparator returns: a level, the spec §7 reason it implies, and its evidence.

Comparators are small and composable, like Splink's comparison levels: each compares one kind
of value (name, reading, birth date, sex, address) and returns an Outcome whose `level` is one
of that comparator's ordered levels (best first). The collation engine turns levels into
verdicts and risk; clerks read `note`, a short Japanese fragment such as 「氏名の字形差異(髙→高)」.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

# How notes name the two sides of a comparison: the record (spec §3), the register (spec §2).
SIDES = ("事務側", "住民記録側")


class Reason(StrEnum):
    """Reason codes of spec §7 (plus the NAME_NOTATION extension). Comparators produce the
    first ten; the collation engine adds history, pattern and number reasons."""

    KANJI_VARIANT = "KANJI_VARIANT"
    KANA_VARIANT = "KANA_VARIANT"
    ADDRESS_NOTATION = "ADDRESS_NOTATION"
    # Extension of the contract: Latin-letter names that differ only in the order of family
    # and given names or in a middle name, or a name given as the registered 通称.
    NAME_NOTATION = "NAME_NOTATION"
    GAIJI = "GAIJI"
    NAME_DIFF = "NAME_DIFF"
    KANA_DIFF = "KANA_DIFF"
    BIRTHDATE_DIFF = "BIRTHDATE_DIFF"
    SEX_DIFF = "SEX_DIFF"
    ADDRESS_DIFF = "ADDRESS_DIFF"
    MOVED = "MOVED"
    NAME_CHANGED = "NAME_CHANGED"
    REMOVED = "REMOVED"
    # Extension of the contract: the register holds the linked number more than once, or with
    # a failing check digit (spec §2 asks for REVIEW and names no code).
    REGISTER_NUMBER = "REGISTER_NUMBER"
    FAMILY_MEMBER = "FAMILY_MEMBER"
    HOMONYM = "HOMONYM"
    ROW_SHIFT = "ROW_SHIFT"
    CARRY_OVER = "CARRY_OVER"
    DUPLICATE_NUMBER = "DUPLICATE_NUMBER"
    NOT_IN_REGISTER = "NOT_IN_REGISTER"
    CHECK_DIGIT = "CHECK_DIGIT"
    MALFORMED = "MALFORMED"


@dataclass(frozen=True, slots=True)
class Outcome:
    """The result of comparing one value of a record with one of the register.

    level: the comparator's level (a StrEnum member; its order of definition is best first).
    reason: the spec §7 reason the level implies; None when the values are equal after
        mechanical canonicalisation only (width, case, spacing, kana script, date format,
        sex code), or when one side is missing.
    evidence: machine-readable details, e.g. ("髙→高",) or ("1985-03-01", "1985-03-10").
    note: a short Japanese fragment for 説明; empty when there is nothing to say.
    """

    level: StrEnum
    reason: Reason | None = None
    evidence: tuple[str, ...] = ()
    note: str = ""

    @property
    def rank(self) -> int:
        """0 for the best level of its comparator, rising as agreement falls."""
        return list(type(self.level)).index(self.level)
