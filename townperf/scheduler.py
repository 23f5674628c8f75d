"""Refresh on a schedule: APScheduler runs `townperf refresh`, the command a person runs by
hand, on a crontab expression, each time in a fresh process.

A fresh process per run isolates each refresh as cron or systemd would: its memory, dbt's
in-process state and any crash end with it. The refresh takes the writer lock itself, so a run
that would overlap another refresh (scheduled or by hand) exits 1 and the next one catches up.
The admin page's "refresh now" starts the same command the same way (`start_refresh`).
"""

from __future__ import annotations

import fcntl
import logging
import os
import subprocess
import sys
import threading
import time
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

from apscheduler.schedulers.blocking import BlockingScheduler
from apscheduler.triggers.base import BaseTrigger
from apscheduler.triggers.combining import OrTrigger
from apscheduler.triggers.cron import CronTrigger

from townperf.settings import Settings
from warehouse.store import WarehouseBusy, lock_holder

log = logging.getLogger("townperf.scheduler")

EXIT_MEANING = {
    0: "done",
    1: "validation failed or another refresh running; previous warehouse still serving",
    2: "error; previous warehouse still serving",
}
WEEKDAYS = ("sun", "mon", "tue", "wed", "thu", "fri", "sat")
# Held by a refresh started with `start_refresh` for its whole life, from before it exists until
# it exits: between its start and its taking of the writer lock, this is what says it runs.
LAUNCH_LOCK = "refresh_launch.lock"
STARTING = "starting"


def crontab_trigger(expr: str, timezone: str | None = None) -> BaseTrigger:
    """A trigger that fires exactly when cron would for the same five-field expression.

    Two differences of APScheduler 3 are undone. It numbers weekdays from 0 = Monday where cron
    starts at 0 = Sunday, so the weekday field is spelled out in day names. And where both a
    day of month and a weekday are given, cron fires on either and APScheduler only on both, so
    that case becomes two triggers, either of which fires. Raises ValueError for a bad
    expression and LookupError for an unknown time zone.
    """
    fields = expr.split()
    if len(fields) != 5:
        raise ValueError(f"a crontab expression has 5 fields, got {len(fields)}: {expr!r}")
    minute, hour, day, month, weekday = fields
    weekday = _cron_weekdays(weekday)
    if day != "*" and weekday != "*":
        return OrTrigger(
            [
                CronTrigger.from_crontab(f"{minute} {hour} {day} {month} *", timezone),
                CronTrigger.from_crontab(f"{minute} {hour} * {month} {weekday}", timezone),
            ]
        )
    return CronTrigger.from_crontab(f"{minute} {hour} {day} {month} {weekday}", timezone)


def _cron_weekdays(field: str) -> str:
    if field == "*":
        return field
    days: set[int] = set()
    for part in field.lower().split(","):
        span, _, step = part.partition("/")
        if span == "*":
            low, high = 0, 6
        elif "-" in span:
            first, last = span.split("-", 1)
            low, high = _weekday(first), _weekday(last)
        else:
            low = _weekday(span)
            high = 6 if step else low
        if low > high:
            raise ValueError(f"weekday range {span!r} runs backwards")
        days.update(range(low, high + 1, int(step) if step else 1))
    return ",".join(WEEKDAYS[day] for day in sorted({day % 7 for day in days}))


def _weekday(token: str) -> int:
    if token[:3] in WEEKDAYS:
        return WEEKDAYS.index(token[:3])
    if token.isdigit() and 0 <= int(token) <= 7:  # cron allows 7 for Sunday too
        return int(token)
    raise ValueError(f"not a weekday: {token!r}")


def refresh_command(settings: Settings) -> list[str]:
    """`townperf refresh --home <home>` with this interpreter's console script."""
    script = Path(sys.executable).with_name("townperf")
    if script.exists():
        base = [str(script)]
    else:
        base = [sys.executable, "-c", "from townperf.cli import main; main()"]
    return [*base, "refresh", "--home", str(settings.root)]


