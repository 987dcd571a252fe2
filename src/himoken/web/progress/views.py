"""Pages of the progress site: reports and their upload (the dashboard comes next)."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render

from himoken.web.progress.forms import ReportUploadForm
from himoken.web.progress.models import Report


@login_required
def reports(request: HttpRequest) -> HttpResponse:
    """Reports received, newest run first, and the upload form."""
    form = ReportUploadForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        report = form.cleaned_data["file"]
        messages.success(request, f"{report.business} の集計報告を受け付けました。")
        return redirect("progress:reports")
    listed = Report.objects.select_related("business__organisation")[:200]
    return render(request, "progress/reports.html", {"form": form, "reports": listed})
