"""Memoize the slowest pages' default queries before their first reader.

The dashboard memoizes every warehouse query per warehouse file, so the first reader after the
server starts, or after a refresh swaps in a new file, pays for cold queries: about 0.3 s of
the result-utilization page's first render at town scale. A page module may define
`warm(path)`, which runs the queries its views share (a default view's, or every period's
where a period's are shared by everyone who looks); a daemon thread of the serving process
calls those when the server starts and whenever the warehouse file changes, and a gunicorn
worker waits for the first round (up to `BOOT_WAIT_S`) before it serves. Nothing is rendered
for anyone and nothing is audited: only query results are memoized, and they are keyed by the
file, so a warm-up can never show one file's figures for another. Per-person reads are not
warmed: they are many, and each is cheap next to the view built from them.

Only servers (`townperf serve`, gunicorn) start it; the tests' apps do not, because the tests
write to the files their apps read, and a warm-up holding a read connection would take the
file's lock at random moments.
"""

from __future__ import annotations

import logging
import sys
import threading
import time
from collections.abc import Callable
from pathlib import Path

import dash
import flask

from dashboard.context import SETTINGS_KEY
from warehouse.queries import WarehouseUnavailable, _file_identity, session

log = logging.getLogger(__name__)
CHECK_EVERY_S = 15.0
# How long a gunicorn worker waits for its first warm-up before it serves: within gunicorn's
# default 30 s for a worker to start (a longer warm-up goes on beside the first requests).
BOOT_WAIT_S = 15.0


def warmers() -> list[tuple[str, Callable[[Path], object]]]:
    """(page module, its `warm`) for every registered page that has one."""
    found = []
    for page in dash.page_registry.values():
        module = sys.modules.get(page["module"])
        warm = getattr(module, "warm", None)
        if callable(warm):
            found.append((page["module"], warm))
    return found


def warm_once(server: flask.Flask) -> list[str]:
    """Run every page's `warm` on the served warehouse; the pages warmed (a failing one is
    logged and skipped: a warm-up must never stop the server)."""
    path = Path(server.config[SETTINGS_KEY].warehouse_path)
    done = []
    with server.app_context(), session(path):
        for name, warm in warmers():
            try:
                warm(path)
            except WarehouseUnavailable:
                return done
            except Exception:  # noqa: BLE001 - logged; the page will simply be cold
                log.exception("warm-up of %s failed", name)
                continue
            done.append(name)
    return done


def start_warmup(
    server: flask.Flask, every_s: float = CHECK_EVERY_S, wait_s: float = 0.0
) -> threading.Thread:
    """Warm now, then again whenever the warehouse file changes (checked every `every_s`).

    With `wait_s`, return once the first warm-up is done or that many seconds have passed: a
    server that starts serving warm answers its first readers as fast as its later ones.
    """
    path = Path(server.config[SETTINGS_KEY].warehouse_path)
    first = threading.Event()

    def loop() -> None:
        warmed_for = None
        while True:
            try:
                identity = _file_identity(path)
            except WarehouseUnavailable:
                identity = None
            if identity is not None and identity != warmed_for:
                started = time.perf_counter()
                pages = warm_once(server)
                warmed_for = identity
                log.info("warmed %s in %.2f s", ", ".join(pages), time.perf_counter() - started)
            first.set()
            time.sleep(every_s)

    thread = threading.Thread(target=loop, name="townperf-warmup", daemon=True)
    thread.start()
    first.wait(wait_s)
    return thread
