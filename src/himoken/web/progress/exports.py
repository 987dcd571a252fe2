"""Reports out, shaped like the 2023 publications of the inspection: per 事務, organisations in
scope and the share finished at each stage, records in scope, collated, mismatched, identity
confirmed, wrong linkages found and their rate, by cause, corrected. A monthly snapshot is
the same table as of a month's last day; the CSVs carry everything."""

from __future__ import annotations

import calendar
import csv
import datetime as dt
import io
from collections import defaultdict
from collections.abc import Iterable, Sequence
from typing import Any

import xlsxwriter

from himoken.web.progress.dashboard import BusinessRow, Overview, StageStatus
from himoken.web.progress.models import Cause, Snapshot, Stage

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def cell(value: Any) -> Any:
    """Text that a spreadsheet will not run as a formula; numbers as they are."""
    if isinstance(value, str) and value.startswith(FORMULA_STARTS):
        return "'" + value
    return value


def month_end(month: str) -> dt.date:
    """'2026-10' -> 2026-10-31."""
    year, number = (int(part) for part in month.split("-"))
    return dt.date(year, number, calendar.monthrange(year, number)[1])


def header() -> list[str]:
    stages = [f"{s.label} 完了団体数" for s in Stage] + [f"{s.label} 完了率" for s in Stage]
    causes = [f"原因: {c.label}" for c in Cause]
    return ["事務", "対象団体数", *stages, "対象件数", "照合件数", "不一致件数",
            "本人確認済み件数", "誤り件数", "誤りの割合", *causes, "訂正済み件数"]  # fmt: skip


def by_business(overview: Overview) -> list[list[Any]]:
    """One row per 事務 (by name, across organisations) and a total row."""
    grouped: dict[str, list[BusinessRow]] = defaultdict(list)
    for organisation in overview.organisations:
        for business in organisation.businesses:
            if business.check_required:
                grouped[business.name].append(business)
    rows = [_row(name, members) for name, members in sorted(grouped.items())]
    everything = [member for members in grouped.values() for member in members]
    return [*rows, _row("合計", everything)]


def _row(name: str, members: Sequence[BusinessRow]) -> list[Any]:
    organisations = len(members)  # each organisation has one row per 事務 and system
    finished = [sum(b.stages.get(s.value) == StageStatus.DONE for b in members) for s in Stage]
    shares = [round(n / organisations, 4) if organisations else 0 for n in finished]
    counts = [b.counts for b in members]
    total = {f: sum(getattr(c, f) for c in counts) for f in ("target", "collated", "flagged",
                                                               "confirmed_right", "wrong_found",
                                                               "corrected")}  # fmt: skip
    target, collated, flagged = total["target"], total["collated"], total["flagged"]
    right, wrong, corrected = total["confirmed_right"], total["wrong_found"], total["corrected"]
    by_cause = [sum(b.causes.get(cause.value, 0) for b in members) for cause in Cause]
    rate = round(wrong / collated, 6) if collated else 0
    return [name, organisations, *finished, *shares, target, collated, flagged, right + wrong,
            wrong, rate, *by_cause, corrected]  # fmt: skip


def workbook(overview: Overview, title: str) -> bytes:
    buffer = io.BytesIO()
    book = xlsxwriter.Workbook(buffer, {"in_memory": True, "strings_to_formulas": False})
    sheet = book.add_worksheet("事務別")
    bold = book.add_format({"bold": True, "text_wrap": True, "valign": "top"})
    percent = book.add_format({"num_format": "0.0%"})
    rate = book.add_format({"num_format": "0.0000%"})
    sheet.write(0, 0, title, bold)
    sheet.write(1, 0, f"基準日 {overview.as_of:%Y-%m-%d}")
    columns = header()
    sheet.write_row(3, 0, columns, bold)
    share_columns = range(2 + len(Stage), 2 + 2 * len(Stage))
    rate_column = columns.index("誤りの割合")
    for offset, values in enumerate(by_business(overview), start=4):
        for column, value in enumerate(values):
            style = percent if column in share_columns else rate if column == rate_column else None
            sheet.write(offset, column, cell(value), style)
    sheet.set_column(0, 0, 16)
    sheet.set_column(1, len(columns), 11)
    sheet.freeze_panes(4, 1)
    book.close()
    return buffer.getvalue()


def csv_bytes(rows: Iterable[Sequence[Any]]) -> bytes:
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerows([cell(v) for v in row] for row in rows)
    return buffer.getvalue().encode("utf-8-sig")


def businesses_csv(overview: Overview) -> bytes:
    """Every 事務 of every organisation as of the overview's day."""
    head = ["団体コード", "団体", "種別", "事務", "業務システム", "点検が必要", "期限",
            *(s.label for s in Stage), "対象件数", "照合件数", "要確認件数", "正しいと確認",
            "誤りの判明", "訂正済み", "残件数", "見通し", "完了見込み日", "遅れている段階",
            "担当者"]  # fmt: skip
    rows: list[Sequence[Any]] = [head]
    for organisation in overview.organisations:
        for b in organisation.businesses:
            c = b.counts
            rows.append([
                organisation.code, organisation.name, organisation.kind, b.name, b.system,
                int(b.check_required), b.deadline or "",
                *(b.stages.get(s.value, StageStatus.NONE).value for s in Stage),
                c.target, c.collated, c.flagged, c.confirmed_right, c.wrong_found, c.corrected,
                c.remaining, b.forecast.status.value, b.forecast.finish or "", b.late_stage,
                b.responsible,
            ])  # fmt: skip
    return csv_bytes(rows)


def snapshots_csv() -> bytes:
    """Every count ever recorded, oldest first."""
    head = ["団体コード", "団体", "事務", "業務システム", "日付", "対象件数", "抽出件数",
            "照合件数", "要確認件数", "正しいと確認", "誤りの判明", "訂正済み",
            *(f"原因: {c.label}" for c in Cause), "出所"]  # fmt: skip
    rows = (
        Snapshot.objects.order_by("business__organisation__code", "business_id", "on")
        .values_list(
            "business__organisation__code",
            "business__organisation__name",
            "business__name",
            "business__system",
            "on",
            "target",
            "extracted",
            "collated",
            "flagged",
            "confirmed_right",
            "wrong_found",
            "corrected",
            "causes",
            "source",
        )
        .iterator(chunk_size=10_000)
    )
    return csv_bytes([head, *([*r[:12], *((r[12] or {}).get(c.value, 0) for c in Cause), r[13]]
                              for r in rows)])  # fmt: skip
