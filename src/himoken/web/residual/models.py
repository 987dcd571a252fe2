"""The audit sample of one review Run: auto-cleared records drawn at random for clerks to verify.

A run has at most one sample, and it is never redrawn: a second draw would let someone keep
drawing until the sample looked easy. The sample keeps its manifest (seed, population,
SHA-256 of results.csv), so anyone holding the run's results.csv can redraw it with
`himoken risk sample` and check it. The rows outlive the run's files: a purge removes
results.csv, not what the clerks found.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from himoken.prevention.sampling import CORRECT, WRONG
from himoken.web.review.models import Run


class Sample(models.Model):
    run = models.OneToOneField(Run, models.CASCADE, related_name="audit_sample")
    seed = models.BigIntegerField(_("シード"))
    seed_given = models.BooleanField(_("シードを指定した"), default=False)
    size_requested = models.PositiveIntegerField(_("抽出を指定した件数"))
    size = models.PositiveIntegerField(_("抽出した件数"))
    population = models.BigIntegerField(_("自動で照合済みとした記録"))
    population_by_verdict = models.JSONField(_("判定ごとの件数"), default=dict)
    results_sha256 = models.CharField(_("results.csv の SHA-256"), max_length=64)
    manifest = models.JSONField(_("抽出の記録(manifest)"), default=dict)
    drawn_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, models.PROTECT, related_name="+", verbose_name=_("抽出者")
    )
    drawn = models.DateTimeField(_("抽出日時"), auto_now_add=True)

    class Meta:
        verbose_name = verbose_name_plural = _("確認標本")

    def __str__(self) -> str:
        return f"{self.run} ({self.size})"


class SampleRow(models.Model):
    """One drawn record, in draw order (抽出順), and what a clerk found."""

    class Result(models.TextChoices):
        CORRECT = CORRECT, _("正(正しい紐付け)")
        WRONG = WRONG, _("誤(誤った紐付け)")

    sample = models.ForeignKey(Sample, models.CASCADE, related_name="rows")
    order = models.PositiveIntegerField(_("抽出順"))
    record_id = models.CharField(_("レコード番号"), max_length=200)
    verdict = models.CharField(_("判定"), max_length=16)
    explanation = models.TextField(_("説明"), blank=True)
    result = models.CharField(_("確認結果"), max_length=1, choices=Result.choices, blank=True)
    checker = models.CharField(_("確認者"), max_length=150, blank=True)
    note = models.TextField(_("備考"), blank=True)
    checked_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("入力者"),
    )
    checked_at = models.DateTimeField(_("確認日時"), null=True, blank=True)

    class Meta:
        ordering = ["sample", "order"]
        constraints = [models.UniqueConstraint(fields=["sample", "order"], name="one_row_per_draw")]
        verbose_name = verbose_name_plural = _("確認標本の記録")

    def __str__(self) -> str:
        return f"{self.order}: {self.record_id}"
