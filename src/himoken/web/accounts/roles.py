"""The one lookup both sites make on every request: the signed-in user's role on this site
(each site defines its own Role model, one row per user)."""

from __future__ import annotations

from typing import TypeVar

from django.core.exceptions import PermissionDenied
from django.db.models import Model
from django.http import HttpRequest

RoleModel = TypeVar("RoleModel", bound=Model)


def role_of(request: HttpRequest, roles: type[RoleModel], refusal: str) -> RoleModel:
    """The user's role, with its organisation; PermissionDenied(refusal) without one."""
    role = (
        roles._default_manager.filter(user_id=request.user.pk)
        .select_related("organisation")
        .first()
        if request.user.is_authenticated
        else None
    )
    if role is None:
        raise PermissionDenied(refusal)
    return role
