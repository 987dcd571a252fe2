"""What the dashboard and the executive view show, computed as of any day (a baseline is the
same computation on a past day): each organisation's stages, each 事務's forecast against its
deadline, the burn-down of remaining records, wrong linkages by cause, consultations waiting.

A prefecture has thousands of 事務 with weekly counts for a year: the figures come from a few
set-wise queries (window functions over the snapshots), and the result is cached under the
site's data version (models.DataVersion), so it is computed once per change, not per request.
"""

from __future__ import annotations

import datetime as dt
import threading
from collections import Counter, OrderedDict, defaultdict
from dataclasses import dataclass, field
from enum import StrEnum
from functools import cached_property

from django.core.cache import cache
from django.db import connection
from django.db.models import F, Q, Window
from django.db.models.functions import RowNumber

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
    StageStatus.DONE: "完了",
    StageStatus.RUNNING: "実施中",
    StageStatus.PLANNED: "予定",
    StageStatus.LATE: "遅れ",
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


# The overviews this process last computed or read from the cache, as objects: a whole
# prefecture's pickle takes most of a second to load, so a hit does not unpickle it again
# while the cache still holds its key (cleared, expired or evicted there: gone here too).
# Those of an older data version are dropped; at most LOADED_ROWS 事務 rows are kept (a
# prefecture's overview of 20,000 事務 holds about 50 MB), the least recently used go first.
_loaded: OrderedDict[str, tuple[int, Overview]] = OrderedDict()
_loaded_lock = threading.Lock()
LOADED_ROWS = 120_000


def overview(as_of: dt.date, organisation: int | None = None) -> Overview:
    """The overview on `as_of` (of one organisation, or all), from the cache when nothing
    changed since it was computed."""
    version = DataVersion.current()
    key = f"progress-overview:{version}:{as_of.isoformat()}:{organisation}"
    with _loaded_lock:
        loaded = _loaded.get(key)
        if loaded is not None:
            _loaded.move_to_end(key)
    if loaded is not None and cache.has_key(key):
        return loaded[1]
    found = cache.get(key)
    if found is None:
        found = compute(as_of, organisation)
        cache.set(key, found, CACHE_SECONDS)
    rows = max(1, sum(len(o.businesses) for o in found.organisations))
    with _loaded_lock:
        for old in [k for k in _loaded if not k.startswith(f"progress-overview:{version}:")]:
            del _loaded[old]
        _loaded[key] = (rows, found)
        while len(_loaded) > 1 and sum(n for n, _ in _loaded.values()) > LOADED_ROWS:
            _loaded.popitem(last=False)
    return found


