"""The public status look-up shared by the page (/status/) and the API (GET /api/v1/status/{code}):
one budget per address for both, and the status of the code in the request looked up once.

Every lookup counts against a generous general limit, and only wrong codes count against the wrong
codes' limit. A valid code is exempt from that one, so an office behind one address is never refused its
own letters because someone there mistyped (or guessed) ten codes. An unknown code and a malformed one get
the same answer.
"""
from __future__ import annotations

from collections.abc import Callable
from typing import Any

from flask import current_app
from flask import g
from flask import request

from tracker.extensions import limiter
from tracker.services.cases.status import PublicStatus
from tracker.services.cases.status import status_of
from tracker.services.clock import local_today


def _lookup_limit() -> str:
    return str(current_app.config["STATUS_RATE_LIMIT"])


def _miss_limit() -> str:
    return str(current_app.config["STATUS_MISS_LIMIT"])


def _missed(response) -> bool:  # type: ignore[no-untyped-def]
    return response.status_code == 404


def typed_code() -> str:
    return str((request.view_args or {}).get("code") or request.args.get("code", "")).strip()


def lookup_status() -> PublicStatus | None:
    """The status of the code in this request, looked up once (the limiter asks first, then the view)."""
    if "public_status" not in g:
        code = typed_code()
        g.public_status = status_of(code, local_today()) if code else None
    return g.public_status  # type: ignore[no-any-return]


def _valid_code() -> bool:
    return lookup_status() is not None


def shared_status_limits(view: Callable[..., Any]) -> Callable[..., Any]:
    """The page's and the API's one budget: all lookups, and wrong codes only (a valid code is exempt)."""
    view = limiter.shared_limit(_miss_limit, scope="status-misses", deduct_when=_missed,
                                exempt_when=_valid_code)(view)
    return limiter.shared_limit(_lookup_limit, scope="status-lookups")(view)
