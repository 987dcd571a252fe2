"""The `himoken` command. Each subcommand is a thin shell over the library."""

from __future__ import annotations

import shutil
import time
from pathlib import Path
from typing import TYPE_CHECKING

import typer
from rich.console import Console
from rich.progress import BarColumn, Progress, TextColumn, TimeElapsedColumn
from rich.table import Table

from himoken import __version__

if TYPE_CHECKING:
    from himoken.collate.profiles import Labels, Profile
from himoken.synth.world import DEFAULT_HOMONYM_RATE, DEFAULT_NOTATION_RATE

app = typer.Typer(
    name="himoken",
    help="紐付け点検 (himoken): find, confirm, correct and prevent wrong My Number linkages.",
    no_args_is_help=True,
    add_completion=False,
)
console = Console(stderr=True)


def _version(value: bool) -> None:
    if value:
        typer.echo(f"himoken {__version__}")
        raise typer.Exit()


@app.callback()
def main(
    version: bool = typer.Option(
        False, "--version", callback=_version, is_eager=True, help="Print the version."
    ),
) -> None:
    """紐付け点検 (himoken)."""


def _fail(message: str) -> typer.Exit:
    console.print(f"[red]himoken: {message}[/red]", soft_wrap=True, highlight=False)
    return typer.Exit(code=2)


def _print_json(document: object) -> None:
    """What the prevention commands print: JSON for machines and scripts."""
    import json

    typer.echo(json.dumps(document, ensure_ascii=False, indent=2))


def _parse_rates(values: list[str]) -> dict[str, float]:
    from himoken.synth import DEFAULT_RATES, ERROR_TYPES

    rates = dict(DEFAULT_RATES)
    for value in values:
        name, sep, number = value.partition("=")
        name = name.strip().upper()
        try:
            rate = float(number)
        except ValueError:
            rate = -1.0
        if not sep or not 0 <= rate <= 1:
            raise _fail(f"--error-rate {value!r}: expected TYPE=RATE with 0 <= RATE <= 1")
        if name == "ALL":
            rates = dict.fromkeys(ERROR_TYPES, rate)
        elif name in ERROR_TYPES:
            rates[name] = rate
        else:
            raise _fail(
                f"--error-rate {value!r}: unknown type {name}; known: ALL, {', '.join(ERROR_TYPES)}"
            )
    return rates


def run_synth(options: object, out: Path) -> dict:
    """Generate with a progress bar; print what was made."""
    from himoken.synth import generate

    started = time.perf_counter()
    with Progress(
        TextColumn("合成県を生成中"),
        BarColumn(),
        TextColumn("{task.completed}/{task.total}"),
        TimeElapsedColumn(),
        console=console,
        transient=True,
    ) as progress:
        task = progress.add_task("synth", total=options.chunks)  # type: ignore[attr-defined]

        def advance(done: int, total: int) -> None:
            progress.update(task, completed=done, total=total)

        try:
            manifest = generate(options, out, advance)  # type: ignore[arg-type]
        except OSError as error:
            raise _fail(f"cannot write to {out}: {error.strerror or error}") from error
    _print_world(manifest, out, time.perf_counter() - started)
    return manifest


def _print_world(manifest: dict, out: Path, seconds: float) -> None:
    """What was made, in a table that fits an 80-column terminal."""
    table = Table(title=f"合成県 {manifest['options']['prefecture']}: {out}/", title_justify="left")
    table.add_column("ファイル")
    table.add_column("事務")
    table.add_column("行数", justify="right")
    table.add_column("注入した誤り", justify="right")
    table.add_column("要確認", justify="right")
    table.add_row("register.csv", "住民記録", f"{manifest['register']['rows']:,}", "", "")
    for business in manifest["businesses"]:
        injected = sum(business["errors"].values())
        table.add_row(
            f"{business['slug']}/",
            business["事務"],
            f"{business['records']:,}",
            f"{injected:,}",
            f"{business['needs_review']:,}",
        )
    out_console = Console()
    out_console.print(table)
    errors = ", ".join(f"{k} {v}" for k, v in manifest["errors"].items() if v)
    out_console.print(f"誤り種別 (error types): {errors or 'なし (none)'}")
    out_console.print(
        f"seed {manifest['seed']}, {manifest['encoding']}, {seconds:.1f} s. "
        "各事務: records.csv (事務データ), truth.csv (正解). 一覧: manifest.json"
    )


