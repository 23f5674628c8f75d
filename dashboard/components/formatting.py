"""How numbers, periods and changes are written on screen, in both languages.

A *kind* says how a figure reads: `count` (1,234), `rate` (a fraction shown as 96.2%),
`days` (2.4), `score` (75.6 points), `ratio` (0.82). Rates are stored as fractions in the
warehouse and only become percentages here.
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass
from datetime import date
from urllib.parse import quote, urlencode

import pandas as pd

from dashboard.i18n import MONTH_NAMES, t

MISSING = "—"

# How an indicator's `kind` in marts.dim_indicators reads on screen.
INDICATOR_KINDS = {
    "rate": "rate",
    "volume": "volume",
    "ratio": "ratio",
    "rating": "score",
    "derived": "score",
}

# d3-format specifiers for the same kinds, for AG Grid's value formatters.
D3_FORMATS = {
    "count": ",.0f",
    "volume": ",.1f",
    "rate": ".1%",
    "days": ".1f",
    "score": ".1f",
    "ratio": ".2f",
    "int": ",d",
}


def is_missing(value: object) -> bool:
    return value is None or (isinstance(value, float) and math.isnan(value)) or value is pd.NA


# Every ASCII punctuation character: CommonMark lets a backslash make any of them literal.
_MARKDOWN_SPECIAL = re.compile(r"([!-/:-@\[-`{-~])")
_LINE_BREAKS = re.compile(r"[\r\n\v\f\u2028\u2029]+")


def markdown_text(value: object) -> str:
    """Data (a name, free text) to place in markdown, reading exactly as it is.

    Names come from the roster exports, so anyone who can edit a roster row chooses them: with
    every markdown and HTML special character backslash-escaped and line breaks made spaces, a
    name can open no link, image, emphasis, HTML tag, entity or block of its own.
    """
    text = "" if is_missing(value) else str(value)
    return _MARKDOWN_SPECIAL.sub(r"\\\1", _LINE_BREAKS.sub(" ", text))


def markdown_link(text: object, path: str, query: dict[str, object] | None = None) -> str:
    """A markdown link to an address of the app, its text and address both taken literally."""
    href = quote(path, safe="/")
    if query:
        href += "?" + urlencode({k: "" if is_missing(v) else str(v) for k, v in query.items()})
    return f"[{markdown_text(text)}]({href})"


def fmt_value(value: float | None, kind: str) -> str:
    """The figure alone, without its unit (a rate carries its % sign)."""
    if is_missing(value):
        return MISSING
    assert value is not None
    if kind == "count":
        return f"{value:,.0f}"
    if kind == "rate":
        return f"{value * 100:.1f}%"
    if kind == "volume":
        return f"{value:,.1f}"
    if kind == "ratio":
        return f"{value:.2f}"
    return f"{value:.1f}"


@dataclass(frozen=True)
class Change:
    """A change against the previous period: its text and whether it is good news."""

    text: str
    direction: int  # -1, 0 or 1: the sign of the change
    good: bool | None  # None when unchanged


def change(
    current: float | None, previous: float | None, kind: str, better: str, lang: str
) -> Change | None:
    """Counts change in per cent, rates in percentage points, days and scores in their unit."""
    if is_missing(current) or is_missing(previous):
        return None
    assert current is not None and previous is not None
    if kind == "count":
        if previous == 0:
            return None
        shown = round((current - previous) / previous * 100, 1)
        text = f"{_signed(shown)}%"
    elif kind == "rate":
        shown = round((current - previous) * 100, 1)
        text = f"{_signed(shown)} {t('unit.percentage_points', lang)}"
    else:
        shown = round(current - previous, 1)
        unit = t("unit.working_days", lang) if kind == "days" else ""
        text = f"{_signed(shown)} {unit}".strip()
    if shown == 0:
        return Change(text=t("change.flat", lang), direction=0, good=None)
    direction = 1 if shown > 0 else -1
    return Change(text=text, direction=direction, good=(direction > 0) == (better == "higher"))


def _signed(value: float) -> str:
    # A real minus sign reads better than a hyphen next to digits.
    return f"+{value:.1f}" if value > 0 else f"−{abs(value):.1f}"


def as_date(value: date | str | pd.Timestamp) -> date:
    if isinstance(value, date) and not isinstance(value, pd.Timestamp):
        return value
    return pd.Timestamp(value).date()


def period_label(period_type: str, period_start: date | str, lang: str) -> str:
    start = as_date(period_start)
    return t(
        f"period.{period_type}",
        lang,
        year=start.year,
        month=start.month,
        month_name=MONTH_NAMES[start.month - 1],
        quarter=(start.month - 1) // 3 + 1,
    )


def period_containing(period_type: str, day: date | str) -> date:
    """The first day of the month, quarter or year that contains `day`."""
    d = as_date(day)
    if period_type == "month":
        return d.replace(day=1)
    if period_type == "quarter":
        return date(d.year, 3 * ((d.month - 1) // 3) + 1, 1)
    return date(d.year, 1, 1)
