"""Latency of the review site under load, served as in production (issue 5).

    .venv/bin/python bench/review_load.py [--cases 1000000] [--clients 20] [--seconds 60]
        [--warmup 10] [--think 0.5] [--workers 2] [--worker-class gthread|sync] [--threads 4]
        [--db himoken_review_bench] [--keep-db] [--explain] [--log FILE] [--app MODULE:NAME]

Needs PostgreSQL at 127.0.0.1:5432, user postgres, trust authentication (as ./run test).

Sets up, from nothing, what an organisation's review site looks like in production:
- a fresh PostgreSQL database (dropped first; --keep-db reuses it when it already holds
  --cases cases), migrated, with one organisation, one 事務, one imported run of --cases
  synthetic flagged records (COPY; synthetic names and numbers only), the decisions that go
  with the seeded statuses, and 40 clerks (handlers and supervisors) who review that 事務;
  then VACUUM ANALYZE (what autovacuum does anyway after a bulk insert);
- the site served by gunicorn on 127.0.0.1 with production settings (HIMOKEN_PRODUCTION=1,
  a random secret key, whitenoise's manifest storage after collectstatic; no TLS redirect:
  HTTPS would end at a proxy in front of it).
Then --clients closed-loop clients (threads with the standard library's http.client, one
connection each) each log in through the real login form and repeat: one request, --think
seconds' pause. Each iteration is a list page (80%: worklist pages 1-20 with the filters and
sorts the form offers), a record page (15%: GET /cases/<pk>/) or a decision (5%: GET the
record page for its CSRF token and version, pause, POST action=keep; the POST's latency is the
decision's, the GET counts as a record page). A 409 (someone saved the case first) is counted
apart, not as an error; any other status >= 400 or a failed request is an error.

Baselines in the same run, so the machine's noise shows: each page alone (one client, no
load) before the load, and a probe client fetching the login page (no database work) during
it, which shows how long a request waits for a free worker. Also printed: where the CPU went
(server, PostgreSQL, the clients, and other processes: all share this machine's cores), how
often PostgreSQL backends waited on a lock (the audit log serialises its appends on its last
entry), the slowest requests, and with --explain the plans of the worklist's queries.
Target: p95 <= 300 ms for list, record and decision, zero errors (logins included).
"""

from __future__ import annotations

import argparse
import http.client
import json
import os
import random
import re
import signal
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import uuid
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlencode

import psycopg

from webload import (
    HOST,
    PASSWORD,
    PG,
    Browser,
    LockWatch,
    cpu_seconds,
    django_env,
    form_fields,
    free_port,
    quantile,
    recreate_database,
    row,
    served,
)

USERS = 40  # every 5th a supervisor; client i logs in as user i % USERS
TARGET_MS = 300
KINDS = ("list", "record", "decision")


# --- the database ---------------------------------------------------------------------------


def seeded_cases(name: str) -> int | None:
    """Cases in database `name`, or None when it (or its tables) does not exist."""
    try:
        with psycopg.connect(dbname=name, **PG) as conn:
            return conn.execute("SELECT count(*) FROM review_case").fetchone()[0]
    except psycopg.Error:
        return None


@dataclass
class People:
    """A pool of synthetic people as the JSON a case holds, and variants that differ."""

    records: list[str] = field(default_factory=list)  # 事務データ
    entries: list[str] = field(default_factory=list)  # 住民記録, same person
    differing: list[str] = field(default_factory=list)  # 住民記録 that differs from the record


