from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from himoken.prevention.entry import request_record

METHODS = ["", "申請書記載", "住基ネット照会(4情報)", "住基ネット照会(一部情報)", "住基連携",
           "手入力", "窓口端末"]  # fmt: skip


class EntryCheckForm(forms.Form):
    """A clerk's check: the person as the business system is about to save them."""

    number = forms.CharField(label=_("個人番号"), max_length=40)
    name = forms.CharField(label=_("氏名"), max_length=200)
    reading = forms.CharField(label=_("氏名フリガナ"), max_length=200, required=False)
    birth_date = forms.CharField(label=_("生年月日"), max_length=40)
    sex = forms.ChoiceField(
        label=_("性別"), required=False, choices=[("", "―"), ("1", _("男")), ("2", _("女"))]
    )
    address = forms.CharField(label=_("住所"), max_length=300, required=False)
    method = forms.ChoiceField(
        label=_("紐付け方法"), required=False, choices=[(m, m or "―") for m in METHODS]
    )

    def record(self, username: str) -> dict[str, str]:
        """The record checked; the clerk's browser counts as their terminal (CARRY_OVER)."""
        return request_record(
            {**self.cleaned_data, "operator": username, "terminal": f"web:{username}"}
        )


class OverrideRequestForm(forms.Form):
    reason = forms.CharField(label=_("解除の理由"), widget=forms.Textarea(attrs={"rows": 3}))
