"""The dashboard's figures on a small hand-built prefecture, checked against hand computation:
stage statuses, forecasts, organisation statuses, totals, burn-down, baseline, causes,
consultations, the cache, and the Excel and CSV exports built from the same overview.

The prefecture on TODAY (a Wednesday; snapshots on the four Wednesdays before it and on it):

    A 271004 大阪市      b1 児童手当 (手当システム)   on pace: 190 → 390 → 590 of 1000 done
                          b2 障害者手帳 (手帳台帳)      survey: obtained with ID → no check
    B 272000 堺市        b3 児童手当 (児童システム)   behind: 100 → 200 → 300 of 2000 done
                                                        (and a future snapshot, after TODAY)
    C 000108 健康福祉部  b4 公金受取口座 (口座)        slightly late: 0 → 140 of 300 done,
                                                        own deadline 03-31
                          b5 生活保護 (保護システム)    finished on W0: 100 of 100

Deadlines: 児童手当 04-30 (state) and 05-31 (ministry: the earliest wins), every 事務 06-30.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
from dataclasses import dataclass

import openpyxl
import pytest
from django.utils import timezone

from himoken.web.progress import exports
from himoken.web.progress.dashboard import (
    BusinessRow,
    OrganisationRow,
    Overview,
    StageStatus,
    compute,
    overview,
    stage_status,
)
from himoken.web.progress.forecast import Status, forecast
from himoken.web.progress.models import (
    Business,
    Cause,
    Consultation,
    DataVersion,
    Deadline,
    Organisation,
    Snapshot,
    Stage,
    StageProgress,
)

pytestmark = pytest.mark.django_db

D = dt.date
TODAY = D(2026, 3, 4)
W = [TODAY - dt.timedelta(days=7 * (4 - week)) for week in range(5)]  # 02-04 … 03-04


def snap(
    business: Business,
    on: dt.date,
    target: int,
    collated: int,
    flagged: int = 0,
    right: int = 0,
    wrong: int = 0,
    corrected: int = 0,
    causes: dict | None = None,
) -> Snapshot:
    return Snapshot.objects.create(
        business=business,
        on=on,
        target=target,
        extracted=collated,
        collated=collated,
        flagged=flagged,
        confirmed_right=right,
        wrong_found=wrong,
        corrected=corrected,
        causes=causes or {},
        source=Snapshot.Source.FORM,
    )


def stage(business: Business, which: Stage, *dates: dt.date | None, who: str = "") -> None:
    planned_start, planned_end, actual_start, actual_end = (*dates, None, None, None, None)[:4]
    StageProgress.objects.create(
        business=business,
        stage=which,
        planned_start=planned_start,
        planned_end=planned_end,
        actual_start=actual_start,
        actual_end=actual_end,
        responsible=who,
    )


@dataclass
class Prefecture:
    a: Organisation
    b: Organisation
    c: Organisation
    b1: Business
    b2: Business
    b3: Business
    b4: Business
    b5: Business


@pytest.fixture
def prefecture() -> Prefecture:
    a = Organisation.objects.create(code="271004", name="大阪市", kind="municipality")
    b = Organisation.objects.create(code="272000", name="堺市", kind="municipality")
    c = Organisation.objects.create(code="000108", name="健康福祉部", kind="department")
    b1 = Business.objects.create(organisation=a, name="児童手当", system="手当システム")
    b2 = Business.objects.create(
        organisation=a, name="障害者手帳", system="手帳台帳", obtained_with_id=True
    )
    b3 = Business.objects.create(organisation=b, name="児童手当", system="児童システム")
    b4 = Business.objects.create(
        organisation=c, name="公金受取口座", system="口座", deadline=D(2026, 3, 31)
    )
    b5 = Business.objects.create(organisation=c, name="生活保護", system="保護システム")

    # b1: done = collated - (flagged - right - wrong) = 190, 390, 590.
    snap(b1, W[0], 1000, 200, flagged=20, right=10)
    snap(b1, W[2], 1000, 400, flagged=20, right=9, wrong=1, causes={"OTHER": 1})
    snap(
        b1,
        W[4],
        1000,
        600,
        flagged=60,
        right=40,
        wrong=10,
        corrected=5,
        causes={"HOMONYM": 6, "CARRY_OVER": 4},
    )
    snap(b3, W[0], 2000, 100)
    snap(b3, W[2], 2000, 200)
    snap(
        b3,
        W[4],
        2000,
        320,
        flagged=30,
        right=5,
        wrong=5,
        corrected=2,
        causes={"FAMILY_MEMBER": 3, "TYPO": 2},
    )
    snap(b3, TODAY + dt.timedelta(days=7), 2000, 1999)  # not yet, as of TODAY
    snap(b4, W[0], 300, 0)
    snap(b4, W[4], 300, 140)
    snap(b5, W[0], 100, 100, flagged=4, right=4)

    stage(b1, Stage.SURVEY, D(2026, 1, 5), D(2026, 1, 20), D(2026, 1, 6), D(2026, 1, 19))
    stage(b1, Stage.SCOPE, D(2026, 1, 20), D(2026, 2, 10), D(2026, 1, 21), who="山田")
    stage(b1, Stage.EXTRACTION, D(2026, 2, 1), D(2026, 3, 31), D(2026, 2, 2), D(2026, 3, 2))
    stage(b1, Stage.COLLATION, D(2026, 2, 15), D(2026, 3, 31), who="佐藤")
    stage(b1, Stage.CONFIRMATION, D(2026, 2, 20), D(2026, 3, 31), D(2026, 2, 25))
    stage(b1, Stage.CORRECTION, D(2026, 3, 10), D(2026, 4, 10))
    stage(b1, Stage.REPORT, D(2026, 4, 1), D(2026, 4, 30), D(2026, 4, 2))  # recorded early
    stage(b3, Stage.SURVEY, D(2026, 1, 5), D(2026, 1, 20), D(2026, 1, 6), D(2026, 1, 30))
    stage(b4, Stage.SURVEY, D(2026, 1, 5), D(2026, 1, 20), D(2026, 1, 6))  # late by end
    stage(b5, Stage.SURVEY, D(2026, 1, 5), D(2026, 1, 20), D(2026, 1, 6), D(2026, 1, 10))

    Deadline.objects.create(business_name="児童手当", due=D(2026, 4, 30), set_by="state")
    Deadline.objects.create(business_name="児童手当", due=D(2026, 5, 31), set_by="ministry")
    Deadline.objects.create(business_name="", due=D(2026, 6, 30), set_by="prefecture")
    return Prefecture(a, b, c, b1, b2, b3, b4, b5)


def business_row(view: Overview, business: Business) -> BusinessRow:
    return next(b for o in view.organisations for b in o.businesses if b.pk == business.pk)


def organisation_row(view: Overview, organisation: Organisation) -> OrganisationRow:
    return next(o for o in view.organisations if o.pk == organisation.pk)


# --- stage status ------------------------------------------------------------------------------

P = dt.date(2026, 2, 1), dt.date(2026, 3, 31)  # planned start and end around TODAY


@pytest.mark.parametrize(
    ("dates", "expected"),
    [
        ((*P, D(2026, 2, 2), D(2026, 3, 2)), StageStatus.DONE),
        ((*P, D(2026, 2, 2), TODAY), StageStatus.DONE),  # finished today
        ((D(2026, 1, 1), D(2026, 1, 31), D(2026, 1, 2), D(2026, 2, 20)), StageStatus.DONE),
        ((*P, D(2026, 2, 2), None), StageStatus.RUNNING),
        ((D(2026, 2, 1), TODAY, D(2026, 2, 2), None), StageStatus.RUNNING),  # last planned day
        ((None, None, D(2026, 2, 2), None), StageStatus.RUNNING),  # started, nothing planned
        ((D(2026, 1, 20), D(2026, 2, 10), D(2026, 1, 21), None), StageStatus.LATE),  # by end
        ((D(2026, 1, 20), D(2026, 2, 10), None, None), StageStatus.LATE),  # never started
        ((D(2026, 2, 15), D(2026, 3, 31), None, None), StageStatus.LATE),  # by start
        ((D(2026, 2, 15), None, None, None), StageStatus.LATE),  # by start, no end planned
        ((D(2026, 3, 10), D(2026, 4, 10), None, None), StageStatus.PLANNED),
        ((TODAY, D(2026, 4, 10), None, None), StageStatus.PLANNED),  # starts today
        ((None, None, None, None), StageStatus.PLANNED),
        # Actual dates after TODAY have not happened yet.
        ((*P, D(2026, 2, 2), D(2026, 3, 15)), StageStatus.RUNNING),
        ((D(2026, 3, 10), D(2026, 4, 10), D(2026, 3, 12), None), StageStatus.PLANNED),
        ((D(2026, 2, 15), D(2026, 3, 31), D(2026, 3, 12), None), StageStatus.LATE),
        ((D(2026, 1, 1), D(2026, 2, 1), D(2026, 3, 5), D(2026, 3, 6)), StageStatus.LATE),
    ],
)
def test_stage_status(dates: tuple, expected: StageStatus) -> None:
    assert stage_status(*dates, TODAY) is expected


def test_the_stages_of_a_business_as_of_today(prefecture: Prefecture) -> None:
    row = business_row(compute(TODAY), prefecture.b1)
    assert row.stages == {
        "survey": StageStatus.DONE,
        "scope": StageStatus.LATE,
        "extraction": StageStatus.DONE,
        "collation": StageStatus.LATE,
        "confirmation": StageStatus.RUNNING,
        "correction": StageStatus.PLANNED,
        "report": StageStatus.PLANNED,
    }
    assert (row.late_stage, row.responsible) == ("点検対象の決定", "山田")  # the first late one
    # Per stage, the organisation shows the worst of its 事務 (none < done < planned < running
    # < late): b2 has no stages, which says nothing, so A shows b1's.
    a = organisation_row(compute(TODAY), prefecture.a)
    assert a.stages == [
        StageStatus.DONE,
        StageStatus.LATE,
        StageStatus.DONE,
        StageStatus.LATE,
        StageStatus.RUNNING,
        StageStatus.PLANNED,
        StageStatus.PLANNED,
    ]
    c = organisation_row(compute(TODAY), prefecture.c)
    assert c.stages == [StageStatus.LATE, *[StageStatus.NONE] * 6]


# --- forecasts and statuses ----------------------------------------------------------------------


def test_business_forecasts(prefecture: Prefecture) -> None:
    view = compute(TODAY)
    on_pace = business_row(view, prefecture.b1)
    # 190 → 590 over the 28-day window: 400/28 a day; 410 left → ceil(28.7) = 29 days.
    assert on_pace.deadline == D(2026, 4, 30)  # the earliest deadline for 児童手当
    assert on_pace.forecast.status is Status.GREEN
    assert on_pace.forecast.finish == D(2026, 4, 2)
    assert on_pace.forecast.per_day == pytest.approx(400 / 28)
    assert on_pace.forecast.remaining == 410

    behind = business_row(view, prefecture.b3)
    # 100 → 300: 200/28 a day; 1700 left → 238 days, long after 04-30.
    assert behind.forecast.status is Status.RED
    assert behind.forecast.finish == TODAY + dt.timedelta(days=238)

    slightly_late = business_row(view, prefecture.b4)
    # 0 → 140: 5 a day; 160 left → 32 days → 04-05, within 14 days of its own 03-31.
    assert slightly_late.deadline == D(2026, 3, 31)
    assert slightly_late.forecast.status is Status.AMBER
    assert slightly_late.forecast.finish == D(2026, 4, 5)

    finished = business_row(view, prefecture.b5)
    assert finished.deadline == D(2026, 6, 30)  # the deadline for every 事務
    assert finished.forecast.status is Status.GREEN and finished.forecast.finish == W[0]


def test_an_organisation_is_the_worst_of_its_businesses_needing_a_check(
    prefecture: Prefecture,
) -> None:
    view = compute(TODAY)
    statuses = {o.code: o.status for o in view.organisations}
    assert statuses == {"271004": Status.GREEN, "272000": Status.RED, "000108": Status.AMBER}
    assert view.by_status == {"green": 1, "amber": 1, "red": 1}
    assert [o.code for o in view.late] == ["272000", "000108"]  # red first
    assert organisation_row(view, prefecture.c).finish == D(2026, 4, 5)  # the later of b4, b5


def test_a_business_whose_survey_shows_a_sound_linkage_is_not_counted(
    prefecture: Prefecture,
) -> None:
    assert not prefecture.b2.check_required and prefecture.b2.survey_answered
    # b2 stalled past its own deadline: red, were it counted.
    Business.objects.filter(pk=prefecture.b2.pk).update(deadline=D(2026, 3, 1))
    snap(prefecture.b2, W[0], 500, 0)
    snap(prefecture.b2, W[4], 500, 0)
    view = compute(TODAY)
    b2 = business_row(view, prefecture.b2)
    assert not b2.check_required and b2.forecast.status is Status.RED
    assert organisation_row(view, prefecture.a).status is Status.GREEN
    assert "障害者手帳" not in [row[0] for row in exports.by_business(view)]

    Business.objects.filter(pk=prefecture.b2.pk).update(
        obtained_with_id=False, queried_all_four=False, identified_soundly=False
    )
    assert organisation_row(compute(TODAY), prefecture.a).status is Status.RED  # b2 counts


def test_check_required_follows_the_survey() -> None:
    def business(*answers: bool | None) -> Business:
        return Business(
            obtained_with_id=answers[0], queried_all_four=answers[1], identified_soundly=answers[2]
        )

    assert business(None, None, None).check_required  # unanswered: the safe side
    assert not business(None, None, None).survey_answered
    assert business(False, False, False).check_required
    assert business(False, False, False).survey_answered
    assert business(False, None, None).check_required
    assert not business(False, None, None).survey_answered
    assert not business(True, None, None).check_required
    assert not business(None, True, None).check_required
    assert not business(False, False, True).check_required


def test_a_business_with_no_counts_yet_is_amber_or_red_by_its_stages(
    prefecture: Prefecture,
) -> None:
    quiet = Business.objects.create(organisation=prefecture.b, name="予防接種", system="接種")
    stage(quiet, Stage.SURVEY, D(2026, 3, 10), D(2026, 3, 20))
    stuck = Business.objects.create(organisation=prefecture.b, name="国民年金", system="年金")
    stage(stuck, Stage.SURVEY, D(2026, 1, 5), D(2026, 1, 20))  # late
    view = compute(TODAY)
    assert business_row(view, quiet).forecast.status is Status.AMBER
    assert business_row(view, stuck).forecast.status is Status.RED
    assert business_row(view, stuck).forecast.finish is None
    assert organisation_row(view, prefecture.b).finish is None  # cannot be foreseen


def test_a_huge_business_barely_moving_does_not_break_the_overview(
    prefecture: Prefecture,
) -> None:
    """One record in four weeks with millions left: no finish within the calendar."""
    huge = Business.objects.create(organisation=prefecture.b, name="住民税", system="税")
    snap(huge, W[0], 9_000_000, 0)
    snap(huge, W[4], 9_000_000, 1)
    view = compute(TODAY)
    row = business_row(view, huge)
    assert row.forecast.status is Status.RED and row.forecast.finish is None
    assert view.forecast.finish is not None  # overall still foreseeable at the total pace
    direct = forecast([(W[0], 0), (W[4], 1)], 9_000_000, D(2026, 12, 31), TODAY)
    assert (direct.status, direct.finish, direct.remaining) == (Status.RED, None, 8_999_999)
    no_deadline = forecast([(W[0], 0), (W[4], 1)], 9_000_000, dt.date.max, TODAY)
    assert no_deadline.finish is None


# --- totals, burn-down, baseline, causes, consultations ------------------------------------------


def test_totals_and_remaining(prefecture: Prefecture) -> None:
    totals = compute(TODAY).totals
    assert (
        totals.target,
        totals.collated,
        totals.flagged,
        totals.confirmed_right,
        totals.wrong_found,
        totals.corrected,
    ) == (3400, 1160, 94, 49, 15, 7)
    assert totals.done == 590 + 300 + 140 + 100
    assert totals.remaining == 3400 - 1130
    a = organisation_row(compute(TODAY), prefecture.a).counts
    assert (a.target, a.remaining) == (1000, 410)  # b2 has no counts


def test_burn_down_at_week_ends(prefecture: Prefecture) -> None:
    view = compute(TODAY)
    # Records done in all 事務 (latest snapshot on or before each week's end): 02-04 390,
    # 02-11 390, 02-18 690, 02-25 690, 03-04 1130; remaining against today's 3400.
    assert view.burn_down == [(W[0], 3010), (W[1], 3010), (W[2], 2710), (W[3], 2710), (W[4], 2270)]
    assert view.deadline == D(2026, 6, 30)
    assert view.ideal == [(W[0], 3010), (D(2026, 6, 30), 0)]
    # The whole prefecture: 390 → 1130 over the window, 740/28 a day, 2270 left → 86 days.
    assert view.forecast.status is Status.GREEN
    assert view.forecast.finish == D(2026, 5, 29)
    # Mid-week, the last point is that day, with what was known by then.
    sunday = compute(D(2026, 3, 1))
    assert sunday.burn_down[-1] == (D(2026, 3, 1), 2710)
    assert len(sunday.burn_down) == 5


def test_a_baseline_shows_that_day_only(prefecture: Prefecture) -> None:
    then = overview(W[2])  # 02-18
    totals = then.totals
    assert (
        totals.target,
        totals.collated,
        totals.flagged,
        totals.confirmed_right,
        totals.wrong_found,
    ) == (3400, 700, 24, 13, 1)
    assert totals.remaining == 3400 - 690
    assert then.causes["OTHER"] == 1 and sum(then.causes.values()) == 1
    assert then.burn_down == [(W[0], 3010), (W[1], 3010), (W[2], 2710)]
    b1 = business_row(then, prefecture.b1)
    assert b1.stages["extraction"] is StageStatus.RUNNING  # finished on 03-02
    assert b1.stages["confirmation"] is StageStatus.PLANNED  # started on 02-25
    assert overview(TODAY).totals.collated == 1160  # each day is its own computation


def test_causes_are_those_of_the_latest_counts(prefecture: Prefecture) -> None:
    view = compute(TODAY)
    assert view.causes == {
        "FAMILY_MEMBER": 3,
        "HOMONYM": 6,
        "CARRY_OVER": 4,
        "ROW_SHIFT": 0,
        "TYPO": 2,
        "OTHER": 0,
    }
    assert list(view.causes) == [c.value for c in Cause]
    assert sum(view.causes.values()) == view.totals.wrong_found


def test_consultations_open_and_overdue(prefecture: Prefecture) -> None:
    def consultation(
        organisation: Organisation, created: dt.date, due: dt.date | None, status: str = "open"
    ) -> None:
        made = Consultation.objects.create(
            organisation=organisation,
            category="照合",
            question="表記ゆれの扱い",
            due=due,
            status=status,
        )
        at = timezone.make_aware(dt.datetime.combine(created, dt.time(10)))
        settled = at if status != "open" else None  # answered the day it came in
        Consultation.objects.filter(pk=made.pk).update(created=at, settled=settled)

    consultation(prefecture.a, D(2026, 2, 20), D(2026, 3, 1))  # overdue
    consultation(prefecture.b, D(2026, 2, 20), D(2026, 3, 10))
    consultation(prefecture.c, D(2026, 2, 20), D(2026, 2, 1), status="answered")
    consultation(prefecture.a, D(2026, 2, 10), None)
    view = compute(TODAY)
    assert (view.consultations_open, view.consultations_overdue) == (3, 1)
    earlier = compute(W[2])  # 02-18: only the one made on 02-10
    assert (earlier.consultations_open, earlier.consultations_overdue) == (1, 0)
    # Answered on 02-25, the 02-10 one was still open on 02-18 and counts there, not today.
    answered = Consultation.objects.get(created__date=D(2026, 2, 10))
    answered.status = "answered"
    answered.save()
    at = timezone.make_aware(dt.datetime(2026, 2, 25, 9))
    Consultation.objects.filter(pk=answered.pk).update(settled=at)
    assert compute(W[2]).consultations_open == 1
    assert compute(TODAY).consultations_open == 2


# --- the cache ---------------------------------------------------------------------------------


def test_the_overview_is_cached_until_the_data_changes(prefecture: Prefecture) -> None:
    version = DataVersion.current()
    assert version != "none"  # every save above gave the data a new token
    assert overview(TODAY).totals.collated == 1160
    # A change that bypasses the signals is not seen: the cached overview is served.
    Snapshot.objects.filter(business=prefecture.b4, on=TODAY).update(collated=300)
    assert overview(TODAY).totals.collated == 1160
    assert compute(TODAY).totals.collated == 1160 - 140 + 300
    # A save through the ORM bumps the version, and the overview is computed again.
    snap(prefecture.b4, TODAY - dt.timedelta(days=1), 300, 150)
    assert DataVersion.current() != version
    assert overview(TODAY).totals.collated == 1320
    # So does a deletion, and any watched model.
    Snapshot.objects.filter(business=prefecture.b5).delete()
    assert overview(TODAY).totals.target == 3300
    today = timezone.localdate()
    assert overview(today).consultations_open == 0
    Consultation.objects.create(organisation=prefecture.a, category="照合", question="?")
    assert overview(today).consultations_open == 1


def test_a_change_recomputes_only_the_changed_organisations_part(
    prefecture: Prefecture,
) -> None:
    before = overview(TODAY)
    a, b, c = (organisation_row(before, o) for o in (prefecture.a, prefecture.b, prefecture.c))
    assert overview(TODAY, prefecture.a.pk).organisations == [a]  # the reporter's, reused
    latest = Snapshot.objects.get(business=prefecture.b3, on=TODAY)
    latest.collated = 700
    latest.save()  # 堺市 reports again
    after = overview(TODAY)
    assert after is not before
    assert organisation_row(after, prefecture.a) is a
    assert organisation_row(after, prefecture.c) is c
    assert organisation_row(after, prefecture.b) is not b
    assert organisation_row(after, prefecture.b).counts.collated == 700
    # Assembled from parts, it says exactly what a computation from scratch says.
    assert after == compute(TODAY)
    assert after.burn_down != before.burn_down
    # A deadline decides every 事務's forecast: every part is computed again.
    Deadline.objects.create(business_name="", due=D(2026, 3, 20), set_by="prefecture")
    changed = overview(TODAY)
    assert all(
        organisation_row(changed, o) is not organisation_row(after, o)
        for o in (prefecture.a, prefecture.b, prefecture.c)
    )
    assert changed == compute(TODAY)
    assert business_row(changed, prefecture.b5).deadline == D(2026, 3, 20)


# --- exports -----------------------------------------------------------------------------------


def sheet_rows(content: bytes) -> list[list]:
    book = openpyxl.load_workbook(io.BytesIO(content))
    return [list(row) for row in book["事務別"].iter_rows(values_only=True)]


def test_the_excel_summary_per_business(prefecture: Prefecture) -> None:
    view = overview(TODAY)
    rows = sheet_rows(exports.workbook(view, "点検の状況"))
    assert rows[0][0] == "点検の状況" and rows[1][0] == "基準日 2026-03-04"
    head = rows[3]
    assert head == exports.header()
    body = {row[0]: dict(zip(head, row, strict=True)) for row in rows[4:]}
    assert list(body) == [*sorted(["児童手当", "公金受取口座", "生活保護"]), "合計"]
    assert "障害者手帳" not in body  # no check required

    total = body.pop("合計")
    t = view.totals
    assert total["対象団体数"] == 4
    assert (
        total["対象件数"],
        total["照合件数"],
        total["不一致件数"],
        total["本人確認済み件数"],
        total["誤り件数"],
        total["訂正済み件数"],
    ) == (
        t.target,
        t.collated,
        t.flagged,
        t.confirmed_right + t.wrong_found,
        t.wrong_found,
        t.corrected,
    )
    assert total["誤りの割合"] == pytest.approx(round(15 / 1160, 6))
    assert [total[f"原因: {c.label}"] for c in Cause] == list(view.causes.values())
    summed = [name for name in head if name.endswith(("数", "件数")) or name.startswith("原因")]
    for name in summed:
        assert total[name] == sum(row[name] for row in body.values()), name

    child = body["児童手当"]
    assert (child["対象団体数"], child["対象件数"], child["照合件数"]) == (2, 3000, 920)
    assert child["紐付け方法の調査 完了団体数"] == 2 and child["紐付け方法の調査 完了率"] == 1
    assert child["データ抽出 完了団体数"] == 1 and child["データ抽出 完了率"] == 0.5
    assert child["誤りの割合"] == pytest.approx(round(15 / 920, 6))
    assert body["公金受取口座"]["紐付け方法の調査 完了団体数"] == 0  # late


def test_a_monthly_summary_is_as_of_the_months_last_day(prefecture: Prefecture) -> None:
    assert exports.month_end("2026-02") == D(2026, 2, 28)
    assert exports.month_end("2028-02") == D(2028, 2, 29)
    assert exports.month_end("2026-12") == D(2026, 12, 31)
    for wrong in ("2026-13", "2026", "2026-02-01", "feb"):
        with pytest.raises(ValueError):
            exports.month_end(wrong)
    rows = sheet_rows(exports.workbook(overview(exports.month_end("2026-02")), "2月末"))
    assert rows[1][0] == "基準日 2026-02-28"
    total = dict(zip(rows[3], rows[-1], strict=True))
    assert total["照合件数"] == 400 + 200 + 0 + 100  # the snapshots of 02-18 and 02-04


def read_csv(content: bytes) -> list[list[str]]:
    assert content.startswith(b"\xef\xbb\xbf")  # Excel opens UTF-8 with a BOM
    return list(csv.reader(io.StringIO(content.decode("utf-8-sig"))))


def test_the_csvs_carry_every_business_and_snapshot(prefecture: Prefecture) -> None:
    rows = read_csv(exports.businesses_csv(overview(TODAY)))
    head, body = rows[0], [dict(zip(rows[0], row, strict=True)) for row in rows[1:]]
    assert "残件数" in head and "見通し" in head
    assert sorted((r["団体コード"], r["事務"], r["業務システム"]) for r in body) == sorted(
        (b.organisation.code, b.name, b.system) for b in Business.objects.all()
    )
    by_system = {r["業務システム"]: r for r in body}
    assert by_system["手帳台帳"]["点検が必要"] == "0"
    assert by_system["手当システム"]["点検が必要"] == "1"
    assert by_system["手当システム"]["残件数"] == "410"
    assert by_system["手当システム"]["見通し"] == "green"
    assert by_system["手当システム"]["完了見込み日"] == "2026-04-02"
    assert by_system["手当システム"]["点検対象の決定"] == "late"
    assert by_system["手当システム"]["遅れている段階"] == "点検対象の決定"
    assert by_system["児童システム"]["見通し"] == "red"
    assert by_system["保護システム"]["データ抽出"] == "none"

    rows = read_csv(exports.snapshots_csv())
    head, body = rows[0], [dict(zip(rows[0], row, strict=True)) for row in rows[1:]]
    assert len(body) == Snapshot.objects.count() == 10  # every day recorded, future included
    latest = next(
        r for r in body if r["業務システム"] == "手当システム" and r["日付"] == "2026-03-04"
    )
    assert (latest["照合件数"], latest["誤りの判明"], latest["原因: 同姓同名の他人"]) == (
        "600",
        "10",
        "6",
    )
    assert latest["出所"] == "form"


def test_exported_text_never_runs_as_a_formula(prefecture: Prefecture) -> None:
    Business.objects.create(organisation=prefecture.a, name="=HYPERLINK(1)", system="+sum")
    rows = read_csv(exports.businesses_csv(overview(TODAY)))
    assert ["'=HYPERLINK(1)", "'+sum"] in [row[3:5] for row in rows]
    sheet = sheet_rows(exports.workbook(overview(TODAY), "-title"))
    assert sheet[0][0] == "-title"  # the title is written as text by xlsxwriter
    assert "'=HYPERLINK(1)" in [row[0] for row in sheet]
