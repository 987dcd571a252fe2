"""Writing and verifying the audit log (models.Entry)."""

from __future__ import annotations

import hashlib
import json
from typing import Any

from django.db import connection, models, transaction
from django.utils import timezone

from himoken.mynumber import looks_like_number
from himoken.web.audit.models import Entry

GENESIS = "0" * 64


def _digest(previous: str, fields: dict[str, Any]) -> str:
    payload = json.dumps(fields, ensure_ascii=False, sort_keys=True, separators=(",", ":"))
    return hashlib.sha256(f"{previous}\n{payload}".encode()).hexdigest()


def _fields(entry: Entry) -> dict[str, Any]:
    return {
        "sequence": entry.sequence,
        "at": entry.at.isoformat(),
        "user": entry.user_id,
        "username": entry.username,
        "action": entry.action,
        "object_type": entry.object_type,
        "object_id": entry.object_id,
        "detail": entry.detail,
    }


# Appends take this lock (PostgreSQL advisory, held to the end of the transaction) before
# reading the last entry: a row lock on the last entry would not do, since a writer that waited
# for it reads the entry it waited on, not the one appended meanwhile, and forks the chain.
CHAIN_LOCK = 0x68696D6F6B656E  # "himoken"


def _serialise_appends() -> None:
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_advisory_xact_lock(%s)", [CHAIN_LOCK])
    # SQLite: transactions begin IMMEDIATE (settings.base), so writers are already serialised.


def record(user: Any, action: str, target: models.Model | None = None, **detail: Any) -> Entry:
    """Append one entry. Details must not carry personal data: one that holds a My Number is
    refused (the log itself must never become a copy of one)."""
    if looks_like_number(json.dumps(detail, ensure_ascii=False)):
        raise ValueError("監査ログの詳細に個人番号と思われる数字は書けない")
    with transaction.atomic():
        _serialise_appends()
        last = Entry.objects.order_by("-sequence").only("sequence", "hash").first()
        entry = Entry(
            sequence=(last.sequence + 1) if last else 1,
            at=timezone.now(),
            user=user if getattr(user, "pk", None) else None,
            username=getattr(user, "get_username", lambda: "")(),
            action=action,
            object_type=target._meta.label if target is not None else "",
            object_id=str(target.pk) if target is not None else "",
            detail=detail,
            previous_hash=last.hash if last else GENESIS,
        )
        entry.hash = _digest(entry.previous_hash, _fields(entry))
        entry.save(force_insert=True)
    return entry


def verify() -> list[str]:
    """Problems found in the chain (empty when intact): a changed entry, a missing or
    reordered one, a broken link."""
    problems: list[str] = []
    previous, expected_sequence = GENESIS, 1
    for entry in Entry.objects.order_by("sequence").iterator():
        if entry.sequence != expected_sequence:
            problems.append(f"連番{expected_sequence}から{entry.sequence}へ飛んでいる(削除)")
        if entry.previous_hash != previous:
            problems.append(f"連番{entry.sequence}: 前の記録とのつながりが切れている")
        if _digest(entry.previous_hash, _fields(entry)) != entry.hash:
            problems.append(f"連番{entry.sequence}: 内容が書き換えられている")
        previous, expected_sequence = entry.hash, entry.sequence + 1
    return problems
