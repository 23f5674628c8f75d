"""The peer engine for `townperf bench`: the same dbt models built on PostgreSQL.

The models are written in DuckDB SQL (qualify, count_if, arg_max, pivot, `* exclude`, group by
all, a Python model). Rather than fork them, the bench ports them mechanically: it takes each
model's compiled SQL from the DuckDB build, expands stars against the warehouse's own schema and
transpiles it with sqlglot, with a few rewrites sqlglot leaves to us (below). The result is a
throwaway dbt project that dbt-postgres builds against a PostgreSQL cluster started on
127.0.0.1 for the run and removed after it. A model that cannot be ported this way is reported
by name with the reason, and it and everything downstream of it are left out of the timing on
both engines, so the ratio compares the same SQL over the same rows.

Two models are not built on PostgreSQL but copied there as data, because dbt-postgres cannot
run them: `int_calendar_days` (a Python model) and `int_settings` (DuckDB's dynamic PIVOT, whose
output columns depend on the seed's rows).
"""

from __future__ import annotations

import contextlib
import json
import os
import pwd
import re
import shutil
import socket
import subprocess
import tempfile
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

import duckdb

# Built by DuckDB, copied to PostgreSQL as tables: dbt-postgres cannot build them (see above).
COPIED_MODELS = {
    "int_calendar_days": "Python model (holidays package); dbt-postgres runs SQL models only",
    "int_settings": "DuckDB dynamic PIVOT: its columns come from the seed's rows",
}
COPIED_SCHEMAS = ("raw", "seeds")

# PostgreSQL 15 lacks these DuckDB aggregates; the bench creates equivalents once per cluster.
PG_HELPERS = """
create or replace function public._tp_keep_first(anyelement, anyelement) returns anyelement
    language sql immutable strict parallel safe as 'select $1';
create or replace aggregate public.any_value(anyelement) (
    sfunc = public._tp_keep_first, stype = anyelement, parallel = safe
);
"""

PG_SETTINGS = {
    # a reasonable analytics configuration for a 2-core, 20+ GB machine, not a default install
    "shared_buffers": "1GB",
    "work_mem": "256MB",
    "maintenance_work_mem": "512MB",
    "effective_cache_size": "8GB",
    "max_parallel_workers_per_gather": "2",
    "synchronous_commit": "off",
    "max_wal_size": "4GB",
    "jit": "off",
    "listen_addresses": "127.0.0.1",
}

DUCK_TO_PG = {
    "VARCHAR": "text",
    "BIGINT": "bigint",
    "INTEGER": "integer",
    "SMALLINT": "smallint",
    "DOUBLE": "double precision",
    "FLOAT": "real",
    "BOOLEAN": "boolean",
    "DATE": "date",
    "TIMESTAMP": "timestamp",
    "TIMESTAMP WITH TIME ZONE": "timestamptz",
    "HUGEINT": "numeric",
    "UUID": "uuid",
}


class PostgresUnavailable(Exception):
    """No PostgreSQL server binaries, or dbt-postgres / sqlglot is not installed."""


# -- the throwaway cluster --------------------------------------------------------------------


def pg_bin_dir() -> Path | None:
    """The newest installed PostgreSQL's binaries (Debian's layout first, then PATH)."""
    found = sorted(
        Path("/usr/lib/postgresql").glob("*/bin/initdb"), key=lambda p: int(p.parent.parent.name)
    )
    if found:
        return found[-1].parent
    initdb = shutil.which("initdb")
    return Path(initdb).resolve().parent if initdb else None


