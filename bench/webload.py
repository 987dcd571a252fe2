"""What the web-site load benchmarks share: a PostgreSQL database made from nothing, the site
served by gunicorn as in production, logged-in closed-loop clients, and the printed figures.

A benchmark script (bench/dashboard.py; bench/review_load.py is to move onto this) does:

    parser = argparse.ArgumentParser(...)
    webload.add_server_arguments(parser)            # --workers --worker-class --threads ...
    env = webload.django_env("progress", args.db, data_dir)   # the site's settings module
    existing = webload.table_rows(args.db, "progress_snapshot") if args.keep_db else None
    if existing != wanted:
        webload.recreate_database(args.db)
    migrate_seconds = webload.setup_django(env)     # django.setup() and migrate
    ... seed (ORM for the few rows, webload.copy_rows for the many), webload.vacuum_analyze
    webload.collectstatic(); django.db.connections.close_all()
    args.port = webload.free_port()
    server = webload.start_server(args, env, log)   # returns when the login page answers
    load = MyLoad(args.port, args.think)            # a webload.Load with an iteration()
    measured = webload.run_load(load, [username, ...], args.warmup, args.seconds, server.pid)
    print(webload.HEADER); print(webload.row(kind, [s.seconds for s in ...], errors))
    webload.stop_server(server)

run_load does it all at once; start_clients, then measure() once per phase, then
Load.finish() measures several phases with the same clients (bench/dashboard.py).

Needs PostgreSQL at 127.0.0.1:5432, user postgres, trust authentication (as ./run test).
Requests are timed on the client (one kept-alive connection per client as a browser keeps,
or Load(keep_alive=False): a connection per request, as behind a proxy); a request that
fails on the network is a Sample with status 0, one still waiting when the clients are
stopped a Sample with status UNFINISHED. A Measured window holds the requests that started
in it, however long after it they ended.
"""

from __future__ import annotations

import argparse
import http.client
import os
import random
import re
import resource
import secrets
import signal
import socket
import statistics
import subprocess
import sys
import threading
import time
from collections import Counter
from collections.abc import Callable, Iterable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from http.cookies import SimpleCookie
from pathlib import Path
from urllib.parse import urlencode

import psycopg

PASSWORD = "synthetic-only-bench"  # every bench user's (synthetic) password
HOST = "127.0.0.1"
PG = {"host": "127.0.0.1", "port": 5432, "user": "postgres"}
LOGIN_PATH = "/accounts/login/"


# --- the database ---------------------------------------------------------------------------


def django_env(site: str, db: str, data_dir: Path) -> dict[str, str]:
    """Production settings of `site` ("review", "progress": himoken.web.settings.<site>) on
    PostgreSQL database `db`, static files under `data_dir`, a random secret key, no TLS
    redirect (HTTPS would end at a proxy in front of it)."""
    return {
        "DJANGO_SETTINGS_MODULE": f"himoken.web.settings.{site}",
        "HIMOKEN_DB": "postgresql",
        "HIMOKEN_DB_NAME": db,
        "HIMOKEN_DB_HOST": PG["host"],
        "HIMOKEN_DB_PORT": str(PG["port"]),
        "HIMOKEN_DB_USER": PG["user"],
        "HIMOKEN_DATA_DIR": str(data_dir),
        "HIMOKEN_PRODUCTION": "1",
        "HIMOKEN_SECRET_KEY": secrets.token_urlsafe(50),
        "HIMOKEN_SSL_REDIRECT": "0",
        "HIMOKEN_ALLOWED_HOSTS": HOST,
    }


def table_rows(db: str, table: str) -> int | None:
    """Rows in `table` of database `db`, or None when it (or the table) does not exist: what
    --keep-db compares with what a run wants."""
    try:
        with psycopg.connect(dbname=db, **PG) as conn:
            return conn.execute(f'SELECT count(*) FROM "{table}"').fetchone()[0]
    except psycopg.Error:
        return None


