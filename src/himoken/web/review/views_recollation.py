"""Pages of scheduled re-collation: the 事務 and their schedules, and per 事務 the history of
re-collations (table and chart), the schedule (supervisors edit it, the others read it) and,
for those who review, the records each re-collation newly flagged or found resolved. Auditors
see the counts only."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django import forms
from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET, require_http_methods

from himoken.collate.profiles import shipped_profiles
from himoken.web.audit import log as audit
from himoken.web.review import access, charts
from himoken.web.review.models import Recollation, RecollationSchedule

CASES_SHOWN = 100


class ScheduleForm(forms.ModelForm):
    """The files are named relative to the import folder (or absolute under it), as imports
    are: the form must not become a way to collate any file the server can read."""

    profile = forms.ChoiceField(label=gettext_lazy("プロファイル"), required=False)

    class Meta:
        model = RecollationSchedule
        fields = ["register", "records", "profile", "frequency", "next_due", "active"]
        widgets = {
            "register": forms.TextInput(attrs={"size": 60}),
            "records": forms.TextInput(attrs={"size": 60}),
            "next_due": forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
        }

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["profile"].choices = [("", _("標準(仕様どおりの列名)"))] + [
            (name, name) for name in shipped_profiles()
        ]

    def _under_root(self, field: str) -> str:
        root = Path(settings.REVIEW_IMPORT_ROOT).resolve()
        path = (root / self.cleaned_data[field].strip()).resolve()
        if not path.is_relative_to(root):
            raise forms.ValidationError(
                _("指定できるのは %(root)s の下のファイルだけ") % {"root": root}
            )
        return str(path)

    def clean_register(self) -> str:
        return self._under_root("register")

    def clean_records(self) -> str:
        return self._under_root("records")

    def clean(self) -> dict[str, Any]:
        data = super().clean()
        manual = data.get("frequency") == RecollationSchedule.Frequency.MANUAL
        if not manual and not data.get("next_due"):
            self.add_error("next_due", _("毎月・毎週の再照合には次回予定日が必要"))
        return data


@login_required
@require_GET
def recollations(request: HttpRequest) -> HttpResponse:
    """The user's 事務 with their schedules and latest re-collation."""
    role = access.role_of(request)
    schedules = {
        s.business_id: s for s in RecollationSchedule.objects.filter(
            business__in=access.businesses(role))
    }  # fmt: skip
    latest: dict[int, Recollation] = {}
    for recollation in Recollation.objects.filter(schedule__in=schedules.values()):
        latest.setdefault(recollation.schedule_id, recollation)  # newest first (Meta.ordering)
    rows = [
        (business, schedules.get(business.pk),
         latest.get(schedules[business.pk].pk) if business.pk in schedules else None)
        for business in access.businesses(role)
    ]  # fmt: skip
    return render(request, "review/recollations.html", {"role": role, "rows": rows})


@login_required
@require_http_methods(["GET", "POST"])
def recollation(request: HttpRequest, business: int) -> HttpResponse:
    """One 事務's re-collations and schedule; POST saves the schedule (supervisors)."""
    role = access.role_of(request)
    chosen = get_object_or_404(access.businesses(role).select_related("organisation"), pk=business)
    schedule = RecollationSchedule.objects.filter(business=chosen).first()
    form, status = None, 200
    if request.method == "POST":
        if not role.approves:
            raise PermissionDenied(_("再照合の設定を変えられるのは承認者だけ"))
        form = ScheduleForm(request.POST, instance=schedule or RecollationSchedule(business=chosen))
        if form.is_valid():
            saved = form.save(commit=False)
            saved.updated_by = request.user
            saved.save()
            audit.record(request.user, "recollation_schedule.save", saved,
                         changed=form.changed_data)  # fmt: skip
            messages.success(request, _("再照合の設定を保存しました。"))
            return redirect("review:recollation", business=chosen.pk)
        status = 400
    elif role.approves:
        form = ScheduleForm(instance=schedule)
    history = list(schedule.recollations.select_related("run")) if schedule else []
    finished = [r for r in reversed(history) if r.status == Recollation.Status.FINISHED]
    context = {
        "role": role,
        "business": chosen,
        "schedule": schedule,
        "form": form,
        "history": history,
        "chart": _chart(finished),
        "files": _files(schedule),
    }
    if role.reviews and finished:
        context |= _cases(request, role, finished, request.GET.get("shown", ""))
    return render(request, "review/recollation.html", context, status=status)


def _chart(finished: list[Recollation]) -> str:
    def points(field: str) -> list[tuple[Any, int]]:
        return [(timezone.localtime(r.started), getattr(r, field)) for r in finished]

    return charts.lines(
        [
            charts.Series("flagged", _("要確認"), "#1f3a5f", points("flagged")),
            charts.Series("new", _("新たに要確認"), "#c00", points("new")),
            charts.Series("resolved", _("解消"), "#2a7d2a", points("resolved")),
            charts.Series(
                "still_flagged", _("引き続き要確認"), "#999", points("still_flagged"), dashed=True
            ),
        ],
        _("再照合の推移"),
    )


def _files(schedule: RecollationSchedule | None) -> list[tuple[str, str, bool]]:
    if schedule is None:
        return []
    return [
        (_("住民記録ファイル"), schedule.register, Path(schedule.register).is_file()),
        (_("事務データファイル"), schedule.records, Path(schedule.records).is_file()),
    ]


def _cases(
    request: HttpRequest, role: Any, finished: list[Recollation], wanted: str
) -> dict[str, Any]:
    """The records one re-collation newly flagged and the cases it found resolved (the newest
    re-collation unless another is asked for); viewing them is logged, as the worklist is."""
    shown = next((r for r in finished if str(r.pk) == wanted), finished[-1])
    mine = access.cases(role).select_related("assignee")
    new = mine.filter(first_run_id=shown.run_id) if shown.run_id else mine.none()
    resolved = mine.filter(resolved_in=shown)
    context = {
        "shown": shown,
        "new_cases": list(new.order_by("-risk", "ordinal")[:CASES_SHOWN]),
        "resolved_cases": list(resolved.order_by("-risk", "ordinal")[:CASES_SHOWN]),
        "cases_shown": CASES_SHOWN,
    }
    audit.record(request.user, "recollation.view", shown,
                 shown=len(context["new_cases"]) + len(context["resolved_cases"]))  # fmt: skip
    return context
