"""The fixed true-owner model scored in Python, one record against a few register entries.

A collation scores thousands of pairs at once with Splink in SQL (`owner.score_pairs`). An
entry-time check (`himoken.prevention.entry`) scores one record against the handful of entries
the blocking rules reach, hundreds of times a second: starting a Splink linker per record
would cost more than the whole check. This module reads the same `owner_model.json` and
evaluates each level's SQL condition in Python on the same key columns (`owner.SPLINK_COLUMNS`),
so the weights are Splink's (the tests compare them on a synthetic world).

The conditions use a small part of SQL: column names ending in _l / _r, `=`, `IS NULL`,
`levenshtein(a, b) <= n`, AND, OR, parentheses and ELSE. A comparison with NULL is false, as
in SQL's WHERE (without NOT, three-valued logic and "NULL is false" agree).
"""

from __future__ import annotations

import functools
import math
import re
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from himoken.collate.owner import evidence, fits_better, load_model

Row = Mapping[str, Any]
Condition = Callable[[Row, Row], bool]

_TOKEN = re.compile(r"\s*(<=|=|\(|\)|,|[A-Za-z_][A-Za-z0-9_]*|\d+)")


def levenshtein(a: str, b: str) -> int:
    """Edit distance by characters, as DuckDB's and Spark's levenshtein."""
    if len(a) < len(b):
        a, b = b, a
    previous = list(range(len(b) + 1))
    for i, ca in enumerate(a, start=1):
        current = [i]
        for j, cb in enumerate(b, start=1):
            current.append(min(previous[j] + 1, current[j - 1] + 1, previous[j - 1] + (ca != cb)))
        previous = current
    return previous[-1]


class _Parser:
    """Recursive descent over the tokens of one level's condition."""

    def __init__(self, sql: str) -> None:
        self.sql = sql
        self.tokens = _tokens(sql)
        self.position = 0

    def parse(self) -> Condition:
        condition = self._or()
        if self.position != len(self.tokens):
            unexpected = self.tokens[self.position]
            raise ValueError(f"owner model: unexpected {unexpected!r} in {self.sql}")
        return condition

    def _peek(self) -> str | None:
        return self.tokens[self.position] if self.position < len(self.tokens) else None

    def _take(self, expected: str | None = None) -> str:
        token = self._peek()
        if token is None or (expected is not None and token.upper() != expected):
            raise ValueError(f"owner model: expected {expected or 'more'} in {self.sql}")
        self.position += 1
        return token

    def _or(self) -> Condition:
        parts = [self._and()]
        while (self._peek() or "").upper() == "OR":
            self._take()
            parts.append(self._and())
        if len(parts) == 1:
            return parts[0]
        return lambda mine, theirs: any(p(mine, theirs) for p in parts)

    def _and(self) -> Condition:
        parts = [self._primary()]
        while (self._peek() or "").upper() == "AND":
            self._take()
            parts.append(self._primary())
        if len(parts) == 1:
            return parts[0]
        return lambda mine, theirs: all(p(mine, theirs) for p in parts)

    def _primary(self) -> Condition:
        if self._peek() == "(":
            self._take()
            inner = self._or()
            self._take(")")
            return inner
        if (self._peek() or "").lower() == "levenshtein":
            self._take()
            self._take("(")
            a = self._column()
            self._take(",")
            b = self._column()
            self._take(")")
            self._take("<=")
            limit = int(self._take())

            def near(mine: Row, theirs: Row) -> bool:
                x, y = a(mine, theirs), b(mine, theirs)
                return x is not None and y is not None and levenshtein(x, y) <= limit

            return near
        left = self._column()
        if (self._peek() or "").upper() == "IS":
            self._take()
            self._take("NULL")
            return lambda mine, theirs: left(mine, theirs) is None
        self._take("=")
        right = self._column()

        def equal(mine: Row, theirs: Row) -> bool:
            x = left(mine, theirs)
            return x is not None and x == right(mine, theirs)

        return equal

    def _column(self) -> Callable[[Row, Row], Any]:
        name = self._take()
        if name.endswith("_l"):
            column = name[:-2]
            return lambda mine, theirs: mine.get(column)
        if name.endswith("_r"):
            column = name[:-2]
            return lambda mine, theirs: theirs.get(column)
        raise ValueError(f"owner model: {name!r} is not a column of either side in {self.sql}")


