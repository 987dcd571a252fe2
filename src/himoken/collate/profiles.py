"""Profiles: how one business system's files map onto the contract (spec §1, §2, §3, §5).

Business systems name their columns their own way (宛名番号, カナ氏名), code their values their
own way (性別 1/2, 続柄 01/02), some export fixed-width CP932 only, and their 外字 live in a
vendor's private-use table. A profile, one TOML file, says all of that once, so that every
reader yields rows keyed by contract column names holding contract values, and summary.json
is labelled without retyping the organisation on every run.

Profiles are checked when loaded, not when a run is half done: an unknown key, a column the
contract lacks, an overlapping fixed-width field or a 外字 key that isn't a private-use
character is a ProfileError naming the file and the key. Shipped profiles live in
`himoken/profiles/*.toml` and are found by name (`load_profile("kokin-koza")`).
"""

from __future__ import annotations

import codecs
import re
import tomllib
from collections.abc import Mapping
from dataclasses import dataclass, field
from importlib import resources
from importlib.resources.abc import Traversable
from pathlib import Path
from typing import Any

from himoken.mynumber import looks_like_number

# Contract columns (spec §2, §3): a profile may map onto these only, so a typo is an error.
REGISTER_COLUMNS = (
    "個人番号", "氏名", "氏名フリガナ", "生年月日", "性別", "住所", "世帯番号", "続柄", "旧氏名",
    "旧氏名フリガナ", "氏名変更日", "旧氏", "通称", "前住所", "住所異動日", "消除事由",
)  # fmt: skip
RECORD_COLUMNS = (
    "レコード番号", "個人番号", "氏名", "氏名フリガナ", "生年月日", "性別", "住所", "紐付け日",
    "紐付け方法", "登録者", "登録端末", "登録日時", "登録バッチ", "登録順", "申請書番号",
)  # fmt: skip

_TOP_KEYS = frozenset({"labels", "records", "register", "gaiji"})
_LABEL_KEYS = ("organisation_code", "organisation_name", "business", "system")
_LAYOUT_KEYS = frozenset({"encoding", "delimiter", "sheet", "columns", "codes", "fixed_width"})
_FIELD_KEYS = frozenset({"column", "start", "length"})
# The same check the summary schema makes of organisation.code (schemas/summary-1.json).
_ORGANISATION_CODE = re.compile(r"[0-9A-Za-z][0-9A-Za-z_-]{0,31}")


class ProfileError(Exception):
    """A profile that cannot be used; str() is one line naming the file and the key."""


@dataclass(frozen=True, slots=True)
class FixedField:
    column: str  # source name; the profile's [*.columns] may rename it
    start: int  # 0-based byte offset
    length: int  # bytes

    @property
    def end(self) -> int:
        return self.start + self.length


@dataclass(frozen=True, slots=True)
class FileLayout:
    """How to read one input (RECORDS or REGISTER); every part optional."""

    encoding: str | None = None  # None: detect (spec §5); fixed width defaults to cp932
    delimiter: str | None = None
    sheet: str | None = None  # XLSX: None is the first sheet
    columns: Mapping[str, str] = field(default_factory=dict)  # source name -> contract name
    # contract column -> {source value -> contract value}; values not listed pass unchanged
    codes: Mapping[str, Mapping[str, str]] = field(default_factory=dict)
    fixed_width: tuple[FixedField, ...] | None = None  # byte layout, in file order


@dataclass(frozen=True, slots=True)
class Labels:
    """What summary.json is labelled with (spec §8); the command line may override each."""

    organisation_code: str | None = None
    organisation_name: str | None = None
    business: str | None = None
    system: str | None = None


@dataclass(frozen=True, slots=True)
class Profile:
    labels: Labels = field(default_factory=Labels)
    records: FileLayout = field(default_factory=FileLayout)
    register: FileLayout = field(default_factory=FileLayout)
    gaiji: Mapping[str, str] = field(default_factory=dict)  # private-use char -> standard text
    same_gaiji_table: bool = False  # both sides use one vendor table: compare code points as is
    source: str | None = None  # the file it was loaded from, for messages


def is_private_use(char: str) -> bool:
    """U+E000–U+F8FF or planes 15–16 (spec §5)."""
    code = ord(char)
    return 0xE000 <= code <= 0xF8FF or code >= 0xF0000


