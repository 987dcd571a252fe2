"""Who sees what: every query of runs and cases goes through here, so a user never reaches
another organisation's records or a 事務 they do not handle."""

from __future__ import annotations

from django.core.exceptions import PermissionDenied
from django.db.models import QuerySet
from django.http import HttpRequest
from django.shortcuts import get_object_or_404

from himoken.web.accounts import roles
from himoken.web.review.models import Business, Case, Role, Run


def role_of(request: HttpRequest) -> Role:
    return roles.role_of(request, Role, "確認の役割がない")


def reviewer(request: HttpRequest) -> Role:
    """The role of a user who may see personal data (handlers and supervisors)."""
    role = role_of(request)
    if not role.reviews:
        raise PermissionDenied("個人情報を見る役割ではない")
    return role


def supervisor(request: HttpRequest) -> Role:
    role = role_of(request)
    if not role.approves:
        raise PermissionDenied("承認者の役割ではない")
    return role


def businesses(role: Role) -> QuerySet[Business]:
    """The 事務 a user works on: their own handled 事務; an auditor's view is every 事務 of the
    organisation (counts only)."""
    if role.kind == Role.Kind.AUDITOR:
        return Business.objects.filter(organisation=role.organisation)
    return role.businesses.filter(organisation=role.organisation)


def runs(role: Role) -> QuerySet[Run]:
    return Run.objects.filter(business__in=businesses(role)).select_related("business")


def cases(role: Role) -> QuerySet[Case]:
    if not role.reviews:
        return Case.objects.none()
    return Case.objects.filter(business__in=businesses(role))


def run_for(role: Role, pk: int) -> Run:
    return get_object_or_404(runs(role), pk=pk)


def case_for(role: Role, pk: int) -> Case:
    return get_object_or_404(cases(role).select_related("run", "business", "assignee"), pk=pk)
