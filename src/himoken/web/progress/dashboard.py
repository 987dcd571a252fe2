"""What the dashboard and the executive view show, computed as of any day (a baseline is the
same computation on a past day): each organisation's stages, each 事務's forecast against its
deadline, the burn-down of remaining records, wrong linkages by cause, consultations waiting.

A prefecture has thousands of 事務 with weekly counts for a year, and reports arrive all day:
each organisation's part is computed in a few set-wise queries (an index probe per 事務 for its
snapshots, one pass for the burn-down) and kept under the organisation's data version, the
overview under the site's (models.DataVersion). A report makes one organisation's part be
computed again, and the overview assembled from the parts, not the whole prefecture recomputed.
"""

from __future__ import annotations

import datetime as dt
import threading
from collections import Counter, OrderedDict, defaultdict
from collections.abc import Collection
from dataclasses import dataclass, field
from enum import StrEnum
from functools import cached_property

from django.db import connection
from django.db.models import OuterRef, Q, QuerySet, Subquery
from django.utils.translation import gettext_lazy as _

from himoken.web.progress.forecast import Forecast, Status, forecast
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
    done,
)

WINDOW_DAYS = 28  # the pace of the last four weeks decides the forecast
CACHE_SECONDS = 3600
RAG_ORDER = (Status.GREEN, Status.AMBER, Status.RED)


class StageStatus(StrEnum):
    DONE = "done"
    RUNNING = "running"
    PLANNED = "planned"
    LATE = "late"
    NONE = "none"  # no such stage planned


# From least to most in need of attention: a 事務 without the stage says nothing about it.
STAGE_ORDER = (StageStatus.NONE, StageStatus.DONE, StageStatus.PLANNED, StageStatus.RUNNING,
               StageStatus.LATE)  # fmt: skip
STAGE_LABELS = {
    StageStatus.DONE: _("完了"),
    StageStatus.RUNNING: _("実施中"),
    StageStatus.PLANNED: _("予定"),
    StageStatus.LATE: _("遅れ"),
    StageStatus.NONE: "―",
}


def stage_status(
    planned_start: dt.date | None,
    planned_end: dt.date | None,
    actual_start: dt.date | None,
    actual_end: dt.date | None,
    today: dt.date,
) -> StageStatus:
    """As of `today`: actual dates after it have not happened yet."""
    if actual_end and actual_end <= today:
        return StageStatus.DONE
    if planned_end and planned_end < today:
        return StageStatus.LATE
    if actual_start and actual_start <= today:
        return StageStatus.RUNNING
    if planned_start and planned_start < today:
        return StageStatus.LATE
    return StageStatus.PLANNED


@dataclass(frozen=True)
class Counts:
    target: int = 0
    collated: int = 0
    flagged: int = 0
    confirmed_right: int = 0
    wrong_found: int = 0
    corrected: int = 0

    @property
    def done(self) -> int:
        return done(self.collated, self.flagged, self.confirmed_right, self.wrong_found)

    @property
    def remaining(self) -> int:
        return max(self.target - self.done, 0)

    def __add__(self, other: Counts) -> Counts:
        return Counts(*(a + b for a, b in zip(_fields(self), _fields(other), strict=True)))


def _fields(counts: Counts) -> tuple[int, ...]:
    return (counts.target, counts.collated, counts.flagged, counts.confirmed_right,
            counts.wrong_found, counts.corrected)  # fmt: skip


@dataclass
class BusinessRow:
    pk: int
    name: str
    system: str
    check_required: bool
    deadline: dt.date | None
    counts: Counts
    forecast: Forecast
    stages: dict[str, StageStatus]
    late_stage: str = ""  # the first late stage, for "who is late"
    responsible: str = ""
    causes: dict[str, int] = field(default_factory=dict)  # wrong linkages by cause


