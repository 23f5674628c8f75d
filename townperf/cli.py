"""The `townperf` command: a thin shell over functions that tests call directly."""

from __future__ import annotations

import contextlib
import sys
from datetime import datetime
from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, SpinnerColumn, TextColumn
from rich.table import Table

from townperf.settings import Settings, get_settings

app = typer.Typer(
    help="townperf: performance analytics for township civil servants.",
    no_args_is_help=True,
    add_completion=False,
)
console = Console(soft_wrap=True)
err = Console(stderr=True, soft_wrap=True)

HomeOption = Annotated[
    Path | None,
    typer.Option("--home", envvar="TOWNPERF_HOME", help="Data home folder (default ./data)."),
]
NewPasswordOption = Annotated[
    str | None,
    typer.Option(envvar="TOWNPERF_NEW_PASSWORD", help="Password; prompted when omitted."),
]


def _settings(home: Path | None) -> Settings:
    return get_settings(home)


def _progress() -> Progress:
    return Progress(
        SpinnerColumn(),
        TextColumn("[progress.description]{task.description}"),
        BarColumn(),
        MofNCompleteColumn(),
        console=err,
        disable=not err.is_terminal,
    )


def _print_results(results) -> None:
    table = Table(title="ingest", show_lines=False)
    for col in ("file", "source", "read", "loaded", "quarantined", "status"):
        table.add_column(
            col, justify="right" if col in ("read", "loaded", "quarantined") else "left"
        )
    for r in results:
        table.add_row(
            r.file,
            r.source or "-",
            str(r.rows_read),
            str(r.rows_loaded),
            str(r.rows_quarantined),
            r.status,
        )
    console.print(table)
    lines = []  # plain text: a file name or a reason may hold brackets rich would take as markup
    for r in results:
        if r.status != "loaded":
            lines.append(f"{r.file}: {r.status}: {r.message}")
        lines += [f"{r.file}: warning: {warning}" for warning in r.warnings]
        for reason, rows in r.reasons.items():
            shown = ", ".join(map(str, rows[:10])) + (" …" if len(rows) > 10 else "")
            lines.append(f"{r.file}: quarantined {len(rows)} row(s) (data row {shown}): {reason}")
    for line in lines:
        console.print(line, markup=False, highlight=False)


@app.command()
def generate(
    out: Annotated[Path, typer.Option("--out", help="Folder to write the exports into.")],
    scale: Annotated[str, typer.Option(help="town, county or province.")] = "town",
    seed: Annotated[int, typer.Option(help="Random seed: same seed, same bytes.")] = 42,
    towns: Annotated[int | None, typer.Option(help="Override the number of towns.")] = None,
    months: Annotated[int, typer.Option(help="Months of history.")] = 24,
) -> None:
    """Write realistic synthetic exports (Chinese headers, CSV and XLSX, a few defects)."""
    from townperf.generate import generate as run_generate

    if scale not in ("town", "county", "province"):
        err.print(f"unknown scale {scale!r}: use town, county or province")
        raise typer.Exit(2)
    if months < 1 or (towns is not None and towns < 1):
        err.print("--months and --towns must be at least 1")
        raise typer.Exit(2)
    with err.status("generating…"):
        manifest = run_generate(out, scale=scale, seed=seed, towns=towns, months=months)
    rows = (
        sum(f["rows"] for f in manifest["files"].values())
        if isinstance(manifest["files"], dict)
        else sum(f["rows"] for f in manifest["files"])
    )
    console.print(f"wrote {len(manifest['files'])} files, {rows} rows, to {out}")


