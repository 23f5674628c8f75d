"""`townperf bench`: the whole pipeline timed at town, county and province scale.

For each scale, in one run: generate the exports; the floor (DuckDB `read_csv` of the same
files, no validation); a full refresh from an empty home (ingest, validate, dbt build, swap),
whose ingest stage is compared with the floor; `townperf build` alone; an incremental refresh
with one more day of files; the warehouse's size; dashboard latency under concurrent clients;
and the same dbt models built on PostgreSQL (see `bench_postgres`). Every step runs in a child
process of its own, so each has its own peak RSS.

Benchmarks are not timed tests: the test suite runs this at a tiny scale to prove it works.
"""

from __future__ import annotations

import json
import os
import platform
import re
import shutil
import tempfile
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime
from importlib import metadata
from pathlib import Path

from townperf.bench_steps import run_step
from townperf.settings import DBT_PROJECT_DIR, REPO_ROOT

SCALES = ("town", "county", "province")
DEFAULT_SCALES = ("town", "county")
PROVINCE_TOWNS = 120
MARKDOWN = REPO_ROOT / "BENCHMARKS.md"
JSON_KEYS = (
    "scale",
    "events",
    "ingest_s",
    "floor_s",
    "ingest_over_floor",
    "build_s",
    "refresh_s",
    "incremental_refresh_s",
    "peak_rss_mb",
    "latency_p50_ms",
    "latency_p95_ms",
    "latency_p99_ms",
    "errors",
    "postgres_build_s",
    "duckdb_speedup_over_postgres",
)


@dataclass
class BenchOptions:
    scales: tuple[str, ...] = DEFAULT_SCALES
    towns: int | None = None  # the province slice (default 120 towns)
    months: int = 24
    seed: int = 42
    workdir: Path | None = None
    keep: bool = False
    clients: int = 20
    duration_s: float = 30.0
    think_s: float = 0.0
    workers: int | None = None  # gunicorn.conf.py's: one per core
    postgres: bool = True
    command: str = ""
    extra: dict = field(default_factory=dict)


Log = Callable[[str], None]


def run_bench(options: BenchOptions, log: Log = print) -> list[dict]:
    """Benchmark each scale in turn; one result dict per scale (see JSON_KEYS)."""
    for scale in options.scales:
        if scale not in SCALES:
            raise ValueError(f"unknown scale {scale!r}; use {', '.join(SCALES)}")
    root = Path(tempfile.mkdtemp(prefix="townperf-bench-", dir=options.workdir))
    results = []
    try:
        for scale in options.scales:
            results.append(run_scale(scale, options, root / scale, log))
    finally:
        if options.keep:
            log(f"work files kept in {root}")
        else:
            shutil.rmtree(root, ignore_errors=True)
    return results