@dataclass
class OrganisationRow:
    pk: int
    code: str
    name: str
    kind: str
    businesses: list[BusinessRow] = field(default_factory=list)

    @cached_property
    def stages(self) -> list[StageStatus]:
        """Per stage, the worst status among the organisation's 事務."""
        return [
            max((b.stages.get(s.value, StageStatus.NONE) for b in self.businesses),
                key=STAGE_ORDER.index, default=StageStatus.NONE)
            for s in Stage
        ]  # fmt: skip

    @cached_property
    def cells(self) -> list[tuple[str, str]]:
        """The matrix cells, (status, label) per stage: printed for up to 100 organisations a
        page, so looked up here once rather than in the template."""
        return [(status.value, STAGE_LABELS[status]) for status in self.stages]

    @cached_property
    def late_work(self) -> list[tuple[str, str, bool]]:
        """For "who is late": each 事務 needing a check that is not on track, as (name, the
        first late stage or "", no counts reported yet); the template words the reason, in the
        reader's language."""
        return [(b.name, b.late_stage, b.counts.target == 0) for b in self.businesses
                if b.check_required and b.forecast.status != Status.GREEN]  # fmt: skip

    @cached_property
    def late_people(self) -> str:
        """Who is responsible for the 事務 not on track."""
        late = [
            b for b in self.businesses if b.check_required and b.forecast.status != Status.GREEN
        ]
        return " ".join(dict.fromkeys(b.responsible for b in late if b.responsible))

    @cached_property
    def status(self) -> Status:
        return max((b.forecast.status for b in self.businesses if b.check_required),
                   key=RAG_ORDER.index, default=Status.GREEN)  # fmt: skip

    @cached_property
    def counts(self) -> Counts:
        """The counts of the 事務 that need a record check (the others are out of scope)."""
        return sum((b.counts for b in self.businesses if b.check_required), Counts())

    @cached_property
    def causes(self) -> Counter[str]:
        """Wrong linkages found by cause, in all its 事務."""
        found: Counter[str] = Counter()
        for b in self.businesses:
            found.update({c: n for c, n in b.causes.items() if n})
        return found

    @cached_property
    def deadline(self) -> dt.date | None:
        """The latest deadline of its 事務."""
        return max((b.deadline for b in self.businesses if b.deadline), default=None)

    @cached_property
    def unreported(self) -> bool:
        """A 事務 needing a check has reported no counts yet."""
        return any(b.check_required and b.counts.target == 0 for b in self.businesses)

    @cached_property
    def finish(self) -> dt.date | None:
        dates = [b.forecast.finish for b in self.businesses if b.check_required]
        return None if None in dates else max(dates, default=None)


@dataclass
class Overview:
    as_of: dt.date
    organisations: list[OrganisationRow]
    totals: Counts
    burn_down: list[tuple[dt.date, int]]  # (week, records remaining)
    ideal: list[tuple[dt.date, int]]  # the straight line from the first week to the deadline
    deadline: dt.date | None
    forecast: Forecast
    causes: dict[str, int]
    consultations_open: int
    consultations_overdue: int

    @cached_property
    def by_status(self) -> dict[str, int]:
        counted = Counter(o.status for o in self.organisations if o.businesses)
        return {s.value: counted[s] for s in RAG_ORDER}

    @cached_property
    def late(self) -> list[OrganisationRow]:
        """Organisations that will not finish in time at their present pace, worst first."""
        late = [o for o in self.organisations if o.status != Status.GREEN]
        return sorted(late, key=lambda o: (-RAG_ORDER.index(o.status), o.code))

    def stage_shares(self) -> list[tuple[str, int, int]]:
        """Per stage: organisations that finished it, and organisations it applies to."""
        shares = []
        for position, stage in enumerate(Stage):
            statuses = [o.stages[position] for o in self.organisations if o.businesses]
            applying = [s for s in statuses if s != StageStatus.NONE]
            shares.append((stage.label, sum(s == StageStatus.DONE for s in applying),
                           len(applying)))  # fmt: skip
        return shares


# --- computing: each organisation's part, then the whole -----------------------------------


