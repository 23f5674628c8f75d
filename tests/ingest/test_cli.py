"""`townperf ingest` as a person runs it: exit status, the printed accounting and reasons,
`--source`, and a town's own header aliases added without code."""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

import duckdb
import pytest
from typer.testing import CliRunner

from ingest.mapping import mappings
from ingest.run import ingest_paths
from townperf.cli import app
from townperf.generate import generate

REASON_LINE = re.compile(
    r"^(?P<file>\S+): quarantined (?P<n>\d+) row\(s\) \(data row (?P<rows>[^)]*)\): (?P<reason>.+)$"
)


@pytest.fixture(scope="module")
def exports(tmp_path_factory) -> tuple[Path, dict]:
    """Four months of a small town with a raised defect rate, so every file has bad rows."""
    out = tmp_path_factory.mktemp("cli_exports")
    manifest = generate(out, scale="town", seed=3, start="2025-03", months=4, defect_rate=0.02)
    return out, manifest["files"]


def _ingest(*args: str, env: dict | None = None):
    return CliRunner().invoke(app, ["ingest", *args], env=env)


def _table(stdout: str) -> dict[str, list[str]]:
    """The printed table's rows by file: source, read, loaded, quarantined, status."""
    rows = {}
    for line in stdout.splitlines():
        cells = [c.strip() for c in line.split("│")]
        cells = [c for c in cells if c]
        if len(cells) == 6 and cells[0] != "file":
            rows[cells[0]] = cells[1:]
    return rows


def _read_only(home: Path) -> duckdb.DuckDBPyConnection:
    return duckdb.connect(str(home / "warehouse.duckdb"), read_only=True)


def test_quarantined_rows_exit_0_and_the_printout_matches_the_quarantine(tmp_path, exports):
    folder, files = exports
    names = ["cases_2025H1.csv", "tasks_2025.xlsx"]
    home = tmp_path / "home"
    result = _ingest("--home", str(home), *(str(folder / n) for n in names))
    assert result.exit_code == 0, result.output
    table = _table(result.stdout)
    printed: dict[str, dict[str, tuple[int, str]]] = {n: {} for n in names}
    for line in result.stdout.splitlines():
        if m := REASON_LINE.match(line):
            printed[m["file"]][m["reason"]] = (int(m["n"]), m["rows"])
    con = _read_only(home)
    try:
        for name in names:
            source, read, loaded, quarantined, status = table[name]
            assert (source, status) == (files[name]["source"], "loaded")
            read, loaded, quarantined = int(read), int(loaded), int(quarantined)
            assert read == files[name]["rows"] == loaded + quarantined
            assert quarantined > 0, name
            ((in_raw,),) = con.execute(
                f"select count(*) from raw.{source} where _file = ?", [name]
            ).fetchall()
            assert in_raw == loaded
            expected = {}
            for reason, count, rows in con.execute(
                "select reason, count(*), list(row_number order by row_number) "
                "from raw.quarantine where file_name = ? group by reason",
                [name],
            ).fetchall():
                shown = ", ".join(map(str, rows[:10])) + (" …" if len(rows) > 10 else "")
                expected[reason] = (count, shown)
            assert printed[name] == expected, name
            assert sum(n for n, _ in printed[name].values()) == quarantined
    finally:
        con.close()
    reasons = " ".join(r for p in printed.values() for r in p)
    assert "bad date" in reasons and "exact duplicate of data row" in reasons


def test_a_corrupt_warehouse_is_an_internal_error_exit_2(tmp_path, exports):
    folder, _ = exports
    home = tmp_path / "home"
    home.mkdir()
    warehouse = home / "warehouse.duckdb"
    garbage = b"not a duckdb database, a half-copied file\n" * 200
    warehouse.write_bytes(garbage)
    result = _ingest("--home", str(home), str(folder / "cases_2025H1.csv"))
    assert result.exit_code == 2, result.output
    assert result.stderr.startswith("internal error: ")
    assert "Traceback" not in result.output
    assert warehouse.read_bytes() == garbage, "the served file is left as it was"
    assert not (home / "warehouse.duckdb.next").exists()


def test_a_failure_while_printing_the_results_is_exit_2(tmp_path, exports):
    """A console that cannot show Chinese (the reason lines) fails the report, not the load."""
    folder, _ = exports
    home = tmp_path / "home"
    townperf = Path(sys.executable).with_name("townperf")
    env = {**os.environ, "PYTHONIOENCODING": "ascii", "TOWNPERF_HOME": str(home)}
    done = subprocess.run(
        [str(townperf), "ingest", str(folder / "cases_2025H1.csv")],
        env=env,
        capture_output=True,
        timeout=300,
    )
    stderr = done.stderr.decode("ascii", "replace")
    assert done.returncode == 2, stderr
    assert "internal error while printing the results (1 file(s) were loaded" in stderr
    assert "UnicodeEncodeError" in stderr and "Traceback" not in stderr
    con = _read_only(home)
    statuses = con.execute("select file_name, status from raw.loads").fetchall()
    con.close()
    assert statuses == [("cases_2025H1.csv", "loaded")]


def _combined_sheet(path: Path) -> Path:
    """One sheet carrying a rating and a grade: the headers fit ratings and actions both."""
    path.write_text(
        "考核期间,工号,评价主体,得分,最终等次\n"
        "2025,G0001,上级,92,优秀\n"
        "2025,G0002,上级,81,称职\n"
        "2025,G0003,上级,66,基本称职\n",
        encoding="utf-8",
    )
    return path


