"""Pages of the review site. Every page that shows personal data logs the view (audit)."""

from __future__ import annotations

import shutil
from collections import Counter
from typing import Any

from django.contrib import messages
from django.contrib.auth import get_user_model
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.db.models import Q, QuerySet
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.template import Context, Template
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from himoken import mynumber
from himoken.summary import SummaryError
from himoken.web.audit import log as audit
from himoken.web.audit.models import Entry
from himoken.web.review import access, decisions, exports, letters, presentation, retention, tasks
from himoken.web.review.forms import (
    ApprovalForm,
    AssignForm,
    ChecklistForm,
    CommentForm,
    ContactForm,
    DecisionForm,
    LetterTemplateForm,
    RunImportForm,
    RunUploadForm,
    WorklistFilter,
)
from himoken.web.review.imports import NotACollation, import_out_dir
from himoken.web.review.models import (
    Case,
    CaseCount,
    Checklist,
    Comment,
    Decision,
    LetterTemplate,
    Role,
    Run,
)

PAGE_SIZE = 50
CONFLICT = _(
    "他の職員がこのレコードを先に更新しました。最新の内容を確認し、もう一度入力してください。"
)


def _clerks(role: Role) -> list[Any]:
    return list(
        get_user_model()
        .objects.filter(review_role__organisation=role.organisation,
                        review_role__kind__in=(Role.Kind.HANDLER, Role.Kind.SUPERVISOR))
        .order_by("username")
    )  # fmt: skip


# --- worklist ---------------------------------------------------------------------------


@login_required
def worklist(request: HttpRequest) -> HttpResponse:
    """Flagged records of the user's 事務, filtered and sorted, with counts always visible;
    POST assigns the ticked ones."""
    role = access.reviewer(request)
    clerks = _clerks(role)
    if request.method == "POST":
        form = AssignForm(request.POST, cases=access.cases(role), clerks=clerks)
        if form.is_valid():
            assignee = form.clerks.get(form.cleaned_data["assignee"])
            count = decisions.assign(list(form.cleaned_data["cases"]), assignee, request.user)
            messages.success(request, _("%(count)d件を割り当てました。") % {"count": count})
        else:
            messages.error(request, _("割り当てるレコードと割り当て先を選んでください。"))
        return redirect(request.get_full_path())
    # The cases of access.cases(role), with the 事務 as values rather than a subquery: then
    # PostgreSQL reads a page in order from an index that starts with the 事務 (and the counts
    # from an index only) instead of sorting or scanning every case (bench/review_load.py).
    businesses = list(access.businesses(role).values_list("pk", flat=True))
    cases = Case.objects.filter(business_id__in=businesses)
    filters = WorklistFilter(request.GET or None, role=role, clerks=clerks)
    filtered = _filtered(cases, filters.cleaned_data if filters.is_valid() else {}, request)
    page = (filters.cleaned_data.get("page") if filters.is_valid() else None) or 1
    sort = (filters.cleaned_data.get("sort") if filters.is_valid() else "") or "-risk"
    rows = list(
        filtered.order_by(sort, "ordinal").values_list(*presentation.ROW_FIELDS)[
            (page - 1) * PAGE_SIZE : page * PAGE_SIZE + 1
        ]
    )
    audit.record(request.user, "worklist.view", None, page=page, shown=min(len(rows), PAGE_SIZE))
    counts = _counts(businesses)
    query = request.GET.copy()
    query.pop("page", None)
    context = {
        "role": role,
        "controls": presentation.controls(filters),
        "cases": presentation.worklist_rows(rows[:PAGE_SIZE]),
        "case_url": reverse("review:case", args=[0]).removesuffix("0/"),
        "page": page,
        "has_next": len(rows) > PAGE_SIZE,
        "query": query.urlencode(),
        "counts": counts,
        "clerks": clerks,
    }
    return render(request, "review/worklist.html", context)


