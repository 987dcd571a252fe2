"""The clerks' page: check a number before saving it, see recent checks, ask a supervisor to
override a stop (four eyes). Every check and override is in the audit log."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from himoken.web.audit import log as audit
from himoken.web.entry import checks
from himoken.web.entry.forms import EntryCheckForm, OverrideRequestForm
from himoken.web.entry.models import EntryCheck
from himoken.web.review import access
from himoken.web.review.models import Role

RECENT = 50


@login_required
def check(request: HttpRequest) -> HttpResponse:
    role = access.reviewer(request)  # typing a person's data in: handlers and supervisors
    form = EntryCheckForm(request.POST or None)
    row = result = None
    if request.method == "POST" and form.is_valid():
        record = form.record(request.user.get_username())
        try:
            ((row, result),) = checks.check_records(role.organisation, [record], user=request.user)
        except checks.Unavailable as error:
            form.add_error(None, str(error))
        else:
            audit.record(request.user, "entry.check", row, decision=row.decision)
            form = EntryCheckForm()
    mine = EntryCheck.objects.filter(organisation=role.organisation)
    context = {
        "role": role,
        "form": form,
        "row": row,
        "result": result.as_dict(show_numbers=False) if result else None,
        "recent": mine[:RECENT],
        "waiting": mine.filter(override=EntryCheck.Override.REQUESTED) if role.approves else [],
    }
    return render(request, "entry/check.html", context)


def _row(role: Role, pk: object) -> EntryCheck:
    return get_object_or_404(EntryCheck, pk=pk, organisation=role.organisation)


@login_required
def detail(request: HttpRequest, pk: object) -> HttpResponse:
    role = access.reviewer(request)
    row = _row(role, pk)
    audit.record(request.user, "entry.view", row)
    context = {"role": role, "row": row, "form": OverrideRequestForm()}
    return render(request, "entry/detail.html", context)


@login_required
@require_POST
def request_override(request: HttpRequest, pk: object) -> HttpResponse:
    row = _row(access.reviewer(request), pk)
    form = OverrideRequestForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("解除の理由を書いてください。"))
    else:
        try:
            checks.request_override(row, request.user, form.cleaned_data["reason"])
        except checks.OverrideError as error:
            messages.error(request, str(error))
        else:
            messages.success(request, _("承認者に解除を申請しました。"))
    return redirect("entry:detail", pk=row.pk)


@login_required
@require_POST
def decide_override(request: HttpRequest, pk: object) -> HttpResponse:
    row = _row(access.supervisor(request), pk)
    try:
        checks.decide_override(row, request.user, request.POST.get("approve") == "1")
    except checks.OverrideError as error:
        messages.error(request, str(error))
    else:
        messages.success(request, _("解除の申請を処理しました。"))
    return redirect("entry:detail", pk=row.pk)