@dataclass
class Part:
    """One organisation's share of an overview on one day: its row, and what its snapshots add
    to the burn-down on each day a count changed, as (records done, records in scope)."""

    row: OrganisationRow
    changes: dict[dt.date, tuple[int, int]] = field(default_factory=dict)


def compute(as_of: dt.date, organisation: int | None = None) -> Overview:
    """The overview of every organisation, or of the one given (a reporter's view), computed
    afresh (overview() reuses what has not changed)."""
    parts = compute_parts(as_of, None if organisation is None else [organisation])
    return assemble(as_of, list(parts.values()), organisation)


def compute_parts(as_of: dt.date, organisations: Collection[int] | None) -> dict[int, Part]:
    """The parts of the organisations given (None: every one), in a few set-wise queries."""
    listed = Organisation.objects.order_by()
    businesses = Business.objects.order_by()
    if organisations is not None:
        listed = listed.filter(pk__in=organisations)
        businesses = businesses.filter(organisation__in=organisations)
    parts = {
        pk: Part(OrganisationRow(pk, code, name, kind))
        for pk, code, name, kind in listed.values_list("pk", "code", "name", "kind")
    }
    deadlines = _deadlines()
    latest, base, first = _snapshots(businesses, as_of)
    stages = _stages(as_of, businesses)
    fields = ("pk", "organisation_id", "name", "system", "deadline", "obtained_with_id",
              "queried_all_four", "identified_soundly")  # fmt: skip
    for pk, owner, name, system, own_deadline, *survey in businesses.values_list(*fields):
        if owner not in parts:  # an organisation added since it was listed
            continue
        check_required = not any(survey)
        business_stages, late_stage, responsible, planned_end = stages.get(pk, ({}, "", "", None))
        deadline = own_deadline or deadlines.get(name) or deadlines.get("") or planned_end
        on, counts, found_causes = latest.get(pk) or (None, Counts(), {})
        known = (base.get(pk) or first.get(pk), latest.get(pk))
        history = [(day, counts.done) for day, counts, _causes in filter(None, known)]
        row = BusinessRow(
            pk, name, system, check_required, deadline, counts,
            forecast(history, counts.target, deadline or dt.date.max, as_of, WINDOW_DAYS),
            business_stages, late_stage, responsible, found_causes,
        )  # fmt: skip
        if check_required and counts.target == 0 and on is None:
            row.forecast = _unreported(business_stages, as_of, deadline)
        parts[owner].row.businesses.append(row)
    for part in parts.values():
        part.row.businesses.sort(key=lambda b: (b.name, b.system))
    for owner, day, done_change, target_change in _burn_down_changes(as_of, organisations):
        if owner in parts:
            parts[owner].changes[day] = (done_change, target_change)
    return parts


class BurnDownSums:
    """The organisations' burn-down changes summed per day. Kept from one assembly to the next
    (per day shown): a part that was replaced has its old changes taken out and its new ones
    put in, so a report costs its own organisation's days, not every organisation's."""

    def __init__(self) -> None:
        self.parts: dict[int, Part] = {}
        self.by_day: dict[dt.date, list[int]] = {}

    def update(self, parts: list[Part]) -> dict[dt.date, list[int]]:
        current = {part.row.pk: part for part in parts}
        for pk in self.parts.keys() - current.keys():
            self._apply(self.parts.pop(pk), -1)
        for pk, part in current.items():
            old = self.parts.get(pk)
            if old is part:
                continue
            if old is not None:
                self._apply(old, -1)
            self._apply(part, 1)
            self.parts[pk] = part
        return self.by_day

    def _apply(self, part: Part, sign: int) -> None:
        for day, (done_change, target_change) in part.changes.items():
            change = self.by_day.setdefault(day, [0, 0])
            change[0] += sign * done_change
            change[1] += sign * target_change
            if change == [0, 0]:  # a day with no change adds no point (as if never summed)
                del self.by_day[day]


