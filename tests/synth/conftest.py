from __future__ import annotations

from pathlib import Path

import pytest

from himoken.synth import ERROR_TYPES, SynthOptions, generate
from tests.synth.world_files import World, load_world

# A world with every error type raised so that each has ~100 cases, several chunks.
RAISED_RATE = 0.004
RAISED = SynthOptions(
    residents=30_000,
    records=30_000,
    seed=7,
    error_rates=dict.fromkeys(ERROR_TYPES, RAISED_RATE),
    homonym_rate=0.002,
    chunk_size=12_000,
    workers=1,
)


@pytest.fixture(scope="session")
def raised_world(tmp_path_factory: pytest.TempPathFactory) -> World:
    out: Path = tmp_path_factory.mktemp("raised")
    generate(RAISED, out)
    return load_world(out)
