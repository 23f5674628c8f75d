"""Ingest export files into the `raw` schema, accounting for every row read.

For each file: rows read = rows loaded + rows quarantined. A file that cannot be read at all
is refused whole with one message; a file already loaded (same content hash) is skipped.
"""

from __future__ import annotations

import contextlib
import hashlib
import itertools
import multiprocessing
import os
import uuid
from collections import deque
from collections.abc import Callable, Collection, Iterable
from concurrent.futures import Executor, Future, ProcessPoolExecutor, ThreadPoolExecutor
from dataclasses import asdict, dataclass, field, replace
from datetime import datetime
from pathlib import Path

import duckdb
import numpy as np
import pandas as pd
import pyarrow as pa

from ingest import load
from ingest.expectations import adopt, prefetch, start_run, validate
from ingest.mapping import (
    closest_headers,
    detect_source,
    home_mappings,
    home_mappings_dir,
    mappings,
)
from ingest.parse import parse_frame, thread_duckdb
from ingest.readers import UnreadableFile, read_file


@dataclass
class FileResult:
    file: str
    status: str  # loaded / skipped / refused
    source: str | None = None
    rows_read: int = 0
    rows_loaded: int = 0
    rows_quarantined: int = 0
    message: str = ""
    warnings: list[str] = field(default_factory=list)
    reasons: dict[str, list[int]] = field(default_factory=dict)  # reason -> data-row numbers
    sha256: str = ""

    def as_dict(self) -> dict:
        return asdict(self)


def file_sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as fh:
        for chunk in iter(lambda: fh.read(1 << 20), b""):
            digest.update(chunk)
    return digest.hexdigest()


def _duplicate_reasons(text: pd.DataFrame) -> pd.Series:
    """An exact copy of an earlier row in the same file is quarantined, naming the original.

    DuckDB hashes the rows (several times faster than pandas on text columns); only rows whose
    hash repeats are compared cell by cell, so a hash collision is never called a duplicate."""
    reasons = pd.Series("", index=text.index, dtype=object)
    if text.empty:
        return reasons
    cols = ", ".join(f'"{c}"' for c in text.columns)
    rows = pa.Table.from_pandas(text, preserve_index=False).append_column(
        "_pos", pa.array(np.arange(len(text), dtype=np.int64))
    )
    con = thread_duckdb()
    con.register("file_rows", rows)
    try:
        found = con.execute(
            f"""
            with hashed as (select _pos, hash({cols}) as h from file_rows),
            repeated as (
                select _pos from hashed
                where h in (select h from hashed group by h having count(*) > 1)
            ),
            candidates as (select * from file_rows semi join repeated using (_pos))
            select _pos, first_pos from (
                select _pos, min(_pos) over (partition by {cols}) as first_pos from candidates
            )
            where first_pos <> _pos
            """
        ).fetchnumpy()
    finally:
        con.unregister("file_rows")
    if len(found["_pos"]):
        at = text.index[found["_pos"]]
        first = pd.Series(np.asarray(found["first_pos"]) + 1, index=at)
        reasons[at] = "exact duplicate of data row " + first.astype(str)
    return reasons


def _header_problem(headers: list[str], match) -> str:
    parts = []
    if match.missing_required:
        parts.append(
            "missing required column(s) "
            + ", ".join(
                f"{c} ({match.mapping.columns[c].aliases[0]})"
                if match.mapping.columns[c].aliases
                else c
                for c in match.missing_required
            )
        )
    for header in match.unknown:
        near = closest_headers(header, match.mapping)
        hint = f" (closest known: {', '.join(near)})" if near else ""
        parts.append(f"unknown header '{header}'{hint}")
    return "; ".join(parts)


@dataclass
class _Prepared:
    """A readable file, typed and checked for parse errors, waiting for its source's suite."""

    path: Path
    result: FileResult
    load_id: str
    table: object
    mapping: object
    typed: pd.DataFrame
    reasons: pd.Series
    checks: list[dict] | None = None  # validated already, by the reader (`_read_and_type`)
    shipped: tuple | None = None  # that validation's result, for the Data Docs
    # once validated, only what is written: the good rows typed, the bad rows' text
    trimmed: bool = False


