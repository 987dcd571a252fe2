"""The residual-risk figures a prefecture publishes: checked against the definition of the
Clopper–Pearson bound (binomial tail), not against the beta quantile the code computes."""

from __future__ import annotations

import itertools
import json
import math
import re
from collections.abc import Callable

import pytest
from hypothesis import given
from hypothesis import strategies as st
from scipy.stats import binom

from himoken.prevention.residual import (
    audits_needed,
    estimate,
    format_one_in,
    format_percent,
    plan,
    upper_bound,
)

SIZES = (1, 2, 10, 100, 1000, 10**6, 3 * 10**6)
CONFIDENCES = (0.8, 0.9, 0.95, 0.99, 0.999)
GRID = [
    (n, k, c)
    for n, k, c in itertools.product(SIZES, (0, 1, 5, None), CONFIDENCES)
    if k is None or k <= n
]


@pytest.mark.parametrize(("audited", "errors", "confidence"), GRID)
def test_bound_is_the_rate_at_which_so_few_errors_have_probability_one_minus_c(
    audited: int, errors: int | None, confidence: float
) -> None:
    errors = audited if errors is None else errors
    bound = upper_bound(audited, errors, confidence)
    if errors == audited:
        assert bound == 1.0
        return
    assert 0 < bound < 1
    # Definition: P(X <= K | N, p_u) = 1 - C.
    assert binom.cdf(errors, audited, bound) == pytest.approx(1 - confidence, rel=1e-9)
    if errors == 0:
        assert bound == pytest.approx(1 - (1 - confidence) ** (1 / audited), rel=1e-9)


def test_the_bound_keeps_its_promise_for_every_true_rate() -> None:
    """Coverage: whatever the true rate, the bound lies above it at least C of the time."""
    audited, confidence = 30, 0.9
    bounds = [upper_bound(audited, k, confidence) for k in range(audited + 1)]
    for rate in [i / 200 for i in range(1, 200)]:
        covered = sum(
            binom.pmf(k, audited, rate) for k, bound in enumerate(bounds) if bound >= rate
        )
        assert covered >= confidence - 1e-12, rate


def test_nothing_audited_claims_nothing() -> None:
    assert upper_bound(0, 0, 0.95) == 1.0
    result = estimate(0, 0, population=120_000, open_flagged=7)
    assert result.point_rate is None
    assert result.upper_rate == 1.0
    assert result.at_most == 120_000
    assert "まだ何も言えません" in result.statement_ja
    assert "多くとも" not in result.statement_ja
    assert "確認が終わっていない記録が7件" in result.statement_ja


def test_the_public_statement_of_a_clean_audit() -> None:
    result = estimate(3000, 0, confidence=0.95, population=120_000, open_flagged=42)
    assert result.point_rate == 0.0
    assert result.at_most == 120  # 0.0998% of 120,000 is 119.8: rounded up, never down
    assert result.statement_ja == (
        "自動で照合済みとした記録から無作為に選んだ3,000件を職員が確認し、誤りは0件でした。"
        "このことから、照合済みの記録120,000件のうち誤った紐付けは、"
        "信頼度95%で多くとも120件(0.1%)と見込まれます。"
        "このほか、要確認のうち確認が終わっていない記録が42件あります。"
    )


def test_without_a_population_the_statement_gives_a_rate() -> None:
    result = estimate(3_000_000, 0, confidence=0.95)
    assert result.at_most is None
    assert "信頼度95%で多くとも0.0001%(100万件に1件)" in result.statement_ja


def test_errors_found_show_in_the_rate_and_the_statement() -> None:
    result = estimate(1000, 5, confidence=0.99, population=50_000, open_flagged=0)
    assert result.point_rate == 0.005
    assert 0.005 < result.upper_rate < 0.02
    assert result.at_most == math.ceil(result.upper_rate * 50_000)
    assert "誤りは5件でした" in result.statement_ja
    assert "信頼度99%" in result.statement_ja
    assert "要確認の記録は、すべて確認が終わっています。" in result.statement_ja


def test_every_audited_record_wrong_bounds_at_everyone() -> None:
    result = estimate(4, 4, population=1000)
    assert result.upper_rate == 1.0 and result.at_most == 1000


def test_json_keys_are_stable() -> None:
    data = json.loads(estimate(100, 1, population=10).to_json())
    assert list(data) == [
        "audited",
        "errors",
        "confidence",
        "point_rate",
        "upper_rate",
        "upper_percent",
        "population",
        "at_most",
        "open_flagged",
        "method",
        "statement_ja",
    ]