# The collation's SQL engine, for the commands that collate (collate, recollate run).
BACKEND_OPTION = typer.Option(
    "duckdb", "--backend", help="SQL engine: duckdb (embedded) or spark (docs/spark.md)."
)
MASTER_OPTION = typer.Option(
    None, "--master", help="Spark master, as spark-submit takes it (default local[*])."
)


@app.command()
def synth(
    residents: int = typer.Option(..., "--residents", min=1, help="Number of residents."),
    out: Path = typer.Option(..., "--out", help="Output folder (created if missing)."),
    seed: int = typer.Option(1, "--seed", help="Same seed, same bytes."),
    encoding: str = typer.Option("utf-8", "--encoding", help="utf-8 or cp932."),
    prefecture: str = typer.Option("大阪府", "--prefecture", help="Prefecture whose towns to use."),
    records: int | None = typer.Option(
        None, "--records", min=0, help="Total records over all extracts (default 0.8/resident)."
    ),
    error_rate: list[str] = typer.Option(
        [], "--error-rate", help="TYPE=RATE per record, repeatable; ALL=RATE sets every type."
    ),
    notation_rate: float = typer.Option(
        DEFAULT_NOTATION_RATE,
        "--notation-rate",
        min=0,
        max=1,
        help="Base rate of each benign notation difference.",
    ),
    homonym_rate: float = typer.Option(
        DEFAULT_HOMONYM_RATE,
        "--homonym-rate",
        min=0,
        max=1,
        help="Share of residents given a 同姓同名 namesake.",
    ),
    workers: int = typer.Option(0, "--workers", min=0, help="Processes (0: one per core)."),
) -> None:
    """Generate a synthetic prefecture: register, business extracts, truth and manifest."""
    from himoken.synth import SynthOptions
    from himoken.synth.sources import prefectures

    if prefecture not in prefectures():
        raise _fail(f"--prefecture {prefecture!r} is not a prefecture in Japan Post data")
    try:
        options = SynthOptions(
            residents=residents,
            seed=seed,
            encoding=encoding.lower(),
            prefecture=prefecture,
            records=records,
            error_rates=_parse_rates(error_rate),
            notation_rate=notation_rate,
            homonym_rate=homonym_rate,
            workers=workers,
        )
    except ValueError as error:
        raise _fail(str(error)) from error
    run_synth(options, out)


@app.command()
def demo(
    out: Path = typer.Option(Path("demo-out"), "--out", help="Output folder."),
    residents: int = typer.Option(50_000, "--residents", min=1),
    seed: int = typer.Option(1, "--seed"),
    serve: bool = typer.Option(
        True, "--serve/--no-serve", help="Serve the review and progress sites at the end."
    ),
    port: int = typer.Option(8000, "--port", help="Review site port; progress site: port+1."),
) -> None:
    """The main job on a laptop: a synthetic prefecture, each business extract collated, the
    review site loaded with the flagged records and the progress site with a prefecture
    mid-inspection, both served."""
    from himoken.collate.profiles import Labels, load_profile
    from himoken.collate.run import CollateError
    from himoken.collate.run import collate as run_collate
    from himoken.synth import SynthOptions

    Console().print(
        f"[bold]himoken demo[/bold]: 合成県のデータを {out}/ に生成して照合します "
        f"(residents {residents:,}, seed {seed})"
    )
    manifest = run_synth(SynthOptions(residents=residents, seed=seed), out)
    prefecture = manifest["options"]["prefecture"]
    results = []
    with Progress(
        TextColumn("{task.description}"), BarColumn(), TimeElapsedColumn(), console=console,
        transient=True,
    ) as progress:  # fmt: skip
        task = progress.add_task("照合", total=len(manifest["businesses"]))
        for business in manifest["businesses"]:
            slug = business["slug"]
            progress.update(task, description=f"照合 {business['事務']}")
            labels = Labels("SYNTH", f"合成県({prefecture})")
            try:
                result = run_collate(
                    out / "register.csv", out / slug / "records.csv", out / slug / "collation",
                    labels, profile=load_profile(slug), keep_register=True,
                )  # fmt: skip
            except CollateError as error:
                raise _fail(str(error)) from error
            results.append((business, result))
            progress.advance(task)
    _print_demo(results, out)
    _demo_sites([result.out for _, result in results], out, serve, port)


