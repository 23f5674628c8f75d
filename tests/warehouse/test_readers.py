"""Sessions read through one attachment per warehouse file (`warehouse.queries._Readers`):
it is reused while the file is served, a swapped-in file is read at once, a session already
reading the old file goes on reading it, and the old file is closed once nobody reads it."""

from __future__ import annotations

import os
import threading
from pathlib import Path

import duckdb

from warehouse import queries


def _warehouse(path: Path, rows: int) -> Path:
    con = duckdb.connect(str(path))
    con.execute("create schema marts")
    con.execute(f"create table marts.t as select range as i from range({rows})")
    con.close()
    return path


def _count(path: Path) -> int:
    return int(queries._query("select count(*) as n from marts.t", path)["n"].iloc[0])


def _attached(path: Path) -> list:
    return [con for (p, _), (con, _users) in queries._readers._open.items() if p == path]


def test_one_attachment_serves_many_sessions_and_threads(tmp_path):
    served = _warehouse(tmp_path / "warehouse.duckdb", 5)
    with queries.session(served):
        assert _count(served) == 5
    first = _attached(served)
    assert len(first) == 1

    answers, errors = [], []

    def reader() -> None:
        try:
            for _ in range(20):
                with queries.session(served):
                    answers.append(_count(served))
        except Exception as exc:  # noqa: BLE001 - reported below
            errors.append(exc)

    threads = [threading.Thread(target=reader) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert not errors and answers == [5] * 80
    assert _attached(served) == first  # the same attachment throughout


def test_a_swapped_file_is_read_at_once_and_the_old_one_closed_after_its_last_reader(tmp_path):
    served = _warehouse(tmp_path / "warehouse.duckdb", 5)
    newer = _warehouse(tmp_path / "warehouse.duckdb.next", 7)
    with queries.session(served):
        assert _count(served) == 5
        os.replace(newer, served)  # a refresh swaps in its build mid-request
        assert _count(served) == 5  # this request keeps reading the file it started on
        with queries.session(served):  # nested: the same cursor
            assert _count(served) == 5
        held = queries._Session(served)  # another request, started after the swap
        assert held.fetch("select count(*) as n from marts.t", None)["n"][0].as_py() == 7
        assert len(_attached(served)) == 2
    # the old file's last reader has gone: it is closed, the new one stays attached
    assert len(_attached(served)) == 1
    held.close()
    with queries.session(served):
        assert _count(served) == 7
    assert len(_attached(served)) == 1
