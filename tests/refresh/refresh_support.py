"""What the refresh tests share: the two batches of export files, running `townperf refresh`
as cron would, and looking at what the served warehouse holds."""

from __future__ import annotations

import os
import shutil
import signal
import subprocess
import threading
import time
from pathlib import Path

from townperf.scheduler import refresh_command
from townperf.settings import get_settings
from warehouse.store import connect_read

# Served by the baseline warehouse.
BATCH_A = ("staff_2024Q4.xlsx", "approvals_2024Q4.csv", "tickets_2024Q4.csv")
# New in the inbox of the refresh under test (approvals in GB18030, like some real exports).
BATCH_B = ("staff_2025Q1.xlsx", "approvals_2025Q2.csv", "tickets_2025Q2.csv")


def start_refresh(home: Path, fault: str | None = None, *args: str) -> subprocess.Popen:
    """`townperf refresh --home HOME` as cron would run it (output to files, not a terminal);
    with `fault`, it stops at that point (see pipeline._fault_pause)."""
    env = {k: v for k, v in os.environ.items() if k != "TOWNPERF_FAULT_PAUSE"}
    env |= {"DO_NOT_TRACK": "1", "GX_ANALYTICS_ENABLED": "False"}
    if fault:
        env["TOWNPERF_FAULT_PAUSE"] = fault
    logs = home / "test-logs"
    logs.mkdir(exist_ok=True)
    stamp = f"{time.monotonic_ns()}"
    with (
        open(logs / f"{stamp}.out", "w") as out,
        open(logs / f"{stamp}.err", "w") as err,
    ):
        proc = subprocess.Popen(
            [*refresh_command(get_settings(home)), *args], stdout=out, stderr=err, env=env
        )
    proc.out_path, proc.err_path = logs / f"{stamp}.out", logs / f"{stamp}.err"
    return proc


def output(proc: subprocess.Popen) -> str:
    return proc.out_path.read_text() + proc.err_path.read_text()


def wait_for_pause(home: Path, point: str, proc: subprocess.Popen, timeout: float = 180) -> Path:
    marker = home / f".fault-{point}"
    deadline = time.monotonic() + timeout
    while not marker.exists():
        assert proc.poll() is None, f"refresh ended before {point}:\n{output(proc)}"
        assert time.monotonic() < deadline, f"refresh never reached {point}"
        time.sleep(0.05)
    return marker


def kill_at(home: Path, point: str) -> subprocess.Popen:
    """Start a refresh, let it reach `point`, and SIGKILL it there."""
    for stale in home.glob(".fault-*"):
        stale.unlink()
    proc = start_refresh(home, point)
    marker = wait_for_pause(home, point, proc)
    os.kill(proc.pid, signal.SIGKILL)
    proc.wait(30)
    marker.unlink()
    assert proc.returncode == -signal.SIGKILL
    return proc


def served_loads(home: Path) -> dict[str, int]:
    """sha256 -> how many times the served warehouse has loaded that content."""
    con = connect_read(home / "warehouse.duckdb")
    try:
        rows = con.execute(
            "select sha256, count(*) from raw.loads where status = 'loaded' group by sha256"
        ).fetchall()
    finally:
        con.close()
    return dict(rows)


def served_scores(home: Path) -> int:
    con = connect_read(home / "warehouse.duckdb")
    try:
        return con.execute("select count(*) from marts.fct_person_scores").fetchall()[0][0]
    finally:
        con.close()


def read_counts(served: Path) -> tuple[int, int]:
    """What a dashboard request does: a short-lived read-only connection. Returns the number of
    scores served and of files loaded."""
    con = connect_read(served)
    try:
        ((scores,),) = con.execute("select count(*) from marts.fct_person_scores").fetchall()
        ((files,),) = con.execute(
            "select count(*) from raw.loads where status = 'loaded'"
        ).fetchall()
        return scores, files
    finally:
        con.close()


class Readers:
    """A dashboard's worth of reads beside whatever the test does: `read_counts` every 0.05 s in
    a background thread, keeping each answer and any error met."""

    def __init__(self, served: Path) -> None:
        self.served = served
        self.answers: list[tuple[int, int]] = []
        self.errors: list[str] = []
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)

    def __enter__(self) -> Readers:
        self._thread.start()
        return self

    def __exit__(self, *exc) -> None:
        self._stop.set()
        self._thread.join(30)

    def _run(self) -> None:
        while not self._stop.is_set():
            try:
                self.answers.append(read_counts(self.served))
            except Exception as exc:  # every failure is a finding, kept for the test to show
                self.errors.append(f"{type(exc).__name__}: {exc}")
            self._stop.wait(0.05)


def copy_home(baseline: Path, exports: Path, home: Path, names) -> Path:
    """A copy of the baseline home with those export files in its inbox."""
    shutil.copytree(baseline, home)
    for name in names:
        shutil.copy(exports / name, home / "inbox" / name)
    return home