def _demo_sites(collations: list[Path], out: Path, serve: bool, port: int) -> None:
    """Fresh demo databases for both sites (the world was just regenerated), then serve."""
    from himoken.prevention.register_index import build_index
    from himoken.web import serve as sites

    review = sites.Site("review", out / "web" / "review", port)
    progress = sites.Site("progress", out / "web" / "progress", port + 1)
    shutil.rmtree(out / "web", ignore_errors=True)
    try:
        for site in (review, progress):
            sites.prepare(site)
        imported = sites.manage(review, "review_demo", *(str(c.resolve()) for c in collations))
        sites.manage(progress, "progress_demo")
        # Entry checks read the register's index from the review site's data folder.
        token = sites.manage(review, "entry_client", "SYNTH", "デモ業務システム").strip()
    except sites.ServeError as error:
        raise _fail(str(error)) from error
    build_index(out / "register.csv", review.data_dir / "register.index")
    console.print(f"[bold]確認サイト[/bold] {review.url}  (データ {review.data_dir})")
    console.print(imported.rstrip())
    console.print(f"  紐付け時の確認: {review.url}entry-checks/ 、API {review.url}api/v1/docs "
                  f"(Authorization: Bearer {token})", soft_wrap=True)  # fmt: skip
    console.print(f"[bold]進捗管理サイト[/bold] {progress.url}  (データ {progress.data_dir})")
    console.print(
        "  secretariat / demo-only (事務局)、reporter / demo-only (団体の報告担当)、"
        "executive / demo-only (幹部)"
    )
    if not serve:
        return
    processes = [sites.start(review), sites.start(progress)]
    console.print("公開中。Ctrl+C で終了します。")
    sites.serve_until_interrupted(processes)


def _print_demo(results: list, out: Path) -> None:
    from himoken.collate.verdicts import Verdict

    table = Table(title="照合結果 (判定別件数)", title_justify="left")
    table.add_column("判定")
    for business, _ in results:
        table.add_column(business["事務"], justify="right")
    for verdict in Verdict:
        counts = (f"{r.summary['verdicts'][verdict.code]:,}" for _, r in results)
        table.add_row(f"{verdict.label} {verdict.code}", *counts)
    flagged = (
        f"{sum(r.summary['verdicts'][v.code] for v in Verdict if v.flagged):,}" for _, r in results
    )
    table.add_row("[bold]要確認[/bold]", *flagged)
    out_console = Console()
    out_console.print(table)
    for business, result in results:
        out_console.print(
            f"{business['事務']}: 要確認一覧 {result.out / 'worklist.xlsx'}"
            f" ({result.seconds:.1f} 秒)"
        )
    out_console.print(
        f"各事務の collation/ に results.csv (全件)、summary.json (集計)、run.log。"
        f" 正解: {out}/<事務>/truth.csv"
    )