def people(rng: random.Random, size: int) -> People:
    from himoken.synth import sources

    surnames, given, towns = sources.surnames(), sources.given_names(), sources.towns("大阪府")
    pool = People()
    for _ in range(size):
        sex = rng.choice((1, 2))
        s, g = surnames.draw(rng), given[sex].draw(rng)
        town = rng.choice(towns)
        block = f"{rng.randint(1, 5)}丁目{rng.randint(1, 30)}番{rng.randint(1, 20)}号"
        person = {
            "氏名": f"{surnames.kanji[s]}　{given[sex].kanji[g]}",
            "氏名フリガナ": f"{surnames.kana[s]}　{given[sex].kana[g]}",
            "生年月日": f"{rng.randint(1935, 2020)}-{rng.randint(1, 12):02d}-"
            f"{rng.randint(1, 28):02d}",
            "性別": str(sex),
            "住所": f"{town.prefecture}{town.city}{town.town}{block}",
        }
        linked = {"紐付け日": f"20{rng.randint(16, 25)}-{rng.randint(1, 12):02d}-01"}
        other = rng.choice(towns)
        moved = person | {"住所": f"{other.prefecture}{other.city}{other.town}{block}"}
        moved["住所異動日"] = f"20{rng.randint(16, 25)}-{rng.randint(1, 12):02d}-15"
        for target, value in ((pool.records, person | linked), (pool.entries, person),
                              (pool.differing, moved)):  # fmt: skip
            text = json.dumps(value, ensure_ascii=False)
            if any(c in text for c in "\\\t\n\r"):
                raise ValueError(f"not COPY-safe: {text}")
            target.append(text)
    return pool


REASONS = {
    "REVIEW": ["NAME_DIFF", "KANA_DIFF", "BIRTHDATE_DIFF", "ADDRESS_DIFF", "ADDRESS_DIFF;KANA_DIFF",
               "SEX_DIFF", "REMOVED", "GAIJI", "REGISTER_NUMBER"],
    "SUSPECT": ["FAMILY_MEMBER", "HOMONYM;ADDRESS_DIFF", "ROW_SHIFT", "CARRY_OVER",
                "DUPLICATE_NUMBER", "HOMONYM"],
    "INVALID": ["NOT_IN_REGISTER", "CHECK_DIGIT", "MALFORMED"],
}  # fmt: skip
EXPLANATIONS = {
    "REVIEW": "事務データと住民記録で{}が異なる。本人に確認が必要。",
    "SUSPECT": "紐付けた番号は別人({})のものと思われる。候補の番号を確認する。",
    "INVALID": "個人番号が不正({})。入力誤りの可能性がある。",
}
# (status, cumulative share, version); wrong ones carry a cause and a decision
STATUSES = [
    ("open", 0.70, 0), ("in_progress", 0.80, 1), ("confirmed_right", 0.95, 2),
    ("correction_pending", 0.97, 2), ("corrected", 0.99, 3), ("deleted", 1.0, 3),
]  # fmt: skip
WRONG = ("correction_pending", "corrected", "deleted")
RISK = {"REVIEW": (20, 69), "SUSPECT": (60, 100), "INVALID": (40, 95)}
CAUSES = ["FAMILY_MEMBER", "HOMONYM", "CARRY_OVER", "ROW_SHIFT", "TYPO", "OTHER"]


def case_lines(
    count: int, run_id: int, business_id: int, handlers: list[int], seed: int
) -> list[bytes]:
    """COPY text lines (chunks of 20,000) for review_case: verdicts REVIEW 60% / SUSPECT 25% /
    INVALID 15%, risk by verdict, 30% assigned to a handler."""
    from himoken.mynumber import with_check_digit

    rng = random.Random(seed)
    pool = people(rng, 20_000)
    size = len(pool.records)
    stamps = [f"2026-11-{day:02d} {hour:02d}:{minute:02d}:00+09" for day in range(1, 27)
              for hour in range(9, 18) for minute in range(0, 60, 7)]  # fmt: skip
    chunks, lines = [], []
    for ordinal in range(1, count + 1):
        r = rng.random()
        verdict = "REVIEW" if r < 0.60 else "SUSPECT" if r < 0.85 else "INVALID"
        reasons = rng.choice(REASONS[verdict])
        explanation = EXPLANATIONS[verdict].format(reasons.split(";")[0])
        risk = rng.randint(*RISK[verdict])
        body = f"{rng.randrange(10**11):011d}"
        linked = with_check_digit(body)
        me = rng.randrange(size)
        record, entry, candidate, candidate_number = pool.records[me], pool.entries[me], "{}", ""
        if verdict == "REVIEW":
            entry = pool.differing[me]
        elif verdict == "SUSPECT":
            other = rng.randrange(size)
            entry, candidate = pool.entries[other], pool.entries[me]
            candidate_number = with_check_digit(f"{rng.randrange(10**11):011d}")
        elif reasons == "CHECK_DIGIT":
            linked, entry = f"{body}{(int(linked[-1]) + 1) % 10}", "{}"
        else:
            entry = "{}"
        r = rng.random()
        status, version = next((s, v) for s, share, v in STATUSES if r < share)
        cause = rng.choice(CAUSES) if status in WRONG else ""
        assignee = str(rng.choice(handlers)) if rng.random() < 0.3 else r"\N"
        lines.append(
            f"{run_id}\t{business_id}\t{ordinal}\tR{ordinal:09d}\t{verdict}\t{reasons}\t{risk}\t"
            f"{explanation}\t{linked}\t{candidate_number}\t{record}\t{entry}\t{candidate}\t"
            f"{status}\t{cause}\t{assignee}\t{version}\t{rng.choice(stamps)}\n"
        )
        if len(lines) == 20_000:
            chunks.append("".join(lines).encode())
            lines = []
    if lines:
        chunks.append("".join(lines).encode())
    return chunks