def run_scale(scale: str, options: BenchOptions, work: Path, log: Log) -> dict:
    towns = options.towns if scale == "province" else None
    if scale == "province" and towns is None:
        towns = PROVINCE_TOWNS
    files, home = work / "files", work / "home"
    inbox = home / "inbox"
    inbox.mkdir(parents=True)
    r: dict = {"scale": scale, "months": options.months, "seed": options.seed}
    peaks: dict[str, float] = {}

    log(f"[{scale}] generating exports…")
    gen = run_step(
        "townperf.bench_steps.generate_step",
        out_dir=str(files),
        scale=scale,
        seed=options.seed,
        towns=towns,
        months=options.months,
    )
    r |= {
        "towns": gen["towns"],
        "staff": gen["staff"],
        "files": gen["files"],
        "events": gen["events"],
        "rows_by_source": gen["rows_by_source"],
        "export_mb": gen["bytes"] / 2**20,
        "generate_s": gen["seconds"],
    }
    log(f"[{scale}] {gen['events']:,} rows in {gen['files']} files ({gen['seconds']:.1f}s)")

    log(f"[{scale}] floor: DuckDB read_csv of the same files…")
    floor = run_step("townperf.bench_steps.floor_step", files_dir=str(files), work_dir=str(work))
    (work / "floor.duckdb").unlink(missing_ok=True)
    peaks["floor"] = floor["peak_rss_mb"]
    r |= {
        "floor_s": floor["seconds"],
        "floor_transcode_s": floor["transcode_s"],
        "floor_read_csv_s": floor["read_csv_s"],
        "floor_xlsx_s": floor["xlsx_s"],
        "floor_rows": floor["rows"],
    }

    for path in sorted(files.iterdir()):
        if path.suffix.lower() in (".csv", ".xlsx"):
            os.link(path, inbox / path.name)
    log(f"[{scale}] full refresh from an empty home…")
    full = run_step("townperf.bench_steps.refresh_step", home=str(home))
    peaks["refresh"] = full["peak_rss_mb"]
    stage = full["stage_peak_rss_mb"]
    peaks["refresh.ingest"] = stage.get("ingest", 0.0)
    peaks["refresh.build"] = stage.get("build", 0.0)
    ingest_s = full["ingest_s"]
    r |= {
        "refresh_s": full["seconds"],
        "ingest_s": ingest_s,
        "ingest_rows_per_s": full["rows_read"] / ingest_s if ingest_s else None,
        "ingest_over_floor": ingest_s / floor["seconds"] if floor["seconds"] else None,
        "refresh_build_s": full["build_s"],
        "refresh_other_s": full["seconds"] - (ingest_s or 0) - (full["build_s"] or 0),
        "rows_read": full["rows_read"],
        "rows_loaded": full["rows_loaded"],
        "rows_quarantined": full["rows_quarantined"],
        "loaded_by_source": full["rows_by_source"],
        "dbt_nodes": full["dbt_nodes"],
        "refresh_s_per_million_events": full["seconds"] / (gen["events"] / 1e6),
    }
    log(
        f"[{scale}] refresh {full['seconds']:.1f}s (ingest {ingest_s:.1f}s, "
        f"dbt build {full['build_s']:.1f}s); floor {floor['seconds']:.1f}s"
    )

    log(f"[{scale}] townperf build…")
    build = run_step("townperf.bench_steps.build_step", home=str(home))
    peaks["build"] = build["peak_rss_mb"]
    r["build_s"] = build["seconds"]

    day = run_step("townperf.bench_steps.day_files_step", files_dir=str(files), inbox=str(inbox))
    log(f"[{scale}] incremental refresh with one more day ({day['rows']} rows)…")
    incremental = run_step("townperf.bench_steps.refresh_step", home=str(home))
    peaks["incremental_refresh"] = incremental["peak_rss_mb"]
    r |= {
        "incremental_rows": day["rows"],
        "incremental_refresh_s": incremental["seconds"],
        "incremental_ingest_s": incremental["ingest_s"],
        "incremental_build_s": incremental["build_s"],
        "incremental_other_s": incremental["seconds"]
        - (incremental["ingest_s"] or 0)
        - (incremental["build_s"] or 0),
        "warehouse_mb": incremental["warehouse_bytes"] / 2**20,
    }

    log(
        f"[{scale}] dashboard: {options.clients} clients for {options.duration_s:.0f}s "
        f"(think {options.think_s}s)…"
    )
    from townperf.bench_load import measure_dashboard

    dash = measure_dashboard(
        home.resolve(),
        options.clients,
        options.duration_s,
        options.think_s,
        options.workers,
    )
    peaks["dashboard_server"] = dash["server_peak_rss_mb"]
    r |= {
        "latency_p50_ms": dash["latency_p50_ms"],
        "latency_p95_ms": dash["latency_p95_ms"],
        "latency_p99_ms": dash["latency_p99_ms"],
        "errors": dash["errors"],
        "error_samples": dash["error_samples"],
        "requests": dash["requests"],
        "requests_per_s": dash["requests_per_s"],
        "clients": dash["clients"],
        "load_s": dash["duration_s"],
        "think_s": dash["think_s"],
        "server": dash["server"],
        "latency_by_page": dash["pages"],
        "pages_missing": dash["pages_missing"],
        "callbacks": dash["scenarios"],
    }

    r |= _postgres(home, work, log, scale, peaks) if options.postgres else _no_postgres()
    r["peak_rss_mb_by_step"] = peaks
    r["peak_rss_mb"] = max(peaks.values())
    # the machine may be shared: how busy it was over the last 1, 5 and 15 minutes
    r["load_average"] = [round(x, 2) for x in os.getloadavg()]
    return r


