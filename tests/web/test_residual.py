"""The residual-risk pages of the review site: the audit sample drawn reproducibly from a run's
auto-cleared records and logged, clerks marking its rows, and the estimate shown with the same
figures as `himoken.prevention.residual.estimate` (computed here through the library)."""

from __future__ import annotations

import csv
import io
import json
import re
from pathlib import Path

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client

import himoken.web.accounts
import himoken.web.progress
import himoken.web.residual
import himoken.web.review
from himoken.mynumber import looks_like_number
from himoken.prevention import residual
from himoken.prevention.sampling import AUTO_CLEARED, draw_sample
from himoken.web.audit.log import verify
from himoken.web.audit.models import Entry
from himoken.web.residual import samples
from himoken.web.residual.models import Sample, SampleRow
from himoken.web.review import decisions
from himoken.web.review.models import Case, Run
from tests.web.conftest import Site
from tests.web.test_review_i18n import CHECKOUT_SLACK, JAPANESE, PLACEHOLDER, english, entries

pytestmark = [pytest.mark.django_db, pytest.mark.urls("himoken.web.urls_review")]


def draw(site: Site, run: Run, size: int, seed: int | str = "") -> Sample:
    response = site.client("supervisor").post(
        f"/residual/runs/{run.pk}/draw/", {"size": size, "seed": seed}
    )
    assert (
        response.status_code == 302 and response["Location"] == f"/residual/runs/{run.pk}/sample/"
    )
    return Sample.objects.get(run=run)


def mark(client: Client, row: SampleRow, result: str, note: str = "") -> int:
    row.refresh_from_db()
    response = client.post(f"/residual/rows/{row.pk}/",
                           {"result": result, "note": note, "was": row.result})  # fmt: skip
    return response.status_code


def page(client: Client, url: str, status: int = 200) -> str:
    response = client.get(url)
    assert response.status_code == status
    return response.content.decode()


def shown_estimate(text: str, name: str = "residual-estimate") -> dict[str, object]:
    found = re.search(rf'<script id="{name}" type="application/json">(.*?)</script>', text, re.S)
    assert found, name
    return json.loads(found.group(1))


def auto_cleared(run: Run) -> int:
    return sum(run.summary["verdicts"][code] for code in ("MATCH", "NOTATION", "EXPLAINED"))


def still_open(run: Run) -> int:
    return Case.objects.filter(
        run=run, status__in=(Case.Status.OPEN, Case.Status.IN_PROGRESS)
    ).count()


# --- the draw --------------------------------------------------------------------------------


def test_the_draw_is_the_librarys_for_the_same_file_and_seed(
    site: Site, run: Run, tmp_path: Path
) -> None:
    sample = draw(site, run, 40, 20250401)
    rows = list(sample.rows.order_by("order").values_list("order", "record_id", "verdict"))
    assert [r[0] for r in rows] == list(range(1, 41))
    # Anyone with the run's results.csv and the seed redraws the same rows, in the same order.
    manifest = draw_sample(Path(run.directory) / "results.csv", 40, 20250401, tmp_path / "s.csv")
    with (tmp_path / "s.csv").open(encoding="utf-8-sig", newline="") as handle:
        again = [(int(r["抽出順"]), r["レコード番号"], r["判定"]) for r in csv.DictReader(handle)]
    assert rows == again
    assert sample.seed == 20250401 and sample.seed_given
    assert sample.results_sha256 == manifest["results_sha256"]
    assert sample.population == manifest["population"] == auto_cleared(run)
    assert sample.manifest["seed"] == 20250401 and "sample_csv" not in sample.manifest
    # another seed, another sample
    other = draw_sample(Path(run.directory) / "results.csv", 40, 7, tmp_path / "t.csv")
    assert other["results_sha256"] == manifest["results_sha256"]
    assert (tmp_path / "t.csv").read_text(encoding="utf-8-sig") != (tmp_path / "s.csv").read_text(
        encoding="utf-8-sig"
    )