def recreate_database(name: str) -> None:
    with psycopg.connect(dbname="postgres", autocommit=True, **PG) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        conn.execute(f'CREATE DATABASE "{name}"')


def setup_django(env: dict[str, str]) -> float:
    """Put `env` in this process's environment, set Django up and migrate; seconds migrating."""
    os.environ.update(env)
    import django
    from django.core.management import call_command

    django.setup()
    started = time.perf_counter()
    call_command("migrate", verbosity=0)
    return time.perf_counter() - started


def collectstatic() -> None:
    """The manifest whitenoise serves from in production (needs setup_django first)."""
    from django.core.management import call_command

    call_command("collectstatic", interactive=False, verbosity=0)


def copy_rows(conn: psycopg.Connection, table: str, columns: str, chunks: Iterable[bytes]) -> None:
    """COPY text-format chunks (tab-separated lines, \\N for NULL) into `table` (`columns`:
    "a, b, c")."""
    with conn.cursor() as cursor, cursor.copy(f"COPY {table} ({columns}) FROM STDIN") as copy:
        for chunk in chunks:
            copy.write(chunk)


def vacuum_analyze(db: str) -> None:
    """What autovacuum does anyway after a bulk insert (visibility map, statistics)."""
    with psycopg.connect(dbname=db, autocommit=True, **PG) as conn:
        conn.execute("VACUUM ANALYZE")


def server_version(db: str) -> str:
    with psycopg.connect(dbname=db, **PG) as conn:
        return conn.execute("SHOW server_version").fetchone()[0]


# --- the server -----------------------------------------------------------------------------


def add_server_arguments(
    parser: argparse.ArgumentParser,
    workers: int = 2,
    worker_class: str = "gthread",
    threads: int = 4,
) -> None:
    """--workers, --worker-class, --threads, --app and --log, which start_server reads."""
    parser.add_argument("--workers", type=int, default=workers)
    parser.add_argument("--worker-class", default=worker_class, choices=["sync", "gthread"])
    parser.add_argument("--threads", type=int, default=threads, help="per worker (gthread)")
    parser.add_argument("--log", type=Path, help="keep gunicorn's error log here")
    parser.add_argument("--app", default="himoken.web.wsgi:application",
                        help="the WSGI application, to measure a variant of the site")  # fmt: skip


def server_line(args: argparse.Namespace, pg_version: str) -> str:
    threads = f" x {args.threads} threads" if args.worker_class == "gthread" else ""
    return (f"server: gunicorn, {args.workers} {args.worker_class} workers{threads}, production "
            f"settings, PostgreSQL {pg_version}; {os.cpu_count()} cores shared with the "
            "clients")  # fmt: skip


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind((HOST, 0))
        return probe.getsockname()[1]


def start_server(
    args: argparse.Namespace, env: dict[str, str], log: Path, ready_path: str = LOGIN_PATH
) -> subprocess.Popen:
    """gunicorn serving args.app on args.port (args.workers, args.worker_class, args.threads;
    see add_server_arguments) in its own process group; returns once `ready_path` answers 200."""
    command = [sys.executable, "-m", "gunicorn", args.app,
               "--bind", f"{HOST}:{args.port}", "--workers", str(args.workers),
               "--worker-class", args.worker_class, "--threads", str(args.threads),
               "--keep-alive", "5", "--backlog", "256", "--error-logfile", str(log)]  # fmt: skip
    server = subprocess.Popen(
        command, env=os.environ | env, stdout=subprocess.DEVNULL, start_new_session=True
    )
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        if server.poll() is not None:
            sys.exit(f"gunicorn exited ({server.returncode}):\n{log.read_text()[-2000:]}")
        try:
            status, _, _ = Browser(args.port).get(ready_path)
            if status == 200:
                return server
        except OSError:
            pass
        time.sleep(0.2)
    stop_server(server)
    sys.exit(f"gunicorn did not answer in 60 s:\n{log.read_text()[-2000:]}")


