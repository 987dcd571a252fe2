"""Every verdict and reason of spec §6/§7 on small hand-made cases.

One register of synthetic residents in a few households (with 世帯番号 and history columns) and
one records file holding all the cases, collated once; each test looks at its records by id.
Each case links a number no other case uses, unless the case is about sharing one.
"""

from __future__ import annotations

import itertools

import pytest

from tests.collate.conftest import (
    FLAGGED,
    Run,
    number,
    reasons,
    run_rows,
    wrong_check_digit,
)

# --- the register -----------------------------------------------------------------------------

SHINJUKU = "東京都新宿区西新宿二丁目8番1号"
UMEDA = "大阪府大阪市北区梅田二丁目1番1号"
TENJIN = "福岡県福岡市中央区天神一丁目1番1号"
SAPPORO = "北海道札幌市中央区北一条西二丁目1番地"
SENDAI = "宮城県仙台市青葉区国分町三丁目7番1号"
NAGOYA = "愛知県名古屋市中区三の丸三丁目1番1号"

N = {key: number(i) for i, key in enumerate([
    "match", "kanji", "kana", "address", "moved", "renamed", "renamed_weak", "moved_weak",
    "moved_partial", "name_diff", "kana_diff", "birth_diff", "sex_diff", "address_diff",
    "removed", "gaiji", "repeated", "husband", "wife", "child", "homonym_a", "homonym_b",
    "namesake_a", "namesake_b", "shift_1", "shift_2", "shift_3", "carry_1", "carry_2",
    "dup_owner", "two_items", "elsewhere", "wide", "grouped", "absent", "checkdigit_base",
    "match_era", "renamed_not", "moved_before", "grouped_space",
], start=1)}  # fmt: skip


def resident(key: str, name: str, reading: str, birth: str, sex: str, address: str,
             household: str, **more: str) -> dict[str, str]:  # fmt: skip
    return {"個人番号": N[key], "氏名": name, "氏名フリガナ": reading, "生年月日": birth,
            "性別": sex, "住所": address, "世帯番号": household, **more}  # fmt: skip


