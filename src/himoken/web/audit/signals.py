"""Logins, logouts and failed logins go to the audit log on both sites."""

from __future__ import annotations

from typing import Any

from django.contrib.auth.signals import user_logged_in, user_logged_out, user_login_failed
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
