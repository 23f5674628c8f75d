"""Refresh on a schedule: APScheduler runs `townperf refresh`, the command a person runs by
hand, on a crontab expression, each time in a fresh process.

A fresh process per run isolates each refresh as cron or systemd would: its memory, dbt's
in-process state and any crash end with it. The refresh takes the writer lock itself, so a run
that would overlap another refresh (scheduled or by hand) exits 1 and the next one catches up.
"""

from __future__ import annotations

import logging
import subprocess
import sys
import time
from pathlib import Path

from apscheduler.schedulers.blocking import BlockingScheduler
from apscheduler.triggers.base import BaseTrigger
from apscheduler.triggers.combining import OrTrigger
from apscheduler.triggers.cron import CronTrigger

from townperf.settings import Settings

log = logging.getLogger("townperf.scheduler")

EXIT_MEANING = {
    0: "done",
    1: "validation failed or another refresh running; previous warehouse still serving",
    2: "error; previous warehouse still serving",
}
WEEKDAYS = ("sun", "mon", "tue", "wed", "thu", "fri", "sat")


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