def test_the_seed_is_shown_and_logged_without_numbers(site: Site, run: Run) -> None:
    sample = draw(site, run, 25)  # no seed given: himoken chooses one and records it
    assert not sample.seed_given and 0 <= sample.seed <= samples.MAX_SEED
    for name in ("supervisor", "handler", "auditor"):
        text = page(site.client(name), f"/residual/runs/{run.pk}/")
        assert f'<td id="sample-seed">{sample.seed} ' in text
    assert f"シード {sample.seed}" in page(
        site.client("handler"), f"/residual/runs/{run.pk}/sample/"
    )
    entry = Entry.objects.get(action="residual.sample.draw")
    assert entry.username == "supervisor" and entry.object_id == str(run.pk)
    assert entry.detail == {"seed": sample.seed, "seed_given": False, "size_requested": 25,
                            "size": 25, "population": auto_cleared(run)}  # fmt: skip
    record_ids = set(sample.rows.values_list("record_id", flat=True))
    for logged in Entry.objects.all():
        text = json.dumps(logged.detail, ensure_ascii=False)
        assert not looks_like_number(text)
        assert not any(record_id in text for record_id in record_ids)
    assert verify() == []


def test_only_auto_cleared_rows_are_drawn(site: Site, run: Run) -> None:
    population = auto_cleared(run)
    sample = draw(site, run, samples.MAX_SIZE, 3)  # more than there are: every one is taken
    verdicts = list(sample.rows.values_list("verdict", flat=True))
    assert len(verdicts) == sample.size == population and sample.size_requested == samples.MAX_SIZE
    assert set(verdicts) <= set(AUTO_CLEARED)
    flagged = set(run.cases.values_list("record_id", flat=True))
    assert flagged and not flagged & set(sample.rows.values_list("record_id", flat=True))
    assert sample.manifest["all_taken"] is True


def test_a_sample_is_drawn_once(site: Site, run: Run) -> None:
    first = list(draw(site, run, 10, 1).rows.values_list("record_id", flat=True))
    client = site.client("supervisor2")
    response = client.post(f"/residual/runs/{run.pk}/draw/", {"size": 10, "seed": 2}, follow=True)
    assert "引き直しはできません" in response.content.decode()
    assert Sample.objects.count() == 1
    assert list(Sample.objects.get().rows.values_list("record_id", flat=True)) == first
    assert Entry.objects.filter(action="residual.sample.draw").count() == 1


def test_seeds_that_could_read_as_a_my_number_are_refused(site: Site, run: Run) -> None:
    response = site.client("supervisor").post(
        f"/residual/runs/{run.pk}/draw/", {"size": 10, "seed": 123456789018}
    )
    assert response.status_code == 400 and not Sample.objects.exists()


def test_a_purged_run_says_it_cannot_be_sampled(site: Site, run: Run) -> None:
    client = site.client("supervisor")
    client.post(f"/runs/{run.pk}/purge/")
    run.refresh_from_db()
    assert run.status == Run.Status.PURGED
    text = page(client, f"/residual/runs/{run.pk}/")
    assert 'id="cannot-draw"' in text and "消去済み" in text and 'id="draw-form"' not in text
    response = client.post(f"/residual/runs/{run.pk}/draw/", {"size": 10, "seed": 1}, follow=True)
    assert "消去済み" in response.content.decode() and not Sample.objects.exists()
    # the estimate still stands on the run's counts (summary.json is kept)
    assert shown_estimate(text) == residual.estimate(0, 0, 0.95, auto_cleared(run),
                                                     still_open(run)).as_dict()  # fmt: skip


