"""The great-expectations Data Docs of each ingest or refresh, one folder per run under
`<home>/data_docs/`, the newest `KEEP` kept. The data-status page links to them and the
dashboard serves them (`dashboard/data_docs.py`)."""

from __future__ import annotations

import logging
import re
import shutil
from datetime import datetime
from pathlib import Path

from townperf.settings import Settings

KEEP = 20
# A docs folder name: a refresh's run id or `ingest-<timestamp>`; never hidden, never a path.
NAME = re.compile(r"[A-Za-z0-9][A-Za-z0-9_-]{0,63}")

log = logging.getLogger(__name__)


def ingest_name() -> str:
    return f"ingest-{datetime.now():%Y%m%dT%H%M%S%f}"


def publish(settings: Settings, name: str, warnings: list[str] | None = None) -> str | None:
    """Write this run's Data Docs to `<home>/data_docs/<name>/` and prune the oldest folders.

    Returns `name`, or None when there was nothing validated or writing failed: the docs never
    fail the run; a failure is logged and added to `warnings`. Call it under the writer lock.
    """
    from ingest.expectations import publish_docs

    if not NAME.fullmatch(name):
        raise ValueError(f"not a docs folder name: {name!r}")
    try:
        index = publish_docs(settings.data_docs / name)
    except Exception as exc:  # the docs are a view of the run, never a reason to fail it
        message = f"Data Docs not written: {type(exc).__name__}: {exc}"
        log.warning(message)
        if warnings is not None:
            warnings.append(message)
        return None
    try:
        prune(settings)
    except OSError as exc:
        log.warning("old Data Docs not pruned: %s", exc)
    return name if index is not None else None


def prune(settings: Settings, keep: int = KEEP) -> list[str]:
    """Remove all but the `keep` newest docs folders, and any half-written one a killed run
    left (hidden folders: only a run holding the writer lock writes one). Returns the names
    removed."""
    root = settings.data_docs
    if not root.is_dir():
        return []
    removed = []
    for path in root.iterdir():
        if path.name.startswith(".") and path.is_dir():
            shutil.rmtree(path, ignore_errors=True)
    for path in available(settings)[keep:]:
        shutil.rmtree(path, ignore_errors=True)
        removed.append(path.name)
    return removed


def available(settings: Settings) -> list[Path]:
    """The complete docs folders, newest first."""
    root = settings.data_docs
    if not root.is_dir():
        return []
    folders = [
        p
        for p in root.iterdir()
        if NAME.fullmatch(p.name) and p.is_dir() and (p / "index.html").is_file()
    ]
    return sorted(folders, key=lambda p: (p.stat().st_mtime_ns, p.name), reverse=True)