def check_available() -> Path:
    missing = []
    bin_dir = pg_bin_dir()
    if bin_dir is None:
        missing.append("PostgreSQL server (run scripts/bench-postgres.sh)")
    for module, package in (("dbt.adapters.postgres", "dbt-postgres"), ("sqlglot", "sqlglot")):
        try:
            __import__(module)
        except ImportError:
            missing.append(f"{package} (pip install -c constraints.txt -e '.[bench]')")
    if missing:
        raise PostgresUnavailable("missing " + "; ".join(missing))
    assert bin_dir is not None
    return bin_dir


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@dataclass
class Cluster:
    root: Path
    port: int
    pid: int | None = None
    user: str = "townperf"
    dbname: str = "townperf"

    @property
    def dsn(self) -> dict:
        return {"host": "127.0.0.1", "port": self.port, "user": self.user, "dbname": self.dbname}


def _as_owner(cmd: list[str], owner: str | None) -> list[str]:
    return ["runuser", "-u", owner, "--", *cmd] if owner else cmd


@contextlib.contextmanager
def cluster(bin_dir: Path, settings: dict[str, str] | None = None) -> Iterator[Cluster]:
    """A fresh PostgreSQL cluster on 127.0.0.1 and a free port, stopped and deleted on exit.

    initdb refuses to run as root, so as root the cluster belongs to the `postgres` user.
    """
    owner = "postgres" if os.geteuid() == 0 else None
    root = Path(tempfile.mkdtemp(prefix="townperf-pg-"))
    if owner:
        entry = pwd.getpwnam(owner)
        os.chown(root, entry.pw_uid, entry.pw_gid)
    data = root / "data"
    port = _free_port()
    db = Cluster(root, port)
    started = False
    try:
        subprocess.run(
            _as_owner(
                [
                    str(bin_dir / "initdb"),
                    "-D",
                    str(data),
                    "-U",
                    db.user,
                    "--auth=trust",
                    "--encoding=UTF8",
                    "--locale=C",
                ],
                owner,
            ),
            check=True,
            capture_output=True,
        )
        options = {**PG_SETTINGS, **(settings or {}), "port": str(port)}
        options["unix_socket_directories"] = str(root)
        opts = " ".join(f"-c {k}={v}" for k, v in options.items())
        subprocess.run(
            _as_owner(
                [
                    str(bin_dir / "pg_ctl"),
                    "-D",
                    str(data),
                    "-o",
                    opts,
                    "-l",
                    str(root / "server.log"),
                    "-w",
                    "-t",
                    "60",
                    "start",
                ],
                owner,
            ),
            check=True,
            capture_output=True,
        )
        started = True
        pid_file = data / "postmaster.pid"
        db.pid = int(pid_file.read_text().split()[0]) if pid_file.exists() else None
        import psycopg2

        con = psycopg2.connect(**(db.dsn | {"dbname": "postgres"}))
        con.autocommit = True
        with con.cursor() as cur:
            cur.execute(f"create database {db.dbname}")
        con.close()
        yield db
    except subprocess.CalledProcessError as exc:
        log = root / "server.log"
        detail = (exc.stderr or b"").decode(errors="replace")
        if log.exists():
            detail += log.read_text(errors="replace")[-2000:]
        raise PostgresUnavailable(f"could not start PostgreSQL: {detail.strip()}") from exc
    finally:
        if started:
            subprocess.run(
                _as_owner([str(bin_dir / "pg_ctl"), "-D", str(data), "-m", "fast", "stop"], owner),
                capture_output=True,
            )
        shutil.rmtree(root, ignore_errors=True)


def server_version(db: Cluster) -> str:
    import psycopg2

    con = psycopg2.connect(**db.dsn)
    try:
        with con.cursor() as cur:
            cur.execute("show server_version")
            return str(cur.fetchone()[0]).split()[0]
    finally:
        con.close()


# -- loading the same rows --------------------------------------------------------------------


def _pg_type(duck_type: str) -> str:
    upper = duck_type.upper()
    if upper.startswith("DECIMAL"):
        return upper.replace("DECIMAL", "numeric")
    if upper.endswith("[]"):
        return _pg_type(upper[:-2]) + "[]"
    return DUCK_TO_PG.get(upper, "text")


