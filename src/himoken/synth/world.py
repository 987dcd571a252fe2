"""Generate a synthetic prefecture: register, business extracts, truth files and manifest.

The world is made in chunks of `chunk_size` residents. Each chunk has its own random stream
derived from (seed, chunk), so the output depends on the seed alone — not on how many worker
processes made it — and chunks can be made in parallel and streamed to disk in order: memory
stays flat however many residents are asked for.
"""

from __future__ import annotations

import csv
import io
import json
import os
import random
from collections import Counter
from collections.abc import Callable, Iterator
from concurrent.futures import Future, ProcessPoolExecutor
from dataclasses import asdict, dataclass, field
from pathlib import Path

import numpy as np

from himoken import __version__
from himoken.gcpause import gc_paused
from himoken.synth import errors as err
from himoken.synth.businesses import BUSINESSES, Business, Linkage, choose_clients, link
from himoken.synth.draws import pick
from himoken.synth.notation import (
    DATE_STYLES,
    overflowed_era,
    record_address,
    record_kana,
    record_name,
    render_date,
    render_sex,
    to_full_width,
)
from himoken.synth.numbers import NumberSpace
from himoken.synth.people import SNAPSHOT, PeopleFactory, Person

CHUNK_SIZE = 25_000
ENCODINGS = ("utf-8", "cp932")
DEFAULT_RECORDS_PER_RESIDENT = 0.8
# Base rate of each kind of benign notation difference: about a third of correct records then
# differ from the register somehow, as exact comparison found in 2023.
DEFAULT_NOTATION_RATE = 0.04
# Residents given a 同姓同名 namesake with the same birth date, beyond the name pool's own.
DEFAULT_HOMONYM_RATE = 0.0001
_UNDECODABLE_MARK = "\x00"  # replaced by bytes no decoder accepts, after encoding
_UNDECODABLE_BYTES = b"\x85\x40"  # invalid in CP932 (unassigned row 0x85) and UTF-8

REGISTER_COLUMNS = (
    "個人番号",
    "氏名",
    "氏名フリガナ",
    "生年月日",
    "性別",
    "住所",
    "世帯番号",
    "続柄",
    "旧氏名",
    "旧氏名フリガナ",
    "氏名変更日",
    "旧氏",
    "通称",
    "前住所",
    "住所異動日",
    "消除事由",
)
RECORD_COLUMNS = (
    "レコード番号",
    "個人番号",
    "氏名",
    "氏名フリガナ",
    "生年月日",
    "性別",
    "住所",
    "紐付け日",
    "紐付け方法",
    "登録者",
    "登録端末",
    "登録日時",
    "登録バッチ",
    "登録順",
    "申請書番号",
)
TRUTH_COLUMNS = (
    "行番号",
    "レコード番号",
    "正しい個人番号",
    "紐付け個人番号",
    "誤り種別",
    "誤り詳細",
    "表記差異",
    "経緯",
    "要確認",
)


