"""Ingest export files into the `raw` schema, accounting for every row read.

For each file: rows read = rows loaded + rows quarantined. A file that cannot be read at all
is refused whole with one message; a file already loaded (same content hash) is skipped.
"""

from __future__ import annotations

import hashlib
import uuid
from collections.abc import Callable, Iterable
from dataclasses import asdict, dataclass, field
from datetime import datetime
from pathlib import Path

import duckdb
import pandas as pd

from ingest import load
from ingest.expectations import validate
from ingest.mapping import closest_headers, detect_source, mappings
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
    dup = text.duplicated(keep="first")
    reasons = pd.Series("", index=text.index, dtype=object)
    if dup.any():
        first_of = (
            text.reset_index().groupby(list(text.columns), sort=False)["index"].transform("min")
        )
        first_of.index = text.index
        reasons[dup] = "exact duplicate of data row " + (first_of[dup] + 1).astype(str)
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


def ingest_file(
    con: duckdb.DuckDBPyConnection, path: Path, source: str | None = None
) -> FileResult:
    path = Path(path)
    result = FileResult(file=path.name, status="refused")
    if not path.is_file():
        result.message = "no such file"
        return result
    result.sha256 = file_sha256(path)
    earlier = load.previous_load(con, result.sha256)
    if earlier:
        result.status = "skipped"
        result.message = f"already loaded as {earlier[0]} on {earlier[1]}"
        return result
    load_id = uuid.uuid4().hex
    try:
        table = read_file(path)
    except UnreadableFile as exc:
        result.message = str(exc)
        _log(con, load_id, path, result, encoding=None)
        return result
    if source is not None and source not in mappings():
        result.message = f"unknown source '{source}' (known: {', '.join(mappings())})"
        return result
    match = detect_source(table.headers, source)
    result.source = match.mapping.source
    result.rows_read = len(table.data)
    if match.score == 0:
        result.source = None
        result.message = (
            "no header matches a known source (headers: "
            + ", ".join(map(str, table.headers))
            + "); add aliases in ingest/mappings/ or pass --source"
        )
        result.rows_read = 0
        _log(con, load_id, path, result, encoding=table.encoding)
        return result
    if match.missing_required:
        problem = _header_problem(table.headers, match)
        result.message = f"headers do not match source '{match.mapping.source}': {problem}"
        result.rows_read = 0
        _log(con, load_id, path, result, encoding=table.encoding)
        return result
    if match.unknown:
        result.warnings.append(_header_problem(table.headers, match) + " — column ignored")

    mapping = match.mapping
    text = table.data[[str(pos) for pos in match.columns]]
    text.columns = list(match.columns.values())
    typed, reasons = parse_frame(text, mapping)
    dup = _duplicate_reasons(table.data)
    reasons = reasons.where(dup == "", dup)
    clean = reasons == ""
    outcome = validate(typed[clean], mapping)
    reasons.loc[clean] = outcome.reasons
    bad = reasons != ""

    good = typed[~bad].copy()
    seq = load.next_load_seq(con)
    good["_load_id"] = load_id
    good["_load_seq"] = seq
    good["_file"] = path.name
    good["_row"] = (good.index + 1).astype("int32")
    load.insert_rows(con, good, mapping)
    load.insert_quarantine(
        con,
        load_id,
        path.name,
        mapping.source,
        table.headers,
        table.data[bad],
        reasons[bad],
        table.header_line,
    )
    load.insert_checks(con, load_id, path.name, mapping.source, outcome.checks)
    result.status = "loaded"
    result.rows_loaded = int((~bad).sum())
    result.rows_quarantined = int(bad.sum())
    for row, reason in reasons[bad].items():
        result.reasons.setdefault(reason, []).append(int(row) + 1)
    _log(con, load_id, path, result, encoding=table.encoding, seq=seq)
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


def ingest_paths(
    con: duckdb.DuckDBPyConnection,
    paths: Iterable[Path],
    source: str | None = None,
    on_file: Callable[[FileResult], None] | None = None,
) -> list[FileResult]:
    load.ensure_schema(con)
    results = []
    for path in expand_paths(paths):
        result = ingest_file(con, path, source)
        results.append(result)
        if on_file:
            on_file(result)
    return results
