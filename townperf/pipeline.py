"""The writing jobs (ingest, build, refresh): each an all-or-nothing change of the warehouse.

Each runs under the writer lock on a private copy of `warehouse.duckdb` and swaps the copy in
only when everything succeeded, so the dashboard keeps serving the last good warehouse.
"""

from __future__ import annotations

import json
import shutil
import time
import uuid
from collections.abc import Callable, Iterable
from dataclasses import asdict, dataclass, field
from datetime import datetime
from pathlib import Path

from ingest.run import FileResult, expand_paths, ingest_paths
from townperf.dbt import DbtOutcome, run_dbt
from townperf.settings import Settings
from warehouse.store import connect_write, transaction, writer_lock


class BuildFailed(Exception):
    """dbt reported an error or a failing test; the served warehouse is unchanged."""


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
    run_id: str
    started_at: str
    finished_at: str = ""
    status: str = "running"
    files: list[dict] = field(default_factory=list)
    dbt_nodes: int = 0
    error: str | None = None
    seconds: float = 0.0


def archive_file(settings: Settings, path: Path, sha256: str) -> Path:
    """Content-addressed: the same bytes always go to the same name, never overwriting others."""
    target = settings.archive / f"{sha256[:16]}_{path.name}"
    if not target.exists():
        shutil.copy2(path, target)
    path.unlink(missing_ok=True)
    return target


def refresh(
    settings: Settings,
    on_file: Callable[[FileResult], None] | None = None,
    on_node: Callable[[str, str], None] | None = None,
) -> RefreshReport:
    settings.ensure_dirs()
    report = RefreshReport(run_id=uuid.uuid4().hex[:12], started_at=datetime.now().isoformat())
    start = time.perf_counter()
    with writer_lock(settings.root):
        inbox_files = expand_paths([settings.inbox])
        try:
            with transaction(settings.warehouse_path) as work:
                con = connect_write(work)
                try:
                    results = ingest_paths(con, inbox_files, None, on_file)
                finally:
                    con.close()
                report.files = [r.as_dict() for r in results]
                report.dbt_nodes = _build_on(settings, work, on_node).nodes
            report.status = "success"
        except Exception as exc:
            report.status = "failed"
            report.error = str(exc)
        else:
            for path, result in zip(inbox_files, results, strict=True):
                if result.status in ("loaded", "skipped") and result.sha256:
                    archive_file(settings, path, result.sha256)
        finally:
            report.finished_at = datetime.now().isoformat()
            report.seconds = round(time.perf_counter() - start, 2)
            _record(settings, report)
    return report


def _record(settings: Settings, report: RefreshReport) -> None:
    with (settings.root / "refresh_history.jsonl").open("a", encoding="utf-8") as fh:
        fh.write(json.dumps(asdict(report), ensure_ascii=False) + "\n")
