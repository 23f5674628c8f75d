"""The synthetic exports: reproducible to the byte, shaped like the mappings, and honest about
their defects (the ingest tests rely on the manifest being exactly right)."""

from __future__ import annotations

import csv
import io
import json
import tomllib
from datetime import date, datetime
from pathlib import Path

import holidays
import pytest
from openpyxl import load_workbook
from typer.testing import CliRunner

from townperf.cli import app
from townperf.generate import generate
from townperf.generate_base import day_number, periods
from townperf.generate_roster import build_roster, snapshot_rows
from townperf.settings import MAPPINGS_DIR

# Mar..Jun 2025: two roster snapshots, a partial and a full quarter, a half-year, one full
# quarter of ratings and decisions; a raised defect rate so every kind shows up.
SMALL = {"scale": "town", "seed": 11, "start": "2025-03", "months": 4, "defect_rate": 0.02}
START_COLUMN = {
    "approvals": ("received_at", "completed_at"),
    "tickets": ("created_at", "closed_at"),
    "cases": ("filed_at", "closed_at"),
    "tasks": ("assigned_on", "done_on"),
}
HANDLER_COLUMN = {
    "approvals": "handler_id",
    "tickets": "handler_id",
    "cases": "lead_officer_id",
    "tasks": "staff_id",
}


def _mapping(source: str) -> dict:
    return tomllib.loads((MAPPINGS_DIR / f"{source}.toml").read_text(encoding="utf-8"))["columns"]


@pytest.fixture(scope="module")
def exports(tmp_path_factory) -> tuple[Path, dict]:
    out = tmp_path_factory.mktemp("gen_a")
    manifest = generate(out, **SMALL)
    return out, manifest


def _read(folder: Path, name: str, info: dict) -> tuple[list[object], list[list[object]]]:
    """Header and data rows of one export, as the ingest would see them."""
    path = folder / name
    if info["format"] == "csv":
        raw = path.read_bytes()
        if info["encoding"] == "utf-8":
            assert not raw.startswith(b"\xef\xbb\xbf")
        text = raw.decode(info["encoding"])
        rows = list(csv.reader(io.StringIO(text)))
        return rows[0], rows[1:]
    ws = load_workbook(path, read_only=True).worksheets[0]
    rows = [list(r) for r in ws.iter_rows(values_only=True)]
    assert rows[0][0] == info["title_row"]
    return rows[1], rows[2:]


def _parse(value: object) -> datetime | None:
    """Both styles the exports use: 2025-03-04 09:12:00 and 2025/03/04 09:12 (or dates)."""
    if isinstance(value, datetime):
        return value
    if isinstance(value, date):
        return datetime(value.year, value.month, value.day)
    try:
        return datetime.fromisoformat(str(value).replace("/", "-"))
    except ValueError:
        return None


def test_same_seed_gives_identical_bytes(exports, tmp_path):
    first, manifest = exports
    again = generate(tmp_path, **SMALL)
    assert again == manifest
    names = sorted(p.name for p in first.iterdir())
    assert names == sorted(p.name for p in tmp_path.iterdir())
    for name in names:
        assert (first / name).read_bytes() == (tmp_path / name).read_bytes(), name


def test_files_named_by_source_and_period(exports):
    folder, manifest = exports
    assert set(manifest["files"]) | {"manifest.json"} == {p.name for p in folder.iterdir()}
    assert set(manifest["files"]) == {
        "staff_2025Q1.xlsx",
        "staff_2025Q2.xlsx",
        "approvals_2025Q1.csv",
        "approvals_2025Q2.csv",
        "tickets_2025Q1.csv",
        "tickets_2025Q2.csv",
        "cases_2025H1.csv",
        "tasks_2025.xlsx",
        "ratings_2025.xlsx",
        "actions_2025.xlsx",
    }
    encodings = {f["encoding"] for f in manifest["files"].values() if f["format"] == "csv"}
    assert encodings == {"utf-8", "utf-8-sig", "gb18030"}
    assert any(f.get("datetime_format") == "%Y/%m/%d %H:%M" for f in manifest["files"].values())
    assert manifest["staff_count"] > 100 and manifest["months"] == 4


def test_headers_are_first_aliases_and_rows_match_manifest(exports):
    folder, manifest = exports
    for name, info in manifest["files"].items():
        header, rows = _read(folder, name, info)
        expected = [col["aliases"][0] for col in _mapping(info["source"]).values()]
        assert list(header) == expected, name
        assert len(rows) == info["rows"], name


def test_enum_columns_hold_allowed_values_except_injected(exports):
    folder, manifest = exports
    for name, info in manifest["files"].items():
        mapping = _mapping(info["source"])
        header, rows = _read(folder, name, info)
        bad_enum = {d["row"] for d in info["defects"] if d["kind"] == "bad_enum"}
        for i, (key, col) in enumerate(mapping.items()):
            if col["type"] != "enum":
                continue
            for n, row in enumerate(rows, start=1):
                value = row[i]
                if value in (None, "") or n in bad_enum:
                    continue
                assert value in col["values"], (name, n, key, value)