def stop_server(server: subprocess.Popen) -> None:
    """Stop gunicorn and its workers (its own process group, started here)."""
    if server.poll() is not None:
        return
    os.killpg(server.pid, signal.SIGTERM)
    try:
        server.wait(timeout=30)
    except subprocess.TimeoutExpired:
        os.killpg(server.pid, signal.SIGKILL)
        server.wait()


@contextmanager
def served(args: argparse.Namespace, env: dict[str, str], log: Path) -> Iterator[subprocess.Popen]:
    """The site served while the block runs (start_server); then stopped, and a line on the
    errors in gunicorn's log printed if it has any."""
    server = start_server(args, env, log)
    try:
        yield server
    finally:
        stop_server(server)
        errors = log_errors(log)
        if errors:
            print(errors)


def log_errors(log: Path) -> str:
    """One line on gunicorn's error log, or "" when it has no error lines."""
    errors = [line for line in log.read_text().splitlines() if "Error" in line]
    if not errors:
        return ""
    return f"gunicorn log: {len(errors)} error lines; last: {errors[-1][:300]}"


# --- the clients ----------------------------------------------------------------------------

CSRF = re.compile(r'name="csrfmiddlewaretoken" value="([^"]+)"')
INPUT = re.compile(r'<input type="(\w+)" name="([^"]+)"(?: value="([^"]*)")?')
SELECT = re.compile(r'<select name="([^"]+)"[^>]*>(.*?)</select>', re.S)
OPTION = re.compile(r'<option value="([^"]*)"( selected)?')
TEXTAREA = re.compile(r'<textarea name="([^"]+)"[^>]*>\n?(.*?)</textarea>', re.S)


def form_fields(form: str) -> dict[str, str]:
    """What a browser submits for a form as rendered (unticked checkboxes left out)."""
    fields = {name: value or "" for kind, name, value in INPUT.findall(form)
              if kind != "checkbox"}  # fmt: skip
    for name, options in SELECT.findall(form):
        choices = OPTION.findall(options)  # none selected: the first
        first = choices[0][0] if choices else ""
        fields[name] = next((v for v, chosen in choices if chosen), first)
    fields.update(TEXTAREA.findall(form))
    return fields


class Browser:
    """One user's connection and cookies (the sites' cookies are Secure: sent here anyway,
    as the proxy that ends HTTPS would). `keep_alive`: one connection kept open, as a browser
    talking to the server directly; else a new connection per request (Connection: close),
    as a proxy in front of the server that does not keep its upstream connections (nginx's
    default), so each request goes to whichever worker accepts it first."""

    def __init__(self, port: int, keep_alive: bool = True) -> None:
        self.connection = http.client.HTTPConnection(HOST, port, timeout=60)
        self.cookies: dict[str, str] = {}
        self.used = False
        self.keep_alive = keep_alive

    def request(
        self, method: str, path: str, form: dict[str, str] | None = None
    ) -> tuple[int, str, float]:
        """(status, body, seconds). A kept-alive connection the server closed meanwhile is
        reopened once, as browsers do (the time counts)."""
        body = urlencode(form) if form is not None else None
        headers = {"Cookie": "; ".join(f"{k}={v}" for k, v in self.cookies.items())}
        if not self.keep_alive:
            headers["Connection"] = "close"
        if body is not None:
            headers["Content-Type"] = "application/x-www-form-urlencoded"
        started = time.perf_counter()
        for attempt in (1, 2):
            try:
                self.connection.request(method, path, body, headers)
                response = self.connection.getresponse()
                data = response.read()
                break
            except (http.client.RemoteDisconnected, ConnectionResetError, BrokenPipeError):
                self.connection.close()
                if attempt == 2 or not self.used:
                    raise
        seconds = time.perf_counter() - started
        self.used = True
        for header in response.headers.get_all("Set-Cookie") or []:
            for name, morsel in SimpleCookie(header).items():
                self.cookies[name] = morsel.value
        return response.status, data.decode("utf-8", "replace"), seconds

    def get(self, path: str) -> tuple[int, str, float]:
        return self.request("GET", path)

    def login(self, username: str, password: str = PASSWORD, next_path: str = "/") -> None:
        """Through the real login form: its page, its CSRF token, the POST, the session."""
        status, page, _ = self.get(LOGIN_PATH)
        token = CSRF.search(page)
        if status != 200 or token is None:
            raise RuntimeError(f"login page: {status}")
        form = {"username": username, "password": password, "next": next_path,
                "csrfmiddlewaretoken": token.group(1)}  # fmt: skip
        status, _, _ = self.request("POST", LOGIN_PATH, form)
        if status != 302 or "sessionid" not in self.cookies:
            raise RuntimeError(f"login of {username}: {status}")


