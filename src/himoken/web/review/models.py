"""The review of one organisation's flagged records, inside its isolated network.

A Run is one collation (started here on uploaded files, or imported from an OUT_DIR); each of
its flagged records becomes a Case that clerks confirm by contact and settle with a Decision.
Corrections and deletions take effect only when a second person approves them (four eyes).
Personal data lives in Case (record copies) and in the run's files, and is purged with the run
(`retention`); counts, statuses and the audit log stay.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from himoken import mynumber


class Organisation(models.Model):
    code = models.CharField(_("団体コード"), max_length=32, unique=True)
    name = models.CharField(_("名称"), max_length=100)

    class Meta:
        ordering = ["code"]
        verbose_name = verbose_name_plural = _("団体")

    def __str__(self) -> str:
        return self.name


class Business(models.Model):
    """One 事務 of the organisation, with the business system that holds its linkages."""

    organisation = models.ForeignKey(Organisation, models.CASCADE, related_name="businesses")
    name = models.CharField(_("事務"), max_length=100)
    system = models.CharField(_("業務システム"), max_length=100, blank=True)

    class Meta:
        ordering = ["organisation", "name"]
        constraints = [
            models.UniqueConstraint(
                fields=["organisation", "name", "system"], name="review_one_business_per_system"
            )
        ]
        verbose_name = verbose_name_plural = _("事務")

    def __str__(self) -> str:
        return self.label(self.name, self.system)

    @staticmethod
    def label(name: str, system: str) -> str:
        return f"{name}({system})" if system else name


class Role(models.Model):
    """What a user may do here. A handler (事務取扱担当者) reviews the records of the 事務 they
    handle; a supervisor does that too and approves corrections; an auditor reads the audit log
    and run counts, never personal data. Everyone stays inside their own organisation."""

    class Kind(models.TextChoices):
        HANDLER = "handler", _("事務取扱担当者")
        SUPERVISOR = "supervisor", _("承認者")
        AUDITOR = "auditor", _("監査担当")

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, models.CASCADE, related_name="review_role"
    )
    kind = models.CharField(_("役割"), max_length=16, choices=Kind.choices)
    organisation = models.ForeignKey(Organisation, models.CASCADE, related_name="roles")
    businesses = models.ManyToManyField(Business, blank=True, verbose_name=_("担当する事務"))

    class Meta:
        verbose_name = verbose_name_plural = _("役割")

    def __str__(self) -> str:
        return f"{self.user} {self.get_kind_display()}"

    @property
    def reviews(self) -> bool:
        return self.kind in (self.Kind.HANDLER, self.Kind.SUPERVISOR)

    @property
    def approves(self) -> bool:
        return self.kind == self.Kind.SUPERVISOR


class Run(models.Model):
    """One collation of one 事務's extract against the register."""

    class Status(models.TextChoices):
        QUEUED = "queued", _("待機中")
        RUNNING = "running", _("照合中")
        FINISHED = "finished", _("完了")
        FAILED = "failed", _("失敗")
        PURGED = "purged", _("個人情報消去済み")

    class Source(models.TextChoices):
        UPLOAD = "upload", _("画面から照合")
        IMPORT = "import", _("照合結果の取込")
        RECOLLATION = "recollation", _("定期的な再照合")

    business = models.ForeignKey(Business, models.PROTECT, related_name="runs")
    source = models.CharField(_("取得方法"), max_length=16, choices=Source.choices)
    status = models.CharField(
        _("状態"), max_length=16, choices=Status.choices, default=Status.QUEUED
    )
    run_id = models.UUIDField(_("照合の実行ID"), null=True, blank=True, unique=True)
    profile = models.CharField(_("プロファイル"), max_length=200, blank=True)
    directory = models.CharField(_("作業フォルダ"), max_length=500, blank=True)
    stage = models.CharField(_("処理中の段階"), max_length=100, blank=True)
    done = models.BigIntegerField(_("処理済み"), default=0)
    total = models.BigIntegerField(_("全体"), null=True, blank=True)
    message = models.TextField(_("メッセージ"), blank=True)
    summary = models.JSONField(_("集計(summary.json)"), null=True, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, models.PROTECT, related_name="+", verbose_name=_("実行者")
    )
    created = models.DateTimeField(_("開始日時"), auto_now_add=True)
    finished = models.DateTimeField(_("終了日時"), null=True, blank=True)
    purged = models.DateTimeField(_("消去日時"), null=True, blank=True)

    class Meta:
        ordering = ["-created"]
        verbose_name = verbose_name_plural = _("照合")

    def __str__(self) -> str:
        return f"{self.business} {self.created:%Y-%m-%d %H:%M}"

    @property
    def percent(self) -> int:
        if self.status in (self.Status.FINISHED, self.Status.PURGED):
            return 100
        return min(99, int(100 * self.done / self.total)) if self.total else 0


