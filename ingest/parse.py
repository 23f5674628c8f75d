"""Strict, vectorised typing of text cells, with a reason for every cell that does not parse.

Strict means a value is either parsed exactly or reported: "2025-13-45" is never guessed into a
date, and an enum value outside the mapping's list is refused by the expectation suite.
"""

from __future__ import annotations

import datetime as dt
import re
import threading

import duckdb
import numpy as np
import pandas as pd
import pyarrow as pa

from ingest.mapping import Column, SourceMapping

DATE_FORMATS = ("%Y-%m-%d", "%Y/%m/%d", "%Y%m%d", "%Y.%m.%d")
DATETIME_FORMATS = (
    "%Y-%m-%d %H:%M:%S",
    "%Y-%m-%d %H:%M",
    "%Y/%m/%d %H:%M:%S",
    "%Y/%m/%d %H:%M",
    "%Y-%m-%dT%H:%M:%S",
    *DATE_FORMATS,
)
PERIOD_PATTERN = re.compile(r"^\d{4}(Q[1-4]|-(0[1-9]|1[0-2]))?$")
_CHINESE_DATE = re.compile(r"^(\d{4})年(\d{1,2})月(\d{1,2})日$")


def _likely_first(text: pd.Series, formats: tuple[str, ...]) -> tuple[str, ...]:
    """Order formats by how many of a sample of values they parse: one export uses one format,
    so the whole column is usually parsed by the first pass."""
    sample = text[text != ""].head(50).tolist()

    def hits(fmt: str) -> int:
        count = 0
        for value in sample:
            try:
                dt.datetime.strptime(value, fmt)
                count += 1
            except ValueError:
                pass
        return count

    return tuple(sorted(formats, key=hits, reverse=True))


_local = threading.local()


def thread_duckdb() -> duckdb.DuckDBPyConnection:
    """This thread's in-memory DuckDB (one costs 15-25 ms to open; a file has several temporal
    columns, and its duplicates are found there too). One thread: the files are typed on
    several readers at once."""
    con = getattr(_local, "con", None)
    if con is None:
        con = _local.con = duckdb.connect(config={"threads": 1})
    return con


def _parse_temporal(text: pd.Series, formats: tuple[str, ...]) -> pd.Series:
    chinese = text.str.contains("年", regex=False)
    if chinese.any():
        text = text.where(
            ~chinese, text[chinese].str.replace(_CHINESE_DATE, r"\1-\2-\3", regex=True)
        )
    cells = pa.table({"cell": pa.array(text.where(text != ""), type=pa.string())})
    # DuckDB's try_strptime takes the formats in order and the first that parses a cell wins,
    # as pandas' to_datetime did format by format (a county's dates and times: 6.9 → 4.0 s);
    # it refuses what does not exist ("2025-02-30", a 61st second), never rolling it over.
    con = thread_duckdb()
    con.register("cells", cells)
    try:
        parsed = con.sql(
            "select try_strptime(cell, $formats)::timestamp as value from cells",
            params={"formats": list(_likely_first(text, formats))},
        ).to_arrow_table()
    finally:
        con.unregister("cells")
    values = parsed.column("value").to_numpy(zero_copy_only=False).astype("datetime64[us]")
    return pd.Series(values, index=text.index)


def _parse_number(text: pd.Series, integer: bool) -> pd.Series:
    cleaned = text.str.replace(",", "", regex=False).str.strip()
    numbers = pd.to_numeric(cleaned.where(cleaned != ""), errors="coerce")
    if integer:
        fractional = numbers.notna() & (numbers != np.floor(numbers))
        numbers = numbers.mask(fractional)
        return numbers.astype("Int64")
    return numbers.astype("Float64")


def parse_column(text: pd.Series, column: Column) -> pd.Series:
    """Typed values; a non-empty cell that does not parse becomes null (and is reported)."""
    text = text.fillna("").astype(str).str.strip()
    if column.type == "date":
        return _parse_temporal(text, DATE_FORMATS + DATETIME_FORMATS[:5]).dt.normalize()
    if column.type == "datetime":
        return _parse_temporal(text, DATETIME_FORMATS)
    if column.type == "int":
        return _parse_number(text, integer=True)
    if column.type == "decimal":
        return _parse_number(text, integer=False)
    if column.type == "period":
        return text.where(text.str.match(PERIOD_PATTERN) & (text != ""))
    # string and enum stay text; enums are checked by the expectation suite.
    return text.where(text != "")


def parse_frame(raw: pd.DataFrame, mapping: SourceMapping) -> tuple[pd.DataFrame, pd.Series]:
    """Typed frame with every canonical column, and per-row parse-failure reasons ('' when fine).

    `raw` has canonical column names holding text; missing optional columns become null.
    """
    typed = {}
    reasons = pd.Series("", index=raw.index, dtype=object)
    for name, column in mapping.columns.items():
        if name not in raw.columns:
            typed[name] = pd.Series(pd.NA, index=raw.index, dtype=object)
            continue
        text = raw[name].fillna("").astype(str).str.strip()
        values = parse_column(text, column)
        failed = (text != "") & values.isna()
        if failed.any():
            where = f"{name} ({column.aliases[0]})" if column.aliases else name
            label = f"bad {column.type} in {where}: "
            reasons[failed] = reasons[failed] + label + "'" + text[failed] + "'; "
        typed[name] = values
    return pd.DataFrame(typed, index=raw.index), trim_reasons(reasons)


def trim_reasons(reasons: pd.Series) -> pd.Series:
    """Drop the trailing separator, touching only the (few) rows that have a reason."""
    has = reasons != ""
    if has.any():
        reasons = reasons.copy()
        reasons[has] = reasons[has].str.rstrip("; ")
    return reasons