def compute(as_of: dt.date, organisation: int | None = None) -> Overview:
    """The overview of every organisation, or of the one given (a reporter's view)."""
    mine = Q() if organisation is None else Q(business__organisation=organisation)
    deadlines = _deadlines()
    latest = _snapshots(as_of, mine & Q(on__lte=as_of), "-on")
    base = _snapshots(as_of, mine & Q(on__lte=as_of - dt.timedelta(days=WINDOW_DAYS)), "-on")
    first = _snapshots(as_of, mine & Q(on__lte=as_of), "on")
    stages = _stages(as_of, mine)
    listed = Organisation.objects.all() if organisation is None else Organisation.objects.filter(
        pk=organisation)  # fmt: skip
    organisations: dict[int, OrganisationRow] = {
        pk: OrganisationRow(pk, code, name, kind)
        for pk, code, name, kind in listed.values_list("pk", "code", "name", "kind")
    }
    causes: Counter[str] = Counter()
    fields = ("pk", "organisation_id", "name", "system", "deadline", "obtained_with_id",
              "queried_all_four", "identified_soundly")  # fmt: skip
    businesses = Business.objects.filter(organisation__in=organisations)
    for pk, owner, name, system, own_deadline, *survey in businesses.values_list(*fields):
        check_required = not any(survey)
        business_stages, late_stage, responsible, planned_end = stages.get(pk, ({}, "", "", None))
        deadline = own_deadline or deadlines.get(name) or deadlines.get("") or planned_end
        on, counts, found_causes = latest.get(pk) or (None, Counts(), {})
        causes.update({c: n for c, n in found_causes.items() if n})
        known = (base.get(pk) or first.get(pk), latest.get(pk))
        history = [(day, counts.done) for day, counts, _ in filter(None, known)]
        row = BusinessRow(
            pk, name, system, check_required, deadline, counts,
            forecast(history, counts.target, deadline or dt.date.max, as_of, WINDOW_DAYS),
            business_stages, late_stage, responsible, found_causes,
        )  # fmt: skip
        if check_required and counts.target == 0 and on is None:
            row.forecast = _unreported(business_stages, as_of, deadline)
        organisations[owner].businesses.append(row)
    rows = sorted(organisations.values(), key=lambda o: o.code)
    totals = sum((o.counts for o in rows), Counts())
    series = _burn_down(as_of, organisation)
    deadline = max((b.deadline for o in rows for b in o.businesses if b.deadline), default=None)
    overall = forecast([(day, finished) for day, finished, _ in series], totals.target,
                       deadline or dt.date.max, as_of, WINDOW_DAYS)  # fmt: skip
    open_consultations = Consultation.objects.filter(
        organisation__in=organisations, created__date__lte=as_of, status=Consultation.Status.OPEN
    )
    return Overview(
        as_of=as_of,
        organisations=rows,
        totals=totals,
        # Against today's scope: records in 事務 that reported later count as remaining
        # from the first week, so the line only falls as work is done.
        burn_down=[
            (day, max(totals.target - finished, 0)) for day, finished, _ in _weekly(series, as_of)
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


def _snapshots(as_of: dt.date, condition: Q, order: str
               ) -> dict[int, tuple[dt.date, Counts, dict[str, int]]]:  # fmt: skip
    """Per 事務, the first snapshot by `order` among those matching `condition`."""
    ranked = (
        Snapshot.objects.filter(condition)
        .annotate(rank=Window(RowNumber(), partition_by=F("business_id"), order_by=F(
            order.lstrip("-")).desc() if order.startswith("-") else F(order).asc()))
        .filter(rank=1)
        .values_list("business_id", "on", "target", "collated", "flagged", "confirmed_right",
                     "wrong_found", "corrected", "causes")
    )  # fmt: skip
    return {pk: (on, Counts(*numbers), causes or {}) for pk, on, *numbers, causes in ranked}


def _stages(
    as_of: dt.date, mine: Q
) -> dict[int, tuple[dict[str, StageStatus], str, str, dt.date | None]]:
    """Per 事務: each stage's status, the first late stage and who is responsible for it, and
    the planned end of the last stage (the 事務's own deadline when none is set)."""
    found: dict[int, tuple[dict[str, StageStatus], str, str, dt.date | None]] = {}
    labels = dict(Stage.choices)
    order = [s.value for s in Stage]
    rows = StageProgress.objects.filter(mine).values_list(
        "business_id", "stage", "planned_start", "planned_end", "actual_start", "actual_end",
        "responsible",
    )  # fmt: skip
    grouped: dict[int, list] = defaultdict(list)
    for business, stage, *dates, responsible in rows:
        grouped[business].append((order.index(stage), stage, dates, responsible))
    for business, stages in grouped.items():
        statuses, late, who, last_end = {}, "", "", None
        for _, stage, dates, responsible in sorted(stages):
            statuses[stage] = stage_status(*dates, as_of)
            if statuses[stage] == StageStatus.LATE and not late:
                late, who = labels[stage], responsible
            last_end = dates[1] or last_end
        found[business] = (statuses, late, who, last_end)
    return found


BURN_DOWN_SQL = """
SELECT day, SUM(d - pd), SUM(t - pt) FROM (
  SELECT day, d, t,
         COALESCE(LAG(d) OVER (PARTITION BY business_id ORDER BY day), 0) AS pd,
         COALESCE(LAG(t) OVER (PARTITION BY business_id ORDER BY day), 0) AS pt
  FROM (
    SELECT business_id, "on" AS day, target AS t,
           collated - CASE WHEN flagged - confirmed_right - wrong_found > 0
                           THEN flagged - confirmed_right - wrong_found ELSE 0 END AS d
    FROM progress_snapshot WHERE "on" <= %s AND (%s IS NULL OR business_id IN (
      SELECT id FROM progress_business WHERE organisation_id = %s))
  ) AS s0
) AS s1
GROUP BY day ORDER BY day
"""


def _burn_down(as_of: dt.date, organisation: int | None) -> list[tuple[dt.date, int]]:
    """(day, records done in all 事務) on each day a count changed: each snapshot adds what
    changed since the 事務's previous one, so one pass over the snapshots suffices."""
    with connection.cursor() as cursor:
        cursor.execute(BURN_DOWN_SQL, [as_of, organisation, organisation])
        changes = cursor.fetchall()
    series, finished, target = [], 0, 0
    for day, finished_change, target_change in changes:
        finished, target = finished + int(finished_change), target + int(target_change)
        day = dt.date.fromisoformat(day) if isinstance(day, str) else day
        series.append((day, finished, target))
    return series


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
    start, finished, _ = series[0]
    return [(start, max(target - finished, 0)), (deadline, 0)]
