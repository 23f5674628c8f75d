"""Run dbt in process against a given DuckDB file.

One `dbt build` per refresh: dbt's start-up costs seconds, so the build is never split into
several invocations. dbt writes its target/ and logs under the data home, not into the repo.
"""

from __future__ import annotations

import os
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from townperf.settings import DBT_PROJECT_DIR, Settings


@dataclass
class DbtOutcome:
    success: bool
    nodes: int = 0
    failures: list[str] = field(default_factory=list)
    error: str | None = None


def dbt_env(db_path: Path) -> None:
    os.environ["TOWNPERF_DB"] = str(db_path)
    os.environ.setdefault("DO_NOT_TRACK", "1")
    os.environ.setdefault("DBT_SEND_ANONYMOUS_USAGE_STATS", "False")


def _release_database() -> None:
    """dbt-duckdb keeps its database open for the life of the process; close it so the file
    is checkpointed (no pending WAL) and unlocked before it is swapped in."""
    from dbt.adapters.duckdb.connections import DuckDBConnectionManager

    with DuckDBConnectionManager._LOCK:
        env = DuckDBConnectionManager._ENV
        DuckDBConnectionManager._ENV = None
    if env is not None:
        env.close()


def run_dbt(
    settings: Settings,
    db_path: Path,
    command: str = "build",
    extra_args: list[str] | None = None,
    on_node: Callable[[str, str], None] | None = None,
) -> DbtOutcome:
    """Run one dbt command on db_path; on_node(name, status) is called as each node finishes."""
    from dbt.cli.main import dbtRunner

    dbt_env(db_path)

    def callback(event) -> None:
        if on_node is None:
            return
        if event.info.name == "NodeFinished":
            node = event.data.node_info
            on_node(node.node_name, node.node_status)

    args = [
        command,
        "--project-dir",
        str(DBT_PROJECT_DIR),
        "--profiles-dir",
        str(DBT_PROJECT_DIR),
        "--target-path",
        str(settings.root / "dbt_target"),
        "--log-path",
        str(settings.logs),
        "--quiet",
        *(extra_args or []),
    ]
    try:
        result = dbtRunner(callbacks=[callback]).invoke(args)
    finally:
        _release_database()
    if result.exception is not None:
        return DbtOutcome(False, error=str(result.exception))
    failures = []
    nodes = 0
    for node_result in result.result or []:
        nodes += 1
        status = str(node_result.status)
        if status in ("error", "fail", "runtime error"):
            failures.append(f"{node_result.node.name}: {status}: {node_result.message}")
    return DbtOutcome(bool(result.success), nodes=nodes, failures=failures)
