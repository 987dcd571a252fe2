"""Pages of the progress site. Every change is written to the audit log."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.safestring import mark_safe
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from himoken.web.audit import log as audit
from himoken.web.progress import access, charts, exports
from himoken.web.progress.dashboard import STAGE_LABELS, Overview, overview
from himoken.web.progress.forms import (
    AnswerForm,
    AsOfForm,
    ConsultationForm,
    CountsForm,
    DeadlineForm,
    ReportUploadForm,
    StageForm,
    StateRequestForm,
    SurveyForm,
)
from himoken.web.progress.models import (
    Business,
    Cause,
    Consultation,
    Deadline,
    Organisation,
    Report,
    Role,
    Snapshot,
    Stage,
    StageProgress,
    StateRequest,
)

MATRIX_PAGE = 100


def _day(request: HttpRequest, name: str) -> dt.date | None:
    form = AsOfForm({"as_of": request.GET.get(name)})
    return form.cleaned_data["as_of"] if form.is_valid() else None


def _charts(view: Overview) -> dict[str, str]:
    """The charts, and the link prefix of organisation pages (reversing a URL per row of a
    long list costs more than the row)."""
    causes = [(c.label, view.causes.get(c.value, 0)) for c in Cause]
    return {
        "organisation_url": reverse("progress:organisation", args=[0]).removesuffix("0/"),
        # Built from numbers, dates and escaped labels only.
        "burn_down_svg": mark_safe(charts.burn_down(view.burn_down, view.ideal, view.deadline)),
        "causes_svg": mark_safe(charts.bars(causes)),
    }


# --- dashboard, executive view ----------------------------------------------------------------


@login_required
@require_GET
def dashboard(request: HttpRequest) -> HttpResponse:
    """Organisations × stages, forecasts, burn-down, causes, consultations; `as_of` shows the
    state on a past day, `baseline` compares with one."""
    role = access.role_of(request)
    today = timezone.localdate()
    as_of = _day(request, "as_of") or today
    # A reporter's dashboard is their organisation's: its row, totals and burn-down.
    scope = role.organisation_id if role.kind == Role.Kind.REPORTER else None
    view = overview(as_of, scope)
    rows = view.organisations
    kind, status = request.GET.get("kind", ""), request.GET.get("status", "")
    if kind:
        rows = [o for o in rows if o.kind == kind]
    if status:
        rows = [o for o in rows if o.businesses and o.status == status]
    page_text = request.GET.get("page", "1")
    page = int(page_text) if page_text.isdigit() and int(page_text) > 0 else 1
    baseline_day = _day(request, "baseline")
    baseline = overview(baseline_day, scope) if baseline_day else None
    query = request.GET.copy()
    query.pop("page", None)
    context = {
        "role": role,
        "view": view,
        "today": today,
        "rows": rows[(page - 1) * MATRIX_PAGE : page * MATRIX_PAGE],
        "row_count": len(rows),
        "page": page,
        "has_next": len(rows) > page * MATRIX_PAGE,
        "query": query.urlencode(),
        "stages": Stage.choices,
        "stage_labels": STAGE_LABELS,
        "baseline": baseline,
        "kinds": Organisation.Kind.choices,
        "as_of_form": AsOfForm(initial={"as_of": as_of}),
        **_charts(view),
    }
    return render(request, "progress/dashboard.html", context)


@login_required
@require_GET
def executive(request: HttpRequest) -> HttpResponse:
    """One page: will we finish by the deadline, and who is late?"""
    role = access.prefecture(request)
    view = overview(_day(request, "as_of") or timezone.localdate())
    late = view.late
    context = {
        "role": role,
        "view": view,
        "late": late[:200],
        "late_count": len(late),
        "will_finish": view.forecast.status == "green" and not [o for o in late
                                                                if o.status == "red"],
        **_charts(view),
    }  # fmt: skip
    return render(request, "progress/executive.html", context)


# --- one organisation ------------------------------------------------------------------------


@login_required
def organisation(request: HttpRequest, pk: int) -> HttpResponse:
    """An organisation's 事務: stages, survey, counts; changes for the secretariat and the
    organisation's own reporter."""
    role = access.role_of(request)
    found = access.organisation_for(role, pk)
    businesses = Business.objects.filter(organisation=found)
    counts_form = CountsForm(request.POST or None, businesses=businesses,
                             initial={"on": timezone.localdate()})  # fmt: skip
    if request.method == "POST":
        access.editable(role, found)
        if counts_form.is_valid():
            snapshot = counts_form.save()
            audit.record(request.user, "counts.save", snapshot.business, on=str(snapshot.on))
            messages.success(request, _("件数を記録しました。"))
            return redirect("progress:organisation", pk=found.pk)
    row = next(iter(overview(timezone.localdate(), found.pk).organisations), None)
    stages = {
        business.pk: list(StageProgress.objects.filter(business=business).order_by("pk"))
        for business in businesses
    }
    context = {
        "role": role,
        "organisation": found,
        "row": row,
        "businesses": [(b, stages[b.pk], SurveyForm(instance=b)) for b in businesses],
        "counts_form": counts_form,
        "may_edit": role.kind == Role.Kind.SECRETARIAT
        or (role.kind == Role.Kind.REPORTER and role.organisation_id == found.pk),
        "snapshots": Snapshot.objects.filter(business__organisation=found).order_by("-on")[:20],
        "stage_labels": STAGE_LABELS,
    }
    return render(request, "progress/organisation.html", context)