def _tokens(sql: str) -> list[str]:
    tokens, position = [], 0
    while position < len(sql.rstrip()):
        found = _TOKEN.match(sql, position)
        if found is None:
            raise ValueError(f"owner model: cannot read {sql[position:]!r}")
        tokens.append(found.group(1))
        position = found.end()
    return tokens


@dataclass(frozen=True, slots=True)
class _Level:
    label: str
    condition: Condition | None  # None: ELSE
    weight: float  # log2(m/u); 0 for the null level
    is_null: bool


@dataclass(frozen=True, slots=True)
class Score:
    """One register entry's fit to the record: Splink's match weight and each level."""

    match_weight: float  # rounded to 6 decimals, as owner.score_pairs
    levels: dict[str, str]  # comparison name -> level label


class OwnerModel:
    """The fixed model's levels as Python conditions: `score(record_keys, entry_keys)`."""

    def __init__(self, model: Mapping[str, Any]) -> None:
        prior = model["probability_two_random_records_match"]
        self.prior_weight = math.log2(prior / (1 - prior))
        self.comparisons: list[tuple[str, list[_Level]]] = []
        for comparison in model["comparisons"]:
            levels = []
            for level in comparison["comparison_levels"]:
                sql = level["sql_condition"].strip()
                is_null = bool(level.get("is_null_level"))
                ratio = 1.0 if is_null else level["m_probability"] / level["u_probability"]
                condition = None if sql.upper() == "ELSE" else _Parser(sql).parse()
                label = level["label_for_charts"]
                levels.append(_Level(label, condition, math.log2(ratio), is_null))
            self.comparisons.append((comparison["output_column_name"], levels))

    def score(self, record: Row, entry: Row) -> Score:
        weight = self.prior_weight
        levels: dict[str, str] = {}
        for name, comparison in self.comparisons:
            for level in comparison:
                if level.condition is None or level.condition(record, entry):
                    weight += level.weight
                    levels[name] = level.label
                    break
        return Score(round(weight, 6), levels)


@functools.cache
def fixed_model() -> OwnerModel:
    return OwnerModel(load_model())


@dataclass(frozen=True, slots=True)
class Candidate:
    """The register entry that best fits a record, other than its linked one."""

    number: str
    match_weight: float
    linked_weight: float | None  # the linked entry's weight; None when it has none
    levels: dict[str, str]
    evidence: str  # 「氏名・生年月日・性別・住所が一致」

    @property
    def fits_better(self) -> bool:
        """Named 候補個人番号 by the engine's rule (owner.fits_better)."""
        from himoken.collate.owner import OwnerMatch

        match = OwnerMatch(0, self.number, self.match_weight, self.linked_weight, self.levels, "")
        return fits_better(match)


def best_candidate(
    record: Row, linked_number: str | None, entries: Sequence[Row]
) -> Candidate | None:
    """Among `entries` (owner.SPLINK_COLUMNS each: number, removed and the keys), the best
    fit to `record` other than `linked_number`, ranked as owner.search_owners ranks: weight
    (descending), current residents before removed entries, then number."""
    model = fixed_model()
    linked_weight: float | None = None
    ranked: list[tuple[float, bool, str, Score]] = []
    for entry in entries:
        number = entry.get("number")
        if number is None:
            continue
        score = model.score(record, entry)
        if number == linked_number:
            linked_weight = max(linked_weight or -math.inf, score.match_weight)
            continue
        ranked.append((-score.match_weight, bool(entry.get("removed")), number, score))
    if not ranked:
        return None
    _, _, number, score = min(ranked, key=lambda item: item[:3])
    why = evidence(score.levels)
    return Candidate(number, score.match_weight, linked_weight, score.levels, why)
