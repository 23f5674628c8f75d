"""The writing jobs (ingest, build, refresh): each an all-or-nothing change of the warehouse.

Each runs under the writer lock on a private copy of `warehouse.duckdb` and swaps the copy in
only when everything succeeded, so the dashboard keeps serving the last good warehouse.

A refresh, the job cron runs, goes: lock → ingest every inbox file into the copy → validation
gate → one `dbt build` on the copy → record the run in the copy's `raw.refresh_runs` → swap →
move the files into the archive. Killed at any point, it leaves the last good warehouse serving
and every file either still in the inbox or in the archive, loaded at most once; the next
refresh finishes the work (a file it finds already loaded is skipped and archived).
"""

from __future__ import annotations

import errno
import itertools
import json
import os
import shutil
import time
import uuid
from collections.abc import Callable, Iterable
from dataclasses import asdict, dataclass, field
from datetime import datetime
from pathlib import Path

import duckdb

from ingest.expectations import prefetch as prefetch_validation
from ingest.load import earlier_loads
from ingest.run import FileResult, expand_paths, file_sha256, ingest_paths
from townperf import datadocs
from townperf.dbt import (
    DbtOutcome,
    DbtProcess,
    build_fingerprint,
    last_fingerprint,
    plan_full_refresh,
    run_dbt,
)
from townperf.settings import Settings
from warehouse.store import (
    connect_read,
    connect_write,
    fsync_dir,
    lock_holder,
    transaction,
    work_path,
    writer_lock,
)

HISTORY_FILE = "refresh_history.jsonl"
# Where a test may stop a refresh to kill it (see `_fault_pause`), in the order they are met.
FAULT_POINTS = (
    "locked",
    "during_ingest",
    "after_ingest",
    "during_dbt",
    "before_swap",
    "after_swap",
    "during_archive",
)


class BuildFailed(Exception):
    """dbt reported an error or a failing test; the served warehouse is unchanged."""


class ValidationFailed(Exception):
    """An inbox file failed the validation gate; the served warehouse and the inbox are
    unchanged."""


def ingest(
    settings: Settings,
    paths: Iterable[Path],
    source: str | None = None,
    on_file: Callable[[FileResult], None] | None = None,
) -> list[FileResult]:
    settings.ensure_dirs()
    with writer_lock(settings.root), transaction(settings.warehouse_path) as work:
        con = connect_write(work)
        try:
            results = ingest_paths(con, paths, source, on_file)
        finally:
            con.close()
        datadocs.publish(settings, datadocs.ingest_name())
    return results


def _build_on(settings: Settings, work: Path, on_node=None) -> DbtOutcome:
    outcome = run_dbt(settings, work, "build", on_node=on_node)
    if not outcome.success:
        detail = outcome.error or "; ".join(outcome.failures) or "dbt build failed"
        raise BuildFailed(detail)
    return outcome


def build(settings: Settings, on_node: Callable[[str, str], None] | None = None) -> DbtOutcome:
    settings.ensure_dirs()
    with writer_lock(settings.root), transaction(settings.warehouse_path) as work:
        # dbt needs the file to itself: no connection of ours is open on it here.
        return _build_on(settings, work, on_node)


@dataclass
class RefreshReport:
    """One refresh as recorded in `refresh_history.jsonl` (every run) and `raw.refresh_runs`
    (the runs whose warehouse was swapped in)."""

    run_id: str
    started_at: str
    finished_at: str = ""
    status: str = "running"  # running, success, validation_failed, failed, interrupted
    files: list[dict] = field(default_factory=list)
    rows_by_source: dict[str, dict[str, int]] = field(default_factory=dict)
    files_loaded: int = 0
    files_skipped: int = 0
    files_refused: int = 0
    rows_read: int = 0
    rows_loaded: int = 0
    rows_quarantined: int = 0
    expectations_passed: int = 0
    expectations_failed: int = 0
    problems: list[str] = field(default_factory=list)  # why the validation gate stopped it
    dbt_status: str = "not run"  # not run, success, failed, skipped (nothing new)
    dbt_nodes: int = 0
    dbt_full_refresh: bool = False  # every incremental model rebuilt from raw
    dbt_failures: list[str] = field(default_factory=list)
    swapped: bool = False
    archived: int = 0
    warnings: list[str] = field(default_factory=list)
    recovered: str | None = None  # what a killed earlier writer left in the lock file
    data_docs: str | None = None  # the run's folder in <home>/data_docs, when one was written
    error: str | None = None
    seconds: float = 0.0

    @property
    def exit_code(self) -> int:
        """0 done (or nothing new), 1 validation failed, 2 any other error."""
        return {"success": 0, "validation_failed": 1}.get(self.status, 2)


