"""The prefecture's view of the inspection: organisations, their 事務, stages, reports.

No personal data lives here: reports are the aggregate summary.json of spec §8, validated
against the project's one schema and screened for My Numbers before anything is stored
(`reports.import_summary`).
"""

from __future__ import annotations

import uuid
from typing import Any

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from himoken.web.progress.validators import no_my_number


def new_token() -> str:
    return uuid.uuid4().hex


class Organisation(models.Model):
    """A prefectural department, a municipality or another body."""

    class Kind(models.TextChoices):
        DEPARTMENT = "department", _("府県の部局")
        MUNICIPALITY = "municipality", _("市区町村")
        OTHER = "other", _("その他の団体")

    code = models.CharField(_("団体コード"), max_length=32, unique=True)
    name = models.CharField(_("名称"), max_length=100)
    kind = models.CharField(_("種別"), max_length=16, choices=Kind.choices)
    contact_email = models.EmailField(_("連絡先メール"), blank=True)
    # A new token whenever anything the dashboard computes for this organisation changes (its
    # 事務, stages, counts, or a deadline): its part of an overview is recomputed, the rest
    # reused (dashboard.overview).
    data_version = models.CharField(max_length=32, default=new_token, editable=False)

    class Meta:
        ordering = ["code"]
        verbose_name = verbose_name_plural = _("団体")

    def __str__(self) -> str:
        return f"{self.name}({self.code})"


class Role(models.Model):
    """What a user may do on the progress site: the secretariat sees and edits every
    organisation, a reporter only their own, an executive reads everything and edits nothing."""

    class Kind(models.TextChoices):
        SECRETARIAT = "secretariat", _("事務局")
        REPORTER = "reporter", _("団体の報告担当")
        EXECUTIVE = "executive", _("幹部(閲覧のみ)")

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, models.CASCADE, related_name="progress_role"
    )
    kind = models.CharField(_("役割"), max_length=16, choices=Kind.choices)
    organisation = models.ForeignKey(
        Organisation, models.CASCADE, null=True, blank=True, related_name="reporters"
    )

    class Meta:
        verbose_name = verbose_name_plural = _("役割")
        constraints = [
            models.CheckConstraint(
                condition=~models.Q(kind="reporter") | models.Q(organisation__isnull=False),
                name="reporter_has_organisation",
            )
        ]

    def sees(self, organisation: Organisation) -> bool:
        return self.kind != self.Kind.REPORTER or self.organisation_id == organisation.pk

    @property
    def may_report(self) -> bool:
        return self.kind != self.Kind.EXECUTIVE


class Business(models.Model):
    """One 事務 of an organisation and the business system that holds its linkages."""

    organisation = models.ForeignKey(Organisation, models.CASCADE, related_name="businesses")
    name = models.CharField(_("事務"), max_length=100)
    system = models.CharField(_("業務システム"), max_length=100)
    # The linkage-method survey of 2023: a record check is needed unless one of these holds.
    obtained_with_id = models.BooleanField(
        _("個人番号を本人確認書類で取得した"), null=True, blank=True
    )
    queried_all_four = models.BooleanField(
        _("住基ネットに4情報すべてで照会した"), null=True, blank=True
    )
    identified_soundly = models.BooleanField(
        _("一部の情報で照会した後、適切に本人を特定した"), null=True, blank=True
    )
    deadline = models.DateField(_("期限(個別)"), null=True, blank=True)

    class Meta:
        ordering = ["organisation", "name", "system"]
        constraints = [
            models.UniqueConstraint(
                fields=["organisation", "name", "system"], name="one_business_per_system"
            )
        ]
        verbose_name = verbose_name_plural = _("事務")

    def __str__(self) -> str:
        return f"{self.organisation.name} {self.name}({self.system})"

    @property
    def survey_answered(self) -> bool:
        answers = (self.obtained_with_id, self.queried_all_four, self.identified_soundly)
        return any(answers) or all(a is not None for a in answers)

    @property
    def check_required(self) -> bool:
        """A record check is required unless the survey shows the linkage was sound; an
        unanswered survey counts as required (the safe side)."""
        return not (self.obtained_with_id or self.queried_all_four or self.identified_soundly)


