"""The steps `townperf bench` times, each run in a fresh child process of its own.

A fresh process per step gives each step its own peak RSS (`ru_maxrss` of that process) and the
start-up a person running the command would pay (imports of great-expectations and dbt included),
and keeps one step's caches from flattering the next. `run_step` is the only entry point the
orchestrator uses; the step functions return plain dicts that cross the process boundary.
"""

from __future__ import annotations

import codecs
import importlib
import multiprocessing
import os
import resource
import threading
import time
import traceback
from collections.abc import Callable
from pathlib import Path

STEP_ENV = {"DO_NOT_TRACK": "1", "GX_ANALYTICS_ENABLED": "False", "TQDM_DISABLE": "1"}


class StepFailed(Exception):
    """A step raised in its child process; the message carries the child's traceback."""


def _child(target: str, kwargs: dict, conn) -> None:
    os.environ.update(STEP_ENV)
    try:
        module, name = target.rsplit(".", 1)
        fn = getattr(importlib.import_module(module), name)
        result = fn(**kwargs)
        result["peak_rss_mb"] = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
        conn.send(("ok", result))
    except BaseException:
        conn.send(("error", traceback.format_exc()))
    finally:
        conn.close()


def run_step(step: str, **kwargs) -> dict:
    """Run `module.function(**kwargs)` in a spawned process; its dict, plus `peak_rss_mb` (the
    child's peak resident memory) and `process_s` (the child's whole life, start-up included)."""
    ctx = multiprocessing.get_context("spawn")
    parent, child = ctx.Pipe(duplex=False)
    start = time.perf_counter()
    proc = ctx.Process(target=_child, args=(step, kwargs, child), daemon=False)
    proc.start()
    child.close()
    try:
        status, payload = parent.recv()
    except EOFError as exc:
        proc.join()
        raise StepFailed(f"{step}: child process died (exit code {proc.exitcode})") from exc
    proc.join()
    if status != "ok":
        raise StepFailed(f"{step} failed:\n{payload}")
    payload["process_s"] = time.perf_counter() - start
    return payload


class StagePeaks:
    """Samples the RSS of this process and its children (the ingest's reader processes) in a
    thread and keeps the peak of each named stage."""

    def __init__(self, interval: float = 0.05) -> None:
        import psutil

        self.proc = psutil.Process()
        self.interval = interval
        self.stage = "start"
        self.peaks: dict[str, float] = {}
        self.times: dict[str, float] = {}
        self._began = time.perf_counter()
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)

    def __enter__(self) -> StagePeaks:
        self._thread.start()
        return self

    def __exit__(self, *exc) -> None:
        self._sample()
        self._stop.set()
        self._thread.join()

    def enter(self, stage: str) -> None:
        self._sample()
        self.stage = stage
        self.times[stage] = time.perf_counter() - self._began

    def _sample(self) -> None:
        from townperf.bench_load import tree_rss_mb

        rss = tree_rss_mb(self.proc.pid)
        self.peaks[self.stage] = max(self.peaks.get(self.stage, 0.0), rss)

    def _run(self) -> None:
        while not self._stop.wait(self.interval):
            self._sample()


# -- steps ------------------------------------------------------------------------------------


def generate_step(out_dir: str, scale: str, seed: int, towns: int | None, months: int) -> dict:
    from townperf.generate import generate

    start = time.perf_counter()
    manifest = generate(Path(out_dir), scale=scale, seed=seed, towns=towns, months=months)
    seconds = time.perf_counter() - start
    files = manifest["files"]
    rows_by_source: dict[str, int] = {}
    for info in files.values():
        rows_by_source[info["source"]] = rows_by_source.get(info["source"], 0) + info["rows"]
    return {
        "seconds": seconds,
        "files": len(files),
        "events": sum(rows_by_source.values()),
        "rows_by_source": rows_by_source,
        "staff": manifest["staff_count"],
        "towns": manifest["towns"],
        "bytes": sum((Path(out_dir) / name).stat().st_size for name in files),
    }