def blocking_problems(results: Iterable[FileResult], max_share: float) -> list[str]:
    """The validation gate: one line per file that must stop the refresh.

    Bad rows are quarantined one by one and do not stop anything. A whole file does: one that
    was refused (unreadable, or its headers lack a required column), and one with every row, or
    more than `max_share` of its rows, quarantined. Such a file is the wrong export or a broken
    one, and publishing the rest of it would show a warehouse missing most of its records.
    """
    problems = []
    for r in results:
        if r.status == "refused":
            problems.append(f"{r.file}: refused: {r.message}")
        elif r.status == "loaded" and r.rows_read:
            share = r.rows_quarantined / r.rows_read
            if r.rows_loaded == 0 or share > max_share:
                top = "; ".join(f"{reason} ({n} rows)" for reason, n in _top_reasons(r, 3))
                problems.append(
                    f"{r.file} ({r.source}): {r.rows_quarantined} of {r.rows_read} rows "
                    f"quarantined ({share:.0%}, limit {max_share:.0%}); top reasons: {top}"
                )
    return problems


def _top_reasons(result: FileResult, n: int) -> list[tuple[str, int]]:
    counts = [(reason, len(rows)) for reason, rows in result.reasons.items()]
    return sorted(counts, key=lambda item: -item[1])[:n]


def refresh(
    settings: Settings,
    on_file: Callable[[FileResult], None] | None = None,
    on_node: Callable[[str, str], None] | None = None,
    on_stage: Callable[[str, int | None], None] | None = None,
    rebuild: bool = False,
) -> RefreshReport:
    """Ingest the inbox, validate, build a new warehouse, swap it in, archive the files.

    Every run is recorded, whatever its outcome (`report.status`, `report.exit_code`). When
    every inbox file is already loaded and the warehouse was built after its newest load,
    nothing is copied or built, unless seeds or models changed since the last build; the files
    are archived. `rebuild` forces a full build of every model from the raw tables.
    `on_stage(stage, total)` announces 'ingest' (files), 'build' (expected dbt
    nodes, or None), 'swap' and 'archive' (files). Raises `WarehouseBusy`, recording nothing,
    when another writer holds the lock.
    """
    settings.ensure_dirs()
    report = RefreshReport(run_id=uuid.uuid4().hex[:12], started_at=_now())
    start = time.perf_counter()
    with writer_lock(settings.root, f"refresh {report.run_id} since {report.started_at}") as dead:
        if dead:
            report.recovered = f"{dead} ended without releasing the lock; lock cleared"
        _record(settings, report)
        try:
            _fault_pause(settings, "locked")
            _refresh_locked(settings, report, on_file, on_node, on_stage or _ignore, rebuild)
            report.status = "success"
        except ValidationFailed:
            report.status = "validation_failed"
        except BuildFailed as exc:
            report.status = "failed"
            report.error = f"dbt build failed: {exc}"
        except Exception as exc:
            report.status = "failed"
            report.error = f"{type(exc).__name__}: {exc}"
        except BaseException:
            report.status = "interrupted"
            raise
        finally:
            report.finished_at = _now()
            report.seconds = round(time.perf_counter() - start, 2)
            _summarise(report)
            _record(settings, report)
    return report


def _refresh_locked(settings, report, on_file, on_node, on_stage, rebuild) -> None:
    inbox = expand_paths([settings.inbox])
    results = None if rebuild else _already_built(settings.warehouse_path, inbox)
    if results is not None:
        report.files = [_file_record(r) for r in results]
        report.dbt_status = "skipped (nothing new)"
    else:
        results = _ingest_validate_build(
            settings, report, inbox, on_file, on_node, on_stage, full_refresh=rebuild
        )
        report.swapped = True
        _fault_pause(settings, "after_swap")
    on_stage("archive", len(inbox))
    _archive(settings, inbox, results, report)


