"""The served warehouse changes only by a complete swap, one writer at a time."""

from __future__ import annotations

import multiprocessing
import time

import duckdb
import pytest

from warehouse.store import WarehouseBusy, connect_read, transaction, writer_lock


def _make(path, value):
    con = duckdb.connect(str(path))
    con.execute("create or replace table t as select ? as v", [value])
    con.close()


def _value(path):
    con = connect_read(path)
    try:
        return con.execute("select v from t").fetchall()[0][0]
    finally:
        con.close()


def test_failed_work_leaves_served_file_byte_identical(tmp_path):
    served = tmp_path / "warehouse.duckdb"
    _make(served, 1)
    before = served.read_bytes()
    with pytest.raises(RuntimeError), transaction(served) as work:
        _make(work, 2)
        raise RuntimeError("dbt failed")
    assert served.read_bytes() == before
    assert not work.exists()


def test_successful_work_is_swapped_in_while_a_reader_is_open(tmp_path):
    served = tmp_path / "warehouse.duckdb"
    _make(served, 1)
    reader = connect_read(served)
    with transaction(served) as work:
        _make(work, 2)
    # the open reader still sees its complete old file; a new reader sees the new one
    assert reader.execute("select v from t").fetchall()[0][0] == 1
    reader.close()
    assert _value(served) == 2


def _hold_lock(home, ready, release):
    with writer_lock(home):
        ready.set()
        release.wait(10)


def test_second_writer_is_refused_and_a_dead_writer_leaves_no_lock(tmp_path):
    ctx = multiprocessing.get_context("fork")
    ready, release = ctx.Event(), ctx.Event()
    holder = ctx.Process(target=_hold_lock, args=(tmp_path, ready, release))
    holder.start()
    assert ready.wait(10)
    with pytest.raises(WarehouseBusy, match="another refresh is running"), writer_lock(tmp_path):
        pass
    holder.kill()  # SIGKILL: no cleanup code runs
    holder.join()
    deadline = time.time() + 5
    while True:
        try:
            with writer_lock(tmp_path):
                break
        except WarehouseBusy:
            assert time.time() < deadline, "lock of a killed process was not released"
            time.sleep(0.05)