def run_refresh(settings: Settings) -> int:
    """Run one refresh to its end; its output goes where the scheduler's goes. Returns its exit
    status."""
    command = refresh_command(settings)
    log.info("refresh starting: %s", " ".join(command))
    start = time.monotonic()
    code = subprocess.run(command, check=False).returncode
    meaning = EXIT_MEANING.get(code, "killed or crashed; previous warehouse still serving")
    log.info("refresh exited %s (%s) after %.0fs", code, meaning, time.monotonic() - start)
    return code


@dataclass(frozen=True)
class StartedRefresh:
    pid: int
    log: Path


def start_refresh(settings: Settings) -> StartedRefresh:
    """Start `townperf refresh` in a process of its own and return at once (the dashboard's
    "refresh now"): the command, lock and swap are the command line's, and the web worker
    waits for nothing. Its output goes to `<home>/logs/refresh-<time>.log`.

    Raises `WarehouseBusy` when a refresh holds the writer lock, or one started here has not
    taken it yet: the child inherits the launch lock and keeps it until it exits, so two
    clicks in the same second start one refresh, not a second that would fail as busy.
    """
    settings.ensure_dirs()
    launch = open(settings.root / LAUNCH_LOCK, "a+")  # noqa: SIM115 (the child keeps it open)
    try:
        if not _try_lock(launch, fcntl.LOCK_EX, tries=5):
            raise WarehouseBusy("a refresh started from the dashboard is starting or running")
        holder = lock_holder(settings.root)
        if holder:
            raise WarehouseBusy(f"another refresh is running ({holder})")
        output = settings.logs / f"refresh-{datetime.now():%Y%m%d-%H%M%S-%f}.log"
        env = {"DO_NOT_TRACK": "1", "GX_ANALYTICS_ENABLED": "False"} | dict(os.environ)
        with open(output, "w") as out:
            proc = subprocess.Popen(
                refresh_command(settings),
                stdin=subprocess.DEVNULL,
                stdout=out,
                stderr=subprocess.STDOUT,
                env=env,
                pass_fds=(launch.fileno(),),
                start_new_session=True,  # a Ctrl-C or restart of the server does not stop it
            )
    finally:
        launch.close()  # the child's copy keeps the lock
    # Reap it when it ends, so it leaves no zombie behind in a long-lived web worker.
    threading.Thread(target=proc.wait, name=f"refresh-{proc.pid}", daemon=True).start()
    log.info("refresh started from the dashboard: pid %s, output in %s", proc.pid, output)
    return StartedRefresh(proc.pid, output)


def refresh_running(settings: Settings) -> str | None:
    """The writer lock's holder while a refresh runs, `STARTING` while one started by
    `start_refresh` has not taken the lock yet, None when none runs. Changes no lock a refresh
    waits for: the launch lock is only tried shared, for an instant."""
    holder = lock_holder(settings.root)
    if holder:
        return holder
    path = settings.root / LAUNCH_LOCK
    if not path.exists():
        return None
    with open(path) as launch:
        if _try_lock(launch, fcntl.LOCK_SH, tries=1):
            fcntl.flock(launch, fcntl.LOCK_UN)
            return None
    return lock_holder(settings.root) or STARTING


def _try_lock(fh, kind: int, tries: int) -> bool:
    """Take a flock without waiting on a holder; a few tries ride out another reader's probe."""
    for attempt in range(tries):
        try:
            fcntl.flock(fh, kind | fcntl.LOCK_NB)
            return True
        except BlockingIOError:
            if attempt + 1 < tries:
                time.sleep(0.02)
    return False


def build_scheduler(
    settings: Settings, cron: str, timezone: str | None = None, run_now: bool = False
) -> BlockingScheduler:
    """A scheduler with one job, the refresh, on `cron`; never two at once, and runs missed
    while the machine slept are folded into one (within an hour of their time)."""
    trigger = crontab_trigger(cron, timezone)
    scheduler = BlockingScheduler(**({"timezone": timezone} if timezone else {}))
    options = {
        "name": "townperf refresh",
        "max_instances": 1,
        "coalesce": True,
        "misfire_grace_time": 3600,
    }
    scheduler.add_job(run_refresh, trigger, args=[settings], id="refresh", **options)
    if run_now:
        scheduler.add_job(run_refresh, args=[settings], id="refresh-now", **options)
    return scheduler