class Cause(models.TextChoices):
    """Causes of a wrong linkage, as the summary's `causes` counts them (spec §8)."""

    FAMILY_MEMBER = "FAMILY_MEMBER", _("家族の番号")
    HOMONYM = "HOMONYM", _("同姓同名の他人")
    CARRY_OVER = "CARRY_OVER", _("前の人の番号の持ち越し")
    ROW_SHIFT = "ROW_SHIFT", _("一括処理の行ずれ")
    TYPO = "TYPO", _("入力誤り")
    OTHER = "OTHER", _("その他")


class Case(models.Model):
    """One flagged record of a run and where its review stands."""

    class Status(models.TextChoices):
        OPEN = "open", _("未着手")
        IN_PROGRESS = "in_progress", _("確認中")
        CONFIRMED_RIGHT = "confirmed_right", _("正しい紐付け")
        CORRECTION_PENDING = "correction_pending", _("承認待ち")
        CORRECTED = "corrected", _("訂正済み")
        DELETED = "deleted", _("紐付け削除済み")

    UNSETTLED = (Status.OPEN, Status.IN_PROGRESS)
    WRONG = (Status.CORRECTION_PENDING, Status.CORRECTED, Status.DELETED)

    run = models.ForeignKey(Run, models.CASCADE, related_name="cases")
    business = models.ForeignKey(Business, models.PROTECT, related_name="cases")
    ordinal = models.BigIntegerField(_("行番号"))
    record_id = models.CharField(_("レコード番号"), max_length=100)
    verdict = models.CharField(_("判定"), max_length=16)
    reasons = models.CharField(_("理由"), max_length=300, blank=True)
    risk = models.PositiveSmallIntegerField(_("リスク"))
    explanation = models.TextField(_("説明"), blank=True)
    # Personal data: blanked when the run is purged.
    linked_number = models.CharField(_("紐付け個人番号"), max_length=40, blank=True)
    candidate_number = models.CharField(_("候補個人番号"), max_length=12, blank=True)
    record = models.JSONField(_("事務データ"), default=dict, blank=True)
    entry = models.JSONField(_("住民記録(紐付け先)"), default=dict, blank=True)
    candidate = models.JSONField(_("住民記録(候補)"), default=dict, blank=True)

    status = models.CharField(_("状態"), max_length=24, choices=Status.choices, default=Status.OPEN)
    cause = models.CharField(_("誤りの原因"), max_length=16, choices=Cause.choices, blank=True)
    assignee = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("担当者"),
    )
    version = models.PositiveIntegerField(default=0)  # optimistic lock: see views.save_case
    updated = models.DateTimeField(_("更新日時"), auto_now=True)
    # Scheduled re-collation (recollation.py): a case follows its record to the newest run that
    # still flags the same linkage; `first_run` is where it was first flagged (null: `run`).
    # `resolved_in` is the re-collation that found the linkage no longer flagged.
    first_run = models.ForeignKey(
        Run,
        models.SET_NULL,
        null=True,
        blank=True,
        related_name="found_cases",
        verbose_name=_("最初に要確認となった照合"),
    )
    resolved_in = models.ForeignKey(
        "Recollation",
        models.SET_NULL,
        null=True,
        blank=True,
        related_name="resolved_cases",
        verbose_name=_("要確認でなくなった再照合"),
    )

    class Meta:
        ordering = ["-risk", "ordinal"]
        constraints = [
            models.UniqueConstraint(fields=["run", "ordinal"], name="one_case_per_record")
        ]
        indexes = [
            models.Index(fields=["business", "status", "verdict"], name="case_counts"),
            models.Index(fields=["business", "-risk", "ordinal"], name="case_worklist"),
            # The worklist's filters and sorts, each read in page order (bench/review_load.py)
            models.Index(
                fields=["business", "verdict", "-risk", "ordinal"], name="case_by_verdict"
            ),
            models.Index(fields=["business", "status", "-risk", "ordinal"], name="case_by_status"),
            models.Index(
                fields=["business", "assignee", "-risk", "ordinal"], name="case_by_assignee"
            ),
            models.Index(fields=["business", "ordinal"], name="case_by_ordinal"),
            models.Index(fields=["business", "verdict", "ordinal"], name="case_by_verdict_ordinal"),
            models.Index(fields=["business", "-updated", "ordinal"], name="case_by_updated"),
            # A re-collation finds the earlier case of each flagged or resolved record
            models.Index(fields=["business", "record_id"], name="case_by_record"),
        ]
        verbose_name = verbose_name_plural = _("要確認レコード")

    def __str__(self) -> str:
        return f"{self.record_id}({self.verdict})"

    @property
    def masked_number(self) -> str:
        return mynumber.mask(self.linked_number) if self.linked_number else ""

    @property
    def reason_list(self) -> list[str]:
        return [r for r in self.reasons.split(";") if r]


