"""Entry-time verification through the API, served as in production (issue 7): what it stops
and accepts on a synthetic prefecture, and how fast.

    .venv/bin/python bench/entry_check.py [--residents 100000] [--seed 7] [--rate 0.005]
        [--clients 8] [--seconds 30] [--batch-size 1000] [--batch-clients 2]
        [--workers 2] [--worker-class gthread] [--threads 4] [--db himoken_entry_bench]
        [--world DIR] [--log FILE]

Needs PostgreSQL at 127.0.0.1:5432, user postgres, trust authentication (as ./run test).

Sets up, from nothing: a synthetic prefecture (himoken synth; the 2023 patterns injected —
FAMILY_MEMBER, HOMONYM, CARRY_OVER, TYPO_VALID — at --rate each, nothing else; or --world, a
folder `himoken synth` wrote), its register indexed (`himoken verify index`), a fresh
PostgreSQL database for the review site with one organisation and an API client, and the
site served by gunicorn with production settings. Then, printed:

1. Every record of the four extracts checked through the batch endpoint, in the order each
   terminal keyed them (each terminal's records go to one client, in order, so CARRY_OVER
   sees the person served just before), --batch-clients clients at once, --batch-size records
   a request: the confusion table — per truth (right records the truth says need no look,
   right records it says need one: 外字, removed, namesakes without 住所; each injected
   pattern) the decisions, how many named the pattern, how many offered the true owner — and
   the batch throughput in records a second (target: >= 2,000/s).
2. Single checks (POST /api/v1/linkage-checks, one record each, drawn from the world) from
   --clients closed-loop clients with no pause, for --seconds: requests a second, p50/p95/max
   latency, errors (target: >= 200/s with 8 clients).
3. For reference, the same checker in this process without HTTP, one thread.
The machine is shared with the clients and PostgreSQL (2 cores): the figures say so.
"""

from __future__ import annotations

import argparse
import http.client
import json
import random
import statistics
import sys
import tempfile
import threading
import time
from collections import Counter, defaultdict
from pathlib import Path

import webload

PATTERNS = ("FAMILY_MEMBER", "HOMONYM", "CARRY_OVER", "TYPO_VALID")
EXTRACTS = ("kokin-koza", "jido-teate", "seikatsu-hogo", "shogaisha-techo")
PATH = "/api/v1/linkage-checks"
SINGLE_TARGET, BATCH_TARGET = 200.0, 2000.0


def world(args: argparse.Namespace, where: Path) -> Path:
    from himoken.synth import ERROR_TYPES, SynthOptions, generate

    if args.world:
        return args.world
    rates = {**dict.fromkeys(ERROR_TYPES, 0.0), **dict.fromkeys(PATTERNS, args.rate)}
    started = time.perf_counter()
    generate(SynthOptions(residents=args.residents, seed=args.seed, error_rates=rates), where)
    print(f"world: {args.residents:,} residents, seed {args.seed}, each pattern at {args.rate} "
          f"per record, in {time.perf_counter() - started:.0f} s")  # fmt: skip
    return where


def records(folder: Path) -> list[tuple[dict[str, str], str]]:
    """(API body, truth) of every record of the extracts, in each terminal's keying order
    (records without a terminal after them, in file order). Truth: the injected pattern,
    "right" or "right, look" (the truth says a person must look)."""
    import csv

    from himoken.collate.ingest import open_table

    found = []
    for extract in EXTRACTS:
        rows = [row.values for row in open_table(folder / extract / "records.csv").rows]
        with (folder / extract / "truth.csv").open(encoding="utf-8-sig", newline="") as handle:
            truth = {t["レコード番号"]: t for t in csv.DictReader(handle)}
        rows.sort(key=lambda r: (r.get("登録端末") == "", r.get("登録端末") or "",
                                 r.get("登録日時") or "", int(r.get("登録順") or 0)))  # fmt: skip
        for r in rows:
            t = truth[r["レコード番号"]]
            kind = t["誤り種別"] or ("right" if t["要確認"] == "0" else "right, look")
            found.append((body(r), kind, t["正しい個人番号"]))
    return found


def body(r: dict[str, str]) -> dict[str, str]:
    """The API's request for a record ("-" where a required field is empty: the API refuses an
    empty one, the checker then says why the record is wrong)."""
    from himoken.prevention.entry import REQUEST_FIELDS

    found = {field: r.get(column) or "" for field, column in REQUEST_FIELDS.items()}
    return found | {f: found[f] or "-" for f in ("number", "name", "birth_date")}