CASE_COLUMNS = ("run_id, business_id, ordinal, record_id, verdict, reasons, risk, explanation, "
                "linked_number, candidate_number, record, entry, candidate, status, cause, "
                "assignee_id, version, updated")  # fmt: skip

# The decisions the seeded statuses imply: a keep for each confirmed case, a pending correction
# for each waiting one, an approved correction or deletion for each settled one.
DECISIONS = """
INSERT INTO review_decision (case_id, action, new_number, check_verdict, check_explanation,
    cause, comment, proposed_by_id, proposed, approved, approved_by_id, approved_at,
    approval_comment)
SELECT c.id,
       CASE c.status WHEN 'confirmed_right' THEN 'keep' WHEN 'deleted' THEN 'delete'
                     ELSE 'correct' END,
       CASE WHEN c.status IN ('correction_pending', 'corrected') THEN c.candidate_number
            ELSE '' END,
       CASE WHEN c.status IN ('correction_pending', 'corrected') THEN 'MATCH' ELSE '' END,
       '', c.cause, '', %(handler)s, c.updated,
       CASE WHEN c.status IN ('corrected', 'deleted') THEN true END,
       CASE WHEN c.status IN ('corrected', 'deleted') THEN %(supervisor)s::bigint END,
       CASE WHEN c.status IN ('corrected', 'deleted') THEN c.updated END, ''
FROM review_case c
WHERE c.status IN ('confirmed_right', 'correction_pending', 'corrected', 'deleted')
"""


def seed(args: argparse.Namespace) -> dict[str, float]:
    """Organisation, 事務, clerks, a run and its cases; seconds per step."""
    from django.contrib.auth import get_user_model
    from django.contrib.auth.hashers import make_password
    from django.db import connection
    from django.utils import timezone

    from himoken.web.review.models import Business, CaseCount, Organisation, Role, Run

    timings = {}
    started = time.perf_counter()
    organisation = Organisation.objects.create(code="271004", name="大阪市")
    business = Business.objects.create(
        organisation=organisation, name="公金受取口座", system="口座登録システム"
    )
    hashed = make_password(PASSWORD)  # once: every clerk has the same (synthetic) password
    users = get_user_model().objects.bulk_create(
        get_user_model()(username=f"bench{i:02d}", password=hashed) for i in range(USERS)
    )
    roles = Role.objects.bulk_create(
        Role(user=u, organisation=organisation, kind="supervisor" if i % 5 == 4 else "handler")
        for i, u in enumerate(users)
    )
    Role.businesses.through.objects.bulk_create(
        Role.businesses.through(role=role, business=business) for role in roles
    )
    handlers = [r.user_id for r in roles if r.kind == "handler"]
    supervisors = [r.user_id for r in roles if r.kind == "supervisor"]
    run = Run.objects.create(
        business=business, source=Run.Source.IMPORT, status=Run.Status.FINISHED,
        run_id=uuid.uuid4(), created_by_id=supervisors[0], finished=timezone.now(),
        total=args.cases, done=args.cases,
    )  # fmt: skip
    connection.close()
    timings["users"] = time.perf_counter() - started

    started = time.perf_counter()
    chunks = case_lines(args.cases, run.pk, business.pk, handlers, args.seed)
    timings["rows built"] = time.perf_counter() - started
    started = time.perf_counter()
    with psycopg.connect(dbname=args.db, **PG) as conn:
        with conn.cursor() as cursor, cursor.copy(
            f"COPY review_case ({CASE_COLUMNS}) FROM STDIN"
        ) as copy:  # fmt: skip
            for chunk in chunks:
                copy.write(chunk)
        timings["COPY"] = time.perf_counter() - started
        started = time.perf_counter()
        conn.execute(DECISIONS, {"handler": handlers[0], "supervisor": supervisors[0]})
        timings["decisions"] = time.perf_counter() - started
    del chunks
    started = time.perf_counter()
    CaseCount.recount(business.pk)  # what an import does after adding the cases
    connection.close()
    timings["counts"] = time.perf_counter() - started
    started = time.perf_counter()
    with psycopg.connect(dbname=args.db, autocommit=True, **PG) as conn:
        conn.execute("VACUUM ANALYZE")
    timings["VACUUM ANALYZE"] = time.perf_counter() - started
    return timings