class CaseCount(models.Model):
    """How many cases of one 事務 have one status and verdict: the worklist's counts, kept in
    step with every status change (decisions.change_status) instead of counted from up to
    millions of cases on every page."""

    business = models.ForeignKey(Business, models.CASCADE, related_name="case_counts")
    status = models.CharField(max_length=24, choices=Case.Status.choices)
    verdict = models.CharField(max_length=16)
    count = models.BigIntegerField(default=0)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["business", "status", "verdict"], name="one_count_per_status_verdict"
            )
        ]

    @classmethod
    def recount(cls, business_id: int) -> None:
        """Count the 事務's cases afresh (after an import, or to repair)."""
        counted = (
            Case.objects.filter(business_id=business_id)
            .values_list("status", "verdict")
            .annotate(n=models.Count("*"))
            .order_by()
        )
        cls.objects.filter(business_id=business_id).delete()
        cls.objects.bulk_create(
            cls(business_id=business_id, status=status, verdict=verdict, count=n)
            for status, verdict, n in counted
        )

    @classmethod
    def move(cls, business_id: int, verdict: str, old: str, new: str) -> None:
        """One case of this 事務 and verdict went from status `old` to `new`."""
        cls.objects.bulk_create(
            [cls(business_id=business_id, status=new, verdict=verdict)], ignore_conflicts=True
        )
        mine = cls.objects.filter(business_id=business_id, verdict=verdict)
        mine.filter(status=old).update(count=models.F("count") - 1)
        mine.filter(status=new).update(count=models.F("count") + 1)


class Contact(models.Model):
    """One attempt to confirm the person's identity."""

    class Method(models.TextChoices):
        PHONE = "phone", _("電話")
        LETTER = "letter", _("文書")
        COUNTER = "counter", _("窓口")
        VISIT = "visit", _("訪問")

    class Result(models.TextChoices):
        NO_ANSWER = "no_answer", _("不在・応答なし")
        CONFIRMED_RIGHT = "confirmed_right", _("本人と確認(正しい)")
        CONFIRMED_WRONG = "confirmed_wrong", _("別人と判明(誤り)")
        PENDING = "pending", _("回答待ち")
        OTHER = "other", _("その他")

    case = models.ForeignKey(Case, models.CASCADE, related_name="contacts")
    method = models.CharField(_("方法"), max_length=16, choices=Method.choices)
    on = models.DateField(_("日付"))
    result = models.CharField(_("結果"), max_length=20, choices=Result.choices)
    note = models.TextField(_("メモ"), blank=True)
    by = models.ForeignKey(settings.AUTH_USER_MODEL, models.PROTECT, related_name="+")
    at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["on", "at"]
        verbose_name = verbose_name_plural = _("本人確認の記録")


