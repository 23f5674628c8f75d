"""Realistic, deterministic synthetic exports for one town, a county or a province.

The files look like what a township's systems actually hand over: Chinese headers, mixed
encodings and date styles, title rows in spreadsheets, overlapping exports and a known share of
defective rows. The manifest says exactly what was written and where each defect sits, so the
ingest can be tested against it.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from datetime import date, timedelta
from pathlib import Path

import pyarrow as pa

from townperf.generate_base import (
    ENCODINGS,
    Period,
    WorkCalendar,
    day_number,
    make_rng,
    periods,
    table_rows,
    to_date,
    write_csv,
    write_xlsx,
)
from townperf.generate_records import (
    Batch,
    Context,
    approvals_file,
    approvals_new,
    cases_file,
    cases_new,
    load_matters,
    overlapping,
    tasks_file,
    tasks_new,
    tickets_file,
    tickets_new,
)
from townperf.generate_results import Results, action_rows, feedback_rows, rating_rows
from townperf.generate_roster import Roster, build_roster, snapshot_rows

SCALE_TOWNS = {"town": 1, "county": 30, "province": 120}
QUARTER_CN = "一二三四"


def _start_date(start: str) -> date:
    year, month = start.split("-")[:2]
    return date(int(year), int(month), 1)


def _add_months(d: date, months: int) -> date:
    m = d.month - 1 + months
    return date(d.year + m // 12, m % 12 + 1, 1)


class _Writer:
    """Writes files and keeps the manifest; cycles encodings and date styles across files the
    way different systems and different clerks would."""

    def __init__(self, out_dir: Path, progress: Callable[[str], None] | None) -> None:
        self.out_dir = out_dir
        self.progress = progress or (lambda _msg: None)
        self.files: dict[str, dict] = {}
        self.csv_count = 0
        self.xlsx_count = 0
        self.per_source: dict[str, int] = {}

    def csv(
        self,
        source: str,
        period: Period,
        make: Callable[[str], tuple[dict[str, pa.Array], list[dict]]],
        carried: int,
    ) -> None:
        encoding = ENCODINGS[self.csv_count % len(ENCODINGS)]
        self.csv_count += 1
        nth = self.per_source.get(source, 0)
        self.per_source[source] = nth + 1
        style = "slash" if nth % 4 == 1 else "iso"
        newline = "\n" if encoding == "utf-8" else "\r\n"
        cols, defects = make(style)
        name = f"{source}_{period.label}.csv"
        rows = write_csv(self.out_dir / name, source, cols, encoding, newline)
        self._record(name, source, period, rows, defects, carried_over=carried, format="csv")
        self.files[name] |= {
            "encoding": encoding,
            "datetime_format": "%Y/%m/%d %H:%M" if style == "slash" else "%Y-%m-%d %H:%M:%S",
            "date_format": "%Y/%m/%d" if style == "slash" else "%Y-%m-%d",
            "header_row": 1,
        }

    def xlsx(
        self,
        source: str,
        period: Period,
        title: str,
        sheet: str,
        rows: list[list[object]],
        defects: list[dict] | None = None,
        carried: int = 0,
    ) -> None:
        dates_as_text = self.xlsx_count % 3 == 2
        self.xlsx_count += 1
        name = f"{source}_{period.label}.xlsx"
        n = write_xlsx(self.out_dir / name, source, title, sheet, rows, dates_as_text)
        self._record(name, source, period, n, defects or [], carried_over=carried, format="xlsx")
        self.files[name] |= {
            "encoding": None,
            "dates": "text" if dates_as_text else "excel",
            "title_row": title,
            "header_row": 2,
        }

    def _record(
        self,
        name: str,
        source: str,
        period: Period,
        rows: int,
        defects: list[dict],
        **extra: object,
    ) -> None:
        self.files[name] = {
            "source": source,
            "period": period.label,
            "rows": rows,
            **extra,
            "defects": defects,
        }
        self.progress(f"{name}: {rows} rows, {len(defects)} defects")


def generate(
    out_dir: Path,
    scale: str = "town",
    seed: int = 42,
    towns: int | None = None,
    start: str = "2024-11",
    months: int = 24,
    defect_rate: float = 0.004,
    progress: Callable[[str], None] | None = None,
) -> dict:
    """Writes export files into out_dir and returns the manifest (also written as
    out_dir/manifest.json)."""
    if scale not in SCALE_TOWNS:
        raise ValueError(f"unknown scale {scale!r}; expected one of {sorted(SCALE_TOWNS)}")
    if months < 1:
        raise ValueError("months must be at least 1")
    out_dir = Path(out_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    n_towns = towns or SCALE_TOWNS[scale]
    first = _start_date(start)
    end = _add_months(first, months)
    quarters = periods("Q", first, end)
    halves = periods("H", first, end)
    years = periods("Y", first, end)

    cal = WorkCalendar(first - timedelta(days=62), end + timedelta(days=400))
    snapshots = [q.last_day for q in quarters if to_date(q.end).month in (1, 4, 7, 10)]
    snapshots = snapshots or [day_number(end) - 1]
    roster = build_roster(seed, n_towns, first, end, snapshots)
    region = "G镇" if n_towns == 1 else f"{n_towns}个镇汇总"
    writer = _Writer(out_dir, progress)
    ctx = Context(roster, cal, defect_rate)
    _write_staff(writer, roster, quarters, snapshots, region)
    _write_records(writer, ctx, seed, quarters, halves)
    _write_tasks(writer, ctx, seed, years, region)
    annual = _write_results(writer, roster, cal, seed, day_number(end), quarters, years, region)
    _write_feedback(writer, annual)

    manifest = {
        "seed": seed,
        "scale": scale,
        "towns": n_towns,
        "start": first.strftime("%Y-%m"),
        "months": months,
        "end": _add_months(first, months - 1).strftime("%Y-%m"),
        "defect_rate": defect_rate,
        "staff_count": len(roster.persons),
        "files": writer.files,
    }
    text = json.dumps(manifest, ensure_ascii=False, indent=2, sort_keys=False)
    (out_dir / "manifest.json").write_text(text + "\n", encoding="utf-8")
    return manifest


def _write_staff(
    writer: _Writer, roster: Roster, quarters: list[Period], snapshots: list[int], region: str
) -> None:
    previous = quarters[0].start - 1
    by_end = {q.last_day: q for q in quarters}
    for as_of in snapshots:
        quarter = by_end.get(as_of) or quarters[-1]
        q = to_date(as_of)
        title = f"{region}{q.year}年第{QUARTER_CN[(q.month - 1) // 3]}季度人员名册"
        rows = snapshot_rows(roster, as_of, previous)
        writer.xlsx("staff", quarter, title, "人员名册", rows)
        previous = as_of


def _carried(batch: Batch, period: Period) -> int:
    return int((batch["day"] < period.start).sum())


def _write_tasks(
    writer: _Writer, ctx: Context, seed: int, years: list[Period], region: str
) -> None:
    def new_tasks(p: Period) -> Batch:
        return tasks_new(ctx, p, make_rng(seed, "tasks", p.label))

    for period, batch in overlapping(years, new_tasks):
        cols, defects = tasks_file(ctx, period, batch, make_rng(seed, "tasks-file", period.label))
        title = f"{region}{period.year}年度重点工作任务清单"
        rows = table_rows(cols, "tasks")
        writer.xlsx("tasks", period, title, "重点工作", rows, defects, _carried(batch, period))


def _write_records(
    writer: _Writer, ctx: Context, seed: int, quarters: list[Period], halves: list[Period]
) -> None:
    """The large sources, as overlapping CSV exports: quarterly, cases half-yearly."""
    matters = load_matters()
    sources = [
        (
            "approvals",
            quarters,
            lambda p, rng: approvals_new(ctx, p, rng, matters),
            lambda p, batch, rng, style: approvals_file(ctx, p, batch, rng, style, matters),
        ),
        (
            "tickets",
            quarters,
            lambda p, rng: tickets_new(ctx, p, rng),
            lambda p, batch, rng, style: tickets_file(ctx, p, batch, rng, style),
        ),
        (
            "cases",
            halves,
            lambda p, rng: cases_new(ctx, p, rng),
            lambda p, batch, rng, style: cases_file(ctx, p, batch, rng, style),
        ),
    ]
    for source, source_periods, new_records, render in sources:

        def new(p: Period, source: str = source, new_records=new_records) -> Batch:
            return new_records(p, make_rng(seed, source, p.label))

        for period, batch in overlapping(source_periods, new):
            rng = make_rng(seed, f"{source}-file", period.label)

            def make(style: str, p=period, b=batch, r=rng, render=render):
                return render(p, b, r, style)

            writer.csv(source, period, make, _carried(batch, period))


def _write_results(
    writer: _Writer,
    roster: Roster,
    cal: WorkCalendar,
    seed: int,
    export_day: int,
    quarters: list[Period],
    years: list[Period],
    region: str,
) -> list[tuple[Period, list[list[object]]]]:
    """Ratings and decisions exist only for whole periods; annual results for year Y are decided
    early in Y+1, so they appear only when the window reaches that far."""
    res = Results(roster, cal, seed, export_day)
    annual_all = []
    for year in years:
        assessed = [q for q in quarters if q.full and q.year == year.year]
        if year.full and export_day > year.end + 31:
            assessed.append(year)
        if not assessed:
            continue
        ratings = rating_rows(res, assessed)
        writer.xlsx("ratings", year, f"{region}{year.year}年度定性评价汇总表", "定性评价", ratings)
        actions, annual = action_rows(res, assessed)
        title = f"{region}{year.year}年度考核结果运用台账"
        writer.xlsx("actions", year, title, "结果运用", actions)
        if len(annual):
            annual_all.append((year, annual))
    return [(year, feedback_rows(res, annual)) for year, annual in annual_all]


def _write_feedback(writer: _Writer, annual: list[tuple[Period, list[list[object]]]]) -> None:
    for year, rows in annual:
        writer.csv("feedback", year, lambda style, rows=rows: _feedback_columns(rows, style), 0)


def _feedback_columns(rows: list[list[object]], style: str) -> tuple[dict[str, pa.Array], list]:
    fmt = "%Y/%m/%d" if style == "slash" else "%Y-%m-%d"
    names = ["period", "staff_id", "kind", "held_on", "resolved_on", "outcome"]
    values: dict[str, list] = {name: [] for name in names}
    for row in rows:
        for name, value in zip(names, row, strict=True):
            values[name].append(value.strftime(fmt) if isinstance(value, date) else value)
    cols = {name: pa.array(v, pa.string()) for name, v in values.items()}
    return cols, []