def test_a_purge_after_the_draw_keeps_the_findings_and_forgets_the_explanations(
    site: Site, run: Run
) -> None:
    sample = draw(site, run, 12, 5)
    assert sample.rows.exclude(explanation="").exists()  # NOTATION/EXPLAINED rows say why
    handler = site.client("handler")
    rows = list(sample.rows.order_by("order"))
    assert mark(handler, rows[0], "誤") == 302 and mark(handler, rows[1], "正") == 302
    site.client("supervisor").post(f"/runs/{run.pk}/purge/")
    assert not SampleRow.objects.exclude(explanation="").exists()
    assert samples.counts(sample) == samples.Counts(12, 2, 1, 10, 0)
    assert mark(handler, rows[2], "正") == 302  # clerks can finish the audit after the purge
    text = page(handler, f"/residual/runs/{run.pk}/sample/")
    assert "個人情報は消去済み" in text
    run.refresh_from_db()
    shown = shown_estimate(page(handler, f"/residual/runs/{run.pk}/"))
    assert shown == residual.estimate(3, 1, 0.95, auto_cleared(run), still_open(run)).as_dict()


# --- marking and the estimate ----------------------------------------------------------------


def test_marked_rows_give_the_librarys_estimate(site: Site, run: Run) -> None:
    sample = draw(site, run, 30, 11)
    rows = list(sample.rows.order_by("order"))
    site.users["handler"].last_name = "山本"
    site.users["handler"].save()
    handler, supervisor = site.client("handler"), site.client("supervisor")
    for index, row in enumerate(rows[:12]):
        wrong = index in (3, 8)
        assert mark(handler if index % 2 else supervisor, row, "誤" if wrong else "正") == 302
    marked = SampleRow.objects.get(pk=rows[3].pk)
    assert marked.result == "誤" and marked.checker == "山本" and marked.checked_at
    assert SampleRow.objects.get(pk=rows[0].pk).checker == "supervisor"
    # one flagged case settled in the review: open flagged follows the review's statuses
    case = run.cases.order_by("ordinal").first()
    decisions.propose(case, site.users["handler"], case.version, decisions.Proposal("keep"))
    population = auto_cleared(run)
    for confidence in (0.90, 0.95, 0.99):
        text = page(handler, f"/residual/runs/{run.pk}/?confidence={confidence:.2f}")
        expected = residual.estimate(12, 2, confidence, population, still_open(run))
        assert shown_estimate(text) == expected.as_dict()
        assert expected.statement_ja in text and expected.open_flagged == run.cases.count() - 1
        assert f'<td class="num" id="fig-at-most">{expected.at_most:,}</td>' in text
        assert f'<td class="num" id="fig-upper">{expected.as_dict()["upper_percent"]}</td>' in text
        plan = residual.plan(1e-6, confidence)
        assert plan.statement_ja in text and f"{plan.audits_needed:,}" in text
        assert '<svg class="chart"' in text and "<script>" not in text
    # "or any population": the same bound scaled to another count of records like them
    text = page(handler, f"/residual/runs/{run.pk}/?population=120000")  # 95% unless chosen
    assert '<option value="0.95" selected>' in text
    other = residual.estimate(12, 2, 0.95, 120000)
    assert shown_estimate(text, "residual-other") == other.as_dict()
    assert other.statement_ja in text and shown_estimate(text)["population"] == population


def test_nothing_audited_says_nothing_can_be_claimed(site: Site, run: Run) -> None:
    for before_draw in (True, False):
        if not before_draw:
            draw(site, run, 10, 4)
        text = page(site.client("handler"), f"/residual/runs/{run.pk}/")
        expected = residual.estimate(0, 0, 0.95, auto_cleared(run), still_open(run))
        assert shown_estimate(text) == expected.as_dict()
        assert "まだ何も言えません" in text and 'id="nothing-audited"' in text
        assert 'id="no-chart"' in text and '<svg class="chart"' not in text
        assert '<td class="num" id="fig-point">―</td>' in text


def test_no_error_found_still_gives_a_bound(site: Site, run: Run) -> None:
    sample = draw(site, run, 8, 9)
    handler = site.client("handler")
    for row in sample.rows.order_by("order"):
        assert mark(handler, row, "正") == 302
    text = page(handler, f"/residual/runs/{run.pk}/")
    expected = residual.estimate(8, 0, 0.95, auto_cleared(run), still_open(run))
    assert shown_estimate(text) == expected.as_dict() and expected.at_most > 0
    assert "誤りは0件でした" in text and 'id="no-error-found"' in text
    assert '<svg class="chart"' in text


