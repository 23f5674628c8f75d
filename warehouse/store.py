"""The served warehouse file and the only safe way to change it.

Readers open `warehouse.duckdb` read-only for a moment at a time. Writers never touch it: they
copy it to a work file, change the copy, and `os.replace` the copy over the served file only
when all of their work succeeded. A crash at any point leaves the served file as it was, and the
exclusive `flock` on `refresh.lock` dies with its process, so a crashed writer leaves no stale
lock behind: the next writer takes the lock and reports what the dead one had written in it.
"""

from __future__ import annotations

import contextlib
import fcntl
import os
import re
import shutil
import time
from collections.abc import Iterator
from pathlib import Path

import duckdb

DUCKDB_CONFIG = {"autoinstall_known_extensions": False, "autoload_known_extensions": False}
LOCK_NAME = "refresh.lock"


class WarehouseBusy(Exception):
    """Another refresh, ingest or build holds the writer lock."""


@contextlib.contextmanager
def writer_lock(home: Path, holder: str = "") -> Iterator[str | None]:
    """Hold the one writer lock of a data home, or raise `WarehouseBusy` at once.

    The lock file names its holder (`pid N: <holder>`) for the busy message and for
    `lock_holder`. A clean release empties it, so text found there on acquiring was left by a
    writer that was killed or crashed: the kernel already dropped its `flock`, the lock is
    taken over, and that text is yielded (None after a clean release) for the caller to report.
    """
    home.mkdir(parents=True, exist_ok=True)
    lock_path = home / LOCK_NAME
    with open(lock_path, "a+") as fh:
        try:
            fcntl.flock(fh, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError as exc:
            current = _holder_text(fh) or "another process"
            raise WarehouseBusy(
                f"another refresh is running ({current}); try again when it has finished"
            ) from exc
        fh.seek(0)
        stale = fh.read().strip() or None
        fh.seek(0)
        fh.truncate()
        fh.write(f"pid {os.getpid()}: {holder}" if holder else f"pid {os.getpid()}")
        fh.flush()
        try:
            yield stale
        finally:
            fh.seek(0)
            fh.truncate()
            fh.flush()
            fcntl.flock(fh, fcntl.LOCK_UN)


def _holder_text(fh, wait_s: float = 1.0) -> str:
    """The holder's line; a writer that has just taken the lock writes it a moment later."""
    deadline = time.monotonic() + wait_s
    while True:
        fh.seek(0)
        text = fh.read().strip()
        if text or time.monotonic() >= deadline:
            return text
        time.sleep(0.02)


def lock_holder(home: Path) -> str | None:
    """What the lock file says about a writer that is alive now, without touching the lock.

    For readers such as the data-status page: trying the lock, even for a moment, could make a
    refresh starting at that instant fail as busy.
    """
    try:
        text = (home / LOCK_NAME).read_text().strip()
    except OSError:
        return None
    match = re.match(r"pid (\d+)", text)
    if not match or not _alive(int(match.group(1))):
        return None
    return text


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:  # alive, but another user's
        pass
    return True


def work_path(served: Path) -> Path:
    return served.with_name(served.name + ".next")


@contextlib.contextmanager
def transaction(served: Path) -> Iterator[Path]:
    """Yield a private copy of the warehouse; it replaces the served file only on success.

    Callers must hold `writer_lock`. Leftovers of a crashed writer are discarded first.
    """
    work = work_path(served)
    for leftover in (work, work.with_name(work.name + ".wal")):
        leftover.unlink(missing_ok=True)
    if served.exists():
        shutil.copyfile(served, work)
    try:
        yield work
    except BaseException:
        work.unlink(missing_ok=True)
        raise
    if work.with_name(work.name + ".wal").exists():
        work.unlink(missing_ok=True)
        raise RuntimeError("the work file still has an open writer (pending WAL); not swapped in")
    _fsync(work)
    os.replace(work, served)
    fsync_dir(served.parent)


def _fsync(path: Path) -> None:
    with open(path, "rb") as fh:
        os.fsync(fh.fileno())


def fsync_dir(path: Path) -> None:
    """Make renames in a folder durable (a power cut after it cannot undo them)."""
    fd = os.open(path, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def connect_write(path: Path) -> duckdb.DuckDBPyConnection:
    return duckdb.connect(str(path), config=DUCKDB_CONFIG)


def connect_read(path: Path) -> duckdb.DuckDBPyConnection:
    """A read-only connection to the file the path names now, whatever else is open.

    Within one process DuckDB hands every `connect(path)` the database instance already open
    for that path, so beside any long-lived connection a plain connect keeps reading the file
    served before a swap. Attaching the file to a fresh in-memory database always opens the
    current file; it is the default catalog (named `warehouse`), so `marts.x` reads as usual.
    """
    con = duckdb.connect(":memory:", config=DUCKDB_CONFIG)
    try:
        con.execute("attach ? as warehouse (read_only)", [str(path)])
        con.execute("use warehouse")
    except BaseException:
        con.close()
        raise
    return con