@dataclass
class _Read:
    """What a reader made of one file, before anything is written to the warehouse: a
    _Prepared, or a FileResult already refused (its `encoding` for the load log), or nothing
    read (a file loaded before: `result.sha256` is known)."""

    result: FileResult
    prepared: _Prepared | None = None
    encoding: str | None = None


def _read_and_type(
    path: Path, source: str | None, loaded: Collection[str], validate_rows: int | None = None
) -> _Read:
    """Hash, read, map and type one file. Touches no database, so several files are read at
    once on reader processes or threads (`_reader_pool`) while the main thread validates and
    writes the ones before. A file whose content is in `loaded` is hashed, not read.

    A file of at least `validate_rows` rows is also validated here: its suite would run on
    its own anyway (`BATCH_ROWS`), and on a reader process it runs beside the main process's
    writing instead of before it."""
    path = Path(path)
    result = FileResult(file=path.name, status="refused")
    if not path.is_file():
        result.message = "no such file"
        return _Read(result)
    if source is not None and source not in mappings():
        result.message = f"unknown source '{source}' (known: {', '.join(mappings())})"
        return _Read(result)
    result.sha256 = file_sha256(path)
    if result.sha256 in loaded:
        return _Read(result)
    try:
        table = read_file(path)
    except UnreadableFile as exc:
        result.message = str(exc)
        return _Read(result)
    match = detect_source(table.headers, source)
    result.source = match.mapping.source
    if match.score == 0:
        result.source = None
        result.message = (
            "no header matches a known source (headers: "
            + ", ".join(map(str, table.headers))
            + f"); add aliases in {home_mappings_dir() / '<source>.toml'} or pass --source"
        )
        return _Read(result, encoding=table.encoding)
    if match.missing_required:
        problem = _header_problem(table.headers, match)
        own = home_mappings_dir() / f"{match.mapping.source}.toml"
        result.message = (
            f"headers do not match source '{match.mapping.source}': {problem} "
            f"(your system's name for a column can be added to its aliases in {own})"
        )
        return _Read(result, encoding=table.encoding)
    if match.unknown:
        result.warnings.append(_header_problem(table.headers, match) + " — column ignored")
    result.rows_read = len(table.data)
    text = table.data[[str(pos) for pos in match.columns]]
    text.columns = list(match.columns.values())
    typed, reasons = parse_frame(text, match.mapping)
    dup = _duplicate_reasons(table.data)
    reasons = reasons.where(dup == "", dup)
    prepared = _Prepared(path, result, "", table, match.mapping, typed, reasons)
    if validate_rows is not None and len(typed) >= validate_rows:
        clean = typed[reasons == ""]
        outcome = validate(clean, match.mapping, ship=True)
        prepared.reasons.loc[clean.index] = outcome.reasons.to_numpy()
        prepared.checks = _file_checks(prepared.reasons, outcome.checks)
        prepared.shipped = outcome.shipped
        _trim(prepared)
    return _Read(result, prepared, encoding=table.encoding)


def _trim(prepared: _Prepared) -> None:
    """Keep of a validated file only what `_write` writes: its good rows typed, its bad rows'
    text for the quarantine. A reader process trims before it pickles what it returns: the
    whole file's text beside its typed rows was half of that (147 MB for a file of 460,000
    rows), sent for a few hundred quarantined rows."""
    bad = prepared.reasons != ""
    prepared.typed = prepared.typed[~bad]
    prepared.table = replace(prepared.table, data=prepared.table.data[bad])
    prepared.trimmed = True


def _read_at_home(
    path: Path,
    source: str | None,
    loaded: Collection[str],
    home: Path,
    validate_rows: int | None = None,
) -> _Read:
    """`_read_and_type` with the town's own aliases of `home` (a reader process does not
    inherit the caller's `home_mappings` block)."""
    with home_mappings(home):
        return _read_and_type(path, source, loaded, validate_rows)


def _reader_pool(files: list[Path]) -> Executor:
    """Reader processes when there is enough to read to pay their start (about a second of
    imports): reading and typing are CPU work that threads would mostly serialise on the GIL.
    A small ingest (a daily refresh) reads on threads instead."""
    size = sum(f.stat().st_size for f in files if f.is_file())
    if len(files) > 1 and size >= PROCESS_READ_BYTES and (os.cpu_count() or 1) > 1:
        return ProcessPoolExecutor(READERS, mp_context=multiprocessing.get_context("spawn"))
    return ThreadPoolExecutor(READERS, thread_name_prefix="ingest-read")