REGISTER = [
    resident("match", "佐藤　健一", "サトウ　ケンイチ", "1970-05-10", "1", SHINJUKU, "H01",
             続柄="世帯主"),
    resident("kanji", "髙橋　京子", "タカハシ　キョウコ", "1975-11-03", "2", SHINJUKU, "H02",
             続柄="世帯主"),
    resident("kana", "木村　京子", "キムラ　キョウコ", "1977-02-20", "2", UMEDA, "H03",
             続柄="世帯主"),
    resident("address", "加藤　浩", "カトウ　ヒロシ", "1966-08-08", "1", UMEDA, "H04",
             続柄="世帯主"),
    resident("moved", "斉藤　和也", "サイトウ　カズヤ", "1981-01-15", "1", SHINJUKU, "H05",
             前住所="東京都杉並区阿佐谷南一丁目1番1号;埼玉県さいたま市浦和区高砂三丁目15番1号",
             住所異動日="2022-10-01"),
    resident("renamed", "鈴木　美咲", "スズキ　ミサキ", "1990-07-07", "2", SHINJUKU, "H06",
             旧氏名="田中　美咲", 旧氏名フリガナ="タナカ　ミサキ", 氏名変更日="2021-06-01"),
    resident("renamed_weak", "伊藤　由美", "イトウ　ユミ", "1988-03-30", "2", UMEDA, "H07",
             氏名変更日="2022-04-01"),
    resident("renamed_not", "原田　智子", "ハラダ　トモコ", "1984-08-28", "2", SAPPORO, "H37",
             氏名変更日="2022-04-01"),
    resident("moved_weak", "小松　慎吾", "コマツ　シンゴ", "1972-12-12", "1", TENJIN, "H08",
             住所異動日="2023-01-10"),
    resident("moved_partial", "大野　早苗", "オオノ　サナエ", "1969-04-04", "2", TENJIN, "H09",
             住所異動日="2023-01-10"),
    resident("moved_before", "宮崎　浩二", "ミヤザキ　コウジ", "1977-07-17", "1", NAGOYA, "H38",
             住所異動日="2018-02-01"),
    resident("name_diff", "中村　大輔", "ナカムラ　ダイスケ", "1985-09-09", "1", SENDAI, "H10"),
    resident("kana_diff", "松本　翔", "マツモト　ショウ", "1995-05-05", "1", SENDAI, "H11"),
    resident("birth_diff", "井上　真一", "イノウエ　シンイチ", "1965-02-14", "1", SENDAI, "H12"),
    resident("sex_diff", "林　薫", "ハヤシ　カオル", "1979-10-10", "2", NAGOYA, "H13"),
    resident("address_diff", "清水　誠", "シミズ　マコト", "1962-06-06", "1", TENJIN, "H14"),
    resident("removed", "森　和夫", "モリ　カズオ", "1940-01-01", "1", NAGOYA, "H15",
             消除事由="死亡"),
    resident("gaiji", "斎藤　隆", "サイトウ　タカシ", "1958-11-11", "1", NAGOYA, "H16"),
    # the register holds this number twice
    resident("repeated", "岡田　修", "オカダ　オサム", "1973-03-03", "1", SAPPORO, "H17"),
    resident("repeated", "岡田　修", "オカダ　オサム", "1973-03-03", "1", SAPPORO, "H17"),
    # a household: husband, wife, child
    resident("husband", "山田　太郎", "ヤマダ　タロウ", "1980-04-01", "1", SAPPORO, "H20",
             続柄="世帯主"),
    resident("wife", "山田　花子", "ヤマダ　ハナコ", "1982-06-15", "2", SAPPORO, "H20",
             続柄="妻"),
    resident("child", "山田　一郎", "ヤマダ　イチロウ", "2010-01-20", "1", SAPPORO, "H20",
             続柄="子"),
    # namesakes: same name, birth date and sex, different addresses
    resident("homonym_a", "田中　一郎", "タナカ　イチロウ", "1950-01-01", "1", SENDAI, "H21"),
    resident("homonym_b", "田中　一郎", "タナカ　イチロウ", "1950-01-01", "1", NAGOYA, "H22"),
    resident("namesake_a", "渡辺　明", "ワタナベ　アキラ", "1960-03-03", "1", SHINJUKU, "H23"),
    resident("namesake_b", "渡辺　明", "ワタナベ　アキラ", "1960-03-03", "1", TENJIN, "H24"),
    # three people keyed in one batch
    resident("shift_1", "青木　茂", "アオキ　シゲル", "1955-05-15", "1", SENDAI, "H25"),
    resident("shift_2", "村上　千尋", "ムラカミ　チヒロ", "1983-08-18", "2", UMEDA, "H26"),
    resident("shift_3", "近藤　勝利", "コンドウ　カツトシ", "1949-09-29", "1", TENJIN, "H27"),
    # two visitors at one window terminal
    resident("carry_1", "石川　陽子", "イシカワ　ヨウコ", "1991-01-11", "2", NAGOYA, "H28"),
    resident("carry_2", "前田　剛", "マエダ　ツヨシ", "1968-06-26", "1", SAPPORO, "H29"),
    resident("dup_owner", "小川　直樹", "オガワ　ナオキ", "1987-02-02", "1", SHINJUKU, "H30"),
    resident("two_items", "藤田　勇", "フジタ　イサム", "1958-07-07", "1", UMEDA, "H31"),
    resident("elsewhere", "長谷川　恵", "ハセガワ　メグミ", "1993-12-24", "2", SENDAI, "H32"),
    resident("wide", "後藤　光", "ゴトウ　ヒカル", "2001-04-01", "1", TENJIN, "H33"),
    resident("grouped", "坂本　舞", "サカモト　マイ", "1999-09-19", "2", NAGOYA, "H34"),
    resident("grouped_space", "野口　蓮", "ノグチ　レン", "2003-03-13", "1", SENDAI, "H35"),
    resident("match_era", "西村　学", "ニシムラ　マナブ", "1970-05-10", "1", UMEDA, "H36"),
]  # fmt: skip

# --- the records ------------------------------------------------------------------------------


def record(record_id: str, key: str | None, name: str, birth: str, **more: str) -> dict[str, str]:
    linked = N[key] if key else more.pop("個人番号")
    return {"レコード番号": record_id, "個人番号": linked, "氏名": name, "生年月日": birth, **more}