def _filtered(cases: QuerySet[Case], data: dict[str, Any], request: HttpRequest) -> QuerySet:
    if data.get("business"):
        cases = cases.filter(business=data["business"])
    for field in ("verdict", "status"):
        if data.get(field):
            cases = cases.filter(**{field: data[field]})
    if data.get("reason"):
        cases = cases.filter(reasons__contains=data["reason"].upper())
    if data.get("risk_min") is not None:
        cases = cases.filter(risk__gte=data["risk_min"])
    assignee = data.get("assignee")
    if assignee == "none":
        cases = cases.filter(assignee__isnull=True)
    elif assignee == "me":
        cases = cases.filter(assignee=request.user)
    elif assignee:
        cases = cases.filter(assignee_id=int(assignee))
    return cases


def _counts(businesses: list[int]) -> dict[str, Any]:
    """Cases of these 事務 by status and verdict (kept in CaseCount, not counted per page)."""
    by_status: Counter[str] = Counter()
    by_verdict: Counter[str] = Counter()
    counted = CaseCount.objects.filter(business_id__in=businesses).values_list(
        "status", "verdict", "count"
    )
    for status, verdict, count in counted:
        by_status[status] += count
        by_verdict[verdict] += count
    return {
        "total": sum(by_status.values()),
        "statuses": [(s.value, s.label, by_status[s.value]) for s in Case.Status],
        "verdicts": [(v, by_verdict[v]) for v in ("SUSPECT", "INVALID", "REVIEW")],
    }


# --- one record ---------------------------------------------------------------------------


def _case_page(
    request: HttpRequest, role: Role, case: Case, *, revealed: bool = False, **forms: Any
) -> HttpResponse:
    checklist = Checklist.objects.filter(case=case).first() or Checklist(case=case)
    version = {"version": case.version}
    defaults = {
        "contact_form": ContactForm(initial=version | {"on": timezone.localdate()}),
        "decision_form": DecisionForm(initial=version, case=case),
        "comment_form": CommentForm(),
        "checklist_form": ChecklistForm(instance=checklist),
        "approval_form": ApprovalForm(initial=version),
    }
    pending = case.decisions.filter(approved__isnull=True).exclude(action="keep").first()

    def shown(number: str) -> str:
        return number if revealed else mynumber.mask(number) if number else ""

    context = defaults | forms | {
        "role": role,
        "case": case,
        "lines": presentation.side_by_side(case),
        "candidate_fit": presentation.candidate_fit(case),
        "linked_number": shown(case.linked_number),
        "candidate_number": shown(case.candidate_number),
        "revealed": revealed,
        "contacts": case.contacts.select_related("by"),
        "decisions": [(d, shown(d.new_number)) for d in case.decisions.select_related(
            "proposed_by", "approved_by")],
        "comments": case.comments.select_related("by"),
        "pending": pending,
        "may_approve": pending is not None and role.approves
        and pending.proposed_by_id != request.user.pk,
        "wrong": case.status in Case.WRONG,
        "letter_kinds": LetterTemplate.Kind.choices,
    }  # fmt: skip
    status = 409 if "conflict" in forms else 400 if "refusal" in forms else 200
    return render(request, "review/case.html", context, status=status)


@login_required
@require_GET
def case_detail(request: HttpRequest, pk: int) -> HttpResponse:
    role = access.reviewer(request)
    case = access.case_for(role, pk)
    audit.record(request.user, "case.view", case)
    return _case_page(request, role, case)


@login_required
@require_POST
def case_reveal(request: HttpRequest, pk: int) -> HttpResponse:
    """Show the numbers unmasked, once, and log that they were revealed."""
    role = access.reviewer(request)
    case = access.case_for(role, pk)
    audit.record(request.user, "case.reveal", case)
    return _case_page(request, role, case, revealed=True)


def _saved(request: HttpRequest, case: Case, message: str) -> HttpResponse:
    messages.success(request, message)
    return redirect("review:case", pk=case.pk)


