"""Reporting in: an organisation's summary.json becomes a Report, or is refused.

Everything the project's schema and screen refuse is refused here, with the same messages,
which name the place in the document and never echo a value (a refused My Number must not
reach a log or a page).
"""

from __future__ import annotations

import datetime as dt
import json
from typing import Any

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext_noop

from himoken.summary import FLAGGED_VERDICTS, validate
from himoken.web.progress.models import Business, Organisation, Report, Role, Snapshot


class ReportRefused(ValueError):
    """The upload is not a valid aggregate report; `problems` say why, value-free (in Japanese:
    the upload form shows those marked here in the reader's language)."""

    def __init__(self, problems: list[str]) -> None:
        super().__init__("; ".join(problems))
        self.problems = problems


def parse(data: bytes) -> dict[str, Any]:
    try:
        document = json.loads(data.decode("utf-8-sig"))
    except (UnicodeDecodeError, json.JSONDecodeError) as error:
        raise ReportRefused([gettext_noop("集計報告(summary.json)として読めない")]) from error
    problems = validate(document)
    if problems:
        raise ReportRefused(problems)
    return document


@transaction.atomic
def import_summary(data: bytes, role: Role | None = None) -> Report:
    """Store a report; the same (organisation, 事務, system, run) again replaces it. With a
    role, a reporter may report only for their own organisation, an executive not at all."""
    document = parse(data)
    if role is not None:
        code = document["organisation"]["code"]
        if not role.may_report:
            raise ReportRefused([gettext_noop("閲覧のみの役割では報告できない")])
        if role.kind == Role.Kind.REPORTER and role.organisation.code != code:
            raise ReportRefused([gettext_noop("自団体以外の集計報告は送れない")])
    organisation, _ = Organisation.objects.get_or_create(
        code=document["organisation"]["code"],
        defaults={
            "name": document["organisation"]["name"],
            "kind": Organisation.Kind.MUNICIPALITY,
        },
    )
    business, _ = Business.objects.get_or_create(
        organisation=organisation, name=document["business"], system=document["system"]
    )
    run = document["run"]
    report, _ = Report.objects.update_or_create(
        business=business,
        run_id=run["id"],
        defaults={
            "finished": run["finished"],
            "engine": run["engine"],
            "register_rows": run["register_rows"],
            "record_rows": run["record_rows"],
            "verdicts": document["verdicts"],
            "reasons": document["reasons"],
            "warnings": document["warnings"],
            "review": document.get("review"),
            "causes": document.get("causes"),
        },
    )
    _snapshot(business, document)
    return report


def _snapshot(business: Business, document: dict[str, Any]) -> Snapshot:
    """The report's counts as the 事務's snapshot on the day the run finished."""
    run, review = document["run"], document.get("review") or {}
    finished = timezone.localdate(dt.datetime.fromisoformat(run["finished"]))
    flagged = sum(document["verdicts"][v] for v in FLAGGED_VERDICTS)
    snapshot, _ = Snapshot.objects.update_or_create(
        business=business,
        on=finished,
        defaults={
            "target": run["record_rows"], "extracted": run["record_rows"],
            "collated": run["record_rows"], "flagged": flagged,
            "confirmed_right": review.get("confirmed_right", 0),
            "wrong_found": review.get("wrong_found", 0), "corrected": review.get("corrected", 0),
            "causes": document.get("causes") or {}, "source": Snapshot.Source.REPORT,
        },
    )  # fmt: skip
    return snapshot
