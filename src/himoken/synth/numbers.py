"""Synthetic individual numbers: unique, valid, reproducible, generated without a lookup set.

A resident's number comes from a bijection of its global index onto the 11-digit body space:
affine (mod 10**11, multiplier coprime to 10), digit reversal, affine again. Numbers never
repeat, need no memory, and neighbours in the register do not get numbers in progression.
Indexes from NOT_IN_REGISTER_BASE up give valid numbers that no resident of the world has.
"""

from __future__ import annotations

import random

import numpy as np

from himoken.mynumber import WEIGHTS, check_digit, is_valid
from himoken.synth.draws import below, between

BODY_SPACE = 10**11
NOT_IN_REGISTER_BASE = 10**10
_POWERS = np.array([10 ** (10 - i) for i in range(11)], dtype=np.int64)
_WEIGHTS = np.array(WEIGHTS, dtype=np.int64)


class NumberSpace:
    """The bijection index -> 12-digit number for one seed."""

    def __init__(self, seed: int) -> None:
        rng = np.random.default_rng([seed, 0x6D79])
        # Multipliers end in 3 or 7: coprime to 10, so each affine map is a bijection.
        self.multipliers = (
            int(rng.integers(10**5, 10**6)) * 10 + 3,
            int(rng.integers(10**5, 10**6)) * 10 + 7,
        )
        self.offsets = (int(rng.integers(0, BODY_SPACE)), int(rng.integers(0, BODY_SPACE)))

    def bodies(self, indexes: np.ndarray) -> np.ndarray:
        values = np.asarray(indexes, dtype=np.int64) % BODY_SPACE
        values = _affine(values, self.multipliers[0], self.offsets[0])
        digits = (values[:, None] // _POWERS[None, :]) % 10
        values = (digits[:, ::-1] * _POWERS[None, :]).sum(axis=1)
        return _affine(values, self.multipliers[1], self.offsets[1])

    def numbers(self, indexes: np.ndarray) -> list[str]:
        bodies = self.bodies(indexes)
        digits = (bodies[:, None] // _POWERS[None, :]) % 10
        remainders = (digits * _WEIGHTS).sum(axis=1) % 11
        checks = np.where(remainders <= 1, 0, 11 - remainders)
        return [f"{b:011d}{c}" for b, c in zip(bodies.tolist(), checks.tolist(), strict=True)]

    def number(self, index: int) -> str:
        return self.numbers(np.array([index]))[0]


def _affine(values: np.ndarray, multiplier: int, offset: int) -> np.ndarray:
    """(multiplier * v + offset) mod 10**11 without int64 overflow: split v into 10**6 limbs
    (multiplier < 10**7, so each partial product stays below 10**13 * 10**6)."""
    high, low = np.divmod(values, 10**6)
    high_part = (high * multiplier % 10**5) * 10**6  # (high * 10**6 * m) mod 10**11
    return (high_part + low * multiplier + offset) % BODY_SPACE


def typo_failing_check(number: str, rng: random.Random) -> str:
    """One keying slip (a digit substituted, or two neighbours swapped) that the check digit
    catches: a single substitution or transposition never keeps the check digit valid except
    when the remainder moves between 0 and 1, which we skip."""
    while True:
        digits = list(number)
        position = below(rng, 11)
        if position < 10 and rng.random() < 0.5 and digits[position] != digits[position + 1]:
            digits[position], digits[position + 1] = digits[position + 1], digits[position]
        else:
            digits[position] = str((int(digits[position]) + between(rng, 1, 10)) % 10)
        candidate = "".join(digits)
        if not is_valid(candidate):
            return candidate


def typo_passing_check(number: str, rng: random.Random) -> str:
    """Two keying slips in the body that happen to keep the check digit valid."""
    while True:
        digits = list(number[:11])
        first, second = rng.sample(range(11), 2)
        for position in (first, second):
            digits[position] = str((int(digits[position]) + between(rng, 1, 10)) % 10)
        body = "".join(digits)
        if check_digit(body) == int(number[11]):
            return body + number[11]
