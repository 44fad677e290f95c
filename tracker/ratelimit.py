"""The limiter's counts must be seen by every process that serves requests.

``memory://`` counts inside one process. That is right for ``scripts/run`` (waitress, one process), but
under gunicorn with several workers each worker would count on its own: every limit (login guessing, the
status codes) would be multiplied by the number of workers, and an attacker is served by whichever worker
has budget left. So with several server processes the app refuses to start unless the storage is one they
share (``TRACKER_RATELIMIT_STORAGE_URI=redis://…``).
"""
from __future__ import annotations

import os
import sys
from urllib.parse import urlsplit

from flask import Flask

PER_PROCESS_SCHEMES = {"memory"}


def server_processes() -> int:
    """How many processes serve this app: the worker count of the gunicorn (or uWSGI) running it, else 1.

    gunicorn's arbiter puts ``SERVER_SOFTWARE=gunicorn/…`` in the environment its workers inherit; the
    worker count is then read the way gunicorn itself resolved it (command line, ``GUNICORN_CMD_ARGS``,
    the config file, ``WEB_CONCURRENCY``). If that cannot be read, it is taken as several.
    """
    if "gunicorn" in os.environ.get("SERVER_SOFTWARE", "").lower():
        try:
            from gunicorn.app.wsgiapp import WSGIApplication

            return int(WSGIApplication().cfg.workers)
        except (Exception, SystemExit):  # an unusual launcher: assume the worst
            return 2
    uwsgi = sys.modules.get("uwsgi")
    if uwsgi is not None:
        return int(getattr(uwsgi, "numproc", 2))
    return 1


def check_storage(app: Flask) -> None:
    """Refuse to start with a per-process limiter storage under a multi-process server."""
    if not app.config.get("RATELIMIT_ENABLED", True):
        return
    uri = str(app.config.get("RATELIMIT_STORAGE_URI") or "memory://")
    if urlsplit(uri).scheme not in PER_PROCESS_SCHEMES:
        return
    processes = server_processes()
    if processes > 1:
        raise RuntimeError(
            f"Máy chủ chạy {processes} tiến trình nhưng giới hạn tần suất đếm riêng trong từng tiến trình ({uri}): "
            "đặt TRACKER_RATELIMIT_STORAGE_URI=redis://127.0.0.1:6379 (xem README, \"Production\"). "
            f"(The server runs {processes} worker processes but the rate limits are counted per process ({uri}): "
            "set TRACKER_RATELIMIT_STORAGE_URI to a store every worker shares, e.g. redis://127.0.0.1:6379.)"
        )