def test_skipping_rows_is_pointed_out(site: Site, run: Run) -> None:
    sample = draw(site, run, 10, 12)
    handler = site.client("handler")
    assert mark(handler, sample.rows.get(order=5), "正") == 302
    assert samples.counts(sample).skipped == 4
    assert 'id="skipped"' in page(handler, f"/residual/runs/{run.pk}/")


def test_two_clerks_marking_the_same_row_do_not_overwrite_each_other(site: Site, run: Run) -> None:
    row = draw(site, run, 5, 8).rows.get(order=1)
    stale = {"result": "正", "note": "", "was": ""}
    assert mark(site.client("handler"), row, "誤", "別人") == 302
    response = site.client("handler2").post(f"/residual/rows/{row.pk}/", stale)
    assert response.status_code == 409 and 'id="conflict"' in response.content.decode()
    row.refresh_from_db()
    assert (row.result, row.note, row.checker) == ("誤", "別人", "handler")  # no full name
    assert mark(site.client("handler2"), row, "") == 302  # back to not checked, on purpose
    row.refresh_from_db()
    assert row.result == "" and row.checked_by == site.users["handler2"]


def test_a_filled_in_csv_is_applied_without_overwriting(site: Site, run: Run) -> None:
    sample = draw(site, run, 6, 13)
    handler = site.client("handler")
    assert mark(handler, sample.rows.get(order=2), "誤") == 302
    response = handler.get(f"/residual/runs/{run.pk}/sample.csv")
    assert response.status_code == 200
    rows = list(csv.reader(io.StringIO(response.content.decode("utf-8-sig"))))
    assert rows[0] == ["抽出順", "レコード番号", "判定", "説明", "確認結果", "確認者", "備考"]
    assert rows[2][4] == "誤"
    for row, result in zip(rows[1:5], ("正", "正", "誤", "正"), strict=True):
        row[4], row[5] = result, "山田"
    data = "\r\n".join(",".join(f'"{c}"' for c in row) for row in rows).encode("cp932")
    upload = f"/residual/runs/{run.pk}/sample/upload/"
    response = handler.post(upload, {"file": SimpleUploadedFile("s.csv", data)}, follow=True)
    text = response.content.decode()
    assert "取り込まなかった記録(抽出順): 2" in text
    found = dict(sample.rows.values_list("order", "result"))
    assert found == {1: "正", 2: "誤", 3: "誤", 4: "正", 5: "", 6: ""}
    assert sample.rows.get(order=1).checker == "山田"
    rows[6][4] = "〇"
    bad = "\r\n".join(",".join(row) for row in rows).encode("utf-8-sig")
    response = handler.post(upload, {"file": SimpleUploadedFile("s.csv", bad)})
    assert (
        response.status_code == 400
        and "&#x27;〇&#x27; is not 正 or 誤" in response.content.decode()
    )
    assert Entry.objects.filter(action="residual.sample.upload").count() == 1
    assert Entry.objects.filter(action="residual.sample.export").count() == 1


# --- who may do what -------------------------------------------------------------------------


def test_auditors_see_the_counts_not_the_records(site: Site, run: Run) -> None:
    sample = draw(site, run, 10, 21)
    row = sample.rows.get(order=1)
    auditor = site.client("auditor")
    text = page(auditor, f"/residual/runs/{run.pk}/")
    assert shown_estimate(text)["audited"] == 0
    assert not any(rid in text for rid in sample.rows.values_list("record_id", flat=True))
    assert 'id="to-sample"' not in text and 'id="draw-form"' not in text
    assert auditor.get(f"/residual/runs/{run.pk}/sample/").status_code == 403
    assert auditor.get(f"/residual/runs/{run.pk}/sample.csv").status_code == 403
    assert mark(auditor, row, "正") == 403
    assert auditor.post(f"/residual/runs/{run.pk}/draw/", {"size": 1}).status_code == 403
    assert "/residual/runs/" in page(auditor, "/residual/")


