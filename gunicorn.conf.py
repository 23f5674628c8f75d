"""gunicorn settings for serving the dashboard: `gunicorn -c gunicorn.conf.py dashboard.app:server`.

gunicorn names itself in a `Server:` header on every HTTP/1 response, written below the WSGI
application, so the app cannot remove it, and gunicorn offers no setting to turn it off
(benoitc/gunicorn#825). This file runs in the master before the workers fork, so the workers
inherit a response writer that leaves that one header out. HTTP/2, which would name the server
again, is off unless gunicorn is configured for it (it is not, here).
tests/security/test_live_servers.py checks the header on a real gunicorn, so a gunicorn release
that renames this method fails a test instead of bringing the banner back unnoticed.
"""

from gunicorn.http import wsgi

wsgi_app = "dashboard.app:server"

_default_headers = wsgi.Response.default_headers


def _headers_without_banner(self):
    return [line for line in _default_headers(self) if not line.lower().startswith("server:")]


wsgi.Response.default_headers = _headers_without_banner
