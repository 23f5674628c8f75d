"""One row per calendar day, 2018-2030, with China's official working days.

Working days come from the maintained `holidays` package (public holidays plus the make-up
working Saturdays and Sundays, 调休), so a promise of "5 working days" is measured as the
State Council calendar defines it. `workday_seq` counts working days up to each date, so the
working days between two dates is one subtraction.

Incremental with nothing to add: the calendar depends on this file and the holidays package
only, and a change to either is a change of rules (townperf's build fingerprint), which makes
the build a full one; a daily build keeps the table instead of recomputing 4,700 days.
"""

import datetime as dt

import holidays
import pandas as pd

FIRST, LAST = dt.date(2018, 1, 1), dt.date(2030, 12, 31)


def calendar_days(first: dt.date, last: dt.date) -> pd.DataFrame:
    calendar = holidays.China(years=range(first.year, last.year + 1))
    days = pd.date_range(first, last, freq="D")
    working = [calendar.is_working_day(d.date()) for d in days]
    frame = pd.DataFrame(
        {
            "calendar_date": days.date,
            "is_working_day": working,
            "holiday_name": [calendar.get(d.date()) for d in days],
        }
    )
    frame["workday_seq"] = frame["is_working_day"].astype("int64").cumsum()
    frame["month_start"] = days.to_period("M").start_time.date
    return frame


def model(dbt, session):
    dbt.config(materialized="incremental")
    if dbt.is_incremental:
        return calendar_days(FIRST, FIRST).head(0)
    return calendar_days(FIRST, LAST)