RECORDS = [
    # MATCH: only mechanical differences (spacing, hiragana, date format, sex code)
    record("MATCH", "match", "佐藤健一", "1970/5/10", 氏名フリガナ="さとう けんいち", 性別="男",
           住所=SHINJUKU),
    record("MATCH_ERA", "match_era", "西村　学", "昭和45年5月10日", 氏名フリガナ="ﾆｼﾑﾗ ﾏﾅﾌﾞ",
           性別="M", 住所=UMEDA),
    # NOTATION
    record("KANJI", "kanji", "高橋　京子", "1975-11-03", 氏名フリガナ="タカハシ　キョウコ",
           性別="2", 住所=SHINJUKU),
    record("KANA", "kana", "木村　京子", "1977-02-20", 氏名フリガナ="キムラ　キヨウコ", 性別="2",
           住所=UMEDA),
    record("ADDR", "address", "加藤　浩", "1966-08-08", 氏名フリガナ="カトウ　ヒロシ", 性別="1",
           住所="大阪府大阪市北区梅田2-1-1"),
    # EXPLAINED
    record("MOVED", "moved", "斉藤　和也", "1981-01-15", 性別="1",
           住所="東京都杉並区阿佐谷南一丁目1番1号", 紐付け日="2019-04-01"),
    record("RENAMED", "renamed", "田中　美咲", "1990-07-07", 氏名フリガナ="タナカ　ミサキ",
           性別="2", 住所=SHINJUKU, 紐付け日="2019-04-01"),
    record("RENAMED_WEAK", "renamed_weak", "小林　由美", "1988-03-30", 性別="2", 住所=UMEDA,
           紐付け日="2020-01-15"),
    record("MOVED_WEAK", "moved_weak", "小松　慎吾", "1972-12-12", 性別="1", 住所=SENDAI,
           紐付け日="2021-06-01", 紐付け方法="申請書記載"),
    record("MOVED_PARTIAL", "moved_partial", "大野　早苗", "1969-04-04", 性別="2", 住所=SENDAI,
           紐付け日="2021-06-01", 紐付け方法="住基ネット照会(一部情報)"),
    record("RENAMED_NOT", "renamed_not", "吉田　裕子", "1984-08-28", 性別="2", 住所=SAPPORO,
           紐付け日="2020-01-15"),
    record("MOVED_BEFORE", "moved_before", "宮崎　浩二", "1977-07-17", 性別="1", 住所=UMEDA,
           紐付け日="2021-06-01", 紐付け方法="申請書記載"),
    # REVIEW
    record("NAME_DIFF", "name_diff", "中村　大介", "1985-09-09", 性別="1", 住所=SENDAI),
    record("KANA_DIFF", "kana_diff", "松本　翔", "1995-05-05", 氏名フリガナ="マツモト　カケル",
           性別="1", 住所=SENDAI),
    record("BIRTH_DIFF", "birth_diff", "井上　真一", "1965-02-17", 性別="1", 住所=SENDAI),
    record("SEX_DIFF", "sex_diff", "林　薫", "1979-10-10", 性別="1", 住所=NAGOYA),
    record("ADDRESS_DIFF", "address_diff", "清水　誠", "1962-06-06", 性別="1",
           住所="北海道函館市若松町12番5号"),
    record("REMOVED", "removed", "森　和夫", "1940-01-01", 性別="1", 住所=NAGOYA),
    record("GAIJI", "gaiji", "斎〓　隆", "1958-11-11", 性別="1", 住所=NAGOYA),
    record("REPEATED", "repeated", "岡田　修", "1973-03-03", 性別="1", 住所=SAPPORO),
    # SUSPECT
    record("FAMILY", "husband", "山田　花子", "1982-06-15", 氏名フリガナ="ヤマダ　ハナコ",
           性別="2", 住所=SAPPORO),
    record("HOMONYM", "homonym_a", "田中　一郎", "1950-01-01", 性別="1", 住所=NAGOYA),
    record("HOMONYM_NO_ADDRESS", "namesake_a", "渡辺　明", "1960-03-03", 性別="1"),
    record("SHIFT_1", "shift_1", "青木　茂", "1955-05-15", 性別="1", 住所=SENDAI,
           登録バッチ="B7", 登録順="1"),
    record("SHIFT_2", "shift_3", "村上　千尋", "1983-08-18", 性別="2", 住所=UMEDA,
           登録バッチ="B7", 登録順="2"),
    record("SHIFT_3", "shift_3", "近藤　勝利", "1949-09-29", 性別="1", 住所=TENJIN,
           登録バッチ="B7", 登録順="3"),
    record("CARRY_1", "carry_1", "石川　陽子", "1991-01-11", 性別="2", 住所=NAGOYA,
           登録端末="T3", 登録者="U1", 登録日時="2021-05-10T10:00:00", 登録順="1"),
    record("CARRY_2", "carry_1", "前田　剛", "1968-06-26", 性別="1", 住所=SAPPORO,
           登録端末="T3", 登録者="U1", 登録日時="2021-05-10T10:07:00", 登録順="2"),
    record("DUP_AGREES", "dup_owner", "小川　直樹", "1987-02-02", 性別="1", 住所=SHINJUKU),
    record("DUP_DISAGREES", "dup_owner", "小川　直人", "1987-02-02", 性別="1", 住所=TENJIN),
    record("TWO_ITEMS", "two_items", "藤田　勇", "1961-01-20", 性別="2"),
    # INVALID
    record("NOT_IN_REGISTER", None, "長谷川　恵", "1993-12-24", 性別="2", 住所=SENDAI,
           個人番号=N["absent"]),
    record("CHECK_DIGIT", None, "長谷川　恵", "1993-12-24", 性別="2", 住所=SENDAI,
           個人番号=wrong_check_digit(N["checkdigit_base"])),
    record("EXCEL", None, "長谷川　恵", "1993-12-24", 性別="2", 個人番号="1.23457E+11"),
    record("SHORT", None, "長谷川　恵", "1993-12-24", 性別="2", 個人番号=N["elsewhere"][1:]),
    record("LETTERS", None, "長谷川　恵", "1993-12-24", 性別="2",
           個人番号=N["elsewhere"][:6] + "AB" + N["elsewhere"][8:]),
    # folded numbers: noted in 説明, otherwise MATCH
    record("WIDE", None, "後藤　光", "2001-04-01", 性別="1", 住所=TENJIN,
           個人番号=N["wide"].translate(str.maketrans("0123456789", "０１２３４５６７８９"))),
    record("GROUPED", None, "坂本　舞", "1999-09-19", 性別="2", 住所=NAGOYA,
           個人番号=f"{N['grouped'][:4]}-{N['grouped'][4:8]}-{N['grouped'][8:]}"),
    record("GROUPED_SPACE", None, "野口　蓮", "2003-03-13", 性別="1", 住所=SENDAI,
           個人番号=f"{N['grouped_space'][:4]} {N['grouped_space'][4:8]} {N['grouped_space'][8:]}"),
]  # fmt: skip


