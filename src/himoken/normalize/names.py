"""Names (氏名): mechanical canonical form, kanji variant folding with evidence, 外字, splitting.

Two forms per name:
- `text`: the mechanical canonical form: variation selectors (IVS) stripped, width folded by NFKC
  except on CJK compatibility ideographs (those are folded deliberately, as variants, so the
  evidence shows them), spaces removed, Latin letters upper-cased. Equal `text` is a MATCH.
- `folded`: `text` with every kanji replaced by its representative under the MJ shrink map
  (MJ縮退マップ via jntajis-python) and the 戸籍法施行規則 別表第二 pairs the map lacks. Equal
  `folded` with different `text` is a KANJI_VARIANT; `folds` says which characters moved.

MJ shrink schemes enabled: JIS_INCORPORATION_UCS_UNIFICATION_RULE (compatibility and unified
forms, 髙→高, 𠮷→吉), MOJ_NOTICE_582 (法務省告示582号: the 住基ネット characters) and
MOJ_FAMILY_REGISTER_ACT_RELATED_NOTICE (戸籍 old/standard forms: 齋→斎, 邊→辺, 﨑→崎). Not
INFERENCE_BY_READING_AND_GLYPH: it guesses from readings and shapes, and a guess that merges
two people's names is the error this project exists to find. None of the enabled schemes merges
斎/斉, 崎/埼, 太/大 or 沢/択 (tests/corpus/names.tsv holds them apart).
"""

from __future__ import annotations

import functools
import re
import unicodedata
from collections.abc import Iterable, Mapping
from typing import NamedTuple

import jntajis

from himoken.gcpause import gc_paused
from himoken.normalize import name_dictionary

_COMBO = (
    jntajis.MJShrinkSchemeCombo.JIS_INCORPORATION_UCS_UNIFICATION_RULE
    | jntajis.MJShrinkSchemeCombo.MOJ_NOTICE_582
    | jntajis.MJShrinkSchemeCombo.MOJ_FAMILY_REGISTER_ACT_RELATED_NOTICE
)
# 戸籍法施行規則 別表第二 pairs (both forms allowed in names) that the MJ shrink map does not fold.
EXTRA_VARIANTS: dict[str, str] = {
    "凜": "凛", "遙": "遥", "堯": "尭", "穰": "穣", "驒": "騨", "蠟": "蝋", "諫": "諌", "醬": "醤",
}  # fmt: skip

_VARIATION_SELECTORS = re.compile("[\ufe00-\ufe0f\U000e0100-\U000e01ef]")
# Characters that stand for a character nobody can compare: private-use 外字 (BMP and planes
# 15-16), the geta mark and the black square systems print for an unknown character.
_GAIJI = re.compile("[\ue000-\uf8ff\U000f0000-\U000ffffd\U00100000-\U0010fffd〓■]")
_COMPATIBILITY_IDEOGRAPH = re.compile("[\uf900-\ufaff\U0002f800-\U0002fa1f]")
_LATIN = re.compile(r"[A-Z][A-Z .,'\-]*")
_KANJI = re.compile("[\u3400-\u9fff\uf900-\ufaff\U00020000-\U0003134f]")


def has_gaiji(text: str) -> bool:
    """Whether text holds 外字 nobody can compare (private use, 〓, ■)."""
    return _GAIJI.search(text) is not None


class NormalizedName(NamedTuple):
    raw: str
    text: str  # mechanical canonical form, no spaces
    parts: tuple[str, ...]  # canonical parts as written (split on spaces)
    folded: str  # variant-folded form
    folds: tuple[str, ...]  # e.g. ("髙→高",)
    gaiji: tuple[int, ...]  # positions in `text` of 外字 nobody can compare
    latin: bool

    @property
    def empty(self) -> bool:
        return not self.text


def standardness(char: str) -> tuple[int, int, int]:
    """Sort key, most standard first: a form the map points to and that points nowhere else
    (冨 lists 富, 富 lists nothing), then JIS X 0208 level 1, level 2, others."""
    terminal = 0 if candidates(char) == {char} else 1
    try:
        encoded = char.encode("euc_jp")
    except UnicodeEncodeError:
        return (terminal, 3, ord(char))
    if len(encoded) == 2 and 0xB0 <= encoded[0] <= 0xCF:
        return (terminal, 1, ord(char))
    if len(encoded) == 2 and 0xD0 <= encoded[0] <= 0xF4:
        return (terminal, 2, ord(char))
    return (terminal, 3, ord(char))


@functools.cache
def candidates(char: str) -> frozenset[str]:
    """The character and the forms the MJ shrink map (and 別表第二) relate it to."""
    related = {char}
    if _KANJI.match(char):
        related.update(c for c in jntajis.mj_shrink_candidates(char, _COMBO, 8) if len(c) == 1)
    for variant, standard in EXTRA_VARIANTS.items():
        if char in (variant, standard):
            related.update((variant, standard))
    return frozenset(related)


@functools.cache
def representative(char: str) -> str:
    """A folding key for one character: its most standard related form.

    Only the character's own candidates count, never candidates of candidates: through rare
    MJ characters with several candidates, a transitive closure chains 橋 with 争 and 関 with
    英. So equal keys mean variants, and `are_variants` settles pairs whose keys differ (the
    map lists 富 under 冨 but nothing under 富)."""
    return min(candidates(char), key=standardness)


@functools.cache
def are_variants(a: str, b: str) -> bool:
    """True when one character lists the other, or both list a common form."""
    return a == b or not candidates(a).isdisjoint(candidates(b))


# Anything that needs more than NFKC: private use (外字), compatibility ideographs, variation
# selectors, planes above the BMP, and the marks for an unknown character. Most names hold
# none, and one scan lets them skip the others.
_SPECIAL = re.compile("[\ue000-\U0010ffff〓■]")


