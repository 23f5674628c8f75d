"""Run dbt against a given DuckDB file, in process or in a process started ahead (`DbtProcess`).

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


# Under other rules than the last build's, dbt reads the whole project again: its partial
# parse, kept from a build by other rules, can miss what a new model changes (dbt 1.11 then
# fails a unit test that gives the new model as an input, "depends on a node … not found").
FULL_PARSE = ("--no-partial-parse",)

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
    process: DbtProcess | None = None,
) -> DbtOutcome:
    """Run one dbt command on db_path; on_node(name, status) is called as each node finishes.

    A `build` is a full refresh when asked for, or when the project changed since the last
    build of this file; otherwise incremental models add only what new loads brought. `project`
    is another copy of the dbt project (a town's edited rules, tried before they are adopted).
    `plan` is `plan_full_refresh`'s answer when the caller already asked for it. `process` is
    a `DbtProcess` started earlier for this file and project: the command runs there."""
    dbt_env(db_path)
    fingerprint = None
    if command == "build":
        full_refresh, fingerprint = plan or plan_full_refresh(db_path, full_refresh, project)
        if full_refresh:
            extra_args = [*(extra_args or []), "--full-refresh", *FULL_PARSE]
        else:
            for resource in RULE_ONLY_RESOURCES:
                extra_args = [*(extra_args or []), "--exclude-resource-type", resource]
            extra_args = [*(extra_args or []), "--exclude", *RULE_ONLY_MODELS]

    args = [command, *_common_args(settings, project), *(extra_args or [])]
    ran = process.invoke(args, on_node) if process is not None else _invoke(args, on_node)
    if ran.error is not None:
        return DbtOutcome(False, error=ran.error, full_refresh=full_refresh)
    if ran.success and fingerprint is not None:
        _record_build(db_path, fingerprint, full_refresh)
    failures = [
        f"{name}: {status}: {message}"
        for name, status, message in ran.nodes
        if status in ("error", "fail", "runtime error")
    ]
    return DbtOutcome(
        ran.success, nodes=len(ran.nodes), failures=failures, full_refresh=full_refresh
    )


def _common_args(settings: Settings, project: Path) -> list[str]:
    return [
        "--project-dir",
        str(project),
        "--profiles-dir",
        str(project),
        "--target-path",
        str(settings.root / "dbt_target"),
        "--log-path",
        str(settings.logs),
        "--quiet",
    ]


@dataclass
class _Ran:
    """What one dbt invocation gave, in plain values (they cross a process boundary)."""

    success: bool
    error: str | None = None
    nodes: list[tuple[str, str, str]] = field(default_factory=list)  # name, status, message


def _invoke(args: list[str], on_node=None, manifest=None) -> _Ran:
    from dbt.cli.main import dbtRunner

    def callback(event) -> None:
        if on_node is not None and event.info.name == "NodeFinished":
            node = event.data.node_info
            on_node(node.node_name, node.node_status)

    try:
        result = dbtRunner(manifest=manifest, callbacks=[callback]).invoke(args)
    finally:
        _release_database()
    if result.exception is not None:
        return _Ran(False, error=str(result.exception))
    nodes = [(r.node.name, str(r.status), str(r.message)) for r in (result.result or [])]
    return _Ran(bool(result.success), nodes=nodes)


class DbtProcess:
    """dbt in a process of its own, started before the refresh needs it.

    Importing dbt and reading the project take about 3 s of one core, which a daily refresh
    otherwise spends after its ingest, while the machine's other core sits idle. Started when
    the refresh starts, the process does both while the main process ingests, then waits to
    run the one command it is given. (A full build gains too: at county scale it took 29–30 s
    in this fresh process against 36–40 s in the one that had ingested.) It dies with the
    process that started it (a refresh killed mid-build leaves no dbt writing into the work
    copy), and `close` stops it if it was never used (the validation gate stopped the
    refresh). `full_parse` when the command will be a build under other rules (FULL_PARSE).
    """

    def __init__(
        self,
        settings: Settings,
        db_path: Path,
        project: Path = DBT_PROJECT_DIR,
        full_parse: bool = False,
    ) -> None:
        import multiprocessing

        context = multiprocessing.get_context("spawn")
        self._conn, child = context.Pipe()
        self._process = context.Process(
            target=_serve,
            args=(
                child,
                str(db_path),
                [*_common_args(settings, project), *(FULL_PARSE if full_parse else ())],
            ),
            name="townperf-dbt",
            daemon=True,
        )
        self._process.start()
        child.close()

    @property
    def pid(self) -> int | None:
        return self._process.pid

    def invoke(self, args: list[str], on_node=None) -> _Ran:
        try:
            self._conn.send(args)
            while True:
                message = self._conn.recv()
                if message[0] == "node":
                    if on_node is not None:
                        on_node(message[1], message[2])
                else:
                    return message[1]
        except (EOFError, OSError):
            self._process.join(5)
            return _Ran(False, error=f"dbt's process ended (exit code {self._process.exitcode})")

    def close(self) -> None:
        if self._process.is_alive():
            self._process.terminate()
        self._process.join(10)
        self._conn.close()

    def __enter__(self) -> DbtProcess:
        return self

    def __exit__(self, *exc) -> None:
        self.close()


def _serve(conn, db_path: str, common: list[str]) -> None:
    """The dbt process: import, parse, then run the one command sent (nothing, if the pipe
    closes first)."""
    import threading

    _die_with_parent()
    dbt_env(Path(db_path))
    parsed = _parse(common)
    try:
        args = conn.recv()
    except EOFError:
        return
    sending = threading.Lock()  # dbt reports nodes from its worker threads

    def on_node(name: str, status: str) -> None:
        with sending:
            conn.send(("node", name, status))

    ran = _invoke(args, on_node, manifest=parsed)
    with sending:
        conn.send(("done", ran))


def _parse(common: list[str]):
    """The project's manifest (dbt's partial parse makes this quick), or None if it does not
    parse: the command then parses again and reports why."""
    from dbt.cli.main import dbtRunner

    try:
        result = dbtRunner().invoke(["parse", *common])
    except Exception:  # noqa: BLE001 - reported by the command that follows
        return None
    return result.result if result.success else None


def _die_with_parent() -> None:
    """Linux: the kernel kills this process when its parent dies (even by SIGKILL)."""
    import ctypes
    import signal

    parent = os.getppid()
    try:
        libc = ctypes.CDLL(None, use_errno=True)
        libc.prctl(1, signal.SIGKILL)  # PR_SET_PDEATHSIG
    except (OSError, AttributeError):
        return
    if os.getppid() != parent:  # the parent died before the line above
        os._exit(1)