def copy_tables(warehouse: Path, db: Cluster, workdir: Path) -> dict[str, int]:
    """Copy raw.*, seeds.* and the copied models from the DuckDB warehouse into PostgreSQL,
    with matching column types; returns the rows copied per table."""
    import psycopg2

    duck = duckdb.connect(str(warehouse), read_only=True)
    con = psycopg2.connect(**db.dsn)
    rows: dict[str, int] = {}
    try:
        tables = duck.execute(
            "select schema_name, table_name from duckdb_tables() "
            "where schema_name in ('raw', 'seeds') "
            "or (schema_name = 'intermediate' and list_contains(?, table_name)) "
            "order by all",
            [list(COPIED_MODELS)],
        ).fetchall()
        with con.cursor() as cur:
            cur.execute(PG_HELPERS)
            for schema, table in tables:
                columns = duck.execute(
                    "select column_name, data_type from duckdb_columns() "
                    "where schema_name = ? and table_name = ? order by column_index",
                    [schema, table],
                ).fetchall()
                ddl = ", ".join(f'"{name}" {_pg_type(typ)}' for name, typ in columns)
                cur.execute(f'create schema if not exists "{schema}"')
                cur.execute(f'drop table if exists "{schema}"."{table}" cascade')
                cur.execute(f'create table "{schema}"."{table}" ({ddl})')
                dump = workdir / f"{schema}.{table}.csv"
                duck.execute(
                    f'copy (select * from "{schema}"."{table}") to \'{dump}\' '
                    "(format csv, header false)"
                )
                with dump.open("rb") as fh:
                    cur.copy_expert(
                        f'copy "{schema}"."{table}" from stdin with (format csv)', fh, size=1 << 20
                    )
                dump.unlink()
                rows[f"{schema}.{table}"] = cur.rowcount
        con.commit()
        con.autocommit = True
        with con.cursor() as cur:
            cur.execute("analyze")
    finally:
        con.close()
        duck.close()
    return rows


# -- porting the models -----------------------------------------------------------------------

_ARG_MAX = "(array_agg(__value order by __key desc) filter (where __key is not null))[1]"
_INTERVAL_FUNCS = {"to_hours": "hour", "to_days": "day", "to_minutes": "minute"}
_CATALOG = re.compile(r'"[^"]+"\.("[^"]+"\."[^"]+")')


@dataclass
class Port:
    """The outcome of porting the project: PostgreSQL SQL per model, and what could not be."""

    sql: dict[str, str] = field(default_factory=dict)  # model -> postgres select
    materialized: dict[str, str] = field(default_factory=dict)
    schema: dict[str, str] = field(default_factory=dict)
    parents: dict[str, list[str]] = field(default_factory=dict)  # model -> upstream models
    not_portable: dict[str, str] = field(default_factory=dict)  # model -> why
    copied: dict[str, str] = field(default_factory=dict)  # model -> why it is copied as data

    def subset(self) -> list[str]:
        """Models built on both engines: ported, and with every upstream model built or copied."""
        ok: dict[str, bool] = {}

        def buildable(name: str) -> bool:
            if name in self.copied:
                return True
            if name not in ok:
                ok[name] = name in self.sql and all(buildable(p) for p in self.parents[name])
            return ok[name]

        return sorted(n for n in self.sql if buildable(n))

    def excluded(self) -> dict[str, str]:
        """Models left out, each with the reason (its own, or the upstream model it needs)."""
        built = set(self.subset())
        out = dict(self.not_portable)
        for name in self.sql:
            if name not in built:
                blocked = [p for p in self.parents[name] if p not in built and p not in self.copied]
                out[name] = f"depends on {', '.join(blocked)}, which is not portable"
        return out


