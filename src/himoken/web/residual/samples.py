"""Drawing a run's audit sample, recording what clerks found, and reading it back as counts.

The draw is `himoken.prevention.sampling.draw_sample` on the run's own results.csv (its OUT_DIR,
kept until the run is purged), so the web draw and `himoken risk sample` give the same rows for
the same file and seed. The drawn rows and the manifest go into the database; the sample CSV the
library writes is a temporary file inside the run's folder (purged with the run).
"""

from __future__ import annotations

import csv
import io
import secrets
import tempfile
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from django.db import IntegrityError, models, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from himoken.prevention.sampling import (
    AUTO_CLEARED,
    SAMPLE_COLUMNS,
    SampleError,
    draw_sample,
    tally,
)
from himoken.web.audit import log as audit
from himoken.web.residual.models import Sample, SampleRow
from himoken.web.review.exports import cell
from himoken.web.review.models import Case, Run
from himoken.web.review.tasks import run_directory

RESULTS_FILE = "results.csv"
# Seeds have at most 10 digits: the draw is audit-logged with its seed, and the log refuses
# anything that could be a 12-digit My Number.
MAX_SEED = 9_999_999_999
MAX_SIZE = 100_000


class CannotDraw(Exception):
    """Why this run's sample cannot be drawn (str() is for the page)."""


class Conflict(Exception):
    """Another clerk changed the row since the page was loaded."""


class UploadError(ValueError):
    """A sample CSV that cannot be applied; str() names the line and why."""


def results_csv(run: Run) -> Path | None:
    """The run's results.csv, where its collation wrote it (None before a folder is known)."""
    return Path(run.directory) / RESULTS_FILE if run.directory else None


def auto_cleared(run: Run) -> int | None:
    """MATCH + NOTATION + EXPLAINED of the run's summary.json: the records nobody looks at.
    Kept after a purge (the summary is counts only); None before the run finished."""
    verdicts = (run.summary or {}).get("verdicts")
    if not verdicts:
        return None
    return sum(int(verdicts.get(code, 0)) for code in AUTO_CLEARED)


def open_flagged(run: Run) -> int:
    """Flagged records of the run whose review has not settled them (未着手, 確認中)."""
    return run.cases.filter(status__in=Case.UNSETTLED).count()


def fresh_seed() -> int:
    return secrets.randbelow(MAX_SEED + 1)


def why_not_drawable(run: Run) -> str | None:
    """Why a sample cannot be drawn from this run now, or None when it can."""
    if Sample.objects.filter(run=run).exists():
        return _(
            "この照合の標本は抽出済みです。引き直しはできません(都合のよい標本を選べないように)。"
        )
    if run.status == Run.Status.PURGED:
        return _(
            "この照合の個人情報は消去済みで、results.csv もありません。標本は抽出できません。"
            "新しい照合から抽出してください。"
        )
    if run.status != Run.Status.FINISHED:
        return _("照合が終わっていないため、標本は抽出できません。")
    path = results_csv(run)
    if path is None or not path.is_file():
        return _(
            "この照合の結果ファイル(%(path)s)が見つかりません。消去または移動されたため、"
            "標本は抽出できません。"
        ) % {"path": path or RESULTS_FILE}
    return None


def draw(run: Run, size: int, seed: int | None, user: Any) -> Sample:
    """Draw `size` auto-cleared rows of the run's results.csv with `seed` (a fresh one when
    None), store them in draw order with the manifest, and log the draw."""
    refusal = why_not_drawable(run)
    if refusal:
        raise CannotDraw(refusal)
    chosen = fresh_seed() if seed is None else seed
    folder = run_directory(run)
    folder.mkdir(parents=True, exist_ok=True)
    path = results_csv(run)
    assert path is not None  # checked by why_not_drawable
    with tempfile.TemporaryDirectory(prefix="audit-sample-", dir=folder) as scratch:
        out = Path(scratch) / "sample.csv"
        try:
            manifest = draw_sample(path, size, chosen, out)
        except (SampleError, OSError) as error:
            raise CannotDraw(str(error)) from error
        rows = _read_sample(out)
    expected = auto_cleared(run)
    if expected is not None and manifest["population"] != expected:
        raise CannotDraw(
            _(
                "results.csv の自動で照合済みとした記録(%(found)s件)が、この照合の集計"
                "(%(expected)s件)と合いません。別の照合の結果ファイルではないか確かめてください。"
            )
            % {"found": f"{manifest['population']:,}", "expected": f"{expected:,}"}
        )
    manifest.pop("sample_csv", None)  # the temporary file, gone
    try:
        with transaction.atomic():
            sample = Sample.objects.create(
                run=run,
                seed=chosen,
                seed_given=seed is not None,
                size_requested=size,
                size=manifest["size"],
                population=manifest["population"],
                population_by_verdict=manifest["population_by_verdict"],
                results_sha256=manifest["results_sha256"],
                manifest=manifest,
                drawn_by=user,
            )
            SampleRow.objects.bulk_create(
                (
                    SampleRow(
                        sample=sample,
                        order=order,
                        record_id=record_id,
                        verdict=verdict,
                        explanation=explanation,
                    )
                    for order, record_id, verdict, explanation in rows
                ),
                batch_size=2_000,
            )
            audit.record(
                user, "residual.sample.draw", run, seed=chosen, seed_given=seed is not None,
                size_requested=size, size=sample.size, population=sample.population,
            )  # fmt: skip
    except IntegrityError as error:  # another supervisor drew it meanwhile
        raise CannotDraw(_("この照合の標本は抽出済みです。引き直しはできません。")) from error
    return sample


def _read_sample(path: Path) -> list[tuple[int, str, str, str]]:
    with path.open(encoding="utf-8-sig", newline="") as handle:
        return [
            (int(row["抽出順"]), row["レコード番号"], row["判定"], row["説明"])
            for row in csv.DictReader(handle)
        ]