def _admit(
    con: duckdb.DuckDBPyConnection,
    read: _Read,
    path: Path,
    loaded: dict[str, tuple[str, str]],
    seen: dict[str, str],
) -> FileResult | _Prepared:
    """In file order on the main thread: skip a file already loaded (in an earlier ingest,
    `loaded`, or earlier in this run, `seen`), log a refused one; a FileResult when the file
    is finished."""
    result = read.result
    if not result.sha256:  # refused before hashing (no such file, unknown --source)
        return result
    earlier = loaded.get(result.sha256)
    if earlier or result.sha256 in seen:
        name, when = earlier or (seen[result.sha256], "in this run")
        skipped = FileResult(file=result.file, status="skipped", sha256=result.sha256)
        skipped.message = f"already loaded as {name} {'on ' if earlier else ''}{when}"
        return skipped
    seen[result.sha256] = Path(path).name
    load_id = uuid.uuid4().hex
    if read.prepared is None:
        _log(con, load_id, Path(path), result, encoding=read.encoding)
        return result
    read.prepared.load_id = load_id
    return read.prepared


def _validate_batch(batch: list[_Prepared]) -> list[list[dict]]:
    """One run of the source's suite over the clean rows of several files: the suite's fixed
    cost is paid once per batch, not once per file. Returns each file's check results."""
    mapping = batch[0].mapping
    clean_parts = [p.typed[p.reasons == ""] for p in batch]
    combined = pd.concat(clean_parts, ignore_index=True)
    outcome = validate(combined, mapping)
    offset = 0
    for prepared, part in zip(batch, clean_parts, strict=True):
        own = outcome.reasons.iloc[offset : offset + len(part)]
        prepared.reasons.loc[part.index] = own.to_numpy()
        offset += len(part)
    return [_file_checks(prepared.reasons, outcome.checks) for prepared in batch]


def _file_checks(reasons: pd.Series, checks: list[dict]) -> list[dict]:
    """A suite's checks as one file's: how many of its rows each rule quarantined."""
    failing = reasons[reasons != ""]
    own = []
    for check in checks:
        hits = failing.str.contains(check["message"], regex=False)
        own.append(
            {
                **check,
                "unexpected_count": int(hits.sum()) if check["message"] else 0,
                "success": not hits.any(),
            }
        )
    return own


def _write(con: duckdb.DuckDBPyConnection, prepared: _Prepared, checks: list[dict]) -> FileResult:
    result, reasons, path = prepared.result, prepared.reasons, prepared.path
    bad = reasons != ""
    if not prepared.trimmed:  # validated here, in a batch: its reader could not trim it
        _trim(prepared)
    good = prepared.typed
    seq = load.next_load_seq(con)
    good["_load_id"] = prepared.load_id
    good["_load_seq"] = seq
    good["_file"] = path.name
    good["_row"] = (good.index + 1).astype("int32")
    load.insert_rows(con, good, prepared.mapping)
    load.insert_quarantine(
        con,
        prepared.load_id,
        path.name,
        prepared.mapping.source,
        prepared.table.headers,
        prepared.table.data,
        reasons[bad],
        prepared.table.header_line,
    )
    load.insert_checks(con, prepared.load_id, path.name, prepared.mapping.source, checks)
    result.status = "loaded"
    result.rows_loaded = int((~bad).sum())
    result.rows_quarantined = int(bad.sum())
    for row, reason in reasons[bad].items():
        result.reasons.setdefault(reason, []).append(int(row) + 1)
    _log(con, prepared.load_id, path, result, encoding=prepared.table.encoding, seq=seq)
    return result


def _log(con, load_id: str, path: Path, result: FileResult, encoding: str | None, seq=None) -> None:
    load.insert_load(
        con,
        {
            "load_id": load_id,
            "load_seq": seq if seq is not None else load.next_load_seq(con),
            "file_name": path.name,
            "file_path": str(path.resolve()),
            "sha256": result.sha256,
            "source": result.source,
            "encoding": encoding,
            "status": result.status,
            "message": result.message or "; ".join(result.warnings),
            "rows_read": result.rows_read,
            "rows_loaded": result.rows_loaded,
            "rows_quarantined": result.rows_quarantined,
            "loaded_at": datetime.now(),
        },
    )


