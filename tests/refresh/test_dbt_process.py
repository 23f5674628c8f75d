"""dbt started ahead in a process of its own (`townperf.dbt.DbtProcess`): it runs the command
it is given, goes away when not needed, and never outlives the refresh that started it."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

from townperf.dbt import DbtProcess, run_dbt
from townperf.settings import DBT_PROJECT_DIR, get_settings
from warehouse.store import _alive as pid_alive

REPO = Path(__file__).resolve().parents[2]


def _alive(pid: int) -> bool:
    """As the lock's check, with a zombie (exited, not yet reaped by its parent) gone."""
    stat = Path(f"/proc/{pid}/stat")
    zombie = stat.exists() and stat.read_text().split(") ")[-1].startswith("Z")
    return pid_alive(pid) and not zombie


def _wait_gone(pid: int, seconds: float = 10) -> bool:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if not _alive(pid):
            return True
        time.sleep(0.05)
    return False


def test_a_command_runs_in_the_process_and_reports_every_node(tmp_path):
    settings = get_settings(tmp_path)
    settings.ensure_dirs()
    db = tmp_path / "warehouse.duckdb"
    seen: list[tuple[str, str]] = []
    with DbtProcess(settings, db) as process:
        pid = process.pid
        outcome = run_dbt(
            settings,
            db,
            "seed",
            on_node=lambda name, status: seen.append((name, status)),
            process=process,
        )
    assert outcome.success, outcome.error or outcome.failures
    seeds = {path.stem for path in (DBT_PROJECT_DIR / "seeds").glob("*.csv")}
    assert {name for name, _ in seen} == seeds and len(seen) == len(seeds)
    assert {status for _, status in seen} == {"success"}
    assert outcome.nodes >= len(seeds)  # the seeds and the on-run-start hook
    assert pid is not None and pid != os.getpid() and _wait_gone(pid)
    assert db.exists()


def test_an_unused_process_is_stopped():
    settings = get_settings(Path("/nonexistent-home"))
    process = DbtProcess(settings, Path("/nonexistent-home/warehouse.duckdb.next"))
    pid = process.pid
    assert pid is not None and _alive(pid)
    process.close()
    assert _wait_gone(pid)


def test_it_dies_with_a_refresh_killed_by_sigkill(tmp_path):
    """The starter stands for a refresh killed mid-build: its dbt is running a query of a
    minute or more when the starter gets SIGKILL, and must not go on with it (a build would go
    on writing into the work copy the next refresh discards)."""
    script = (
        "import sys\n"
        "from pathlib import Path\n"
        "from townperf.dbt import DbtProcess, _common_args\n"
        "from townperf.settings import DBT_PROJECT_DIR, get_settings\n"
        "if __name__ == '__main__':\n"
        "    settings = get_settings(Path(sys.argv[1]))\n"
        "    settings.ensure_dirs()\n"
        "    p = DbtProcess(settings, settings.root / 'warehouse.duckdb.next')\n"
        "    print(p.pid, flush=True)\n"
        "    long = 'select sum(range % 7) from range(100000000000)'\n"
        "    p.invoke(['show', '--inline', long, *_common_args(settings, DBT_PROJECT_DIR)])\n"
    )
    path = tmp_path / "starter.py"
    path.write_text(script, encoding="utf-8")
    starter = subprocess.Popen(
        [sys.executable, str(path), str(tmp_path / "home")],
        stdout=subprocess.PIPE,
        text=True,
        cwd=REPO,
        env={**os.environ, "PYTHONPATH": str(REPO)},
    )
    try:
        child = int(starter.stdout.readline())
        assert _alive(child)
        time.sleep(3)  # (a kill during its start-up must end it too; mid-query is the case)
        starter.send_signal(signal.SIGKILL)
        starter.wait(10)
        assert _wait_gone(child), "dbt's process outlived the process that started it"
    finally:
        if starter.poll() is None:
            starter.kill()
