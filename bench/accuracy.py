"""Accuracy of `himoken collate` on a synthetic world it was not tuned on (issue 4 acceptance).

    .venv/bin/python bench/accuracy.py [--world DIR] [--residents N] [--seed S] [--rate R]

Generates a world with every injected error type raised (unless --world is given), runs the
engine on each extract through the command line contract, and prints per injected type:
recall of 要確認, the share where the expected reason is named in 理由, and true-owner top-1
(候補個人番号 = the true owner's number); then 要確認 on records that are right (no error,
nothing a person should look at according to truth.csv). Beside them, the same for a naive
baseline: exact comparison of name, birth date, sex and address after NFKC with spaces
removed, dates and sex codes converted, as Excel checks did in 2023.
Targets: recall 100%, 要確認 on right records <= 0.5%, reason >= 90%, top-1 >= 95%.
"""

from __future__ import annotations

import argparse
import csv
import subprocess
import sys
import tempfile
import time
import unicodedata
from collections import Counter, defaultdict
from pathlib import Path

from himoken.mynumber import parse
from himoken.normalize.dates import parse_date
from himoken.normalize.sex import parse_sex

HIMOKEN = str(Path(sys.executable).with_name("himoken"))
SLUGS = ("shogaisha-techo", "seikatsu-hogo", "kokin-koza", "jido-teate")
EXPECTED = {
    "FAMILY_MEMBER": {"FAMILY_MEMBER"},
    "HOMONYM": {"HOMONYM"},
    "CARRY_OVER": {"CARRY_OVER"},
    "ROW_SHIFT": {"ROW_SHIFT"},
    "DUPLICATE_NUMBER": {"DUPLICATE_NUMBER"},
    "TYPO_VALID": {"NAME_DIFF", "BIRTHDATE_DIFF", "NOT_IN_REGISTER"},
    "CHECK_DIGIT": {"CHECK_DIGIT"},
    "NOT_IN_REGISTER": {"NOT_IN_REGISTER"},
    "EXCEL_DAMAGE": {"MALFORMED"},
    "MALFORMED_ROW": {"MALFORMED"},
}
# Types whose record keeps the true owner's attributes, so the owner can be named.
OWNER_TYPES = set(EXPECTED) - {"MALFORMED_ROW"}


def read_csv(path: Path) -> list[dict[str, str]]:
    with path.open(encoding="utf-8-sig", errors="replace", newline="") as handle:
        return list(csv.DictReader(handle))


def _flat(value: str | None) -> str:
    return "".join(unicodedata.normalize("NFKC", value or "").split())


def _date(value: str | None) -> str:
    parsed = parse_date(value) if value else None
    return parsed.iso if parsed is not None and parsed.known else _flat(value)


def naive_flag(record: dict[str, str], register: dict[str, dict[str, str]]) -> bool:
    number = parse(record.get("個人番号"))
    entry = register.get(number.number or "") if number.ok else None
    if entry is None:
        return True
    pairs = [
        (_flat(record.get("氏名")), _flat(entry["氏名"])),
        (_date(record.get("生年月日")), _date(entry["生年月日"])),
    ]
    if record.get("性別"):
        pairs.append((parse_sex(record["性別"]), parse_sex(entry["性別"])))
    if record.get("住所"):
        pairs.append((_flat(record["住所"]), _flat(entry["住所"])))
    return any(mine != theirs for mine, theirs in pairs)