def _ingest_validate_build(settings, report, inbox, on_file, on_node, on_stage, full_refresh):
    on_stage("ingest", len(inbox))
    if inbox:
        prefetch_validation()  # imports while the warehouse is copied
    seen: list[FileResult] = []

    def file_hook(result: FileResult) -> None:
        seen.append(result)
        if on_file:
            on_file(result)
        if len(seen) == 1:
            _fault_pause(settings, "during_ingest")

    # Full build or not is a question of the rules the served file was built by (the work
    # copy will be a copy of it). dbt imports and reads the project in a process of its own
    # while this one ingests, and builds there after the gate.
    plan = plan_full_refresh(settings.warehouse_path, full_refresh)
    dbt_process = DbtProcess(settings, work_path(settings.warehouse_path), full_parse=plan[0])
    with dbt_process, transaction(settings.warehouse_path) as work:
        con = connect_write(work)
        try:
            results = ingest_paths(con, inbox, None, file_hook)
            checks = _expectation_counts(con, [r.sha256 for r in results if r.status == "loaded"])
        finally:
            con.close()
        # before the gate: the docs of a run the gate stops are the ones most read
        report.data_docs = datadocs.publish(settings, report.run_id, report.warnings)
        report.files = [_file_record(r, checks.get(r.sha256)) for r in results]
        _fault_pause(settings, "after_ingest")
        report.problems = blocking_problems(results, settings.max_quarantine_share)
        if report.problems:
            raise ValidationFailed("; ".join(report.problems))

        on_stage("build", _expected_nodes(settings, plan[0]))
        outcome = run_dbt(
            settings,
            work,
            "build",
            on_node=_node_hook(settings, on_node),
            plan=plan,
            process=dbt_process,
        )
        report.dbt_nodes = outcome.nodes
        report.dbt_full_refresh = outcome.full_refresh
        report.dbt_failures = outcome.failures
        report.dbt_status = "success" if outcome.success else "failed"
        if not outcome.success:
            raise BuildFailed(outcome.error or "; ".join(outcome.failures) or "dbt build failed")
        _summarise(report)
        _insert_run(work, report)
        _fault_pause(settings, "before_swap")
        on_stage("swap", None)
    return results


def _node_hook(settings, on_node):
    finished = itertools.count(1)  # dbt calls from its worker threads; next() is atomic

    def hook(name: str, status: str) -> None:
        count = next(finished)
        if on_node:
            on_node(name, status)
        if count == 1:
            _fault_pause(settings, "during_dbt")

    return hook


def _already_built(served: Path, inbox: list[Path]) -> list[FileResult] | None:
    """The skipped results of the inbox files when the served warehouse already holds every one
    of them and was built by a refresh after its newest load; None when there is work to do."""
    if not served.exists():
        return None
    con = connect_read(served)
    try:
        tables = {
            f"{schema}.{name}"
            for schema, name in con.execute(
                "select schema_name, table_name from duckdb_tables()"
            ).fetchall()
        }
        if not {"raw.loads", "raw.refresh_runs"} <= tables:
            return None
        ((newest_load, newest_built),) = con.execute(
            "select (select coalesce(max(load_seq), 0) from raw.loads where status = 'loaded'),"
            " (select coalesce(max(max_load_seq), 0) from raw.refresh_runs)"
        ).fetchall()
        if newest_load > newest_built:
            return None
        if "raw.dbt_builds" in tables and last_fingerprint(con) != build_fingerprint():
            return None  # seeds or models changed since the last build: rebuild
        results = []
        loaded = earlier_loads(con)
        for path in inbox:
            sha = file_sha256(path)
            earlier = loaded.get(sha)
            if earlier is None:
                return None
            message = f"already loaded as {earlier[0]} on {earlier[1]}"
            results.append(FileResult(path.name, "skipped", message=message, sha256=sha))
        return results
    finally:
        con.close()


