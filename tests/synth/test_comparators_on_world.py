"""The comparators against the synthetic world's truth: benign notation is always cleared,
and wrong linkages to strangers show differences."""

from __future__ import annotations

from collections import Counter

from himoken.compare import addresses, dates, kana, names, sex
from himoken.compare.outcome import Reason
from tests.synth.world_files import World

NOTATION_REASONS = {
    None,
    Reason.KANJI_VARIANT,
    Reason.KANA_VARIANT,
    Reason.ADDRESS_NOTATION,
    Reason.NAME_NOTATION,
}


def _pairs(world: World, select: object) -> list[tuple[dict[str, str], dict[str, str], dict]]:
    """(record, register entry of the linked number, truth) for readable rows `select` keeps."""
    rows = []
    for extract, truth in world.all_truth:
        if truth["誤り種別"] == "MALFORMED_ROW" or not select(truth):  # type: ignore[operator]
            continue
        entry = world.register.get(truth["紐付け個人番号"])
        if entry is not None:
            rows.append((extract.record(truth), entry, truth))
    return rows


def test_benign_notation_never_reads_as_a_difference(raised_world: World) -> None:
    rows = _pairs(
        raised_world,
        lambda t: not t["誤り種別"] and not t["経緯"] and "GAIJI" not in t["表記差異"],
    )
    assert len(rows) > 20_000
    records = [r for r, _, _ in rows]
    entries = [e for _, e, _ in rows]
    checks = {
        "氏名": names.compare_many(
            [r["氏名"] for r in records],
            [e["氏名"] for e in entries],
            aliases=[e["通称"] for e in entries],
        ),
        "氏名フリガナ": kana.compare_many(
            [r["氏名フリガナ"] for r in records], [e["氏名フリガナ"] for e in entries]
        ),
        "生年月日": dates.compare_many(
            [r["生年月日"] for r in records], [e["生年月日"] for e in entries]
        ),
        "性別": sex.compare_many([r["性別"] for r in records], [e["性別"] for e in entries]),
        "住所": addresses.compare_many([r["住所"] for r in records], [e["住所"] for e in entries]),
    }
    for column, outcomes in checks.items():
        wrong = [
            (rows[i][0][column], rows[i][1][column], o.note)
            for i, o in enumerate(outcomes)
            if o.reason not in NOTATION_REASONS
        ]
        assert not wrong, (column, len(wrong), wrong[:5])


def test_moves_and_name_changes_are_differences_the_history_explains(raised_world: World) -> None:
    moved = _pairs(raised_world, lambda t: not t["誤り種別"] and "MOVED" in t["経緯"])
    outcomes = addresses.compare_many(
        [r["住所"] for r, _, _ in moved], [e["住所"] for _, e, _ in moved]
    )
    with_address = [o for (r, _, _), o in zip(moved, outcomes, strict=True) if r["住所"]]
    assert with_address
    assert all(o.reason is Reason.ADDRESS_DIFF for o in with_address)


def test_strangers_numbers_show_differences(raised_world: World) -> None:
    """A stranger's number (row shift, carry-over, duplicate) disagrees on name or birth date;
    a 同姓同名 stranger agrees on both — which is why HOMONYM needs the register."""
    strangers = _pairs(
        raised_world, lambda t: t["誤り種別"] in ("ROW_SHIFT", "CARRY_OVER", "DUPLICATE_NUMBER")
    )
    homonyms = _pairs(raised_world, lambda t: t["誤り種別"] == "HOMONYM")
    assert strangers and homonyms

    def disagreements(rows: list) -> Counter:
        name = names.compare_many([r["氏名"] for r, _, _ in rows], [e["氏名"] for _, e, _ in rows])
        born = dates.compare_many(
            [r["生年月日"] for r, _, _ in rows], [e["生年月日"] for _, e, _ in rows]
        )
        return Counter(
            (n.reason is Reason.NAME_DIFF) or (b.reason is Reason.BIRTHDATE_DIFF)
            for n, b in zip(name, born, strict=True)
        )

    assert disagreements(strangers)[False] <= len(strangers) * 0.02
    assert disagreements(homonyms)[True] == 0