@dataclass(frozen=True)
class SynthOptions:
    residents: int
    seed: int = 1
    encoding: str = "utf-8"
    prefecture: str = "大阪府"
    records: int | None = None  # total records over all extracts; default 0.8 per resident
    error_rates: dict[str, float] = field(default_factory=lambda: dict(err.DEFAULT_RATES))
    notation_rate: float = DEFAULT_NOTATION_RATE
    homonym_rate: float = DEFAULT_HOMONYM_RATE
    workers: int = 0  # 0: one per core, at most one per chunk
    chunk_size: int = CHUNK_SIZE  # residents per chunk; part of what the seed reproduces

    def __post_init__(self) -> None:
        if self.residents < 1:
            raise ValueError("--residents must be at least 1")
        if self.encoding not in ENCODINGS:
            raise ValueError(f"--encoding must be one of {', '.join(ENCODINGS)}")
        unknown = set(self.error_rates) - set(err.ERROR_TYPES)
        if unknown:
            raise ValueError(
                f"unknown error type(s): {', '.join(sorted(unknown))}; "
                f"known: {', '.join(err.ERROR_TYPES)}"
            )
        if any(not 0 <= r <= 1 for r in self.error_rates.values()):
            raise ValueError("error rates must be between 0 and 1")
        if not 1 <= self.chunk_size <= 99_999:  # ids give a chunk 5 digits of local counters
            raise ValueError("chunk size must be between 1 and 99,999")
        if self.records is not None and self.records < 0:
            raise ValueError("--records must not be negative")

    @property
    def total_records(self) -> int:
        if self.records is not None:
            return self.records
        return round(self.residents * DEFAULT_RECORDS_PER_RESIDENT)

    @property
    def chunks(self) -> int:
        return -(-self.residents // self.chunk_size)


@dataclass
class ChunkOutput:
    register: bytes
    records: dict[str, bytes]
    truth: dict[str, bytes]  # CSV lines without their leading 行番号, which needs the offset
    counts: dict[str, Counter]


# ------------------------------------------------------------------ one chunk


def _records_in_chunk(options: SynthOptions, first: int, size: int) -> int:
    """This chunk's part of all records, in proportion to its residents (parts sum exactly)."""
    total, residents = options.total_records, options.residents
    return total * (first + size) // residents - total * first // residents


def make_chunk(options: SynthOptions, chunk: int) -> ChunkOutput:
    """One chunk of the world. The cyclic GC is paused meanwhile: a chunk allocates ~10^5
    objects that live until its end (households reference their members), and repeated full
    collections over them cost ~15% of the run. One collection at the end frees them."""
    with gc_paused(collect_after=True):
        return _make_chunk(options, chunk)


def _make_chunk(options: SynthOptions, chunk: int) -> ChunkOutput:
    rng = random.Random(f"himoken-synth:{options.seed}:{chunk}")
    first = chunk * options.chunk_size
    size = min(options.chunk_size, options.residents - first)
    factory = PeopleFactory(rng, options.prefecture, chunk)
    people: list[Person] = []
    while len(people) < size:
        people.extend(factory.household(first + len(people)))
    if len(people) > size:  # the last household was cut at the chunk's end
        del people[size:]
        for p in people[-1].members:
            p.members = [m for m in p.members if m.index < first + size]
    space = NumberSpace(options.seed)
    for person, number in zip(people, space.numbers(np.arange(first, first + size)), strict=True):
        person.number = number
    _add_coincidental_namesakes(people, options.homonym_rate, rng)

    chunk_records = _records_in_chunk(options, first, size)
    linkages: list[Linkage] = []
    per_business: dict[str, list[Linkage]] = {}
    for business in BUSINESSES:
        count = round(chunk_records * business.share)
        clients = choose_clients(business, people, count, rng)
        per_business[business.slug] = link(business, clients, chunk, rng)
        linkages.extend(per_business[business.slug])

    injector = err.Injector(linkages, people, space, chunk, rng)
    injector.inject(options.error_rates, len(linkages))

    records: dict[str, bytes] = {}
    truth: dict[str, bytes] = {}
    counts: dict[str, Counter] = {}
    for business in BUSINESSES:
        rows, truth_rows, counter = _render_business(
            business, per_business[business.slug], injector.malformed, options, rng
        )
        records[business.slug] = _encode_rows(rows, options.encoding)
        truth[business.slug] = _csv_text(truth_rows).encode("utf-8")
        counts[business.slug] = counter
    register = _encode_rows([_register_row(p) for p in people], options.encoding)
    return ChunkOutput(register, records, truth, counts)


def _add_coincidental_namesakes(people: list[Person], rate: float, rng: random.Random) -> None:
    """同姓同名 with the same birth date by chance: a resident living alone takes the name,
    birth date and sex of another resident (beyond those the name pool makes by itself)."""
    singles = [
        p
        for p in people
        if len(p.members) == 1 and not p.foreign and not p.former_names and not p.removal
    ]
    for _ in range(int(len(people) * rate + rng.random())):
        if len(singles) < 2:
            return
        twin = singles.pop(int(rng.random() * len(singles)))
        model = pick(rng, people)
        # Adults only: the namesake lives alone.
        if model is not twin and not model.foreign and model.age >= 18:
            twin.become_namesake_of(model)


def _render_business(
    business: Business,
    linkages: list[Linkage],
    malformed: dict[int, str],
    options: SynthOptions,
    rng: random.Random,
) -> tuple[list[list[str]], list[tuple], Counter]:
    rows: list[list[str]] = []
    truth: list[tuple] = []
    counter: Counter = Counter()
    rate = options.notation_rate
    for x in linkages:
        row, notations, history = _record_row(business, x, rate, rng)
        has_address = bool(row[6])
        detail = ""
        kind = malformed.get(id(x))
        if kind == "DUPLICATE_ID" and not rows:
            kind = "MISSING_FIELDS"
        if kind == "UNDECODABLE":
            row[2] = row[2][:1] + _UNDECODABLE_MARK + row[2][1:]
        elif kind == "MISSING_FIELDS":
            row = row[:5]
        elif kind == "DUPLICATE_ID":
            row[0] = rows[-1][0]
        if kind:
            detail = kind
        elif x.error == err.EXCEL_DAMAGE:
            detail = "LOST_LEADING_ZERO" if "E" not in x.number else "EXPONENT"
        person = x.person
        # What spec §6 sends to a person: a wrong or damaged number, 外字, a removed entry,
        # or a record without address whose name and birth date another resident shares.
        needs_review = bool(
            x.error
            or "GAIJI" in notations
            or person.removal
            or (person.namesake and not has_address)
        )
        rows.append(row)
        truth.append(
            (
                row[0],
                person.number,
                x.number,
                x.error,
                detail,
                ";".join(notations),
                ";".join(history),
                "1" if needs_review else "0",
            )
        )
        counter["records"] += 1
        counter["needs_review"] += needs_review
        if x.error:
            counter[x.error] += 1
    return rows, truth, counter


def _record_row(
    business: Business, x: Linkage, rate: float, rng: random.Random
) -> tuple[list[str], list[str], list[str]]:
    """The record as the business system holds it, its notation codes and history codes."""
    person = x.person
    history: list[str] = []
    name = person.name_on(x.day)
    if name is not person.name:
        history.append("NAME_CHANGED")
    address = person.address_on(x.day)
    if address is not person.address:
        history.append("MOVED")

    name_text, notations = record_name(name, person.alias, rng, rate)
    kana_text = ""
    if rng.random() < business.kana_rate:
        kana_text, codes = record_kana(name, rng, rate)
        notations += codes

    style = business.date_style
    if rng.random() < rate:
        style = pick(rng, [s for s in DATE_STYLES if s != style])
        notations.append("DATE_FORMAT")
    overflow = (
        business.era_not_updated > 0
        and person.birth.known
        and overflowed_era(person.birth.as_date()) is not None
        and style.startswith(("wareki", "era"))
        and rng.random() < business.era_not_updated
    )
    if overflow:
        notations.append("DATE_ERA_OVERFLOW")
    birth_text = render_date(person.birth, style, overflow)

    address_text = ""
    if rng.random() < business.address_rate:
        address_text, codes = record_address(address, rng, rate)
        notations += codes

    number_text = x.number
    if not x.error and rng.random() < rate * 0.2:
        if rng.random() < 0.5:
            number_text = to_full_width(number_text)
            notations.append("NUMBER_FULL_WIDTH")
        else:
            number_text = f"{number_text[:4]}-{number_text[4:8]}-{number_text[8:]}"
            notations.append("NUMBER_GROUPED")

    day = x.day.isoformat()
    row = [
        x.record_id,
        number_text,
        name_text,
        kana_text,
        birth_text,
        render_sex(person.sex, business.sex_style),
        address_text,
        day,
        x.method,
        x.operator,
        x.terminal,
        f"{day} {x.time.isoformat()}",
        x.batch,
        str(x.order) if x.order else "",
        x.application,
    ]
    return row, notations, history


def _register_row(p: Person) -> list[str]:
    return [
        p.number,
        p.name.register_form(),
        p.name.register_kana(),
        p.birth.register_form(),
        str(p.sex),
        p.address.text,
        p.household,
        p.relation,
        ";".join([n.register_form() for n in p.former_names]) if p.former_names else "",
        ";".join([n.register_kana() for n in p.former_names]) if p.former_names else "",
        p.name_date.isoformat() if p.name_date else "",
        p.former_surname_shown,
        p.alias,
        ";".join([a.text for a in p.previous_addresses]) if p.previous_addresses else "",
        p.address_date.isoformat() if p.address_date else "",
        p.removal,
    ]


def _csv_text(rows: list) -> str:
    buffer = io.StringIO()
    csv.writer(buffer, lineterminator="\r\n").writerows(rows)
    return buffer.getvalue()


def _encode_rows(rows: list[list[str]], encoding: str) -> bytes:
    data = _csv_text(rows).encode(encoding)
    return data.replace(_UNDECODABLE_MARK.encode(encoding), _UNDECODABLE_BYTES)


# ------------------------------------------------------------------ the whole world


def _chunk_outputs(options: SynthOptions) -> Iterator[ChunkOutput]:
    """Chunk outputs in order; with several workers at most 2 per worker are in flight."""
    workers = options.workers or min(os.cpu_count() or 1, options.chunks)
    if workers <= 1 or options.chunks == 1:
        for chunk in range(options.chunks):
            yield make_chunk(options, chunk)
        return
    with ProcessPoolExecutor(max_workers=workers) as pool:
        pending: list[Future[ChunkOutput]] = []
        next_chunk = 0
        while next_chunk < options.chunks or pending:
            while next_chunk < options.chunks and len(pending) < workers * 2:
                pending.append(pool.submit(make_chunk, options, next_chunk))
                next_chunk += 1
            yield pending.pop(0).result()


def generate(
    options: SynthOptions, out: Path, progress: Callable[[int, int], None] | None = None
) -> dict:
    """Write the world to `out` and return its manifest. `progress(done, total)` per chunk."""
    out.mkdir(parents=True, exist_ok=True)
    manifest_path = out / "manifest.json"
    manifest_path.unlink(missing_ok=True)  # a manifest marks a finished world
    header = _csv_text([REGISTER_COLUMNS]).encode(options.encoding)
    record_header = _csv_text([RECORD_COLUMNS]).encode(options.encoding)
    totals = {b.slug: Counter() for b in BUSINESSES}
    rows_written = dict.fromkeys(totals, 0)
    files = {}
    try:
        register = (out / "register.csv").open("wb")
        files["register"] = register
        register.write(header)
        for business in BUSINESSES:
            folder = out / business.slug
            folder.mkdir(exist_ok=True)
            files[business.slug] = (folder / "records.csv").open("wb")
            files[business.slug].write(record_header)
            truth = (folder / "truth.csv").open("wb")
            files[business.slug + "/truth"] = truth
            truth.write(_csv_text([TRUTH_COLUMNS]).encode("utf-8"))
        for done, output in enumerate(_chunk_outputs(options), start=1):
            register.write(output.register)
            for slug, data in output.records.items():
                files[slug].write(data)
                lines = output.truth[slug].split(b"\r\n")[:-1]
                first = rows_written[slug] + 1
                files[slug + "/truth"].write(
                    b"".join(b"%d,%s\r\n" % (n, line) for n, line in enumerate(lines, first))
                )
                rows_written[slug] += len(lines)
                totals[slug].update(output.counts[slug])
            if progress:
                progress(done, options.chunks)
    finally:
        for handle in files.values():
            handle.close()

    manifest = _manifest(options, totals)
    manifest_path.write_text(
        json.dumps(manifest, ensure_ascii=False, indent=2) + "\n", encoding="utf-8"
    )
    return manifest


def _manifest(options: SynthOptions, totals: dict[str, Counter]) -> dict:
    settings = asdict(options)
    settings["records"] = options.total_records
    del settings["workers"]  # how it was made, not what: the bytes do not depend on it
    error_totals: Counter = Counter()
    businesses = []
    for business in BUSINESSES:
        counter = totals[business.slug]
        errors = {t: counter.get(t, 0) for t in err.ERROR_TYPES}
        error_totals.update(errors)
        businesses.append(
            {
                "slug": business.slug,
                "事務": business.name,
                "system": business.system,
                "records": counter.get("records", 0),
                "needs_review": counter.get("needs_review", 0),
                "errors": errors,
                "files": {
                    "records": f"{business.slug}/records.csv",
                    "truth": f"{business.slug}/truth.csv",
                },
                "notation": {
                    "date_style": business.date_style,
                    "sex_style": business.sex_style,
                    "methods": dict(business.methods),
                },
            }
        )
    return {
        "generator": f"himoken {__version__}",
        "seed": options.seed,
        "options": settings,
        "snapshot": SNAPSHOT.isoformat(),
        "encoding": options.encoding,
        "register": {"file": "register.csv", "rows": options.residents},
        "businesses": businesses,
        "errors": dict(error_totals),
    }