def assemble(
    as_of: dt.date,
    parts: list[Part],
    organisation: int | None,
    sums: BurnDownSums | None = None,
) -> Overview:
    """The overview from the organisations' parts: totals, burn-down, forecast, causes.
    `sums`: the burn-down sums kept from the last assembly of this day (else summed here)."""
    rows = sorted((part.row for part in parts), key=lambda o: o.code)
    totals = sum((o.counts for o in rows), Counts())
    merged = (sums or BurnDownSums()).update(parts)
    series, finished, target = [], 0, 0
    for day in sorted(merged):
        finished, target = finished + merged[day][0], target + merged[day][1]
        series.append((day, finished, target))
    causes: Counter[str] = Counter()
    for row in rows:
        causes.update(row.causes)
    deadline = max((o.deadline for o in rows if o.deadline), default=None)
    overall = forecast([(day, done) for day, done, _target in series], totals.target,
                       deadline or dt.date.max, as_of, WINDOW_DAYS)  # fmt: skip
    open_consultations = Consultation.objects.filter(
        Q(settled__isnull=True) | Q(settled__date__gt=as_of), created__date__lte=as_of
    )
    if organisation is not None:
        open_consultations = open_consultations.filter(organisation=organisation)
    return Overview(
        as_of=as_of,
        organisations=rows,
        totals=totals,
        # Against today's scope: records in 事務 that reported later count as remaining
        # from the first week, so the line only falls as work is done.
        burn_down=[
            (day, max(totals.target - done, 0)) for day, done, _in_scope in _weekly(series, as_of)
        ],
        ideal=_ideal(series, totals.target, deadline),
        deadline=deadline,
        forecast=overall,
        causes={c.value: causes[c.value] for c in Cause},
        consultations_open=open_consultations.count(),
        consultations_overdue=open_consultations.filter(due__lt=as_of).count(),
    )


def _unreported(stages: dict[str, StageStatus], as_of: dt.date, deadline: dt.date | None
                ) -> Forecast:  # fmt: skip
    """No counts yet: on schedule while the stages are, else late."""
    late = StageStatus.LATE in stages.values() or (deadline is not None and as_of > deadline)
    return Forecast(Status.RED if late else Status.AMBER, None, 0.0, 0)


def _deadlines() -> dict[str, dt.date]:
    """The earliest deadline per 事務 name ("" for those that apply to every 事務)."""
    earliest: dict[str, dt.date] = {}
    for name, due in Deadline.objects.values_list("business_name", "due"):
        earliest[name] = min(due, earliest.get(name, due))
    return earliest


SnapshotAt = tuple[dt.date, Counts, dict[str, int]]
FETCH_CHUNK = 5000  # snapshot ids per query (SQLite's limit on parameters is higher)


def _snapshots(businesses: QuerySet[Business], as_of: dt.date) -> list[dict[int, SnapshotAt]]:
    """Per 事務: its latest snapshot on `as_of`, its latest at the start of the pace window,
    and its first. One probe of the (business, on) index for each, not a sort of every
    snapshot; then the rows chosen, by primary key."""

    def pick(on_or_before: dt.date, newest: bool) -> Subquery:
        return Subquery(
            Snapshot.objects.filter(business=OuterRef("pk"), on__lte=on_or_before)
            .order_by("-on" if newest else "on")
            .values("pk")[:1]
        )

    picked = list(
        businesses.annotate(
            latest=pick(as_of, True),
            base=pick(as_of - dt.timedelta(days=WINDOW_DAYS), True),
            first=pick(as_of, False),
        ).values_list("pk", "latest", "base", "first")
    )
    wanted = sorted({pk for _, *three in picked for pk in three if pk is not None})
    rows: dict[int, SnapshotAt] = {}
    for start in range(0, len(wanted), FETCH_CHUNK):
        chosen = Snapshot.objects.order_by().filter(pk__in=wanted[start : start + FETCH_CHUNK])
        for pk, on, *numbers, causes in chosen.values_list(
            "pk", "on", "target", "collated", "flagged", "confirmed_right", "wrong_found",
            "corrected", "causes",
        ):  # fmt: skip
            rows[pk] = (on, Counts(*numbers), causes or {})
    found: list[dict[int, SnapshotAt]] = [{}, {}, {}]
    for business, *three in picked:
        for position, pk in enumerate(three):
            if pk is not None:
                found[position][business] = rows[pk]
    return found


