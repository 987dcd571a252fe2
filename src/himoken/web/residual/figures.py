"""The figures of the estimate page: what `himoken risk estimate` prints, for one run's sample,
with the run's auto-cleared count as the population and its unsettled flagged cases as open."""

from __future__ import annotations

from dataclasses import dataclass

from himoken.prevention import residual
from himoken.web.residual import samples
from himoken.web.residual.models import Sample
from himoken.web.review.models import Run

CONFIDENCES = (0.90, 0.95, 0.99)
DEFAULT_CONFIDENCE = 0.95
PLAN_RATE = 1e-6  # "1 in a million": what the planner figure answers


@dataclass(frozen=True)
class Figures:
    sample: Sample | None
    counts: samples.Counts
    confidence: float
    population: int | None  # the run's auto-cleared count
    open_flagged: int
    estimate: residual.Estimate
    other: residual.Estimate | None  # scaled to another population, when one was asked for
    plan: residual.Plan

    @property
    def result(self) -> dict[str, object]:
        return self.estimate.as_dict()


def figures(run: Run, confidence: float = DEFAULT_CONFIDENCE,
            other_population: int | None = None) -> Figures:  # fmt: skip
    sample = Sample.objects.filter(run=run).first()
    counted = samples.counts(sample)
    population = samples.auto_cleared(run)
    if population is None and sample is not None:
        population = sample.population
    still_open = samples.open_flagged(run)
    estimate = residual.estimate(
        counted.audited, counted.errors, confidence, population, still_open
    )
    other = None
    if other_population is not None:
        other = residual.estimate(counted.audited, counted.errors, confidence, other_population)
    return Figures(
        sample=sample,
        counts=counted,
        confidence=confidence,
        population=population,
        open_flagged=still_open,
        estimate=estimate,
        other=other,
        plan=residual.plan(PLAN_RATE, confidence),
    )