def shipped_profiles() -> list[str]:
    """Names of the profiles shipped with himoken."""
    folder = _shipped()
    return sorted(
        p.name.removesuffix(".toml") for p in folder.iterdir() if p.name.endswith(".toml")
    )


def profile_path(name: str) -> Path:
    """The file of a shipped profile, by name (`kokin-koza`)."""
    candidate = _shipped() / f"{name}.toml"
    if not candidate.is_file():
        known = "、".join(shipped_profiles())
        raise ProfileError(f"プロファイル「{name}」は同梱されていない(同梱: {known})")
    return Path(str(candidate))


def load_profile(source: str | Path) -> Profile:
    """A profile from a TOML file, or a shipped profile by name."""
    path = Path(source)
    if not isinstance(source, Path) and not path.exists() and _looks_like_name(str(source)):
        path = profile_path(str(source))
    try:
        text = path.read_bytes().decode("utf-8-sig")
    except OSError as error:
        raise ProfileError(f"{path}: 読めない({error.strerror or error})") from error
    except UnicodeDecodeError as error:
        raise ProfileError(f"{path}: UTF-8で書かれていない(TOMLはUTF-8)") from error
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as error:
        raise ProfileError(f"{path}: TOMLとして読めない({error})") from error
    return _profile(data, _Checker(str(path)))


def _shipped() -> Traversable:
    return resources.files("himoken") / "profiles"


def _looks_like_name(text: str) -> bool:
    return not text.endswith(".toml") and "/" not in text and "\\" not in text


class _Checker:
    """Raises ProfileError naming the file and the key."""

    def __init__(self, source: str) -> None:
        self.source = source

    def fail(self, key: str, reason: str) -> ProfileError:
        return ProfileError(f"{self.source}: {key}: {reason}")

    def table(self, value: Any, key: str, allowed: frozenset[str] | None = None) -> dict:
        if not isinstance(value, dict):
            raise self.fail(key, "表(テーブル)でなければならない")
        if allowed is not None:
            unknown = sorted(set(value) - allowed)
            if unknown:
                known = "、".join(sorted(allowed))
                raise self.fail(key, f"知らないキー「{'」「'.join(unknown)}」(使えるのは {known})")
        return value

    def text(self, value: Any, key: str) -> str:
        if not isinstance(value, str) or not value:
            raise self.fail(key, "空でない文字列でなければならない")
        return value

    def integer(self, value: Any, key: str, minimum: int) -> int:
        if isinstance(value, bool) or not isinstance(value, int) or value < minimum:
            raise self.fail(key, f"{minimum}以上の整数でなければならない")
        return value


def _profile(data: dict, check: _Checker) -> Profile:
    check.table(data, "(最上位)", _TOP_KEYS)
    gaiji, same = _gaiji(data.get("gaiji", {}), check)
    return Profile(
        labels=_labels(data.get("labels", {}), check),
        records=_layout(data.get("records", {}), "records", RECORD_COLUMNS, check),
        register=_layout(data.get("register", {}), "register", REGISTER_COLUMNS, check),
        gaiji=gaiji,
        same_gaiji_table=same,
        source=check.source,
    )


def _labels(value: Any, check: _Checker) -> Labels:
    table = check.table(value, "labels", frozenset(_LABEL_KEYS))
    labels = {key: check.text(table[key], f"labels.{key}") for key in _LABEL_KEYS if key in table}
    code = labels.get("organisation_code")
    if code is not None and not _ORGANISATION_CODE.fullmatch(code):
        raise check.fail("labels.organisation_code", "英数字・_・- で32字まで(団体コード6桁など)")
    for key, text in labels.items():
        # Labels go into summary.json, which must never hold a number (spec §8).
        if key != "organisation_code" and looks_like_number(text):
            raise check.fail(f"labels.{key}", "個人番号のような12桁の数字がある")
    return Labels(**labels)