@app.command()
def serve(
    site: str = typer.Argument(..., help="review (isolated network) or progress (LGWAN)."),
    port: int = typer.Option(8000, "--port"),
    host: str = typer.Option("127.0.0.1", "--host"),
    workers: int = typer.Option(2, "--workers", min=1, help="gunicorn worker processes."),
    data_dir: Path = typer.Option(
        Path("himoken-data"), "--data-dir", help="SQLite database, uploads and static files."
    ),
) -> None:
    """Serve one web site with gunicorn after migrating its database (HIMOKEN_DB=postgresql
    and HIMOKEN_PRODUCTION=1 for production, see docs/review.md)."""
    from himoken.web import serve as sites

    if site not in sites.SITES:
        raise _fail(f"unknown site '{site}' (review, progress)")
    chosen = sites.Site(site, data_dir, port, host, workers)
    try:
        sites.prepare(chosen)
    except sites.ServeError as error:
        raise _fail(str(error)) from error
    console.print(f"{site}: {chosen.url} (Ctrl+C で終了)")
    sites.serve_until_interrupted([sites.start(chosen)])


@app.command()
def collate(
    register: Path = typer.Option(..., "--register", help="住民記録 (CSV/TSV, XLSX, Parquet)."),
    records: Path = typer.Option(..., "--records", help="事務データ: the linked records."),
    out: Path = typer.Option(..., "--out", help="Output folder (created if missing)."),
    profile: str | None = typer.Option(
        None, "--profile", help="Profile (TOML path or shipped name): columns, codes, labels."
    ),
    organisation_code: str | None = typer.Option(None, "--organisation-code"),
    organisation_name: str | None = typer.Option(None, "--organisation-name"),
    business: str | None = typer.Option(None, "--business", help="事務, e.g. 障害者手帳."),
    system: str | None = typer.Option(None, "--system", help="Business system name."),
    show_numbers: bool = typer.Option(
        False, "--show-numbers", help="Show numbers unmasked in worklist.xlsx."
    ),
    memory_limit: str | None = typer.Option(
        None, "--memory-limit", help="DuckDB memory limit, e.g. 4GB (spills to disk beyond)."
    ),
    threads: int | None = typer.Option(None, "--threads", min=1, help="DuckDB threads."),
    keep_register: bool = typer.Option(
        False,
        "--keep-register",
        help="Also write register.parquet (entries with a valid number) to check corrections.",
    ),
    backend: str = BACKEND_OPTION,
    master: str | None = MASTER_OPTION,
) -> None:
    """Check every linked record against the register (spec collation-io.md)."""
    from himoken.collate.run import CollateError
    from himoken.collate.run import collate as run_collate

    loaded, labels = _collate_settings(
        profile, organisation_code, organisation_name, business, system
    )
    with Progress(
        TextColumn("{task.description}"),
        BarColumn(),
        TextColumn("{task.completed:,}/{task.total}"),
        TimeElapsedColumn(),
        console=console,
        transient=True,
    ) as progress:
        tasks: dict[str, object] = {}

        def advance(stage: str, done: int, total: int | None) -> None:
            if stage not in tasks:
                tasks[stage] = progress.add_task(stage, total=total)
            progress.update(tasks[stage], completed=done, total=total)  # type: ignore[arg-type]

        try:
            result = run_collate(
                register, records, out, labels, profile=loaded, show_numbers=show_numbers,
                memory_limit=memory_limit, threads=threads, progress=advance,
                keep_register=keep_register, backend=backend, master=master,
            )  # fmt: skip
        except CollateError as error:
            raise _fail(str(error)) from error
    _print_collation(result.summary, out, result.seconds)


def _collate_settings(
    profile: str | None,
    organisation_code: str | None,
    organisation_name: str | None,
    business: str | None,
    system: str | None,
) -> tuple[Profile, Labels]:
    """The profile (shipped name or TOML path) and the labels the command line gives."""
    from himoken.collate.profiles import Labels, Profile, ProfileError, load_profile

    try:
        loaded = load_profile(profile) if profile else Profile()
    except ProfileError as error:
        raise _fail(str(error)) from error
    return loaded, Labels(organisation_code, organisation_name, business, system)


