"""Synthetic prefecture: the project's test bed and demo data. Never used by the engine."""

from himoken.synth.errors import DEFAULT_RATES, ERROR_TYPES
from himoken.synth.world import (
    DEFAULT_HOMONYM_RATE,
    DEFAULT_NOTATION_RATE,
    SynthOptions,
    generate,
)

__all__ = [
    "DEFAULT_HOMONYM_RATE",
    "DEFAULT_NOTATION_RATE",
    "DEFAULT_RATES",
    "ERROR_TYPES",
    "SynthOptions",
    "generate",
]
