"""The cache gunicorn's workers share in production: files in one directory, pruned now and then.

flask-caching's FileSystemCache keeps the number of files it holds in a file of its own, read
twice and rewritten on every `set` to enforce its threshold: under load that bookkeeping cost
more than writing the answer itself, and workers updating it at once could lose counts. Here
each `set` writes only its own file; at most once a minute a process lists the directory and,
past the threshold, removes expired entries, then the oldest.
"""

from __future__ import annotations

import os
import struct
import threading
import time
from typing import Any

from flask_caching.backends.filesystemcache import FileSystemCache

PRUNE_EVERY_SECONDS = 60.0


class SharedFileCache(FileSystemCache):
    """FileSystemCache without the shared count; `threshold` is kept by a periodic prune."""

    def __init__(self, cache_dir: str, threshold: int = 500, **kwargs: Any) -> None:
        super().__init__(cache_dir, threshold=0, **kwargs)  # 0: the parent counts nothing
        self.limit = threshold
        self._next_prune = 0.0
        self._pruning = threading.Lock()

    def set(self, key: str, value: Any, timeout: Any = None, mgmt_element: bool = False) -> bool:
        stored = super().set(key, value, timeout, mgmt_element)
        now = time.monotonic()
        if self.limit and now >= self._next_prune and self._pruning.acquire(blocking=False):
            try:
                self._next_prune = now + PRUNE_EVERY_SECONDS
                self.prune()
            finally:
                self._pruning.release()
        return stored

    def prune(self) -> int:
        """Bring the directory back under the threshold: expired entries first, then those that
        expire soonest, the least recently written first. Returns how many were removed."""
        files = list(self._list_dir())
        if len(files) <= self.limit:
            return 0
        now = time.time()
        expiring: list[tuple[int, int, str]] = []
        removed = 0
        for name in files:
            try:
                with open(name, "rb") as fh:
                    expires = struct.unpack("I", fh.read(4))[0]
                    written = os.fstat(fh.fileno()).st_mtime_ns
                if expires != 0 and expires < now:
                    os.remove(name)
                    removed += 1
                else:
                    expiring.append((expires or 2**32, written, name))
            except (OSError, struct.error):  # removed meanwhile by another worker, or torn
                continue
        surplus = len(expiring) - self.limit
        for *_, name in sorted(expiring)[: max(surplus, 0)]:
            try:
                os.remove(name)
                removed += 1
            except OSError:
                continue
        return removed
