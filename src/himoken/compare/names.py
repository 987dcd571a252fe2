"""Compare a record's name with the register's: exact, variant, notation, 外字, near, different.

Levels, best first:
- exact: equal after mechanical canonicalisation (width, case, spacing, IVS) — a MATCH.
- variant: equal after kanji variant folding (髙→高) — KANJI_VARIANT.
- notation: a Latin-letter name with family/given order swapped or a middle name on one side
  only, or the record holds the register's 通称 — NAME_NOTATION (an extension of spec §7).
- gaiji: equal except where a side holds 外字 nobody can compare — GAIJI (spec: REVIEW).
- near: one character differs after folding (太/大, 斎/斉) — NAME_DIFF.
- different — NAME_DIFF.
- missing: a side is empty — no reason (checked on what the record has).
"""

from __future__ import annotations

import functools
from collections.abc import Mapping, Sequence
from enum import StrEnum

from himoken.compare.outcome import Outcome, Reason
from himoken.normalize.names import NormalizedName, are_variants, normalize, standardness


class NameLevel(StrEnum):
    EXACT = "exact"
    VARIANT = "variant"
    NOTATION = "notation"
    GAIJI = "gaiji"
    NEAR = "near"
    DIFFERENT = "different"
    MISSING = "missing"


# Levels at which two names are the same name (as written, or up to variants and notation).
AGREES = frozenset({NameLevel.EXACT, NameLevel.VARIANT, NameLevel.NOTATION})


def _pair(record: NormalizedName, register: NormalizedName) -> str:
    return f"{record.text}/{register.text}"


def _one_substitution(a: str, b: str) -> bool:
    return len(a) == len(b) and sum(x != y for x, y in zip(a, b, strict=True)) == 1


def _variant_pairs(record: NormalizedName, register: NormalizedName) -> tuple[str, ...] | None:
    """Folds that make two names equal character by character ("髙→高"), or None."""
    if len(record.text) != len(register.text):
        return None
    folds = []
    for mine, theirs in zip(record.text, register.text, strict=True):
        if mine == theirs:
            continue
        if not are_variants(mine, theirs):
            return None
        # Written from the less standard form to the more standard one: 髙→高.
        standard, other = sorted((mine, theirs), key=standardness)
        folds.append(f"{other}→{standard}")
    return tuple(dict.fromkeys(folds))


def _matches_except_gaiji(record: NormalizedName, register: NormalizedName) -> bool:
    """Equal where neither side holds 外字 (both texts the same length)."""
    if len(record.folded) != len(register.folded):
        return False
    unknown = set(record.gaiji) | set(register.gaiji)
    return all(
        a == b
        for i, (a, b) in enumerate(zip(record.folded, register.folded, strict=True))
        if i not in unknown
    )


def _latin_notation(record: NormalizedName, register: NormalizedName) -> str | None:
    """Why two Latin-letter names are the same name written differently, or None."""
    mine, theirs = record.parts, register.parts
    if sorted(mine) == sorted(theirs):
        return "姓名の順序"
    small, large = sorted((set(mine), set(theirs)), key=len)
    if len(small) >= 2 and small < large:
        return "ミドルネームの有無"
    return None


def compare_normalized(
    record: NormalizedName,
    register: NormalizedName,
    aliases: Sequence[NormalizedName] = (),
    same_gaiji_table: bool = False,
) -> Outcome:
    """Compare normalized names; `aliases` are the register's 通称 for the person.

    The same private-use code on both sides is the same character only when the profile says
    both systems share one 外字 table (`same_gaiji_table`, spec §5)."""
    if record.empty or register.empty:
        return Outcome(NameLevel.MISSING)
    comparable = same_gaiji_table or not (record.gaiji or register.gaiji)
    if record.text == register.text and comparable:
        return Outcome(NameLevel.EXACT)
    folds = _variant_pairs(record, register) if comparable else None
    if folds:
        return Outcome(
            NameLevel.VARIANT, Reason.KANJI_VARIANT, folds,
            f"氏名の字形差異({'、'.join(folds)})",
        )  # fmt: skip
    if record.latin and register.latin:
        why = _latin_notation(record, register)
        if why:
            return Outcome(
                NameLevel.NOTATION, Reason.NAME_NOTATION, (why,), f"氏名の表記差異({why})"
            )
    for alias in aliases:
        if not alias.empty and record.folded == alias.folded:
            return Outcome(
                NameLevel.NOTATION, Reason.NAME_NOTATION, ("通称",), "氏名は住民票の通称と一致"
            )
    if not comparable and _matches_except_gaiji(record, register):
        codes = tuple(
            f"U+{ord(name.text[i]):04X}" for name in (record, register) for i in name.gaiji
        )
        return Outcome(
            NameLevel.GAIJI, Reason.GAIJI, codes,
            f"氏名に照合できない外字({'、'.join(codes)})、他の文字は一致",
        )  # fmt: skip
    if _one_substitution(record.folded, register.folded):
        return Outcome(
            NameLevel.NEAR, Reason.NAME_DIFF, (_pair(record, register),),
            f"氏名が1字異なる({_pair(record, register)})",
        )  # fmt: skip
    return Outcome(
        NameLevel.DIFFERENT, Reason.NAME_DIFF, (_pair(record, register),),
        f"氏名が異なる({_pair(record, register)})",
    )  # fmt: skip


@functools.lru_cache(maxsize=1 << 18)
def compare(record: str, register: str) -> Outcome:
    """Compare a record's name with the register's (no 外字 table, no 通称)."""
    return compare_normalized(normalize(record), normalize(register))


def compare_many(
    records: Sequence[str],
    registers: Sequence[str],
    aliases: Sequence[str] | None = None,
    gaiji_table: Mapping[str, str] | None = None,
    same_gaiji_table: bool = False,
) -> list[Outcome]:
    """Compare two name columns row by row; repeated values and pairs are computed once.
    `aliases`: the register's 通称 per row (`;`-separated); `gaiji_table`: a profile's 外字
    table (private-use character -> standard character)."""
    table = tuple(sorted((gaiji_table or {}).items()))
    aliases = aliases if aliases is not None else [""] * len(records)
    cache: dict[tuple[str, str, str], Outcome] = {}
    outcomes = []
    for record, register, alias in zip(records, registers, aliases, strict=True):
        key = (record, register, alias)
        outcome = cache.get(key)
        if outcome is None:
            alias_names = tuple(normalize(a, table) for a in alias.split(";") if a)
            outcome = compare_normalized(
                normalize(record, table), normalize(register, table), alias_names,
                same_gaiji_table,
            )  # fmt: skip
            cache[key] = outcome
        outcomes.append(outcome)
    return outcomes
