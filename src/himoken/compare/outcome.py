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
    """Reason codes of spec §7 that comparators produce (plus the NAME_NOTATION extension)."""

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