def collate(world: Path, slug: str, out: Path) -> tuple[list[dict[str, str]], float]:
    started = time.perf_counter()
    subprocess.run(
        [HIMOKEN, "collate", "--register", str(world / "register.csv"),
         "--records", str(world / slug / "records.csv"), "--out", str(out / slug)],
        check=True, capture_output=True,
    )  # fmt: skip
    return read_csv(out / slug / "results.csv"), time.perf_counter() - started


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--world", type=Path, help="an existing `himoken synth` world")
    parser.add_argument("--residents", type=int, default=200_000)
    parser.add_argument("--seed", type=int, default=20261127)
    parser.add_argument("--rate", type=float, default=0.0015, help="rate of each error type")
    parser.add_argument("--examples", type=int, default=0, help="print N misses per type")
    args = parser.parse_args()

    with tempfile.TemporaryDirectory(prefix="himoken-accuracy-") as tmp:
        world = args.world
        if world is None:
            world = Path(tmp) / "world"
            subprocess.run(
                [HIMOKEN, "synth", "--residents", str(args.residents), "--seed", str(args.seed),
                 "--error-rate", f"ALL={args.rate}", "--out", str(world)],
                check=True, stdout=subprocess.DEVNULL,
            )  # fmt: skip
        register = {r["個人番号"]: r for r in read_csv(world / "register.csv")}
        engine: dict[str, Counter] = defaultdict(Counter)
        naive: dict[str, Counter] = defaultdict(Counter)
        misses: dict[str, list[str]] = defaultdict(list)
        seconds = 0.0
        for slug in SLUGS:
            if not (world / slug / "records.csv").exists():
                continue
            results, spent = collate(world, slug, Path(tmp) / "out")
            seconds += spent
            records = read_csv(world / slug / "records.csv")
            truth = read_csv(world / slug / "truth.csv")
            assert len(results) == len(truth), f"{slug}: {len(results)} results, {len(truth)} rows"
            for result, fact, record in zip(results, truth, records, strict=False):
                kind = fact["誤り種別"] or ("(要確認)" if fact["要確認"] == "1" else "(正しい)")
                reasons = set(result["理由"].split(";"))
                counts = engine[kind]
                counts["n"] += 1
                counts["flagged"] += result["要確認"] == "1"
                if kind in EXPECTED:
                    named = bool(reasons & EXPECTED[kind])
                    counts["named"] += named
                    if kind in OWNER_TYPES:
                        hit = result["候補個人番号"] == fact["正しい個人番号"]
                        counts["owner_n"] += 1
                        counts["owner"] += hit
                        if kind == "HOMONYM" and not record.get("住所"):
                            # nothing but name, reading, birth date and sex, which the
                            # namesakes share: the owner is named only on other evidence
                            engine["HOMONYM (住所なし)"]["owner_n"] += 1
                            engine["HOMONYM (住所なし)"]["owner"] += hit
                    missed = not named or result["要確認"] != "1"
                else:
                    missed = (result["要確認"] == "1") != (kind == "(要確認)")
                if missed and len(misses[kind]) < args.examples:
                    misses[kind].append(
                        f"{slug} {result['判定']} {result['理由']} {result['説明']}"
                    )
                naive[kind]["n"] += 1
                naive[kind]["flagged"] += naive_flag(record, register)

    def pct(part: int, whole: int) -> str:
        return f"{100 * part / whole:6.1f}%" if whole else "     —"

    print(f"world {world}, engine {seconds:.1f} s over {len(SLUGS)} extracts")
    print(f"{'type':<18}{'n':>7} | {'要確認':>7}{'理由':>8}{'top-1':>8} | {'naive 要確認':>12}")
    for kind in [*EXPECTED, "(要確認)", "(正しい)"]:
        e, b = engine[kind], naive[kind]
        print(
            f"{kind:<18}{e['n']:>7} | {pct(e['flagged'], e['n'])}"
            f"{pct(e['named'], e['n']) if kind in EXPECTED else '      —'}"
            f"{pct(e['owner'], e['owner_n']) if kind in OWNER_TYPES else '      —'} | "
            f"{pct(b['flagged'], b['n']):>12}"
        )
    owner = sum(engine[k]["owner"] for k in OWNER_TYPES)
    owner_n = sum(engine[k]["owner_n"] for k in OWNER_TYPES)
    alone, homonym = engine["HOMONYM (住所なし)"], engine["HOMONYM"]
    print(f"true owner top-1 over all wrong linkages: {pct(owner, owner_n)} of {owner_n}")
    with_address = pct(homonym["owner"] - alone["owner"], homonym["owner_n"] - alone["owner_n"])
    alone_top1 = pct(alone["owner"], alone["owner_n"])
    print(f"HOMONYM top-1 with 住所: {with_address}; without: {alone_top1} of {alone['owner_n']}")
    for kind, lines in misses.items():
        print(f"-- {kind}")
        for line in lines:
            print("   ", line)


if __name__ == "__main__":
    main()
