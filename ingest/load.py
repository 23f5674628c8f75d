"""Writes to the `raw` schema: loaded rows, quarantined rows, the load log, validation results.

Raw rows keep the file name, data-row number and load id they came from, so every figure in the
marts can be traced back to a line of a town's export.
"""

from __future__ import annotations

import json

import duckdb
import pandas as pd
import pyarrow as pa

from ingest.mapping import SourceMapping, mappings

DUCK_TYPES = {
    "string": "varchar",
    "enum": "varchar",
    "period": "varchar",
    "date": "date",
    "datetime": "timestamp",
    "int": "bigint",
    "decimal": "double",
}
ARROW_TYPES = {
    "string": pa.string(),
    "enum": pa.string(),
    "period": pa.string(),
    "date": pa.date32(),
    "datetime": pa.timestamp("us"),
    "int": pa.int64(),
    "decimal": pa.float64(),
}
LINEAGE = {"_load_id": "varchar", "_load_seq": "integer", "_file": "varchar", "_row": "integer"}

META_DDL = """
create schema if not exists raw;
create table if not exists raw.loads (
    load_id varchar primary key,
    load_seq integer,
    file_name varchar,
    file_path varchar,
    sha256 varchar,
    source varchar,
    encoding varchar,
    status varchar,          -- loaded / skipped / refused
    message varchar,
    rows_read integer,
    rows_loaded integer,
    rows_quarantined integer,
    loaded_at timestamp
);
create table if not exists raw.quarantine (
    load_id varchar,
    file_name varchar,
    source varchar,
    row_number integer,
    line_number integer,
    reason varchar,
    original_values varchar  -- JSON object: header as written in the file -> cell text
);
create table if not exists raw.validation_results (
    load_id varchar,
    file_name varchar,
    source varchar,
    expectation varchar,
    message varchar,
    success boolean,
    unexpected_count integer
);
"""


def ensure_schema(con: duckdb.DuckDBPyConnection) -> None:
    con.execute(META_DDL)
    for mapping in mappings().values():
        columns = [f"{name} {DUCK_TYPES[c.type]}" for name, c in mapping.columns.items()]
        columns += [f"{name} {typ}" for name, typ in LINEAGE.items()]
        con.execute(f"create table if not exists raw.{mapping.source} ({', '.join(columns)})")
        # a column added to a mapping later reaches warehouses created before it (rows by name)
        for name, column in mapping.columns.items():
            con.execute(
                f"alter table raw.{mapping.source} "
                f"add column if not exists {name} {DUCK_TYPES[column.type]}"
            )


def next_load_seq(con: duckdb.DuckDBPyConnection) -> int:
    ((seq,),) = con.execute("select coalesce(max(load_seq), 0) + 1 from raw.loads").fetchall()
    return int(seq)


def earlier_loads(con: duckdb.DuckDBPyConnection) -> dict[str, tuple[str, str]]:
    """For every file content (sha256) loaded so far: the name and time of its first load.
    Such a file is not read again."""
    rows = con.execute(
        "select sha256, arg_min(file_name, load_seq), "
        "strftime(arg_min(loaded_at, load_seq), '%Y-%m-%d %H:%M') from raw.loads "
        "where status = 'loaded' group by sha256"
    ).fetchall()
    return {sha: (name, when) for sha, name, when in rows}


def _arrow(frame: pd.DataFrame, mapping: SourceMapping) -> pa.Table:
    arrays, fields = [], []
    for name, column in mapping.columns.items():
        typ = ARROW_TYPES[column.type]
        if column.type == "date":
            array = pa.Array.from_pandas(frame[name].astype("datetime64[us]")).cast(typ)
        else:
            array = pa.Array.from_pandas(frame[name], type=typ)
        arrays.append(array)
        fields.append(pa.field(name, typ))
    for name, duck_type in LINEAGE.items():
        typ = pa.int32() if duck_type == "integer" else pa.string()
        arrays.append(pa.Array.from_pandas(frame[name], type=typ))
        fields.append(pa.field(name, typ))
    return pa.Table.from_arrays(arrays, schema=pa.schema(fields))


def insert_rows(
    con: duckdb.DuckDBPyConnection, frame: pd.DataFrame, mapping: SourceMapping
) -> None:
    if frame.empty:
        return
    table = _arrow(frame, mapping)
    con.register("incoming_rows", table)
    try:
        con.execute(f"insert into raw.{mapping.source} by name select * from incoming_rows")
    finally:
        con.unregister("incoming_rows")


def insert_quarantine(
    con: duckdb.DuckDBPyConnection,
    load_id: str,
    file_name: str,
    source: str,
    headers: list[str],
    raw_text: pd.DataFrame,
    reasons: pd.Series,
    header_line: int,
) -> None:
    if raw_text.empty:
        return
    originals = [
        json.dumps(dict(zip(headers, row, strict=False)), ensure_ascii=False)
        for row in raw_text.itertuples(index=False, name=None)
    ]
    rows = (raw_text.index + 1).astype(int)
    table = pa.table(
        {
            "load_id": [load_id] * len(raw_text),
            "file_name": [file_name] * len(raw_text),
            "source": [source] * len(raw_text),
            "row_number": pa.array(rows.tolist(), type=pa.int32()),
            "line_number": pa.array((rows + header_line).tolist(), type=pa.int32()),
            "reason": reasons.tolist(),
            "original_values": originals,
        }
    )
    con.register("incoming_quarantine", table)
    try:
        con.execute("insert into raw.quarantine by name select * from incoming_quarantine")
    finally:
        con.unregister("incoming_quarantine")


def insert_load(con: duckdb.DuckDBPyConnection, record: dict) -> None:
    cols = list(record)
    placeholders = ", ".join("?" for _ in cols)
    con.execute(
        f"insert into raw.loads ({', '.join(cols)}) values ({placeholders})", list(record.values())
    )


def insert_checks(
    con: duckdb.DuckDBPyConnection, load_id: str, file_name: str, source: str, checks: list[dict]
) -> None:
    if not checks:
        return
    table = pa.table(
        {
            "load_id": [load_id] * len(checks),
            "file_name": [file_name] * len(checks),
            "source": [source] * len(checks),
            "expectation": [c["expectation"] for c in checks],
            "message": [c["message"] for c in checks],
            "success": [bool(c["success"]) for c in checks],
            "unexpected_count": pa.array([int(c["unexpected_count"]) for c in checks], pa.int32()),
        }
    )
    con.register("incoming_checks", table)
    try:
        con.execute("insert into raw.validation_results by name select * from incoming_checks")
    finally:
        con.unregister("incoming_checks")
