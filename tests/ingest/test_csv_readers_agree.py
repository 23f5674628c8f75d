"""The fast (Arrow) CSV reader gives exactly what the lenient (pandas) one gives, and hands
over to it when a file needs its leniency."""

from __future__ import annotations

import pytest

from ingest import readers

TITLE = "G镇2025年第一季度审批办件\n"
HEADER = "办件编号,事项编码,承办人工号,受理时间,办件状态\n"
FIRST = "A1,SP001,G0001,2025-01-02 09:00:00,办结\n"


@pytest.mark.parametrize(
    ("body", "encoding", "rows"),
    [
        (FIRST + '\nA2,"SP,002",G0002,"2025-01-03\n09:00",在办\n', "utf-8", 2),
        (FIRST + ",,,,\nA3, SP003 ,G0003,,退回\n", "gb18030", 3),
        (FIRST + "A2,SP002\n", "utf-8", 2),  # a short row
    ],
)
def test_arrow_and_pandas_read_the_same_cells(tmp_path, monkeypatch, body, encoding, rows):
    path = tmp_path / "approvals.csv"
    path.write_bytes((TITLE + HEADER + body).encode(encoding))
    fast = readers.read_file(path)
    monkeypatch.setattr(readers, "_read_csv_arrow", lambda *args: None)
    lenient = readers.read_file(path)
    assert fast.headers == lenient.headers
    assert (fast.header_line, fast.encoding) == (lenient.header_line, lenient.encoding)
    assert fast.data.fillna("<NA>").values.tolist() == lenient.data.fillna("<NA>").values.tolist()
    assert len(fast.data) == rows