def test_defects_are_where_the_manifest_says(exports):
    folder, manifest = exports
    roster_ids = set()
    for name, info in manifest["files"].items():
        if info["source"] == "staff":
            roster_ids |= {r[1] for r in _read(folder, name, info)[1]}
    kinds = set()
    for name, info in manifest["files"].items():
        source = info["source"]
        if source not in START_COLUMN:
            assert info["defects"] == []
            continue
        names = list(_mapping(source))
        start_i, end_i = (names.index(c) for c in START_COLUMN[source])
        handler_i = names.index(HANDLER_COLUMN[source])
        _, rows = _read(folder, name, info)
        by_row = {d["row"]: d["kind"] for d in info["defects"]}
        for n, row in enumerate(rows, start=1):
            kind = by_row.get(n)
            kinds.add(kind)
            if kind == "duplicate":
                assert row == rows[n - 2], (name, n)
            elif kind == "bad_date":
                assert _parse(row[start_i]) is None, (name, n, row[start_i])
            elif kind == "negative_duration":
                assert _parse(row[end_i]) < _parse(row[start_i]), (name, n)
            elif kind == "unknown_handler":
                assert row[handler_i] not in roster_ids, (name, n)
            elif kind == "bad_enum":
                assert row[names.index("status")] == "已完成"
            else:
                # a clean row: parseable, in order, handled by someone on a roster
                assert _parse(row[start_i]) is not None, (name, n)
                if row[end_i] not in (None, ""):
                    assert _parse(row[end_i]) >= _parse(row[start_i]), (name, n)
                assert row[handler_i] in roster_ids, (name, n)
                assert n == 1 or row != rows[n - 2], (name, n)
    assert {"bad_date", "unknown_handler", "duplicate", "negative_duration", "bad_enum"} <= kinds


def test_open_records_reappear_completed_in_next_export(exports):
    folder, manifest = exports
    files = manifest["files"]
    _, q1 = _read(folder, "approvals_2025Q1.csv", files["approvals_2025Q1.csv"])
    _, q2 = _read(folder, "approvals_2025Q2.csv", files["approvals_2025Q2.csv"])
    open_q1 = {r[0] for r in q1 if r[5] == ""}  # status may carry an injected bad enum
    assert 0.01 < len(open_q1) / len(q1) < 0.12
    later = {r[0]: r for r in q2}
    assert open_q1 <= set(later)
    assert any(later[c][7] == "办结" and later[c][5] for c in open_q1)
    assert files["approvals_2025Q2.csv"]["carried_over"] == len(open_q1)


def test_approvals_received_in_working_hours_on_working_days(exports):
    folder, manifest = exports
    cn = holidays.China(years=[2025])
    working = {}
    for name, info in manifest["files"].items():
        if info["source"] != "approvals":
            continue
        bad = {d["row"] for d in info["defects"] if d["kind"] == "bad_date"}
        for n, row in enumerate(_read(folder, name, info)[1], start=1):
            if n in bad:
                continue
            received = _parse(row[4])
            day = received.date()
            if day not in working:
                working[day] = cn.is_working_day(day)
            assert working[day], (name, n)
            assert "08:30" <= received.strftime("%H:%M") <= "17:30", (name, n)


def test_roster_moves_show_between_snapshots(exports):
    folder, manifest = exports
    snaps = [n for n, i in manifest["files"].items() if i["source"] == "staff"]
    dept = {}
    for name in sorted(snaps):
        for row in _read(folder, name, manifest["files"][name])[1]:
            dept.setdefault(row[1], []).append(row[3])
    assert any(len(set(d)) > 1 for d in dept.values()), "someone changes office"


def test_town_roster_over_two_years():
    start, end = date(2024, 11, 1), date(2026, 11, 1)
    snaps = [q.last_day for q in periods("Q", start, end)][:-1]
    roster = build_roster(42, 1, start, end, snaps)
    assert 130 <= len(roster.persons) <= 170
    last = snapshot_rows(roster, snaps[-1], snaps[-2])
    assert 130 <= len(last) <= 170
    everyone = [r for i, s in enumerate(snaps) for r in snapshot_rows(roster, s, ([0] + snaps)[i])]
    assert any(r[9] is not None for r in everyone), "someone leaves"
    assert any(r[8] >= start for r in everyone), "someone joins"
    leaders = [r for r in last if r[5] == "领导"]
    assert 8 <= len(leaders) <= 9 and all(r[-1] for r in leaders)  # oversees: the last column
    assert len({r[3] for r in last}) >= 9  # 8-10 offices plus the leadership group
    assert day_number(start) < snaps[0]


def test_manifest_json_matches_return_value(exports):
    folder, manifest = exports
    assert json.loads((folder / "manifest.json").read_text(encoding="utf-8")) == manifest
    for key in ("seed", "scale", "towns", "start", "months", "staff_count"):
        assert key in manifest


