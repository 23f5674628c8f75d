"""AG Grid tables: the accessible alternative of every chart, and the data grids of the pages."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

import dash_ag_grid as dag
import pandas as pd
import pyarrow as pa

from dashboard.components.formatting import D3_FORMATS, MISSING
from dashboard.i18n import t


@dataclass(frozen=True)
class Column:
    """One grid column: the DataFrame field, its i18n header key and how its values read."""

    field: str
    header_key: str
    kind: str | None = None  # a key of D3_FORMATS for numbers; None for text
    header: str | None = None  # a ready header, when it does not come from the label table


def column_defs(columns: list[Column], lang: str) -> list[dict]:
    defs = []
    for col in columns:
        spec: dict = {
            "field": col.field,
            "headerName": col.header or t(col.header_key, lang),
        }
        if col.kind:
            fmt = D3_FORMATS[col.kind]
            spec |= {
                "type": "rightAligned",
                "valueFormatter": {
                    "function": f"params.value == null ? '{MISSING}' "
                    f": d3.format('{fmt}')(params.value)"
                },
            }
        else:
            spec |= {"minWidth": 180}
        defs.append(spec)
    if defs:
        defs[0] |= {"pinned": "left"}
    return defs


# Up to this many rows, `row_dicts` converts through one object array (a person's 20-row
# table: 0.5 against 1.5 ms column by column); above it, column by column is faster.
OBJECT_ARRAY_ROWS = 1000


def row_dicts(df: pd.DataFrame) -> list[dict]:
    """`df.to_dict("records")`, the same values: pandas builds each row through its indexing
    machinery, 2.7 times as long on a 300-row ranking."""
    names = list(df.columns)
    if len(df) <= OBJECT_ARRAY_ROWS:
        rows = df.to_numpy(dtype=object).tolist()
        if not any(getattr(dtype, "na_value", None) is pd.NA for dtype in df.dtypes):
            return [dict(zip(names, row, strict=True)) for row in rows]
        # records give None where a nullable column holds NA
        return [
            {
                name: None if value is pd.NA else value
                for name, value in zip(names, row, strict=True)
            }
            for row in rows
        ]
    columns = [_values(df.iloc[:, i]) for i in range(len(names))]
    return [dict(zip(names, row, strict=True)) for row in zip(*columns, strict=True)]


def _values(column: pd.Series) -> list:
    values = column.tolist()
    if getattr(column.dtype, "na_value", None) is pd.NA:  # records give None, not NA
        return [None if value is pd.NA else value for value in values]
    return values


# Below this many rows a grid's records are built row by row in Python: Arrow's fixed
# cost per table (about a millisecond) is more than the rows' own, and a page view builds
# several small grids (20 rows of 26 columns: 0.3 against 1.2 ms; even at 100 rows).
ARROW_FROM_ROWS = 100


def records(df: pd.DataFrame) -> list[dict]:
    """Rows as JSON-ready dicts: missing values as null, dates as ISO text.

    Through Arrow from `ARROW_FROM_ROWS` rows: the warehouse's text columns are Arrow-backed,
    and turning them into Python objects column by column in pandas took four times as long
    (a rankings grid of 1,000 rows: 21 ms against 5)."""
    if len(df) < ARROW_FROM_ROWS:
        return _records_in_python(df)
    try:
        table = pa.Table.from_pandas(df, preserve_index=False)
    except (pa.ArrowException, TypeError, ValueError):  # mixed-type object columns
        return _records_in_python(df)
    rows = table.to_pylist()
    dated = [
        field.name
        for field in table.schema
        if pa.types.is_date(field.type) or pa.types.is_timestamp(field.type)
    ]
    for row in rows:
        for key in dated:
            value = row[key]
            if value is not None:
                row[key] = value.isoformat()
    return rows


def _records_in_python(df: pd.DataFrame) -> list[dict]:
    names = list(df.columns)
    return [
        {name: _json_value(value) for name, value in zip(names, row, strict=True)}
        for row in df.to_numpy(dtype=object).tolist()
    ]


def _json_value(value: object) -> object:
    if value is None or value is pd.NA or value is pd.NaT:
        return None
    if isinstance(value, float):
        return None if value != value else value  # NaN
    if isinstance(value, date):  # datetime and Timestamp too
        return value.isoformat()
    return value


def data_grid(grid_id: str, df: pd.DataFrame, columns: list[Column], lang: str) -> dag.AgGrid:
    """A sortable grid sized to its rows (meant for tens of rows, not thousands).

    Headers wrap rather than truncate, and the first column stays in view when scrolling.
    """
    return dag.AgGrid(
        id=grid_id,
        rowData=records(df),
        columnDefs=column_defs(columns, lang),
        defaultColDef={
            "sortable": True,
            "resizable": True,
            "minWidth": 76,
            "wrapHeaderText": True,
            "autoHeaderHeight": True,
        },
        columnSize="responsiveSizeToFit",
        dashGridOptions={
            "domLayout": "autoHeight",
            "localeText": {"noRowsToShow": t("grid.no_rows", lang)},
            "suppressMovableColumns": True,
        },
        className="townperf-grid",
        style={"height": None, "width": "100%"},
    )
