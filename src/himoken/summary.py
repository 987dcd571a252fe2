"""summary.json (spec §8): the one file that leaves the isolated network, and its checks.

Every producer (collation engine, review app) and consumer (progress app) validates against
the same JSON Schema, shipped in the package (`himoken/schemas/summary-1.json`), and against
what a schema cannot say: the sums of §8, and the personal-data screen — any string or key
holding a maximal run of exactly 12 digits that passes the check digit makes the document
invalid, outside the fields whose format the schema already pins down. Problems name the
place in the document, never the value: a refused number must not reach a log.
"""

from __future__ import annotations

import functools
import json
from collections.abc import Iterator
from importlib import resources
from pathlib import Path
from typing import Any

import jsonschema

from himoken.mynumber import looks_like_number

SCHEMA_ID = "himoken.summary/1"
VERDICTS = ("MATCH", "NOTATION", "EXPLAINED", "REVIEW", "SUSPECT", "INVALID")
FLAGGED_VERDICTS = ("REVIEW", "SUSPECT", "INVALID")
CAUSES = ("FAMILY_MEMBER", "HOMONYM", "CARRY_OVER", "ROW_SHIFT", "TYPO", "OTHER")
# Fields whose format the schema validates (UUID, timestamp, engine version, code): the
# personal-data screen does not apply to them (spec §8).
_FORMAT_VALIDATED = {
    ("schema",),
    ("run", "id"),
    ("run", "finished"),
    ("run", "engine"),
    ("organisation", "code"),
}


class SummaryError(ValueError):
    """A summary that must be refused; `problems` says every reason, each with its place."""

    def __init__(self, source: str, problems: list[str]) -> None:
        self.source = source
        self.problems = problems
        super().__init__(f"{source}: " + "; ".join(problems))


@functools.cache
def schema() -> dict[str, Any]:
    path = resources.files("himoken") / "schemas" / "summary-1.json"
    return json.loads(path.read_text(encoding="utf-8"))


@functools.cache
def _validator() -> jsonschema.Draft202012Validator:
    return jsonschema.Draft202012Validator(schema())


def _place(path: tuple[object, ...]) -> str:
    """A JSON path for messages; a key that looks like a number is not written out."""
    if not path:
        return "(文書全体)"
    return "/" + "/".join("(伏字)" if looks_like_number(str(p)) else str(p) for p in path)


def _strings(node: object, path: tuple[object, ...] = ()) -> Iterator[tuple[tuple, str, str]]:
    """(path, 'key' or 'value', text) for every key and string value in `node`."""
    if isinstance(node, dict):
        for key, value in node.items():
            yield (*path, key), "key", str(key)
            yield from _strings(value, (*path, key))
    elif isinstance(node, list):
        for index, value in enumerate(node):
            yield from _strings(value, (*path, index))
    elif isinstance(node, str):
        yield path, "value", node


def screen(document: object) -> list[str]:
    """Places where the document holds something that looks like an individual number."""
    problems = []
    for path, kind, text in _strings(document):
        if kind == "value" and path in _FORMAT_VALIDATED:
            continue
        if looks_like_number(text):
            what = "キー" if kind == "key" else "値"
            problems.append(f"{_place(path)}: {what}に個人番号と思われる12桁の数字がある")
    return problems


def _sums(document: dict[str, Any]) -> list[str]:
    problems = []
    verdicts, run = document["verdicts"], document["run"]
    if sum(verdicts[v] for v in VERDICTS) != run["record_rows"]:
        problems.append("/verdicts: 判定の合計が run.record_rows と一致しない")
    review, causes = document.get("review"), document.get("causes")
    if review is not None:
        flagged = sum(verdicts[v] for v in FLAGGED_VERDICTS)
        if review["flagged"] != flagged:
            problems.append("/review/flagged: REVIEW + SUSPECT + INVALID と一致しない")
        if review["flagged"] != (
            review["confirmed_right"] + review["wrong_found"] + review["in_progress"]
        ):
            problems.append(
                "/review: flagged が confirmed_right + wrong_found + in_progress と一致しない"
            )
        if review["wrong_found"] != (
            review["corrected"] + review["deleted"] + review["correction_pending"]
        ):
            problems.append(
                "/review: wrong_found が corrected + deleted + correction_pending と一致しない"
            )
        if causes is not None and review["wrong_found"] != sum(causes[c] for c in CAUSES):
            problems.append("/causes: 原因の合計が review.wrong_found と一致しない")
    return problems


def _describe(error: jsonschema.ValidationError) -> str:
    """A schema error told from the schema's side: jsonschema's own messages quote the
    offending value or key, which may be the very number being refused."""
    keyword, expected = error.validator, error.validator_value
    if keyword == "required":
        return error.message  # names a property of the schema
    if keyword == "additionalProperties":
        return "この版のスキーマにない項目がある"
    if keyword == "type":
        return f"型が違う(期待: {expected})"
    if keyword == "const":
        return f"値は {expected} でなければならない"
    if keyword in ("minimum", "maximum", "minLength", "maxLength"):
        return f"{keyword} {expected} の範囲外"
    if keyword == "propertyNames":
        return "この版で認められない項目名がある"
    if keyword == "dependentRequired":
        pairs = "、".join(f"{k}と{'・'.join(v)}" for k, v in expected.items())
        return f"組で書く項目の片方だけがある({pairs})"
    return f"{keyword} の制約に反する"


def validate(document: object) -> list[str]:
    """Every reason to refuse `document` (empty when it is a valid summary)."""
    problems = [
        f"{_place(tuple(error.absolute_path))}: {_describe(error)}"
        for error in sorted(_validator().iter_errors(document), key=lambda e: list(e.path))
    ]
    if not problems:
        problems += _sums(document)  # type: ignore[arg-type]
    # The screen runs whatever else is wrong: personal data is refused first of all.
    return screen(document) + problems


def require_valid(document: object, source: str) -> None:
    """Raise SummaryError naming `source` and every problem unless `document` is valid."""
    problems = validate(document)
    if problems:
        raise SummaryError(source, problems)


def load(path: Path) -> dict[str, Any]:
    """Read and validate a summary file; SummaryError names the file and every problem."""
    try:
        text = path.read_text(encoding="utf-8-sig")
    except (OSError, UnicodeDecodeError) as error:
        raise SummaryError(str(path), [f"読めない({error.__class__.__name__})"]) from error
    try:
        document = json.loads(text)
    except json.JSONDecodeError as error:
        raise SummaryError(
            str(path), [f"{error.lineno}行{error.colno}列: JSONとして読めない({error.msg})"]
        ) from error
    require_valid(document, str(path))
    return document