def pick(rng: random.Random, shares: Sequence[tuple[float, Callable]]) -> Callable:
    """The maker whose cumulative share first exceeds a uniform draw (shares summing to 1)."""
    r, total = rng.random(), 0.0
    for share, maker in shares:
        total += share
        if r < total:
            return maker
    return shares[-1][1]


def path_with(path: str, query: dict[str, str]) -> str:
    return f"{path}?{urlencode(query)}" if query else path


UNFINISHED = -1  # Sample.status of a request still unanswered when its client was stopped


@dataclass
class Sample:
    kind: str
    started: float
    seconds: float
    status: int  # 0: the request failed; UNFINISHED: no answer yet (seconds: so far)
    path: str


@dataclass
class Load:
    """Closed-loop clients: each logs in, then repeats iteration() and a --think pause until
    stop. Subclasses define iteration(number, browser, rng) with calls to timed()."""

    port: int
    think: float
    keep_alive: bool = True  # see Browser
    stop: threading.Event = field(default_factory=threading.Event)
    samples: list[Sample] = field(default_factory=list)
    failures: list[str] = field(default_factory=list)
    login_errors: int = 0
    lock: threading.Lock = field(default_factory=threading.Lock)
    pending: dict[int, Sample] = field(default_factory=dict)  # per thread, while it waits

    def note(self, sample: Sample) -> None:
        with self.lock:
            self.samples.append(sample)
            self.pending.pop(threading.get_ident(), None)

    def fail(self, text: str) -> None:
        with self.lock:
            self.failures.append(text)

    def timed(self, browser: Browser, kind: str, method: str, path: str,
              form: dict[str, str] | None = None) -> tuple[int, str]:  # fmt: skip
        started = time.perf_counter()
        with self.lock:
            self.pending[threading.get_ident()] = Sample(kind, started, 0.0, UNFINISHED, path)
        try:
            status, page, seconds = browser.request(method, path, form)
        except (OSError, http.client.HTTPException) as error:
            self.note(Sample(kind, started, time.perf_counter() - started, 0, path))
            self.fail(f"{kind} {path}: {error!r}")
            browser.connection.close()
            return 0, ""
        self.note(Sample(kind, started, seconds, status, path))
        return status, page

    def finish(self, threads: Iterable[threading.Thread], timeout: float = 60) -> None:
        """Stop the clients and wait for them (`timeout` seconds each at most); a request
        still unanswered then becomes an UNFINISHED sample with the seconds it waited."""
        self.stop.set()
        for thread in threads:
            thread.join(timeout=timeout)
        now = time.perf_counter()
        with self.lock:
            for sample in self.pending.values():
                self.samples.append(Sample(sample.kind, sample.started, now - sample.started,
                                           UNFINISHED, sample.path))  # fmt: skip
            self.pending.clear()

    def pause(self, seconds: float | None = None) -> None:
        self.stop.wait(self.think if seconds is None else seconds)

    def iteration(self, number: int, browser: Browser, rng: random.Random) -> None:
        raise NotImplementedError

    def logged_in(self, username: str, tries: int = 5) -> Browser | None:
        """A browser logged in as `username`; a failed login is tried again, as a person
        would (counted in login_errors); None after `tries` failures."""
        browser = Browser(self.port, self.keep_alive)
        for attempt in range(tries):
            try:
                browser.login(username)
                return browser
            except (OSError, RuntimeError, http.client.HTTPException) as error:
                with self.lock:
                    self.failures.append(f"login: {error!r}")
                    self.login_errors += 1
                if attempt < tries - 1:
                    time.sleep(0.5)
        return None

    def client(self, number: int, username: str, ready: threading.Barrier) -> None:
        """One closed-loop client: log in, wait for the others, stagger, then iterate."""
        rng = random.Random(number)
        browser = self.logged_in(username)
        if browser is None:
            ready.abort()
            return
        try:
            ready.wait()
        except threading.BrokenBarrierError:
            return
        self.stop.wait(rng.random() * self.think)  # stagger the first requests
        while not self.stop.is_set():
            self.iteration(number, browser, rng)
            self.pause()

    def probe(self, path: str = LOGIN_PATH, kind: str = "login page") -> None:
        """The baseline under load: a page without database work, at the clients' pace; its
        latency is how long a request waits for a free worker and a core."""
        browser = Browser(self.port, self.keep_alive)
        while not self.stop.is_set():
            self.timed(browser, kind, "GET", path)
            self.pause()