def _no_postgres(reason: str = "skipped (--no-postgres)") -> dict:
    return {
        "postgres_build_s": None,
        "duckdb_subset_build_s": None,
        "duckdb_speedup_over_postgres": None,
        "postgres_status": reason,
    }


def _postgres(home: Path, work: Path, log: Log, scale: str, peaks: dict) -> dict:
    from townperf import bench_postgres as bp
    from townperf.bench_load import PeakSampler

    try:
        bin_dir = bp.check_available()
    except bp.PostgresUnavailable as exc:
        log(f"[{scale}] PostgreSQL peer skipped: {exc}")
        return _no_postgres(f"skipped: {exc}")
    warehouse = home / "warehouse.duckdb"
    # the SQL that builds each model whole (the refresh's own manifest holds the incremental one)
    target = work / "compile_target"
    scratch = work / "compile.duckdb"
    shutil.copyfile(warehouse, scratch)
    run_step(
        "townperf.bench_steps.dbt_subset_step",
        project=str(DBT_PROJECT_DIR),
        select=None,
        target=str(target),
        db_file=str(scratch),
        command="compile",
    )
    scratch.unlink(missing_ok=True)
    manifest = json.loads((target / "manifest.json").read_text(encoding="utf-8"))
    port = bp.port_models(manifest, bp.compiled_sql(target, manifest), warehouse)
    log(f"[{scale}] PostgreSQL: loading the same raw tables…")
    out: dict = {}
    with bp.cluster(bin_dir) as db, PeakSampler(db.pid or os.getpid()) as server_rss:
        out["postgres_version"] = bp.server_version(db)
        from townperf.bench_steps import call

        copied, out["postgres_load_s"] = call(bp.copy_tables, warehouse, db, work)
        out["postgres_rows_loaded"] = sum(copied.values())
        pg = None
        for _attempt in range(3):
            subset = port.subset()
            project = work / "pg_project"
            shutil.rmtree(project, ignore_errors=True)
            bp.write_project(port, subset, db, project)
            log(f"[{scale}] PostgreSQL: dbt run of {len(subset)} models…")
            pg = run_step(
                "townperf.bench_steps.dbt_subset_step",
                project=str(project),
                select=None,
                target=str(work / "pg_target"),
                db_file="",
            )
            failed = {m: e for m, e in pg["errors"].items() if e != "skipped" and m in port.sql}
            if not failed:
                break
            for model, error in failed.items():
                port.not_portable[model] = f"PostgreSQL: {error}"
                port.sql.pop(model, None)
            _reset_schemas(db, port)
        assert pg is not None
        peaks["postgres_dbt"] = pg["peak_rss_mb"]
        subset = port.subset()
        mismatches = _compare_counts(db, warehouse, port, subset)
    peaks["postgres_server"] = server_rss.peak_mb
    copy = work / "duck_subset.duckdb"
    shutil.copyfile(warehouse, copy)
    log(f"[{scale}] DuckDB: dbt run of the same {len(subset)} models…")
    duck = run_step(
        "townperf.bench_steps.dbt_subset_step",
        project=str(DBT_PROJECT_DIR),
        select=subset,
        target=str(work / "duck_target"),
        db_file=str(copy),
    )
    copy.unlink(missing_ok=True)
    peaks["duckdb_subset_dbt"] = duck["peak_rss_mb"]
    ok = pg["success"] and duck["success"]
    out |= {
        "postgres_status": "ok" if ok else f"failed: {pg['errors'] or duck['errors']}",
        "postgres_build_s": pg["seconds"],
        "duckdb_subset_build_s": duck["seconds"],
        "duckdb_speedup_over_postgres": pg["seconds"] / duck["seconds"] if ok else None,
        "postgres_model_s": sum(pg["model_seconds"].values()),
        "duckdb_subset_model_s": sum(duck["model_seconds"].values()),
        "postgres_models_built": len(subset),
        "postgres_models_total": len(port.sql) + len(port.not_portable) + len(port.copied),
        "postgres_not_portable": port.excluded(),
        "postgres_copied_from_duckdb": port.copied,
        "postgres_rowcount_mismatches": mismatches,
        "postgres_slowest_models": dict(
            sorted(pg["model_seconds"].items(), key=lambda kv: -kv[1])[:5]
        ),
        "duckdb_slowest_models": dict(
            sorted(duck["model_seconds"].items(), key=lambda kv: -kv[1])[:5]
        ),
    }
    return out


