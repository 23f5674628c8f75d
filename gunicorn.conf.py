"""gunicorn settings for serving the dashboard: `gunicorn -c gunicorn.conf.py dashboard.app:server`.

gunicorn names itself in a `Server:` header on every HTTP/1 response, written below the WSGI
application, so the app cannot remove it, and gunicorn offers no setting to turn it off
(benoitc/gunicorn#825). This file runs in the master before the workers fork, so the workers
inherit a response writer that leaves that one header out. HTTP/2, which would name the server
again, is off unless gunicorn is configured for it (it is not, here).
tests/security/test_live_servers.py checks the header on a real gunicorn, so a gunicorn release
that renames this method fails a test instead of bringing the banner back unnoticed.
"""

import os

from gunicorn.http import wsgi

wsgi_app = "dashboard.app:server"

# One worker per core, each answering one request at a time, all taking the next request from
# the one listening socket: a dashboard answer is CPU work under the GIL, so more answers in
# flight than cores only share the cores and lengthen the slowest. At county scale, 20 clients
# that never pause: sync workers p95 about 200 ms, two workers of four threads each about
# 400 ms (BENCHMARKS.md). Sync workers keep no connection open between requests and expect a
# buffering reverse proxy in front for slow clients, as any public deployment has.
worker_class = "sync"
workers = os.cpu_count() or 2

_default_headers = wsgi.Response.default_headers


def _headers_without_banner(self):
    return [line for line in _default_headers(self) if not line.lower().startswith("server:")]


wsgi.Response.default_headers = _headers_without_banner
