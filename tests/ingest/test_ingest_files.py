"""Ingest of the generated town's real-looking exports: every row accounted for."""

from __future__ import annotations

import json
from pathlib import Path

import duckdb
import pytest
from typer.testing import CliRunner

from ingest.run import ingest_paths
from townperf.cli import app

QUARANTINED_KINDS = {"bad_date", "duplicate", "negative_duration", "bad_enum"}


@pytest.fixture(scope="module")
def ingested(tmp_path_factory, town_exports):
    db = tmp_path_factory.mktemp("ingest") / "w.duckdb"
    con = duckdb.connect(str(db))
    results = ingest_paths(con, [town_exports])
    yield con, results
    con.close()


def _manifest(town_exports: Path) -> dict:
    return json.loads((town_exports / "manifest.json").read_text(encoding="utf-8"))["files"]


def test_every_row_read_is_loaded_or_quarantined(ingested, town_exports):
    con, results = ingested
    manifest = _manifest(town_exports)
    assert {r.file for r in results} == set(manifest)
    for r in results:
        assert r.status == "loaded", r.message
        assert r.rows_read == manifest[r.file]["rows"], r.file
        assert r.rows_read == r.rows_loaded + r.rows_quarantined
        (loaded,) = con.execute(
            f"select count(*) from raw.{r.source} where _file = ?", [r.file]
        ).fetchall()[0]
        (quarantined,) = con.execute(
            "select count(*) from raw.quarantine where file_name = ?", [r.file]
        ).fetchall()[0]
        assert (loaded, quarantined) == (r.rows_loaded, r.rows_quarantined), r.file


def test_injected_defects_land_in_quarantine_with_reasons(ingested, town_exports):
    con, _ = ingested
    checked = 0
    for file, info in _manifest(town_exports).items():
        for defect in info["defects"]:
            rows = con.execute(
                "select reason, original_values from raw.quarantine "
                "where file_name = ? and row_number = ?",
                [file, defect["row"]],
            ).fetchall()
            if defect["kind"] in QUARANTINED_KINDS:
                assert rows, f"{file} row {defect['row']} ({defect['kind']}) was not quarantined"
                reason = rows[0][0]
                expected = {
                    "bad_date": "bad date",
                    "duplicate": "exact duplicate of data row",
                    "negative_duration": "is before",
                    "bad_enum": "not one of",
                }[defect["kind"]]
                assert expected in reason, (file, defect, reason)
                assert json.loads(rows[0][1]), "original values are kept"
                checked += 1
            elif defect["kind"] == "unknown_handler":
                assert not rows, f"{file} row {defect['row']}: unknown handler must be loaded"
    assert checked > 20


def test_unknown_handlers_are_loaded_not_quarantined(ingested, town_exports):
    con, _ = ingested
    unknown = [
        (file, d["row"])
        for file, info in _manifest(town_exports).items()
        if info["source"] == "approvals"
        for d in info["defects"]
        if d["kind"] == "unknown_handler"
    ]
    assert unknown
    for file, row in unknown:
        found = con.execute(
            "select handler_id from raw.approvals where _file = ? and _row = ?", [file, row]
        ).fetchall()
        assert found, (file, row)


def test_same_file_twice_is_skipped(ingested, town_exports):
    con, _ = ingested
    first = sorted(town_exports.glob("approvals_*.csv"))[0]
    (before,) = con.execute("select count(*) from raw.approvals").fetchall()[0]
    [again] = ingest_paths(con, [first])
    assert again.status == "skipped" and "already loaded" in again.message
    (after,) = con.execute("select count(*) from raw.approvals").fetchall()[0]
    assert before == after


def test_cli_reports_accounting_and_refuses_unreadable_file(tmp_path, town_exports):
    garbage = tmp_path / "tickets_broken.xlsx"
    garbage.write_bytes(b"this is not a workbook")
    good = sorted(town_exports.glob("cases_*.csv"))[0]
    home = tmp_path / "home"
    result = CliRunner().invoke(app, ["ingest", "--home", str(home), str(good), str(garbage)])
    assert result.exit_code == 1, result.output
    assert "tickets_broken.xlsx: refused: not a readable Excel workbook" in result.output
    expected_rows = _manifest(town_exports)[good.name]["rows"]
    line = next(x for x in result.output.splitlines() if good.name in x and "│" in x)
    cells = [c.strip() for c in line.split("│") if c.strip()]
    read, loaded, quarantined = map(int, cells[2:5])
    assert read == expected_rows == loaded + quarantined
    # the good file's rows reached the served warehouse; the refused one left a log entry only
    con = duckdb.connect(str(home / "warehouse.duckdb"), read_only=True)
    statuses = dict(con.execute("select file_name, status from raw.loads").fetchall())
    con.close()
    assert statuses == {good.name: "loaded", garbage.name: "refused"}


