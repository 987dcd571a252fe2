"""Residual risk: how many wrong linkages may still hide among the records the engine cleared.

Wrong linkages found and fixed are not the residue; the residue is what the engine cleared
automatically (MATCH, NOTATION, EXPLAINED) and nobody looked at. Clerks verify a random sample
of those records; from N audited with K errors we state the exact one-sided Clopper–Pearson
upper bound of the error rate at confidence C: the rate p_u with P(X <= K | N, p_u) = 1 - C,
i.e. the largest rate under which seeing so few errors would still not be surprising. It is
conservative (never below the nominal confidence), needs no approximation for K = 0 or tiny
rates, and is a beta quantile: p_u = Beta.ppf(C, K + 1, N - K).

The binomial model treats the sample as drawn with replacement; drawing without replacement
from a finite population only makes the true bound smaller, so the figure stays on the safe side.
"""

from __future__ import annotations

import json
import math
from dataclasses import dataclass
from decimal import ROUND_CEILING, ROUND_FLOOR, ROUND_HALF_EVEN, Decimal
from numbers import Integral

from scipy.stats import beta

METHOD = "Clopper–Pearson exact one-sided upper bound (beta quantile)"

# Products such as 0.001 * 120000 land a hair above an integer in binary floating point; an
# "at most" figure must not gain a person from that noise, so rounding up ignores it.
_NOISE = 1e-12


def _check_count(name: str, value: int) -> None:
    if isinstance(value, bool) or not isinstance(value, Integral):
        raise ValueError(f"{name} must be a whole number of records, got {value!r}")
    if value < 0:
        raise ValueError(f"{name} must be 0 or more, got {value}")


def _check_counts(audited: int, errors: int) -> None:
    _check_count("audited", audited)
    _check_count("errors", errors)
    if errors > audited:
        raise ValueError(
            f"errors ({errors:,}) cannot exceed audited ({audited:,}): "
            "only audited records can be found wrong"
        )


def _check_confidence(confidence: float) -> None:
    if not 0 < confidence < 1:  # also rejects NaN
        raise ValueError(
            f"confidence must be between 0 and 1 (e.g. 0.95 for 95%), got {confidence!r}"
        )


def upper_bound(audited: int, errors: int, confidence: float) -> float:
    """The exact one-sided Clopper–Pearson upper limit of the error rate.

    1.0 when every audited record was wrong, and when nothing was audited: with no evidence,
    no rate below 100% can be claimed.
    """
    _check_counts(audited, errors)
    _check_confidence(confidence)
    if errors == audited:
        return 1.0
    if errors == 0:
        # Closed form 1 - (1 - C)^(1/N), written to keep its precision for large N.
        return -math.expm1(math.log1p(-confidence) / audited)
    return float(beta.ppf(confidence, errors + 1, audited - errors))


def audits_needed(rate: float, confidence: float = 0.95, errors: int = 0) -> int:
    """The least number of audited records that, with at most `errors` found, bounds the error
    rate at `rate` or below: what a planner budgets before promising "below 1 in a million"."""
    if not 0 < rate < 1:
        raise ValueError(
            f"rate must be between 0 and 1 (e.g. 1e-6 for 1 in a million), got {rate!r}"
        )
    _check_confidence(confidence)
    _check_count("errors", errors)

    def enough(n: int) -> bool:
        return upper_bound(n, errors, confidence) <= rate

    if errors == 0:
        # (1 - rate)^N <= 1 - C; the closed form may be one off in floating point, so settle
        # on the exact least N against the bound itself.
        n = max(1, math.ceil(math.log1p(-confidence) / math.log1p(-rate)))
        while n > 1 and enough(n - 1):
            n -= 1
        while not enough(n):
            n += 1
        return n
    # The bound falls as N grows: double until enough, then bisect to the least N.
    low, high = errors, max(2 * errors, errors + 1)  # the bound at N = errors is 1.0
    while not enough(high):
        low, high = high, 2 * high
    while high - low > 1:
        middle = (low + high) // 2
        if enough(middle):
            high = middle
        else:
            low = middle
    return high


def format_percent(rate: float, digits: int = 2) -> str:
    """A rate as a percentage with `digits` significant digits, rounded up so that an "at most"
    figure is never understated: 0.000998 → 「0.1%」, 1e-6 → 「0.0001%」."""
    if rate <= 0:
        return "0%"
    # Settle floating-point noise first (0.001 is 0.00100000000000000002 in binary).
    percent = Decimal(repr(rate * 100)).normalize()
    percent = _round_significant(percent, 12, ROUND_HALF_EVEN)
    percent = _round_significant(percent, digits, ROUND_CEILING)
    text = f"{percent:f}"
    if "." in text:
        text = text.rstrip("0").rstrip(".")
    return f"{text}%"


def format_one_in(rate: float) -> str | None:
    """A small rate as 「100万件に1件」, the denominator rounded down to two significant digits
    so that the rate it states is never below `rate`; None for rates above 1 in 100."""
    if not 0 < rate <= 0.01:
        return None
    exact = _round_significant(Decimal(repr(1 / rate)), 12, ROUND_HALF_EVEN)
    denominator = int(_round_significant(exact, 2, ROUND_FLOOR))
    return f"{_count_ja(denominator)}件に1件"


def _round_significant(value: Decimal, digits: int, rounding: str) -> Decimal:
    exponent = value.adjusted() - digits + 1
    return value.quantize(Decimal(1).scaleb(exponent), rounding=rounding)