@dataclass
class Measured:
    """A measured window [begin, end) of a load: its samples are the requests that started
    in it, finished or not (read them after Load.finish), and the CPU it took."""

    load: Load
    begin: float
    end: float
    cpu: dict[str, float]
    watch: LockWatch | None = None

    @property
    def seconds(self) -> float:
        return self.end - self.begin

    @property
    def samples(self) -> list[Sample]:
        with self.load.lock:
            return [s for s in self.load.samples if self.begin <= s.started < self.end]

    def of(self, kind: str) -> list[Sample]:
        return [s for s in self.samples if s.kind == kind]


def start_clients(
    load: Load, usernames: Sequence[str], timeout: float = 300
) -> list[threading.Thread]:
    """One thread per username running load.client, started and logged in (logins hash
    passwords: slow on purpose); exits the script when the clients could not log in."""
    ready = threading.Barrier(len(usernames) + 1)
    clients = [threading.Thread(target=load.client, args=(i, name, ready), daemon=True)
               for i, name in enumerate(usernames)]  # fmt: skip
    for client in clients:
        client.start()
    try:
        ready.wait(timeout=timeout)
    except threading.BrokenBarrierError:
        load.stop.set()
        sys.exit(f"clients could not log in: {load.failures[:3]}")
    return clients


def measure(
    load: Load, warmup: float, seconds: float, server_pid: int, watch: LockWatch | None = None
) -> Measured:
    """With the clients running: --warmup seconds, then --seconds measured (CPU sampled at
    both ends, `watch` sampling PostgreSQL meanwhile). The clients keep running."""
    load.stop.wait(warmup)
    begin, cpu_before = time.perf_counter(), cpu_seconds(server_pid)
    if watch is not None:
        watch.start()
    load.stop.wait(seconds)
    end, cpu_after = time.perf_counter(), cpu_seconds(server_pid)
    if watch is not None:
        watch.finish()
    cpu = {k: cpu_after[k] - cpu_before[k] for k in cpu_before if k in cpu_after}
    return Measured(load, begin, end, cpu, watch)


def run_load(
    load: Load,
    usernames: Sequence[str],
    warmup: float,
    seconds: float,
    server_pid: int,
    watch: LockWatch | None = None,
    probe: bool = True,
) -> Measured:
    """The closed loop from start to end: clients logged in as `usernames`, the login-page
    probe (the baseline under load), warm-up, the measured window, all threads stopped."""
    threads = start_clients(load, usernames)
    if probe:
        threads.append(threading.Thread(target=load.probe, daemon=True))
        threads[-1].start()
    try:
        return measure(load, warmup, seconds, server_pid, watch)
    finally:
        load.finish(threads)


