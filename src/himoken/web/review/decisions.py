"""The rules of settling a case: who may decide what, four eyes on every correction, the typed
number collated before it is accepted, and no silent overwrite when two clerks save at once."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

from django.db import transaction
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext as _

from himoken import mynumber
from himoken.collate.check import LinkageCheck, check_linkage, lookup_entry
from himoken.collate.verdicts import Verdict
from himoken.web.audit import log as audit
from himoken.web.review.models import Case, CaseCount, Contact, Decision, Run

# A typed number whose register entry fits the record no worse than this is accepted as is;
# REVIEW needs the clerk to confirm the differences; SUSPECT and INVALID are refused.
ACCEPTED = (Verdict.MATCH, Verdict.NOTATION, Verdict.EXPLAINED)
REFUSED = (Verdict.SUSPECT, Verdict.INVALID)
FINAL = (Case.Status.CORRECTED, Case.Status.DELETED)


class Conflict(Exception):
    """Someone else saved the case since this page was loaded."""


class Refused(Exception):
    """The decision breaks a rule; str() says which, in Japanese, for the clerk."""


@dataclass(frozen=True)
class Proposal:
    action: str
    cause: str = ""
    comment: str = ""
    new_number: str = ""
    differences_confirmed: bool = False


def register_file(run: Run) -> Path | None:
    """register.parquet of the run (kept by the collation for exactly this check)."""
    for folder in (Path(run.directory), Path(run.directory) / "out"):
        if (folder / "register.parquet").is_file():
            return folder / "register.parquet"
    return None


def check_number(case: Case, number: str) -> LinkageCheck:
    """Collate a proposed number against the register with the case's record, now."""
    register = register_file(case.run)
    if register is None:
        raise Refused(_("この照合の住民記録が残っていないため、番号を照合できない"))
    record = dict(case.record) | {"個人番号": number}
    return check_linkage(record, lookup_entry(register, number))


def _current(case: Case, version: int) -> None:
    """The page was loaded from this version of the case, or someone saved it since."""
    if case.version != version:
        raise Conflict


def _bump(case: Case, version: int, **changes: Any) -> None:
    """Apply changes only if nobody saved the case since `version` was read (inside the
    caller's transaction), keeping the worklist's counts in step with its status."""
    updated = Case.objects.filter(pk=case.pk, version=version).update(
        version=F("version") + 1, updated=timezone.now(), **changes
    )
    if not updated:
        raise Conflict
    new_status = changes.get("status", case.status)
    if new_status != case.status:
        CaseCount.move(case.business_id, case.verdict, case.status, new_status)
    case.refresh_from_db()


def propose(case: Case, user: Any, version: int, proposal: Proposal) -> Decision:
    _current(case, version)
    if case.status == Case.Status.CORRECTION_PENDING:
        raise Refused(_("承認待ちの判断がある。承認または差し戻しの後に判断できる"))
    if case.status in FINAL:
        raise Refused(_("訂正・削除は完了している"))
    action = proposal.action
    decision = Decision(
        case=case, action=action, comment=proposal.comment, proposed_by=user,
        cause=proposal.cause if action != Decision.Action.KEEP else "",
    )  # fmt: skip
    if action != Decision.Action.KEEP and not proposal.cause:
        raise Refused(_("誤りの原因を選ぶ"))
    if action == Decision.Action.CORRECT:
        number = mynumber.parse(proposal.new_number)
        if not number.ok:
            raise Refused(_("訂正後の個人番号: %(problem)s") % {"problem": number.explanation()})
        if number.number == case.linked_number:
            raise Refused(_("訂正後の個人番号が今の番号と同じ"))
        check = check_number(case, number.number)
        if check.verdict in REFUSED:
            raise Refused(
                _("訂正後の番号は本人のものと確認できない: %(why)s") % {"why": check.explanation}
            )
        if check.verdict not in ACCEPTED and not proposal.differences_confirmed:
            raise Refused(
                _("訂正後の番号の住民記録に差異がある: %(why)s") % {"why": check.explanation}
            )
        decision.new_number = number.number
        decision.check_verdict, decision.check_explanation = check.verdict.code, check.explanation
    status = Case.Status.CONFIRMED_RIGHT if action == Decision.Action.KEEP else (
        Case.Status.CORRECTION_PENDING)  # fmt: skip
    with transaction.atomic():
        _bump(case, version, status=status, cause=decision.cause)
        decision.save()
        audit.record(user, f"decision.{action}", case, decision=decision.pk)
    return decision


def approve(decision: Decision, user: Any, version: int, approved: bool, comment: str) -> None:
    """A second person approves (or sends back) a correction or deletion."""
    case = decision.case
    _current(case, version)
    if decision.approved is not None or case.status != Case.Status.CORRECTION_PENDING:
        raise Refused(_("この判断は承認待ちではない"))
    if decision.proposed_by_id == user.pk:
        raise Refused(_("自分の判断は承認できない(二人目の確認が必要)"))
    done = Case.Status.CORRECTED if decision.action == Decision.Action.CORRECT else (
        Case.Status.DELETED)  # fmt: skip
    with transaction.atomic():
        if approved:
            _bump(case, version, status=done)
        else:
            _bump(case, version, status=Case.Status.IN_PROGRESS, cause="")
        Decision.objects.filter(pk=decision.pk).update(
            approved=approved, approved_by=user, approved_at=timezone.now(),
            approval_comment=comment,
        )  # fmt: skip
        audit.record(user, "decision.approve" if approved else "decision.return", case,
                     decision=decision.pk)  # fmt: skip


def add_contact(case: Case, user: Any, version: int, **fields: Any) -> Contact:
    _current(case, version)
    with transaction.atomic():
        status = Case.Status.IN_PROGRESS if case.status == Case.Status.OPEN else case.status
        _bump(case, version, status=status)
        contact = Contact.objects.create(case=case, by=user, **fields)
        audit.record(user, "contact.add", case, contact=contact.pk)
    return contact


def assign(cases: list[Case], assignee: Any, user: Any) -> int:
    """Assign cases to a clerk (last writer wins: assignment carries no review content)."""
    with transaction.atomic():
        count = Case.objects.filter(pk__in=[c.pk for c in cases]).update(
            assignee=assignee, version=F("version") + 1, updated=timezone.now()
        )
        audit.record(user, "case.assign", None, cases=len(cases),
                     assignee=getattr(assignee, "username", ""))  # fmt: skip
    return count
