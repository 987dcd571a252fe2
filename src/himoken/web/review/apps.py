from django.apps import AppConfig


class ReviewConfig(AppConfig):
    name = "himoken.web.review"
    label = "review"
    verbose_name = "紐付けの確認"