EXPLAINED = (
    "/", "/?page=20", "/?verdict=INVALID&page=5", "/?status=correction_pending&page=5",
    "/?assignee=me&page=2", "/?reason=CHECK_DIGIT&page=5", "/?sort=-updated&page=20",
)  # fmt: skip
PLAN_LINES = re.compile(r"Scan|Sort Method|Aggregate|Execution Time|Heap Fetches")


def explain() -> None:
    """EXPLAIN ANALYZE of the queries on review_case that worklist pages run (captured from
    the view in this process, so the plans are those of the code as it stands)."""
    from django.contrib.auth import get_user_model
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext

    client = Client(HTTP_HOST=HOST)
    client.force_login(get_user_model().objects.get(username="bench00"))
    seen = set()
    for path in EXPLAINED:
        with CaptureQueriesContext(connection) as queries:
            status = client.get(path).status_code
        for query in queries:
            sql = query["sql"]
            if not sql.startswith("SELECT") or "review_case" not in sql or sql in seen:
                continue
            seen.add(sql)
            with connection.cursor() as cursor:
                cursor.execute(f"EXPLAIN (ANALYZE, BUFFERS) {sql}")
                plan = [line for (line,) in cursor.fetchall()]
            shown = [plan[0], *(line for line in plan[1:] if PLAN_LINES.search(line))]
            kind = "counts" if "GROUP BY" in sql else "page"
            print(f"--- EXPLAIN ANALYZE {kind} of GET {path} (HTTP {status})")
            print("\n".join(line[:160] for line in shown))
    connection.close()


# --- the server -----------------------------------------------------------------------------


# --- the clients ----------------------------------------------------------------------------

DECISION_FORM = re.compile(r'id="decision-form">(.*?)</form>', re.S)


# Worklist requests: (share, query maker); pages 1-20, page 1 half the time.
def _page(rng: random.Random) -> int:
    return 1 if rng.random() < 0.5 else rng.randint(2, 20)


LIST_QUERIES = [
    (0.45, lambda rng: {}),
    (0.15, lambda rng: {"verdict": rng.choice(["SUSPECT", "INVALID", "REVIEW"])}),
    (0.12, lambda rng: {"status": rng.choice(["open", "in_progress", "confirmed_right",
                                              "correction_pending"])}),
    (0.08, lambda rng: {"verdict": rng.choice(["SUSPECT", "INVALID"]), "status": "open"}),
    (0.10, lambda rng: {"assignee": rng.choice(["me", "none"])}),
    (0.05, lambda rng: {"reason": rng.choice(["HOMONYM", "ADDRESS_DIFF", "CHECK_DIGIT"])}),
    (0.05, lambda rng: {"sort": rng.choice(["ordinal", "verdict", "-updated"])}),
]  # fmt: skip


def list_path(rng: random.Random) -> str:
    r, total, make = rng.random(), 0.0, LIST_QUERIES[0][1]
    for share, maker in LIST_QUERIES:
        total += share
        if r < total:
            make = maker
            break
    query = make(rng)
    page = _page(rng)
    if page > 1:
        query["page"] = str(page)
    return "/?" + urlencode(query) if query else "/"


@dataclass
class Sample:
    kind: str
    started: float
    seconds: float
    status: int  # 0: the request failed
    path: str


