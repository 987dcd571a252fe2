from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ResidualConfig(AppConfig):
    name = "himoken.web.residual"
    label = "residual"
    verbose_name = _("残存リスク")
    default_auto_field = "django.db.models.BigAutoField"