def _canonical_text(value: str, special: bool) -> str:
    if special:
        # Only such strings can hold variation selectors, compatibility ideographs or
        # characters outside the BMP: the common case skips two regex scans.
        value = _VARIATION_SELECTORS.sub("", value)
        if _COMPATIBILITY_IDEOGRAPH.search(value):
            # NFKC would silently turn 塚 (U+FA10) into 塚: keep such characters for `folds`.
            return "".join(
                c if _COMPATIBILITY_IDEOGRAPH.match(c) else unicodedata.normalize("NFKC", c)
                for c in value
            )
    # The register separates names with U+3000, which NFKC would turn into a space anyway:
    # doing it first lets most names skip NFKC altogether.
    value = value.replace("\u3000", " ")
    if unicodedata.is_normalized("NFKC", value):
        return value
    return unicodedata.normalize("NFKC", value)


def _parts(canonical: str) -> tuple[str, ...]:
    """Split on any space (str.split knows U+3000), the middle dot and commas."""
    if "・" in canonical or "," in canonical:
        canonical = canonical.replace("・", " ").replace(",", " ")
    return tuple(canonical.split())


# CJK code points the MJ shrink map knows about (the map holds no others).
_CJK_RANGES = (
    (0x3400, 0x4DC0), (0x4E00, 0xA000), (0xF900, 0xFB00), (0x20000, 0x2A6E0),
    (0x2A700, 0x2EBF0), (0x2F800, 0x2FA20), (0x30000, 0x31350),
)  # fmt: skip


@functools.cache
def _fold_table() -> dict[int, str]:
    """str.translate table of every character whose representative differs (~0.3 s, once per
    process: a plain dict keeps translate on its fast C path)."""
    table = {}
    for start, stop in _CJK_RANGES:
        for code in range(start, stop):
            char = chr(code)
            if len(jntajis.mj_shrink_candidates(char, _COMBO, 2)) > 1 or char in EXTRA_VARIANTS:
                folded = representative(char)
                if folded != char:
                    table[code] = folded
    for standard in EXTRA_VARIANTS.values():
        if representative(standard) != standard:
            table[ord(standard)] = representative(standard)
    return table


@functools.cache
def _foldable() -> frozenset[str]:
    """Characters the fold table changes. str.translate pays an internal exception for every
    character a dict table lacks, so names without any of these skip it (~95% of names)."""
    return frozenset(chr(code) for code in _fold_table())


def _normalize(value: str, gaiji_table: tuple[tuple[str, str], ...] = ()) -> NormalizedName:
    """Normalize one name; `gaiji_table` maps private-use characters to standard ones (a
    profile's 外字 table, spec §5), as a tuple of pairs so that it can be cached."""
    value = value or ""
    special = _SPECIAL.search(value) is not None
    canonical = _canonical_text(value, special).upper()
    if gaiji_table:
        canonical = canonical.translate({ord(k): v for k, v in gaiji_table})
    parts = _parts(canonical)
    text = "".join(parts)
    latin = text.isascii() and bool(text) and _LATIN.fullmatch(" ".join(parts)) is not None
    folded = text if latin or _foldable().isdisjoint(text) else text.translate(_fold_table())
    folds: tuple[str, ...] = ()
    if folded != text:
        folds = tuple(
            dict.fromkeys(f"{a}→{b}" for a, b in zip(text, folded, strict=True) if a != b)
        )
    gaiji: tuple[int, ...] = ()
    if special and _GAIJI.search(text):
        gaiji = tuple(m.start() for m in _GAIJI.finditer(text))
    # tuple.__new__ skips the NamedTuple's Python-level __new__: a third of the cost here.
    return tuple.__new__(NormalizedName, (value, text, parts, folded, folds, gaiji, latin))


# One name at a time, cached; bounded: a national run has tens of millions of names.
normalize = functools.lru_cache(maxsize=1 << 18)(_normalize)


def normalize_many(
    values: Iterable[str], gaiji_table: Mapping[str, str] | None = None
) -> list[NormalizedName]:
    """Normalize a column; each distinct value of the column is normalized once, however many
    distinct values it has. The call keeps its own table instead of the process-wide LRU,
    whose bookkeeping costs most of a normalization when a column overflows it."""
    table = tuple(sorted((gaiji_table or {}).items()))
    seen: dict[str, NormalizedName] = {}
    result = []
    with gc_paused():  # results are acyclic tuples: collections would find nothing
        for value in values:
            name = seen.get(value)
            if name is None:
                name = seen[value] = _normalize(value, table)
            result.append(name)
    return result


@functools.cache
def _surnames() -> tuple[frozenset[str], int]:
    """Known surnames (and their variant-folded forms) for splitting a name with no space."""
    names = set()
    for surname in name_dictionary.surnames():
        names.add(surname.kanji)
        names.add(surname.kanji.translate(_fold_table()))
    return frozenset(names), max(len(n) for n in names)


def split(value: str, hint: tuple[str, str] | None = None) -> tuple[str, str] | None:
    """(surname, given) of a name: on a space when it has one; else by `hint`, the register's
    split of the same person's name, when the folded surname matches; else by the longest known
    surname that leaves a given name. None when no split can be justified."""
    name = normalize(value)
    if len(name.parts) >= 2:
        return name.parts[0], "".join(name.parts[1:])
    text, folded = name.text, name.folded
    if hint is not None:
        surname = normalize(hint[0]).folded
        if surname and folded.startswith(surname) and len(folded) > len(surname):
            return text[: len(surname)], text[len(surname) :]
    known, longest = _surnames()
    for length in range(min(longest, len(text) - 1), 0, -1):
        if text[:length] in known or folded[:length] in known:
            return text[:length], text[length:]
    return None
