from django.apps import AppConfig


class ProgressConfig(AppConfig):
    name = "himoken.web.progress"
    label = "progress"
    verbose_name = "進捗管理"
