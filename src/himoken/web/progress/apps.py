from django.apps import AppConfig


class ProgressConfig(AppConfig):
    name = "himoken.web.progress"
    label = "progress"
    verbose_name = "進捗管理"

    def ready(self) -> None:
        from himoken.web.progress import signals  # noqa: F401 - connects the receivers