def floor_step(files_dir: str, work_dir: str) -> dict:
    """The floor: DuckDB reading the same exports into tables, no mapping and no validation.

    CSV: `read_csv` (all_varchar) of each source's files into one table; the GB18030 files are
    first transcoded to UTF-8 (DuckDB 2.0 reads only UTF-8/UTF-16/Latin-1), and that is timed
    too. XLSX: calamine into Arrow into DuckDB, from the header row the manifest names.
    """
    import json

    import duckdb
    import pyarrow as pa
    from python_calamine import CalamineWorkbook

    files_path, work = Path(files_dir), Path(work_dir)
    work.mkdir(parents=True, exist_ok=True)
    manifest = json.loads((files_path / "manifest.json").read_text(encoding="utf-8"))
    db_path = work / "floor.duckdb"
    db_path.unlink(missing_ok=True)
    start = time.perf_counter()
    transcode_s = 0.0
    csv_by_source: dict[str, list[str]] = {}
    xlsx: list[tuple[str, str, int]] = []
    for name, info in manifest["files"].items():
        path = files_path / name
        if info["format"] == "xlsx":
            xlsx.append((info["source"], str(path), info.get("header_row", 1)))
            continue
        if info.get("encoding") == "gb18030":
            t0 = time.perf_counter()
            path = _transcode(path, work / f"{name}.utf8.csv")
            transcode_s += time.perf_counter() - t0
        csv_by_source.setdefault(info["source"], []).append(str(path))
    con = duckdb.connect(str(db_path), config={"autoinstall_known_extensions": False})
    con.execute("set enable_progress_bar = false")
    rows = 0
    t0 = time.perf_counter()
    for source, paths in csv_by_source.items():
        listed = ", ".join("'" + p.replace("'", "''") + "'" for p in paths)
        con.execute(
            f"create table csv_{source} as select * from read_csv([{listed}], "
            "all_varchar = true, header = true, union_by_name = true)"
        )
        rows += con.execute(f"select count(*) from csv_{source}").fetchall()[0][0]
    read_csv_s = time.perf_counter() - t0
    t0 = time.perf_counter()
    for i, (source, path, header_row) in enumerate(xlsx):
        cells = CalamineWorkbook.from_path(path).get_sheet_by_index(0).to_python()
        header = [str(h) for h in cells[header_row - 1]]
        body = cells[header_row:]
        columns = {
            f"c{j}_{h}": pa.array(
                [None if r[j] in (None, "") else str(r[j]) for r in body], pa.string()
            )
            for j, h in enumerate(header)
        }
        table = pa.table(columns)
        con.register("sheet", table)
        con.execute(f"create table xlsx_{i}_{source} as select * from sheet")
        con.unregister("sheet")
        rows += table.num_rows
    xlsx_s = time.perf_counter() - t0
    con.close()
    seconds = time.perf_counter() - start
    for leftover in work.glob("*.utf8.csv"):
        leftover.unlink()
    return {
        "seconds": seconds,
        "transcode_s": transcode_s,
        "read_csv_s": read_csv_s,
        "xlsx_s": xlsx_s,
        "rows": rows,
        "db_bytes": db_path.stat().st_size,
    }


def _transcode(src: Path, dst: Path) -> Path:
    decoder = codecs.getincrementaldecoder("gb18030")()
    with src.open("rb") as fin, dst.open("w", encoding="utf-8", newline="") as fout:
        for chunk in iter(lambda: fin.read(1 << 22), b""):
            fout.write(decoder.decode(chunk))
        fout.write(decoder.decode(b"", final=True))
    return dst


def refresh_step(home: str) -> dict:
    """`townperf refresh` on a home whose inbox holds the files; stage times and peaks."""
    from townperf import pipeline
    from townperf.settings import get_settings

    settings = get_settings(home)
    with StagePeaks() as peaks:
        start = time.perf_counter()
        report = pipeline.refresh(settings, on_stage=lambda stage, _total: peaks.enter(stage))
        seconds = time.perf_counter() - start
        peaks.enter("done")
    if report.status != "success":
        raise RuntimeError(f"refresh {report.status}: {report.error or report.problems}")
    marks = dict(peaks.times)
    ingest_s = _span(marks, "ingest", "build")
    build_s = _span(marks, "build", "swap")
    return {
        "seconds": seconds,
        "ingest_s": ingest_s,
        "build_s": build_s,
        "swap_s": _span(marks, "swap", "archive"),
        "archive_s": _span(marks, "archive", "done"),
        "before_ingest_s": marks.get("ingest", 0.0),
        "stage_peak_rss_mb": {k: v for k, v in peaks.peaks.items() if k != "start"},
        "files_loaded": report.files_loaded,
        "rows_read": report.rows_read,
        "rows_loaded": report.rows_loaded,
        "rows_quarantined": report.rows_quarantined,
        "rows_by_source": report.rows_by_source,
        "dbt_nodes": report.dbt_nodes,
        "warehouse_bytes": settings.warehouse_path.stat().st_size,
    }


