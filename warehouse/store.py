"""The served warehouse file and the only safe way to change it.

Readers open `warehouse.duckdb` read-only for a moment at a time. Writers never touch it: they
copy it to a work file, change the copy, and `os.replace` the copy over the served file only
when all of their work succeeded. A crash at any point leaves the served file as it was, and the
exclusive `flock` on `refresh.lock` dies with its process, so a crashed writer leaves no stale
lock behind.
"""

from __future__ import annotations

import contextlib
import fcntl
import os
import shutil
from collections.abc import Iterator
from pathlib import Path

import duckdb

DUCKDB_CONFIG = {"autoinstall_known_extensions": False, "autoload_known_extensions": False}


class WarehouseBusy(Exception):
    """Another refresh, ingest or build holds the writer lock."""


@contextlib.contextmanager
def writer_lock(home: Path) -> Iterator[None]:
    home.mkdir(parents=True, exist_ok=True)
    lock_path = home / "refresh.lock"
    with open(lock_path, "a+") as fh:
        try:
            fcntl.flock(fh, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError as exc:
            fh.seek(0)
            holder = fh.read().strip() or "another process"
            raise WarehouseBusy(
                f"another refresh is running ({holder}); try again when it has finished"
            ) from exc
        fh.seek(0)
        fh.truncate()
        fh.write(f"pid {os.getpid()}")
        fh.flush()
        try:
            yield
        finally:
            fh.seek(0)
            fh.truncate()
            fcntl.flock(fh, fcntl.LOCK_UN)


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
    _fsync_dir(served.parent)


def _fsync(path: Path) -> None:
    with open(path, "rb") as fh:
        os.fsync(fh.fileno())


def _fsync_dir(path: Path) -> None:
    fd = os.open(path, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def connect_write(path: Path) -> duckdb.DuckDBPyConnection:
    return duckdb.connect(str(path), config=DUCKDB_CONFIG)


def connect_read(path: Path) -> duckdb.DuckDBPyConnection:
    return duckdb.connect(str(path), read_only=True, config=DUCKDB_CONFIG)