def _schema_of(warehouse: Path) -> dict:
    con = duckdb.connect(str(warehouse), read_only=True)
    try:
        rows = con.execute(
            "select schema_name, table_name, column_name, data_type from duckdb_columns() "
            "where database_name = current_database() order by schema_name, table_name, "
            "column_index"
        ).fetchall()
    finally:
        con.close()
    schema: dict[str, dict[str, dict[str, str]]] = {}
    for sch, table, column, typ in rows:
        schema.setdefault(sch, {}).setdefault(table, {})[column] = typ
    return schema


def _rewrite(tree):
    """What sqlglot does not translate from DuckDB to PostgreSQL on its own."""
    import sqlglot
    from sqlglot import exp

    def fix(node):
        # any_value ignores nulls in DuckDB; the helper aggregate is strict, so it does too
        if isinstance(node, exp.IgnoreNulls) and isinstance(node.this, exp.AnyValue):
            return exp.Anonymous(this="any_value", expressions=[node.this.this])
        if isinstance(node, exp.AnyValue):
            return exp.Anonymous(this="any_value", expressions=[node.this])
        if isinstance(node, exp.DateFromParts):
            parts = [node.args.get(k) for k in ("year", "month", "day")]
            return exp.Anonymous(this="make_date", expressions=parts)
        if isinstance(node, exp.Quarter):
            return exp.Cast(
                this=exp.Extract(this=exp.var("quarter"), expression=node.this),
                to=exp.DataType.build("int"),
            )
        if isinstance(node, exp.DataType) and node.this == exp.DataType.Type.INT128:
            return exp.DataType.build("numeric")  # hugeint
        if isinstance(node, exp.Split):
            return exp.Anonymous(this="string_to_array", expressions=[node.this, node.expression])
        # round(x, n) exists for numeric only: round(double precision, int) does not
        if isinstance(node, exp.Round) and node.args.get("decimals") is not None:
            if not isinstance(node.this, exp.Cast):
                node.set("this", exp.Cast(this=node.this, to=exp.DataType.build("numeric")))
            return node
        func = str(node.this) if isinstance(node, exp.Anonymous) else ""
        func = (func or (node.sql_name() if isinstance(node, exp.Func) else "")).lower()
        # hash(a, b, …) or hash(row): a 64-bit hash of the values' text (fingerprints only)
        if func == "hash":
            args = [arg.transform(fix) for arg in node.expressions]
            value = args[0] if len(args) == 1 else exp.Anonymous(this="row", expressions=args)
            text = exp.Cast(this=value, to=exp.DataType.build("text"))
            return exp.Anonymous(this="hashtextextended", expressions=[text, exp.Literal.number(0)])
        if func in _INTERVAL_FUNCS:
            unit = _INTERVAL_FUNCS[func]
            arg = node.expressions[0] if isinstance(node, exp.Anonymous) else node.this
            return exp.Mul(
                this=exp.Paren(this=arg),
                expression=exp.Interval(this=exp.Literal.string("1"), unit=exp.var(unit)),
            )
        # arg_max(value, key): the value of the row with the largest non-null key
        if isinstance(node, exp.ArgMax):
            template = sqlglot.parse_one(_ARG_MAX, read="postgres")
            parts = {"__value": node.this, "__key": node.expression}
            return template.transform(
                lambda n: (
                    parts[n.name].copy() if isinstance(n, exp.Column) and n.name in parts else n
                )
            )
        window = _latest_per_key(node) if isinstance(node, exp.Select) else None
        if window is not None:
            node = _distinct_on(node, window)
        # group by all: the select list's expressions that hold no aggregate, by position
        if isinstance(node, exp.Select) and isinstance(node.args.get("group"), exp.Group):
            group = node.args["group"]
            if group.args.get("all"):
                positions = [
                    exp.Literal.number(i + 1)
                    for i, item in enumerate(node.expressions)
                    if not item.find(exp.AggFunc) and not item.find(exp.Window)
                ]
                node.set("group", exp.Group(expressions=positions))
        return node

    return tree.transform(fix)


