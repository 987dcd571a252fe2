from django.apps import AppConfig


class AccountsConfig(AppConfig):
    name = "himoken.web.accounts"
    label = "accounts"
    verbose_name = "利用者"