@pytest.fixture(scope="module")
def run(tmp_path_factory: pytest.TempPathFactory) -> Run:
    return run_rows(tmp_path_factory.mktemp("verdicts"), REGISTER, RECORDS)


def line_of(record_id: str) -> int:
    """The physical line of a case in records.csv (header is line 1, one line per record)."""
    return 2 + [r["レコード番号"] for r in RECORDS].index(record_id)


def assert_case(
    run: Run,
    record_id: str,
    verdict: str,
    first: str | None = None,
    *,
    present: tuple[str, ...] = (),
    absent: tuple[str, ...] = (),
    candidate: str | None = None,
    says: tuple[str, ...] = (),
) -> dict[str, str]:
    row = run[record_id]
    codes = reasons(row)
    assert row["判定"] == verdict, row
    assert row["要確認"] == ("1" if verdict in FLAGGED else "0"), row
    if first is not None:
        assert codes and codes[0] == first, row
    for code in present:
        assert code in codes, row
    for code in absent:
        assert code not in codes, row
    if candidate is not None:
        assert row["候補個人番号"] == candidate, row
    for fragment in says:
        assert fragment in row["説明"], row
    return row


# --- MATCH ------------------------------------------------------------------------------------


def test_mechanical_differences_only_are_a_match(run: Run) -> None:
    """Spacing, hiragana reading, date format and sex code: canonicalisation only."""
    row = assert_case(run, "MATCH", "MATCH", candidate="")
    assert row["理由"] == "" and row["リスク"] == "0"


def test_era_date_half_width_reading_and_latin_sex_code_are_a_match(run: Run) -> None:
    row = assert_case(run, "MATCH_ERA", "MATCH", candidate="")
    assert row["理由"] == ""


# --- NOTATION ---------------------------------------------------------------------------------


def test_kanji_variant_form_is_notation(run: Run) -> None:
    assert_case(run, "KANJI", "NOTATION", "KANJI_VARIANT", candidate="", says=("髙",))


def test_legacy_kana_spelling_is_notation(run: Run) -> None:
    assert_case(run, "KANA", "NOTATION", "KANA_VARIANT", candidate="", says=("キヨウコ",))