@login_required
@require_POST
def case_contact(request: HttpRequest, pk: int) -> HttpResponse:
    role = access.reviewer(request)
    case = access.case_for(role, pk)
    form = ContactForm(request.POST)
    if not form.is_valid():
        return _case_page(request, role, case, contact_form=form)
    fields = {k: v for k, v in form.cleaned_data.items() if k != "version"}
    try:
        decisions.add_contact(case, request.user, form.cleaned_data["version"], **fields)
    except decisions.Conflict:
        case.refresh_from_db()
        return _case_page(request, role, case, contact_form=form, conflict=CONFLICT)
    return _saved(request, case, _("本人確認の記録を追加しました。"))


@login_required
@require_POST
def case_decide(request: HttpRequest, pk: int) -> HttpResponse:
    role = access.reviewer(request)
    case = access.case_for(role, pk)
    form = DecisionForm(request.POST, case=case)
    if not form.is_valid():
        return _case_page(request, role, case, decision_form=form)
    data = form.cleaned_data
    proposal = decisions.Proposal(
        action=data["action"], cause=data["cause"], comment=data["comment"],
        new_number=form.proposed_number(), differences_confirmed=data["differences_confirmed"],
    )  # fmt: skip
    try:
        decisions.propose(case, request.user, data["version"], proposal)
    except decisions.Refused as refused:
        return _case_page(request, role, case, decision_form=form, refusal=str(refused))
    except decisions.Conflict:
        case.refresh_from_db()
        return _case_page(request, role, case, decision_form=form, conflict=CONFLICT)
    if proposal.action == Decision.Action.KEEP:
        return _saved(request, case, _("正しい紐付けと確認しました。"))
    return _saved(request, case, _("判断を登録しました。承認者の承認を待っています。"))


@login_required
@require_POST
def decision_approve(request: HttpRequest, pk: int) -> HttpResponse:
    role = access.supervisor(request)
    decision = get_object_or_404(
        Decision.objects.filter(case__in=access.cases(role)).select_related("case"), pk=pk
    )
    case = decision.case
    form = ApprovalForm(request.POST)
    if not form.is_valid():
        return _case_page(request, role, case, approval_form=form)
    data = form.cleaned_data
    try:
        decisions.approve(decision, request.user, data["version"], data["approved"],
                          data["comment"])  # fmt: skip
    except decisions.Refused as refused:
        return _case_page(request, role, case, approval_form=form, refusal=str(refused))
    except decisions.Conflict:
        case.refresh_from_db()
        return _case_page(request, role, case, approval_form=form, conflict=CONFLICT)
    return _saved(request, case, _("承認しました。") if data["approved"] else _("差し戻しました。"))


@login_required
@require_POST
def case_comment(request: HttpRequest, pk: int) -> HttpResponse:
    role = access.reviewer(request)
    case = access.case_for(role, pk)
    form = CommentForm(request.POST)
    if not form.is_valid():
        return _case_page(request, role, case, comment_form=form)
    comment = Comment.objects.create(case=case, by=request.user, text=form.cleaned_data["text"])
    audit.record(request.user, "comment.add", case, comment=comment.pk)
    return _saved(request, case, _("コメントを追加しました。"))


@login_required
@require_POST
def case_checklist(request: HttpRequest, pk: int) -> HttpResponse:
    role = access.reviewer(request)
    case = access.case_for(role, pk)
    checklist = Checklist.objects.filter(case=case).first() or Checklist(case=case)
    form = ChecklistForm(request.POST, instance=checklist)
    if not form.is_valid():
        return _case_page(request, role, case, checklist_form=form)
    form.save()
    audit.record(request.user, "checklist.save", case, changed=form.changed_data)
    return _saved(request, case, _("誤り判明後の対応を記録しました。"))


@login_required
@require_GET
def case_letter(request: HttpRequest, pk: int, kind: str) -> HttpResponse:
    role = access.reviewer(request)
    case = access.case_for(role, pk)
    if kind not in LetterTemplate.Kind.values:
        raise PermissionDenied(_("文書の種類がない"))
    template = _letter_template(kind)
    checklist = Checklist.objects.filter(case=case).first()
    organisation = case.business.organisation.name
    context = Context(autoescape=False, dict_={
        "recipient": case.record.get("氏名", ""), "business": case.business.name,
        "organisation": organisation, "contact": template.contact,
        "viewed": bool(checklist and checklist.viewed == Checklist.Viewed.VIEWED),
    })  # fmt: skip
    title, body = (Template(text).render(context) for text in (template.title, template.body))
    pdf = letters.render_pdf(
        title=title, body=body, sender=organisation, recipient=case.record.get("氏名", ""),
        date=timezone.localdate(),
    )  # fmt: skip
    audit.record(request.user, "letter.print", case, kind=kind)
    response = HttpResponse(pdf, content_type="application/pdf")
    response["Content-Disposition"] = f'inline; filename="{kind}-{case.pk}.pdf"'
    return response