class Decision(models.Model):
    """A clerk's decision on a case. Keeping the linkage takes effect at once; a correction or
    a deletion waits for a second person's approval."""

    class Action(models.TextChoices):
        KEEP = "keep", _("正しい紐付け(そのまま)")
        CORRECT = "correct", _("番号を訂正")
        DELETE = "delete", _("紐付けを削除")

    case = models.ForeignKey(Case, models.CASCADE, related_name="decisions")
    action = models.CharField(_("判断"), max_length=16, choices=Action.choices)
    new_number = models.CharField(_("訂正後の個人番号"), max_length=12, blank=True)
    check_verdict = models.CharField(_("訂正後の番号の照合結果"), max_length=16, blank=True)
    check_explanation = models.TextField(_("照合の説明"), blank=True)
    cause = models.CharField(_("誤りの原因"), max_length=16, choices=Cause.choices, blank=True)
    comment = models.TextField(_("コメント"), blank=True)
    proposed_by = models.ForeignKey(settings.AUTH_USER_MODEL, models.PROTECT, related_name="+")
    proposed = models.DateTimeField(auto_now_add=True)
    approved = models.BooleanField(_("承認"), null=True)  # None: waiting
    approved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, models.PROTECT, null=True, blank=True, related_name="+"
    )
    approved_at = models.DateTimeField(null=True, blank=True)
    approval_comment = models.TextField(_("承認者のコメント"), blank=True)

    class Meta:
        ordering = ["proposed"]
        verbose_name = verbose_name_plural = _("判断")

    @property
    def needs_approval(self) -> bool:
        return self.action != self.Action.KEEP


class Comment(models.Model):
    case = models.ForeignKey(Case, models.CASCADE, related_name="comments")
    by = models.ForeignKey(settings.AUTH_USER_MODEL, models.PROTECT, related_name="+")
    at = models.DateTimeField(auto_now_add=True)
    text = models.TextField(_("コメント"))

    class Meta:
        ordering = ["at"]
        verbose_name = verbose_name_plural = _("コメント")


class Checklist(models.Model):
    """What 2023 practice required once a wrong linkage was found (per case)."""

    class Viewed(models.TextChoices):
        UNKNOWN = "unknown", _("未確認")
        VIEWED = "viewed", _("閲覧されていた")
        NOT_VIEWED = "not_viewed", _("閲覧されていない")

    case = models.OneToOneField(Case, models.CASCADE, related_name="checklist")
    exchange_stopped = models.DateField(_("情報連携を停止"), null=True, blank=True)
    portal_stopped = models.DateField(_("マイナポータルの表示を停止"), null=True, blank=True)
    viewed = models.CharField(
        _("誤った情報の閲覧"), max_length=16, choices=Viewed.choices, default=Viewed.UNKNOWN
    )
    intermediate_corrected = models.DateField(_("中間サーバーの副本を訂正"), null=True, blank=True)
    confirmation_letter_sent = models.DateField(_("本人確認の文書を送付"), null=True, blank=True)
    apology_letter_sent = models.DateField(_("お詫び文書を送付"), null=True, blank=True)
    note = models.TextField(_("メモ"), blank=True)

    class Meta:
        verbose_name = verbose_name_plural = _("誤り判明後の対応")

    @property
    def complete(self) -> bool:
        return bool(
            self.exchange_stopped
            and self.portal_stopped
            and self.viewed != self.Viewed.UNKNOWN
            and self.intermediate_corrected
            and self.apology_letter_sent
        )


