"""Strict parsing and header mapping, without a warehouse."""

from __future__ import annotations

import pandas as pd
import pytest

from ingest.mapping import closest_headers, detect_source, mappings, normalise_header
from ingest.parse import parse_column, parse_frame


def _col(source: str, name: str):
    return mappings()[source].columns[name]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("2025-03-04 09:12:00", "2025-03-04 09:12:00"),
        ("2025/03/04 09:12", "2025-03-04 09:12:00"),
        ("2025-03-04", "2025-03-04 00:00:00"),
        ("2025年3月4日", "2025-03-04 00:00:00"),
    ],
)
def test_datetime_formats_real_exports_use(text, expected):
    parsed = parse_column(pd.Series([text]), _col("approvals", "received_at"))
    assert str(parsed.iloc[0]) == expected


@pytest.mark.parametrize(
    "text",
    ["2025-13-45", "2025-02-30", "无", "2025-06-31 25:61:00", "2025-03-04 23:59:60", "2025-03-04x"],
)
def test_impossible_dates_are_not_guessed(text):
    parsed = parse_column(pd.Series([text]), _col("approvals", "received_at"))
    assert pd.isna(parsed.iloc[0])


def test_a_column_mixing_formats_parses_each_cell_with_a_format_that_fits_it():
    """The column's own format is tried first; a cell it does not fit takes the next that
    does, and the values keep the rows' index."""
    cells = ["2025-03-04 09:12:00"] * 60 + ["2025/3/5 10:00", "20250306", "2025.03.07", "", "x"]
    index = pd.RangeIndex(100, 100 + len(cells))
    parsed = parse_column(pd.Series(cells, index=index), _col("approvals", "received_at"))
    assert parsed.index.equals(index)
    assert [str(v) for v in parsed.iloc[59:63]] == [
        "2025-03-04 09:12:00",
        "2025-03-05 10:00:00",
        "2025-03-06 00:00:00",
        "2025-03-07 00:00:00",
    ]
    assert parsed.iloc[63:].isna().all()
    # a date column keeps the day of a cell written with its time
    day = parse_column(pd.Series(["2025-03-04 09:12", "2025-03-05"]), _col("cases", "filed_at"))
    assert [str(v) for v in day] == ["2025-03-04 00:00:00", "2025-03-05 00:00:00"]


def test_parse_frame_reports_each_bad_cell_with_its_header():
    raw = pd.DataFrame(
        {
            "case_no": ["A1", "A2", "A3"],
            "received_at": ["2025-03-03 09:00", "2025-13-45", ""],
            "promised_days": ["5", "5.5", "x"],
        }
    )
    typed, reasons = parse_frame(raw, mappings()["approvals"])
    assert reasons.iloc[0] == ""
    assert "received_at (受理时间)" in reasons.iloc[1] and "'2025-13-45'" in reasons.iloc[1]
    assert "promised_days" in reasons.iloc[1]  # 5.5 is not a whole number of days
    assert "promised_days" in reasons.iloc[2] and "received_at" not in reasons.iloc[2]
    assert typed["promised_days"].iloc[0] == 5
    # a column the file does not have is present and null
    assert typed["rating"].isna().all()


def test_headers_are_matched_despite_spacing_and_fullwidth_brackets():
    assert normalise_header(" 承诺时限（工作日） ") == normalise_header("承诺时限(工作日)")
    match = detect_source(
        ["办件编号", "事项编码", "承办人工号", "受理时间 ", "承诺时限（工作日）", "办件状态"]
    )
    assert match.mapping.source == "approvals"
    assert not match.missing_required


def test_detects_every_source_from_its_first_aliases():
    for name, mapping in mappings().items():
        headers = [c.aliases[0] for c in mapping.columns.values()]
        assert detect_source(headers).mapping.source == name


def test_unknown_header_gets_closest_known_suggestions():
    assert "受理时间" in closest_headers("受理日期时间", mappings()["approvals"])