def _print_collation(summary: dict, out: Path, seconds: float) -> None:
    from himoken.collate.verdicts import Verdict

    table = Table(title=f"照合結果 {summary['business']}: {out}/", title_justify="left")
    table.add_column("判定")
    table.add_column("", style="dim")
    table.add_column("件数", justify="right")
    table.add_column("要確認", justify="right")
    for verdict in Verdict:
        count = summary["verdicts"][verdict.code]
        table.add_row(verdict.label, verdict.code, f"{count:,}", "要" if verdict.flagged else "")
    table.add_row("計", "", f"{summary['run']['record_rows']:,}", "")
    out_console = Console()
    out_console.print(table)
    flagged = sum(summary["verdicts"][v.code] for v in Verdict if v.flagged)
    out_console.print(
        f"要確認 {flagged:,}件 → {out / 'worklist.xlsx'} (全件: results.csv、集計: summary.json)、"
        f"{seconds:.1f} 秒"
    )


# --- risk: residual wrong-linkage risk among auto-cleared records (issue 7, docs/prevention.md)

risk_app = typer.Typer(
    help="Residual risk: bound the wrong linkages left among auto-cleared records.",
    no_args_is_help=True,
)
app.add_typer(risk_app, name="risk")


@risk_app.command("estimate")
def risk_estimate(
    audited: int | None = typer.Option(None, "--audited", help="Auto-cleared records audited."),
    errors: int | None = typer.Option(None, "--errors", help="Wrong linkages found among them."),
    sample: Path | None = typer.Option(
        None, "--sample", help="A filled-in audit sample (himoken risk sample) to tally instead."
    ),
    population: int | None = typer.Option(
        None,
        "--population",
        help="Records to scale to (default with --sample: the auto-cleared count it was drawn "
        "from).",
    ),
    open_flagged: int | None = typer.Option(
        None, "--open-flagged", help="要確認 records not yet confirmed, reported beside the bound."
    ),
    confidence: float = typer.Option(0.95, "--confidence", help="e.g. 0.95 for 95%."),
) -> None:
    """Upper bound (exact Clopper–Pearson) of the wrong-linkage rate among auto-cleared records,
    as JSON with a plain-Japanese statement."""
    import json

    from himoken.prevention.residual import estimate
    from himoken.prevention.sampling import manifest_path, tally

    sample_info: dict[str, object] | None = None
    try:
        if sample is not None:
            if audited is not None or errors is not None:
                raise ValueError("give either --sample or --audited and --errors, not both")
            counted = tally(sample)
            audited, errors = counted.audited, counted.errors
            sample_info = {"file": str(sample), "pending": counted.pending, "manifest": None}
            manifest_file = manifest_path(sample)
            if manifest_file.is_file():
                manifest = json.loads(manifest_file.read_text(encoding="utf-8"))
                sample_info["manifest"] = str(manifest_file)
                sample_info["seed"] = manifest.get("seed")
                sample_info["results_sha256"] = manifest.get("results_sha256")
                if population is None:
                    population = manifest.get("population")
        elif audited is None or errors is None:
            raise ValueError("give --audited and --errors (or --sample with clerks' results)")
        result = estimate(audited, errors, confidence, population, open_flagged)
    except (ValueError, OSError) as error:
        raise _fail(str(error)) from error
    data = result.as_dict()
    if sample_info is not None:
        data["sample"] = sample_info
        if sample_info["pending"]:
            console.print(
                f"[yellow]{sample_info['pending']:,} sampled rows are not yet checked; the bound "
                "counts only those checked (work down 抽出順 without skipping).[/yellow]",
                soft_wrap=True,
            )
    _print_json(data)


@risk_app.command("plan")
def risk_plan(
    rate: float = typer.Option(..., "--rate", help="The rate to claim, e.g. 1e-6."),
    confidence: float = typer.Option(0.95, "--confidence", help="e.g. 0.95 for 95%."),
    errors: int = typer.Option(0, "--errors", help="Errors the audit may find and still claim."),
) -> None:
    """How many auto-cleared records must be audited to claim a rate at or below --rate."""
    from himoken.prevention.residual import plan

    try:
        result = plan(rate, confidence, errors)
    except ValueError as error:
        raise _fail(str(error)) from error
    _print_json(result.as_dict())


