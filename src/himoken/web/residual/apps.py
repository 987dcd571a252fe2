"""Residual risk (issue 7): audit samples of auto-cleared records that clerks verify, and the
estimate of wrong linkages still hidden among them, for the public in plain Japanese."""

from django.apps import AppConfig
from django.db.models.signals import post_save
from django.utils.translation import gettext_lazy as _


class ResidualConfig(AppConfig):
    name = "himoken.web.residual"
    label = "residual"
    verbose_name = _("残存リスク")
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from himoken.web.audit.models import Entry
        from himoken.web.residual.signals import on_audit_entry

        post_save.connect(on_audit_entry, sender=Entry, dispatch_uid="residual-purge")
