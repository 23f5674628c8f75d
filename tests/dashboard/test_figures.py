"""Figure builders and number formatting, without a browser."""

from __future__ import annotations

import json
from datetime import date

import pandas as pd
import plotly.graph_objects as go
import pytest

from dashboard.components.figures import (
    FONT_FAMILY,
    office_scores_figure,
    service_volume_figure,
    sparkline,
)
from dashboard.components.formatting import change, fmt_value, period_containing, period_label
from dashboard.components.person import rank_history_figure, trend_figure

OFFICES = pd.DataFrame(
    {
        "department": ["便民服务中心", "综合行政执法局"],
        "staff": [12, 9],
        "scored": [11, 9],
        "avg_composite": [78.25, 70.0],
        "median_composite": [79.0, 71.0],
        "min_composite": [60.0, 55.0],
        "max_composite": [95.0, 88.0],
    }
)
SERVICE = pd.DataFrame(
    {
        "department": ["便民服务中心", "综合行政执法局"],
        "approvals_completed": [420.0, None],
        "approvals_on_time_rate": [0.95, None],
        "approvals_avg_working_days": [2.4, None],
        "tickets_closed": [None, None],
        "tickets_satisfaction_rate": [None, None],
        "cases_closed": [None, 31.0],
    }
)


def _valid(fig: dict) -> go.Figure:
    """The JSON figure as Plotly reads it: `go.Figure` validates every property, so a
    misspelt one fails here rather than being dropped silently in the browser."""
    assert isinstance(fig, dict)
    return go.Figure(fig)


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_office_scores_figure_has_title_axis_and_town_mean(lang):
    fig = _valid(office_scores_figure(OFFICES, "各科室平均综合得分", lang))
    assert fig.layout.title.text == "各科室平均综合得分"
    assert fig.layout.font.family == FONT_FAMILY
    assert fig.layout.xaxis.title.text  # the unit is in the axis title
    bar = fig.data[0]
    assert list(bar.y) == ["综合行政执法局", "便民服务中心"]  # best on top
    assert list(bar.text) == ["70.0", "78.2"]
    assert [list(c) for c in bar.customdata] == [[9, 9], [12, 11]]  # staff, scored
    # the town mean weights each office by the people scored
    expected_mean = (78.25 * 11 + 70.0 * 9) / 20
    assert fig.layout.shapes[0].x0 == pytest.approx(expected_mean)
    assert fig.layout.annotations[0].text.endswith(f"{expected_mean:.1f}")
    # the template a `go.Figure` fills in is there, so the JSON figure looks the same
    assert fig.layout.template.layout.colorway


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_service_volume_figure_stacks_the_three_volumes(lang):
    raw = service_volume_figure(SERVICE, "各科室办件量", lang)
    fig = _valid(raw)
    assert fig.layout.title.text == "各科室办件量"
    assert fig.layout.barmode == "stack"
    assert [len(trace.x) for trace in fig.data] == [2, 2, 2]
    assert {trace.name for trace in fig.data} == (
        {"审批办结件数", "工单办结件数", "执法结案数"}
        if lang == "zh"
        else {"Approvals completed", "Tickets closed", "Enforcement cases closed"}
    )
    # an office without a volume has no bar for it: null, not NaN, which is not JSON
    assert None in raw["data"][0]["x"]
    json.dumps(raw["data"], allow_nan=False)


def test_empty_frames_give_a_titled_figure_that_says_so():
    fig = _valid(office_scores_figure(OFFICES.iloc[0:0], "标题", "zh"))
    assert fig.layout.title.text == "标题"
    assert fig.layout.annotations[0].text == "该期间暂无数据"
    fig = _valid(service_volume_figure(SERVICE.iloc[0:0], "Title", "en"))
    assert fig.layout.annotations[0].text == "No data for this period"


def test_sparkline_marks_the_month_shown():
    months = [date(2026, 8, 1), date(2026, 9, 1), date(2026, 10, 1)]
    fig = _valid(sparkline(months, [0.9, None, 0.95], "rate", "zh"))
    assert list(fig.data[0].y) == [0.9, None, 0.95]
    assert list(fig.data[1].x) == ["2026-10-01"]
    assert fig.data[0].customdata[2][1] == "95.0%"
    assert fig.data[0].customdata[0][0] == "2026年8月"
    # a rate's axis is fitted to the values; a count's starts at zero, filled
    low, high = fig.layout.yaxis.range
    assert low < 0.9 and 0.95 < high < 1.0
    count = _valid(sparkline(months, [3, 5, 4], "count", "zh"))
    assert count.data[0].fill == "tozeroy" and count.layout.yaxis.range is None


def test_values_read_by_kind():
    assert fmt_value(12345.0, "count") == "12,345"
    assert fmt_value(0.9567, "rate") == "95.7%"
    assert fmt_value(2.449, "days") == "2.4"
    assert fmt_value(None, "count") == "—"
    assert fmt_value(float("nan"), "rate") == "—"


def test_changes_read_in_the_unit_that_fits():
    up = change(110.0, 100.0, "count", "higher", "zh")
    assert (up.text, up.direction, up.good) == ("+10.0%", 1, True)
    rate = change(0.93, 0.95, "rate", "higher", "en")
    assert (rate.text, rate.good) == ("−2.0 pp", False)
    faster = change(2.1, 2.5, "days", "lower", "zh")
    assert (faster.text, faster.good) == ("−0.4 个工作日", True)
    assert change(1.0, None, "count", "higher", "zh") is None
    assert change(5.0, 5.0, "count", "higher", "zh").good is None


