"""Reporting in: a summary.json from the engine becomes a Report; anything else is refused."""

from __future__ import annotations

import json
import uuid
from pathlib import Path

import pytest

from himoken.mynumber import random_number
from himoken.web.progress.models import Report
from himoken.web.progress.reports import ReportRefused, import_summary

pytestmark = pytest.mark.django_db


def summary(**changes: object) -> dict:
    document = {
        "schema": "himoken.summary/1",
        "organisation": {"code": "271004", "name": "大阪市"},
        "business": "障害者手帳",
        "system": "手帳台帳システム",
        "run": {
            "id": str(uuid.UUID(int=7)),
            "finished": "2026-11-27T10:15:00+09:00",
            "engine": "himoken 0.1.0",
            "register_rows": 1000,
            "record_rows": 10,
        },
        "verdicts": {"MATCH": 5, "NOTATION": 2, "EXPLAINED": 1, "REVIEW": 1, "SUSPECT": 1,
                     "INVALID": 0},
        "reasons": {"KANJI_VARIANT": 2, "MOVED": 1, "FAMILY_MEMBER": 1, "NAME_DIFF": 1},
        "warnings": {"register_duplicate_numbers": 0, "register_invalid_numbers": 0},
    }  # fmt: skip
    document.update(changes)
    return document


def upload(document: dict) -> Report:
    return import_summary(json.dumps(document, ensure_ascii=False).encode())


def test_a_report_is_stored_with_its_counts() -> None:
    report = upload(summary())
    assert report.business.organisation.name == "大阪市"
    assert report.business.name == "障害者手帳"
    assert report.record_rows == 10 and report.flagged == 2


def test_the_same_report_again_replaces_it() -> None:
    upload(summary())
    changed = summary(verdicts={"MATCH": 4, "NOTATION": 2, "EXPLAINED": 1, "REVIEW": 2,
                                "SUSPECT": 1, "INVALID": 0})  # fmt: skip
    upload(changed)
    assert Report.objects.count() == 1
    assert Report.objects.get().flagged == 3


def test_a_report_holding_a_my_number_is_refused_without_echoing_it() -> None:
    number = random_number(__import__("random").Random(3))
    with pytest.raises(ReportRefused) as refused:
        upload(summary(system=f"手帳台帳 {number}"))
    assert number not in str(refused.value)
    assert Report.objects.count() == 0


def test_a_file_that_is_not_the_aggregate_schema_is_refused(tmp_path: Path) -> None:
    with pytest.raises(ReportRefused):
        import_summary(b"\x89PNG not json")
    with pytest.raises(ReportRefused):
        upload({"schema": "himoken.summary/1"})
    assert Report.objects.count() == 0


def test_the_engines_own_summary_is_accepted(tmp_path: Path) -> None:
    """What `himoken collate` writes is what this site takes."""
    from tests.collate.conftest import number, run_rows

    person = {"個人番号": number(1), "氏名": "山田　太郎", "生年月日": "1980-04-01", "性別": "1",
              "住所": "大阪府大阪市北区扇町二丁目1番1号"}  # fmt: skip
    record = {"レコード番号": "R1", **{k: v for k, v in person.items() if k != "性別"}}
    run = run_rows(tmp_path, [person], [record])
    report = import_summary((run.out / "summary.json").read_bytes())
    assert report.verdicts["MATCH"] == 1
