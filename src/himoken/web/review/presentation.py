"""What the record page shows: the record beside its register entry and the candidate, with
the characters that differ marked."""

from __future__ import annotations

import difflib
from dataclasses import dataclass
from typing import Any

from himoken.collate.check import check_linkage
from himoken.collate.stage import PERSON_COLUMNS
from himoken.web.review.models import Business, Case

# The columns shown side by side: the person, then the history that explains a difference.
SHOWN = (*PERSON_COLUMNS, "紐付け日", "住所異動日", "消除事由")

Segments = list[tuple[str, bool]]  # (text, differs from the record)


@dataclass(frozen=True)
class Line:
    column: str
    record: Segments
    entry: Segments
    candidate: Segments


def marked(mine: str, theirs: str) -> tuple[Segments, Segments]:
    """Both values cut into runs that agree or differ, character by character."""
    matcher = difflib.SequenceMatcher(None, mine, theirs, autojunk=False)
    left: Segments = []
    right: Segments = []
    for tag, i1, i2, j1, j2 in matcher.get_opcodes():
        same = tag == "equal"
        if i2 > i1:
            left.append((mine[i1:i2], not same))
        if j2 > j1:
            right.append((theirs[j1:j2], not same))
    return left, right


def side_by_side(case: Case) -> list[Line]:
    lines = []
    for column in SHOWN:
        mine = case.record.get(column, "")
        entry, candidate = case.entry.get(column, ""), case.candidate.get(column, "")
        if not (mine or entry or candidate):
            continue
        record_marked, entry_marked = marked(mine, entry) if entry else ([(mine, False)], [])
        candidate_marked = marked(mine, candidate)[1] if candidate else []
        if not entry:
            record_marked = [(mine, False)] if mine else []
        lines.append(Line(column, record_marked, entry_marked, candidate_marked))
    return lines


def candidate_fit(case: Case) -> str:
    """Why the candidate fits: the record collated against the candidate's entry, as the
    engine would say it (「氏名の字形差異(髙→高)のみ。」), with the verdict it would get."""
    if not case.candidate:
        return ""
    record = dict(case.record) | {"個人番号": case.candidate_number}
    check = check_linkage(record, case.candidate)
    return f"{check.verdict.code}: {check.explanation}" if check.explanation else check.verdict.code


@dataclass(frozen=True)
class Control:
    """One filter of the worklist, ready to print: a select (options: value, label,
    selected) or an input of some type (value)."""

    name: str
    label: str
    options: list[tuple[str, str, bool]] | None
    value: str = ""
    input_type: str = "text"


def controls(form: Any) -> list[Control]:
    """The filter form's visible fields as plain data: printing Django's widgets cost more
    than the rest of the worklist page (bench/review_load.py)."""
    found = []
    for field in form.visible_fields():
        raw = form.data.get(field.html_name, "") if form.is_bound else ""
        choices = getattr(field.field, "choices", None)
        if choices is None:
            kind = getattr(field.field.widget, "input_type", "text")
            found.append(Control(field.html_name, str(field.label), None, str(raw), kind))
            continue
        options = [(str(value), str(label), str(value) == str(raw)) for value, label in choices]
        found.append(Control(field.html_name, str(field.label), options))
    return found


# What a worklist row shows, read as values (no model instances for a page of 50).
ROW_FIELDS = ("pk", "verdict", "risk", "record_id", "business__name", "business__system",
              "reasons", "explanation", "status", "assignee__username")  # fmt: skip


def worklist_rows(rows: list[tuple]) -> list[dict[str, Any]]:
    """The page's cases (ROW_FIELDS values) as plain strings: templates resolve dict keys
    fastest, and print strings without localising them."""
    statuses = dict(Case.Status.choices)
    return [
        {
            "pk": str(pk), "verdict": verdict, "risk": str(risk), "record_id": record_id,
            "business": Business.label(name, system), "reasons": reasons,
            "explanation": explanation, "status": statuses[status], "assignee": assignee or "",
        }
        for pk, verdict, risk, record_id, name, system, reasons, explanation, status, assignee
        in rows
    ]  # fmt: skip
