"""Whether a reading fits a kanji name, from the offline name dictionary."""

from __future__ import annotations

import pytest

from himoken.compare.reading_fit import FitLevel, reading_fits


@pytest.mark.parametrize(
    ("name", "reading"),
    [
        ("山田　太郎", "ヤマダ　タロウ"),
        ("山田太郎", "やまだ たろう"),  # no space in the name, hiragana reading
        ("髙橋　一郎", "タカハシ　イチロウ"),  # variant form read through 高橋
        ("佐藤　花子", "サトウハナコ"),  # reading without a space: every split is tried
        ("渡邊　健", "ﾜﾀﾅﾍﾞ ｹﾝ"),  # half-width reading
    ],
)
def test_readings_that_fit(name: str, reading: str) -> None:
    assert reading_fits(name, reading).level is FitLevel.FITS


@pytest.mark.parametrize(
    ("name", "reading"),
    [
        ("山田　太郎", "タナカ　タロウ"),  # another surname's reading
        ("山田　太郎", "ヤマダ　ハナコ"),  # another given name's reading
        ("佐藤　花子", "サイトウ　ハナコ"),  # 佐藤 is not read サイトウ
    ],
)
def test_readings_that_do_not_fit(name: str, reading: str) -> None:
    outcome = reading_fits(name, reading)
    assert outcome.level is FitLevel.DOES_NOT_FIT
    assert "辞書にない" in outcome.note


def test_names_outside_the_dictionary_are_unknown_not_guessed() -> None:
    assert reading_fits("NGUYEN VAN NAM", "グエン　ヴァン　ナム").level is FitLevel.UNKNOWN
    assert reading_fits("山田　𪚲", "ヤマダ　タロウ").level is FitLevel.UNKNOWN


def test_missing_side() -> None:
    assert reading_fits("山田　太郎", "").level is FitLevel.MISSING
