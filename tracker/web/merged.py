"""The former communes' records on the web pages (the 2025 mergers): readable by the users of the commune
they were merged into (whole chain), never changed by them.

- :func:`check_readable` / :func:`check_writable`: 404 for what the user may not read; a 403 page naming
  the former commune for a change to one of its records — except its open work (a letter not yet handled,
  an open case), which the new commune continues (tracker.services.access.continues).
- :func:`records_scope`: the lists' ``records`` filter — ``""`` this commune and its former communes
  (the default), ``own`` this commune only, ``former`` the former communes only.
- template globals ``merger_note(unit_id)`` (the note "Belongs to the former commune …") and
  ``former_units()`` (the former communes of the user, for the lists' marks and the filter).
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any

from flask import Blueprint
from flask import abort
from flask import g
from flask import make_response
from flask import render_template
from flask import request
from flask_babel import gettext as _
from flask_login import current_user

from tracker.messages import message
from tracker.models import Unit
from tracker.services import access
from tracker.services.errors import ForbiddenError
from tracker.services.errors import NotFoundError
from tracker.services.operations import lineage

RECORD_SCOPES = ("", "own", "former")


def refusal_page(error: ForbiddenError):  # type: ignore[no-untyped-def]
    """The 403 page with the message of ``error`` (e.g. which former commune the record belongs to)."""
    return make_response(render_template("errors/error.html", code=403, title=_("Access denied"),
                                         text=message(error.code, **error.params)), 403)


def check_readable(unit_id: int) -> None:
    if not access.can_read_unit(current_user, unit_id):
        abort(404)


def check_writable(target: int | Any) -> None:
    """Abort unless a change to ``target`` (a record, or a record of that unit id) is within the user's own
    scope or is a former commune's open work that its unit continues."""
    try:
        access.check_writable(current_user, target)
    except ForbiddenError as exc:
        abort(refusal_page(exc))
    except NotFoundError:
        abort(404)


def is_former(unit_id: int) -> bool:
    """A former commune's record for this user (its citizens and mediation groups are not this commune's)."""
    return access.is_merged_away(current_user, unit_id)


def is_read_only(target: int | Any) -> bool:
    """A former commune's record that this user may only read: any record of ``target`` as a unit id, or
    the record ``target`` unless it is open work that the user's commune continues."""
    unit_id = target if isinstance(target, int) else target.unit_id
    if not access.is_merged_away(current_user, unit_id):
        return False
    return isinstance(target, int) or not access.is_open_work(target)


def records_scope() -> str:
    value = request.args.get("records", "")
    return value if value in RECORD_SCOPES else ""


def read_filter(column):  # type: ignore[no-untyped-def]
    """The lists' unit condition for the current user and the ``records`` filter."""
    scope = records_scope()
    return access.read_filter(column, current_user, merged=scope != "own", only_merged=scope == "former")


@dataclass
class MergerNote:
    steps: list[lineage.Step]
    read_only: bool
    # Open work (a letter not yet handled, an open case): the commune that continues it, and since when.
    continued_by: Unit | None = None
    continued_on: date | None = None


def merger_note(unit_id: int, record: Any = None) -> MergerNote | None:
    """For a record's page: the mergers from its unit to the one holding it now, whether the current user
    may only read it, and for open work (``record``) the commune that continues it; None for a unit never
    merged."""
    steps = lineage.successor_steps(unit_id)
    if not steps:
        return None
    target = record if record is not None else unit_id
    note = MergerNote(steps, current_user.is_authenticated and is_read_only(target))
    if record is not None and access.is_open_work(record):
        note.continued_by, note.continued_on = steps[-1].into, steps[-1].on
    return note


def former_units() -> dict[int, Unit]:
    """The current user's former communes (records readable, not writable), once per request."""
    if "former_units" not in g:
        g.former_units = access.predecessor_units(current_user) if current_user.is_authenticated else {}
    return g.former_units  # type: ignore[no-any-return]


def install(bp: Blueprint) -> None:
    """Make ``merger_note`` and ``former_units`` available to every template."""
    bp.add_app_template_global(merger_note, "merger_note")
    bp.add_app_template_global(former_units, "former_units")