def _reset_schemas(db, port) -> None:
    """Drop what a failed attempt built, so the next attempt starts from the copied tables."""
    import psycopg2

    con = psycopg2.connect(**db.dsn)
    con.autocommit = True
    with con.cursor() as cur:
        for name, schema in port.schema.items():
            if name in port.copied:
                continue
            cur.execute(
                "select c.relkind from pg_class c join pg_namespace n on n.oid = c.relnamespace"
                " where n.nspname = %s and c.relname = %s",
                [schema, name],
            )
            found = cur.fetchone()
            if found:
                kind = "view" if found[0] == "v" else "table"
                cur.execute(f'drop {kind} if exists "{schema}"."{name}" cascade')
    con.close()


def _compare_counts(db, warehouse: Path, port, models: list[str]) -> dict[str, list[int]]:
    """Models whose row count differs between the engines: {model: [duckdb, postgres]}."""
    import duckdb
    import psycopg2

    pg = psycopg2.connect(**db.dsn)
    duck = duckdb.connect(str(warehouse), read_only=True)
    out = {}
    try:
        with pg.cursor() as cur:
            for name in models:
                relation = f'"{port.schema[name]}"."{name}"'
                cur.execute(f"select count(*) from {relation}")
                on_pg = cur.fetchone()[0]
                on_duck = duck.execute(f"select count(*) from {relation}").fetchall()[0][0]
                if on_pg != on_duck:
                    out[name] = [on_duck, on_pg]
    finally:
        pg.close()
        duck.close()
    return out


# -- reporting --------------------------------------------------------------------------------


def machine() -> dict:
    import psutil

    cpu = platform.processor() or ""
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    return {
        "cores": os.cpu_count(),
        "memory_gb": round(psutil.virtual_memory().total / 2**30, 1),
        "cpu": cpu,
        "os": f"{platform.system()} {platform.release()}",
        "python": platform.python_version(),
    }


def versions(results: list[dict]) -> dict:
    out = {}
    for package in (
        "duckdb",
        "dbt-core",
        "dbt-duckdb",
        "dbt-postgres",
        "pandas",
        "great-expectations",
        "dash",
        "gunicorn",
        "sqlglot",
    ):
        try:
            out[package] = metadata.version(package)
        except metadata.PackageNotFoundError:
            out[package] = "not installed"
    pg = next((r["postgres_version"] for r in results if r.get("postgres_version")), None)
    out["PostgreSQL"] = pg or "not run"
    return out


def _fmt(value, digits: int = 1) -> str:
    if value is None:
        return "–"
    if isinstance(value, float):
        return f"{value:,.{digits}f}"
    if isinstance(value, int):
        return f"{value:,}"
    return str(value)