@app.command()
def ingest(
    paths: Annotated[list[Path], typer.Argument(help="Export files or folders of them.")],
    source: Annotated[
        str | None, typer.Option(help="Source name; detected from the headers when omitted.")
    ] = None,
    home: HomeOption = None,
) -> None:
    """Load export files; print rows read / loaded / quarantined per file.

    Exit status: 0 every file was read, 1 a file was refused, 2 internal error.
    """
    from ingest.mapping import MappingError
    from ingest.run import expand_paths
    from townperf import pipeline

    settings = _settings(home)
    try:
        files = expand_paths(paths)
        with _progress() as progress:
            task = progress.add_task("ingest", total=len(files))

            def step(result) -> None:
                progress.update(task, advance=1, description=f"ingest {result.file}")
                if not err.is_terminal:
                    line = f"{result.file}: {result.status} ({result.rows_read} rows read)"
                    err.print(line, markup=False, highlight=False)

            results = pipeline.ingest(settings, files, source, on_file=step)
    except MappingError as exc:
        err.print(f"bad mapping file, nothing loaded: {exc}", markup=False, highlight=False)
        raise typer.Exit(2) from exc
    except Exception as exc:  # the exit status promises 2 for anything unexpected
        err.print(f"internal error: {type(exc).__name__}: {exc}", markup=False, highlight=False)
        raise typer.Exit(2) from exc
    try:
        _print_results(results)
    except Exception as exc:  # the files are in; only the report failed, still an error
        loaded = sum(r.status == "loaded" for r in results)
        err.print(
            f"internal error while printing the results ({loaded} file(s) were loaded; "
            f"raw.loads has each file's accounting): {type(exc).__name__}: {exc}",
            markup=False,
            highlight=False,
        )
        raise typer.Exit(2) from exc
    raise typer.Exit(1 if any(r.status == "refused" for r in results) else 0)


@app.command()
def build(home: HomeOption = None) -> None:
    """Run dbt (seeds, models, tests) into a new warehouse file and swap it in."""
    from townperf import pipeline

    settings = _settings(home)
    with _progress() as progress:
        task = progress.add_task("dbt build", total=None)

        def step(name: str, status: str) -> None:
            progress.update(task, advance=1, description=f"dbt {name}")

        try:
            outcome = pipeline.build(settings, on_node=step)
        except pipeline.BuildFailed as exc:
            err.print(f"build failed, previous warehouse still serving: {exc}")
            raise typer.Exit(1) from exc
    console.print(f"built {outcome.nodes} dbt nodes into {settings.warehouse_path}")


class _RefreshProgress:
    """Rich bars for ingest and build on a terminal; one plain, timestamped line per file and
    dbt node otherwise, which is what a cron log wants."""

    def __init__(self) -> None:
        self.live = err.is_terminal
        self.bars = _progress()
        self.tasks: dict[str, int] = {}

    def __enter__(self) -> _RefreshProgress:
        self.bars.__enter__()
        return self

    def __exit__(self, *exc) -> None:
        self.bars.__exit__(*exc)

    def stage(self, name: str, total: int | None) -> None:
        if self.live and name in ("ingest", "build"):
            self.tasks[name] = self.bars.add_task(name, total=total)
        elif not self.live:
            _log_line(name if total is None else f"{name}: {total}")

    def file(self, result) -> None:
        if self.live:
            description = f"ingest {result.file[:40]}"
            self.bars.update(self.tasks["ingest"], advance=1, description=description)
        else:
            _log_line(
                f"ingest {result.file}: {result.status}, {result.rows_read} read, "
                f"{result.rows_loaded} loaded, {result.rows_quarantined} quarantined"
            )

    def node(self, name: str, status: str) -> None:
        if self.live:
            self.bars.update(self.tasks["build"], advance=1, description=f"dbt {name[:40]}")
        else:
            _log_line(f"dbt {name}: {status}")


def _log_line(text: str) -> None:
    stamp = datetime.now().strftime("%Y-%m-%d %H:%M:%S")
    err.print(f"{stamp} {text}", markup=False, highlight=False)


def _print_refresh(report) -> None:
    files = [f for f in report.files if f["status"] != "skipped"]
    if files:
        table = Table(title=f"refresh {report.run_id}")
        for col in ("file", "source", "read", "loaded", "quarantined", "status"):
            table.add_column(
                col, justify="right" if col in ("read", "loaded", "quarantined") else "left"
            )
        for f in files:
            table.add_row(
                f["file"],
                f["source"] or "-",
                str(f["rows_read"]),
                str(f["rows_loaded"]),
                str(f["rows_quarantined"]),
                f["status"],
            )
        console.print(table)
    for note in filter(None, [report.recovered, *report.warnings]):
        err.print(f"note: {note}", markup=False, highlight=False)


