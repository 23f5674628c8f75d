"""`townperf scheduler`: cron's schedule, exactly, running the command a person runs by hand."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from datetime import datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from typer.testing import CliRunner

from tests.refresh.refresh_support import BATCH_A
from townperf.cli import app
from townperf.scheduler import build_scheduler, crontab_trigger, refresh_command, run_refresh
from townperf.settings import get_settings

SHANGHAI = ZoneInfo("Asia/Shanghai")
WEDNESDAY = datetime(2026, 11, 25, 12, 0, tzinfo=SHANGHAI)


@pytest.mark.parametrize(
    ("expr", "expected"),
    [
        ("30 2 * * *", datetime(2026, 11, 26, 2, 30)),
        ("0 3 * * 0", datetime(2026, 11, 29, 3, 0)),  # 0 is Sunday to cron
        ("0 3 * * 7", datetime(2026, 11, 29, 3, 0)),  # so is 7
        ("0 3 * * 1-5", datetime(2026, 11, 26, 3, 0)),  # Thursday, the next weekday
        ("0 3 * * 6-7", datetime(2026, 11, 28, 3, 0)),  # Saturday
        ("0 3 * * */3", datetime(2026, 11, 28, 3, 0)),  # sun, wed, sat; Wednesday's has passed
        ("15 6 1 * mon", datetime(2026, 11, 30, 6, 15)),  # day 1 or a Monday, as cron has it
        ("15 6 1 * 3", datetime(2026, 12, 1, 6, 15)),  # day 1 or a Wednesday: not today's past
    ],
)
def test_the_schedule_fires_when_cron_would(expr, expected):
    trigger = crontab_trigger(expr, "Asia/Shanghai")
    upcoming = trigger.get_next_fire_time(None, WEDNESDAY)
    assert upcoming == expected.replace(tzinfo=SHANGHAI)


def test_one_refresh_job_never_two_at_once(tmp_path):
    scheduler = build_scheduler(get_settings(tmp_path), "30 2 * * *", "Asia/Shanghai")
    (job,) = scheduler.get_jobs()
    assert job.func is run_refresh and job.max_instances == 1 and job.coalesce
    assert refresh_command(get_settings(tmp_path))[-3:] == ["refresh", "--home", str(tmp_path)]


@pytest.mark.parametrize("cron", ["61 2 * * *", "every night", "0 3 * * 5-1"])
def test_a_bad_schedule_exits_2_saying_so(tmp_path, cron):
    result = CliRunner().invoke(app, ["scheduler", "--home", str(tmp_path), "--cron", cron])
    assert result.exit_code == 2
    assert f"bad schedule {cron!r}" in result.stderr


def test_the_scheduler_runs_townperf_refresh(make_home):
    """Started for real with --now: it runs `townperf refresh` in a new process, logs its exit
    status, and stops on Ctrl-C."""
    home = make_home(BATCH_A[:1])  # already served: a short refresh
    env = {k: v for k, v in os.environ.items() if k != "TOWNPERF_FAULT_PAUSE"}
    cli = Path(sys.executable).with_name("townperf")
    log = home / "scheduler.log"
    with open(log, "w") as out:
        proc = subprocess.Popen(
            [str(cli), "scheduler", "--home", str(home), "--cron", "0 3 1 1 *", "--now"],
            stdout=out,
            stderr=subprocess.STDOUT,
            env=env,
        )
    try:
        deadline = time.monotonic() + 120
        while "refresh exited" not in log.read_text():
            assert proc.poll() is None, log.read_text()
            assert time.monotonic() < deadline, log.read_text()
            time.sleep(0.1)
    finally:
        proc.send_signal(signal.SIGINT)
        proc.wait(30)
    text = log.read_text()
    assert "on '0 3 1 1 *'" in text and "next at 20" in text
    assert "refresh exited 0 (done)" in text
    assert "1 already loaded" in text  # the refresh's own output, in the same log
    assert not list((home / "inbox").iterdir())
    assert proc.returncode == 0
