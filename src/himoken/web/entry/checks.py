"""Making, logging and overriding checks: the one place the API and the clerks' form go
through, so both log the same way and CARRY_OVER sees every check made on a terminal."""

from __future__ import annotations

import threading
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from himoken.mynumber import mask, mask_numbers, parse
from himoken.prevention.entry import REQUEST_COLUMNS, EntryChecker, EntryResult
from himoken.prevention.register_index import RegisterIndex, RegisterIndexError
from himoken.web.audit import log as audit
from himoken.web.entry.models import ApiClient, EntryCheck, TerminalState
from himoken.web.review.models import Organisation

# What of a person is kept for the next check on the same terminal.
REMEMBERED = ("個人番号", "氏名", "氏名フリガナ", "生年月日", "性別", "住所")


class Unavailable(Exception):
    """No register index to check against (settings.ENTRY_REGISTER_INDEX)."""


class OverrideError(Exception):
    """An override that the rules refuse; the message says why."""


_checker: tuple[Path, float, EntryChecker] | None = None
_checker_lock = threading.Lock()


def checker() -> EntryChecker:
    """The process's checker, opened again when the index file is rebuilt."""
    global _checker
    path = Path(settings.ENTRY_REGISTER_INDEX)
    try:
        modified = path.stat().st_mtime
    except OSError as error:
        raise Unavailable(f"{path}: 住民記録の索引がない(himoken verify index で作る)") from error
    with _checker_lock:
        if _checker is None or _checker[:2] != (path, modified):
            try:
                _checker = (path, modified, EntryChecker(RegisterIndex(path)))
            except RegisterIndexError as error:
                raise Unavailable(str(error)) from error
        return _checker[2]


def _person(record: Mapping[str, str]) -> dict[str, str]:
    return {column: record.get(column, "") for column in REMEMBERED}


def _logged(
    record: Mapping[str, str],
    result: EntryResult,
    organisation: Organisation,
    client: ApiClient | None,
    user: Any,
) -> EntryCheck:
    number = parse(record.get("個人番号")).number or record.get("個人番号", "")
    return EntryCheck(
        organisation=organisation,
        client=client,
        user=user if getattr(user, "pk", None) else None,
        terminal=record.get("登録端末", "")[:64],
        operator=record.get("登録者", "")[:64],
        number=mask(number)[-16:],
        decision=result.decision.value,
        verdict=result.verdict.name,
        reasons=";".join(r.name for r in result.reasons),
        warnings=";".join(r.name for r in result.warnings),
        explanation=mask_numbers(result.explanation),
        suggestion=mask(result.suggestion.number) if result.suggestion else "",
    )


def check_records(
    organisation: Organisation,
    records: Sequence[Mapping[str, str]],
    *,
    client: ApiClient | None = None,
    user: Any = None,
) -> list[tuple[EntryCheck, EntryResult]]:
    """Check records in the order given, each against the person checked just before on its
    terminal (earlier in the list, or the last one logged), and log them all."""
    records = [{c: (r.get(c) or "").strip() for c in REQUEST_COLUMNS} for r in records]
    terminals = {r["登録端末"] for r in records if r["登録端末"]}
    last: dict[str, Mapping[str, str]] = dict(
        TerminalState.objects.filter(organisation=organisation, terminal__in=terminals)
        .values_list("terminal", "record")
    ) if terminals else {}  # fmt: skip
    results = checker().check_in_order(records, last)
    done = [
        (_logged(record, result, organisation, client, user), result)
        for record, result in zip(records, results, strict=True)
    ]
    with transaction.atomic():
        EntryCheck.objects.bulk_create([row for row, _ in done])
        if terminals:
            TerminalState.objects.bulk_create(
                [TerminalState(organisation=organisation, terminal=t, record=_person(last[t]))
                 for t in sorted(terminals)],
                update_conflicts=True,
                unique_fields=["organisation", "terminal"],
                update_fields=["record", "updated"],
            )  # fmt: skip
    return done


def override_now(check: EntryCheck, operator: str, approver: str, reason: str) -> None:
    """A business system's override: the operator and a second person who approves, both
    named (the business system has authenticated them)."""
    if not operator.strip() or not approver.strip() or approver.strip() == operator.strip():
        raise OverrideError("停止の解除には、申請者とは別の承認者が要る")
    if not reason.strip():
        raise OverrideError("解除の理由が要る")
    with transaction.atomic():
        check = _stopped(check.pk)
        check.override = EntryCheck.Override.APPROVED
        check.requested_by, check.approved_by = operator.strip(), approver.strip()
        check.override_reason, check.override_at = reason.strip(), timezone.now()
        check.save()
        audit.record(None, "entry.override", check, operator=operator, approver=approver)


def request_override(check: EntryCheck, user: Any, reason: str) -> None:
    """A clerk asks to override a stop; a supervisor other than them decides."""
    with transaction.atomic():
        check = _stopped(check.pk)
        if check.override == EntryCheck.Override.REQUESTED:
            raise OverrideError("すでに解除を申請している")
        check.override = EntryCheck.Override.REQUESTED
        check.requested_by, check.override_reason = user.get_username(), reason.strip()
        check.approved_by, check.override_at = "", None
        check.save()
        audit.record(user, "entry.override_request", check)


def decide_override(check: EntryCheck, user: Any, approve: bool) -> None:
    with transaction.atomic():
        check = EntryCheck.objects.select_for_update().get(pk=check.pk)
        if check.override != EntryCheck.Override.REQUESTED:
            raise OverrideError("解除の申請がない")
        if check.requested_by == user.get_username():
            raise OverrideError("自分の申請は承認できない(別の人の確認が要る)")
        check.override = EntryCheck.Override.APPROVED if approve else EntryCheck.Override.REFUSED
        check.approved_by, check.override_at = user.get_username(), timezone.now()
        check.save()
        audit.record(user, "entry.override_approve" if approve else "entry.override_refuse", check)


def _stopped(pk: Any) -> EntryCheck:
    check = EntryCheck.objects.select_for_update().get(pk=pk)
    if check.decision != EntryCheck.Decision.STOP:
        raise OverrideError("停止していない確認は解除するものがない")
    if check.override == EntryCheck.Override.APPROVED:
        raise OverrideError("すでに解除されている")
    return check