@app.command()
def refresh(
    home: HomeOption = None,
    rebuild: Annotated[
        bool,
        typer.Option(
            "--rebuild",
            help="Rebuild every model from the raw tables, even when nothing new was loaded.",
        ),
    ] = False,
) -> None:
    """Ingest the inbox, validate, build into a new file, swap it in. Safe to run from cron.

    Exit status: 0 done (or nothing new); 1 validation failed or another refresh is running;
    2 any other error. Unless it is 0, the previous warehouse is still serving.
    """
    from townperf import pipeline
    from warehouse.store import WarehouseBusy

    settings = _settings(home)
    try:
        with _RefreshProgress() as progress:
            report = pipeline.refresh(
                settings,
                on_file=progress.file,
                on_node=progress.node,
                on_stage=progress.stage,
                rebuild=rebuild,
            )
    except WarehouseBusy as exc:
        err.print(f"refresh not started: {exc}", markup=False, highlight=False)
        raise typer.Exit(1) from exc
    except Exception as exc:  # the exit status promises 2 for anything unexpected
        err.print(f"internal error: {type(exc).__name__}: {exc}", markup=False, highlight=False)
        raise typer.Exit(2) from exc
    _print_refresh(report)
    if report.status == "validation_failed":
        err.print(
            "refresh stopped by validation; previous warehouse still serving, inbox files left "
            "in place:",
            markup=False,
        )
        for problem in report.problems:
            err.print(f"  {problem}", markup=False, highlight=False)
    elif report.status != "success":
        err.print(
            f"refresh failed after {report.seconds}s, previous warehouse still serving: "
            f"{report.error}",
            markup=False,
            highlight=False,
        )
    else:
        console.print(
            f"refresh {report.run_id}: {report.files_loaded} file(s) loaded "
            f"({report.rows_loaded} rows, {report.rows_quarantined} quarantined), "
            f"{report.files_skipped} already loaded; dbt {report.dbt_status}"
            + (
                f" ({report.dbt_nodes} nodes, "
                + ("full rebuild)" if report.dbt_full_refresh else "incremental)")
                if report.dbt_nodes
                else ""
            )
            + f"; {report.archived} archived; {report.seconds}s",
            markup=False,
            highlight=False,
        )
    if report.data_docs:
        console.print(
            f"Data Docs: {settings.data_docs / report.data_docs / 'index.html'}",
            markup=False,
            highlight=False,
        )
    raise typer.Exit(report.exit_code)


@app.command()
def scheduler(
    home: HomeOption = None,
    cron: Annotated[
        str,
        typer.Option(
            envvar="TOWNPERF_REFRESH_CRON",
            help="When to refresh, as a crontab line's five fields (default 02:30 daily).",
        ),
    ] = "30 2 * * *",
    timezone: Annotated[
        str | None,
        typer.Option(help="Time zone of the schedule, e.g. Asia/Shanghai (default: local)."),
    ] = None,
    now: Annotated[bool, typer.Option("--now", help="Also refresh once right away.")] = False,
) -> None:
    """Run `townperf refresh` on a cron schedule, each run in a fresh process, until stopped."""
    import logging

    from townperf import scheduler as scheduling

    settings = _settings(home)
    try:
        blocking = scheduling.build_scheduler(settings, cron, timezone, run_now=now)
    except (ValueError, LookupError) as exc:
        err.print(f"bad schedule {cron!r}: {exc}", markup=False, highlight=False)
        raise typer.Exit(2) from exc
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(name)s: %(message)s")
    zone = blocking.timezone
    upcoming = blocking.get_job("refresh").trigger.get_next_fire_time(None, datetime.now(zone))
    console.print(
        f"refreshing {settings.root} on '{cron}' ({zone}); next at {upcoming}",
        markup=False,
        highlight=False,
    )
    with contextlib.suppress(KeyboardInterrupt):  # Ctrl-C is how a person stops it
        blocking.start()


