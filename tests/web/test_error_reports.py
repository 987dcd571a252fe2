"""Error reports (mailed or logged by Django) never carry request data or local variables:
a My Number typed into a form must not reach a log through a crash."""

from __future__ import annotations

import sys

from django.test import RequestFactory
from django.views.debug import ExceptionReporter

from himoken.mynumber import with_check_digit


def test_a_crash_report_holds_no_posted_number_and_no_local_variables() -> None:
    number = with_check_digit("73100000001")
    request = RequestFactory().post("/cases/1/decisions/", {"new_number": number})
    try:
        typed = request.POST["new_number"]  # noqa: F841 - a local the report must not show
        raise RuntimeError("boom")
    except RuntimeError:
        reporter = ExceptionReporter(request, *sys.exc_info())
        text, html = reporter.get_traceback_text(), reporter.get_traceback_html()
    assert "boom" in text
    assert number not in text and number not in html