@dataclass
class Load:
    port: int
    think: float
    case_ids: tuple[int, int]
    stop: threading.Event = field(default_factory=threading.Event)
    samples: list[Sample] = field(default_factory=list)
    failures: list[str] = field(default_factory=list)
    login_errors: int = 0
    lock: threading.Lock = field(default_factory=threading.Lock)

    def note(self, sample: Sample) -> None:
        with self.lock:
            self.samples.append(sample)

    def timed(self, browser: Browser, kind: str, method: str, path: str,
              form: dict[str, str] | None = None) -> tuple[int, str]:  # fmt: skip
        started = time.perf_counter()
        try:
            status, page, seconds = browser.request(method, path, form)
        except (OSError, http.client.HTTPException) as error:
            self.note(Sample(kind, started, time.perf_counter() - started, 0, path))
            with self.lock:
                self.failures.append(f"{kind} {path}: {error!r}")
            browser.connection.close()
            return 0, ""
        self.note(Sample(kind, started, seconds, status, path))
        return status, page

    def pause(self) -> None:
        self.stop.wait(self.think)

    def clerk(self, number: int, ready: threading.Barrier) -> None:
        rng = random.Random(number)
        browser = Browser(self.port)
        for attempt in range(5):  # a failed login is tried again, as a clerk would
            try:
                browser.login(f"bench{number % USERS:02d}")
                break
            except (OSError, RuntimeError, http.client.HTTPException) as error:
                with self.lock:
                    self.failures.append(f"login: {error!r}")
                    self.login_errors += 1
                if attempt == 4:
                    ready.abort()
                    return
                time.sleep(0.5)
        try:
            ready.wait()
        except threading.BrokenBarrierError:
            return
        self.stop.wait(rng.random() * self.think)  # stagger the first requests
        while not self.stop.is_set():
            r = rng.random()
            if r < 0.80:
                self.timed(browser, "list", "GET", list_path(rng))
            elif r < 0.95:
                self.timed(browser, "record", "GET", f"/cases/{rng.randint(*self.case_ids)}/")
            else:
                self.decide(browser, rng)
            self.pause()

    def decide(self, browser: Browser, rng: random.Random) -> None:
        """Open a record that can still be decided (others are left after a look), think,
        then keep the linkage."""
        for _ in range(5):
            pk = rng.randint(*self.case_ids)
            status, page = self.timed(browser, "record", "GET", f"/cases/{pk}/")
            self.pause()
            form = DECISION_FORM.search(page) if status == 200 else None
            if form is not None or self.stop.is_set():
                break
        if form is None:
            return
        fields = form_fields(form.group(1)) | {"action": "keep"}
        if "version" not in fields or "csrfmiddlewaretoken" not in fields:
            with self.lock:
                self.failures.append(f"decision form of case {pk} without version or token")
            return
        self.timed(browser, "decision", "POST", f"/cases/{pk}/decisions/", fields)

    def probe(self) -> None:
        """The baseline under load: the login page (no database work) at the same pace."""
        browser = Browser(self.port)
        while not self.stop.is_set():
            self.timed(browser, "login page", "GET", "/accounts/login/")
            self.pause()


def alone(port: int, case_ids: tuple[int, int], repeat: int) -> dict[str, list[float]]:
    """Each page alone: one client, no think time, no other load."""
    rng = random.Random(99)
    browser = Browser(port)
    browser.login("bench00")
    pages = {
        "login page": lambda: "/accounts/login/",
        "list page 1": lambda: "/",
        "list page 20": lambda: "/?page=20",
        "record": lambda: f"/cases/{rng.randint(*case_ids)}/",
    }
    times: dict[str, list[float]] = {}
    for label, path in pages.items():
        browser.get(path())  # a warm connection and worker
        for _ in range(repeat):
            status, _, seconds = browser.get(path())
            if status != 200:
                sys.exit(f"{label} alone: HTTP {status}")
            times.setdefault(label, []).append(seconds)
    return times


# --- what the machine did -------------------------------------------------------------------