@app.command()
def serve(
    home: HomeOption = None,
    host: Annotated[str, typer.Option(help="Interface to listen on.")] = "127.0.0.1",
    port: Annotated[int, typer.Option(help="Port.")] = 8050,
    debug: Annotated[bool, typer.Option(help="Dash debug mode.")] = False,
) -> None:
    """Serve the dashboard (development server; production: `gunicorn -c gunicorn.conf.py`)."""
    from dashboard.app import NoBannerRequestHandler, create_app
    from dashboard.auth import MissingSecretKey
    from dashboard.warmup import BOOT_WAIT_S, start_warmup

    settings = _settings(home)
    try:
        dashboard = create_app(settings)
    except MissingSecretKey as exc:
        err.print(f"dashboard not started: {exc}", markup=False, highlight=False)
        raise typer.Exit(1) from exc
    with console.status("warming the queries every view shares…"):
        start_warmup(dashboard.server, wait_s=BOOT_WAIT_S)
    console.print(f"townperf dashboard on http://{host}:{port}  (data: {settings.root})")
    dashboard.run(host=host, port=port, debug=debug, request_handler=NoBannerRequestHandler)


@app.command()
def demo(
    home: HomeOption = None,
    seed: Annotated[int, typer.Option(help="Random seed of the sample town.")] = 42,
    port: Annotated[int, typer.Option(help="Port.")] = 8050,
    no_serve: Annotated[bool, typer.Option("--no-serve", help="Build only.")] = False,
) -> None:
    """Generate G Town sample data, ingest it, build, and serve the dashboard."""
    from townperf.generate import generate as run_generate

    settings = _settings(home)
    settings.ensure_dirs()
    with err.status("generating G Town sample exports…"):
        run_generate(settings.inbox, scale="town", seed=seed)
    from townperf import pipeline

    with err.status("refresh: ingest → validate → dbt build → swap…"):
        report = pipeline.refresh(settings)
    if report.status != "success":
        err.print(f"demo refresh failed: {report.error}")
        raise typer.Exit(1)
    loaded = [f for f in report.files if f["status"] == "loaded"]
    console.print(
        f"loaded {len(loaded)} files: {sum(f['rows_loaded'] for f in loaded)} rows, "
        f"{sum(f['rows_quarantined'] for f in loaded)} quarantined; built in {report.seconds}s"
    )
    from townperf.demo_users import create_demo_users

    table = Table(title="demo accounts / 演示账号")
    for col in ("user", "role", "staff_id", "office", "password"):
        table.add_column(col)
    for user, password in create_demo_users(settings.root):
        table.add_row(user.username, user.role, user.staff_id or "", user.office or "", password)
    console.print(table)
    console.print("public pages need no sign-in: /public, /methodology")
    if not no_serve:
        serve(home=settings.root, host="127.0.0.1", port=port, debug=False)


users_app = typer.Typer(help="Dashboard accounts.", no_args_is_help=True)
app.add_typer(users_app, name="users")


@contextlib.contextmanager
def _account_change():
    """An account change the rules refuse (unknown role, short password, …): its message, and
    exit status 2."""
    from townperf import users

    try:
        yield
    except users.UserError as exc:
        err.print(str(exc))
        raise typer.Exit(2) from exc


def _password(given: str | None) -> str:
    """The password given, or asked for twice (never echoed) when it was not."""
    if given is not None:
        return given
    return typer.prompt("password", hide_input=True, confirmation_prompt=True)


@users_app.command("add")
def users_add(
    name: Annotated[str, typer.Argument(help="User name.")],
    role: Annotated[str, typer.Option(help="staff, office_head, hr, leader or admin.")],
    staff_id: Annotated[str | None, typer.Option(help="工号 (staff accounts).")] = None,
    office: Annotated[str | None, typer.Option(help="科室 (office head accounts).")] = None,
    password: NewPasswordOption = None,
    home: HomeOption = None,
) -> None:
    """Create or update a dashboard account (argon2-hashed password)."""
    from townperf import users

    settings = _settings(home)
    with _account_change():
        user = users.add_user(settings.root, name, _password(password), role, staff_id, office)
    console.print(f"user {user.username}: role {user.role}")


