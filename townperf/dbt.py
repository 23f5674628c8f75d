"""Run dbt in process against a given DuckDB file.

One `dbt build` per refresh: dbt's start-up costs seconds, so the build is never split into
several invocations. dbt writes its target/ and logs under the data home, not into the repo.

The big models are incremental (they add only the rows of new loads). That is right only while
the rules that made the old rows stand: every build records a fingerprint of the dbt project
(models, macros, seeds) and of the packages that compute with it, and a build whose
fingerprint differs from the last one recorded in the warehouse is a full refresh. A build
under unchanged rules also leaves out the seeds (the same files, already loaded) and the dbt unit
tests (they test the SQL, which passed them in the build that recorded the fingerprint), which
are a tenth of a daily build.
"""

from __future__ import annotations

import hashlib
import os
from collections.abc import Callable
from dataclasses import dataclass, field
from importlib import metadata
from pathlib import Path

import duckdb

from townperf.settings import DBT_PROJECT_DIR, Settings

# What a build's result depends on besides the raw rows.
FINGERPRINT_PARTS = ("dbt_project.yml", "models", "macros", "seeds")
FINGERPRINT_PACKAGES = ("holidays", "dbt-duckdb", "duckdb")
BUILDS_DDL = """
create table if not exists raw.dbt_builds (
    built_at timestamp default current_timestamp,
    fingerprint varchar,
    full_refresh boolean
)
"""


@dataclass
class DbtOutcome:
    success: bool
    nodes: int = 0
    failures: list[str] = field(default_factory=list)
    error: str | None = None
    full_refresh: bool = False


def build_fingerprint(project: Path = DBT_PROJECT_DIR) -> str:
    digest = hashlib.sha256()
    for part in FINGERPRINT_PARTS:
        root = project / part
        files = sorted(root.rglob("*")) if root.is_dir() else [root]
        for path in files:
            if path.is_file() and "__pycache__" not in path.parts:
                digest.update(str(path.relative_to(project)).encode())
                digest.update(path.read_bytes())
    for package in FINGERPRINT_PACKAGES:
        digest.update(f"{package}=={metadata.version(package)}".encode())
    return digest.hexdigest()


def last_fingerprint(con: duckdb.DuckDBPyConnection) -> str | None:
    """The fingerprint of the last successful build of the warehouse `con` reads, if any."""
    found = con.execute(
        "select 1 from duckdb_tables() where schema_name = 'raw' and table_name = 'dbt_builds'"
    ).fetchall()
    if not found:
        return None
    rows = con.execute(
        "select fingerprint from raw.dbt_builds order by built_at desc limit 1"
    ).fetchall()
    return rows[0][0] if rows else None


# Left out of a build whose rules are those of the last one: nothing they check can differ.
RULE_ONLY_RESOURCES = ("seed", "unit_test")
# Models that are functions of the rules alone (kept whole between full builds): the calendar
# depends on its own file and the holidays package, both in the fingerprint.
RULE_ONLY_MODELS = ("int_calendar_days",)


def plan_full_refresh(
    db_path: Path, full_refresh: bool = False, project: Path = DBT_PROJECT_DIR
) -> tuple[bool, str]:
    """(full refresh?, fingerprint) of the next build of db_path: full when asked or when the
    rules changed since the build recorded in the file."""
    fingerprint = build_fingerprint(project)
    return full_refresh or _fingerprint_of(db_path) != fingerprint, fingerprint


def _fingerprint_of(db_path: Path) -> str | None:
    if not db_path.exists():
        return None
    con = duckdb.connect(str(db_path), read_only=True)
    try:
        return last_fingerprint(con)
    finally:
        con.close()


def _record_build(db_path: Path, fingerprint: str, full_refresh: bool) -> None:
    con = duckdb.connect(str(db_path))
    try:
        con.execute("create schema if not exists raw")
        con.execute(BUILDS_DDL)
        con.execute(
            "insert into raw.dbt_builds (fingerprint, full_refresh) values (?, ?)",
            [fingerprint, full_refresh],
        )
    finally:
        con.close()


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
    full_refresh: bool = False,
    project: Path = DBT_PROJECT_DIR,
    plan: tuple[bool, str] | None = None,
) -> DbtOutcome:
    """Run one dbt command on db_path; on_node(name, status) is called as each node finishes.

    A `build` is a full refresh when asked for, or when the project changed since the last
    build of this file; otherwise incremental models add only what new loads brought. `project`
    is another copy of the dbt project (a town's edited rules, tried before they are adopted).
    `plan` is `plan_full_refresh`'s answer when the caller already asked for it."""
    from dbt.cli.main import dbtRunner

    dbt_env(db_path)
    fingerprint = None
    if command == "build":
        full_refresh, fingerprint = plan or plan_full_refresh(db_path, full_refresh, project)
        if full_refresh:
            extra_args = [*(extra_args or []), "--full-refresh"]
        else:
            for resource in RULE_ONLY_RESOURCES:
                extra_args = [*(extra_args or []), "--exclude-resource-type", resource]
            extra_args = [*(extra_args or []), "--exclude", *RULE_ONLY_MODELS]

    def callback(event) -> None:
        if on_node is None:
            return
        if event.info.name == "NodeFinished":
            node = event.data.node_info
            on_node(node.node_name, node.node_status)

    args = [
        command,
        "--project-dir",
        str(project),
        "--profiles-dir",
        str(project),
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
        return DbtOutcome(False, error=str(result.exception), full_refresh=full_refresh)
    if result.success and fingerprint is not None:
        _record_build(db_path, fingerprint, full_refresh)
    failures = []
    nodes = 0
    for node_result in result.result or []:
        nodes += 1
        status = str(node_result.status)
        if status in ("error", "fail", "runtime error"):
            failures.append(f"{node_result.node.name}: {status}: {node_result.message}")
    return DbtOutcome(
        bool(result.success), nodes=nodes, failures=failures, full_refresh=full_refresh
    )