def _expectation_counts(con: duckdb.DuckDBPyConnection, shas: list[str]) -> dict:
    """Per loaded file (by content hash): how many of its expectations passed and failed."""
    rows = con.execute(
        "select l.sha256, count(*) filter (where v.success), count(*) filter (where not v.success)"
        " from raw.loads l join raw.validation_results v using (load_id)"
        " where l.status = 'loaded' and list_contains(?::varchar[], l.sha256)"
        " group by l.sha256",
        [shas],
    ).fetchall()
    return {sha: (int(passed), int(failed)) for sha, passed, failed in rows}


def _file_record(result: FileResult, checks: tuple[int, int] | None = None) -> dict:
    record = result.as_dict()
    # row numbers per reason stay in raw.quarantine; the history keeps the counts
    record["reasons"] = dict(_top_reasons(result, 20))
    record["expectations_passed"], record["expectations_failed"] = checks or (0, 0)
    return record


def _summarise(report: RefreshReport) -> None:
    files = report.files
    report.files_loaded = sum(f["status"] == "loaded" for f in files)
    report.files_skipped = sum(f["status"] == "skipped" for f in files)
    report.files_refused = sum(f["status"] == "refused" for f in files)
    report.rows_read = sum(f["rows_read"] for f in files)
    report.rows_loaded = sum(f["rows_loaded"] for f in files)
    report.rows_quarantined = sum(f["rows_quarantined"] for f in files)
    report.expectations_passed = sum(f.get("expectations_passed", 0) for f in files)
    report.expectations_failed = sum(f.get("expectations_failed", 0) for f in files)
    by_source: dict[str, dict[str, int]] = {}
    for f in files:
        if f["status"] == "loaded":
            totals = by_source.setdefault(
                f["source"], {"files": 0, "read": 0, "loaded": 0, "quarantined": 0}
            )
            totals["files"] += 1
            totals["read"] += f["rows_read"]
            totals["loaded"] += f["rows_loaded"]
            totals["quarantined"] += f["rows_quarantined"]
    report.rows_by_source = by_source


RUNS_DDL = """
create table if not exists raw.refresh_runs (
    run_id varchar primary key,
    started_at timestamp,
    built_at timestamp,
    status varchar,
    files_loaded integer,
    files_skipped integer,
    rows_read bigint,
    rows_loaded bigint,
    rows_quarantined bigint,
    expectations_passed integer,
    expectations_failed integer,
    dbt_status varchar,
    dbt_nodes integer,
    max_load_seq integer,  -- the newest raw.loads entry this build includes
    report varchar         -- the whole run report as JSON, as in refresh_history.jsonl
)
"""


def _insert_run(work: Path, report: RefreshReport) -> None:
    """Record the run in the work file just before it is swapped in: the served warehouse then
    always says which refresh built it."""
    built_at = _now()
    record = asdict(report) | {"status": "success", "finished_at": built_at}
    con = connect_write(work)
    try:
        con.execute(RUNS_DDL)
        ((max_seq,),) = con.execute(
            "select coalesce(max(load_seq), 0) from raw.loads where status = 'loaded'"
        ).fetchall()
        con.execute(
            "insert into raw.refresh_runs values (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
            [
                report.run_id,
                report.started_at,
                built_at,
                "success",
                report.files_loaded,
                report.files_skipped,
                report.rows_read,
                report.rows_loaded,
                report.rows_quarantined,
                report.expectations_passed,
                report.expectations_failed,
                report.dbt_status,
                report.dbt_nodes,
                max_seq,
                json.dumps(record, ensure_ascii=False),
            ],
        )
    finally:
        con.close()


def _archive(settings: Settings, inbox: list[Path], results, report: RefreshReport) -> None:
    """Move every loaded or skipped file to the archive, unless it changed since it was read
    (it was still being copied in): that one stays for the next refresh to load."""
    for path, result, record in zip(inbox, results, report.files, strict=True):
        if result.status not in ("loaded", "skipped") or not path.exists():
            continue
        if file_sha256(path) != result.sha256:
            report.warnings.append(
                f"{path.name} changed while it was being loaded; left in the inbox"
            )
            continue
        record["archived_as"] = archive_file(settings, path, result.sha256).name
        report.archived += 1
        if report.archived == 1:
            _fault_pause(settings, "during_archive")
    for folder in (settings.inbox, settings.archive):
        fsync_dir(folder)