def _stages(
    as_of: dt.date, businesses: QuerySet[Business]
) -> dict[int, tuple[dict[str, StageStatus], str, str, dt.date | None]]:
    """Per 事務: each stage's status, the first late stage and who is responsible for it, and
    the planned end of the last stage (the 事務's own deadline when none is set)."""
    found: dict[int, tuple[dict[str, StageStatus], str, str, dt.date | None]] = {}
    labels = dict(Stage.choices)
    order = [s.value for s in Stage]
    rows = StageProgress.objects.filter(business__in=businesses).values_list(
        "business_id", "stage", "planned_start", "planned_end", "actual_start", "actual_end",
        "responsible",
    )  # fmt: skip
    grouped: dict[int, list] = defaultdict(list)
    for business, stage, *dates, responsible in rows:
        grouped[business].append((order.index(stage), stage, dates, responsible))
    for business, stages in grouped.items():
        statuses, late, who, last_end = {}, "", "", None
        for _position, stage, dates, responsible in sorted(stages):
            statuses[stage] = stage_status(*dates, as_of)
            if statuses[stage] == StageStatus.LATE and not late:
                late, who = labels[stage], responsible
            last_end = dates[1] or last_end
        found[business] = (statuses, late, who, last_end)
    return found


# Each snapshot adds what changed since its 事務's previous one, so one pass over the
# snapshots gives every day's change; summed per organisation and day.
BURN_DOWN_SQL = """
SELECT b.organisation_id, s1.day, SUM(s1.d - s1.pd), SUM(s1.t - s1.pt)
FROM (
  SELECT business_id, day, d, t,
         COALESCE(LAG(d) OVER w, 0) AS pd, COALESCE(LAG(t) OVER w, 0) AS pt
  FROM (
    SELECT business_id, "on" AS day, target AS t,
           collated - CASE WHEN flagged - confirmed_right - wrong_found > 0
                           THEN flagged - confirmed_right - wrong_found ELSE 0 END AS d
    FROM progress_snapshot WHERE "on" <= %s {mine}
  ) AS s0
  WINDOW w AS (PARTITION BY business_id ORDER BY day)
) AS s1 JOIN progress_business b ON b.id = s1.business_id
GROUP BY b.organisation_id, s1.day
"""
MINE_SQL = "AND business_id IN (SELECT id FROM progress_business WHERE organisation_id IN ({}))"


def _burn_down_changes(
    as_of: dt.date, organisations: Collection[int] | None
) -> list[tuple[int, dt.date, int, int]]:
    """(organisation, day, records done added, records in scope added) on each day a count
    of one of its 事務 changed."""
    ids = [] if organisations is None else list(organisations)
    mine = "" if organisations is None else MINE_SQL.format(", ".join(["%s"] * len(ids)) or "NULL")
    with connection.cursor() as cursor:
        cursor.execute(BURN_DOWN_SQL.format(mine=mine), [as_of, *ids])
        found = cursor.fetchall()
    return [
        (owner, dt.date.fromisoformat(day) if isinstance(day, str) else day, int(d), int(t))
        for owner, day, d, t in found
    ]


# --- the cache: overviews per data version, parts per organisation version ------------------

