from django.apps import AppConfig


class AuditConfig(AppConfig):
    name = "himoken.web.audit"
    label = "audit"
    verbose_name = "監査ログ"
