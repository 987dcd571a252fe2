"""Forms of the progress site. Every free-text field is screened for My Numbers (the models'
validators); counts are bounded integers."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from himoken.mynumber import looks_like_number
from himoken.web.progress.models import (
    Business,
    Cause,
    Consultation,
    Deadline,
    Report,
    Role,
    Snapshot,
    StageProgress,
    StateRequest,
)
from himoken.web.progress.reports import ReportRefused, import_summary
from himoken.web.progress.validators import MY_NUMBER_REFUSED, no_my_number

MAX_REPORT_BYTES = 1 << 20  # an aggregate report is a few kilobytes
DATE = forms.DateInput(attrs={"type": "date"})
MAX_COUNT = 10**10 - 1  # as the summary schema caps counts


class ReportUploadForm(forms.Form):
    file = forms.FileField(label=_("集計報告 (summary.json)"))

    def __init__(self, *args: Any, role: Role, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.role = role

    def clean_file(self) -> Report:
        upload = self.cleaned_data["file"]
        if upload.size > MAX_REPORT_BYTES:
            raise forms.ValidationError(_("集計報告として大きすぎる(1 MB まで)"))
        try:
            return import_summary(upload.read(), self.role)
        except ReportRefused as refused:
            # In the reader's language where the catalog has them (reports.py marks its own);
            # the schema's messages, which name places in the document, are Japanese only.
            problems = [gettext(problem) for problem in refused.problems]
            raise forms.ValidationError(problems) from refused


class ScreenedForm(forms.ModelForm):
    """A field whose submitted value holds a My Number is shown empty again, with a message
    that does not repeat it: neither the re-displayed form nor an error message (Django's
    invalid-choice message quotes the value) may echo the number."""

    def full_clean(self) -> None:
        super().full_clean()
        refused = [
            name
            for name in list(self.errors)
            if name in self.fields and looks_like_number(str(self.data.get(self.add_prefix(name),
                                                                           "")))
        ]  # fmt: skip
        if refused:
            self.data = self.data.copy()
            for name in refused:
                self.data[self.add_prefix(name)] = ""
                self._errors[name] = self.error_class([MY_NUMBER_REFUSED])


class CountsForm(ScreenedForm):
    """Counts entered by hand for one 事務 on one day (instead of an uploaded report)."""

    class Meta:
        model = Snapshot
        fields = ["business", "on", "target", "extracted", "collated", "flagged",
                  "confirmed_right", "wrong_found", "corrected"]  # fmt: skip
        widgets = {"on": DATE}

    def __init__(self, *args: Any, businesses: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["business"].queryset = businesses
        for name in self.Meta.fields[2:]:
            self.fields[name].min_value = 0
            self.fields[name].max_value = MAX_COUNT
            self.fields[name].widget.attrs.update(min=0, max=MAX_COUNT)
        for cause in Cause:
            self.fields[f"cause_{cause.value}"] = forms.IntegerField(
                label=gettext("原因: %(cause)s") % {"cause": cause.label},
                min_value=0,
                max_value=MAX_COUNT,
                initial=0,
            )

    def clean(self) -> dict[str, Any]:
        data = super().clean()
        numbers = [data.get(n) or 0 for n in self.Meta.fields[2:]]
        target, extracted, collated, flagged, right, wrong, corrected = numbers
        if not flagged <= collated <= extracted <= target:
            raise forms.ValidationError(
                _("要確認件数 ≤ 照合件数 ≤ 抽出件数 ≤ 対象件数 になるように入力する")
            )
        if right + wrong > flagged or corrected > wrong:
            raise forms.ValidationError(
                _("正しいと確認 + 誤りの判明 ≤ 要確認、訂正済み ≤ 誤りの判明 になるように入力する")
            )
        causes = {c.value: data.get(f"cause_{c.value}") or 0 for c in Cause}
        if sum(causes.values()) not in (0, wrong):
            raise forms.ValidationError(_("原因別の件数の合計を誤りの判明の件数に合わせる"))
        data["causes"] = causes
        # The same 事務 and day again replaces that day's counts (save): validate it as a
        # change of that snapshot, not as a second one for the day.
        existing = Snapshot.objects.filter(business=data.get("business"), on=data.get("on"))
        self.instance = existing.first() or self.instance
        return data

    def save(self, commit: bool = True) -> Snapshot:
        data = self.cleaned_data
        snapshot, _created = Snapshot.objects.update_or_create(
            business=data["business"], on=data["on"],
            defaults={name: data[name] for name in self.Meta.fields[2:]}
            | {"causes": data["causes"], "source": Snapshot.Source.FORM},
        )  # fmt: skip
        return snapshot


class StageForm(ScreenedForm):
    class Meta:
        model = StageProgress
        fields = ["planned_start", "planned_end", "actual_start", "actual_end", "responsible"]
        widgets = {name: DATE for name in fields[:4]}

    def clean_responsible(self) -> str:
        # Free text like the others, though the model field has no validator of its own.
        no_my_number(self.cleaned_data["responsible"])
        return self.cleaned_data["responsible"]


class SurveyForm(ScreenedForm):
    CHOICES = [("", _("未回答")), ("true", _("はい")), ("false", _("いいえ"))]

    class Meta:
        model = Business
        fields = ["obtained_with_id", "queried_all_four", "identified_soundly", "deadline"]
        widgets = {"deadline": DATE}

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        for name in self.Meta.fields[:3]:
            self.fields[name] = forms.NullBooleanField(
                label=self.fields[name].label, required=False,
                widget=forms.Select(choices=self.CHOICES),
            )  # fmt: skip


class ConsultationForm(ScreenedForm):
    class Meta:
        model = Consultation
        fields = ["organisation", "category", "question", "due"]
        widgets = {"due": DATE, "question": forms.Textarea(attrs={"rows": 3})}

    def __init__(self, *args: Any, organisations: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["organisation"].queryset = organisations


class AnswerForm(ScreenedForm):
    class Meta:
        model = Consultation
        fields = ["owner", "answer", "status"]
        widgets = {"answer": forms.Textarea(attrs={"rows": 3})}


class StateRequestForm(ScreenedForm):
    class Meta:
        model = StateRequest
        fields = ["kind", "text", "status"]
        widgets = {"text": forms.Textarea(attrs={"rows": 3})}


class DeadlineForm(ScreenedForm):
    class Meta:
        model = Deadline
        fields = ["business_name", "due", "set_by", "note"]
        widgets = {"due": DATE}


class AsOfForm(forms.Form):
    as_of = forms.DateField(label=_("基準日(過去の状況と比べる)"), required=False, widget=DATE)