@login_required
@require_POST
def stage(request: HttpRequest, pk: int) -> HttpResponse:
    role = access.role_of(request)
    found = get_object_or_404(
        StageProgress.objects.filter(business__organisation__in=access.organisations(role)),
        pk=pk,
    )
    organisation = access.editable(role, found.business.organisation)
    form = StageForm(request.POST, instance=found)
    if form.is_valid():
        form.save()
        audit.record(request.user, "stage.save", found, changed=form.changed_data)
        messages.success(
            request,
            _("%(stage)sの予定・実績を記録しました。") % {"stage": found.get_stage_display()},
        )
    else:
        messages.error(request, f"{found.get_stage_display()}: {_errors(form)}")
    return redirect("progress:organisation", pk=organisation.pk)


@login_required
@require_POST
def survey(request: HttpRequest, pk: int) -> HttpResponse:
    role = access.role_of(request)
    business = get_object_or_404(
        Business.objects.filter(organisation__in=access.organisations(role)), pk=pk
    )
    organisation = access.editable(role, business.organisation)
    form = SurveyForm(request.POST, instance=business)
    if form.is_valid():
        form.save()
        audit.record(request.user, "survey.save", business, changed=form.changed_data)
        messages.success(
            request,
            _("%(business)sの紐付け方法の調査を記録しました。") % {"business": business.name},
        )
    else:
        messages.error(request, f"{business.name}: {_errors(form)}")
    return redirect("progress:organisation", pk=organisation.pk)


def _errors(form: Any) -> str:
    return " ".join(str(e) for errors in form.errors.values() for e in errors)


# --- reports in ---------------------------------------------------------------------------------


@login_required
def reports(request: HttpRequest) -> HttpResponse:
    """Reports received (a reporter sees their organisation's only), newest run first, and
    the upload form (not for executives, who only read)."""
    role = access.role_of(request)
    form = ReportUploadForm(request.POST or None, request.FILES or None, role=role)
    if request.method == "POST":
        if not role.may_report:
            raise PermissionDenied(_("閲覧のみの役割では報告できない"))
        if form.is_valid():
            report = form.cleaned_data["file"]
            audit.record(request.user, "report.upload", report)
            messages.success(
                request,
                _("%(business)s の集計報告を受け付けました。") % {"business": report.business},
            )
            return redirect("progress:reports")
        audit.record(request.user, "report.refused", problems=form.errors.get("file", []))
    listed = Report.objects.select_related("business__organisation")
    if role.kind == Role.Kind.REPORTER:
        listed = listed.filter(business__organisation=role.organisation)
    context = {"form": form if role.may_report else None, "reports": listed[:200], "role": role}
    return render(request, "progress/reports.html", context)


# --- consultations, requests to the state, deadlines ------------------------------------------


@login_required
def consultations(request: HttpRequest) -> HttpResponse:
    role = access.role_of(request)
    mine = access.organisations(role)
    form = ConsultationForm(request.POST or None, organisations=mine)
    if request.method == "POST":
        if role.kind == Role.Kind.EXECUTIVE:
            raise PermissionDenied(_("閲覧のみの役割では相談を登録できない"))
        if form.is_valid():
            consultation = form.save()
            audit.record(request.user, "consultation.add", consultation)
            messages.success(request, _("相談を登録しました。"))
            return redirect("progress:consultations")
    listed = Consultation.objects.filter(organisation__in=mine).select_related("organisation")
    status = request.GET.get("status", "")
    if status:
        listed = listed.filter(status=status)
    context = {
        "role": role,
        "consultations": listed[:300],
        "form": form if role.kind != Role.Kind.EXECUTIVE else None,
        "statuses": Consultation.Status.choices,
        "today": timezone.localdate(),
    }
    return render(request, "progress/consultations.html", context)