@risk_app.command("sample")
def risk_sample(
    results: Path = typer.Option(..., "--results", help="OUT_DIR/results.csv of a collation."),
    size: int = typer.Option(..., "--size", help="Records to draw for clerks to verify."),
    seed: int | None = typer.Option(
        None, "--seed", help="Seed of the draw (default: a fresh one, logged in the manifest)."
    ),
    out: Path = typer.Option(..., "--out", help="Sample CSV to write (not overwritten)."),
) -> None:
    """Draw a reproducible random audit sample of auto-cleared records, with a manifest."""
    import secrets

    from himoken.prevention.sampling import draw_sample, manifest_path

    chosen = secrets.randbits(63) if seed is None else seed
    try:
        manifest = draw_sample(results, size, chosen, out)
    except (ValueError, OSError) as error:
        raise _fail(str(error)) from error
    _print_json({**manifest, "manifest": str(manifest_path(out))})


# ---------------------------------------------------------------- recollate (issue 7)

recollate_app = typer.Typer(
    help="定期再照合: re-collate a 事務 on a schedule and compare with the previous run.",
    no_args_is_help=True,
)
app.add_typer(recollate_app, name="recollate")


@recollate_app.command("run")
def recollate_run(
    register: Path = typer.Argument(..., help="住民記録 (CSV/TSV, XLSX, Parquet)."),
    records: Path = typer.Argument(..., help="事務データ: the linked records."),
    history: Path = typer.Option(
        ..., "--history", help="History folder of this 事務: one folder per run, history.jsonl."
    ),
    profile: str | None = typer.Option(
        None, "--profile", help="Profile (TOML path or shipped name): columns, codes, labels."
    ),
    organisation_code: str | None = typer.Option(None, "--organisation-code"),
    organisation_name: str | None = typer.Option(None, "--organisation-name"),
    business: str | None = typer.Option(None, "--business", help="事務, e.g. 障害者手帳."),
    system: str | None = typer.Option(None, "--system", help="Business system name."),
    memory_limit: str | None = typer.Option(
        None, "--memory-limit", help="DuckDB memory limit, e.g. 4GB (spills to disk beyond)."
    ),
    threads: int | None = typer.Option(None, "--threads", min=1, help="DuckDB threads."),
    keep_register: bool = typer.Option(
        False, "--keep-register", help="Also write register.parquet into the run's folder."
    ),
    backend: str = BACKEND_OPTION,
    master: str | None = MASTER_OPTION,
) -> None:
    """Collate into HISTORY/<YYYYmmdd-HHMMSS>/, compare with the previous run (changes.csv,
    changes.json) and append to HISTORY/history.jsonl; prints the comparison as JSON."""
    from himoken.collate.run import CollateError
    from himoken.prevention.recollation import RecollationError, recollate

    loaded, labels = _collate_settings(
        profile, organisation_code, organisation_name, business, system
    )
    try:
        record = recollate(
            register, records, history, labels, profile=loaded, memory_limit=memory_limit,
            threads=threads, keep_register=keep_register, backend=backend, master=master,
        )  # fmt: skip
    except (CollateError, RecollationError) as error:
        raise _fail(str(error)) from error
    _print_json(record.as_dict())


@recollate_app.command("compare")
def recollate_compare(
    previous_out: Path = typer.Argument(..., help="OUT_DIR of the earlier run."),
    current_out: Path = typer.Argument(..., help="OUT_DIR of the later run."),
    out: Path | None = typer.Option(
        None, "--out", help="Folder for changes.csv and changes.json (not written without)."
    ),
) -> None:
    """Compare two collation OUT_DIRs by レコード番号; prints the counts as JSON."""
    from himoken.prevention.recollation import RecollationError, compare_runs

    try:
        comparison = compare_runs(previous_out, current_out, out)
    except RecollationError as error:
        raise _fail(str(error)) from error
    _print_json(comparison.as_dict())