def _latest_per_key(select):
    """The window of `qualify row_number() over (partition by … order by …) = 1`, if that is
    the select's qualify (and the select has no order, limit or distinct of its own); else
    None."""
    from sqlglot import exp

    qualify = select.args.get("qualify")
    if qualify is None or any(select.args.get(k) for k in ("order", "limit", "distinct")):
        return None
    cond = qualify.this
    if not (isinstance(cond, exp.EQ) and isinstance(cond.this, exp.Window)):
        return None
    window = cond.this
    if not (
        isinstance(window.this, exp.RowNumber)
        and window.args.get("partition_by")
        and isinstance(cond.expression, exp.Literal)
        and cond.expression.name == "1"
    ):
        return None
    return window


def _distinct_on(select, window):
    """DuckDB's `qualify row_number() … = 1` as PostgreSQL's own idiom, `distinct on (key) …
    order by key, …`: the same rows (one per key, the first in the window's order), but
    PostgreSQL estimates a distinct-on by the key's distinct values, where it guesses a
    filtered window's rows at a fraction of the table (a county's 127,000 ratings as 461),
    plans the joins above for a few hundred rows and takes minutes (110 s for one model).
    `window` is the qualify's, as `_latest_per_key` found it."""
    from sqlglot import exp

    keys = [key.copy() for key in window.args["partition_by"]]
    order = [exp.Ordered(this=key.copy(), nulls_first=False) for key in keys]
    if window.args.get("order"):
        order += [o.copy() for o in window.args["order"].expressions]
    select.set("qualify", None)
    select.set("distinct", exp.Distinct(on=exp.Tuple(expressions=keys)))
    select.set("order", exp.Order(expressions=order))
    return select


def port_models(manifest: dict, compiled: dict[str, str], warehouse: Path) -> Port:
    """Port every model of a dbt manifest (compiled by dbt-duckdb) to PostgreSQL SQL."""
    import sqlglot
    from sqlglot.optimizer.qualify import qualify

    schema = _schema_of(warehouse)
    port = Port()
    models = {
        n["unique_id"]: n for n in manifest["nodes"].values() if n["resource_type"] == "model"
    }
    for uid, node in models.items():
        name = node["name"]
        port.parents[name] = [models[p]["name"] for p in node["depends_on"]["nodes"] if p in models]
        # both engines build every model whole: an incremental model is a table here
        materialized = node["config"]["materialized"]
        port.materialized[name] = "table" if materialized == "incremental" else materialized
        port.schema[name] = node["config"].get("schema") or node["schema"]
        if name in COPIED_MODELS:
            port.copied[name] = COPIED_MODELS[name]
            continue
        if node.get("language") != "sql":
            port.not_portable[name] = f"{node.get('language')} model"
            continue
        sql = compiled.get(uid)
        if sql is None:
            port.not_portable[name] = "no compiled SQL in the DuckDB build"
            continue
        sql = _CATALOG.sub(r"\1", sql)
        try:
            tree = sqlglot.parse_one(sql, read="duckdb")
            tree = qualify(
                tree,
                schema=schema,
                dialect="duckdb",
                validate_qualify_columns=False,
                quote_identifiers=True,
            )
            tree = _rewrite(tree)
            port.sql[name] = tree.sql(
                dialect="postgres", pretty=True, unsupported_level=sqlglot.ErrorLevel.RAISE
            )
        except Exception as exc:  # sqlglot raises many error types; each is a reason to report
            port.not_portable[name] = f"sqlglot: {type(exc).__name__}: {_first_line(exc)}"
    return port


def _first_line(exc: Exception) -> str:
    """The line that says what went wrong (dbt puts "Database Error in model …" first)."""
    lines = [line.strip() for line in str(exc).strip().splitlines() if line.strip()]
    if len(lines) > 1 and lines[0].startswith(("Database Error", "Runtime Error")):
        lines = lines[1:]
    return lines[0][:200] if lines else type(exc).__name__