def table_rows(results: list[dict]) -> list[tuple[str, list[str]]]:
    """(label, one cell per scale) for the terminal table and BENCHMARKS.md alike."""

    def row(label: str, key: str, digits: int = 1) -> tuple[str, list[str]]:
        return label, [_fmt(r.get(key), digits) for r in results]

    def peak(label: str, step: str) -> tuple[str, list[str]]:
        return label, [_fmt(r.get("peak_rss_mb_by_step", {}).get(step), 0) for r in results]

    for r in results:
        if r.get("postgres_model_s") and r.get("duckdb_subset_model_s"):
            r["model_speedup"] = r["postgres_model_s"] / r["duckdb_subset_model_s"]
    sources = sorted({s for r in results for s in r.get("rows_by_source", {})})
    load = [f"{r.get('clients', '–')} × {_fmt(r.get('load_s'), 0)}" for r in results]
    rows = [
        row("towns", "towns"),
        row("staff", "staff"),
        row("rows (events)", "events"),
        *[
            (f"  rows: {s}", [_fmt(r.get("rows_by_source", {}).get(s)) for r in results])
            for s in sources
        ],
        row("rows quarantined", "rows_quarantined"),
        row("export files (MB)", "export_mb"),
        row("floor: DuckDB read_csv (s)", "floor_s", 2),
        row("  of which GB18030 transcode (s)", "floor_transcode_s", 2),
        row("  of which XLSX via calamine (s)", "floor_xlsx_s", 2),
        row("ingest + validation (s)", "ingest_s", 2),
        row("ingest rows/s", "ingest_rows_per_s", 0),
        row("ingest / floor", "ingest_over_floor", 2),
        row("dbt build in the refresh (s)", "refresh_build_s", 2),
        row("townperf build (s)", "build_s", 2),
        row("full refresh (s)", "refresh_s", 2),
        row("full refresh s per million events", "refresh_s_per_million_events", 2),
        row("incremental refresh, +1 day (s)", "incremental_refresh_s", 2),
        row("  rows in the new day", "incremental_rows"),
        row("  its ingest (s)", "incremental_ingest_s", 2),
        row("  its dbt build (s)", "incremental_build_s", 2),
        row("warehouse file (MB)", "warehouse_mb"),
        peak("peak RSS floor (MB)", "floor"),
        peak("peak RSS refresh: ingest (MB)", "refresh.ingest"),
        peak("peak RSS refresh: build (MB)", "refresh.build"),
        peak("peak RSS townperf build (MB)", "build"),
        peak("peak RSS incremental refresh (MB)", "incremental_refresh"),
        peak("peak RSS dashboard server (MB)", "dashboard_server"),
        peak("peak RSS PostgreSQL server (MB)", "postgres_server"),
        ("dashboard clients × seconds", load),
        row("dashboard requests/s", "requests_per_s"),
        row("callback latency p50 (ms)", "latency_p50_ms", 0),
        row("callback latency p95 (ms)", "latency_p95_ms", 0),
        row("callback latency p99 (ms)", "latency_p99_ms", 0),
        *[
            (
                f"  p95 {page} (ms)",
                [
                    _fmt(r.get("latency_by_page", {}).get(page, {}).get("p95_ms"), 0)
                    for r in results
                ],
            )
            for page in ("overview", "rankings", "people")
        ],
        row("dashboard errors", "errors"),
        (
            "machine load average (1/5/15 min)",
            [
                "/".join(f"{x:.1f}" for x in r["load_average"]) if r.get("load_average") else "–"
                for r in results
            ],
        ),
        row("PostgreSQL: models built (of all)", "postgres_models_built"),
        row("PostgreSQL dbt run (s)", "postgres_build_s", 2),
        row("DuckDB dbt run, same models (s)", "duckdb_subset_build_s", 2),
        row("DuckDB speed-up over PostgreSQL", "duckdb_speedup_over_postgres", 1),
        row("  on model time only", "model_speedup", 1),
    ]
    return rows


