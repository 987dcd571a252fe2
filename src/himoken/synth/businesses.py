"""The business systems (事務) whose extracts the synthetic prefecture produces.

Each system has its own clientele, linkage-method mix, linkage period and notation habits
(date style, sex codes, whether it keeps readings and addresses). Linkage metadata — operator,
terminal, batch and order — is laid out the way the error patterns need it: paper applications
keyed in batches (row shifts), support-counter terminals used back to back (carry-over),
family members on one application form (family-member mix-ups).
"""

from __future__ import annotations

import bisect
import datetime as dt
import itertools
import random
from collections.abc import Callable
from dataclasses import dataclass

import numpy as np

from himoken.synth.draws import below, between, pick
from himoken.synth.people import Person

# 紐付け方法 of spec §3
APPLICATION = "申請書記載"
QUERY_FULL = "住基ネット照会(4情報)"
QUERY_PARTIAL = "住基ネット照会(一部情報)"
REGISTER_LINK = "住基連携"
MANUAL = "手入力"
COUNTER = "窓口端末"
BATCH_METHODS = frozenset({APPLICATION, MANUAL})


@dataclass(frozen=True, slots=True)
class Business:
    slug: str
    name: str  # 事務
    system: str
    id_prefix: str
    share: float  # of all records
    weight: Callable[[Person], float]  # how likely a resident is a client (0: never)
    methods: tuple[tuple[str, float], ...]
    linkage_from: dt.date
    linkage_to: dt.date
    date_style: str
    sex_style: str
    kana_rate: float  # share of records holding a reading
    address_rate: float  # share of records holding an address
    era_not_updated: float  # share of post-平成 dates still written in 平成
    shared_application: bool  # a household's clients apply on one form


def _disability_weight(p: Person) -> float:
    return 0.3 + p.age / 25


def _assistance_weight(p: Person) -> float:
    if p.age < 18:
        return 0.2
    return (3.0 if len(p.members) == 1 else 1.0) * (1.5 if p.age >= 65 else 1.0)


def _account_weight(p: Person) -> float:
    return 1.0 if p.age >= 15 else 0.15


def _child_weight(p: Person) -> float:
    return 1.0 if p.age < 18 else 0.0


BUSINESSES: tuple[Business, ...] = (
    Business(
        "shogaisha-techo",
        "障害者手帳",
        "手帳管理システム",
        "T",
        0.09,
        _disability_weight,
        ((APPLICATION, 0.55), (MANUAL, 0.20), (QUERY_PARTIAL, 0.15), (QUERY_FULL, 0.10)),
        dt.date(2016, 1, 4),
        dt.date(2025, 12, 26),
        "wareki",
        "kanji",
        0.9,
        1.0,
        0.4,
        False,
    ),
    Business(
        "seikatsu-hogo",
        "生活保護",
        "生活保護システム",
        "H",
        0.03,
        _assistance_weight,
        ((QUERY_PARTIAL, 0.35), (APPLICATION, 0.35), (REGISTER_LINK, 0.20), (MANUAL, 0.10)),
        dt.date(2016, 1, 4),
        dt.date(2025, 12, 26),
        "era_code",
        "digit",
        1.0,
        1.0,
        0.6,
        False,
    ),
    Business(
        "kokin-koza",
        "公金受取口座",
        "公金受取口座登録システム",
        "K",
        0.75,
        _account_weight,
        ((REGISTER_LINK, 0.45), (COUNTER, 0.35), (APPLICATION, 0.20)),
        dt.date(2022, 3, 28),
        dt.date(2025, 12, 26),
        "slash",
        "letter",
        1.0,
        0.7,
        0.0,
        True,
    ),
    Business(
        "jido-teate",
        "児童手当",
        "児童手当システム",
        "J",
        0.13,
        _child_weight,
        ((APPLICATION, 0.60), (QUERY_FULL, 0.25), (MANUAL, 0.15)),
        dt.date(2016, 1, 4),
        dt.date(2025, 12, 26),
        "compact",
        "kanji_long",
        1.0,
        1.0,
        0.0,
        True,
    ),
)
BUSINESS_BY_SLUG = {b.slug: b for b in BUSINESSES}


@dataclass(slots=True)
class Linkage:
    """One linked record before rendering: who it is for and how it was linked."""

    business: Business
    person: Person  # the true owner
    day: dt.date
    method: str
    application: str
    operator: str = ""
    terminal: str = ""
    time: dt.time = dt.time(9, 0)
    batch: str = ""
    order: int = 0
    record_id: str = ""
    number: str = ""  # the linked number (the owner's, unless an error is injected)
    error: str = ""


def choose_clients(
    business: Business, people: list[Person], count: int, rng: random.Random
) -> list[Person]:
    """`count` distinct clients drawn by the business's weights (fewer if not enough), in
    register order."""
    weights = np.array([business.weight(p) for p in people])
    keys = np.random.default_rng(rng.getrandbits(64)).random(len(people))
    # Efraimidis-Spirakis: the `count` largest u**(1/w) are a weighted sample without
    # replacement; weight 0 never gets chosen.
    with np.errstate(divide="ignore"):
        keys = np.where(weights > 0, keys ** (1.0 / np.maximum(weights, 1e-12)), -1.0)
    count = min(count, int((weights > 0).sum()))
    chosen = np.sort(np.argpartition(-keys, count - 1)[:count]) if count else []
    return [people[i] for i in chosen]


