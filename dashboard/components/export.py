"""Excel and CSV exports that cannot run formulas when opened.

A cell starting with = + - @ (or a tab / carriage return) is read as a formula by Excel and
WPS; a name like `=HYPERLINK(...)` in the roster would become a live link. Such text cells are
prefixed with an apostrophe, which spreadsheet programs show as plain text.
"""

from __future__ import annotations

import io

import pandas as pd

FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def neutralise(value: object) -> object:
    if isinstance(value, str) and value.startswith(FORMULA_START):
        return "'" + value
    return value


def safe_frame(frame: pd.DataFrame) -> pd.DataFrame:
    safe = frame.copy()
    for column in safe.columns:
        if safe[column].dtype == object or pd.api.types.is_string_dtype(safe[column]):
            safe[column] = safe[column].map(neutralise)
    safe.columns = [neutralise(str(c)) for c in safe.columns]
    return safe


def to_xlsx_bytes(sheets: dict[str, pd.DataFrame]) -> bytes:
    """One workbook, one sheet per frame (sheet names cut to Excel's 31 characters)."""
    buffer = io.BytesIO()
    with pd.ExcelWriter(buffer, engine="openpyxl") as writer:
        for name, frame in sheets.items():
            safe_frame(frame).to_excel(writer, sheet_name=str(name)[:31], index=False)
    return buffer.getvalue()


def to_csv_bytes(frame: pd.DataFrame) -> bytes:
    """UTF-8 with BOM, so Excel on a Chinese Windows opens it with the right encoding."""
    return safe_frame(frame).to_csv(index=False).encode("utf-8-sig")
