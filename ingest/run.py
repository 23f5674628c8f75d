"""Ingest export files into the `raw` schema, accounting for every row read.

For each file: rows read = rows loaded + rows quarantined. A file that cannot be read at all
is refused whole with one message; a file already loaded (same content hash) is skipped.
"""

from __future__ import annotations

import contextlib
import hashlib
import uuid
from collections.abc import Callable, Iterable
from dataclasses import asdict, dataclass, field
from datetime import datetime
from pathlib import Path

import duckdb
import pandas as pd

from ingest import load
from ingest.expectations import prefetch, start_run, validate
from ingest.mapping import (
    closest_headers,
    detect_source,
    home_mappings,
    home_mappings_dir,
    mappings,
)
from ingest.parse import parse_frame
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
    """An exact copy of an earlier row in the same file is quarantined, naming the original."""
    row_hash = pd.util.hash_pandas_object(text, index=False)
    dup = row_hash.duplicated(keep="first")
    reasons = pd.Series("", index=text.index, dtype=object)
    if dup.any():
        hashes = row_hash[dup].unique()
        candidates = text[row_hash.isin(hashes)]
        first_of = (
            candidates.reset_index()
            .groupby(list(text.columns), sort=False)["index"]
            .transform("min")
        )
        first_of.index = candidates.index
        # a 64-bit hash collision is not a duplicate: the first identical row must be another
        dup_rows = dup[dup].index
        dup_rows = dup_rows[first_of[dup_rows].to_numpy() != dup_rows.to_numpy()]
        reasons[dup_rows] = "exact duplicate of data row " + (first_of[dup_rows] + 1).astype(str)
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


def _prepare(
    con: duckdb.DuckDBPyConnection, path: Path, source: str | None, seen: dict[str, str]
) -> FileResult | _Prepared:
    """Read, map and type one file; a FileResult when it is already finished (skipped/refused)."""
    path = Path(path)
    result = FileResult(file=path.name, status="refused")
    if not path.is_file():
        result.message = "no such file"
        return result
    if source is not None and source not in mappings():
        result.message = f"unknown source '{source}' (known: {', '.join(mappings())})"
        return result
    result.sha256 = file_sha256(path)
    earlier = load.previous_load(con, result.sha256)
    if earlier or result.sha256 in seen:
        name, when = earlier or (seen[result.sha256], "in this run")
        result.status = "skipped"
        result.message = f"already loaded as {name} {'on ' if earlier else ''}{when}"
        return result
    seen[result.sha256] = path.name
    load_id = uuid.uuid4().hex
    try:
        table = read_file(path)
    except UnreadableFile as exc:
        result.message = str(exc)
        _log(con, load_id, path, result, encoding=None)
        return result
    match = detect_source(table.headers, source)
    result.source = match.mapping.source
    if match.score == 0:
        result.source = None
        result.message = (
            "no header matches a known source (headers: "
            + ", ".join(map(str, table.headers))
            + f"); add aliases in {home_mappings_dir() / '<source>.toml'} or pass --source"
        )
        _log(con, load_id, path, result, encoding=table.encoding)
        return result
    if match.missing_required:
        problem = _header_problem(table.headers, match)
        own = home_mappings_dir() / f"{match.mapping.source}.toml"
        result.message = (
            f"headers do not match source '{match.mapping.source}': {problem} "
            f"(your system's name for a column can be added to its aliases in {own})"
        )
        _log(con, load_id, path, result, encoding=table.encoding)
        return result
    if match.unknown:
        result.warnings.append(_header_problem(table.headers, match) + " — column ignored")
    result.rows_read = len(table.data)
    text = table.data[[str(pos) for pos in match.columns]]
    text.columns = list(match.columns.values())
    typed, reasons = parse_frame(text, match.mapping)
    dup = _duplicate_reasons(table.data)
    reasons = reasons.where(dup == "", dup)
    return _Prepared(path, result, load_id, table, match.mapping, typed, reasons)


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
    per_file = []
    for prepared in batch:
        failing = prepared.reasons[prepared.reasons != ""]
        per_file.append(
            [
                {
                    **check,
                    "unexpected_count": int(
                        failing.str.contains(check["message"], regex=False).sum()
                    )
                    if check["message"]
                    else 0,
                    "success": not failing.str.contains(check["message"], regex=False).any(),
                }
                for check in outcome.checks
            ]
        )
    return per_file


def _write(con: duckdb.DuckDBPyConnection, prepared: _Prepared, checks: list[dict]) -> FileResult:
    result, reasons, path = prepared.result, prepared.reasons, prepared.path
    bad = reasons != ""
    good = prepared.typed[~bad].copy()
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
        prepared.table.data[bad],
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


BATCH_ROWS = 2_000_000


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

    def flush(name: str) -> None:
        batch = pending.pop(name, [])
        if not batch:
            return
        checks = _validate_batch([p for _, p in batch])
        for (position, prepared), file_checks in zip(batch, checks, strict=True):
            results[position] = _write(con, prepared, file_checks)
            if on_file:
                on_file(results[position])

    for position, path in enumerate(files):
        outcome = _prepare(con, path, source, seen)
        if isinstance(outcome, FileResult):
            results[position] = outcome
            if on_file:
                on_file(outcome)
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
