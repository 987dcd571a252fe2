"""Sex codes (性別): 1/2, 男/女, 男性/女性, M/F in any width or case; ISO 5218 0 and 9."""

from __future__ import annotations

import functools
import unicodedata
from collections.abc import Iterable
from enum import IntEnum


class Sex(IntEnum):
    """ISO 5218 codes, which spec §2's 1 male / 2 female follow."""

    UNKNOWN = 0
    MALE = 1
    FEMALE = 2
    NOT_APPLICABLE = 9


_CODES: dict[str, Sex] = {
    "1": Sex.MALE, "男": Sex.MALE, "男性": Sex.MALE, "M": Sex.MALE, "MALE": Sex.MALE,
    "2": Sex.FEMALE, "女": Sex.FEMALE, "女性": Sex.FEMALE, "F": Sex.FEMALE, "FEMALE": Sex.FEMALE,
    "0": Sex.UNKNOWN, "不明": Sex.UNKNOWN, "9": Sex.NOT_APPLICABLE,
}  # fmt: skip


@functools.cache
def parse_sex(value: str) -> Sex | None:
    """The sex a code stands for; None for an empty or unknown code."""
    code = unicodedata.normalize("NFKC", value or "").strip().upper()
    return _CODES.get(code)


def parse_many(values: Iterable[str]) -> list[Sex | None]:
    return [parse_sex(v) for v in values]
