from django.apps import AppConfig


class AuditConfig(AppConfig):
    name = "himoken.web.audit"
    label = "audit"
    verbose_name = "監査ログ"

    def ready(self) -> None:
        from himoken.web.audit import signals  # noqa: F401 - connects the receivers