def archive_file(settings: Settings, path: Path, sha256: str) -> Path:
    """Move a file into the archive as `<sha256 prefix>_<name>`.

    Content-addressed: the same bytes always get the same name, and an archived file is never
    overwritten (when the name exists it holds these bytes, and the inbox copy is dropped). The
    move is one rename, so a crash leaves the file in exactly one of the two folders.
    """
    target = settings.archive / f"{sha256[:16]}_{path.name}"
    if target.exists():
        path.unlink(missing_ok=True)
        return target
    try:
        os.rename(path, target)
    except OSError as exc:
        if exc.errno != errno.EXDEV:
            raise
        partial = target.with_name(f".{target.name}.partial")
        shutil.copy2(path, partial)
        with open(partial, "rb") as fh:
            os.fsync(fh.fileno())
        os.rename(partial, target)
        path.unlink()
    return target


def _record(settings: Settings, report: RefreshReport) -> None:
    """Append the run to the history: once when it starts, once when it ends."""
    line = json.dumps(asdict(report), ensure_ascii=False) + "\n"
    with (settings.root / HISTORY_FILE).open("a", encoding="utf-8") as fh:
        fh.write(line)
        fh.flush()
        os.fsync(fh.fileno())


def read_history(settings: Settings) -> list[dict]:
    """Every refresh of this home, newest first, one dict per run with every field of
    `RefreshReport`, for the data-status page.

    From `refresh_history.jsonl`, completed by `raw.refresh_runs` of the served warehouse for a
    run killed after its swap. A run that never finished and is not the lock holder now has
    status 'interrupted'. Takes no lock, so it never delays a refresh.
    """
    runs: dict[str, dict] = {}
    path = settings.root / HISTORY_FILE
    if path.exists():
        for line in path.read_text(encoding="utf-8").splitlines():
            try:
                record = json.loads(line)
            except json.JSONDecodeError:  # a line cut short by a crash
                continue
            if isinstance(record, dict) and record.get("run_id"):
                # older lines lack later fields: every record has every field
                runs[record["run_id"]] = asdict(RefreshReport("", "")) | record
    for record in _warehouse_runs(settings.warehouse_path):
        if runs.get(record["run_id"], {}).get("status", "running") == "running":
            runs[record["run_id"]] = record
    holder = lock_holder(settings.root) or ""
    for record in runs.values():
        if record.get("status") == "running" and f"refresh {record['run_id']} " not in holder:
            record["status"] = "interrupted"
    return sorted(runs.values(), key=lambda r: r.get("started_at", ""), reverse=True)


def _warehouse_runs(served: Path) -> list[dict]:
    if not served.exists():
        return []
    try:
        con = connect_read(served)
    except duckdb.Error:
        return []
    try:
        rows = con.execute("select report from raw.refresh_runs").fetchall()
    except duckdb.CatalogException:
        return []
    finally:
        con.close()
    return [json.loads(report) for (report,) in rows]


def _expected_nodes(settings: Settings, full_refresh: bool) -> int | None:
    """The node count of the last build of the same kind (a full rebuild runs more nodes), so
    a progress bar can show a total."""
    path = settings.root / HISTORY_FILE
    if not path.exists():
        return None
    for line in reversed(path.read_text(encoding="utf-8").splitlines()):
        try:
            run = json.loads(line)
            nodes = run.get("dbt_nodes")
        except (json.JSONDecodeError, AttributeError):
            continue
        if nodes and bool(run.get("dbt_full_refresh")) == full_refresh:
            return int(nodes)
    return None


def _fault_pause(settings: Settings, point: str) -> None:
    """Test hook for the crash tests: with TOWNPERF_FAULT_PAUSE=<point>, leave
    `<home>/.fault-<point>` and wait until that file is removed (at most ten minutes), so a
    test can kill the refresh at a known point. Otherwise it costs one environment lookup."""
    if os.environ.get("TOWNPERF_FAULT_PAUSE") != point:
        return
    marker = settings.root / f".fault-{point}"
    marker.write_text(str(os.getpid()))
    deadline = time.monotonic() + 600
    while marker.exists() and time.monotonic() < deadline:
        time.sleep(0.05)


def _now() -> str:
    return datetime.now().isoformat(timespec="milliseconds")


def _ignore(*_args) -> None:
    pass
