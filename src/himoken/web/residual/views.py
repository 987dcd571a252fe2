"""Pages of the residual-risk estimate: who may do what follows the review app (access): the
estimate (counts only) for every role of the organisation, the sample's rows (record numbers)
for handlers and supervisors of the 事務, the draw for supervisors. Views of rows are logged."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.db.models import Count, Q
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET, require_POST

from himoken.prevention.residual import format_percent
from himoken.web.audit import log as audit
from himoken.web.residual import charts, samples
from himoken.web.residual.figures import DEFAULT_CONFIDENCE, figures
from himoken.web.residual.forms import DrawForm, EstimateForm, MarkForm, UploadForm
from himoken.web.residual.models import Sample, SampleRow
from himoken.web.review import access
from himoken.web.review.models import Role, Run

PAGE_SIZE = 100
CONFLICT = gettext_lazy(
    "他の職員がこの記録の確認結果を先に更新しました。最新の内容を確認し、もう一度入力してください。"
)


@login_required
@require_GET
def index(request: HttpRequest) -> HttpResponse:
    """The runs of the user's 事務 with their sample's progress."""
    role = access.role_of(request)
    runs = list(
        access.runs(role)
        .filter(status__in=(Run.Status.FINISHED, Run.Status.PURGED))
        .select_related("audit_sample")[:100]
    )
    progress = {
        sample: (audited, errors)
        for sample, audited, errors in SampleRow.objects.filter(sample__run__in=runs)
        .values_list("sample")
        .annotate(audited=Count("pk", filter=~Q(result="")),
                  errors=Count("pk", filter=Q(result=SampleRow.Result.WRONG)))
        .order_by()
    }  # fmt: skip
    rows = []
    for run in runs:
        sample = getattr(run, "audit_sample", None)
        audited, errors = progress.get(sample.pk, (0, 0)) if sample else (0, 0)
        rows.append({"run": run, "sample": sample, "audited": audited, "errors": errors,
                     "population": samples.auto_cleared(run)})  # fmt: skip
    return render(request, "residual/index.html", {"role": role, "rows": rows})


def _estimate_page(request: HttpRequest, role: Role, run: Run, *, draw_form: DrawForm | None = None,
                   status: int = 200) -> HttpResponse:  # fmt: skip
    query = request.GET.copy()
    if query and not query.get("confidence"):  # asked for another population only
        query["confidence"] = f"{DEFAULT_CONFIDENCE:.2f}"
    form = EstimateForm(query or None)
    valid = form.is_valid()
    data = form.cleaned_data if valid else {}
    confidence = data.get("confidence") or DEFAULT_CONFIDENCE
    found = figures(run, confidence, data.get("population"))
    estimate = found.estimate
    level = f"{round(confidence * 100, 6):g}%"
    chart = ""
    if estimate.audited and estimate.at_most is not None:
        chart = charts.residue_bars(estimate.at_most, found.open_flagged, estimate.population or 0,
                                    level)  # fmt: skip
    refusal = samples.why_not_drawable(run) if found.sample is None else None
    context = {
        "role": role,
        "run": run,
        "form": form,
        "figures": found,
        "result": found.result,
        "level": level,
        "point_percent": (
            format_percent(estimate.point_rate) if estimate.point_rate is not None else None
        ),
        "other": found.other.as_dict() if found.other else None,
        "plan": found.plan.as_dict(),
        "chart": chart,
        "refusal": refusal,
        "draw_form": (draw_form or DrawForm()) if role.approves and not refusal else None,
        "may_mark": role.reviews and found.sample is not None,
    }
    return render(request, "residual/estimate.html", context, status=status)


@login_required
@require_GET
def estimate(request: HttpRequest, pk: int) -> HttpResponse:
    """The estimate for one run: counts only, for every role that sees the run."""
    role = access.role_of(request)
    run = access.run_for(role, pk)
    return _estimate_page(request, role, run)


@login_required
@require_POST
def draw(request: HttpRequest, pk: int) -> HttpResponse:
    role = access.supervisor(request)
    run = access.run_for(role, pk)
    form = DrawForm(request.POST)
    if not form.is_valid():
        return _estimate_page(request, role, run, draw_form=form, status=400)
    try:
        sample = samples.draw(run, form.cleaned_data["size"], form.cleaned_data["seed"],
                              request.user)  # fmt: skip
    except samples.CannotDraw as refusal:
        messages.error(request, str(refusal))
        return redirect("residual:estimate", pk=run.pk)
    messages.success(
        request,
        _("%(size)s件を抽出しました(シード %(seed)s)。") % {"size": f"{sample.size:,}",
                                                           "seed": sample.seed},
    )  # fmt: skip
    return redirect("residual:sample", pk=run.pk)


def _sample_of(role: Role, pk: int) -> tuple[Run, Sample]:
    run = access.run_for(role, pk)
    sample = Sample.objects.filter(run=run).select_related("drawn_by").first()
    if sample is None:
        raise Http404(_("この照合の標本はまだ抽出されていません"))
    return run, sample


def _sample_page(request: HttpRequest, role: Role, run: Run, sample: Sample, page: int, *,
                 forms: dict[int, MarkForm] | None = None, upload_form: UploadForm | None = None,
                 conflict: str = "", status: int = 200) -> HttpResponse:  # fmt: skip
    last_page = max((sample.size + PAGE_SIZE - 1) // PAGE_SIZE, 1)
    page = min(max(page, 1), last_page)
    shown = list(
        sample.rows.filter(order__gt=(page - 1) * PAGE_SIZE, order__lte=page * PAGE_SIZE)
        .select_related("checked_by")
        .order_by("order")
    )
    forms = forms or {}
    rows = [
        (row, forms.get(row.pk) or MarkForm(initial={"result": row.result, "note": row.note,
                                                      "was": row.result}, auto_id=False))
        for row in shown
    ]  # fmt: skip
    audit.record(request.user, "residual.sample.view", run, page=page, shown=len(shown))
    next_unmarked = sample.rows.filter(result="").order_by("order").values_list("order", flat=True)
    first_unmarked = next_unmarked.first()
    context = {
        "role": role,
        "run": run,
        "sample": sample,
        "counts": samples.counts(sample),
        "rows": rows,
        "page": page,
        "pages": range(1, last_page + 1),
        "last_page": last_page,
        "first_unmarked": first_unmarked,
        "first_unmarked_page": (first_unmarked - 1) // PAGE_SIZE + 1 if first_unmarked else None,
        "upload_form": upload_form or UploadForm(),
        "conflict": conflict,
        "purged": run.status == Run.Status.PURGED,
    }
    return render(request, "residual/sample.html", context, status=status)


def _page_number(request: HttpRequest) -> int:
    try:
        return int(request.GET.get("page", "1"))
    except ValueError:
        return 1


@login_required
@require_GET
def sample(request: HttpRequest, pk: int) -> HttpResponse:
    """The sampled records in draw order, each with its own form: record numbers, so only for
    handlers and supervisors of the 事務, and every view is logged."""
    role = access.reviewer(request)
    run, drawn = _sample_of(role, pk)
    return _sample_page(request, role, run, drawn, _page_number(request))


@login_required
@require_POST
def mark(request: HttpRequest, pk: int) -> HttpResponse:
    """Save one row's finding (正 or 誤, or back to not checked) at once."""
    role = access.reviewer(request)
    row = get_object_or_404(
        SampleRow.objects.filter(sample__run__in=access.runs(role)).select_related("sample__run"),
        pk=pk,
    )
    run, drawn = row.sample.run, row.sample
    page = (row.order - 1) // PAGE_SIZE + 1
    form = MarkForm(request.POST, auto_id=False)
    if not form.is_valid():
        return _sample_page(request, role, run, drawn, page, forms={row.pk: form}, status=400)
    data = form.cleaned_data
    try:
        samples.mark(row, request.user, data["result"], data["note"], data["was"])
    except samples.Conflict:
        return _sample_page(request, role, run, drawn, page, conflict=CONFLICT, status=409)
    url = reverse("residual:sample", kwargs={"pk": run.pk})
    return redirect(f"{url}?page={page}#row-{row.order}")


