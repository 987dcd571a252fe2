"""Forms of the review site."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django import forms
from django.conf import settings
from django.utils.translation import gettext_lazy as _

from himoken.collate.profiles import shipped_profiles
from himoken.web.review.models import Business, Case, Cause, Checklist, Contact, Decision, Role

DATE = forms.DateInput(attrs={"type": "date"})


class VersionedForm(forms.Form):
    """Carries the case version the page was loaded with (see decisions._bump)."""

    version = forms.IntegerField(widget=forms.HiddenInput)


class ContactForm(forms.ModelForm):
    version = forms.IntegerField(widget=forms.HiddenInput)

    class Meta:
        model = Contact
        fields = ["method", "on", "result", "note"]
        widgets = {"on": DATE, "note": forms.Textarea(attrs={"rows": 2})}


class DecisionForm(VersionedForm):
    NUMBER_SOURCES = [("candidate", _("候補の番号")), ("typed", _("入力した番号"))]

    action = forms.ChoiceField(label=_("判断"), choices=Decision.Action.choices)
    cause = forms.ChoiceField(
        label=_("誤りの原因"), choices=[("", "―"), *Cause.choices], required=False
    )
    number_source = forms.ChoiceField(
        label=_("訂正後の番号"), choices=NUMBER_SOURCES, required=False, initial="candidate"
    )
    new_number = forms.CharField(label=_("個人番号(入力)"), max_length=20, required=False)
    differences_confirmed = forms.BooleanField(
        label=_("住民記録との差異を確認したうえで訂正する"), required=False
    )
    comment = forms.CharField(
        label=_("コメント"), widget=forms.Textarea(attrs={"rows": 2}), required=False
    )

    def __init__(self, *args: Any, case: Case, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.case = case
        if not case.candidate_number:
            self.fields["number_source"].choices = self.NUMBER_SOURCES[1:]
            self.fields["number_source"].initial = "typed"

    def proposed_number(self) -> str:
        data = self.cleaned_data
        if data.get("number_source") == "candidate" and self.case.candidate_number:
            return self.case.candidate_number
        return data.get("new_number", "")


class ApprovalForm(VersionedForm):
    approved = forms.TypedChoiceField(
        label=_("承認"),
        choices=[("1", _("承認する")), ("0", _("差し戻す"))],
        coerce=lambda v: v == "1",
    )
    comment = forms.CharField(
        label=_("コメント"), widget=forms.Textarea(attrs={"rows": 2}), required=False
    )


class CommentForm(forms.Form):
    text = forms.CharField(label=_("コメント"), widget=forms.Textarea(attrs={"rows": 2}))


class ChecklistForm(forms.ModelForm):
    class Meta:
        model = Checklist
        exclude = ["case"]
        widgets = {
            name: DATE
            for name in (
                "exchange_stopped",
                "portal_stopped",
                "intermediate_corrected",
                "confirmation_letter_sent",
                "apology_letter_sent",
            )
        } | {"note": forms.Textarea(attrs={"rows": 2})}


class WorklistFilter(forms.Form):
    SORTS = [
        ("-risk", _("リスクの高い順")),
        ("ordinal", _("行番号順")),
        ("verdict", _("判定順")),
        ("status", _("状態順")),
        ("business", _("事務順")),
        ("assignee__username", _("担当者順")),
        ("-updated", _("更新の新しい順")),
    ]

    business = forms.ModelChoiceField(
        label=_("事務"), queryset=Business.objects.none(), required=False
    )
    verdict = forms.ChoiceField(
        label=_("判定"),
        required=False,
        choices=[("", _("すべて")), ("SUSPECT", "SUSPECT"), ("INVALID", "INVALID"),
                 ("REVIEW", "REVIEW")],
    )  # fmt: skip
    reason = forms.CharField(label=_("理由"), required=False, max_length=40)
    status = forms.ChoiceField(
        label=_("状態"), required=False, choices=[("", _("すべて")), *Case.Status.choices]
    )
    assignee = forms.ChoiceField(label=_("担当者"), required=False)
    risk_min = forms.IntegerField(label=_("リスク下限"), required=False, min_value=0, max_value=100)
    sort = forms.ChoiceField(label=_("並び順"), choices=SORTS, required=False)
    page = forms.IntegerField(required=False, min_value=1, widget=forms.HiddenInput)

    def __init__(self, *args: Any, role: Role, clerks: list[Any], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["business"].queryset = role.businesses.all()
        self.fields["assignee"].choices = [
            ("", _("すべて")),
            ("none", _("未割当")),
            ("me", _("自分")),
        ] + [(str(u.pk), u.get_full_name() or u.username) for u in clerks]


class AssignForm(forms.Form):
    cases = forms.ModelMultipleChoiceField(queryset=Case.objects.none())
    assignee = forms.ChoiceField(label=_("割り当て先"))

    def __init__(self, *args: Any, cases: Any, clerks: list[Any], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["cases"].queryset = cases
        self.clerks = {str(u.pk): u for u in clerks}
        self.fields["assignee"].choices = [("", _("割り当てを外す"))] + [
            (pk, u.get_full_name() or u.username) for pk, u in self.clerks.items()
        ]


class RunUploadForm(forms.Form):
    business = forms.ModelChoiceField(label=_("事務"), queryset=Business.objects.none())
    register = forms.FileField(label=_("住民記録ファイル"))
    records = forms.FileField(label=_("事務データファイル"))
    profile = forms.ChoiceField(label=_("プロファイル"), required=False)

    def __init__(self, *args: Any, role: Role, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["business"].queryset = role.businesses.all()
        self.fields["profile"].choices = [("", _("標準(仕様どおりの列名)"))] + [
            (name, name) for name in shipped_profiles()
        ]


class RunImportForm(forms.Form):
    business = forms.ModelChoiceField(label=_("事務"), queryset=Business.objects.none())
    folder = forms.CharField(label=_("照合結果のフォルダ(OUT_DIR)"), max_length=500)

    def __init__(self, *args: Any, role: Role, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["business"].queryset = role.businesses.all()

    def clean_folder(self) -> Path:
        """Only folders under the configured import root: the form must not become a way to
        read any file the server can."""
        root = Path(settings.REVIEW_IMPORT_ROOT).resolve()
        folder = (root / self.cleaned_data["folder"]).resolve()
        if not folder.is_relative_to(root):
            raise forms.ValidationError(
                _("取込できるのは %(root)s の下のフォルダだけ") % {"root": root}
            )
        if not folder.is_dir():
            raise forms.ValidationError(_("%(folder)s: フォルダがない") % {"folder": folder})
        return folder


class LetterTemplateForm(forms.Form):
    title = forms.CharField(label=_("表題"), max_length=200)
    body = forms.CharField(label=_("本文"), widget=forms.Textarea(attrs={"rows": 16}))
    contact = forms.CharField(label=_("問い合わせ先"), max_length=300, required=False)
