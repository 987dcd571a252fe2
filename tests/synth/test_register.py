"""The register looks like a real prefecture's resident records."""

from __future__ import annotations

import datetime as dt
import re
from collections import Counter, defaultdict

from himoken.mynumber import is_valid
from himoken.synth import sources
from himoken.synth.notation import VARIANT_TO_STANDARD
from tests.synth.conftest import RAISED
from tests.synth.world_files import World

SNAPSHOT = dt.date(2026, 11, 1)


def _age(birth: str) -> int:
    year, month, day = (int(x) for x in birth.split("-"))
    return SNAPSHOT.year - year - ((SNAPSHOT.month, SNAPSHOT.day) < (month or 1, day or 1))


def test_every_register_number_is_unique_and_passes_the_check_digit(raised_world: World) -> None:
    assert len(raised_world.register) == RAISED.residents
    assert all(is_valid(number) for number in raised_world.register)


def test_households_share_one_address_and_have_one_head(raised_world: World) -> None:
    households: dict[str, list[dict[str, str]]] = defaultdict(list)
    for row in raised_world.register.values():
        households[row["世帯番号"]].append(row)
    for members in households.values():
        assert len({m["住所"] for m in members}) == 1
    heads = Counter(m["続柄"] for members in households.values() for m in members)
    # Households cut at a chunk's end may lose their head; no household has two.
    assert heads["世帯主"] <= len(households)
    assert all(sum(m["続柄"] == "世帯主" for m in ms) <= 1 for ms in households.values())
    sizes = [len(m) for m in households.values()]
    assert 2.0 <= sum(sizes) / len(sizes) <= 2.5  # 2020 census: 2.21
    assert 0.3 <= sizes.count(1) / len(sizes) <= 0.5  # one-person households: 38%
    assert max(sizes) >= 5


def test_age_pyramid_is_japanese(raised_world: World) -> None:
    ages = [_age(r["生年月日"]) for r in raised_world.register.values()]
    share = lambda low, high: sum(low <= a <= high for a in ages) / len(ages)  # noqa: E731
    assert 0.08 <= share(0, 14) <= 0.15  # 2020: 11.9%
    assert 0.20 <= share(65, 120) <= 0.33  # 2020: 28.6%
    assert share(90, 120) > 0.005


def test_names_and_readings_belong_together(raised_world: World) -> None:
    pool = sources.surnames()
    known = set(zip(pool.kanji, pool.kana, strict=True))
    japanese = [
        r for r in raised_world.register.values() if re.fullmatch(r"\S+\u3000\S+", r["氏名"])
    ]
    matched = 0
    for row in japanese:
        surname = row["氏名"].split("\u3000")[0]
        standard = "".join(VARIANT_TO_STANDARD.get(c, c) for c in surname)
        reading = row["氏名フリガナ"].split("\u3000")[0]
        matched += (surname, reading) in known or (standard, reading) in known
    # Chinese and Korean residents are written in kanji too; nearly all others match.
    assert matched / len(japanese) > 0.97


def test_surnames_follow_real_frequencies(raised_world: World) -> None:
    surnames = Counter(r["氏名"].split("\u3000")[0] for r in raised_world.register.values())
    top = [name for name, _ in surnames.most_common(5)]
    assert "佐藤" in top and "鈴木" in top  # the two commonest surnames of Japan
    assert len(surnames) > 1000  # a long tail, not a pool of 50


def test_variant_form_surnames_occur(raised_world: World) -> None:
    names = " ".join(r["氏名"] for r in raised_world.register.values())
    found = {c for c in "髙﨑濵齋邊邉" if c in names}
    assert len(found) >= 5, found


def test_foreign_residents_with_latin_names_aliases_and_unknown_birth_parts(
    raised_world: World,
) -> None:
    rows = list(raised_world.register.values())
    latin = [r for r in rows if re.fullmatch(r"[A-Z ]+", r["氏名"])]
    assert 0.005 <= len(latin) / len(rows) <= 0.03
    assert any(r["通称"] for r in rows)
    assert any(r["生年月日"].endswith("-00") for r in rows)


def test_history_and_removed_entries(raised_world: World) -> None:
    rows = list(raised_world.register.values())
    moved = [r for r in rows if r["前住所"]]
    assert 0.15 <= len(moved) / len(rows) <= 0.45
    for row in moved:
        assert row["住所異動日"] and row["住所異動日"] > row["生年月日"]
        assert row["住所"] not in row["前住所"].split(";")
    renamed = [r for r in rows if r["旧氏名"]]
    assert renamed
    for row in renamed:
        assert row["氏名変更日"]
        assert len(row["旧氏名"].split(";")) == len(row["旧氏名フリガナ"].split(";"))
        # A surname changed on marriage: the given name stays.
        assert row["旧氏名"].split("\u3000")[1] == row["氏名"].split("\u3000")[1]
    removals = Counter(r["消除事由"] for r in rows)
    assert removals["転出"] > 0 and removals["死亡"] > 0


def test_namesakes_with_the_same_birth_date_exist(raised_world: World) -> None:
    keys = Counter((r["氏名"], r["生年月日"]) for r in raised_world.register.values())
    # homonym_rate 0.002 of 30,000 residents plus the HOMONYM errors' strangers.
    assert sum(1 for count in keys.values() if count > 1) >= 60


def test_addresses_are_real_towns_of_the_prefecture(raised_world: World) -> None:
    towns = {f"{t.prefecture}{t.city}{t.town}" for t in sources.towns(RAISED.prefecture)}
    for row in list(raised_world.register.values())[:2000]:
        street = re.split(r"[一二三四五六七八九十]+丁目|\d+番地", row["住所"])[0]
        assert street in towns, row["住所"]


def test_residents_living_alone_are_adults(raised_world: World) -> None:
    sizes = Counter(r["世帯番号"] for r in raised_world.register.values())
    alone = [r for r in raised_world.register.values() if sizes[r["世帯番号"]] == 1]
    # Households cut at a chunk's end may leave a child alone; nothing else does.
    children = [r for r in alone if _age(r["生年月日"]) < 18]
    assert len(children) <= RAISED.residents // RAISED.chunk_size + 1, children