def alone(
    browser: Browser, pages: dict[str, Callable[[], str]], repeat: int, first: bool = True
) -> dict[str, list[float]]:
    """Each page alone: one client, no think time, no other load; `first`: one request
    before the timed ones (a warm connection and worker, a filled cache)."""
    times: dict[str, list[float]] = {}
    for label, path in pages.items():
        if first:
            browser.get(path())
        for _ in range(repeat):
            status, _, seconds = browser.get(path())
            if status != 200:
                sys.exit(f"{label} alone: HTTP {status}")
            times.setdefault(label, []).append(seconds)
    return times


def alone_line(times: dict[str, list[float]], what: str) -> str:
    return f"{what}:  " + ", ".join(
        f"{k} p50 {statistics.median(v) * 1000:.0f} ms" for k, v in times.items()
    )


# --- what the machine did -------------------------------------------------------------------

TICK = os.sysconf("SC_CLK_TCK")


def processes() -> dict[int, tuple[int, str, int]]:
    """pid -> (parent, name, CPU ticks incl. reaped children) from /proc."""
    found = {}
    for entry in os.listdir("/proc"):
        if entry.isdigit():
            try:
                with open(f"/proc/{entry}/stat", encoding="ascii", errors="replace") as handle:
                    text = handle.read()
            except OSError:
                continue
            name = text[text.index("(") + 1 : text.rindex(")")]
            fields = text.rsplit(")", 1)[1].split()
            found[int(entry)] = (int(fields[1]), name, sum(int(f) for f in fields[11:15]))
    return found


def cpu_seconds(server_pid: int) -> dict[str, float]:
    """CPU seconds so far of the gunicorn tree, of PostgreSQL (postmaster, live backends and
    the ones it reaped), of this process, and the machine's busy time; and of each gunicorn
    worker ("worker <pid>")."""
    table = processes()
    tree, stack = 0, [server_pid]
    children: dict[int, list[int]] = {}
    for pid, (parent, _, _) in table.items():
        children.setdefault(parent, []).append(pid)
    while stack:
        pid = stack.pop()
        tree += table.get(pid, (0, "", 0))[2]
        stack.extend(children.get(pid, []))
    postgres = sum(ticks for _, name, ticks in table.values() if name == "postgres")
    usage = resource.getrusage(resource.RUSAGE_SELF)
    with open("/proc/stat", encoding="ascii") as handle:
        values = [int(v) for v in handle.readline().split()[1:]]
    busy = sum(values) - values[3] - values[4]
    workers = {f"worker {pid}": table[pid][2] / TICK for pid in children.get(server_pid, [])}
    return {"server": tree / TICK, "postgres": postgres / TICK,
            "clients": usage.ru_utime + usage.ru_stime, "machine busy": busy / TICK,
            **workers}  # fmt: skip


def cpu_line(cpu: dict[str, float], seconds: float) -> str:
    """Where the CPU went over a window of `seconds` (deltas of cpu_seconds)."""
    cores = os.cpu_count() or 1
    others = max(0.0, cpu["machine busy"] - cpu["server"] - cpu["postgres"] - cpu["clients"])
    workers = [f"{v:.1f}" for k, v in cpu.items() if k.startswith("worker ")]
    return (f"cpu over the window ({seconds * cores:.0f} core-seconds): machine "
            f"{cpu['machine busy'] / seconds / cores:.0%} busy; gunicorn {cpu['server']:.1f} s "
            f"(workers {' + '.join(workers)}), "
            f"postgres (all databases) {cpu['postgres']:.1f} s, clients {cpu['clients']:.1f} s, "
            f"other processes {others:.1f} s")  # fmt: skip