class Stage(models.TextChoices):
    """The stages of the inspection of one 事務, in order."""

    SURVEY = "survey", _("紐付け方法の調査")
    SCOPE = "scope", _("点検対象の決定")
    EXTRACTION = "extraction", _("データ抽出")
    COLLATION = "collation", _("照合")
    CONFIRMATION = "confirmation", _("本人確認")
    CORRECTION = "correction", _("訂正")
    REPORT = "report", _("報告")


class StageProgress(models.Model):
    """Planned and actual dates of one stage of one 事務, and who is responsible."""

    business = models.ForeignKey(Business, models.CASCADE, related_name="stages")
    stage = models.CharField(_("段階"), max_length=16, choices=Stage.choices)
    planned_start = models.DateField(_("予定開始"), null=True, blank=True)
    planned_end = models.DateField(_("予定終了"), null=True, blank=True)
    actual_start = models.DateField(_("実績開始"), null=True, blank=True)
    actual_end = models.DateField(_("実績終了"), null=True, blank=True)
    responsible = models.CharField(_("担当者"), max_length=100, blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["business", "stage"], name="one_row_per_stage")
        ]
        verbose_name = verbose_name_plural = _("段階の進捗")


class Report(models.Model):
    """One aggregate report (summary.json, spec §8). (organisation code, 事務, system, run id)
    identifies it: uploading it again replaces it."""

    business = models.ForeignKey(Business, models.CASCADE, related_name="reports")
    run_id = models.UUIDField(_("照合の実行ID"))
    finished = models.DateTimeField(_("照合終了日時"))
    engine = models.CharField(_("エンジン"), max_length=64)
    register_rows = models.BigIntegerField(_("住民記録の行数"))
    record_rows = models.BigIntegerField(_("事務データの行数"))
    verdicts = models.JSONField(_("判定別件数"))
    reasons = models.JSONField(_("理由別件数"))
    warnings = models.JSONField(_("警告"))
    review = models.JSONField(_("確認の状況"), null=True, blank=True)
    causes = models.JSONField(_("誤りの原因"), null=True, blank=True)
    uploaded = models.DateTimeField(_("受付日時"), auto_now=True)

    class Meta:
        ordering = ["-finished"]
        constraints = [
            models.UniqueConstraint(fields=["business", "run_id"], name="one_report_per_run")
        ]
        verbose_name = verbose_name_plural = _("集計報告")

    @property
    def flagged(self) -> int:
        return sum(self.verdicts.get(code, 0) for code in ("REVIEW", "SUSPECT", "INVALID"))


class Consultation(models.Model):
    """A question (相談) from an organisation to the prefecture's secretariat."""

    class Status(models.TextChoices):
        OPEN = "open", _("受付")
        ANSWERED = "answered", _("回答済み")
        CLOSED = "closed", _("完了")

    organisation = models.ForeignKey(Organisation, models.CASCADE, related_name="consultations")
    category = models.CharField(_("分類"), max_length=50, validators=[no_my_number])
    question = models.TextField(_("相談内容"), validators=[no_my_number])
    owner = models.CharField(_("担当"), max_length=100, blank=True, validators=[no_my_number])
    due = models.DateField(_("回答期限"), null=True, blank=True)
    answer = models.TextField(_("回答"), blank=True, validators=[no_my_number])
    status = models.CharField(_("状態"), max_length=16, choices=Status.choices, default=Status.OPEN)
    created = models.DateTimeField(_("受付日時"), auto_now_add=True)
    # When it stopped being open (answered or closed): a past day's backlog counts what was
    # still open then, whatever its status now.
    settled = models.DateTimeField(_("回答日時"), null=True, blank=True, editable=False)

    class Meta:
        ordering = ["status", "due"]
        verbose_name = verbose_name_plural = _("相談")

    def save(self, *args: Any, **kwargs: Any) -> None:
        if self.status == self.Status.OPEN:
            self.settled = None
        elif self.settled is None:
            self.settled = timezone.now()
        super().save(*args, **kwargs)


class StateRequest(models.Model):
    """A request (要望) to the state: staff, funding, technical."""

    class Kind(models.TextChoices):
        STAFF = "staff", _("人員")
        FUNDING = "funding", _("財政")
        TECHNICAL = "technical", _("技術")

    class Status(models.TextChoices):
        DRAFT = "draft", _("検討中")
        SENT = "sent", _("要望済み")
        ANSWERED = "answered", _("回答あり")

    kind = models.CharField(_("種別"), max_length=16, choices=Kind.choices)
    text = models.TextField(_("要望内容"), validators=[no_my_number])
    status = models.CharField(
        _("状態"), max_length=16, choices=Status.choices, default=Status.DRAFT
    )
    created = models.DateTimeField(_("作成日時"), auto_now_add=True)

    class Meta:
        ordering = ["-created"]
        verbose_name = verbose_name_plural = _("国への要望")