class LetterTemplate(models.Model):
    """An editable letter (Django template text) rendered to PDF per case."""

    class Kind(models.TextChoices):
        CONFIRMATION = "confirmation", _("本人確認のお願い")
        APOLOGY = "apology", _("お詫び")

    kind = models.CharField(_("種類"), max_length=16, choices=Kind.choices, unique=True)
    title = models.CharField(_("表題"), max_length=200)
    body = models.TextField(_("本文"))
    contact = models.CharField(_("問い合わせ先"), max_length=300, blank=True)
    updated = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = verbose_name_plural = _("文書のひな形")

    def __str__(self) -> str:
        return self.get_kind_display()


class RecollationSchedule(models.Model):
    """When a 事務's records are collated again (issue 7) and from which files on this
    server: `manage.py review_recollate` runs the due ones, compares each run with the one
    before it and brings it into the review (recollation.py)."""

    class Frequency(models.TextChoices):
        MONTHLY = "monthly", _("毎月")
        WEEKLY = "weekly", _("毎週")
        MANUAL = "manual", _("更新時(手動)")

    business = models.OneToOneField(
        Business, models.CASCADE, related_name="recollation_schedule", verbose_name=_("事務")
    )
    register = models.CharField(_("住民記録ファイル"), max_length=500)
    records = models.CharField(_("事務データファイル"), max_length=500)
    profile = models.CharField(_("プロファイル"), max_length=200, blank=True)
    frequency = models.CharField(
        _("頻度"), max_length=16, choices=Frequency.choices, default=Frequency.MONTHLY
    )
    next_due = models.DateField(_("次回予定日"), null=True, blank=True)
    last_run = models.DateTimeField(_("前回の再照合"), null=True, blank=True)
    active = models.BooleanField(_("有効"), default=True)
    # The runs' 実行者: the supervisor who last saved the schedule.
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, models.PROTECT, related_name="+", verbose_name=_("設定者")
    )
    updated = models.DateTimeField(_("更新日時"), auto_now=True)

    class Meta:
        verbose_name = verbose_name_plural = _("定期的な再照合")

    def __str__(self) -> str:
        return f"{self.business} {self.get_frequency_display()}"


class Recollation(models.Model):
    """One re-collation of a schedule: the run it brought in and its comparison with the run
    before (counts of spec categories), or why it failed (nothing was brought in then)."""

    class Status(models.TextChoices):
        FINISHED = "finished", _("完了")
        FAILED = "failed", _("失敗")

    schedule = models.ForeignKey(RecollationSchedule, models.CASCADE, related_name="recollations")
    run = models.OneToOneField(
        Run, models.SET_NULL, null=True, blank=True, related_name="recollation"
    )
    status = models.CharField(_("状態"), max_length=16, choices=Status.choices)
    started = models.DateTimeField(_("開始日時"))
    finished = models.DateTimeField(_("終了日時"), null=True, blank=True)
    folder = models.CharField(_("作業フォルダ"), max_length=100, blank=True)
    message = models.TextField(_("メッセージ"), blank=True)
    records = models.BigIntegerField(_("事務データ"), default=0)
    flagged = models.BigIntegerField(_("要確認"), default=0)
    new = models.BigIntegerField(_("新たに要確認"), default=0)
    resolved = models.BigIntegerField(_("解消"), default=0)
    still_flagged = models.BigIntegerField(_("引き続き要確認"), default=0)
    added = models.BigIntegerField(default=0)
    gone = models.BigIntegerField(default=0)
    unpaired = models.BigIntegerField(default=0)
    cases_added = models.BigIntegerField(_("新しい要確認レコード"), default=0)
    cases_carried = models.BigIntegerField(_("引き継いだ要確認レコード"), default=0)
    cases_resolved = models.BigIntegerField(_("解消した要確認レコード"), default=0)

    class Meta:
        ordering = ["-started", "-pk"]
        verbose_name = verbose_name_plural = _("再照合の結果")

    def __str__(self) -> str:
        return f"{self.schedule.business} {self.started:%Y-%m-%d %H:%M}"
