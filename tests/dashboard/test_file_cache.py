"""The cache shared by gunicorn's workers: answers written by one app are read by another over
the same directory, and the directory is kept under its threshold without a shared count."""

from __future__ import annotations

import os
import shutil
import time

from dashboard import file_cache
from dashboard.app import create_app
from dashboard.file_cache import SharedFileCache
from dashboard.response_cache import HEADER
from tests.helpers import render_page
from townperf import users
from townperf.settings import Settings


def _files(path) -> list[str]:
    return [name for name in os.listdir(path) if not name.endswith(".__wz_cache")]


def test_prune_removes_the_expired_then_those_expiring_soonest(tmp_path):
    cache = SharedFileCache(str(tmp_path), threshold=4, default_timeout=600)
    cache._next_prune = time.monotonic() + 3600  # no prune while filling
    for n in range(3):
        cache.set(f"stale{n}", n, timeout=1)
    for n in range(6):
        cache.set(f"fresh{n}", n, timeout=100 + n * 100)
    assert len(_files(tmp_path)) == 9  # nothing else: no count file beside the entries
    time.sleep(1.1)

    assert cache.prune() == 5
    assert len(_files(tmp_path)) == 4
    assert [cache.get(f"fresh{n}") for n in range(6)] == [None, None, 2, 3, 4, 5]
    assert cache.prune() == 0  # at the threshold: nothing to do


def test_a_set_prunes_at_most_once_a_period(tmp_path, monkeypatch):
    cache = SharedFileCache(str(tmp_path), threshold=2, default_timeout=600)
    for n in range(5):
        cache.set(f"k{n}", n)
        time.sleep(0.01)  # written one after the other: the oldest go first
    # the first set pruned (one file then); the next ones wait for the period to pass
    assert len(_files(tmp_path)) == 5
    monkeypatch.setattr(file_cache.time, "monotonic", lambda: time.time() + 10**6)
    cache.set("k5", 5)
    assert len(_files(tmp_path)) == 2
    assert cache.get("k5") == 5


def test_production_workers_share_answers_through_the_directory(built_home, tmp_path):
    shutil.copy(built_home / "warehouse.duckdb", tmp_path / "warehouse.duckdb")
    settings = Settings(home=tmp_path, production=True, secret_key="shared-cache-test-secret")
    users.add_user(tmp_path, "shared-cache-leader", "shared-cache-pw", "leader")
    answers = []
    for _ in range(2):  # two apps over one home: gunicorn's workers
        app = create_app(settings)
        assert isinstance(app.server.extensions["cache"][_cache_key(app)], SharedFileCache)
        client = app.server.test_client()
        login = {"username": "shared-cache-leader", "password": "shared-cache-pw"}
        assert client.post("/login", data=login).status_code == 302
        answers.append(render_page(app, client, "/rankings"))
    first, second = answers
    assert first.status_code == 200 and first.headers.get(HEADER) != "hit"
    assert second.headers.get(HEADER) == "hit" and second.data == first.data
    assert _files(tmp_path / "cache")


def _cache_key(app):
    (key,) = app.server.extensions["cache"]
    return key