def _letter_template(kind: str) -> LetterTemplate:
    title, body = letters.DEFAULT_TEMPLATES[kind]
    template, _created = LetterTemplate.objects.get_or_create(
        kind=kind, defaults={"title": title, "body": body}
    )
    return template


# --- approvals, letters, audit --------------------------------------------------------------


@login_required
@require_GET
def approvals(request: HttpRequest) -> HttpResponse:
    role = access.supervisor(request)
    waiting = (
        Decision.objects.filter(case__in=access.cases(role), approved__isnull=True)
        .exclude(action=Decision.Action.KEEP)
        .select_related("case", "proposed_by")
        .order_by("proposed")
    )
    return render(request, "review/approvals.html", {"role": role, "decisions": waiting})


@login_required
def letter_template(request: HttpRequest, kind: str) -> HttpResponse:
    role = access.supervisor(request)
    if kind not in LetterTemplate.Kind.values:
        raise PermissionDenied(_("文書の種類がない"))
    template = _letter_template(kind)
    form = LetterTemplateForm(
        request.POST or None,
        initial={"title": template.title, "body": template.body, "contact": template.contact},
    )
    if request.method == "POST" and form.is_valid():
        for field, value in form.cleaned_data.items():
            setattr(template, field, value)
        template.save()
        audit.record(request.user, "letter_template.save", template)
        messages.success(request, _("ひな形を保存しました。"))
        return redirect("review:letter_template", kind=kind)
    context = {"role": role, "form": form, "template": template}
    return render(request, "review/letter_template.html", context)


@login_required
@require_GET
def audit_log(request: HttpRequest) -> HttpResponse:
    """The audit log, for auditors and supervisors: who did what to which object, when; the
    details carry no personal data."""
    role = access.role_of(request)
    if role.kind == Role.Kind.HANDLER:
        raise PermissionDenied(_("監査ログは監査担当と承認者が見る"))
    entries = Entry.objects.filter(
        Q(user__review_role__organisation=role.organisation) | Q(user__isnull=True)
    ).order_by("-sequence")[:200]
    audit.record(request.user, "audit.view", None)
    return render(request, "review/audit.html", {"role": role, "entries": entries})


# --- runs -----------------------------------------------------------------------------------


@login_required
@require_GET
def runs(request: HttpRequest) -> HttpResponse:
    role = access.role_of(request)
    context = {
        "role": role,
        "runs": access.runs(role)[:100],
        "upload_form": RunUploadForm(role=role) if role.approves else None,
        "import_form": RunImportForm(role=role) if role.approves else None,
    }
    return render(request, "review/runs.html", context)


@login_required
@require_POST
def run_start(request: HttpRequest) -> HttpResponse:
    """Save the uploaded files and start their collation in the background."""
    role = access.supervisor(request)
    form = RunUploadForm(request.POST, request.FILES, role=role)
    if not form.is_valid():
        return render(request, "review/runs.html",
                      {"role": role, "runs": access.runs(role)[:100], "upload_form": form,
                       "import_form": RunImportForm(role=role)}, status=400)  # fmt: skip
    data = form.cleaned_data
    run = Run.objects.create(business=data["business"], source=Run.Source.UPLOAD,
                             profile=data["profile"], created_by=request.user)  # fmt: skip
    folder = tasks.run_directory(run) / "input"
    folder.mkdir(parents=True, exist_ok=True)
    for name in ("register", "records"):
        upload = data[name]
        suffix = "".join(c for c in _suffix(upload.name) if c.isalnum() or c == ".")
        with open(folder / f"{name}{suffix}", "wb") as target:
            shutil.copyfileobj(upload, target)
    Run.objects.filter(pk=run.pk).update(directory=str(tasks.run_directory(run) / "out"))
    audit.record(request.user, "run.start", run)
    tasks.start(run)
    return redirect("review:run", pk=run.pk)


