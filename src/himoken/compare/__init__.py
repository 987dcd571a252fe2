"""Comparators: one per kind of value, each returning an Outcome (level, reason, evidence)."""

from himoken.compare.outcome import Outcome, Reason

__all__ = ["Outcome", "Reason"]
