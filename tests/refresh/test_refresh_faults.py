"""A refresh killed with SIGKILL anywhere leaves a complete warehouse serving, loses no file,
loads none twice, and the next refresh finishes the work; readers never notice."""

from __future__ import annotations

import hashlib
from types import SimpleNamespace

import pytest

from tests.refresh.refresh_support import (
    BATCH_A,
    BATCH_B,
    Readers,
    copy_home,
    kill_at,
    output,
    served_loads,
    served_scores,
    start_refresh,
)
from townperf.pipeline import FAULT_POINTS, read_history
from townperf.settings import get_settings
from warehouse.store import connect_read

# In the order a refresh meets them. Each killed run is followed by one that gets past the
# point where the previous one died (it is killed further on), and the last runs to the end.
KILL_POINTS = (
    "locked",  # holds the lock, nothing done yet
    "during_ingest",  # some files written into the work copy
    "after_ingest",  # all files in the work copy, before the validation gate and dbt
    "during_dbt",  # dbt has built its first node into the work copy
    "before_swap",  # build complete and recorded, not yet swapped in
    "after_swap",  # new warehouse serving, files not yet archived
    "during_archive",  # (this run has nothing new) one file archived, the others not
)


def _sha(path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def _places(home, exports) -> dict[str, list[str]]:
    """Where each export file is: in the inbox, and/or in the archive under its content
    address (with its bytes intact)."""
    places = {}
    for name in BATCH_A + BATCH_B:
        sha = _sha(exports / name)
        archived = home / "archive" / f"{sha[:16]}_{name}"
        places[name] = [
            spot
            for spot, present in (
                ("inbox", (home / "inbox" / name).exists()),
                ("archive", archived.exists() and _sha(archived) == sha),
            )
            if present
        ]
    return places


@pytest.fixture(scope="module")
def kill_chain(tmp_path_factory, baseline_home, small_exports):
    """The scenario the tests below look at: a refresh of BATCH_B killed at every fault point
    in turn, then one run to the end, while a dashboard's worth of readers keeps reading and
    one more reader holds a connection open throughout."""
    home = copy_home(
        baseline_home, small_exports, tmp_path_factory.mktemp("kill_chain") / "home", BATCH_B
    )
    served = home / "warehouse.duckdb"
    held = connect_read(served)
    after, reads = {}, {}
    with Readers(served) as readers:
        for point in KILL_POINTS:
            before = len(readers.answers)
            kill_at(home, point)
            reads[point] = len(readers.answers) - before
            after[point] = SimpleNamespace(
                scores=served_scores(home),
                loads=served_loads(home),
                places=_places(home, small_exports),
                work_file_left=served.with_name("warehouse.duckdb.next").exists(),
            )
        before = len(readers.answers)
        final = start_refresh(home)
        final.wait(300)
        reads["final"] = len(readers.answers) - before
    held_files = held.execute("select count(*) from raw.loads where status = 'loaded'").fetchall()
    held.close()
    return SimpleNamespace(
        home=home,
        after=after,
        final=final,
        readers=readers,
        reads=reads,
        held_files=held_files[0][0],
    )


def test_sigkill_at_any_point_leaves_a_complete_warehouse_and_loses_nothing(
    kill_chain, small_exports
):
    assert KILL_POINTS == FAULT_POINTS  # every point the refresh offers is tried
    sha = {name: _sha(small_exports / name) for name in BATCH_A + BATCH_B}
    for point, state in kill_chain.after.items():
        assert state.scores > 0, f"killed at {point}: no scores served"
        assert all(n == 1 for n in state.loads.values()), f"killed at {point}: a file loaded twice"
        for name, spots in state.places.items():
            assert len(spots) == 1, f"killed at {point}: {name} in {spots or 'no place'}"
            if spots == ["archive"]:  # archived only once a warehouse holding it serves
                assert sha[name] in state.loads, f"killed at {point}: {name} archived, not served"
        assert all(sha[name] in state.loads for name in BATCH_A)
        new_served = [sha[name] in state.loads for name in BATCH_B]
        if point in ("after_swap", "during_archive"):
            assert all(new_served), f"the new warehouse was swapped in before {point}"
        else:
            assert not any(new_served), f"killed at {point}: a half-done refresh is served"
    assert kill_chain.after["during_dbt"].work_file_left  # the leftover the next run discards

    home, final = kill_chain.home, kill_chain.final
    assert final.returncode == 0, output(final)
    assert "ended without releasing the lock; lock cleared" in output(final)
    assert served_scores(home) > 0
    loads = served_loads(home)
    assert all(loads.get(sha[name]) == 1 for name in BATCH_A + BATCH_B), loads
    assert all(spots == ["archive"] for spots in _places(home, small_exports).values())
    assert not list((home / "inbox").iterdir())
    assert not list(home.glob("warehouse.duckdb.*"))  # no work file, no WAL

    history = read_history(get_settings(home))
    statuses = [run["status"] for run in reversed(history)]  # oldest first
    # the baseline, five runs killed before their swap, the one killed after it (known from
    # the warehouse's own record of it), the one killed while archiving, the final one
    assert statuses == ["success"] + ["interrupted"] * 5 + ["success", "interrupted", "success"]
    swapped = history[2]
    assert (swapped["files_loaded"], swapped["dbt_status"]) == (3, "success")
    last = history[0]
    assert last["dbt_status"] == "skipped (nothing new)"
    assert (last["files_skipped"], last["archived"]) == (2, 2)


def test_readers_keep_answering_while_refreshes_run_and_die(kill_chain):
    readers = kill_chain.readers
    assert not readers.errors, readers.errors[:3]
    # readers were answered while every refresh ran, whichever point it was killed at (a count
    # per run, not a total: a faster machine finishes the chain with fewer reads)
    assert all(n > 0 for n in kill_chain.reads.values()), kill_chain.reads
    assert all(scores > 0 for scores, _ in readers.answers), "a reader saw no scores"
    files_seen = [files for _, files in readers.answers]
    # the old warehouse, then the new one: never anything in between, never back
    assert set(files_seen) == {len(BATCH_A), len(BATCH_A) + len(BATCH_B)}
    assert files_seen == sorted(files_seen)
    # a connection held open all along kept its complete old warehouse, blocked no swap, and
    # did not keep the short-lived readers above on the old file
    assert kill_chain.held_files == len(BATCH_A)
