"""The web edge's one permission check: 403 unless the signed-in user holds one of the permissions
(tracker.services.access decides who holds what)."""
from __future__ import annotations

from flask import abort
from flask_login import current_user

from tracker.services import access


def need(*permissions: str) -> None:
    if not any(access.can(current_user, p) for p in permissions):
        abort(403)
