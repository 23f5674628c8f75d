"""Shared machinery of the synthetic export generator: calendar, periods, rendering, writers.

Everything here is vectorised over records (numpy/pyarrow) because county scale writes millions
of rows, and everything is deterministic because the same seed must give byte-identical files.
"""

from __future__ import annotations

import io
import re
import tomllib
import zipfile
import zlib
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from functools import cache
from pathlib import Path
from xml.sax.saxutils import escape as xml_escape

import holidays
import numpy as np
import pyarrow as pa
import pyarrow.compute as pc
from openpyxl import Workbook
from openpyxl.utils import get_column_letter

from townperf.settings import MAPPINGS_DIR

EPOCH = date(1970, 1, 1)
DAY = 86_400
HOUR = 3_600
# Every XLSX gets the same document timestamps so that the same seed gives the same bytes.
FIXED_STAMP = datetime(2026, 1, 1)
ZIP_STAMP = (2026, 1, 1, 0, 0, 0)


def day_number(d: date) -> int:
    return (d - EPOCH).days


def to_date(n: int) -> date:
    return EPOCH + timedelta(days=int(n))


def make_rng(seed: int, *keys: str | int) -> np.random.Generator:
    """One independent stream per (source, period) so that changing one source's logic or the
    window length does not reshuffle every other file."""
    parts = [seed, *(zlib.crc32(str(k).encode()) for k in keys)]
    return np.random.default_rng(np.random.SeedSequence(parts))


# --------------------------------------------------------------------------------------------
# Mappings: the headers we write are the first alias of each column in ingest/mappings/*.toml,
# so the generator and the ingest can never disagree about names.


@dataclass(frozen=True)
class Column:
    name: str
    header: str
    type: str


@cache
def columns(source: str) -> tuple[Column, ...]:
    spec = tomllib.loads((MAPPINGS_DIR / f"{source}.toml").read_text(encoding="utf-8"))
    return tuple(
        Column(name, col["aliases"][0], col.get("type", "string"))
        for name, col in spec["columns"].items()
    )


# --------------------------------------------------------------------------------------------
# Calendar


SEASON = {1: 0.95, 2: 0.9, 3: 1.05, 4: 1.0, 5: 0.95, 6: 1.0}
SEASON |= {7: 0.95, 8: 0.9, 9: 1.0, 10: 0.95, 11: 1.05, 12: 1.25}


class WorkCalendar:
    """Working-day arithmetic on China's official calendar, including make-up working days
    (调休), because promised times for approvals and 12345 tickets are counted in working days."""

    def __init__(self, first: date, last: date) -> None:
        cn = holidays.China(years=range(first.year, last.year + 1), language="en_US")
        self.first = day_number(first)
        n = (last - first).days + 1
        days = [first + timedelta(i) for i in range(n)]
        self.is_work = np.array([cn.is_working_day(d) for d in days])
        self.work_days = np.flatnonzero(self.is_work) + self.first
        self.next_index = np.searchsorted(self.work_days, np.arange(self.first, self.first + n))
        self.season = self._season(days, cn)

    def _season(self, days: list[date], cn: holidays.HolidayBase) -> np.ndarray:
        """Demand multiplier per day: a Spring Festival dip and a year-end peak."""
        factor = np.array([SEASON[d.month] for d in days])
        for festival in cn.get_named("Spring Festival"):
            lo = day_number(festival) - 7 - self.first
            hi = day_number(festival) + 14 - self.first
            factor[max(lo, 0) : max(hi, 0)] = np.minimum(factor[max(lo, 0) : max(hi, 0)], 0.6)
        return factor

    def _i(self, days: np.ndarray | int) -> np.ndarray:
        return np.asarray(days) - self.first

    def working(self, days: np.ndarray) -> np.ndarray:
        return self.is_work[self._i(days)]

    def add_working_days(self, days: np.ndarray, k: np.ndarray | int) -> np.ndarray:
        """The k-th working day after `days` (k=0: the day itself, or the next working day)."""
        idx = self.next_index[self._i(days)] + k
        return self.work_days[np.clip(idx, 0, len(self.work_days) - 1)]

    def next_working(self, days: np.ndarray) -> np.ndarray:
        """The day itself when it is a working day, else the next one; a day past the end of
        the calendar stays as it is (it lies beyond every export)."""
        days = np.asarray(days)
        i = np.clip(days - self.first, 0, len(self.next_index) - 1)
        nxt = self.work_days[np.minimum(self.next_index[i], len(self.work_days) - 1)]
        return np.where(nxt >= days, nxt, days)

    def working_days_between(self, start: int, end: int) -> np.ndarray:
        """Working days in [start, end)."""
        return self.work_days[(self.work_days >= start) & (self.work_days < end)]

    def season_of(self, days: np.ndarray) -> np.ndarray:
        return self.season[self._i(days)]