def _count_ja(n: int) -> str:
    """Counts the way Japanese readers say them: 1,000 / 100万 / 1.2億."""
    for unit, name in ((10**8, "億"), (10**4, "万")):
        if n >= unit:
            text = f"{Decimal(n) / unit:,f}"
            return (text.rstrip("0").rstrip(".") if "." in text else text) + name
    return f"{n:,}"


def _format_confidence(confidence: float) -> str:
    return f"{round(confidence * 100, 6):g}%"


@dataclass(frozen=True)
class Estimate:
    """What an audit sample lets us say about the records cleared automatically.

    `at_most` is ceil(upper_rate × population): the bound is a ceiling on the rate, and a
    count of people can only be whole, so rounding down would claim fewer than the audit
    supports. None without a population.
    """

    audited: int
    errors: int
    confidence: float
    point_rate: float | None
    upper_rate: float
    population: int | None
    at_most: int | None
    open_flagged: int | None
    statement_ja: str

    def as_dict(self) -> dict[str, object]:
        """Stable keys, in a stable order, for JSON and the web page."""
        return {
            "audited": self.audited,
            "errors": self.errors,
            "confidence": self.confidence,
            "point_rate": self.point_rate,
            "upper_rate": self.upper_rate,
            "upper_percent": format_percent(self.upper_rate),
            "population": self.population,
            "at_most": self.at_most,
            "open_flagged": self.open_flagged,
            "method": METHOD,
            "statement_ja": self.statement_ja,
        }

    def to_json(self) -> str:
        return json.dumps(self.as_dict(), ensure_ascii=False, indent=2)


def estimate(
    audited: int,
    errors: int,
    confidence: float = 0.95,
    population: int | None = None,
    open_flagged: int | None = None,
) -> Estimate:
    """The residual wrong-linkage rate among auto-cleared records, scaled to `population` (the
    auto-cleared count, or any population of records like them) when given."""
    upper = upper_bound(audited, errors, confidence)
    for name, value in (("population", population), ("open_flagged", open_flagged)):
        if value is not None:
            _check_count(name, value)
    at_most = None
    if population is not None:
        at_most = min(population, math.ceil(upper * population * (1 - _NOISE)))
    return Estimate(
        audited=audited,
        errors=errors,
        confidence=confidence,
        point_rate=errors / audited if audited else None,
        upper_rate=upper,
        population=population,
        at_most=at_most,
        open_flagged=open_flagged,
        statement_ja=_statement(audited, errors, confidence, upper, population, at_most)
        + _open_statement(open_flagged),
    )


def _statement(
    audited: int,
    errors: int,
    confidence: float,
    upper: float,
    population: int | None,
    at_most: int | None,
) -> str:
    records = "照合済みの記録" if population is None else f"照合済みの記録{population:,}件"
    if audited == 0:
        return (
            "自動で照合済みとした記録を無作為に選んで職員が確認する作業はまだ行っていないため、"
            f"{records}に誤った紐付けがどれだけ残っているかは、まだ何も言えません。"
        )
    found = (
        f"自動で照合済みとした記録から無作為に選んだ{audited:,}件を職員が確認し、"
        f"誤りは{errors:,}件でした。"
    )
    level = _format_confidence(confidence)
    percent = format_percent(upper)
    if at_most is not None:
        claim = f"{records}のうち誤った紐付けは、信頼度{level}で多くとも{at_most:,}件({percent})"
    else:
        one_in = format_one_in(upper)
        share = f"{percent}({one_in})" if one_in else percent
        claim = f"{records}のうち誤った紐付けの割合は、信頼度{level}で多くとも{share}"
    return f"{found}このことから、{claim}と見込まれます。"


def _open_statement(open_flagged: int | None) -> str:
    if not open_flagged:
        return "" if open_flagged is None else "要確認の記録は、すべて確認が終わっています。"
    return f"このほか、要確認のうち確認が終わっていない記録が{open_flagged:,}件あります。"


@dataclass(frozen=True)
class Plan:
    """How many records must be audited, with at most `errors` wrong, to claim a rate of at
    most `rate` at `confidence`."""

    rate: float
    confidence: float
    errors: int
    audits_needed: int
    upper_rate_at_needed: float
    statement_ja: str

    def as_dict(self) -> dict[str, object]:
        """Stable keys, in a stable order."""
        return {
            "rate": self.rate,
            "confidence": self.confidence,
            "errors": self.errors,
            "audits_needed": self.audits_needed,
            "upper_rate_at_needed": self.upper_rate_at_needed,
            "method": METHOD,
            "statement_ja": self.statement_ja,
        }

    def to_json(self) -> str:
        return json.dumps(self.as_dict(), ensure_ascii=False, indent=2)


def plan(rate: float, confidence: float = 0.95, errors: int = 0) -> Plan:
    """The planner's answer, with a sentence for the people who fund the audit."""
    needed = audits_needed(rate, confidence, errors)
    one_in = format_one_in(rate)
    share = f"{one_in}({format_percent(rate)})" if one_in else format_percent(rate)
    found = "誤りが1件もない" if errors == 0 else f"誤りが{errors:,}件以下である"
    statement = (
        f"誤った紐付けの割合が{share}以下だと信頼度{_format_confidence(confidence)}で言うには、"
        f"自動で照合済みとした記録から無作為に選んだ{needed:,}件を職員が確認し、"
        f"{found}必要があります。"
    )
    return Plan(
        rate=rate,
        confidence=confidence,
        errors=errors,
        audits_needed=needed,
        upper_rate_at_needed=upper_bound(needed, errors, confidence),
        statement_ja=statement,
    )