@login_required
@require_GET
def sample_csv(request: HttpRequest, pk: int) -> HttpResponse:
    """The sample as a CSV (the columns of `himoken risk sample`), marks so far filled in."""
    role = access.reviewer(request)
    run, drawn = _sample_of(role, pk)
    audit.record(request.user, "residual.sample.export", run, rows=drawn.size)
    stamp = timezone.localtime().strftime("%Y%m%d")
    response = HttpResponse(samples.sample_csv(drawn), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="audit-sample-{run.pk}-{stamp}.csv"'
    return response


@login_required
@require_POST
def sample_upload(request: HttpRequest, pk: int) -> HttpResponse:
    role = access.reviewer(request)
    run, drawn = _sample_of(role, pk)
    form = UploadForm(request.POST, request.FILES)
    if form.is_valid():
        try:
            applied = samples.apply_upload(drawn, form.cleaned_data["file"].read(), request.user)
        except samples.UploadError as error:
            form.add_error("file", str(error))
        else:
            _report_upload(request, applied)
            return redirect("residual:sample", pk=run.pk)
    return _sample_page(request, role, run, drawn, 1, upload_form=form, status=400)


def _report_upload(request: HttpRequest, applied: Any) -> None:
    messages.success(
        request,
        _("%(marked)d件の確認結果を取り込みました(同じ結果で入力済み: %(unchanged)d件)。")
        % {"marked": applied.marked, "unchanged": applied.unchanged},
    )
    if applied.conflicts:
        shown = ", ".join(str(order) for order in applied.conflicts[:20])
        more = "…" if len(applied.conflicts) > 20 else ""
        messages.error(
            request,
            _("画面で別の確認結果が入力済みのため取り込まなかった記録(抽出順): %(orders)s")
            % {"orders": shown + more},
        )