def _layout(value: Any, side: str, contract: tuple[str, ...], check: _Checker) -> FileLayout:
    table = check.table(value, side, _LAYOUT_KEYS)
    encoding = _encoding(table, side, check)
    delimiter = sheet = None
    if "delimiter" in table:
        delimiter = check.text(table["delimiter"], f"{side}.delimiter")
        if len(delimiter) != 1:
            raise check.fail(f"{side}.delimiter", "1文字でなければならない")
    if "sheet" in table:
        sheet = check.text(table["sheet"], f"{side}.sheet")
    columns = _columns(table.get("columns", {}), side, contract, check)
    codes = _codes(table.get("codes", {}), side, contract, check)
    fixed = _fixed_width(table["fixed_width"], side, check) if "fixed_width" in table else None
    return FileLayout(encoding, delimiter, sheet, columns, codes, fixed)


def _encoding(table: dict, side: str, check: _Checker) -> str | None:
    if "encoding" not in table:
        return None
    encoding = check.text(table["encoding"], f"{side}.encoding")
    try:
        codecs.lookup(encoding)
    except LookupError as error:
        raise check.fail(f"{side}.encoding", f"文字コード「{encoding}」を知らない") from error
    return encoding


def _columns(value: Any, side: str, contract: tuple[str, ...], check: _Checker) -> dict[str, str]:
    key = f"{side}.columns"
    table = check.table(value, key)
    seen: dict[str, str] = {}
    for source, target in table.items():
        check.text(target, f"{key}.「{source}」")
        if target not in contract:
            raise check.fail(f"{key}.「{source}」", f"「{target}」は仕様の列ではない")
        if target in seen:
            raise check.fail(key, f"「{seen[target]}」と「{source}」がどちらも「{target}」になる")
        seen[target] = source
    return dict(table)


def _codes(
    value: Any, side: str, contract: tuple[str, ...], check: _Checker
) -> dict[str, dict[str, str]]:
    codes = {}
    for column, mapping in check.table(value, f"{side}.codes").items():
        key = f"{side}.codes.{column}"
        if column not in contract:
            raise check.fail(key, f"「{column}」は仕様の列ではない")
        for code, text in check.table(mapping, key).items():
            if not isinstance(text, str):  # "" is allowed: a code meaning "none"
                raise check.fail(f"{key}.「{code}」", "文字列でなければならない")
        codes[column] = dict(mapping)
    return codes


def _fixed_width(value: Any, side: str, check: _Checker) -> tuple[FixedField, ...]:
    key = f"{side}.fixed_width"
    if not isinstance(value, list) or not value:
        raise check.fail(key, "[[" + key + "]] の項目が1つ以上必要")
    fields = []
    for i, item in enumerate(value):
        where = f"{key}[{i}]"
        table = check.table(item, where, _FIELD_KEYS)
        missing = sorted(_FIELD_KEYS - set(table))
        if missing:
            raise check.fail(where, f"「{'」「'.join(missing)}」がない")
        fields.append(
            FixedField(
                check.text(table["column"], f"{where}.column"),
                check.integer(table["start"], f"{where}.start", 0),
                check.integer(table["length"], f"{where}.length", 1),
            )
        )
    names: set[str] = set()
    previous: FixedField | None = None
    for i, item in sorted(enumerate(fields), key=lambda pair: pair[1].start):
        if item.column in names:
            raise check.fail(f"{key}[{i}].column", f"「{item.column}」が2度ある")
        names.add(item.column)
        if previous is not None and item.start < previous.end:
            raise check.fail(f"{key}[{i}]", f"「{previous.column}」と重なる")
        previous = item
    return tuple(fields)


def _gaiji(value: Any, check: _Checker) -> tuple[dict[str, str], bool]:
    table = check.table(value, "gaiji")
    same = table.get("same_table", False)
    if not isinstance(same, bool):
        raise check.fail("gaiji.same_table", "true か false")
    mapping = {}
    for char, standard in table.items():
        if char == "same_table":
            continue
        key = "gaiji.「" + " ".join(f"U+{ord(c):04X}" for c in char) + "」"  # glyphs are invisible
        if len(char) != 1 or not is_private_use(char):
            raise check.fail(key, "キーは私用領域(U+E000–U+F8FF、第15・16面)の1文字")
        check.text(standard, key)
        if any(is_private_use(c) for c in standard):
            raise check.fail(key, "値に私用領域の文字がある(標準の文字を書く)")
        mapping[char] = standard
    return mapping, same