class LockWatch:
    """Samples pg_stat_activity of a database every 100 ms: backends running a query, and
    backends waiting on a lock (and how many of them on a query like `pattern`, `label`)."""

    QUERY = """SELECT count(*) FILTER (WHERE state = 'active'),
                      count(*) FILTER (WHERE wait_event_type = 'Lock'),
                      count(*) FILTER (WHERE wait_event_type = 'Lock' AND query LIKE %s)
               FROM pg_stat_activity WHERE datname = %s AND pid <> pg_backend_pid()"""

    def __init__(
        self, db: str, pattern: str = "%audit_entry%", label: str = "on the audit log"
    ) -> None:
        self.db, self.pattern, self.label, self.rows = db, pattern, label, []
        self.stop = threading.Event()
        self.thread = threading.Thread(target=self.sample, daemon=True)

    def start(self) -> None:
        self.thread.start()

    def finish(self) -> None:
        self.stop.set()
        self.thread.join(timeout=5)

    def sample(self) -> None:
        with psycopg.connect(dbname=self.db, autocommit=True, **PG) as conn:
            while not self.stop.wait(0.1):
                self.rows.append(conn.execute(self.QUERY, (self.pattern, self.db)).fetchone())

    def summary(self) -> str:
        if not self.rows:
            return "no samples"
        active = [r[0] for r in self.rows]
        waiting = [r[1] for r in self.rows]
        matching = [r[2] for r in self.rows]
        share = sum(1 for w in waiting if w) / len(waiting)
        return (f"running a query mean {statistics.fmean(active):.1f} max {max(active)}; "
                f"waiting on a lock mean {statistics.fmean(waiting):.2f} max {max(waiting)} "
                f"(in {share:.0%} of {len(self.rows)} samples; {self.label}: "
                f"{sum(matching)} of {sum(waiting)} waits)")  # fmt: skip


# --- the report -----------------------------------------------------------------------------

HEADER = f"{'kind':<22} {'count':>6} {'p50 ms':>7} {'p95 ms':>7} {'max ms':>7} {'errors':>6}"


def quantile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(q * len(ordered)))]


def p95_ms(times: list[float]) -> float:
    """The p95 of `times` (seconds) in ms; infinite when nothing was measured."""
    return quantile(times, 0.95) * 1000 if times else float("inf")


def row(label: str, times: list[float], errors: int | str = "", extra: str = "") -> str:
    if not times:
        return f"{label:<22} {0:>6}"
    ms = [t * 1000 for t in times]
    return (f"{label:<22} {len(ms):>6} {quantile(ms, 0.5):>7.0f} {quantile(ms, 0.95):>7.0f} "
            f"{max(ms):>7.0f} {errors!s:>6} {extra}")  # fmt: skip


def errors_of(samples: Iterable[Sample], ok: Sequence[int] = (200,)) -> int:
    return sum(1 for s in samples if s.status not in ok)


def throughput_line(measured: Measured, kinds: Sequence[str]) -> str:
    served = [s for s in measured.samples if s.kind in kinds]
    seconds = measured.seconds
    return f"throughput: {len(served) / seconds:.1f} requests/s " + ", ".join(
        f"{k} {sum(1 for s in served if s.kind == k) / seconds:.1f}/s" for k in kinds
    )


def slowest_line(samples: Iterable[Sample], count: int = 5) -> str:
    slowest = sorted(samples, key=lambda s: s.seconds, reverse=True)[:count]
    return "slowest: " + "; ".join(f"{s.kind} {s.path} {s.seconds * 1000:.0f} ms"
                                   for s in slowest)  # fmt: skip


def bad_line(samples: Iterable[Sample], ok: Callable[[Sample], bool]) -> str:
    """The line "errors: kind HTTP status xN, ..." of the samples not `ok`, or "" if none."""
    what = {0: "failed", UNFINISHED: "unfinished"}
    bad = Counter(f"{s.kind} HTTP {what.get(s.status, s.status)}" for s in samples if not ok(s))
    return "errors: " + ", ".join(f"{k} x{n}" for k, n in bad.most_common()) if bad else ""


def main_guard(main: Callable[[], None]) -> None:
    """Run main so that SIGTERM cleans up (server stopped, temporary files removed) as Ctrl-C
    does."""
    try:
        signal.signal(signal.SIGTERM, lambda *_: sys.exit(1))
        main()
    except KeyboardInterrupt:
        sys.exit(130)
