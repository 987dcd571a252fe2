"""Reminders: each organisation with an overdue or nearly due stage, or a consultation past
its due date, gets one mail; the secretariat gets a digest; the sending is logged."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core import mail
from django.core.management import call_command

from himoken.web.audit.models import Entry
from himoken.web.progress.models import (
    Business,
    Consultation,
    Organisation,
    Role,
    Stage,
    StageProgress,
)

pytestmark = pytest.mark.django_db
TODAY = dt.date(2026, 11, 27)


@pytest.fixture
def prefecture(django_user_model: type) -> dict[str, Organisation]:
    organisations = {}
    for code, name, email in (("271004", "大阪市", "osaka@example.jp"),
                              ("272000", "堺市", "sakai@example.jp"),
                              ("272027", "岸和田市", "")):  # fmt: skip
        organisation = Organisation.objects.create(code=code, name=name, kind="municipality",
                                                   contact_email=email)  # fmt: skip
        organisations[name] = organisation
    plans = {"大阪市": (-3, None), "堺市": (30, None), "岸和田市": (2, None)}
    for name, (offset, finished) in plans.items():
        business = Business.objects.create(organisation=organisations[name], name="児童手当",
                                           system="手当システム")  # fmt: skip
        StageProgress.objects.create(
            business=business, stage=Stage.CONFIRMATION, responsible=f"{name}担当",
            planned_start=TODAY - dt.timedelta(days=30),
            planned_end=TODAY + dt.timedelta(days=offset), actual_end=finished,
        )  # fmt: skip
    yesterday = TODAY - dt.timedelta(days=1)
    Consultation.objects.create(organisation=organisations["堺市"], category="訂正",
                                question="訂正の手順", due=yesterday)  # fmt: skip
    secretariat = django_user_model.objects.create_user("secretariat", email="jimu@example.jp")
    Role.objects.create(user=secretariat, kind=Role.Kind.SECRETARIAT)
    return organisations


def test_each_organisation_with_something_due_gets_one_mail(
    prefecture: dict[str, Organisation],
) -> None:
    call_command("progress_reminders", today=TODAY, days=7)
    to = {tuple(m.to): m for m in mail.outbox}
    osaka, sakai = to[("osaka@example.jp",)], to[("sakai@example.jp",)]
    assert "期限を過ぎた段階" in osaka.body and "本人確認" in osaka.body
    assert "大阪市担当" in osaka.body
    assert "期限を過ぎた段階" not in sakai.body and "回答期限を過ぎた相談" in sakai.body
    digest = to[("jimu@example.jp",)]
    assert "岸和田市: 期限超過 0、期限間近 1" in digest.body  # no address: in the digest only
    assert len(mail.outbox) == 3
    entry = Entry.objects.get(action="reminders.send")
    assert entry.detail == {"day": "2026-11-27", "organisations": 3, "mails": 3,
                            "without_address": 1}  # fmt: skip


def test_a_finished_stage_is_not_reminded(prefecture: dict[str, Organisation]) -> None:
    StageProgress.objects.update(actual_end=TODAY - dt.timedelta(days=1))
    Consultation.objects.update(status=Consultation.Status.ANSWERED)
    call_command("progress_reminders", today=TODAY)
    assert mail.outbox == []