def test_periods():
    assert period_containing("quarter", date(2026, 11, 15)) == date(2026, 10, 1)
    assert period_containing("year", "2026-11-01") == date(2026, 1, 1)
    assert period_label("quarter", date(2026, 10, 1), "zh") == "2026年第4季度"
    assert period_label("quarter", date(2026, 10, 1), "en") == "Q4 2026"
    assert period_label("month", date(2026, 3, 1), "en") == "Mar 2026"


@pytest.mark.parametrize("copies", [1, 60])  # built in Python, and through Arrow
def test_grid_records_are_json_ready_whatever_the_column_types(copies):
    """Rows go to the browser as plain values: null for every kind of missing value, dates and
    times as ISO text, Arrow-backed text as str; a column of mixed types too."""
    import numpy as np

    from dashboard.components import table
    from dashboard.components.table import records

    frame = pd.DataFrame(
        {
            "name": pd.array(["甲", None], dtype="string[pyarrow]"),
            "score": [81.5, np.nan],
            "rank": pd.array([3, None], dtype="Int64"),
            "day": [date(2026, 7, 1), None],
            "at": pd.to_datetime(["2026-07-01 08:30:00", None]),
            "flag": [True, False],
        }
    )
    expected = [
        {"name": "甲", "score": 81.5, "rank": 3, "day": "2026-07-01",
         "at": "2026-07-01T08:30:00", "flag": True},
        {"name": None, "score": None, "rank": None, "day": None, "at": None, "flag": False},
    ]  # fmt: skip
    frame = pd.concat([frame] * copies, ignore_index=True)
    assert (len(frame) >= table.ARROW_FROM_ROWS) == (copies > 1)
    assert records(frame) == expected * copies
    mixed = frame.assign(note=["文字", 2] * copies)
    assert [row["note"] for row in records(mixed)] == ["文字", 2] * copies
    assert records(mixed)[0]["day"] == "2026-07-01"
    json.dumps(records(mixed), allow_nan=False)  # nothing left that JSON cannot carry


@pytest.mark.parametrize("copies", [1, 400])  # through one object array, column by column
def test_row_dicts_hold_what_to_dict_holds_for_every_column_type(copies):
    """The page builders iterate rows through `row_dicts`; their rules read the same values
    as pandas' own records (NaN, NA and None where pandas has them, Timestamps, numpy types
    boxed alike)."""
    import numpy as np

    from dashboard.components import table
    from dashboard.components.table import row_dicts

    frame = pd.DataFrame(
        {
            "name": pd.array(["甲", None, "乙"], dtype="string[pyarrow]"),
            "label": ["a", None, "c"],
            "score": [81.5, np.nan, 60.0],
            "rank": pd.array([3, None, 1], dtype="Int64"),
            "n": [1, 2, 3],
            "day": [date(2026, 7, 1), None, date(2026, 8, 1)],
            "at": pd.to_datetime(["2026-07-01 08:30:00", None, "2026-08-01 00:00:00"]),
            "flag": [True, False, True],
        }
    )
    frame = pd.concat([frame] * copies, ignore_index=True)
    assert (len(frame) > table.OBJECT_ARRAY_ROWS) == (copies > 1)
    expected = frame.to_dict("records")
    found = row_dicts(frame)
    assert len(found) == len(expected) == 3 * copies
    for mine, theirs in zip(found, expected, strict=True):
        assert list(mine) == list(theirs)
        for key, value in theirs.items():
            assert type(mine[key]) is type(value), key
            assert mine[key] == value or (pd.isna(mine[key]) and pd.isna(value)), key
    assert row_dicts(frame.iloc[0:0]) == []


TREND = pd.DataFrame(
    {
        "period_start": [date(2026, 8, 1), date(2026, 9, 1), date(2026, 10, 1)],
        "role_category": ["service"] * 3,
        "composite_score": [81.5, None, 64.0],
        "insufficient_data": [False, None, True],
        "category_median": [75.0, 74.0, None],
    }
)


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_person_trend_is_valid_plotly_json_with_gaps_and_hollow_months(lang):
    """Built as JSON for speed: go.Figure must accept it (it raises on any unknown property)
    and read the same points back."""
    fig = go.Figure(trend_figure(TREND, "走势", lang, with_median=True))
    mine, median = fig.data
    assert list(mine.x) == ["2026-08-01", "2026-09-01", "2026-10-01"]
    assert list(mine.y) == [81.5, None, 64.0]  # a month without a score is a gap
    assert list(mine.marker.color) == ["#1d4e89", "#1d4e89", "white"]  # insufficient: hollow
    assert mine.customdata[2][1] and not mine.customdata[0][1]
    assert list(median.y) == [75.0, 74.0, None]
    assert fig.layout.template.layout.colorway  # the default template, as go.Figure adds it
    assert len(go.Figure(trend_figure(TREND, "走势", lang, with_median=False)).data) == 1
    empty = go.Figure(trend_figure(TREND.iloc[0:0], "走势", lang, with_median=True))
    assert empty.layout.annotations[0].text and not empty.data


def test_rank_history_puts_rank_one_on_top_and_skips_unranked_periods():
    scores = pd.DataFrame(
        {
            "period_start": [date(2026, 1, 1), date(2026, 4, 1), date(2026, 7, 1)],
            "rank_in_category": [3, None, 1],
            "n_in_category": [40, 41, 42],
        }
    )
    fig = go.Figure(rank_history_figure(scores, "quarter", "名次", "en"))
    (line,) = fig.data
    assert list(line.x) == ["2026Q1", "2026Q3"]
    assert list(line.y) == [3, 1] and list(line.text) == ["3", "1"]
    assert list(line.customdata) == [40.0, 42.0]
    assert list(fig.layout.yaxis.range) == [43.0, 0.3]  # reversed: the best rank at the top
    assert fig.layout.xaxis.type == "category"
