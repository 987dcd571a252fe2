from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class EntryConfig(AppConfig):
    name = "himoken.web.entry"
    label = "entry"
    verbose_name = _("紐付け時の確認")
    default_auto_field = "django.db.models.BigAutoField"
