"""The demo prefecture: dozens of municipalities with real codes, ~20 departments, some late."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.management import call_command

from himoken.web.progress.demo import local_government_code, municipalities
from himoken.web.progress.models import Organisation, StageProgress

pytestmark = pytest.mark.django_db


def test_the_local_government_code_check_digit() -> None:
    assert local_government_code("27100") == "271004"  # 大阪市 (spec §8's example)
    assert local_government_code("13101") == "131016"  # 千代田区


def test_wards_fold_into_their_city() -> None:
    names = dict((name, code) for code, name in municipalities("大阪府"))
    assert names["大阪市"] == "271004" and "大阪市北区" not in names
    assert 40 <= len(names) <= 50  # 大阪府: 43 municipalities


def test_the_demo_is_mid_inspection_with_some_organisations_late() -> None:
    call_command("progress_demo")
    assert Organisation.objects.filter(kind="department").count() == 20
    assert Organisation.objects.filter(kind="municipality").count() >= 40
    today = dt.date.today()
    overdue = StageProgress.objects.filter(planned_end__lt=today, actual_end__isnull=True)
    finished = StageProgress.objects.filter(actual_end__isnull=False)
    assert overdue.exists() and finished.exists()