class Api:
    """One kept-alive connection posting JSON with the client's token."""

    def __init__(self, port: int, token: str) -> None:
        self.connection = http.client.HTTPConnection(webload.HOST, port, timeout=120)
        self.headers = {"Authorization": f"Bearer {token}", "Content-Type": "application/json"}

    def post(self, path: str, document: object) -> tuple[int, object, float]:
        started = time.perf_counter()
        self.connection.request("POST", path, json.dumps(document), self.headers)
        response = self.connection.getresponse()
        data = response.read()
        seconds = time.perf_counter() - started
        return response.status, json.loads(data) if data else None, seconds


def batches(args: argparse.Namespace, port: int, token: str, items: list) -> tuple[list, float]:
    """Every record through the batch endpoint; each terminal's records in one stream, in
    order. Returns the results in `items` order and the wall time."""
    streams: dict[int, list[int]] = defaultdict(list)
    for position, (document, _, _) in enumerate(items):
        terminal = document["terminal"]
        lane = hash(terminal) % args.batch_clients if terminal else position % args.batch_clients
        streams[lane].append(position)
    results: list = [None] * len(items)
    failures: list[str] = []

    def run(lane: list[int]) -> None:
        api = Api(port, token)
        for start in range(0, len(lane), args.batch_size):
            chunk = lane[start : start + args.batch_size]
            status, answer, _ = api.post(f"{PATH}/batch", {"records": [items[i][0] for i in chunk]})
            if status != 200:
                failures.append(f"batch: HTTP {status} {str(answer)[:200]}")
                return
            for i, result in zip(chunk, answer["results"], strict=True):
                results[i] = result

    # Warm-up, not timed: each worker opens the index and fills its normalizers' caches (the
    # warm-up records carry no terminal, so no terminal's last person changes).
    step = max(len(items) // 200, 1)
    warm = [{**document, "terminal": ""} for document, _, _ in items[::step]]
    for _ in range(args.workers * 2):
        status, answer, _ = Api(port, token).post(f"{PATH}/batch", {"records": warm})
        if status != 200:
            sys.exit(f"warm-up batch: HTTP {status} {str(answer)[:200]}")
    started = time.perf_counter()
    threads = [threading.Thread(target=run, args=(lane,)) for lane in streams.values()]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    if failures:
        sys.exit(failures[0])
    return results, time.perf_counter() - started


def confusion(items: list, results: list) -> None:
    kinds = ["right", "right, look", *PATTERNS]
    table: dict[str, Counter] = {k: Counter() for k in kinds}
    for (_, kind, owner), result in zip(items, results, strict=True):
        row = table[kind]
        row[result["decision"]] += 1
        row["total"] += 1
        if kind in PATTERNS and kind in result["warnings"]:
            row["named"] += 1
        if result["suggestion"] and result["suggestion"]["number"] == owner and kind != "right":
            row["owner"] += 1
    print(f"{'truth':<14} {'records':>8} {'accept':>8} {'+note':>8} {'stop':>8} "
          f"{'stopped':>8} {'named':>8} {'owner':>8}")  # fmt: skip
    for kind in kinds:
        row = table[kind]
        if not row["total"]:
            continue
        stopped = row["stop"] / row["total"]
        named = f"{row['named']:,}" if kind in PATTERNS else ""
        owner = f"{row['owner']:,}" if kind != "right" else ""
        print(f"{kind:<14} {row['total']:>8,} {row['accept']:>8,} {row['accept_with_note']:>8,} "
              f"{row['stop']:>8,} {stopped:>8.1%} {named:>8} {owner:>8}")  # fmt: skip
    injected = sum(table[k]["total"] for k in PATTERNS)
    missed = sum(table[k]["total"] - table[k]["stop"] for k in PATTERNS)
    print(
        f"injected wrong linkages stopped: {injected - missed:,} of {injected:,}; right records "
        f"(no look needed) stopped: {table['right']['stop']:,} of {table['right']['total']:,}"
    )


def singles(args: argparse.Namespace, port: int, token: str, items: list) -> None:
    stop = threading.Event()
    times: list[list[float]] = [[] for _ in range(args.clients)]
    errors = Counter()

    def run(number: int) -> None:
        rng = random.Random(number)
        api = Api(port, token)
        while not stop.is_set():
            document = dict(items[rng.randrange(len(items))][0])
            try:
                status, _, seconds = api.post(PATH, document)
            except (OSError, http.client.HTTPException) as error:
                errors[repr(error)[:80]] += 1
                api = Api(port, token)
                continue
            if status != 200:
                errors[f"HTTP {status}"] += 1
            times[number].append(seconds)

    threads = [threading.Thread(target=run, args=(n,)) for n in range(args.clients)]
    for thread in threads:
        thread.start()
    time.sleep(3)  # warm-up: connections, workers' first checks
    for bucket in times:
        bucket.clear()
    errors.clear()
    before = webload.cpu_seconds(args.server_pid)
    started = time.perf_counter()
    time.sleep(args.seconds)
    elapsed = time.perf_counter() - started
    after = webload.cpu_seconds(args.server_pid)
    stop.set()
    for thread in threads:
        thread.join()
    done = [t for bucket in times for t in bucket]
    rate = len(done) / elapsed
    cpu = {k: after.get(k, 0) - before.get(k, 0) for k in after}
    print(f"single checks, {args.clients} clients, no pause, {elapsed:.0f} s: {len(done):,} "
          f"checks = {rate:.0f}/s; p50 {statistics.median(done) * 1000:.1f} ms, p95 "
          f"{webload.p95_ms(done):.1f} ms, max {max(done) * 1000:.0f} ms; errors "
          f"{sum(errors.values())} {dict(errors) or ''}")  # fmt: skip
    print(webload.cpu_line(cpu, elapsed))
    verdict = "PASS" if rate >= SINGLE_TARGET and not errors else "FAIL"
    print(f"target single checks >= {SINGLE_TARGET:.0f}/s, no errors: {verdict}")


def in_process(index: Path, items: list, count: int = 5000) -> None:
    from himoken.prevention.entry import EntryChecker, request_record
    from himoken.prevention.register_index import RegisterIndex

    checker = EntryChecker(RegisterIndex(index))
    chosen = [request_record(document) for document, _, _ in items[:count]]
    started = time.perf_counter()
    for record in chosen:
        checker.check(record)
    seconds = time.perf_counter() - started
    print(f"in this process, no HTTP, one thread: {len(chosen) / seconds:,.0f} checks/s "
          f"({len(chosen):,} checks)")  # fmt: skip


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--residents", type=int, default=100_000)
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--rate", type=float, default=0.005, help="each pattern, per record")
    parser.add_argument("--world", type=Path, help="a world `himoken synth` wrote, instead")
    parser.add_argument("--clients", type=int, default=8)
    parser.add_argument("--seconds", type=float, default=30)
    parser.add_argument("--batch-size", type=int, default=1000)
    parser.add_argument("--batch-clients", type=int, default=2)
    parser.add_argument("--db", default="himoken_entry_bench")
    webload.add_server_arguments(parser)
    args = parser.parse_args()

    with tempfile.TemporaryDirectory(prefix="himoken-bench-entry-") as tmp:
        folder = world(args, Path(tmp) / "world")
        from himoken.prevention.register_index import build_index

        index = Path(tmp) / "register.index"
        report = build_index(folder / "register.csv", index)
        print(f"register index: {report.entries:,} entries in {report.seconds:.0f} s, "
              f"{index.stat().st_size / 1e6:.0f} MB")  # fmt: skip
        items = records(folder)
        print(f"records: {len(items):,} in the four extracts")
        in_process(index, items)

        env = webload.django_env("review", args.db, Path(tmp) / "data")
        env["HIMOKEN_ENTRY_INDEX"] = str(index)
        webload.recreate_database(args.db)
        webload.setup_django(env)
        from django.db import connections

        from himoken.web.entry.models import ApiClient
        from himoken.web.review.models import Organisation

        organisation = Organisation.objects.create(code="270008", name="大阪府(合成)")
        _, token = ApiClient.issue(organisation, "bench")
        webload.collectstatic()
        connections.close_all()

        args.port = webload.free_port()
        log = args.log or Path(tmp) / "gunicorn.log"
        with webload.served(args, env, log) as server:
            args.server_pid = server.pid
            print(webload.server_line(args, webload.server_version(args.db)))
            results, seconds = batches(args, args.port, token, items)
            confusion(items, results)
            rate = len(items) / seconds
            verdict = "PASS" if rate >= BATCH_TARGET else "FAIL"
            print(f"batch endpoint: {len(items):,} records in {seconds:.1f} s = {rate:,.0f} "
                  f"records/s ({args.batch_clients} clients, {args.batch_size} a request); "
                  f"target >= {BATCH_TARGET:,.0f}/s: {verdict}")  # fmt: skip
            singles(args, args.port, token, items)


if __name__ == "__main__":
    webload.main_guard(main)