class Deadline(models.Model):
    """A deadline set by the state, a ministry or the prefecture, for one 事務 (by name,
    across organisations) or for every 事務 (blank name)."""

    class SetBy(models.TextChoices):
        STATE = "state", _("国")
        MINISTRY = "ministry", _("所管府省")
        PREFECTURE = "prefecture", _("府県")

    business_name = models.CharField(_("事務(空欄はすべて)"), max_length=100, blank=True)
    due = models.DateField(_("期限"))
    set_by = models.CharField(_("設定者"), max_length=16, choices=SetBy.choices)
    note = models.CharField(_("備考"), max_length=200, blank=True, validators=[no_my_number])

    class Meta:
        ordering = ["due"]
        verbose_name = verbose_name_plural = _("期限")

    def __str__(self) -> str:
        return f"{self.business_name or 'すべての事務'} {self.due}"


class Cause(models.TextChoices):
    """Causes of wrong linkages, the `causes` of spec §8."""

    FAMILY_MEMBER = "FAMILY_MEMBER", _("家族の番号")
    HOMONYM = "HOMONYM", _("同姓同名の他人")
    CARRY_OVER = "CARRY_OVER", _("前の人の番号の持ち越し")
    ROW_SHIFT = "ROW_SHIFT", _("一括処理の行ずれ")
    TYPO = "TYPO", _("入力誤り")
    OTHER = "OTHER", _("その他")


class Snapshot(models.Model):
    """The counts of one 事務 on one day, from a report or entered in the form. The latest
    on or before a day is the state on that day (dashboards, baselines, burn-down)."""

    class Source(models.TextChoices):
        REPORT = "report", _("集計報告")
        FORM = "form", _("入力")

    business = models.ForeignKey(Business, models.CASCADE, related_name="snapshots")
    on = models.DateField(_("日付"))
    target = models.BigIntegerField(_("対象件数"), default=0)
    extracted = models.BigIntegerField(_("抽出件数"), default=0)
    collated = models.BigIntegerField(_("照合件数"), default=0)
    flagged = models.BigIntegerField(_("要確認件数"), default=0)
    confirmed_right = models.BigIntegerField(_("正しいと確認"), default=0)
    wrong_found = models.BigIntegerField(_("誤りの判明"), default=0)
    corrected = models.BigIntegerField(_("訂正済み"), default=0)
    causes = models.JSONField(_("原因別の誤り"), default=dict, blank=True)
    source = models.CharField(_("出所"), max_length=16, choices=Source.choices)

    class Meta:
        ordering = ["business", "on"]
        constraints = [
            models.UniqueConstraint(fields=["business", "on"], name="one_snapshot_per_day"),
            models.CheckConstraint(
                condition=models.Q(collated__lte=models.F("target"))
                & models.Q(flagged__lte=models.F("collated")),
                name="snapshot_counts_nest",
            ),
        ]
        indexes = [models.Index(fields=["on"], name="snapshot_on")]
        verbose_name = verbose_name_plural = _("件数の記録")

    @property
    def done(self) -> int:
        """Records through the inspection: collated, and settled if they were flagged."""
        return done(self.collated, self.flagged, self.confirmed_right, self.wrong_found)


def done(collated: int, flagged: int, confirmed_right: int, wrong_found: int) -> int:
    return collated - max(flagged - confirmed_right - wrong_found, 0)


class DataVersion(models.Model):
    """One row naming the current state of the site's data: every change gives it a new random
    token, and computed pages (dashboard, executive view) are cached under the token, so any
    change shows at once, nothing is computed twice between changes, and a restored or
    flushed database never meets a page cached from another state."""

    token = models.CharField(max_length=32, default="")

    @classmethod
    def bump(cls) -> None:
        token = new_token()
        if not cls.objects.filter(pk=1).update(token=token):
            cls.objects.update_or_create(pk=1, defaults={"token": token})

    @classmethod
    def current(cls) -> str:
        return cls.objects.filter(pk=1).values_list("token", flat=True).first() or "none"