# Overviews this process assembled, by (data version, day, organisation or None): a hit costs
# one query for the version. After any change each one is assembled again from the parts,
# recomputing only those of organisations whose version changed (one report: one
# organisation's ten 事務 instead of the prefecture's 20,000).
_overviews: OrderedDict[tuple[str, dt.date, int | None], Overview] = OrderedDict()
OVERVIEWS_KEPT = 32
# Parts by day, then organisation, with the organisation's version they were computed at; the
# days least recently asked for go first beyond PARTS_ROWS 事務 rows (a 20,000-事務 prefecture's
# day holds about 50 MB).
_parts: OrderedDict[dt.date, dict[int, tuple[str, Part]]] = OrderedDict()
PARTS_ROWS = 120_000
# More stale organisations than this: computing all of them at once is cheaper.
ALL_AT_ONCE = 200
_sums: dict[dt.date, BurnDownSums] = {}  # per day, of the whole prefecture's parts
_lock = threading.Lock()  # guards the dictionaries
_computing = threading.Lock()  # one computation at a time: others wait, then hit


def overview(as_of: dt.date, organisation: int | None = None) -> Overview:
    """The overview on `as_of` (of one organisation, or all), reusing what has not changed
    since it was last computed in this process."""
    key = (DataVersion.current(), as_of, organisation)
    with _lock:
        found = _overviews.get(key)
    if found is not None:
        return found
    with _computing:
        with _lock:
            found = _overviews.get(key)
        if found is None:
            parts = _current_parts(as_of, organisation)
            # The whole prefecture's burn-down sums are kept per day and updated by the parts
            # that changed; one organisation's are summed afresh (ten 事務).
            sums = _sums.setdefault(as_of, BurnDownSums()) if organisation is None else None
            found = assemble(as_of, parts, organisation, sums)
            with _lock:
                for old in [k for k in _overviews if k[0] != key[0]]:
                    del _overviews[old]
                _overviews[key] = found
                while len(_overviews) > OVERVIEWS_KEPT:
                    _overviews.popitem(last=False)
    return found


def _current_parts(as_of: dt.date, organisation: int | None) -> list[Part]:
    listed = Organisation.objects.order_by()
    if organisation is not None:
        listed = listed.filter(pk=organisation)
    versions = dict(listed.values_list("pk", "data_version"))
    with _lock:
        day = _parts.setdefault(as_of, {})
        _parts.move_to_end(as_of)
        stale = [pk for pk in versions if day.get(pk, ("",))[0] != versions[pk]]
    if stale:
        fresh = compute_parts(as_of, None if len(stale) > ALL_AT_ONCE else stale)
        with _lock:
            for pk, part in fresh.items():
                if pk in versions:
                    day[pk] = (versions[pk], part)
            if organisation is None:
                for gone in day.keys() - versions.keys():
                    del day[gone]
            _evict()
    with _lock:
        return [day[pk][1] for pk in versions if pk in day]


def _evict() -> None:
    def rows() -> int:
        return sum(len(p.row.businesses) for d in _parts.values() for _version, p in d.values())

    while len(_parts) > 1 and rows() > PARTS_ROWS:
        day, _ = _parts.popitem(last=False)
        _sums.pop(day, None)


def forget() -> None:
    """Drop everything cached in this process (tests that change data behind the signals)."""
    with _lock:
        _overviews.clear()
        _parts.clear()
        _sums.clear()


def _weekly(series: list, as_of: dt.date) -> list[tuple[dt.date, int, int]]:
    """The series sampled at each week's end, up to as_of."""
    if not series:
        return []
    weeks, position, latest = [], 0, (0, 0)
    day = series[0][0]
    while day <= as_of + dt.timedelta(days=6):
        while position < len(series) and series[position][0] <= day:
            latest = series[position][1:]
            position += 1
        weeks.append((min(day, as_of), *latest))
        day += dt.timedelta(days=7)
    return weeks


def _ideal(series: list, target: int, deadline: dt.date | None) -> list[tuple[dt.date, int]]:
    """The straight line from the first week's remaining records to none at the deadline."""
    if not series or deadline is None:
        return []
    start, finished, _in_scope = series[0]
    return [(start, max(target - finished, 0)), (deadline, 0)]
