"""Read an export file into text cells, whatever its format and encoding.

Every cell comes back as text (empty string when blank) so that parsing, and the quarantine's
record of the original values, see exactly what the town's system wrote.
"""

from __future__ import annotations

import codecs
import csv
import datetime as dt
import io
from dataclasses import dataclass
from pathlib import Path

import pandas as pd

from ingest.mapping import all_known_headers, normalise_header

CSV_ENCODINGS = ("utf-8-sig", "gb18030")
TITLE_ROWS_SCANNED = 10


class UnreadableFile(Exception):
    """The file cannot be read at all; it is refused whole."""


@dataclass
class RawTable:
    headers: list[str]
    data: pd.DataFrame  # string columns named by position: "0", "1", ...
    encoding: str
    header_line: int  # 1-based line / row of the header in the file


def read_file(path: Path) -> RawTable:
    suffix = path.suffix.lower()
    if suffix in (".xlsx", ".xlsm", ".xls"):
        return _read_excel(path)
    if suffix in (".csv", ".txt"):
        return _read_csv(path)
    raise UnreadableFile(f"unsupported file type {suffix or '(none)'}; expected .csv or .xlsx")


def _decode(raw: bytes) -> tuple[str, str]:
    for encoding in CSV_ENCODINGS:
        try:
            return raw.decode(encoding), encoding
        except UnicodeDecodeError:
            continue
    raise UnreadableFile("text is neither UTF-8 nor GB18030")


def _header_index(rows: list[list[str]]) -> int:
    """Real exports often carry a title row (e.g. "G镇2025年第一季度人员名册") above the header."""
    known = all_known_headers()
    best, best_hits = 0, 0
    for i, row in enumerate(rows[:TITLE_ROWS_SCANNED]):
        hits = sum(1 for cell in row if normalise_header(cell) in known)
        if hits > best_hits:
            best, best_hits = i, hits
    return best


HEAD_BYTES = 1 << 16  # enough for the title rows and the header of any export


def _read_csv(path: Path) -> RawTable:
    try:
        raw = path.read_bytes()
    except OSError as exc:
        raise UnreadableFile(f"cannot open: {exc.strerror}") from exc
    if not raw.strip():
        raise UnreadableFile("file is empty")
    if b"\x00" in raw[:4096]:
        raise UnreadableFile("binary content, not a CSV text file")
    fast = _read_utf8(raw)
    if fast is not None:
        return fast
    text, encoding = _decode(raw)
    head_lines = text[: HEAD_BYTES * 2].splitlines()[:TITLE_ROWS_SCANNED]
    head_rows = list(csv.reader(head_lines))
    header_at = _header_index(head_rows)
    # A UTF-8 export was offered to Arrow as it is (`_read_utf8`); what Arrow refused there it
    # would refuse again, so only another encoding, transcoded, goes to Arrow here.
    fast = None
    if encoding != "utf-8-sig":
        fast = _read_csv_arrow(
            text.encode("utf-8"), head_rows[header_at] if head_rows else [], header_at
        )
    if fast is not None:
        return RawTable(fast[0], fast[1], encoding.replace("-sig", ""), header_at + 1)
    try:
        frame = pd.read_csv(
            io.StringIO(text),
            skiprows=header_at,
            dtype=str,
            keep_default_na=False,
            na_filter=False,
            header=0,
            skip_blank_lines=True,
            engine="c",
        )
    except (pd.errors.ParserError, ValueError) as exc:
        raise UnreadableFile(f"not a well-formed CSV: {exc}") from exc
    headers = [str(h) for h in frame.columns]
    frame.columns = [str(i) for i in range(len(headers))]
    return RawTable(headers, frame, encoding.replace("-sig", ""), header_at + 1)


def _read_utf8(raw: bytes) -> RawTable | None:
    """The common case, a well-formed UTF-8 export, read without decoding the whole file into
    a Python string and encoding it again: Arrow checks the UTF-8 as it reads. None when the
    file needs the general path (another encoding, a short row, a repeated header)."""
    body = raw[3:] if raw.startswith(codecs.BOM_UTF8) else raw
    head = body[:HEAD_BYTES]
    if len(body) > HEAD_BYTES:  # do not cut the last line of the head in two
        head = head[: head.rfind(b"\n") + 1]
    try:
        head_text = head.decode("utf-8")
    except UnicodeDecodeError:
        return None
    head_rows = list(csv.reader(head_text.splitlines()[:TITLE_ROWS_SCANNED]))
    if not head_rows:
        return None
    header_at = _header_index(head_rows)
    fast = _read_csv_arrow(body, head_rows[header_at], header_at)
    if fast is None:
        return None
    return RawTable(fast[0], fast[1], "utf-8", header_at + 1)


def _read_csv_arrow(data: bytes, headers: list[str], header_at: int):
    """(headers, frame) read by Arrow's multi-threaded CSV reader, several times faster than
    pandas' on large exports, blank lines skipped as pandas skips them; None when the file
    needs pandas' leniency (a short row, a repeated header) or is not UTF-8, which then reads
    it as before."""
    import pyarrow as pa
    import pyarrow.csv as pacsv

    width = len(headers)
    if not width or len(set(headers)) != width:
        return None
    names = [str(i) for i in range(width)]
    try:
        table = pacsv.read_csv(
            io.BytesIO(data),
            read_options=pacsv.ReadOptions(column_names=names, skip_rows=header_at + 1),
            parse_options=pacsv.ParseOptions(newlines_in_values=True),
            convert_options=pacsv.ConvertOptions(
                column_types=dict.fromkeys(names, pa.string()),
                strings_can_be_null=False,
                quoted_strings_can_be_null=False,
            ),
        )
    except (pa.ArrowInvalid, pa.ArrowException):
        return None
    return list(headers), table.to_pandas()


def _cell_text(value: object) -> str:
    if value is None:
        return ""
    if isinstance(value, dt.datetime):
        if value.time() == dt.time(0):
            return value.date().isoformat()
        return value.isoformat(sep=" ", timespec="seconds")
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value).strip()


def _read_excel(path: Path) -> RawTable:
    from python_calamine import CalamineWorkbook

    try:
        book = CalamineWorkbook.from_path(str(path))
        rows = book.get_sheet_by_index(0).to_python(skip_empty_area=False)
    except Exception as exc:  # calamine raises its own error types for corrupt workbooks
        raise UnreadableFile(f"not a readable Excel workbook: {exc}") from exc
    text_rows = [[_cell_text(v) for v in row] for row in rows]
    while text_rows and not any(text_rows[-1]):
        text_rows.pop()
    if not text_rows:
        raise UnreadableFile("workbook's first sheet is empty")
    header_at = _header_index(text_rows)
    headers = text_rows[header_at]
    while headers and not headers[-1]:
        headers = headers[:-1]
    body = [r[: len(headers)] + [""] * (len(headers) - len(r)) for r in text_rows[header_at + 1 :]]
    body = [r for r in body if any(r)]
    frame = pd.DataFrame(body, columns=[str(i) for i in range(len(headers))], dtype=str)
    return RawTable(headers, frame, "xlsx", header_at + 1)
