"""The comparison corpus: tests/corpus/<kind>.tsv, one readable case per line."""

from __future__ import annotations

import importlib
from dataclasses import dataclass
from pathlib import Path

import pytest

CORPUS = Path(__file__).parent.parent / "corpus"
# corpus file -> comparator module (each exposes compare(left, right) -> Outcome)
KINDS = {
    "names": "himoken.compare.names",
    "kana": "himoken.compare.kana",
    "dates": "himoken.compare.dates",
    "sex": "himoken.compare.sex",
    "addresses": "himoken.compare.addresses",
}


@dataclass(frozen=True)
class Case:
    kind: str
    line: int
    left: str
    right: str
    level: str
    reason: str | None
    evidence: str | None
    comment: str

    @property
    def id(self) -> str:
        return f"{self.kind}:{self.line}"


def load_cases() -> list[Case]:
    cases = []
    for kind in KINDS:
        path = CORPUS / f"{kind}.tsv"
        if not path.exists():
            continue
        for number, text in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1):
            if not text.strip() or text.startswith("#"):
                continue
            fields = text.split("\t")
            if len(fields) < 4:
                raise ValueError(f"{path}:{number}: expected at least 4 tab-separated fields")
            fields += ["-"] * (6 - len(fields))
            left, right, level, reason, evidence, comment = fields[:6]
            cases.append(
                Case(
                    kind,
                    number,
                    left,
                    right,
                    level,
                    None if reason == "-" else reason,
                    None if evidence == "-" else evidence,
                    comment,
                )
            )
    return cases


CASES = load_cases()


@pytest.mark.parametrize("case", CASES, ids=[c.id for c in CASES])
def test_corpus_case(case: Case) -> None:
    compare = importlib.import_module(KINDS[case.kind]).compare
    outcome = compare(case.left, case.right)
    described = f"{case.left!r} vs {case.right!r} ({case.comment}): got {outcome}"
    assert str(outcome.level) == case.level, described
    assert (outcome.reason and str(outcome.reason)) == case.reason, described
    if case.evidence:
        assert case.evidence in ";".join(outcome.evidence), described