@recollate_app.command("history")
def recollate_history(
    history: Path = typer.Option(..., "--history", help="History folder of a 事務."),
) -> None:
    """Print history.jsonl (one entry per run, oldest first) as a JSON list."""
    from himoken.prevention.recollation import RecollationError, read_history

    try:
        lines = read_history(history)
    except RecollationError as error:
        raise _fail(str(error)) from error
    _print_json(lines)


# --- entry-time verification ------------------------------------------------------------------

verify_app = typer.Typer(
    help="紐付け時の確認: check a number against the register before it is saved.",
    no_args_is_help=True,
)
app.add_typer(verify_app, name="verify")


@verify_app.command("index")
def verify_index(
    register: Path = typer.Option(..., "--register", help="住民記録 (CSV/TSV, XLSX, Parquet)."),
    out: Path = typer.Option(..., "--out", help="The index file to write (SQLite)."),
    profile: str | None = typer.Option(
        None, "--profile", help="Profile (TOML path or shipped name): how to read the register."
    ),
) -> None:
    """Index the register for entry checks (rebuild it whenever the register is replaced)."""
    from himoken.prevention.register_index import RegisterIndexError, build_index

    loaded, _ = _collate_settings(profile, None, None, None, None)
    with Progress(
        TextColumn("住民記録の索引"), BarColumn(), TextColumn("{task.completed}/{task.total}"),
        TimeElapsedColumn(), console=console, transient=True,
    ) as progress:  # fmt: skip
        task = progress.add_task("index", total=None)
        try:
            report = build_index(
                register, out, layout=loaded.register, gaiji_table=loaded.gaiji,
                progress=lambda done, total: progress.update(task, completed=done, total=total),
            )  # fmt: skip
        except RegisterIndexError as error:
            raise _fail(str(error)) from error
    _print_json({"index": str(report.path), "entries": report.entries,
                 "seconds": round(report.seconds, 1)})  # fmt: skip


@verify_app.command("check")
def verify_check(
    index: Path = typer.Option(..., "--index", help="A register index (himoken verify index)."),
    record: str | None = typer.Option(
        None, "--record", help='One person as JSON: {"個人番号": ..., "氏名": ..., "生年月日": ...}'
    ),
    records: Path | None = typer.Option(
        None, "--records", help="事務データ (spec §3): each row checked in file order."
    ),
    mask_numbers: bool = typer.Option(
        False, "--mask", help="Mask the suggested owner's number (all but the last 4 digits)."
    ),
) -> None:
    """Check one record (--record) or a file of them (--records; each compared with the row
    before it on the same 登録端末) and print the decisions as JSON."""
    import json

    from himoken.collate.ingest import UnreadableFile, open_table
    from himoken.collate.stage import RECORDS_REQUIRED
    from himoken.prevention.entry import EntryChecker
    from himoken.prevention.register_index import RegisterIndex, RegisterIndexError

    if (record is None) == (records is None):
        raise _fail("give one of --record JSON or --records FILE")
    try:
        checker = EntryChecker(RegisterIndex(index))
    except RegisterIndexError as error:
        raise _fail(str(error)) from error
    if record is not None:
        try:
            person = json.loads(record)
        except json.JSONDecodeError as error:
            raise _fail(f"--record: not JSON ({error.msg} at column {error.colno})") from error
        if not isinstance(person, dict):
            raise _fail("--record: a JSON object of the record's columns is expected")
        _print_json(checker.check({k: str(v) for k, v in person.items()}).as_dict(not mask_numbers))
        return
    try:
        table = open_table(records, [c for c in RECORDS_REQUIRED if c != "レコード番号"])
        rows = [(row.ordinal, row.values) for row in table.rows]
    except UnreadableFile as error:
        raise _fail(str(error)) from error
    results = checker.check_in_order(values for _, values in rows)
    _print_json([
        {"行": ordinal, "レコード番号": values.get("レコード番号", ""),
         **result.as_dict(not mask_numbers)}
        for (ordinal, values), result in zip(rows, results, strict=True)
    ])  # fmt: skip
