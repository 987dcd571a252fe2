"""Who sees and changes what on the progress site: the secretariat everything, a reporter
their own organisation, an executive reads everything and changes nothing."""

from __future__ import annotations

from django.core.exceptions import PermissionDenied
from django.db.models import QuerySet
from django.http import HttpRequest
from django.shortcuts import get_object_or_404

from himoken.web.accounts import roles
from himoken.web.progress.models import Organisation, Role


def role_of(request: HttpRequest) -> Role:
    return roles.role_of(request, Role, "進捗管理の役割がない")


def prefecture(request: HttpRequest) -> Role:
    """The secretariat or an executive: the whole prefecture's view."""
    role = role_of(request)
    if role.kind == Role.Kind.REPORTER:
        raise PermissionDenied("府県全体の画面は事務局と幹部が見る")
    return role


def secretariat(request: HttpRequest) -> Role:
    role = role_of(request)
    if role.kind != Role.Kind.SECRETARIAT:
        raise PermissionDenied("事務局だけが変更できる")
    return role


def organisations(role: Role) -> QuerySet[Organisation]:
    if role.kind == Role.Kind.REPORTER:
        return Organisation.objects.filter(pk=role.organisation_id)
    return Organisation.objects.all()


def organisation_for(role: Role, pk: int) -> Organisation:
    return get_object_or_404(organisations(role), pk=pk)


def editable(role: Role, organisation: Organisation) -> Organisation:
    """The organisation, if this role may change its figures and schedule."""
    if role.kind == Role.Kind.EXECUTIVE:
        raise PermissionDenied("閲覧のみの役割では変更できない")
    if role.kind == Role.Kind.REPORTER and role.organisation_id != organisation.pk:
        raise PermissionDenied("自団体以外は変更できない")
    return organisation
