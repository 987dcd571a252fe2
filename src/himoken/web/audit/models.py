"""The audit log both sites share: append-only and hash-chained.

Each entry's hash covers its own fields and the previous entry's hash, so changing, removing
or reordering any entry breaks every hash after it (`log.verify`). On PostgreSQL the
database itself refuses UPDATE and DELETE on the table (migration 0002).
"""

from __future__ import annotations

from django.conf import settings
from django.db import models


class Entry(models.Model):
    sequence = models.BigIntegerField("連番", unique=True)
    at = models.DateTimeField("日時")
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, models.PROTECT, null=True, blank=True, related_name="+"
    )
    username = models.CharField("利用者", max_length=150, blank=True)  # kept if the user goes
    action = models.CharField("操作", max_length=64)
    object_type = models.CharField("対象の種類", max_length=64, blank=True)
    object_id = models.CharField("対象", max_length=64, blank=True)
    detail = models.JSONField("詳細", default=dict, blank=True)
    previous_hash = models.CharField(max_length=64)
    hash = models.CharField(max_length=64, unique=True)

    class Meta:
        ordering = ["sequence"]
        verbose_name = verbose_name_plural = "監査ログ"
