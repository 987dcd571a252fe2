"""The forecast the dashboard colours organisations by."""

from __future__ import annotations

import datetime as dt

from himoken.web.progress.forecast import Status, forecast

D = dt.date
DEADLINE = D(2026, 12, 31)


def test_the_present_pace_finishing_in_time_is_green() -> None:
    weekly = [(D(2026, 11, 1) + dt.timedelta(days=7 * w), 100 * w) for w in range(5)]  # 100/wk
    result = forecast(weekly, total=800, deadline=DEADLINE, today=D(2026, 11, 29))
    assert result.status is Status.GREEN
    assert result.finish == D(2026, 12, 27)  # 400 left at 100 a week: 28 days


def test_a_slightly_late_pace_is_amber_and_a_late_one_red() -> None:
    slow = [(D(2026, 11, 1), 0), (D(2026, 11, 29), 280)]  # 10 a day
    amber = forecast(slow, total=280 + 10 * 40, deadline=DEADLINE, today=D(2026, 11, 29))
    assert amber.status is Status.AMBER and amber.finish == D(2027, 1, 8)
    red = forecast(slow, total=280 + 10 * 90, deadline=DEADLINE, today=D(2026, 11, 29))
    assert red.status is Status.RED


def test_the_recent_window_decides_not_the_whole_history() -> None:
    fast_then_stalled = [(D(2026, 9, 1), 0), (D(2026, 10, 1), 900), (D(2026, 11, 29), 900)]
    result = forecast(fast_then_stalled, total=1000, deadline=DEADLINE, today=D(2026, 11, 29))
    assert result.finish is None and result.status is Status.AMBER
    past_deadline = forecast(fast_then_stalled, 1000, D(2026, 11, 1), today=D(2026, 11, 29))
    assert past_deadline.status is Status.RED


def test_finished_work_is_green_with_the_day_it_finished() -> None:
    done = [(D(2026, 10, 1), 500), (D(2026, 10, 20), 1000), (D(2026, 11, 1), 1000)]
    result = forecast(done, total=1000, deadline=D(2026, 10, 1), today=D(2026, 11, 29))
    assert result.status is Status.GREEN and result.finish == D(2026, 10, 20)


def test_no_reports_yet_is_amber_before_the_deadline() -> None:
    assert forecast([], 1000, DEADLINE, today=D(2026, 11, 29)).status is Status.AMBER
    assert forecast([], 1000, D(2026, 11, 1), today=D(2026, 11, 29)).status is Status.RED