def targets(results: list[dict]) -> list[tuple[str, str, str]]:
    """(target, measured, verdict) for the targets of issue 7."""
    by = {r["scale"]: r for r in results}

    def verdict(ok: bool | None) -> str:
        return "not run" if ok is None else ("met" if ok else "MISSED")

    def per_scale(checks: list[tuple[str, bool]]) -> str:
        """ "met", "MISSED", or which scales met it and which missed it."""
        if not checks:
            return "not run"
        if all(ok for _, ok in checks) or not any(ok for _, ok in checks):
            return verdict(checks[0][1])
        met = ", ".join(s for s, ok in checks if ok)
        missed = ", ".join(s for s, ok in checks if not ok)
        return f"met at {met}; MISSED at {missed}"

    def at(scale: str, key: str):
        return by.get(scale, {}).get(key)

    out = []
    town, county = at("town", "refresh_s"), at("county", "refresh_s")
    out.append(
        (
            "town full refresh < 20 s",
            _fmt(town, 1) + " s",
            verdict(None if town is None else town < 20),
        )
    )
    out.append(
        (
            "county full refresh < 90 s",
            _fmt(county, 1) + " s",
            verdict(None if county is None else county < 90),
        )
    )
    costs = [
        (r["scale"], r["refresh_s_per_million_events"])
        for r in sorted(results, key=lambda r: r["events"])
        if r.get("refresh_s_per_million_events")
    ]
    flat = None
    if len(costs) > 1:
        flat = all(b <= a * 1.1 for (_, a), (_, b) in zip(costs, costs[1:], strict=False))
    out.append(
        (
            "cost per million events flat or falling",
            ", ".join(f"{s} {c:.1f} s" for s, c in costs),
            verdict(flat),
        )
    )
    ratios = [(r["scale"], r.get("ingest_over_floor")) for r in results]
    ratios = [(s, x) for s, x in ratios if x is not None]
    out.append(
        (
            "ingest within 1.5× of the read_csv floor",
            ", ".join(f"{s} {x:.1f}×" for s, x in ratios),
            per_scale([(s, x <= 1.5) for s, x in ratios]),
        )
    )
    inc = at("county", "incremental_refresh_s")
    out.append(
        (
            "county incremental daily refresh < 15 s",
            _fmt(inc, 1) + " s",
            verdict(None if inc is None else inc < 15),
        )
    )
    p95, errors = at("county", "latency_p95_ms"), at("county", "errors")
    clients = at("county", "clients")
    out.append(
        (
            "county dashboard p95 < 150 ms, 20 clients, 0 errors",
            f"{_fmt(p95, 0)} ms, {clients} clients, {_fmt(errors)} errors",
            verdict(None if p95 is None else p95 < 150 and errors == 0 and (clients or 0) >= 20),
        )
    )
    speed = [(r["scale"], r.get("duckdb_speedup_over_postgres")) for r in results]
    speed = [(s, x) for s, x in speed if x is not None]
    out.append(
        (
            "DuckDB build ≥ 5× faster than PostgreSQL",
            ", ".join(f"{s} {x:.1f}×" for s, x in speed),
            per_scale([(s, x >= 5) for s, x in speed]),
        )
    )
    return out


def json_lines(results: list[dict]) -> str:
    """One JSON object per scale, one per line."""
    return "".join(json.dumps(r, ensure_ascii=False, default=str) + "\n" for r in results)


# -- BENCHMARKS.md ----------------------------------------------------------------------------

BEGIN, END = "<!-- bench:begin (written by townperf bench) -->", "<!-- bench:end -->"
DATA = re.compile(r"<!-- bench:data (.*?) -->", re.S)


def stamp(results: list[dict], options: BenchOptions) -> None:
    """Attach when, where, with what and how each result was measured."""
    run = {
        "date": datetime.now().strftime("%Y-%m-%d %H:%M"),
        "machine": machine(),
        "versions": versions(results),
        "command": options.command or reproduce(options),
    }
    for r in results:
        r["run"] = run


def merged(path: Path, results: list[dict]) -> list[dict]:
    """The results kept in `path` for other scales, with these replacing their own scales."""
    kept: dict[str, dict] = {}
    if path.exists():
        found = DATA.search(path.read_text(encoding="utf-8"))
        if found:
            try:
                for r in json.loads(found.group(1).replace("-\\->", "-->")):
                    kept[r["scale"]] = r
            except (json.JSONDecodeError, KeyError, TypeError):
                kept = {}
    for r in results:
        kept[r["scale"]] = r
    return sorted(kept.values(), key=lambda r: SCALES.index(r["scale"]))


