"""A finished collation comes into the review once: one case per flagged record, with the
record beside its register entry; importing it again adds nothing."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pyarrow.parquet as pq
import pytest

from himoken.web.review.imports import NotACollation, import_out_dir
from himoken.web.review.models import Case, Run
from tests.web.conftest import Site

pytestmark = [pytest.mark.django_db, pytest.mark.urls("himoken.web.urls_review")]


def test_every_flagged_record_becomes_one_case(run: Run, collated: Path) -> None:
    flagged = pq.read_table(collated / "out" / "flagged.parquet").to_pylist()
    cases = {c.ordinal: c for c in run.cases.all()}
    assert len(cases) == len(flagged) == run.summary["verdicts"]["REVIEW"] + run.summary[
        "verdicts"]["SUSPECT"] + run.summary["verdicts"]["INVALID"]  # fmt: skip
    for row in flagged:
        case = cases[row["ordinal"]]
        assert (case.record_id, case.verdict, case.risk) == (row["レコード番号"], row["判定"],
                                                             row["リスク"])  # fmt: skip
        assert case.record["氏名"] == row["r_氏名"]
        assert case.linked_number == row["linked"]
        assert case.status == Case.Status.OPEN
    assert run.status == Run.Status.FINISHED and run.business.name == "公金受取口座"


def test_importing_the_same_run_again_adds_nothing(run: Run, site: Site) -> None:
    before = Case.objects.count()
    again, new = import_out_dir(Path(run.directory), site.business, site.users["supervisor"])
    assert (again.pk, new) == (run.pk, False)
    assert Case.objects.count() == before and Run.objects.count() == 1


def test_a_folder_that_is_not_a_finished_collation_is_named(
    site: Site, collated: Path, tmp_path: Path
) -> None:
    unfinished = tmp_path / "unfinished"
    shutil.copytree(collated / "out", unfinished)
    (unfinished / "summary.json").unlink()
    with pytest.raises(NotACollation, match=r"unfinished/summary\.json"):
        import_out_dir(unfinished, site.business, site.users["supervisor"])
    assert not Run.objects.exists()


def test_a_summary_whose_counts_do_not_add_up_is_refused(
    site: Site, collated: Path, tmp_path: Path
) -> None:
    broken = tmp_path / "broken"
    shutil.copytree(collated / "out", broken)
    document = json.loads((broken / "summary.json").read_text(encoding="utf-8"))
    document["verdicts"]["MATCH"] += 1  # no longer the sum of the records
    (broken / "summary.json").write_text(json.dumps(document, ensure_ascii=False), "utf-8")
    with pytest.raises(NotACollation, match=r"broken/summary\.json"):
        import_out_dir(broken, site.business, site.users["supervisor"])
    assert not Run.objects.exists()