# --- the report -----------------------------------------------------------------------------


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--cases", type=int, default=1_000_000)
    parser.add_argument("--clients", type=int, default=20)
    parser.add_argument("--seconds", type=float, default=60, help="measured, after --warmup")
    parser.add_argument("--warmup", type=float, default=10)
    parser.add_argument("--think", type=float, default=0.5, help="seconds between requests")
    # gthread, one process per core with 4 threads each: measured here against 4 and 8 sync
    # workers and 4x4 gthread, it served the most requests at the lowest p95 (the clients keep
    # their connections alive, a thread waiting on PostgreSQL leaves its core to another, and
    # more processes than cores only queue on the audit log's lock and on the CPU).
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--worker-class", default="gthread", choices=["sync", "gthread"])
    parser.add_argument("--threads", type=int, default=4, help="per worker (gthread)")
    parser.add_argument("--db", default="himoken_review_bench")
    parser.add_argument("--keep-db", action="store_true",
                        help="reuse --db when it already holds --cases cases")  # fmt: skip
    parser.add_argument("--explain", action="store_true",
                        help="print EXPLAIN ANALYZE of the worklist's queries")  # fmt: skip
    parser.add_argument("--seed", type=int, default=5)
    parser.add_argument("--log", type=Path, help="keep gunicorn's error log here")
    parser.add_argument("--app", default="himoken.web.wsgi:application",
                        help="the WSGI application, to measure a variant of the site")  # fmt: skip
    args = parser.parse_args()

    with tempfile.TemporaryDirectory(prefix="himoken-bench-review-") as tmp:
        data_dir = Path(tmp) / "data"
        env = django_env("review", args.db, data_dir)
        os.environ.update(env)
        import django
        from django.core.management import call_command
        from django.db import connections

        existing = seeded_cases(args.db) if args.keep_db else None
        if existing != args.cases:
            recreate_database(args.db)
        django.setup()
        started = time.perf_counter()
        call_command("migrate", verbosity=0)
        migrate_seconds = time.perf_counter() - started
        if existing == args.cases:
            print(f"database {args.db}: kept, {existing:,} cases (earlier runs' decisions "
                  f"and audit entries included); migrate {migrate_seconds:.1f} s")  # fmt: skip
        else:
            timings = seed(args)
            steps = ", ".join(f"{k} {v:.1f} s" for k, v in timings.items())
            print(f"database {args.db}: {args.cases:,} cases seeded in "
                  f"{sum(timings.values()) + migrate_seconds:.1f} s "
                  f"(migrate {migrate_seconds:.1f} s, {steps})")  # fmt: skip
        call_command("collectstatic", interactive=False, verbosity=0)
        if args.explain:
            explain()
        connections.close_all()
        with psycopg.connect(dbname=args.db, **PG) as conn:
            low, high = conn.execute("SELECT min(id), max(id) FROM review_case").fetchone()
            audit_before = conn.execute("SELECT count(*) FROM audit_entry").fetchone()[0]
            version = conn.execute("SHOW server_version").fetchone()[0]

        args.port = free_port()
        log = args.log or Path(tmp) / "gunicorn.log"
        with served(args, env, log) as server:
            report(args, server, (low, high), version, audit_before)