def _span(marks: dict[str, float], first: str, then: str) -> float | None:
    if first not in marks or then not in marks:
        return None
    return marks[then] - marks[first]


def build_step(home: str) -> dict:
    """`townperf build`: one dbt build into a copy of the warehouse, swapped in."""
    from townperf import pipeline
    from townperf.settings import get_settings

    settings = get_settings(home)
    start = time.perf_counter()
    outcome = pipeline.build(settings)
    return {"seconds": time.perf_counter() - start, "nodes": outcome.nodes}


# -- one more day of exports, for the incremental refresh --------------------------------------

DAILY_SOURCES = {"approvals": "received_at", "tickets": "created_at", "cases": "filed_at"}


def day_files_step(files_dir: str, inbox: str, tag: str = "daily") -> dict:
    """Write one more day of approvals, tickets and cases into the inbox.

    From each source's newest export, the rows of its last full day are copied to the day after,
    every date and time moved by the same number of days and every record number made new, and
    written as a new UTF-8 export with the same headers: a day's worth of new records.
    """
    import json

    import pandas as pd

    from ingest.mapping import detect_source
    from ingest.parse import parse_frame
    from ingest.readers import read_file

    files_path, out = Path(files_dir), Path(inbox)
    out.mkdir(parents=True, exist_ok=True)
    manifest = json.loads((files_path / "manifest.json").read_text(encoding="utf-8"))
    written: dict[str, int] = {}
    for source, day_column in DAILY_SOURCES.items():
        names = sorted(
            (info["period"], name)
            for name, info in manifest["files"].items()
            if info["source"] == source and info["format"] == "csv"
        )
        if not names:
            continue
        table = read_file(files_path / names[-1][1])
        match = detect_source(table.headers, source)
        text = table.data[[str(pos) for pos in match.columns]]
        text.columns = list(match.columns.values())
        typed, reasons = parse_frame(text, match.mapping)
        ok = (reasons == "") & typed[day_column].notna()
        days = pd.to_datetime(typed.loc[ok, day_column]).dt.normalize()
        counts = days.value_counts().sort_index()
        busy = counts[counts >= 0.5 * counts.quantile(0.9)]
        if busy.empty:
            continue
        last = busy.index[-1]
        rows = typed[ok & (pd.to_datetime(typed[day_column]).dt.normalize() == last)].copy()
        shift = pd.Timedelta(days=1)
        frame = pd.DataFrame(index=rows.index)
        for position, name in match.columns.items():
            column = match.mapping.columns[name]
            header = table.headers[position]
            if column.type in ("date", "datetime"):
                moved = pd.to_datetime(rows[name]) + shift
                fmt = "%Y-%m-%d" if column.type == "date" else "%Y-%m-%d %H:%M:%S"
                frame[header] = moved.dt.strftime(fmt).fillna("")
            else:
                frame[header] = text.loc[rows.index, name]
        key = match.mapping.key[0] if getattr(match.mapping, "key", None) else None
        if key:
            key_header = table.headers[_position(match.columns, key)]
            frame[key_header] = frame[key_header] + f"-{tag}"
        name = f"{source}_{tag}_{(last + shift):%Y%m%d}.csv"
        frame.to_csv(out / name, index=False, encoding="utf-8")
        written[name] = len(frame)
    return {"files": written, "rows": sum(written.values())}


def _position(columns: dict[int, str], name: str) -> int:
    return next(pos for pos, canonical in columns.items() if canonical == name)


# -- the peer engine --------------------------------------------------------------------------


def dbt_subset_step(
    project: str, select: list[str] | None, target: str, db_file: str, command: str = "run"
) -> dict:
    """`dbt run` (or `compile`) of the given models, full refresh (dbt-duckdb on db_file, or
    any project's own profile)."""
    from townperf.bench_postgres import run_models

    env = {"TOWNPERF_DB": db_file} if db_file else {}
    run = run_models(Path(project), select, Path(target), env, command)
    if db_file:
        from townperf.dbt import _release_database

        _release_database()
    return {
        "seconds": run.seconds,
        "success": run.success,
        "model_seconds": run.model_seconds,
        "errors": run.errors,
    }


def call(fn: Callable, *args, **kwargs):
    """Time one call in this process (for the orchestrator's own small steps)."""
    start = time.perf_counter()
    value = fn(*args, **kwargs)
    return value, time.perf_counter() - start
