"""A small built town to refresh: three export files already served, three new ones to load.

Kept small (one staff roster, one approvals and one tickets file per batch) so that a refresh
with a real dbt build takes seconds, and many of them fit in a test run.
"""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from tests.refresh.refresh_support import BATCH_A, BATCH_B, copy_home
from townperf.settings import get_settings


@pytest.fixture(scope="session")
def small_exports(tmp_path_factory) -> Path:
    """Six months of the sample town (seed 7), from the project's own generator."""
    from townperf.generate import generate

    out = tmp_path_factory.mktemp("small_exports")
    generate(out, scale="town", seed=7, months=6)
    return out


@pytest.fixture(scope="session")
def baseline_home(tmp_path_factory, small_exports) -> Path:
    """A home whose served warehouse was built by a real refresh of BATCH_A."""
    from townperf import pipeline

    home = tmp_path_factory.mktemp("baseline_home")
    settings = get_settings(home)
    settings.ensure_dirs()
    for name in BATCH_A:
        shutil.copy(small_exports / name, settings.inbox / name)
    report = pipeline.refresh(settings)
    assert report.status == "success", report.error
    assert report.files_loaded == 3
    return home


@pytest.fixture()
def make_home(tmp_path, baseline_home, small_exports):
    """make_home(names): a copy of the baseline home with those export files in its inbox."""
    count = 0

    def make(names=BATCH_B) -> Path:
        nonlocal count
        count += 1
        return copy_home(baseline_home, small_exports, tmp_path / f"home{count}", names)

    return make