# --------------------------------------------------------------------------------------------
# Periods


@dataclass(frozen=True)
class Period:
    """A calendar period clipped to the generation window; `end` is exclusive and is also the
    moment the export of this period is taken."""

    label: str
    start: int
    end: int
    full: bool
    year: int

    @property
    def export_ts(self) -> int:
        return self.end * DAY

    @property
    def last_day(self) -> int:
        return self.end - 1


def _month_add(d: date, months: int) -> date:
    m = d.month - 1 + months
    return date(d.year + m // 12, m % 12 + 1, 1)


def periods(kind: str, start: date, end: date) -> list[Period]:
    """Quarters ('Q'), halves ('H') or years ('Y') that overlap [start, end)."""
    span = {"Q": 3, "H": 6, "Y": 12}[kind]
    first = date(start.year, (start.month - 1) // span * span + 1, 1)
    out = []
    while first < end:
        nxt = _month_add(first, span)
        idx = (first.month - 1) // span + 1
        label = {"Q": f"{first.year}Q{idx}", "H": f"{first.year}H{idx}", "Y": f"{first.year}"}
        out.append(
            Period(
                label=label[kind],
                start=day_number(max(first, start)),
                end=day_number(min(nxt, end)),
                full=first >= start and nxt <= end,
                year=first.year,
            )
        )
        first = nxt
    return out


# --------------------------------------------------------------------------------------------
# Rendering numbers to text columns


@cache
def _clock_texts(style: str) -> pa.Array:
    """Every time of day as text, so formatting millions of timestamps is a table lookup."""
    if style == "slash":  # HH:MM, indexed by minute of the day
        text = np.datetime_as_string(np.arange(0, DAY, 60).astype("datetime64[s]"), unit="m")
    else:  # HH:MM:SS, indexed by second of the day
        text = np.datetime_as_string(np.arange(DAY).astype("datetime64[s]"), unit="s")
    return pc.utf8_slice_codeunits(pa.array(text).cast(pa.string()), 11, 19)


def _day_texts(days: np.ndarray, style: str) -> pa.Array:
    first, last = int(days.min()), int(days.max())
    text = np.datetime_as_string(np.arange(first, last + 1).astype("datetime64[D]"))
    arr = pa.array(text).cast(pa.string())
    if style == "slash":
        arr = pc.replace_substring(arr, "-", "/")
    return pc.take(arr, pa.array(days - first))


def _mask(values: np.ndarray, valid: np.ndarray | None) -> tuple[np.ndarray, np.ndarray | None]:
    values = np.asarray(values, dtype="int64")
    if valid is None:
        return values, None
    mask = ~np.asarray(valid, dtype=bool)
    return np.where(mask, values[~mask][0] if (~mask).any() else 0, values), mask


def fmt_datetime(secs: np.ndarray, valid: np.ndarray | None, style: str) -> pa.Array:
    """2025-03-04 09:12:00, or 2025/03/04 09:12 in the slash style; invalid = empty."""
    secs, mask = _mask(secs, valid)
    if len(secs) == 0:
        return pa.array([], pa.string())
    days, tod = np.divmod(secs, DAY)
    clock = pc.take(_clock_texts(style), pa.array(tod // 60 if style == "slash" else tod))
    arr = pc.binary_join_element_wise(_day_texts(days, style), clock, " ")
    return arr if mask is None else pc.if_else(pa.array(mask), pa.scalar(None, pa.string()), arr)


def fmt_date(days: np.ndarray, valid: np.ndarray | None, style: str) -> pa.Array:
    """2025-03-04, or 2025/03/04 in the slash style; invalid = empty."""
    days, mask = _mask(days, valid)
    if len(days) == 0:
        return pa.array([], pa.string())
    arr = _day_texts(days, style)
    return arr if mask is None else pc.if_else(pa.array(mask), pa.scalar(None, pa.string()), arr)


def fmt_int(values: np.ndarray, valid: np.ndarray | None = None, pad: int = 0) -> pa.Array:
    mask = None if valid is None else ~np.asarray(valid, dtype=bool)
    arr = pa.array(np.asarray(values, dtype="int64"), mask=mask).cast(pa.string())
    return pc.utf8_lpad(arr, pad, "0") if pad else arr


def pick(values: Sequence[str], idx: np.ndarray, valid: np.ndarray | None = None) -> pa.Array:
    """Categorical column from codes; invalid codes become empty cells."""
    mask = None if valid is None else ~np.asarray(valid, dtype=bool)
    return pc.take(pa.array(list(values), pa.string()), pa.array(idx, pa.int64(), mask=mask))


def concat_text(*parts: pa.Array | str) -> pa.Array:
    return pc.binary_join_element_wise(*parts, "")


def daily_sequence(keys: np.ndarray) -> np.ndarray:
    """1-based running number within runs of equal (sorted) keys, e.g. a per-town daily serial."""
    if len(keys) == 0:
        return np.zeros(0, dtype=np.int64)
    starts = np.r_[0, np.flatnonzero(keys[1:] != keys[:-1]) + 1]
    run = np.repeat(starts, np.diff(np.r_[starts, len(keys)]))
    return np.arange(len(keys)) - run + 1


# --------------------------------------------------------------------------------------------
# Defects


def plan_defects(
    rng: np.random.Generator,
    n: int,
    rate: float,
    weights: dict[str, float],
    eligible: dict[str, np.ndarray] | None = None,
) -> dict[str, np.ndarray]:
    """Choose disjoint rows for each defect kind, so each defective row has exactly one known
    problem and the manifest can say precisely what the ingest should find."""
    eligible = eligible or {}
    total = int(rng.binomial(n, rate)) if n and rate > 0 else 0
    kinds = list(weights)
    p = np.array([weights[k] for k in kinds], dtype=float)
    counts = rng.multinomial(total, p / p.sum()) if total else np.zeros(len(kinds), int)
    taken = np.zeros(n, dtype=bool)
    out: dict[str, np.ndarray] = {}
    for kind, count in zip(kinds, counts, strict=True):
        pool = ~taken
        if kind in eligible:
            pool &= eligible[kind]
        candidates = np.flatnonzero(pool)
        count = min(int(count), len(candidates))
        rows = np.sort(rng.choice(candidates, count, replace=False)) if count else candidates[:0]
        taken[rows] = True
        out[kind] = rows
    return out


def _replace_rows(col: pa.Array, rows: np.ndarray, values: list[str]) -> pa.Array:
    mask = np.zeros(len(col), dtype=bool)
    mask[rows] = True
    return pc.replace_with_mask(col, pa.array(mask), pa.array(values, pa.string()))


def bad_date_text(rng: np.random.Generator, n: int, year: int, with_time: bool) -> list[str]:
    choices = [f"{year}-13-45", "无", f"{year}-02-30", "待补录"]
    if with_time:
        choices += [f"{year}-13-45 09:00:00", f"{year}-06-31 25:61:00"]
    return [choices[i] for i in rng.integers(0, len(choices), n)]


def apply_text_defects(
    cols: dict[str, pa.Array],
    plan: dict[str, np.ndarray],
    rng: np.random.Generator,
    *,
    date_col: str,
    handler_col: str,
    year: int,
    with_time: bool,
    enum_col: str | None = None,
    enum_value: str = "已完成",
) -> tuple[dict[str, pa.Array], list[dict]]:
    """Write the text-level defects, insert duplicate copies right after their originals, and
    return the defect list with 1-based data-row numbers as they appear in the written file."""
    rows = plan.get("bad_date", np.zeros(0, int))
    if len(rows):
        texts = bad_date_text(rng, len(rows), year, with_time)
        cols[date_col] = _replace_rows(cols[date_col], rows, texts)
    rows = plan.get("unknown_handler", np.zeros(0, int))
    if len(rows):
        ids = [f"X{v}" for v in rng.integers(9990, 10000, len(rows))]  # a few unlisted people
        cols[handler_col] = _replace_rows(cols[handler_col], rows, ids)
    rows = plan.get("bad_enum", np.zeros(0, int))
    if len(rows) and enum_col:
        cols[enum_col] = _replace_rows(cols[enum_col], rows, [enum_value] * len(rows))

    n = len(next(iter(cols.values())))
    copies = np.ones(n, dtype=np.int64)
    copies[plan.get("duplicate", np.zeros(0, int))] = 2
    last_pos = np.cumsum(copies)  # 1-based position of the last copy of each original row
    first_pos = last_pos - copies + 1
    defects = []
    for kind, kind_rows in plan.items():
        positions = last_pos[kind_rows] if kind == "duplicate" else first_pos[kind_rows]
        defects += [{"row": int(r), "kind": kind} for r in positions]
    defects.sort(key=lambda d: d["row"])
    if (copies > 1).any():
        order = pa.array(np.repeat(np.arange(n), copies))
        cols = {k: v.take(order) for k, v in cols.items()}
    return cols, defects


# --------------------------------------------------------------------------------------------
# Writers


ENCODINGS = ("utf-8", "utf-8-sig", "gb18030")


def _csv_safe(col: pa.Array) -> pa.Array:
    needs_quotes = pc.match_substring_regex(col, '[,"\r\n]')
    if not pc.any(needs_quotes).as_py():
        return col
    quoted = concat_text('"', pc.replace_substring(col, '"', '""'), '"')
    return pc.if_else(needs_quotes, quoted, col)


def _join_lines(texts: list[pa.Array], newline: str) -> bytes:
    lines = pc.binary_join_element_wise(*texts, ",")
    one_list = pa.ListArray.from_arrays(pa.array([0, len(lines)], pa.int32()), lines)
    return pc.binary_join(one_list, newline)[0].as_buffer().to_pybytes() + newline.encode()


CSV_CHUNK = 200_000  # rows rendered at a time, to keep memory modest at province scale


def _csv_chunk(texts: list[pa.Array], newline: str) -> bytes:
    """Quoting is rarely needed: counting separators over the joined chunk is one fast pass,
    and only if a field holds a comma, quote or line break are the columns quoted one by one."""
    n = len(texts[0])
    body = _join_lines(texts, newline)
    clean = (
        body.count(b",") == n * (len(texts) - 1)
        and body.count(b'"') == 0
        and body.count(b"\n") == n
        and body.count(b"\r") == (n if newline == "\r\n" else 0)
    )
    return body if clean else _join_lines([_csv_safe(c) for c in texts], newline)


def write_csv(
    path: Path, source: str, cols: dict[str, pa.Array], encoding: str, newline: str
) -> int:
    """Write columns in mapping order with their Chinese headers; returns data rows written."""
    specs = columns(source)
    texts = [pc.fill_null(cols[spec.name], "") for spec in specs]
    n = len(texts[0])
    header = ",".join(spec.header for spec in specs) + newline
    with path.open("wb") as fh:
        fh.write(header.encode(encoding))  # utf-8-sig: the BOM goes before the header only
        for offset in range(0, n, CSV_CHUNK):
            body = _csv_chunk([t.slice(offset, CSV_CHUNK) for t in texts], newline)
            fh.write(body if encoding.startswith("utf-8") else body.decode().encode(encoding))
    return n


def _excel_value(value: object, col_type: str, dates_as_text: bool) -> object:
    """Typed cells, as a real export would hold them; unparseable text stays text."""
    if value is None or value == "":
        return None
    if col_type == "date" and isinstance(value, str):
        try:
            parsed = date.fromisoformat(value)
        except ValueError:
            return value
        return value if dates_as_text else parsed
    if col_type == "date" and isinstance(value, date):
        return value.isoformat() if dates_as_text else value
    if col_type in ("int", "decimal") and isinstance(value, str):
        try:
            number = float(value)
        except ValueError:
            return value
        return int(number) if number.is_integer() else number
    return value


EXCEL_EPOCH = date(1899, 12, 30)


def _cell_xml(ref: str, value: object, date_style: str) -> str:
    """One cell as openpyxl's write-only mode writes it (inline strings, typed numbers)."""
    if isinstance(value, str):
        space = ' xml:space="preserve"' if value != value.strip() else ""
        return f'<c r="{ref}" t="inlineStr"><is><t{space}>{xml_escape(value)}</t></is></c>'
    if isinstance(value, date):
        return f'<c r="{ref}" s="{date_style}"><v>{(value - EXCEL_EPOCH).days}</v></c>'
    if isinstance(value, bool):
        return f'<c r="{ref}" t="b"><v>{int(value)}</v></c>'
    return f'<c r="{ref}" t="n"><v>{value!r}</v></c>'


def write_xlsx(
    path: Path,
    source: str,
    title: str,
    sheet: str,
    rows: Iterable[Sequence[object]],
    dates_as_text: bool,
) -> int:
    """A title row, the header row, then data; rows are in mapping column order.

    openpyxl builds the package (styles, workbook, title and header rows) but the data rows
    are rendered here: openpyxl spends ~25 µs a cell, which made county-scale spreadsheets
    the slowest part of generation."""
    specs = columns(source)
    wb = Workbook(write_only=True)
    wb.properties.creator = "townperf"
    wb.properties.created = FIXED_STAMP
    ws = wb.create_sheet(sheet)
    ws.append([title])
    ws.append([spec.header for spec in specs])
    ws.append([EXCEL_EPOCH])  # a sample date cell, so the workbook holds a date style
    buf = io.BytesIO()
    wb.save(buf)
    template = buf.getvalue()
    sheet_xml = zipfile.ZipFile(io.BytesIO(template)).read("xl/worksheets/sheet1.xml").decode()
    sample = re.search(r'<row r="3">.*?</row>', sheet_xml).group(0)
    date_style = re.search(r' s="(\d+)"', sample).group(1)

    types = [spec.type for spec in specs]
    letters = [get_column_letter(i + 1) for i in range(len(specs))]
    body: list[str] = []
    for r, row in enumerate(rows, start=3):
        cells = []
        for letter, value, col_type in zip(letters, row, types, strict=True):
            value = _excel_value(value, col_type, dates_as_text)
            if value is not None:
                cells.append(_cell_xml(f"{letter}{r}", value, date_style))
        body.append(f'<row r="{r}">{"".join(cells)}</row>')
    dimension = f"A1:{letters[-1]}{len(body) + 2}"
    path.write_bytes(_repack(template, dimension, "".join(body)))
    return len(body)


def _repack(data: bytes, dimension: str, rows_xml: str) -> bytes:
    """Put the data rows in place of the sample row, and make the bytes reproducible.

    openpyxl stamps the save time into docProps/core.xml and every zip member; both are
    pinned. Write-only sheets also lack the <dimension> that readers use to size rows
    (without it, openpyxl's read-only mode drops trailing empty cells), so add it as Excel
    would."""
    src = zipfile.ZipFile(io.BytesIO(data))
    out = io.BytesIO()
    stamp = FIXED_STAMP.strftime("%Y-%m-%dT%H:%M:%SZ").encode()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as dst:
        for info in src.infolist():
            content = src.read(info.filename)
            if info.filename == "docProps/core.xml":
                content = re.sub(
                    rb"(<dcterms:modified[^>]*>)[^<]*(</dcterms:modified>)",
                    rb"\g<1>" + stamp + rb"\g<2>",
                    content,
                )
            if info.filename.startswith("xl/worksheets/sheet"):
                xml = content.decode("utf-8")
                xml = re.sub(r'<row r="3">.*?</row>', lambda _: rows_xml, xml, count=1)
                xml = xml.replace("<sheetViews>", f'<dimension ref="{dimension}"/><sheetViews>', 1)
                content = xml.encode("utf-8")
            member = zipfile.ZipInfo(info.filename, date_time=ZIP_STAMP)
            member.compress_type = zipfile.ZIP_DEFLATED
            member.external_attr = 0o644 << 16
            dst.writestr(member, content)
    return out.getvalue()


def table_rows(cols: dict[str, pa.Array], source: str) -> list[list[object]]:
    """Row lists in mapping order, for the small sources written as XLSX."""
    names = [spec.name for spec in columns(source)]
    lists = [cols[name].to_pylist() for name in names]
    return [list(row) for row in zip(*lists, strict=True)]
