"""What a refresh does with bad input, a failing build, and nothing new: the served warehouse
changes only by a complete swap, and the inbox keeps what was not loaded."""

from __future__ import annotations

import pytest
from typer.testing import CliRunner

from ingest.readers import read_file
from tests.refresh.refresh_support import BATCH_A
from townperf import pipeline
from townperf.cli import app
from townperf.dbt import DbtOutcome
from townperf.settings import get_settings

HEADER = "办件编号,事项编码,事项名称,承办人工号,受理时间,办结时间,承诺时限,办件状态,渠道,评价"
ROW = (
    "GSP2025050{i:02d},SP004,农村宅基地建房审批,G0012,{received},2025-05-20 08:52:57,20,"
    "办结,网上,满意"
)


def _mostly_bad_rows() -> str:
    """20 approval cases, 15 of them with a receipt time that is no time at all."""
    rows = [
        ROW.format(i=i, received="待补录" if i < 15 else "2025-05-06 14:22:49") for i in range(20)
    ]
    return "\n".join([HEADER, *rows]) + "\n"


def _missing_required_column() -> str:
    """Every row lacks 受理时间 (received_at): the column itself is missing."""
    drop = HEADER.split(",").index("受理时间")
    lines = [HEADER, *(ROW.format(i=i, received="2025-05-06 14:22:49") for i in range(5))]
    kept = [",".join(c for j, c in enumerate(line.split(",")) if j != drop) for line in lines]
    return "\n".join(kept) + "\n"


def _snapshot(home):
    return {
        "warehouse": (home / "warehouse.duckdb").read_bytes(),
        "inbox": sorted(p.name for p in (home / "inbox").iterdir()),
        "archive": sorted(p.name for p in (home / "archive").iterdir()),
    }


@pytest.mark.parametrize(
    ("content", "expected"),
    [
        (
            _mostly_bad_rows(),
            [
                "bad_approvals.csv (approvals): 15 of 20 rows quarantined (75%, limit 50%)",
                "bad datetime in received_at (受理时间): '待补录' (15 rows)",
            ],
        ),
        (
            _missing_required_column(),
            ["bad_approvals.csv: refused", "missing required column(s) received_at (受理时间)"],
        ),
    ],
    ids=["most-rows-quarantined", "required-column-missing"],
)
def test_input_failing_validation_leaves_the_served_warehouse_byte_identical(
    make_home, small_exports, content, expected
):
    home = make_home(["staff_2025Q1.xlsx"])  # a good file beside the bad one
    staff_rows = len(read_file(small_exports / "staff_2025Q1.xlsx").data)
    (home / "inbox" / "bad_approvals.csv").write_text(content, encoding="utf-8")
    before = _snapshot(home)

    result = CliRunner().invoke(app, ["refresh", "--home", str(home)])

    assert result.exit_code == 1, result.output
    assert "refresh stopped by validation; previous warehouse still serving" in result.stderr
    for text in expected:
        assert text in result.stderr
    # not a terminal: plain progress lines, as in a cron log
    good = (
        f"ingest staff_2025Q1.xlsx: loaded, {staff_rows} read, {staff_rows} loaded, 0 quarantined"
    )
    assert good in result.stderr
    assert _snapshot(home) == before  # warehouse byte-identical, both files still in the inbox
    assert not (home / "warehouse.duckdb.next").exists()
    last = pipeline.read_history(get_settings(home))[0]
    assert last["status"] == "validation_failed"
    assert last["dbt_status"] == "not run" and not last["swapped"]
    assert any("bad_approvals.csv" in problem for problem in last["problems"])


def test_a_failing_dbt_build_exits_2_and_keeps_the_old_warehouse(make_home, monkeypatch):
    """dbt's outcome is forced to a failure here; its real failures reach the same branch."""
    home = make_home(["staff_2025Q1.xlsx"])
    before = _snapshot(home)
    failing = DbtOutcome(False, nodes=5, failures=["fct_person_scores: error: boom"])
    monkeypatch.setattr(pipeline, "run_dbt", lambda *args, **kwargs: failing)

    result = CliRunner().invoke(app, ["refresh", "--home", str(home)])

    assert result.exit_code == 2, result.output
    assert "previous warehouse still serving: dbt build failed: fct_person_scores" in (
        result.stderr
    )
    assert _snapshot(home) == before
    last = pipeline.read_history(get_settings(home))[0]
    assert (last["status"], last["dbt_status"]) == ("failed", "failed")
    assert last["dbt_failures"] == ["fct_person_scores: error: boom"]


def test_nothing_new_archives_without_copying_or_building(make_home):
    home = make_home([BATCH_A[1]])  # the same bytes the baseline already loaded
    served = home / "warehouse.duckdb"
    before = served.stat()
    archived_before = sorted(p.name for p in (home / "archive").iterdir())

    report = pipeline.refresh(get_settings(home))

    assert report.status == "success"
    assert report.dbt_status == "skipped (nothing new)" and not report.swapped
    assert (report.files_skipped, report.archived) == (1, 1)
    assert (served.stat().st_ino, served.stat().st_mtime_ns) == (before.st_ino, before.st_mtime_ns)
    assert not list((home / "inbox").iterdir())
    # the archive already held these bytes under this name: nothing new there either
    assert sorted(p.name for p in (home / "archive").iterdir()) == archived_before


def test_a_load_made_outside_refresh_is_built_by_the_next_refresh(
    make_home, small_exports, monkeypatch
):
    """`townperf ingest` swaps in raw rows without building: an empty-inbox refresh still has
    a build to do, and the one after it has none. (dbt is recorded here, not run.)"""
    home = make_home([])
    settings = get_settings(home)
    pipeline.ingest(settings, [small_exports / "staff_2025Q1.xlsx"])
    builds = []

    def recorded_build(settings, work, command, on_node=None, **_options):
        builds.append(command)
        return DbtOutcome(True, nodes=1)

    monkeypatch.setattr(pipeline, "run_dbt", recorded_build)

    first = pipeline.refresh(settings)
    second = pipeline.refresh(settings)

    assert (first.status, first.dbt_status, first.swapped) == ("success", "success", True)
    assert (second.status, second.dbt_status) == ("success", "skipped (nothing new)")
    assert builds == ["build"]


def test_archive_is_content_addressed_and_never_overwrites(tmp_path):
    settings = get_settings(tmp_path)
    settings.ensure_dirs()
    first = settings.inbox / "tickets.csv"
    first.write_text("a\n1\n")
    one = pipeline.archive_file(settings, first, pipeline.file_sha256(first))
    first.write_text("a\n2\n")  # a later export under the same name
    two = pipeline.archive_file(settings, first, pipeline.file_sha256(first))
    first.write_text("a\n1\n")  # the first bytes again
    again = pipeline.archive_file(settings, first, pipeline.file_sha256(first))

    assert one != two and again == one
    assert one.read_text() == "a\n1\n" and two.read_text() == "a\n2\n"
    assert sorted(p.name for p in settings.archive.iterdir()) == sorted([one.name, two.name])
    assert not first.exists()