def markdown_section(results: list[dict]) -> str:
    lines = [BEGIN, ""]
    runs = {json.dumps(r.get("run", {}), sort_keys=True): r.get("run", {}) for r in results}
    for run in runs.values():
        scales = ", ".join(r["scale"] for r in results if r.get("run") == run)
        m = run.get("machine", {})
        lines += [
            f"**{scales}** — measured {run.get('date', '?')} on {m.get('cores')} cores, "
            f"{m.get('memory_gb')} GB ({m.get('cpu', '?')}; {m.get('os', '?')}, "
            f"Python {m.get('python', '?')}).",
            "",
            "Versions: " + ", ".join(f"{k} {v}" for k, v in run.get("versions", {}).items()) + ".",
            "",
            f"Reproduce: `{run.get('command', 'townperf bench')}`",
            "",
        ]
    header = "| | " + " | ".join(r["scale"] for r in results) + " |"
    lines += [header, "|---|" + "---:|" * len(results)]
    for label, cells in table_rows(results):
        shown = "↳ " + label.strip() if label.startswith("  ") else label
        lines.append(f"| {shown} | " + " | ".join(cells) + " |")
    lines += ["", "Targets (issue 7):", "", "| target | measured | verdict |", "|---|---|---|"]
    for target, measured, verdict in targets(results):
        shown = verdict.replace("MISSED", "**MISSED**")
        lines.append(f"| {target} | {measured} | {shown} |")
    excluded: dict[str, str] = {}
    copied: dict[str, str] = {}
    for r in results:
        excluded |= r.get("postgres_not_portable") or {}
        copied |= r.get("postgres_copied_from_duckdb") or {}
    if excluded or copied:
        lines += ["", "Models not built on PostgreSQL:", ""]
        for model, why in {**copied, **excluded}.items():
            how = "copied from DuckDB as data" if model in copied else "left out on both engines"
            lines.append(f"- `{model}` ({how}): {why}")
    data = json.dumps(results, ensure_ascii=False, default=str).replace("-->", "-\\->")
    lines += ["", f"<!-- bench:data {data} -->", END]
    return "\n".join(lines)


def write_markdown(path: Path, results: list[dict]) -> list[dict]:
    """Write the generated section of BENCHMARKS.md, keeping the prose around it and the
    figures of scales not run this time. Returns every scale's results now in the file."""
    every = merged(path, results)
    section = markdown_section(every)
    if path.exists():
        text = path.read_text(encoding="utf-8")
        if BEGIN in text and END in text:
            head, rest = text.split(BEGIN, 1)
            tail = rest.split(END, 1)[1]
            text = head + section + tail
        else:
            text = text.rstrip() + "\n\n" + section + "\n"
    else:
        text = "# Benchmarks\n\nWritten by `townperf bench`.\n\n" + section + "\n"
    path.write_text(text, encoding="utf-8")
    return every


def reproduce(options: BenchOptions) -> str:
    """The command that measures the same thing again (defaults left out)."""
    defaults = BenchOptions()
    parts = ["townperf bench", f"--scales {','.join(options.scales)}"]
    for flag, value, default in (
        ("--towns", options.towns, defaults.towns),
        ("--months", options.months, defaults.months),
        ("--seed", options.seed, defaults.seed),
        ("--clients", options.clients, defaults.clients),
        ("--duration", options.duration_s, defaults.duration_s),
        ("--think", options.think_s, defaults.think_s),
        ("--workers", options.workers, defaults.workers),
    ):
        if value != default:
            parts.append(f"{flag} {value:g}" if isinstance(value, float) else f"{flag} {value}")
    if not options.postgres:
        parts.append("--no-postgres")
    return " ".join(parts)