def test_unknown_header_is_named_with_closest_known(tmp_path):
    bad = tmp_path / "approvals_odd.csv"
    bad.write_text(
        "办件编号,事项编码,承办工号,受理时间,承诺时限,办件状态\n"
        "A1,SP001,G0001,2025-03-03 09:00,5,办结\n",
        encoding="utf-8",
    )
    result = CliRunner().invoke(app, ["ingest", "--home", str(tmp_path / "h"), str(bad)])
    assert result.exit_code == 1
    assert "missing required column(s) handler_id (承办人工号)" in result.output
    assert "unknown header '承办工号' (closest known: 承办人工号" in result.output


def test_gb18030_csv_reads_like_utf8(tmp_path):
    text = "工单编号,承办人工号,派单时间,状态\nT1,G0001,2025-03-03 09:00,办结\n"
    a, b = tmp_path / "a.csv", tmp_path / "b.csv"
    a.write_bytes(text.encode("gb18030"))
    b.write_bytes(text.encode("utf-8-sig"))
    con = duckdb.connect()
    ra, rb = ingest_paths(con, [a, b])
    assert (ra.status, rb.status) == ("loaded", "loaded")
    assert ra.rows_loaded == rb.rows_loaded == 1


def _loaded_content(con: duckdb.DuckDBPyConnection) -> dict[str, list]:
    """Every raw table's rows and the quarantine, without the per-run load ids and times."""
    tables = [
        r[0]
        for r in con.execute(
            "select table_name from information_schema.tables where table_schema = 'raw' "
            "and table_name <> 'loads' order by 1"
        ).fetchall()
    ]
    content = {}
    for table in tables:
        cols = [
            c
            for (c,) in con.execute(
                "select column_name from information_schema.columns "
                "where table_schema = 'raw' and table_name = ? "
                "and column_name not in ('_load_id', '_load_seq', 'load_id', 'quarantined_at') "
                "order by ordinal_position",
                [table],
            ).fetchall()
        ]
        select = ", ".join(f'"{c}"' for c in cols)
        content[table] = con.execute(f"select {select} from raw.{table} order by all").fetchall()
    return content


def test_reader_processes_and_threads_load_the_same_rows(tmp_path, town_exports, monkeypatch):
    """A large ingest reads on processes, a small one on threads: both must load the same.
    On processes, a file large enough to fill a batch alone is validated by its reader, and
    its validation is documented with the others (here from 5,000 rows, so that the town's
    larger files are validated by readers and its smaller ones in batches)."""
    import ingest.run as run
    from ingest import expectations

    files = sorted(p for p in town_exports.iterdir() if p.suffix in (".csv", ".xlsx"))[:12]
    loaded, documented = {}, {}
    for kind, threshold, batch in (
        ("processes", 0, run.BATCH_ROWS),
        ("processes validating", 0, 5_000),
        ("threads", 1 << 60, run.BATCH_ROWS),
    ):
        monkeypatch.setattr(run, "PROCESS_READ_BYTES", threshold)
        monkeypatch.setattr(run, "BATCH_ROWS", batch)
        pool = run._reader_pool(files)
        assert type(pool).__name__ == (
            "ProcessPoolExecutor" if kind.startswith("processes") else "ThreadPoolExecutor"
        )
        pool.shutdown()
        with duckdb.connect(str(tmp_path / f"{kind}.duckdb")) as con:
            results = ingest_paths(con, files)
            assert all(r.status == "loaded" for r in results), [r.message for r in results]
            loaded[kind] = (
                [(r.file, r.rows_read, r.rows_loaded, r.rows_quarantined) for r in results],
                _loaded_content(con),
            )
            documented[kind] = expectations.validated_in_run()
    assert sum(len(rows) for rows in loaded["threads"][1].values()) > 10_000
    assert loaded["processes"] == loaded["threads"]
    assert loaded["processes validating"] == loaded["threads"]
    big = [r for r in loaded["threads"][0] if r[1] >= 5_000]
    assert len(big) >= 2
    # every file validated alone has its own validation in the docs, besides the batches
    assert documented["processes validating"] >= len(big) + 1
    assert documented["processes validating"] > documented["processes"]