def test_source_option_decides_what_an_ambiguous_file_is(tmp_path):
    sheet = _combined_sheet(tmp_path / "年度考核汇总.csv")
    detected = _ingest("--home", str(tmp_path / "a"), str(sheet))
    assert detected.exit_code == 0, detected.output
    assert _table(detected.stdout)[sheet.name][0] == "ratings"
    forced = _ingest("--home", str(tmp_path / "b"), "--source", "actions", str(sheet))
    assert forced.exit_code == 0, forced.output
    assert _table(forced.stdout)[sheet.name][:4] == ["actions", "3", "3", "0"]
    assert "warning: unknown header '评价主体'" in forced.stdout
    con = _read_only(tmp_path / "b")
    grades = con.execute("select staff_id, final_grade from raw.actions order by 1").fetchall()
    (ratings,) = con.execute("select count(*) from raw.ratings").fetchone()
    con.close()
    assert grades == [("G0001", "优秀"), ("G0002", "称职"), ("G0003", "基本称职")]
    assert ratings == 0


def test_a_wrong_source_is_refused_with_what_is_missing(tmp_path, exports):
    folder, _ = exports
    cases = str(folder / "cases_2025H1.csv")
    home = tmp_path / "home"
    wrong = _ingest("--home", str(home), "--source", "tickets", cases)
    assert wrong.exit_code == 1, wrong.output
    assert (
        "cases_2025H1.csv: refused: headers do not match source 'tickets': missing required "
        "column(s) ticket_no (工单编号)" in wrong.stdout
    )
    unknown = _ingest("--home", str(home), "--source", "permits", cases)
    assert unknown.exit_code == 1, unknown.output
    known = ", ".join(sorted(mappings()))
    assert f"refused: unknown source 'permits' (known: {known})" in unknown.stdout
    con = _read_only(home)
    counts = con.execute(
        "select (select count(*) from raw.tickets), (select count(*) from raw.cases)"
    ).fetchone()
    con.close()
    assert counts == (0, 0)
    right = _ingest("--home", str(home), "--source", "cases", cases)
    assert right.exit_code == 0, right.output


def _renamed_cases(exports: tuple[Path, dict], target: Path) -> Path:
    """The generated cases export as a system that calls the lead officer 主办执法人员编号."""
    folder, files = exports
    text = (folder / "cases_2025H1.csv").read_bytes().decode(files["cases_2025H1.csv"]["encoding"])
    header, rest = text.split("\n", 1)
    assert "主办人工号" in header
    target.write_text(header.replace("主办人工号", "主办执法人员编号") + "\n" + rest, "utf-8")
    return target


def test_a_town_adds_an_alias_in_its_home_and_the_file_loads(tmp_path, exports):
    files = exports[1]
    home = tmp_path / "home"
    renamed = _renamed_cases(exports, tmp_path / "执法案件_本镇系统.csv")
    env = {"TOWNPERF_HOME": str(home)}
    before = _ingest(str(renamed), env=env)
    assert before.exit_code == 1, before.output
    assert "unknown header '主办执法人员编号'" in before.stdout
    assert f"aliases in {home / 'mappings' / 'cases.toml'}" in before.stdout

    (home / "mappings").mkdir()
    (home / "mappings" / "cases.toml").write_text(
        '[columns.lead_officer_id]\naliases = ["主办执法人员编号"]\n', encoding="utf-8"
    )
    after = _ingest(str(renamed), env=env)
    assert after.exit_code == 0, after.output
    source, read, loaded, quarantined, status = _table(after.stdout)[renamed.name]
    assert (source, status, int(read)) == ("cases", "loaded", files["cases_2025H1.csv"]["rows"])
    con = _read_only(home)
    (officers,) = con.execute(
        "select count(distinct lead_officer_id) from raw.cases where lead_officer_id is not null"
    ).fetchone()
    con.close()
    assert officers > 10
    # the shipped mapping is untouched: another home does not know the alias
    assert "主办执法人员编号" not in mappings()["cases"].known_headers()


def test_ingest_reads_the_aliases_of_the_warehouse_home(tmp_path, exports):
    """What `refresh` (cron, --home) uses: the aliases next to the warehouse being written."""
    renamed = _renamed_cases(exports, tmp_path / "cases_renamed.csv")
    home = tmp_path / "town"
    (home / "mappings").mkdir(parents=True)
    (home / "mappings" / "cases.toml").write_text(
        '[columns.lead_officer_id]\naliases = ["主办执法人员编号"]\n', encoding="utf-8"
    )
    con = duckdb.connect(str(home / "warehouse.duckdb"))
    [result] = ingest_paths(con, [renamed])
    con.close()
    assert result.status == "loaded", result.message
    other = duckdb.connect(str(tmp_path / "elsewhere.duckdb"))
    [refused] = ingest_paths(other, [renamed])
    other.close()
    assert refused.status == "refused"


@pytest.mark.parametrize(
    ("text", "says"),
    [
        (
            '[columns.officer_badge]\naliases = ["执法证号"]\n',
            "cases has no column 'officer_badge'",
        ),
        ('[columns.lead_officer_id]\ntype = "int"\naliases = ["x"]\n', "may only hold aliases"),
        ('[columns.lead_officer_id]\naliases = ["协办人工号"]\n', "would mean both"),
        ("[columns.lead_officer_id\n", "cannot read"),
    ],
)
def test_a_town_mapping_file_that_asks_for_more_than_aliases_is_refused(
    tmp_path, exports, text, says
):
    folder, _ = exports
    home = tmp_path / "home"
    (home / "mappings").mkdir(parents=True)
    (home / "mappings" / "cases.toml").write_text(text, encoding="utf-8")
    result = _ingest("--home", str(home), str(folder / "cases_2025H1.csv"))
    assert result.exit_code == 2, result.output
    assert result.stderr.startswith("bad mapping file, nothing loaded: ")
    assert says in result.stderr
    assert not (home / "warehouse.duckdb").exists()