def test_handlers_mark_but_do_not_draw(site: Site, run: Run) -> None:
    handler = site.client("handler")
    assert 'id="draw-form"' not in page(handler, f"/residual/runs/{run.pk}/")
    assert handler.post(f"/residual/runs/{run.pk}/draw/", {"size": 5}).status_code == 403
    assert 'id="draw-form"' in page(site.client("supervisor"), f"/residual/runs/{run.pk}/")
    row = draw(site, run, 5, 1).rows.get(order=1)
    assert mark(site.client("handler2"), row, "正") == 302


def test_another_organisation_finds_nothing(site: Site, run: Run) -> None:
    row = draw(site, run, 5, 1).rows.get(order=1)
    outsider = site.client("outsider")
    for url in (f"/residual/runs/{run.pk}/", f"/residual/runs/{run.pk}/sample/",
                f"/residual/runs/{run.pk}/sample.csv"):  # fmt: skip
        assert outsider.get(url).status_code == 404
    assert mark(outsider, row, "誤") == 404
    assert outsider.post(f"/residual/runs/{run.pk}/draw/", {"size": 5}).status_code == 404
    assert str(run.business) not in page(outsider, "/residual/")
    row.refresh_from_db()
    assert row.result == ""


def test_viewing_the_rows_is_logged(site: Site, run: Run) -> None:
    draw(site, run, 5, 1)
    page(site.client("handler"), f"/residual/runs/{run.pk}/sample/")
    entry = Entry.objects.get(action="residual.sample.view")
    assert entry.username == "handler" and entry.detail == {"page": 1, "shown": 5}


# --- English -------------------------------------------------------------------------------

CATALOG = (Path(himoken.web.residual.__file__).parent / "locale" / "en" / "LC_MESSAGES"
           / "django.po")  # fmt: skip
OTHERS = [Path(app.__file__).parent / "locale" / "en" / "LC_MESSAGES" / "django.po"
          for app in (himoken.web.review, himoken.web.progress, himoken.web.accounts)]  # fmt: skip


def test_the_page_in_english_keeps_the_public_statement_japanese(site: Site, run: Run) -> None:
    sample = draw(site, run, 5, 1)
    mark(site.client("handler"), sample.rows.get(order=1), "正")
    client = english(site.client("handler"))
    text = page(client, f"/residual/runs/{run.pk}/")
    assert '<html lang="en">' in text
    for label in ("Residual risk", "Statement for the public (in Japanese)", "Confidence",
                  "Records audited", "Upper bound of the error rate", "Seed"):  # fmt: skip
        assert label in text, label
    statement = shown_estimate(text)["statement_ja"]
    assert f'<p class="statement" lang="ja" id="statement">{statement}</p>' in text
    for japanese in ("公表用の説明", "信頼度", "確認した記録"):
        assert japanese not in text.replace(statement, "").split("<script")[0], japanese
    assert "Audit sample" in page(client, f"/residual/runs/{run.pk}/sample/")


def test_the_catalog_is_complete_compiled_and_agrees_with_the_others() -> None:
    header, *messages = entries(CATALOG)
    assert "Language: en\n" in header[2] and "fuzzy" not in header[0]
    assert messages
    for flags, msgid, msgstr in messages:
        assert msgstr.strip() and "fuzzy" not in flags, msgid
        assert sorted(PLACEHOLDER.findall(msgid)) == sorted(PLACEHOLDER.findall(msgstr)), msgid
        # the sample CSV's column and values are typed as they are, in any language
        assert not JAPANESE.search(re.sub("確認結果|正|誤", "", msgstr)), msgstr
    mine = {msgid: msgstr for _, msgid, msgstr in messages}
    for po in OTHERS:
        for _, msgid, msgstr in entries(po)[1:]:
            if msgid in mine:
                assert mine[msgid] == msgstr, f"{msgid!r}: {mine[msgid]!r} here, {msgstr!r} in {po}"
    mo = CATALOG.with_suffix(".mo")
    assert mo.stat().st_mtime >= CATALOG.stat().st_mtime - CHECKOUT_SLACK
