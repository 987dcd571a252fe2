"""Pages of the progress site: reports and their upload (the dashboard comes next)."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render

from himoken.web.audit import log as audit
from himoken.web.progress.forms import ReportUploadForm
from himoken.web.progress.models import Report, Role


def _role(request: HttpRequest) -> Role:
    role = Role.objects.filter(user=request.user).select_related("organisation").first()
    if role is None:
        raise PermissionDenied("進捗管理の役割がない")
    return role


@login_required
def reports(request: HttpRequest) -> HttpResponse:
    """Reports received (a reporter sees their organisation's only), newest run first, and
    the upload form (not for executives, who only read)."""
    role = _role(request)
    form = ReportUploadForm(request.POST or None, request.FILES or None, role=role)
    if request.method == "POST":
        if not role.may_report:
            raise PermissionDenied("閲覧のみの役割では報告できない")
        if form.is_valid():
            report = form.cleaned_data["file"]
            audit.record(request.user, "report.upload", report)
            messages.success(request, f"{report.business} の集計報告を受け付けました。")
            return redirect("progress:reports")
        audit.record(request.user, "report.refused", problems=form.errors.get("file", []))
    listed = Report.objects.select_related("business__organisation")
    if role.kind == Role.Kind.REPORTER:
        listed = listed.filter(business__organisation=role.organisation)
    context = {"form": form if role.may_report else None, "reports": listed[:200], "role": role}
    return render(request, "progress/reports.html", context)
