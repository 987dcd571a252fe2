"""Forms of the residual-risk pages."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from himoken.web.residual.figures import CONFIDENCES, DEFAULT_CONFIDENCE
from himoken.web.residual.models import SampleRow
from himoken.web.residual.samples import MAX_SEED, MAX_SIZE

MAX_POPULATION = 10**10
MAX_UPLOAD = 20 * 1024 * 1024


class EstimateForm(forms.Form):
    confidence = forms.TypedChoiceField(
        label=_("信頼度"),
        choices=[(f"{c:.2f}", f"{c:.0%}") for c in CONFIDENCES],
        coerce=float,
        initial=f"{DEFAULT_CONFIDENCE:.2f}",
        required=False,
        empty_value=DEFAULT_CONFIDENCE,
    )
    population = forms.IntegerField(
        label=_("ほかの母数(任意)"),
        min_value=1,
        max_value=MAX_POPULATION,
        required=False,
        help_text=_("同じような記録がほかに何件あるとき、そのうち多くとも何件が誤りかを示します。"),
    )


class DrawForm(forms.Form):
    size = forms.IntegerField(
        label=_("抽出する件数"),
        min_value=1,
        max_value=MAX_SIZE,
        help_text=_(
            "例: 3,000件を確認して誤りが1件もなければ、誤った紐付けの割合は信頼度95%で多くとも"
            "0.1%と言えます。"
        ),
    )
    seed = forms.IntegerField(
        label=_("シード(任意)"),
        min_value=0,
        max_value=MAX_SEED,
        required=False,
        help_text=_("空欄なら himoken が選びます。どちらの場合も記録し、表示します。"),
    )


RESULT_CHOICES = [("", _("未確認")), *SampleRow.Result.choices]


class MarkForm(forms.Form):
    result = forms.ChoiceField(
        label=_("確認結果"), choices=RESULT_CHOICES, required=False, widget=forms.RadioSelect
    )
    note = forms.CharField(label=_("備考"), max_length=500, required=False)
    was = forms.ChoiceField(choices=RESULT_CHOICES, required=False, widget=forms.HiddenInput)


class UploadForm(forms.Form):
    file = forms.FileField(label=_("確認結果を書き込んだ標本CSV"))

    def clean_file(self) -> object:
        upload = self.cleaned_data["file"]
        if upload.size > MAX_UPLOAD:
            raise forms.ValidationError(_("ファイルが大きすぎます(20MBまで)。"))
        return upload