def report(
    args: argparse.Namespace,
    server: subprocess.Popen,
    case_ids: tuple[int, int],
    pg_version: str,
    audit_before: int,
) -> None:
    threads = f" x {args.threads} threads" if args.worker_class == "gthread" else ""
    print(f"server: gunicorn, {args.workers} {args.worker_class} workers{threads}, production "
          f"settings, PostgreSQL {pg_version}; {os.cpu_count()} cores shared with the "
          "clients")  # fmt: skip
    times = alone(args.port, case_ids, 20)
    print(
        "alone (1 client, no load, 20 each):  "
        + ", ".join(f"{k} p50 {statistics.median(v) * 1000:.0f} ms" for k, v in times.items())
    )

    load = Load(args.port, args.think, case_ids)
    ready = threading.Barrier(args.clients + 1)
    clients = [threading.Thread(target=load.clerk, args=(i, ready), daemon=True)
               for i in range(args.clients)]  # fmt: skip
    for client in clients:
        client.start()
    try:
        ready.wait(timeout=300)  # logins hash passwords: slow on purpose
    except threading.BrokenBarrierError:
        load.stop.set()
        sys.exit(f"clients could not log in: {load.failures[:3]}")
    probe = threading.Thread(target=load.probe, daemon=True)
    probe.start()
    watch = LockWatch(args.db)
    time.sleep(args.warmup)
    begin, cpu_before = time.perf_counter(), cpu_seconds(server.pid)
    watch.thread.start()
    time.sleep(args.seconds)
    end, cpu_after = time.perf_counter(), cpu_seconds(server.pid)
    watch.stop.set()
    load.stop.set()
    for thread in [*clients, probe]:
        thread.join(timeout=60)
    watch.thread.join(timeout=5)

    window = [s for s in load.samples if begin <= s.started < end]
    print(f"load: {args.clients} clients, think {args.think} s, {args.seconds:.0f} s measured "
          f"after {args.warmup:.0f} s warm-up")  # fmt: skip
    print(f"{'kind':<22} {'count':>6} {'p50 ms':>7} {'p95 ms':>7} {'max ms':>7} {'errors':>6}")
    verdict_ok = True
    for kind in (*KINDS, "login page"):
        samples = [s for s in window if s.kind == kind]
        conflicts = sum(1 for s in samples if kind == "decision" and s.status == 409)
        ok = (302,) if kind == "decision" else (200,)
        errors = sum(1 for s in samples if s.status not in ok and not (
            kind == "decision" and s.status == 409))  # fmt: skip
        label = kind if kind in KINDS else "baseline: login page"
        extra = f"409 conflicts {conflicts}" if kind == "decision" else ""
        times_ = [s.seconds for s in samples]
        print(row(label, times_, errors, extra))
        if kind in KINDS:
            p95 = quantile(times_, 0.95) * 1000 if times_ else float("inf")
            verdict_ok = verdict_ok and errors == 0 and p95 <= TARGET_MS
    served = [s for s in window if s.kind in KINDS]
    seconds = end - begin
    print(f"throughput: {len(served) / seconds:.1f} requests/s "
          + ", ".join(f"{k} {sum(1 for s in served if s.kind == k) / seconds:.1f}/s"
                      for k in KINDS))  # fmt: skip
    cpu = {k: cpu_after[k] - cpu_before[k] for k in cpu_before}
    cores = os.cpu_count() or 1
    others = max(0.0, cpu["machine busy"] - cpu["server"] - cpu["postgres"] - cpu["clients"])
    print(f"cpu over the window ({seconds * cores:.0f} core-seconds): machine "
          f"{cpu['machine busy'] / seconds / cores:.0%} busy; gunicorn {cpu['server']:.1f} s, "
          f"postgres (all databases) {cpu['postgres']:.1f} s, clients {cpu['clients']:.1f} s, "
          f"other processes {others:.1f} s")  # fmt: skip
    print(f"postgres backends: {watch.summary()}")
    with psycopg.connect(dbname=args.db, **PG) as conn:
        audit_after = conn.execute("SELECT count(*) FROM audit_entry").fetchone()[0]
    print(f"audit log: {audit_after - audit_before:,} entries appended during the run")
    slowest = sorted(served, key=lambda s: s.seconds, reverse=True)[:5]
    print("slowest: " + "; ".join(f"{s.kind} {s.path} {s.seconds * 1000:.0f} ms"
                                  for s in slowest))  # fmt: skip
    bad = Counter(f"{s.kind} HTTP {s.status or 'failed'}" for s in window
                  if s.status not in ((302, 409) if s.kind == "decision" else (200,)))  # fmt: skip
    if bad:
        print("errors: " + ", ".join(f"{k} x{n}" for k, n in bad.most_common()))
    if load.login_errors:
        print(f"logins before the warm-up: {load.login_errors} failed and were tried again")
    for failure in load.failures[:5]:
        print(f"failure: {failure}")
    verdict_ok = verdict_ok and not load.login_errors
    print(
        f"target: p95 <= {TARGET_MS} ms for list, record and decision, zero errors: "
        f"{'PASS' if verdict_ok else 'FAIL'}"
    )


if __name__ == "__main__":
    try:
        signal.signal(signal.SIGTERM, lambda *_: sys.exit(1))  # cleanup runs as on Ctrl-C
        main()
    except KeyboardInterrupt:
        sys.exit(130)