def compiled_sql(target_dir: Path, manifest: dict) -> dict[str, str]:
    """Compiled SQL per model unique id, from the manifest or target/compiled/."""
    out = {}
    for uid, node in manifest["nodes"].items():
        if node["resource_type"] != "model":
            continue
        if node.get("compiled_code"):
            out[uid] = node["compiled_code"]
            continue
        path = target_dir / "compiled" / node["package_name"] / node["original_file_path"]
        if path.exists():
            out[uid] = path.read_text(encoding="utf-8")
    return out


def write_project(port: Port, models: list[str], db: Cluster, project: Path) -> None:
    """A dbt project for dbt-postgres holding the ported models (same names, same schemas)."""
    (project / "models").mkdir(parents=True, exist_ok=True)
    (project / "macros").mkdir(exist_ok=True)
    (project / "dbt_project.yml").write_text(
        "name: townperf_pg\nversion: '0.1.0'\nconfig-version: 2\nprofile: townperf_pg\n"
        "model-paths: ['models']\nmacro-paths: ['macros']\n",
        encoding="utf-8",
    )
    profile = {
        "townperf_pg": {
            "target": "bench",
            "outputs": {
                "bench": {
                    "type": "postgres",
                    "host": "127.0.0.1",
                    "port": db.port,
                    "user": db.user,
                    "password": "",
                    "dbname": db.dbname,
                    "schema": "public",
                    "threads": 2,
                }
            },
        }
    }
    (project / "profiles.yml").write_text(json.dumps(profile), encoding="utf-8")
    (project / "macros" / "generate_schema_name.sql").write_text(
        "{% macro generate_schema_name(custom_schema_name, node) -%}"
        "{%- if custom_schema_name is none -%}{{ target.schema }}"
        "{%- else -%}{{ custom_schema_name | trim }}{%- endif -%}{%- endmacro %}\n",
        encoding="utf-8",
    )
    chosen = set(models)
    for name in models:
        deps = "\n".join(
            f"-- depends_on: {{{{ ref('{p}') }}}}" for p in port.parents[name] if p in chosen
        )
        config = (
            f"{{{{ config(materialized='{port.materialized[name]}', "
            f"schema='{port.schema[name]}') }}}}"
        )
        body = f"{config}\n{deps}\n{{% raw %}}\n{port.sql[name]}\n{{% endraw %}}\n"
        (project / "models" / f"{name}.sql").write_text(body, encoding="utf-8")


@dataclass
class DbtRun:
    seconds: float
    success: bool
    model_seconds: dict[str, float]
    errors: dict[str, str]


def run_models(
    project: Path, select: list[str] | None, target_path: Path, env: dict, command: str = "run"
) -> DbtRun:
    """`dbt run --full-refresh` (or `compile`) in process; wall time and per-model execution
    time from its results. Full refresh: the models are built from the raw tables, never
    incrementally from what an earlier build left."""
    from dbt.cli.main import dbtRunner

    os.environ.update(env)
    os.environ.setdefault("DO_NOT_TRACK", "1")
    args = [
        command,
        "--full-refresh",
        "--project-dir",
        str(project),
        "--profiles-dir",
        str(project),
        "--target-path",
        str(target_path),
        "--log-path",
        str(target_path / "logs"),
        "--quiet",
    ]
    if select is not None:
        args += ["--select", *select]
    start = time.perf_counter()
    result = dbtRunner().invoke(args)
    seconds = time.perf_counter() - start
    model_seconds, errors = {}, {}
    for node_result in result.result or []:
        name = node_result.node.name
        model_seconds[name] = float(node_result.execution_time or 0.0)
        if str(node_result.status) not in ("success", "pass"):
            errors[name] = _first_line(Exception(node_result.message or str(node_result.status)))
    if result.exception is not None:
        errors["dbt"] = _first_line(result.exception)
    return DbtRun(seconds, bool(result.success), model_seconds, errors)
