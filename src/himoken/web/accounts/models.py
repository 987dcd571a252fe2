"""Users of both sites. A project-owned user model from the start (Django cannot swap it
later); organisations and roles come with the apps that define them."""

from django.contrib.auth.models import AbstractUser


class User(AbstractUser):
    class Meta:
        verbose_name = "利用者"
        verbose_name_plural = "利用者"
