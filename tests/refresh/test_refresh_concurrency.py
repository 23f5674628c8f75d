"""One refresh at a time; a reader opened after a swap reads the new file.

(Readers beside running and dying refreshes: test_refresh_faults.py.)"""

from __future__ import annotations

import json
import time
from dataclasses import asdict

from tests.refresh.refresh_support import (
    BATCH_A,
    output,
    start_refresh,
    wait_for_pause,
)
from townperf import pipeline
from townperf.settings import get_settings
from warehouse.store import connect_read, connect_write, transaction, writer_lock


def test_two_refreshes_at_once_one_runs_the_other_exits_1_saying_why(make_home):
    home = make_home(BATCH_A[:1])  # already served: the winner's run is short
    # Both stop just after taking the lock, so the second meets a held lock however the
    # machine schedules them; the winner is let go once the loser has answered.
    first, second = start_refresh(home, "locked"), start_refresh(home, "locked")
    deadline = time.monotonic() + 120
    while first.poll() is None and second.poll() is None:
        assert time.monotonic() < deadline, "neither refresh answered"
        time.sleep(0.05)
    loser, winner = (first, second) if first.poll() is not None else (second, first)
    marker = wait_for_pause(home, "locked", winner)
    assert loser.returncode == 1, output(loser)
    message = output(loser)
    assert "refresh not started: another refresh is running" in message
    assert f"pid {winner.pid}: refresh " in message  # names the one that is running
    marker.unlink()
    assert winner.wait(300) == 0, output(winner)
    assert "1 already loaded" in output(winner) and "1 archived" in output(winner)


def test_a_new_reader_sees_the_swapped_file_beside_a_long_lived_one(tmp_path):
    """DuckDB shares one database per path within a process; connect_read must not."""
    served = tmp_path / "warehouse.duckdb"
    for value in (1, 2):
        with transaction(served) as work:
            con = connect_write(work)
            con.execute("create or replace table t as select ? as v", [value])
            con.close()
        if value == 1:
            held = connect_read(served)
    fresh = connect_read(served)
    assert fresh.execute("select v from t").fetchall() == [(2,)]
    assert held.execute("select v from t").fetchall() == [(1,)]
    fresh.close()
    held.close()


def test_history_tells_a_running_refresh_from_an_interrupted_one(tmp_path):
    settings = get_settings(tmp_path)
    started = pipeline.RefreshReport(run_id="abc123", started_at="2026-11-25T02:30:00.000")
    (tmp_path / pipeline.HISTORY_FILE).write_text(
        json.dumps(asdict(started)) + "\n" + '{"run_id": "cut short by a cr\n'
    )
    with writer_lock(tmp_path, "refresh abc123 since 2026-11-25T02:30:00.000"):
        (running,) = pipeline.read_history(settings)
    (interrupted,) = pipeline.read_history(settings)
    assert (running["status"], interrupted["status"]) == ("running", "interrupted")
