"""Reminders of stages due soon or overdue, and of consultations past their due date: one mail
per organisation to its contact address, and a digest to the secretariat. Run daily by a
scheduler (`manage.py progress_reminders`; see docs/progress.md)."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.mail import EmailMessage, get_connection

from himoken.web.audit import log as audit
from himoken.web.progress.models import Consultation, Organisation, Role, StageProgress


@dataclass
class Due:
    organisation: Organisation
    overdue: list[str] = field(default_factory=list)
    soon: list[str] = field(default_factory=list)
    consultations: list[str] = field(default_factory=list)

    def body(self, today: dt.date) -> str:
        notice = f"マイナンバー紐付け点検の予定について、{today:%Y-%m-%d} 時点のお知らせです。"
        lines = [f"{self.organisation.name} 御中", "", notice, ""]
        for title, items in (("期限を過ぎた段階", self.overdue), ("期限が近い段階", self.soon),
                             ("回答期限を過ぎた相談", self.consultations)):  # fmt: skip
            if items:
                lines += [f"■ {title}", *(f"  ・{item}" for item in items), ""]
        lines.append("進捗管理システムで予定・実績を更新してください。")
        return "\n".join(lines)


def collect(today: dt.date, days: int) -> list[Due]:
    """What is overdue or due within `days`, per organisation."""
    found: dict[int, Due] = {}

    def due(organisation: Organisation) -> Due:
        return found.setdefault(organisation.pk, Due(organisation))

    open_stages = StageProgress.objects.filter(
        actual_end__isnull=True, planned_end__lte=today + dt.timedelta(days=days)
    ).select_related("business__organisation")
    for stage in open_stages.order_by("planned_end"):
        business = stage.business
        who = stage.responsible or "未定"
        text = (f"{business.name}({business.system}) {stage.get_stage_display()} "
                f"予定終了 {stage.planned_end:%Y-%m-%d} 担当 {who}")  # fmt: skip
        target = due(business.organisation)
        (target.overdue if stage.planned_end < today else target.soon).append(text)
    late_consultations = Consultation.objects.filter(
        status=Consultation.Status.OPEN, due__lt=today
    ).select_related("organisation")
    for consultation in late_consultations:
        due(consultation.organisation).consultations.append(
            f"{consultation.category}: 回答期限 {consultation.due:%Y-%m-%d}"
        )
    return sorted(found.values(), key=lambda d: d.organisation.code)


def send(today: dt.date, days: int = 7) -> dict[str, int]:
    """Mail each organisation with a contact address, and the secretariat a digest."""
    dues = collect(today, days)
    sender = settings.DEFAULT_FROM_EMAIL
    subject = f"[紐付け点検] 予定のお知らせ({today:%Y-%m-%d})"
    mails = [
        EmailMessage(subject, d.body(today), sender, [d.organisation.contact_email])
        for d in dues
        if d.organisation.contact_email
    ]
    secretariat = list(
        get_user_model()
        .objects.filter(progress_role__kind=Role.Kind.SECRETARIAT)
        .exclude(email="")
        .values_list("email", flat=True)
    )
    if dues and secretariat:
        digest = [f"{d.organisation.name}: 期限超過 {len(d.overdue)}、期限間近 {len(d.soon)}、"
                  f"相談の回答遅れ {len(d.consultations)}" for d in dues]  # fmt: skip
        mails.append(EmailMessage(f"{subject} 全体", "\n".join(digest), sender, secretariat))
    with get_connection() as connection:
        sent = connection.send_messages(mails) or 0
    counts = {"organisations": len(dues), "mails": sent,
              "without_address": sum(not d.organisation.contact_email for d in dues)}  # fmt: skip
    audit.record(None, "reminders.send", None, day=str(today), **counts)
    return counts