@users_app.command("passwd")
def users_passwd(
    name: Annotated[str, typer.Argument(help="User name.")],
    password: NewPasswordOption = None,
    home: HomeOption = None,
) -> None:
    """Give an account a new password (the same rules as `users add`)."""
    from townperf import users

    settings = _settings(home)
    with _account_change():
        users.set_password(settings.root, name, _password(password))
    console.print(f"user {name}: password changed")


@users_app.command("remove")
def users_remove(
    name: Annotated[str, typer.Argument(help="User name.")], home: HomeOption = None
) -> None:
    """Delete an account (the last admin is kept); its sessions end at their next request."""
    from townperf import users

    with _account_change():
        user = users.remove_user(_settings(home).root, name)
    console.print(f"user {user.username}: removed")


@users_app.command("list")
def users_list(home: HomeOption = None) -> None:
    """List dashboard accounts."""
    from townperf import users

    for user in users.list_users(_settings(home).root):
        console.print(f"{user.username}\t{user.role}\t{user.staff_id or ''}\t{user.office or ''}")


@app.command()
def bench(
    scales: Annotated[
        str, typer.Option(help="Comma-separated: town, county, province.")
    ] = "town,county",
    towns: Annotated[
        int | None, typer.Option(help="Towns in the province slice (default 120).")
    ] = None,
    months: Annotated[int, typer.Option(help="Months of history generated.")] = 24,
    seed: Annotated[int, typer.Option(help="Seed of the generated exports.")] = 42,
    clients: Annotated[int, typer.Option(help="Concurrent dashboard clients.")] = 20,
    duration: Annotated[float, typer.Option(help="Seconds of dashboard load.")] = 30.0,
    think: Annotated[
        float, typer.Option(help="Mean pause between a client's requests, seconds.")
    ] = 0.0,
    workers: Annotated[
        int | None,
        typer.Option(help="gunicorn workers serving the dashboard (default: one per core)."),
    ] = None,
    no_postgres: Annotated[
        bool, typer.Option("--no-postgres", help="Skip the PostgreSQL peer build.")
    ] = False,
    json_path: Annotated[
        Path | None, typer.Option("--json", help="Also write one JSON object per scale here.")
    ] = None,
    markdown: Annotated[
        Path | None,
        typer.Option(help="The BENCHMARKS.md to update (default: the repository's)."),
    ] = None,
    no_markdown: Annotated[
        bool, typer.Option("--no-markdown", help="Do not touch BENCHMARKS.md.")
    ] = False,
    workdir: Annotated[
        Path | None, typer.Option(help="Where the temporary data goes (default: system temp).")
    ] = None,
    keep: Annotated[bool, typer.Option("--keep", help="Keep the generated data.")] = False,
) -> None:
    """The benchmark suite: ingest, floor, build, refresh, dashboard latency, PostgreSQL peer."""
    from townperf import bench as benchmark

    options = benchmark.BenchOptions(
        scales=tuple(s.strip() for s in scales.split(",") if s.strip()),
        towns=towns,
        months=months,
        seed=seed,
        workdir=workdir,
        keep=keep,
        clients=clients,
        duration_s=duration,
        think_s=think,
        workers=workers,
        postgres=not no_postgres,
    )
    try:
        results = benchmark.run_bench(options, log=lambda line: err.print(line, markup=False))
    except ValueError as exc:
        err.print(str(exc), markup=False)
        raise typer.Exit(2) from exc
    benchmark.stamp(results, options)
    table = Table(title="townperf bench")
    table.add_column("")
    for r in results:
        table.add_column(r["scale"], justify="right")
    for label, cells in benchmark.table_rows(results):
        table.add_row(label, *cells)
    console.print(table)
    targets = Table(title="targets")
    for col in ("target", "measured", "verdict"):
        targets.add_column(col)
    for row in benchmark.targets(results):
        targets.add_row(*row)
    console.print(targets)
    if json_path is not None:
        json_path.write_text(benchmark.json_lines(results), encoding="utf-8")
        console.print(f"wrote {json_path}")
    if not no_markdown:
        path = markdown or benchmark.MARKDOWN
        benchmark.write_markdown(path, results)
        console.print(f"updated {path}")


def main() -> None:  # pragma: no cover - console entry
    sys.exit(app())