def _suffix(name: str) -> str:
    dot = name.rfind(".")
    return name[dot:].lower()[:8] if dot > 0 else ".csv"


@login_required
@require_POST
def run_import(request: HttpRequest) -> HttpResponse:
    role = access.supervisor(request)
    form = RunImportForm(request.POST, role=role)
    if form.is_valid():
        try:
            run, new = import_out_dir(form.cleaned_data["folder"], form.cleaned_data["business"],
                                      request.user)  # fmt: skip
        except NotACollation as error:
            form.add_error("folder", str(error))
        else:
            audit.record(request.user, "run.import" if new else "run.reimport", run)
            messages.success(request, _("取り込みました。") if new else
                             _("この照合は取込済みです(重複して取り込んでいません)。"))  # fmt: skip
            return redirect("review:run", pk=run.pk)
    return render(request, "review/runs.html",
                  {"role": role, "runs": access.runs(role)[:100], "import_form": form,
                   "upload_form": RunUploadForm(role=role)}, status=400)  # fmt: skip


@login_required
@require_GET
def run_detail(request: HttpRequest, pk: int) -> HttpResponse:
    role = access.role_of(request)
    run = access.run_for(role, pk)
    review, causes = exports.review_counts(run)
    context = {"role": role, "run": run, "review": review, "causes": causes}
    return render(request, "review/run.html", context)


@login_required
@require_GET
def run_progress(request: HttpRequest, pk: int) -> JsonResponse:
    role = access.role_of(request)
    run = access.run_for(role, pk)
    return JsonResponse({
        "status": run.status, "status_label": run.get_status_display(), "stage": run.stage,
        "done": run.done, "total": run.total, "percent": run.percent, "message": run.message,
    })  # fmt: skip


@login_required
@require_GET
def run_corrections(request: HttpRequest, pk: int, fmt: str) -> HttpResponse:
    """The corrections file for the business system: approved corrections and deletions."""
    role = access.supervisor(request)
    run = access.run_for(role, pk)
    audit.record(request.user, "export.corrections", run, format=fmt)
    stamp = timezone.localtime().strftime("%Y%m%d")
    if fmt == "xlsx":
        content = exports.corrections_xlsx(run)
        kind = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    else:
        content, kind = exports.corrections_csv(run), "text/csv; charset=utf-8"
    response = HttpResponse(content, content_type=kind)
    response["Content-Disposition"] = f'attachment; filename="corrections-{run.pk}-{stamp}.{fmt}"'
    return response


@login_required
@require_GET
def run_summary(request: HttpRequest, pk: int) -> HttpResponse:
    """summary.json with the review filled: counts only, for the progress site."""
    role = access.role_of(request)
    run = access.run_for(role, pk)
    if not run.summary:
        raise PermissionDenied(_("この照合は終わっていない"))
    try:
        document = exports.summary(run)
    except SummaryError as error:  # e.g. its cases moved on to a later re-collation
        return HttpResponse(str(error), status=409, content_type="text/plain; charset=utf-8")
    audit.record(request.user, "export.summary", run)
    response = JsonResponse(document, json_dumps_params={"ensure_ascii": False, "indent": 2})
    response["Content-Disposition"] = f'attachment; filename="summary-{run.pk}.json"'
    return response


@login_required
@require_POST
def run_purge(request: HttpRequest, pk: int) -> HttpResponse:
    role = access.supervisor(request)
    run = access.run_for(role, pk)
    try:
        retention.purge(run, request.user, "担当者による消去")
    except retention.NotFinished as error:
        messages.error(request, str(error))
    else:
        messages.success(request, _("この照合の個人情報を消去しました。"))
    return redirect("review:run", pk=run.pk)