def test_address_written_as_numbers_without_prefecture_is_notation(run: Run) -> None:
    assert_case(run, "ADDR", "NOTATION", "ADDRESS_NOTATION", candidate="")


# --- EXPLAINED --------------------------------------------------------------------------------


def test_address_that_is_a_previous_address_is_explained_as_moved(run: Run) -> None:
    assert_case(run, "MOVED", "EXPLAINED", "MOVED", absent=("ADDRESS_DIFF",), candidate="",
                says=("前住所",))  # fmt: skip


def test_name_that_is_a_former_name_is_explained_as_name_changed(run: Run) -> None:
    assert_case(run, "RENAMED", "EXPLAINED", "NAME_CHANGED",
                absent=("NAME_DIFF", "KANA_DIFF"), candidate="", says=("田中",))  # fmt: skip


def test_name_change_after_linkage_with_same_given_name_is_explained(run: Run) -> None:
    assert_case(run, "RENAMED_WEAK", "EXPLAINED", "NAME_CHANGED", absent=("NAME_DIFF",),
                candidate="", says=("氏名変更日",))  # fmt: skip


def test_name_change_after_linkage_does_not_explain_a_different_given_name(run: Run) -> None:
    assert_case(run, "RENAMED_NOT", "REVIEW", "NAME_DIFF", absent=("NAME_CHANGED",))


def test_move_after_linkage_without_previous_addresses_is_explained(run: Run) -> None:
    assert_case(run, "MOVED_WEAK", "EXPLAINED", "MOVED", absent=("ADDRESS_DIFF",),
                candidate="", says=("住所異動日",))  # fmt: skip


def test_move_after_a_partial_information_query_is_only_review(run: Run) -> None:
    assert_case(run, "MOVED_PARTIAL", "REVIEW", "ADDRESS_DIFF")


def test_move_before_linkage_explains_nothing(run: Run) -> None:
    assert_case(run, "MOVED_BEFORE", "REVIEW", "ADDRESS_DIFF", absent=("MOVED",))


# --- REVIEW -----------------------------------------------------------------------------------


def test_one_character_name_difference_is_review(run: Run) -> None:
    """The register has 世帯番号 and the entry's household holds no one else: nothing points
    to another person (spec §7 FAMILY_MEMBER needs the same 世帯番号 where the register has it)."""
    assert_case(run, "NAME_DIFF", "REVIEW", "NAME_DIFF", absent=("FAMILY_MEMBER",),
                candidate="", says=("大介",))  # fmt: skip


def test_reading_difference_is_review(run: Run) -> None:
    assert_case(run, "KANA_DIFF", "REVIEW", "KANA_DIFF", candidate="", says=("カケル",))


def test_birth_date_difference_is_review(run: Run) -> None:
    """Same name, same address, a birth date one digit off: a typo, not a household member."""
    assert_case(run, "BIRTH_DIFF", "REVIEW", "BIRTHDATE_DIFF", absent=("FAMILY_MEMBER",),
                candidate="", says=("1965-02-17",))  # fmt: skip


def test_sex_difference_is_review(run: Run) -> None:
    assert_case(run, "SEX_DIFF", "REVIEW", "SEX_DIFF", candidate="")


def test_unexplained_address_difference_is_review(run: Run) -> None:
    assert_case(run, "ADDRESS_DIFF", "REVIEW", "ADDRESS_DIFF", candidate="")


def test_removed_entry_is_review(run: Run) -> None:
    assert_case(run, "REMOVED", "REVIEW", "REMOVED", says=("死亡",))


def test_gaiji_in_the_record_name_is_review(run: Run) -> None:
    assert_case(run, "GAIJI", "REVIEW", "GAIJI", absent=("NAME_DIFF",))


def test_number_held_twice_by_the_register_is_review(run: Run) -> None:
    assert_case(run, "REPEATED", "REVIEW", "REGISTER_NUMBER")
    assert run.summary["warnings"]["register_duplicate_numbers"] == 1


# --- SUSPECT ----------------------------------------------------------------------------------


def test_wife_linked_to_her_husbands_number_is_family_member(run: Run) -> None:
    assert_case(run, "FAMILY", "SUSPECT", "FAMILY_MEMBER", candidate=N["wife"])


def test_namesake_at_the_records_address_makes_homonym(run: Run) -> None:
    assert_case(run, "HOMONYM", "SUSPECT", "HOMONYM", candidate=N["homonym_b"])


