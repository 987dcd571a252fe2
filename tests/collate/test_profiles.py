"""Profiles: shipped ones load, and a bad one is refused with its file and key named."""

from __future__ import annotations

from pathlib import Path

import pytest

from himoken.collate.profiles import (
    FixedField,
    ProfileError,
    load_profile,
    profile_path,
    shipped_profiles,
)
from himoken.synth.businesses import BUSINESS_BY_SLUG

FULL = """
[labels]
organisation_code = "271004"
organisation_name = "大阪市"
business = "障害者手帳"
system = "手帳台帳システム"

[records]
encoding = "cp932"
delimiter = ","
sheet = "台帳"

[records.columns]
"宛名番号" = "レコード番号"

[records.codes."性別"]
"1" = "男"
"2" = "女"

[[records.fixed_width]]
column = "宛名番号"
start = 0
length = 10

[[records.fixed_width]]
column = "個人番号"
start = 10
length = 12

[register.columns]
"マイナンバー" = "個人番号"

[gaiji]
"\\ue001" = "髙"
"\\U000F0001" = "﨑"
"""


def write(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "profile.toml"
    path.write_text(text, encoding="utf-8")
    return path


def test_a_full_profile(tmp_path: Path) -> None:
    profile = load_profile(write(tmp_path, FULL))
    assert profile.labels.organisation_code == "271004"
    assert profile.labels.system == "手帳台帳システム"
    records = profile.records
    assert (records.encoding, records.delimiter, records.sheet) == ("cp932", ",", "台帳")
    assert records.columns == {"宛名番号": "レコード番号"}
    assert records.codes == {"性別": {"1": "男", "2": "女"}}
    assert records.fixed_width == (FixedField("宛名番号", 0, 10), FixedField("個人番号", 10, 12))
    assert profile.register.columns == {"マイナンバー": "個人番号"}
    assert profile.register.fixed_width is None and profile.register.encoding is None
    assert profile.gaiji == {"\ue001": "髙", "\U000f0001": "﨑"}
    assert not profile.same_gaiji_table


def test_an_empty_profile_and_the_same_table_flag(tmp_path: Path) -> None:
    assert load_profile(write(tmp_path, "")).records.columns == {}
    profile = load_profile(write(tmp_path, "[gaiji]\nsame_table = true\n"))
    assert profile.same_gaiji_table and profile.gaiji == {}


def test_shipped_profiles_label_the_synthetic_extracts() -> None:
    names = shipped_profiles()
    assert set(BUSINESS_BY_SLUG) < set(names) and "example-fixed-width" in names
    for slug, business in BUSINESS_BY_SLUG.items():
        profile = load_profile(slug)
        assert profile.labels.business == business.name
        assert profile.labels.system == business.system
        assert load_profile(profile_path(slug)) == load_profile(str(profile_path(slug)))
    example = load_profile("example-fixed-width")
    assert example.records.fixed_width and example.records.encoding == "cp932"
    assert example.register.codes["続柄"]["02"] == "妻"
    assert all(0xE000 <= ord(c) <= 0xF8FF for c in example.gaiji)


def test_an_unknown_shipped_name() -> None:
    with pytest.raises(ProfileError, match=r"「no-such」は同梱されていない.*kokin-koza"):
        load_profile("no-such")


@pytest.mark.parametrize(
    ("text", "key", "reason"),
    [
        ("[record]\n", "(最上位)", "知らないキー「record」"),
        ("[records]\nencodng = 'cp932'\n", "records", "知らないキー「encodng」"),
        ("[labels]\norganization_code = '1'\n", "labels", "知らないキー「organization_code」"),
        ("[labels]\norganisation_code = ''\n", "labels.organisation_code", "空でない文字列"),
        ("[labels]\norganisation_code = 271004\n", "labels.organisation_code", "空でない文字列"),
        ("[labels]\norganisation_code = '大阪市'\n", "labels.organisation_code", "英数字"),
        ("[labels]\nsystem = '台帳 123456789018'\n", "labels.system", "12桁"),
        ("[records]\nencoding = 'sjis-nonsense'\n", "records.encoding", "知らない"),
        ("[records]\ndelimiter = ',,'\n", "records.delimiter", "1文字"),
        ("[records.columns]\n'宛名番号' = 'レコードID'\n", "records.columns.「宛名番号」",
         "「レコードID」は仕様の列ではない"),
        ("[register.columns]\n'宛名番号' = 'レコード番号'\n", "register.columns.「宛名番号」",
         "仕様の列ではない"),
        ("[records.columns]\n'宛名番号' = 'レコード番号'\n'管理番号' = 'レコード番号'\n",
         "records.columns", "「宛名番号」と「管理番号」がどちらも「レコード番号」になる"),
        ("[records.codes.'せいべつ']\n'1' = '男'\n", "records.codes.せいべつ", "仕様の列ではない"),
        ("[records.codes.'性別']\n'1' = 1\n", "records.codes.性別.「1」", "文字列"),
        ("[records]\nfixed_width = []\n", "records.fixed_width", "1つ以上"),
        ("[[records.fixed_width]]\ncolumn = '個人番号'\nstart = 0\n", "records.fixed_width[0]",
         "「length」がない"),
        ("[[records.fixed_width]]\ncolumn = '個人番号'\nstart = -1\nlength = 12\n",
         "records.fixed_width[0].start", "0以上の整数"),
        ("[[records.fixed_width]]\ncolumn = '個人番号'\nstart = 0\nlength = true\n",
         "records.fixed_width[0].length", "1以上の整数"),
        ("[[records.fixed_width]]\ncolumn = 'A'\nstart = 0\nlength = 10\n"
         "[[records.fixed_width]]\ncolumn = 'B'\nstart = 9\nlength = 2\n",
         "records.fixed_width[1]", "「A」と重なる"),
        ("[[records.fixed_width]]\ncolumn = 'A'\nstart = 0\nlength = 1\n"
         "[[records.fixed_width]]\ncolumn = 'A'\nstart = 1\nlength = 1\n",
         "records.fixed_width[1].column", "「A」が2度ある"),
        ("[gaiji]\n'髙' = '高'\n", "gaiji.「U+9AD9」", "私用領域"),
        ('[gaiji]\n"\\ue001\\ue002" = "高"\n', "gaiji.「U+E001 U+E002」", "1文字"),
        ('[gaiji]\n"\\ue001" = "\\ue002"\n', "gaiji.「U+E001」", "値に私用領域"),
        ('[gaiji]\n"\\ue001" = ""\n', "gaiji.「U+E001」", "空でない文字列"),
        ("[gaiji]\nsame_table = 'yes'\n", "gaiji.same_table", "true か false"),
    ],
)  # fmt: skip
def test_bad_profiles_name_file_and_key(tmp_path: Path, text: str, key: str, reason: str) -> None:
    path = write(tmp_path, text)
    with pytest.raises(ProfileError) as raised:
        load_profile(path)
    message = str(raised.value)
    assert message.startswith(f"{path}: {key}: "), message
    assert reason in message and "\n" not in message


def test_files_that_are_not_profiles(tmp_path: Path) -> None:
    path = write(tmp_path, "[records.codes.性別]\n")  # TOML 1.0: non-ASCII keys need quotes
    with pytest.raises(ProfileError, match=f"{path}: TOMLとして読めない"):
        load_profile(path)
    path.write_bytes("[labels]\nbusiness = '障害者手帳'\n".encode("cp932"))
    with pytest.raises(ProfileError, match="UTF-8"):
        load_profile(path)
    path.write_bytes("\ufeff[labels]\nbusiness = '障害者手帳'\n".encode())  # Notepad's BOM
    assert load_profile(path).labels.business == "障害者手帳"
    with pytest.raises(ProfileError, match="読めない"):
        load_profile(tmp_path / "missing.toml")
