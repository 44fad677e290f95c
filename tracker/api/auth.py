"""Bearer-token authentication and role permissions of the API.

The API never reads the session cookie: it is exempt from CSRF, so it must not trust a browser's
cookie either. Every request names its user with ``Authorization: Bearer TOKEN``. A read-only token
(scope ``read``) is refused here, in one place, for every method but GET and HEAD: no view needs to know.
"""
from __future__ import annotations

from typing import Any

from flask import g
from flask import request

from tracker.api import api_bp
from tracker.api.errors import ApiError
from tracker.models import User
from tracker.models.users import INSTALLATION_ROLES
from tracker.services import access
from tracker.services.operations.tokens import live_token
from tracker.services.privacy.audit import set_actor

READ_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})
# What a token of the installation-level role reaches: the deadline calculator (rule data, no person).
INSTALLATION_ENDPOINTS = frozenset({f"{api_bp.name}.compute_deadline"})
# Endpoints anyone may read without a token.
PUBLIC_ENDPOINTS: set[str] = set()


def public(view):  # type: ignore[no-untyped-def]
    """Mark a view of ``api_bp`` as readable without a token."""
    PUBLIC_ENDPOINTS.add(f"{api_bp.name}.{view.__name__}")
    return view


@api_bp.before_request
def _authenticate() -> None:
    if request.endpoint in PUBLIC_ENDPOINTS:
        return
    scheme, _, token = request.headers.get("Authorization", "").partition(" ")
    token = token.strip()
    row = live_token(token) if scheme.lower() == "bearer" and token else None
    if row is None:
        raise ApiError(401, "unauthorized")
    user = row.user
    if row.scope != "write" and request.method not in READ_METHODS:
        raise ApiError(403, "token_read_only")
    if user.role in INSTALLATION_ROLES and request.endpoint not in INSTALLATION_ENDPOINTS:
        raise ApiError(403, "forbidden")  # the installation-level role sees no unit's data
    g.api_user = user
    set_actor(user.id, user.username)


def api_user() -> User:
    return g.api_user  # type: ignore[no-any-return]


def need(permission: str) -> User:
    """The authenticated user, if its role grants ``permission``; 403 otherwise."""
    user = api_user()
    if not access.can(user, permission):
        raise ApiError(403, "forbidden")
    return user


def need_visible(user: User, unit_id: int) -> None:
    """Another unit's record is "not found" (404), so its id reveals nothing."""
    if not access.can_see_unit(user, unit_id):
        raise ApiError(404, "not_found")


def need_readable(user: User, unit_id: int) -> None:
    """Like :func:`need_visible`, and the visits, letters and cases of the communes merged into the user's
    unit (whole chain) are readable too (read only: see :func:`need_own_unit`)."""
    if not access.can_read_unit(user, unit_id):
        raise ApiError(404, "not_found")


def need_own_unit(user: User, unit_id: int) -> None:
    """Changes stay within the user's own unit; an admin may also change the units below its own. A former
    commune's record (merged into the user's unit) is read only: 403 ``merged_read_only``."""
    if not access.can_see_unit(user, unit_id):
        if access.is_merged_away(user, unit_id):
            raise access.merged_read_only_error(unit_id)
        raise ApiError(404, "not_found")
    if unit_id != user.unit_id and not access.can(user, "units.write_below"):
        raise ApiError(403, "forbidden")


def need_writable(user: User, record: Any) -> None:
    """:func:`need_own_unit` for a letter or a case, except that the open work of a former commune (a letter
    not yet handled, an open case) is continued by the users of the commune it was merged into (whole chain);
    its closed records stay read only (403 ``merged_read_only``)."""
    if access.continues(user, record):
        return
    need_own_unit(user, record.unit_id)
