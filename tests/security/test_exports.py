"""Exports are inert: a formula or a script in a name stays text."""

from __future__ import annotations

import csv
import io

import openpyxl
import pandas as pd

from dashboard.components.export import to_csv_bytes, to_xlsx_bytes

HOSTILE = [
    '=HYPERLINK("http://evil.example","点我")',
    "+SUM(A1:A9)",
    "-2+3",
    "@cmd",
    "<script>alert(1)</script>",
    "张三",
]


def test_xlsx_cells_starting_a_formula_are_text():
    data = to_xlsx_bytes({"roster": pd.DataFrame({"name": HOSTILE, "score": range(6)})})
    sheet = openpyxl.load_workbook(io.BytesIO(data)).active
    cells = [sheet.cell(row=i + 2, column=1) for i in range(len(HOSTILE))]
    assert all(cell.data_type == "s" for cell in cells)
    assert not any(str(cell.value).startswith(("=", "+", "-", "@")) for cell in cells)
    assert cells[-1].value == "张三" and cells[-2].value == "<script>alert(1)</script>"


def test_csv_cells_starting_a_formula_are_text():
    text = to_csv_bytes(pd.DataFrame({"name": HOSTILE})).decode("utf-8-sig")
    values = [row[0] for row in csv.reader(io.StringIO(text))][1:]
    assert not any(v.startswith(("=", "+", "-", "@")) for v in values)
    assert values[-1] == "张三"
