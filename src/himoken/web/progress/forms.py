"""Reporting in by upload: the form takes a summary.json and refuses anything else."""

from __future__ import annotations

from django import forms

from himoken.web.progress.models import Report, Role
from himoken.web.progress.reports import ReportRefused, import_summary

MAX_REPORT_BYTES = 1 << 20  # an aggregate report is a few kilobytes


class ReportUploadForm(forms.Form):
    file = forms.FileField(label="集計報告 (summary.json)")

    def __init__(self, *args: object, role: Role, **kwargs: object) -> None:
        super().__init__(*args, **kwargs)  # type: ignore[arg-type]
        self.role = role

    def clean_file(self) -> Report:
        upload = self.cleaned_data["file"]
        if upload.size > MAX_REPORT_BYTES:
            raise forms.ValidationError("集計報告として大きすぎる(1 MB まで)")
        try:
            return import_summary(upload.read(), self.role)
        except ReportRefused as refused:
            raise forms.ValidationError(refused.problems) from refused
