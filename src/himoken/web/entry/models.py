"""Business systems that call the API, each check made (the log), the last person served on
each terminal (for CARRY_OVER)."""

from __future__ import annotations

import hashlib
import secrets
import uuid

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from himoken.web.review.models import Organisation

TOKEN_PREFIX = "hk_"


def token_digest(secret: str) -> str:
    return hashlib.sha256(secret.encode()).hexdigest()


class ApiClient(models.Model):
    """A business system allowed to call the API, with a bearer token. Only the token's
    digest is stored: it is shown once, when made (manage.py entry_client)."""

    organisation = models.ForeignKey(Organisation, models.CASCADE, related_name="api_clients")
    name = models.CharField(_("業務システム"), max_length=100)
    key_id = models.CharField(max_length=16, unique=True, editable=False)
    key_digest = models.CharField(max_length=64, editable=False)
    active = models.BooleanField(_("有効"), default=True)
    created = models.DateTimeField(_("登録日時"), auto_now_add=True)

    class Meta:
        verbose_name = verbose_name_plural = _("API利用システム")

    def __str__(self) -> str:
        return f"{self.name}({self.organisation.code})"

    @classmethod
    def issue(cls, organisation: Organisation, name: str) -> tuple[ApiClient, str]:
        """A new client and its token (`hk_<key id>_<secret>`), the only time it is known."""
        key_id, secret = secrets.token_hex(6), secrets.token_urlsafe(32)
        client = cls.objects.create(
            organisation=organisation, name=name, key_id=key_id, key_digest=token_digest(secret)
        )
        return client, f"{TOKEN_PREFIX}{key_id}_{secret}"

    @classmethod
    def authenticate(cls, token: str) -> ApiClient | None:
        if not token.startswith(TOKEN_PREFIX) or token.count("_") < 2:
            return None
        key_id, secret = token[len(TOKEN_PREFIX) :].split("_", 1)
        client = cls.objects.select_related("organisation").filter(key_id=key_id).first()
        if client is None or not client.active:
            return None
        return client if secrets.compare_digest(client.key_digest, token_digest(secret)) else None


class EntryCheck(models.Model):
    """One check, as logged: who asked, the outcome; numbers masked (the log holds no full
    number), and an override of a stop by a second person."""

    class Decision(models.TextChoices):
        ACCEPT = "accept", _("受理")
        ACCEPT_WITH_NOTE = "accept_with_note", _("注記つきで受理")
        STOP = "stop", _("停止")

    class Override(models.TextChoices):
        NONE = "", _("なし")
        REQUESTED = "requested", _("解除の申請中")
        APPROVED = "approved", _("解除済み")
        REFUSED = "refused", _("解除を却下")

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    created = models.DateTimeField(_("確認日時"), auto_now_add=True, db_index=True)
    organisation = models.ForeignKey(Organisation, models.CASCADE, related_name="entry_checks")
    client = models.ForeignKey(ApiClient, models.SET_NULL, null=True, blank=True)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, models.SET_NULL, null=True, blank=True, related_name="+"
    )
    terminal = models.CharField(_("登録端末"), max_length=64, blank=True)
    operator = models.CharField(_("登録者"), max_length=64, blank=True)
    number = models.CharField(_("個人番号(下4桁)"), max_length=16)
    decision = models.CharField(_("判断"), max_length=16, choices=Decision.choices)
    verdict = models.CharField(_("判定"), max_length=16)
    reasons = models.CharField(_("理由"), max_length=200, blank=True)
    warnings = models.CharField(_("警告"), max_length=100, blank=True)
    explanation = models.TextField(_("説明"), blank=True)
    suggestion = models.CharField(_("適合する住民の個人番号(下4桁)"), max_length=16, blank=True)
    override = models.CharField(
        _("停止の解除"), max_length=16, choices=Override.choices, default="", blank=True
    )
    override_reason = models.TextField(_("解除の理由"), blank=True)
    requested_by = models.CharField(_("解除の申請者"), max_length=150, blank=True)
    approved_by = models.CharField(_("解除の承認者"), max_length=150, blank=True)
    override_at = models.DateTimeField(_("解除日時"), null=True, blank=True)

    class Meta:
        ordering = ["-created"]
        indexes = [models.Index(fields=["organisation", "-created"], name="entry_check_recent")]
        verbose_name = verbose_name_plural = _("紐付け時の確認")


class TerminalState(models.Model):
    """The person last checked on a terminal: the next check on it is compared with them
    (CARRY_OVER: the number of the person served just before)."""

    organisation = models.ForeignKey(Organisation, models.CASCADE, related_name="+")
    terminal = models.CharField(max_length=64)
    record = models.JSONField()
    updated = models.DateTimeField(auto_now=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["organisation", "terminal"], name="one_state_per_terminal"
            )
        ]
