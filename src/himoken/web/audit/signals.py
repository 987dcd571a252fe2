"""Logins, logouts and failed logins go to the audit log on both sites."""

from __future__ import annotations

from typing import Any

from django.contrib.admin.models import LogEntry
from django.contrib.auth.signals import user_logged_in, user_logged_out, user_login_failed
from django.db.models.signals import post_save
from django.dispatch import receiver

from himoken.mynumber import looks_like_number
from himoken.web.audit.log import record


@receiver(user_logged_in)
def logged_in(sender: Any, request: Any, user: Any, **kwargs: Any) -> None:
    record(user, "login")


@receiver(user_logged_out)
def logged_out(sender: Any, request: Any, user: Any, **kwargs: Any) -> None:
    if user is not None:
        record(user, "logout")


@receiver(user_login_failed)
def login_failed(sender: Any, credentials: dict[str, Any], **kwargs: Any) -> None:
    name = str(credentials.get("username", ""))[:150]
    # A number typed into the wrong field must not become a copy in the log.
    record(None, "login.failed", username="(個人番号らしき値)" if looks_like_number(name) else name)


ADMIN_ACTIONS = {1: "admin.add", 2: "admin.change", 3: "admin.delete"}


@receiver(post_save, sender=LogEntry)
def admin_changed(sender: Any, instance: LogEntry, created: bool, **kwargs: Any) -> None:
    """Changes made in the admin go to the audit log too (the admin keeps its own history,
    which is neither append-only nor chained)."""
    if created:
        record(instance.user, ADMIN_ACTIONS.get(instance.action_flag, "admin"), None,
               model=instance.content_type.model if instance.content_type else "",
               object=str(instance.object_id or ""))  # fmt: skip
