"""Will a 事務 finish by its deadline? A forecast from recent throughput (red/amber/green).

Pure arithmetic on dated snapshots of how many records are done, so the dashboard, the
executive view and the Excel reports say the same thing. The rate is taken over a recent
window (default four weeks), not the whole history: the governor's question is whether the
present pace is enough.
"""

from __future__ import annotations

import datetime as dt
import math
from collections.abc import Sequence
from dataclasses import dataclass
from enum import StrEnum


class Status(StrEnum):
    GREEN = "green"  # finished, or the present pace finishes by the deadline
    AMBER = "amber"  # a little late at the present pace, or no pace to judge yet
    RED = "red"  # late at the present pace, or stalled past the deadline


@dataclass(frozen=True)
class Forecast:
    status: Status
    finish: dt.date | None  # when the work is (or would be) done; None if nothing moves
    per_day: float  # records a day over the window
    remaining: int


def forecast(
    snapshots: Sequence[tuple[dt.date, int]],
    total: int,
    deadline: dt.date,
    today: dt.date,
    window_days: int = 28,
    amber_days: int = 14,
) -> Forecast:
    """`snapshots`: (date, records done so far), any order; `total`: records in scope."""
    ordered = sorted(snapshots)
    done = ordered[-1][1] if ordered else 0
    remaining = max(total - done, 0)
    if remaining == 0:
        finished_on = next((day for day, count in ordered if count >= total), today)
        return Forecast(Status.GREEN, finished_on, 0.0, 0)
    # The pace over the window: from the level at its start (the latest snapshot on or before
    # it, else the first one) to the latest snapshot.
    start = today - dt.timedelta(days=window_days)
    before = [s for s in ordered if s[0] <= start]
    base_day, base_done = before[-1] if before else (ordered[0] if ordered else (today, 0))
    last_day, last_done = ordered[-1] if ordered else (today, 0)
    days = (last_day - base_day).days
    per_day = (last_done - base_done) / days if days > 0 else 0.0
    if per_day <= 0:
        status = Status.RED if today > deadline else Status.AMBER
        return Forecast(status, None, 0.0, remaining)
    days_left = math.ceil(remaining / per_day)
    if days_left > (dt.date.max - last_day).days:
        # At this pace the work would end after the calendar does (year 9999): no date to
        # show, and late for any deadline that is set.
        status = Status.GREEN if deadline == dt.date.max else Status.RED
        return Forecast(status, None, per_day, remaining)
    finish = last_day + dt.timedelta(days=days_left)
    if finish <= deadline:
        status = Status.GREEN
    elif finish <= deadline + dt.timedelta(days=amber_days):
        status = Status.AMBER
    else:
        status = Status.RED
    return Forecast(status, finish, per_day, remaining)
