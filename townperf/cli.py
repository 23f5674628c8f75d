"""The `townperf` command: a thin shell over functions that tests call directly."""

from __future__ import annotations

import sys
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
    for r in results:
        if r.status != "loaded":
            console.print(f"{r.file}: {r.status}: {r.message}")
        for warning in r.warnings:
            console.print(f"{r.file}: warning: {warning}")
        for reason, rows in r.reasons.items():
            shown = ", ".join(map(str, rows[:10])) + (" …" if len(rows) > 10 else "")
            console.print(f"{r.file}: quarantined {len(rows)} row(s) (data row {shown}): {reason}")


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
    from ingest.run import expand_paths
    from townperf import pipeline

    settings = _settings(home)
    files = expand_paths(paths)
    try:
        with _progress() as progress:
            task = progress.add_task("ingest", total=len(files))

            def step(result) -> None:
                progress.update(task, advance=1, description=f"ingest {result.file}")
                if not err.is_terminal:
                    err.print(f"{result.file}: {result.status} ({result.rows_read} rows read)")

            results = pipeline.ingest(settings, files, source, on_file=step)
    except Exception as exc:  # the exit status promises 2 for anything unexpected
        err.print(f"internal error: {type(exc).__name__}: {exc}")
        raise typer.Exit(2) from exc
    _print_results(results)
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


@app.command()
def refresh(home: HomeOption = None) -> None:
    """Ingest the inbox, build into a new file, swap it in. Safe to run from cron."""
    from townperf import pipeline
    from warehouse.store import WarehouseBusy

    settings = _settings(home)
    try:
        report = pipeline.refresh(settings)
    except WarehouseBusy as exc:
        err.print(str(exc))
        raise typer.Exit(1) from exc
    loaded = sum(1 for f in report.files if f["status"] == "loaded")
    if report.status != "success":
        err.print(
            f"refresh failed after {report.seconds}s, previous warehouse still serving: "
            f"{report.error}"
        )
        raise typer.Exit(1)
    console.print(
        f"refresh {report.run_id}: {loaded} file(s) loaded, {report.dbt_nodes} dbt nodes, "
        f"{report.seconds}s"
    )


@app.command()
def serve(
    home: HomeOption = None,
    host: Annotated[str, typer.Option(help="Interface to listen on.")] = "127.0.0.1",
    port: Annotated[int, typer.Option(help="Port.")] = 8050,
    debug: Annotated[bool, typer.Option(help="Dash debug mode.")] = False,
) -> None:
    """Serve the dashboard (development server; use gunicorn dashboard.app:server in production)."""
    from dashboard.app import create_app

    settings = _settings(home)
    console.print(f"townperf dashboard on http://{host}:{port}  (data: {settings.root})")
    create_app(settings).run(host=host, port=port, debug=debug)


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


@users_app.command("add")
def users_add(
    name: Annotated[str, typer.Argument(help="User name.")],
    role: Annotated[str, typer.Option(help="staff, office_head, hr, leader or admin.")],
    staff_id: Annotated[str | None, typer.Option(help="工号 (staff accounts).")] = None,
    office: Annotated[str | None, typer.Option(help="科室 (office head accounts).")] = None,
    password: Annotated[
        str | None,
        typer.Option(envvar="TOWNPERF_NEW_PASSWORD", help="Password; prompted when omitted."),
    ] = None,
    home: HomeOption = None,
) -> None:
    """Create or update a dashboard account (argon2-hashed password)."""
    from townperf import users

    settings = _settings(home)
    if password is None:
        password = typer.prompt("password", hide_input=True, confirmation_prompt=True)
    try:
        user = users.add_user(settings.root, name, password, role, staff_id, office)
    except users.UserError as exc:
        err.print(str(exc))
        raise typer.Exit(2) from exc
    console.print(f"user {user.username}: role {user.role}")


@users_app.command("list")
def users_list(home: HomeOption = None) -> None:
    """List dashboard accounts."""
    from townperf import users

    for user in users.list_users(_settings(home).root):
        console.print(f"{user.username}\t{user.role}\t{user.staff_id or ''}\t{user.office or ''}")


def main() -> None:  # pragma: no cover - console entry
    sys.exit(app())