@login_required
def consultation(request: HttpRequest, pk: int) -> HttpResponse:
    role = access.role_of(request)
    found = get_object_or_404(
        Consultation.objects.filter(organisation__in=access.organisations(role)), pk=pk
    )
    form = AnswerForm(request.POST or None, instance=found)
    if request.method == "POST":
        access.secretariat(request)
        if form.is_valid():
            form.save()
            audit.record(request.user, "consultation.answer", found)
            messages.success(request, _("回答を記録しました。"))
            return redirect("progress:consultation", pk=found.pk)
        found.refresh_from_db()  # validation wrote the refused answer on it: show the stored
    context = {"role": role, "consultation": found,
               "form": form if role.kind == Role.Kind.SECRETARIAT else None}  # fmt: skip
    return render(request, "progress/consultation.html", context)


def _listed_with_form(
    request: HttpRequest,
    form_class: type[Any],
    listed: Any,
    template: str,
    name: str,
    action: str,
    saved: str,
) -> HttpResponse:
    """A prefecture-wide list (the secretariat and executives read it) with the form that
    adds to it (the secretariat only)."""
    role = access.prefecture(request)
    form = form_class(request.POST or None)
    if request.method == "POST":
        access.secretariat(request)
        if form.is_valid():
            found = form.save()
            audit.record(request.user, action, found)
            messages.success(request, saved)
            return redirect(request.path)
    context = {"role": role, name: listed,
               "form": form if role.kind == Role.Kind.SECRETARIAT else None}  # fmt: skip
    return render(request, template, context)


@login_required
def state_requests(request: HttpRequest) -> HttpResponse:
    return _listed_with_form(
        request, StateRequestForm, StateRequest.objects.all()[:300],
        "progress/state_requests.html", "requests", "state_request.add",
        _("国への要望を登録しました。"),
    )  # fmt: skip


@login_required
@require_POST
def state_request(request: HttpRequest, pk: int) -> HttpResponse:
    access.secretariat(request)
    found = get_object_or_404(StateRequest, pk=pk)
    form = StateRequestForm(request.POST, instance=found)
    if form.is_valid():
        form.save()
        audit.record(request.user, "state_request.save", found, changed=form.changed_data)
        messages.success(request, _("国への要望を更新しました。"))
    else:
        messages.error(request, _errors(form))
    return redirect("progress:state_requests")


@login_required
def deadlines(request: HttpRequest) -> HttpResponse:
    return _listed_with_form(
        request, DeadlineForm, Deadline.objects.all(), "progress/deadlines.html", "deadlines",
        "deadline.add", _("期限を登録しました。"),
    )  # fmt: skip


# --- reports out -----------------------------------------------------------------------------


def _download(content: bytes, kind: str, name: str) -> HttpResponse:
    response = HttpResponse(content, content_type=kind)
    response["Content-Disposition"] = f'attachment; filename="{name}"'
    return response


XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


@login_required
@require_GET
def export_summary(request: HttpRequest) -> HttpResponse:
    """The per-事務 table as of a day (default today) or a month's end (`month=2026-10`)."""
    access.prefecture(request)
    month = request.GET.get("month", "")
    try:
        as_of = exports.month_end(month) if month else _day(request, "as_of")
    except ValueError:
        as_of, month = None, ""  # not a month: today's table, not titled with the input
    as_of = as_of or timezone.localdate()
    title = (
        f"マイナンバー紐付け点検の状況({month}月末)" if month else "マイナンバー紐付け点検の状況"
    )
    audit.record(request.user, "export.summary", None, as_of=str(as_of))
    content = exports.workbook(overview(as_of), title)
    return _download(content, XLSX, f"progress-{as_of:%Y%m%d}.xlsx")


@login_required
@require_GET
def export_csv(request: HttpRequest, what: str) -> HttpResponse:
    access.prefecture(request)
    if what not in ("snapshots", "businesses"):
        raise Http404(_("snapshots.csv か businesses.csv"))
    as_of = _day(request, "as_of") or timezone.localdate()
    audit.record(request.user, f"export.{what}", None)
    if what == "snapshots":
        content = exports.snapshots_csv()
    else:
        content = exports.businesses_csv(overview(as_of))
    return _download(content, "text/csv; charset=utf-8", f"{what}-{as_of:%Y%m%d}.csv")