def link(
    business: Business, clients: list[Person], chunk: int, rng: random.Random
) -> list[Linkage]:
    """Linkage records for `clients`, with dates, methods, operators, terminals and batches,
    sorted by linkage time and given record ids in that order."""
    span = (business.linkage_to - business.linkage_from).days
    methods = [m for m, _ in business.methods]
    method_cumulative = list(itertools.accumulate(w for _, w in business.methods))
    linkages: list[Linkage] = []
    by_household: dict[str, tuple[dt.date, str, str]] = {}
    for person in clients:
        shared = by_household.get(person.household) if business.shared_application else None
        if shared is not None:
            day, method, application = shared
        else:
            day = business.linkage_from + dt.timedelta(days=below(rng, span + 1))
            born = person.birth.as_date() + dt.timedelta(days=14)
            if day < born:
                day = born + dt.timedelta(days=below(rng, 200))
            method = methods[
                bisect.bisect_right(method_cumulative, rng.random() * method_cumulative[-1])
            ]
            application = f"{business.id_prefix}A{chunk:04d}{len(linkages):05d}"
            by_household[person.household] = (day, method, application)
        linkages.append(Linkage(business, person, day, method, application))

    operators = [f"OP{chunk:04d}{k:02d}" for k in range(1, 7)]
    counters = [f"窓口{chunk:04d}-{k}" for k in range(1, 4)]
    desks = {op: f"端末{op[2:]}" for op in operators}
    linkages.sort(key=lambda x: (x.day, x.person.household, x.person.index))
    _lay_out_batches(
        business, [x for x in linkages if x.method in BATCH_METHODS], operators, desks, chunk, rng
    )
    _lay_out_counters([x for x in linkages if x.method == COUNTER], counters, rng)
    for x in linkages:
        if x.method in (QUERY_FULL, QUERY_PARTIAL):
            x.operator = pick(rng, operators)
            x.terminal = desks[x.operator]
            x.time = _office_time(rng)
        elif x.method == REGISTER_LINK:
            x.operator, x.terminal, x.time = "SYSTEM", "", dt.time(2, 0)
    linkages.sort(key=lambda x: (x.day, x.time, x.person.index))
    for i, x in enumerate(linkages):
        x.record_id = f"{business.id_prefix}{chunk:04d}{i:05d}"
        x.number = x.person.number
    return linkages


def _office_time(rng: random.Random) -> dt.time:
    minutes = between(rng, 8 * 60 + 30, 17 * 60 + 15)
    return dt.time(minutes // 60, minutes % 60, below(rng, 60))


def _lay_out_batches(
    business: Business,
    keyed: list[Linkage],
    operators: list[str],
    desks: dict[str, str],
    chunk: int,
    rng: random.Random,
) -> None:
    """Paper applications keyed in batches of 10-40 by one operator on one day."""
    i = 0
    batch_number = 0
    while i < len(keyed):
        size = between(rng, 10, 41)
        batch = keyed[i : i + size]
        i += size
        # Keep a household's forms together at the batch end.
        while i < len(keyed) and keyed[i].person.household == batch[-1].person.household:
            batch.append(keyed[i])
            i += 1
        batch_number += 1
        batch_id = f"{business.id_prefix}B{chunk:04d}{batch_number:04d}"
        operator = pick(rng, operators)
        day = max(x.day for x in batch)  # keyed when the last form of the batch arrived
        start = between(rng, 9 * 60, 15 * 60)
        for order, x in enumerate(batch, start=1):
            minutes = start + order
            x.day, x.batch, x.order, x.operator = day, batch_id, order, operator
            x.terminal = desks[operator]
            x.time = dt.time(minutes // 60, minutes % 60, below(rng, 60))


def _lay_out_counters(visits: list[Linkage], counters: list[str], rng: random.Random) -> None:
    """Support-counter sessions: each counter terminal serves its visitors one after another;
    登録順 counts the linkages on that terminal."""
    sequence = dict.fromkeys(counters, 0)
    by_day: dict[dt.date, list[Linkage]] = {}
    for x in visits:
        by_day.setdefault(x.day, []).append(x)
    for day in sorted(by_day):
        queue = by_day[day]
        clock = dict.fromkeys(counters, between(rng, 9 * 60, 10 * 60))
        for x in queue:
            counter = pick(rng, counters)
            clock[counter] += between(rng, 4, 15)
            minutes = min(clock[counter], 17 * 60 + 15)
            sequence[counter] += 1
            x.terminal, x.operator, x.order = counter, f"支援員{counter[2:]}", sequence[counter]
            x.time = dt.time(minutes // 60, minutes % 60, below(rng, 60))