def expand_paths(paths: Iterable[Path]) -> list[Path]:
    """Directories stand for the export files inside them, in name order."""
    files: list[Path] = []
    for path in map(Path, paths):
        if path.is_dir():
            files += sorted(
                p for p in path.iterdir() if p.suffix.lower() in (".csv", ".xlsx", ".xls", ".txt")
            )
        else:
            files.append(path)
    return files


BATCH_ROWS = 300_000
READERS = 2  # files read and typed at once, ahead of the one being validated and written
PROCESS_READ_BYTES = 16 << 20  # from this much to read, the readers are processes


def ingest_paths(
    con: duckdb.DuckDBPyConnection,
    paths: Iterable[Path],
    source: str | None = None,
    on_file: Callable[[FileResult], None] | None = None,
) -> list[FileResult]:
    """Ingest files in name order; per source, files are validated in batches of rows.

    Starts a new validation run: `ingest.expectations.publish_docs` afterwards documents the
    validations of this call only. A town's own aliases are read from `mappings/` in the folder
    of the warehouse written to (the data home), or, for an in-memory database, from the home of
    the environment."""
    home = _warehouse_home(con)
    with home_mappings(home) if home else contextlib.nullcontext():
        return _ingest_paths(con, paths, source, on_file)


def _warehouse_home(con: duckdb.DuckDBPyConnection) -> Path | None:
    rows = con.execute(
        "select path from duckdb_databases() where database_name = current_database()"
    ).fetchall()
    return Path(rows[0][0]).parent if rows and rows[0][0] else None


def _ingest_paths(
    con: duckdb.DuckDBPyConnection,
    paths: Iterable[Path],
    source: str | None,
    on_file: Callable[[FileResult], None] | None,
) -> list[FileResult]:
    start_run()
    load.ensure_schema(con)
    files = expand_paths(paths)
    if files:
        prefetch()
    results: dict[int, FileResult] = {}
    pending: dict[str, list[tuple[int, _Prepared]]] = {}
    seen: dict[str, str] = {}

    def done(position: int, result: FileResult) -> None:
        results[position] = result
        if on_file:
            on_file(result)

    def flush(name: str) -> None:
        batch = pending.pop(name, [])
        if not batch:
            return
        checks = _validate_batch([p for _, p in batch])
        for (position, prepared), file_checks in zip(batch, checks, strict=True):
            done(position, _write(con, prepared, file_checks))

    loaded = load.earlier_loads(con)
    hashes = frozenset(loaded)  # what a reader needs of it, sent with every file
    home = home_mappings_dir().parent
    with _reader_pool(files) as pool:
        ahead: deque[Future[_Read]] = deque()
        upcoming = iter(files)
        # reader processes validate the files that make a batch alone; threads would hold the GIL
        validate_rows = BATCH_ROWS if isinstance(pool, ProcessPoolExecutor) else None

        def read_ahead() -> None:
            # a bounded look-ahead: each file read is held in memory until it is written
            for path in itertools.islice(upcoming, READERS + 1 - len(ahead)):
                ahead.append(pool.submit(_read_at_home, path, source, hashes, home, validate_rows))

        read_ahead()
        for position, path in enumerate(files):
            outcome = _admit(con, ahead.popleft().result(), path, loaded, seen)
            read_ahead()
            if isinstance(outcome, FileResult):
                done(position, outcome)
                continue
            if outcome.checks is not None:  # validated by its reader
                flush(outcome.mapping.source)  # the source's earlier files are written first
                if outcome.shipped is not None:
                    adopt(outcome.shipped, outcome.mapping)
                done(position, _write(con, outcome, outcome.checks))
                continue
            queue = pending.setdefault(outcome.mapping.source, [])
            queue.append((position, outcome))
            if sum(len(p.typed) for _, p in queue) >= BATCH_ROWS:
                flush(outcome.mapping.source)
    for name in list(pending):
        flush(name)
    return [results[i] for i in range(len(files))]


def ingest_file(
    con: duckdb.DuckDBPyConnection, path: Path, source: str | None = None
) -> FileResult:
    return ingest_paths(con, [path], source)[0]