def test_record_without_address_whose_entry_has_a_namesake_is_at_least_review(run: Run) -> None:
    row = run["HOMONYM_NO_ADDRESS"]
    assert row["判定"] in ("REVIEW", "SUSPECT") and row["要確認"] == "1"
    assert "HOMONYM" in reasons(row)


def test_number_of_the_next_row_in_the_batch_is_row_shift(run: Run) -> None:
    assert_case(run, "SHIFT_2", "SUSPECT", "ROW_SHIFT", candidate=N["shift_2"])
    for neighbour in ("SHIFT_1", "SHIFT_3"):
        assert_case(run, neighbour, "MATCH", absent=("ROW_SHIFT", "DUPLICATE_NUMBER"))


def test_previous_visitors_number_on_the_same_terminal_is_carry_over(run: Run) -> None:
    assert_case(run, "CARRY_2", "SUSPECT", "CARRY_OVER", candidate=N["carry_2"])
    assert_case(run, "CARRY_1", "MATCH", absent=("CARRY_OVER", "DUPLICATE_NUMBER"))


def test_duplicate_number_is_suspect_only_on_the_record_that_disagrees(run: Run) -> None:
    assert_case(run, "DUP_DISAGREES", "SUSPECT", "DUPLICATE_NUMBER")
    agrees = assert_case(run, "DUP_AGREES", "MATCH", absent=("DUPLICATE_NUMBER",), candidate="")
    assert "番号" in agrees["説明"]  # the note, without a change of verdict


def test_two_identity_items_differing_is_suspect(run: Run) -> None:
    assert_case(run, "TWO_ITEMS", "SUSPECT", present=("BIRTHDATE_DIFF", "SEX_DIFF"))


# --- INVALID ----------------------------------------------------------------------------------


def test_number_not_in_register_is_invalid_with_the_best_fitting_resident(run: Run) -> None:
    assert_case(run, "NOT_IN_REGISTER", "INVALID", "NOT_IN_REGISTER", candidate=N["elsewhere"])


def test_failing_check_digit_is_invalid(run: Run) -> None:
    assert_case(run, "CHECK_DIGIT", "INVALID", "CHECK_DIGIT", says=("チェックデジット",))


@pytest.mark.parametrize("record_id", ["EXCEL", "SHORT", "LETTERS"])
def test_malformed_numbers_are_invalid_and_say_where(run: Run, record_id: str) -> None:
    assert_case(run, record_id, "INVALID", "MALFORMED",
                says=(f"{line_of(record_id)}行目", "「個人番号」"))  # fmt: skip


def test_excel_damage_is_named_and_not_repaired(run: Run) -> None:
    row = assert_case(run, "EXCEL", "INVALID", "MALFORMED", says=("1.23457E+11",))
    assert "CHECK_DIGIT" not in reasons(row) and "NOT_IN_REGISTER" not in reasons(row)


@pytest.mark.parametrize(
    ("record_id", "note"), [("WIDE", "全角"), ("GROUPED", "区切り"), ("GROUPED_SPACE", "区切り")]
)
def test_full_width_and_grouped_numbers_are_folded_with_a_note(
    run: Run, record_id: str, note: str
) -> None:
    row = assert_case(run, record_id, "MATCH", candidate="", says=(note,))
    assert row["理由"] == ""


# --- across all cases -------------------------------------------------------------------------


def test_every_case_has_one_row_in_input_order(run: Run) -> None:
    assert [r["レコード番号"] for r in run.rows] == [r["レコード番号"] for r in RECORDS]


def test_risk_ranks_verdicts_by_band(run: Run) -> None:
    by_verdict: dict[str, list[int]] = {}
    for row in run.rows:
        by_verdict.setdefault(row["判定"], []).append(int(row["リスク"]))
    assert set(by_verdict) == {"MATCH", "NOTATION", "EXPLAINED", "REVIEW", "SUSPECT", "INVALID"}
    ladder = ["MATCH", "NOTATION", "EXPLAINED", "REVIEW", "SUSPECT"]
    for lower, higher in itertools.pairwise(ladder):
        assert max(by_verdict[lower]) < min(by_verdict[higher]), (lower, higher, by_verdict)
    assert max(by_verdict["REVIEW"]) < min(by_verdict["INVALID"])
    assert by_verdict["MATCH"] == [0] * len(by_verdict["MATCH"])


def test_candidate_only_on_flagged_rows(run: Run) -> None:
    for row in run.rows:
        if row["判定"] not in FLAGGED:
            assert row["候補個人番号"] == "", row