# The offices the issue names, in every town: the three front offices and four management ones.
NAMED_OFFICES = {
    "便民服务中心",  # citizen service / approval centre
    "综合行政执法局",  # comprehensive law-enforcement bureau
    "网格化社会治理联动中心",  # grid governance and 12345 command centre
    "党政办公室",  # party and government office
    "经济发展局",  # economic development
    "社会事业局",  # social affairs
    "自然资源和规划建设局",  # natural resources, planning and construction
}


@pytest.mark.parametrize("seed", [1, 3, 7, 42, 2024])
def test_named_offices_are_in_every_town_on_every_roster(seed):
    start, end = date(2024, 11, 1), date(2026, 11, 1)
    snaps = [q.last_day for q in periods("Q", start, end)][:-1]
    roster = build_roster(seed, 3, start, end, snaps)
    for i, snap in enumerate(snaps):
        rows = snapshot_rows(roster, snap, ([0] + snaps)[i])
        for town in roster.towns:
            offices = {
                r[3].removeprefix(town.dept_prefix) for r in rows if r[1].startswith(town.id_prefix)
            }
            offices.discard("镇领导班子")
            assert offices >= NAMED_OFFICES, (seed, town.code, NAMED_OFFICES - offices)
            assert 8 <= len(offices) <= 10, (seed, town.code, offices)


def test_the_demo_and_test_towns_have_the_named_offices():
    """Seeds 42 (make demo) and 7 (the test suite's town) as `generate` writes them."""
    start, end = date(2024, 11, 1), date(2026, 11, 1)
    snaps = [q.last_day for q in periods("Q", start, end)][:-1]
    for seed in (42, 7):
        roster = build_roster(seed, 1, start, end, snaps)
        offices = {r[3] for r in snapshot_rows(roster, snaps[-1], snaps[-2])}
        assert offices >= NAMED_OFFICES, (seed, NAMED_OFFICES - offices)


def test_enforcement_decisions_and_closures_fall_on_working_days(exports):
    folder, manifest = exports
    names = list(_mapping("cases"))
    filed_i, decided_i, closed_i = (names.index(c) for c in ("filed_at", "decided_at", "closed_at"))
    procedure_i = names.index("procedure")
    cn = holidays.China(years=[2025, 2026])
    later = 0
    for name, info in manifest["files"].items():
        if info["source"] != "cases":
            continue
        # a negative-duration defect is a typing error by design, dated before the filing
        skip = {d["row"] for d in info["defects"] if d["kind"] == "negative_duration"}
        for n, row in enumerate(_read(folder, name, info)[1], start=1):
            if n in skip:
                continue
            for i in (decided_i, closed_i):
                if row[i] in (None, ""):
                    continue
                day = _parse(row[i]).date()
                assert cn.is_working_day(day), (name, n, names[i], day)
            if row[procedure_i] == "普通程序" and row[decided_i] and row[decided_i] != row[filed_i]:
                later += 1
    assert later > 50  # ordinary procedures decided after filing: the dates that were moved


def test_generate_command_same_seed_same_bytes(tmp_path):
    runner = CliRunner()
    args = ["generate", "--scale", "town", "--months", "2"]
    outs, printed = {}, {}
    for run, seed in (("a", 5), ("b", 5), ("c", 6)):
        outs[run] = tmp_path / run
        result = runner.invoke(app, [*args, "--seed", str(seed), "--out", str(outs[run])])
        assert result.exit_code == 0, result.output
        printed[run] = result.stdout
    manifest = json.loads((outs["a"] / "manifest.json").read_text(encoding="utf-8"))
    assert (manifest["seed"], manifest["scale"], manifest["months"]) == (5, "town", 2)
    written = sorted(p.name for p in outs["a"].iterdir())
    assert written == sorted([*manifest["files"], "manifest.json"])
    assert {f["source"] for f in manifest["files"].values()} >= {"staff", "approvals", "cases"}
    rows = sum(f["rows"] for f in manifest["files"].values())
    assert f"wrote {len(manifest['files'])} files, {rows} rows" in printed["a"]
    for name in written:
        assert (outs["a"] / name).read_bytes() == (outs["b"] / name).read_bytes(), name
    assert any(
        (outs["a"] / name).read_bytes() != (outs["c"] / name).read_bytes() for name in written
    ), "another seed writes another town"


def test_generate_command_refuses_bad_options(tmp_path):
    result = CliRunner().invoke(app, ["generate", "--scale", "city", "--out", str(tmp_path)])
    assert result.exit_code == 2
    assert "unknown scale 'city'" in result.output
    result = CliRunner().invoke(app, ["generate", "--months", "0", "--out", str(tmp_path)])
    assert result.exit_code == 2
    assert "--months and --towns must be at least 1" in result.output
    assert not any(tmp_path.iterdir())