# --- what clerks found ------------------------------------------------------------------------


def mark(row: SampleRow, user: Any, result: str, note: str, was: str) -> SampleRow:
    """Record a clerk's finding on one row, at once (each row is saved on its own, so a crash
    loses at most the row being typed). `was` is the result the page showed: if another clerk
    has changed it since, nothing is saved (Conflict)."""
    now = timezone.now()
    with transaction.atomic():
        updated = SampleRow.objects.filter(pk=row.pk, result=was).update(
            result=result,
            note=note,
            checker=_name(user) if result else "",
            checked_by=user,
            checked_at=now,
        )
        if not updated:
            raise Conflict
        audit.record(user, "residual.sample.mark", row.sample.run, order=row.order,
                     result=result or "-")  # fmt: skip
    row.refresh_from_db()
    return row


def _name(user: Any) -> str:
    """How a clerk is named on the sample: their full name, else their user name."""
    return user.get_full_name() or user.get_username()


@dataclass(frozen=True)
class Counts:
    """`audited` rows marked 正 or 誤, `errors` of them 誤, `pending` not yet marked, of which
    `skipped` lie before the last marked row (抽出順 was not followed)."""

    size: int
    audited: int
    errors: int
    pending: int
    skipped: int


def counts(sample: Sample | None) -> Counts:
    if sample is None:
        return Counts(0, 0, 0, 0, 0)
    rows = SampleRow.objects.filter(sample=sample)
    by_result = dict(rows.values_list("result").annotate(n=models.Count("pk")).order_by())
    correct = by_result.get(SampleRow.Result.CORRECT, 0)
    wrong = by_result.get(SampleRow.Result.WRONG, 0)
    pending = by_result.get("", 0)
    last = rows.exclude(result="").aggregate(last=models.Max("order"))["last"]
    skipped = rows.filter(result="", order__lt=last).count() if last else 0
    return Counts(correct + wrong + pending, correct + wrong, wrong, pending, skipped)


# --- the sample as a file -----------------------------------------------------------------------


def sample_csv(sample: Sample) -> bytes:
    """The sample as `himoken risk sample` writes it (UTF-8 with BOM, CRLF), with what clerks
    have marked so far; cells are made safe from spreadsheet formulas."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerow(SAMPLE_COLUMNS)
    for row in sample.rows.order_by("order"):
        values = (row.order, row.record_id, row.verdict, row.explanation, row.result,
                  row.checker, row.note)  # fmt: skip
        writer.writerow([cell(v) for v in values])
    return buffer.getvalue().encode("utf-8-sig")


@dataclass(frozen=True)
class Applied:
    marked: int  # rows that were empty here and now carry the file's 正 or 誤
    unchanged: int  # rows already marked the same here
    conflicts: list[int]  # 抽出順 of rows marked differently here: left as they are


def apply_upload(sample: Sample, data: bytes, user: Any) -> Applied:
    """Apply a sample CSV that clerks filled in offline: rows not yet marked here take the
    file's 確認結果 (確認者, 備考); rows marked differently here are not overwritten but reported.
    The file's values are checked by `tally` first (only 正, 誤 or empty), its rows must be this
    sample's (抽出順 and レコード番号), or nothing is applied."""
    with tempfile.TemporaryDirectory(prefix="audit-upload-") as scratch:
        path = Path(scratch) / "sample.csv"
        path.write_bytes(data)
        try:
            tally(path)  # refuses any 確認結果 but 正, 誤 or empty, with the line
        except SampleError as error:
            raise UploadError(
                str(error).replace(str(path), _("アップロードしたファイル"))
            ) from error
    text = _decode(data)
    reader = csv.reader(io.StringIO(text, newline=""))
    header = next(reader, None) or []
    missing = [c for c in ("抽出順", "レコード番号", "確認結果") if c not in header]
    if missing:
        raise UploadError(_("列がありません: %(columns)s") % {"columns": ", ".join(missing)})
    at = {name: header.index(name) for name in header}
    stored = {r.order: r for r in sample.rows.all()}
    findings: list[tuple[SampleRow, str, str, str]] = []
    for values in reader:
        if not any(value.strip() for value in values):
            continue

        def value(name: str, values: list[str] = values) -> str:
            return values[at[name]].strip() if name in at and at[name] < len(values) else ""

        line = reader.line_num
        try:
            order = int(value("抽出順"))
        except ValueError:
            raise UploadError(
                _("%(line)d行目: 抽出順が数ではありません") % {"line": line}
            ) from None
        row = stored.get(order)
        if row is None or row.record_id != value("レコード番号"):
            raise UploadError(
                _("%(line)d行目: 抽出順%(order)dのレコード番号がこの標本と合いません")
                % {"line": line, "order": order}
            )
        if value("確認結果"):
            findings.append((row, value("確認結果"), value("確認者"), value("備考")))
    marked = unchanged = 0
    conflicts: list[int] = []
    now = timezone.now()
    with transaction.atomic():
        for row, result, checker, note in findings:
            if row.result == result:
                unchanged += 1
                continue
            updated = SampleRow.objects.filter(pk=row.pk, result="").update(
                result=result, checker=(checker or _name(user))[:150], note=note,
                checked_by=user, checked_at=now,
            )  # fmt: skip
            if updated:
                marked += 1
            else:
                conflicts.append(row.order)
        audit.record(user, "residual.sample.upload", sample.run, marked=marked,
                     unchanged=unchanged, conflicts=len(conflicts))  # fmt: skip
    return Applied(marked, unchanged, sorted(conflicts))


def _decode(data: bytes) -> str:
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError:
        return data.decode("cp932")  # tally has read it, so one of the two works