@pytest.mark.parametrize(
    ("call", "message"),
    [
        (lambda: upper_bound(3, 5, 0.95), "errors (5) cannot exceed audited (3)"),
        (lambda: upper_bound(-1, 0, 0.95), "audited must be 0 or more"),
        (lambda: upper_bound(10, -1, 0.95), "errors must be 0 or more"),
        (lambda: upper_bound(10, 1, 95), "confidence must be between 0 and 1"),
        (lambda: upper_bound(10, 1, 1.0), "confidence must be between 0 and 1"),
        (lambda: upper_bound(10, 1, float("nan")), "confidence must be between 0 and 1"),
        (lambda: upper_bound(10.5, 1, 0.95), "audited must be a whole number"),  # type: ignore[arg-type]
        (lambda: audits_needed(0, 0.95), "rate must be between 0 and 1"),
        (lambda: audits_needed(1e-6, 0.95, errors=-2), "errors must be 0 or more"),
        (lambda: estimate(10, 0, population=-5), "population must be 0 or more"),
    ],
)
def test_bad_input_is_refused_with_a_message_a_user_understands(
    call: Callable[[], object], message: str
) -> None:
    with pytest.raises(ValueError, match=re.escape(message)):
        call()


def test_one_in_a_million_needs_about_three_million_clean_audits() -> None:
    needed = audits_needed(1e-6, 0.95)
    assert needed == 2_995_731
    assert upper_bound(needed, 0, 0.95) <= 1e-6 < upper_bound(needed - 1, 0, 0.95)
    # Definition, independently: (1 - 1e-6)^N <= 5% first at this N.
    assert binom.cdf(0, needed, 1e-6) <= 0.05 < binom.cdf(0, needed - 1, 1e-6)


@pytest.mark.parametrize(
    ("rate", "confidence", "errors"),
    [(1e-3, 0.95, 0), (1e-4, 0.99, 0), (0.01, 0.9, 1), (1e-3, 0.95, 3), (1e-6, 0.95, 2)],
)
def test_planner_gives_the_least_sufficient_audit(
    rate: float, confidence: float, errors: int
) -> None:
    needed = audits_needed(rate, confidence, errors)
    assert binom.cdf(errors, needed, rate) <= 1 - confidence
    assert binom.cdf(errors, needed - 1, rate) > 1 - confidence


def test_plan_says_it_in_japanese() -> None:
    result = plan(1e-6, 0.95)
    assert result.audits_needed == 2_995_731
    assert result.upper_rate_at_needed <= 1e-6
    assert "100万件に1件(0.0001%)以下" in result.statement_ja
    assert "2,995,731件" in result.statement_ja and "誤りが1件もない" in result.statement_ja
    assert "誤りが2件以下" in plan(1e-6, 0.95, errors=2).statement_ja


@pytest.mark.parametrize(
    ("rate", "percent", "one_in"),
    [
        (1e-6, "0.0001%", "100万件に1件"),
        (0.000998, "0.1%", "1,000件に1件"),
        (0.001, "0.1%", "1,000件に1件"),
        (0.0012345, "0.13%", "810件に1件"),  # rounded so as not to understate
        (4.74e-6, "0.00048%", "21万件に1件"),
        (1e-9, "0.0000001%", "10億件に1件"),
        (0.5, "50%", None),
        (1.0, "100%", None),
        (0.0, "0%", None),
    ],
)
def test_rates_read_as_people_say_them(rate: float, percent: str, one_in: str | None) -> None:
    assert format_percent(rate) == percent
    assert format_one_in(rate) == one_in


sizes = st.integers(min_value=1, max_value=10**7)
levels = st.floats(min_value=0.5, max_value=0.9999)


@given(sizes, st.data(), levels)
def test_bound_rises_with_errors(audited: int, data: st.DataObject, confidence: float) -> None:
    low = data.draw(st.integers(0, audited))
    high = data.draw(st.integers(low, audited))
    assert upper_bound(audited, low, confidence) <= upper_bound(audited, high, confidence)


@given(sizes, st.data(), levels, levels)
def test_bound_rises_with_confidence(
    audited: int, data: st.DataObject, first: float, second: float
) -> None:
    errors = data.draw(st.integers(0, audited))
    low, high = sorted((first, second))
    assert upper_bound(audited, errors, low) <= upper_bound(audited, errors, high)


@given(sizes, st.integers(0, 10**6), st.integers(0, 50), levels)
def test_bound_falls_as_more_are_audited(
    audited: int, more: int, errors: int, confidence: float
) -> None:
    errors = min(errors, audited)
    assert upper_bound(audited + more, errors, confidence) <= upper_bound(
        audited, errors, confidence
    )


@given(sizes, st.integers(0, 20), st.integers(0, 10**9), levels)
def test_at_most_never_understates_nor_exceeds_the_population(
    audited: int, errors: int, population: int, confidence: float
) -> None:
    errors = min(errors, audited)
    result = estimate(audited, errors, confidence, population)
    assert result.at_most is not None
    assert result.at_most <= population
    assert result.at_most >= result.upper_rate * population * (1 - 1e-9)
