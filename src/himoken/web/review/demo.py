"""Demo data for the review site: the synthetic prefecture's collations imported, one user per
role. Synthetic people only; the demo password is printed by `himoken demo`."""

from __future__ import annotations

import json
from pathlib import Path

from django.contrib.auth import get_user_model
from django.db import transaction

from himoken.web.review.imports import import_out_dir
from himoken.web.review.models import Business, Organisation, Role

DEMO_PASSWORD = "demo-only"
USERS = (
    ("handler", Role.Kind.HANDLER, "担当 一郎"),
    ("handler2", Role.Kind.HANDLER, "担当 二郎"),
    ("supervisor", Role.Kind.SUPERVISOR, "承認 花子"),
    ("supervisor2", Role.Kind.SUPERVISOR, "承認 次郎"),
    ("auditor", Role.Kind.AUDITOR, "監査 三郎"),
)


def create_demo(collations: list[Path]) -> dict[str, int]:
    """Import each finished collation (OUT_DIR) under the organisation and 事務 its summary
    names; users handle every 事務. Returns flagged records per 事務."""
    summaries = [json.loads((out / "summary.json").read_text(encoding="utf-8"))
                 for out in collations]  # fmt: skip
    with transaction.atomic():
        first = summaries[0]["organisation"]
        organisation, _ = Organisation.objects.get_or_create(
            code=first["code"], defaults={"name": first["name"]}
        )
        businesses = [
            Business.objects.get_or_create(
                organisation=organisation, name=s["business"], system=s["system"]
            )[0]
            for s in summaries
        ]
        users = {}
        for username, kind, full_name in USERS:
            user, created = get_user_model().objects.get_or_create(username=username)
            if created:
                user.last_name, _, user.first_name = full_name.partition(" ")
                user.set_password(DEMO_PASSWORD)
                user.save()
            role, _ = Role.objects.get_or_create(
                user=user, defaults={"kind": kind, "organisation": organisation}
            )
            if kind != Role.Kind.AUDITOR:
                role.businesses.set(businesses)
            users[username] = user
    flagged = {}
    for out, business in zip(collations, businesses, strict=True):
        run, _ = import_out_dir(out, business, users["supervisor"])
        flagged[business.name] = run.cases.count()
    return flagged
