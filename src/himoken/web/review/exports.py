"""What leaves the review: the corrections file for the business system (CSV/XLSX) and the
aggregate report (summary.json of spec §8 with `review` and `causes`)."""

from __future__ import annotations

import csv
import io
from collections import Counter
from typing import Any

import xlsxwriter
from django.db.models import Count
from django.utils import timezone

from himoken.summary import require_valid
from himoken.web.review.models import Case, Cause, Decision, Run

CORRECTION_COLUMNS = (
    "レコード番号", "行番号", "処理", "訂正前個人番号", "訂正後個人番号", "誤りの原因",
    "判断者", "承認者", "承認日時", "コメント",
)  # fmt: skip
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def cell(value: Any) -> str:
    """A cell that a spreadsheet will not run as a formula (OWASP CSV injection)."""
    text = "" if value is None else str(value)
    return "'" + text if text.startswith(FORMULA_STARTS) else text


def corrections(run: Run) -> list[list[str]]:
    """One row per approved correction or deletion, in record order."""
    approved = (
        Decision.objects.filter(case__run=run, approved=True)
        .exclude(action=Decision.Action.KEEP)
        .select_related("case", "proposed_by", "approved_by")
        .order_by("case__ordinal", "approved_at")
    )
    rows = []
    for decision in approved:
        case = decision.case
        rows.append([cell(v) for v in (
            case.record_id, case.ordinal, decision.get_action_display(), case.linked_number,
            decision.new_number, decision.get_cause_display(), decision.proposed_by.username,
            decision.approved_by.username if decision.approved_by else "",
            timezone.localtime(decision.approved_at).isoformat() if decision.approved_at else "",
            decision.comment,
        )])  # fmt: skip
    return rows


def corrections_csv(run: Run) -> bytes:
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerow(CORRECTION_COLUMNS)
    writer.writerows(corrections(run))
    return buffer.getvalue().encode("utf-8-sig")


def corrections_xlsx(run: Run) -> bytes:
    buffer = io.BytesIO()
    book = xlsxwriter.Workbook(
        buffer, {"in_memory": True, "strings_to_formulas": False, "strings_to_numbers": False}
    )
    sheet = book.add_worksheet("訂正")
    text = book.add_format({"num_format": "@"})
    sheet.write_row(0, 0, CORRECTION_COLUMNS)
    for row, values in enumerate(corrections(run), start=1):
        for column, value in enumerate(values):
            sheet.write_string(row, column, value, text)
    sheet.set_column(0, len(CORRECTION_COLUMNS) - 1, 16)
    book.close()
    return buffer.getvalue()


def review_counts(run: Run) -> tuple[dict[str, int], dict[str, int]]:
    """The `review` and `causes` objects of spec §8 for the run's cases."""
    statuses = Counter(dict(_grouped(run.cases.all(), "status")))
    causes = Counter(dict(_grouped(run.cases.filter(status__in=Case.WRONG), "cause")))
    wrong = sum(statuses[s] for s in Case.WRONG)
    review = {
        "flagged": sum(statuses.values()),
        "confirmed_right": statuses[Case.Status.CONFIRMED_RIGHT],
        "wrong_found": wrong,
        "corrected": statuses[Case.Status.CORRECTED],
        "deleted": statuses[Case.Status.DELETED],
        "correction_pending": statuses[Case.Status.CORRECTION_PENDING],
        "in_progress": sum(statuses[s] for s in Case.UNSETTLED),
    }
    by_cause = {c.value: causes[c.value] for c in Cause}
    by_cause[Cause.OTHER.value] += causes[""]  # a wrong linkage with no cause given
    return review, by_cause


def _grouped(cases: Any, field: str) -> list[tuple[str, int]]:
    return list(cases.values_list(field).annotate(n=Count("pk")).order_by())


def summary(run: Run) -> dict[str, Any]:
    """The run's summary.json with the review filled; SummaryError when it would not pass the
    schema and its sums (the progress site would refuse it)."""
    review, causes = review_counts(run)
    document = dict(run.summary or {}) | {"review": review, "causes": causes}
    require_valid(document, f"summary-{run.pk}.json")
    return document
