"""Same seed, same bytes — whatever the number of worker processes; CP932 output decodes."""

from __future__ import annotations

import dataclasses
from pathlib import Path

from himoken.synth import ERROR_TYPES, SynthOptions, generate
from tests.synth.world_files import load_world

SMALL = SynthOptions(
    residents=3_000,
    seed=11,
    error_rates=dict.fromkeys(ERROR_TYPES, 0.003),
    chunk_size=1_000,
    workers=1,
)


def _files(root: Path) -> dict[str, bytes]:
    return {
        str(p.relative_to(root)): p.read_bytes() for p in sorted(root.rglob("*")) if p.is_file()
    }


def test_same_seed_gives_the_same_bytes_with_one_or_two_workers(tmp_path: Path) -> None:
    generate(SMALL, tmp_path / "a")
    generate(dataclasses.replace(SMALL, workers=2), tmp_path / "b")
    first, second = _files(tmp_path / "a"), _files(tmp_path / "b")
    assert len(first) == 10  # register, manifest, 4 x (records, truth)
    assert first == second


def test_another_seed_gives_another_world(tmp_path: Path) -> None:
    generate(SMALL, tmp_path / "a")
    generate(dataclasses.replace(SMALL, seed=12), tmp_path / "b")
    assert _files(tmp_path / "a")["register.csv"] != _files(tmp_path / "b")["register.csv"]


def test_cp932_world_decodes_except_its_undecodable_rows(tmp_path: Path) -> None:
    generate(dataclasses.replace(SMALL, encoding="cp932"), tmp_path)
    world = load_world(tmp_path)  # decodes every register row as CP932
    assert world.manifest["encoding"] == "cp932"
    for extract in world.extracts.values():
        undecodable = {int(t["行番号"]) for t in extract.truth if t["誤り詳細"] == "UNDECODABLE"}
        assert {line.ordinal for line in extract.lines if line.fields is None} == undecodable
    # CP932, not UTF-8: a kana-rich file is not valid UTF-8.
    raw = (tmp_path / "register.csv").read_bytes()
    try:
        raw.decode("utf-8")
        decodes_as_utf8 = True
    except UnicodeDecodeError:
        decodes_as_utf8 = False
    assert not decodes_as_utf8


def test_manifest_records_the_options_that_made_the_world(tmp_path: Path) -> None:
    manifest = generate(SMALL, tmp_path)
    assert manifest["seed"] == 11
    assert manifest["options"]["residents"] == 3_000
    assert manifest["register"] == {"file": "register.csv", "rows": 3_000}
    names = {b["slug"]: b["事務"] for b in manifest["businesses"]}
    assert names == {
        "shogaisha-techo": "障害者手帳",
        "seikatsu-hogo": "生活保護",
        "kokin-koza": "公金受取口座",
        "jido-teate": "児童手当",
    }
    assert sum(b["records"] for b in manifest["businesses"]) == 2_400  # 0.8 per resident
