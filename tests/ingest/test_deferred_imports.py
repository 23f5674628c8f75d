"""great-expectations' start-up imports that no suite needs are deferred, not lost."""

from __future__ import annotations

import subprocess
import sys
import textwrap
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def test_an_ingest_runs_its_suites_without_loading_scipy_stats_or_altair(tmp_path):
    """A fresh process (as `townperf refresh` is) ingests a file with a bad row: the suite
    quarantines it, and the modules only the KL-divergence expectation needs stay unloaded
    until that expectation's module reads them."""
    exports = tmp_path / "tickets.csv"
    exports.write_text(
        "工单编号,承办人工号,派单时间,办结时间,状态\n"
        "T1,G0001,2025-03-03 09:00,2025-03-04 09:00,办结\n"
        "T2,G0001,2025-03-05 09:00,2025-03-01 09:00,办结\n",
        encoding="utf-8",
    )
    script = textwrap.dedent(
        f"""
        import sys
        import duckdb
        from ingest.run import ingest_paths

        (result,) = ingest_paths(duckdb.connect(), [{str(exports)!r}])
        print(result.status, result.rows_loaded, result.rows_quarantined)
        print(sorted(m for m in ("scipy.stats._stats_py", "altair.vegalite") if m in sys.modules))
        from great_expectations.expectations.core import (
            expect_column_kl_divergence_to_be_less_than as kl,
        )
        print(round(float(kl.stats.entropy([0.5, 0.5], [0.9, 0.1])), 3), kl.alt.Chart.__name__)
        """
    )
    run = subprocess.run(
        [sys.executable, "-c", script],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=180,
        env={"GX_ANALYTICS_ENABLED": "False", "PATH": "/usr/bin:/bin"},
    )
    assert run.returncode == 0, run.stderr[-2000:]
    accounting, loaded, used = run.stdout.strip().splitlines()[-3:]
    assert accounting == "loaded 1 1"
    assert loaded == "[]"
    # deferred, not broken: the expectation that needs them still gets the real modules
    assert used == "0.511 Chart"
