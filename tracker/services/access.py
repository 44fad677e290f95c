"""Who may see and change what: units in scope, and role permissions.

The 2025 mergers: the records of the communes merged into a user's unit (whole chain, see
tracker.services.operations.lineage) are *readable* by its users (lists, pages, search, log book, API reads):
:func:`can_see_unit` / :func:`writable_unit` stay the unit's own scope (the scope of new records),
:func:`can_read_unit` / :func:`read_filter` add the former communes. The new commune's People's Committee
takes over the old communes' duties, so their *open work* — a letter not yet handled, an open case
(:func:`is_open_work`) — is continued by the new commune's users with the usual role rules
(:func:`continues`, :func:`may_work_on`); everything else of a former commune (closed cases, handled
letters, the log book's visits) stays history: :func:`check_writable` refuses it with
``merged_read_only`` (403). The record keeps its ``unit_id``; :func:`acting_unit_id` is the unit whose
staff do the work (the handler to assign, the mediation groups, the unit written on the timeline).
"""
from __future__ import annotations

from typing import Any

from flask_babel import lazy_gettext as _l
from sqlalchemy import Select
from sqlalchemy import event
from sqlalchemy import select
from sqlalchemy.orm import Session

from tracker.extensions import db
from tracker.messages import MESSAGES
from tracker.models import Attachment
from tracker.models import Case
from tracker.models import Letter
from tracker.models import Unit
from tracker.models import User
from tracker.services.errors import ForbiddenError
from tracker.services.errors import NotFoundError
from tracker.services.operations import lineage

MESSAGES.update({
    "merged_read_only": _l("This record belongs to the former commune %(old)s (merged into %(into)s on %(on)s): "
                           "it can be read here, not changed."),
})

# Who may do what: the one table. The web (views and templates through ``may()``), the API and the use cases
# all ask it, by permission name, through :func:`can` (or :func:`roles_with` inside a query).
PERMISSIONS: dict[str, tuple[str, ...]] = {
    # Roles that see the units below their own (an inspector follows subordinate units; an admin manages them).
    "units.below": ("inspector", "admin"),
    # The unit's leaders resolve its denunciations and complaints (Luật TC Điều 13, 31; Luật KN Điều 18: the
    # chairperson; vice-chairs by delegation): they assign, and they see the unit's denouncers.
    "cases.lead": ("chair", "vice_chair"),
    # Who may be given a case or a letter to handle: the unit's handlers and leaders, never an administrator.
    "cases.assignee": ("handler", "chair", "vice_chair"),
    # The head of the unit (and the administrator) deletes a row of the log book or an attachment.
    "visits.delete": ("admin", "chair"),
    "attachments.delete": ("admin", "chair"),
    "weekly.read": ("chair", "vice_chair", "admin", "inspector", "handler"),
    "weekly.review": ("chair", "vice_chair"),
    "instructions.give": ("chair", "vice_chair"),
    "reports.read": ("chair", "vice_chair", "admin", "inspector"),
    "reports.build": ("chair", "vice_chair", "admin"),  # on demand
    "reports.edit": ("chair", "vice_chair"),  # the narrative, and marking a report final
    "reminders.receive": ("chair",),  # the weekly reminder of due dates
    "exchange.export": ("chair", "vice_chair"),
    "exchange.import": ("admin", "chair"),
    # The chairperson alone lets another staff member see a denouncer (Luật TC Điều 47: need to know).
    "identity.grant": ("chair",),
    # Writing a record of a unit below one's own (an administrator manages the communes under it).
    "units.write_below": ("admin",),
    "inbox.read": ("admin", "chair", "vice_chair", "receptionist", "handler", "inspector"),
    "visits.read": ("admin", "chair", "vice_chair", "receptionist", "handler", "inspector"),
    "visits.write": ("admin", "chair", "vice_chair", "receptionist"),
    "citizens.read": ("admin", "chair", "vice_chair", "receptionist", "handler", "inspector"),
    "citizens.write": ("admin", "chair", "vice_chair", "receptionist"),
    "letters.read": ("admin", "chair", "vice_chair", "receptionist", "handler", "inspector"),
    "letters.write": ("admin", "chair", "vice_chair", "receptionist"),
    "letters.handle": ("admin", "chair", "vice_chair", "handler"),
    "cases.read": ("admin", "chair", "vice_chair", "receptionist", "handler", "inspector"),
    "cases.act": ("admin", "chair", "vice_chair", "handler"),
    "mediation.manage": ("admin", "chair", "vice_chair"),
    "import.visits": ("admin", "chair", "receptionist"),
    "admin.users": ("admin",),
    "admin.units": ("admin",),
    # Installation-wide legal data (deadline rules, calendar, rule values, legal updates): read by unit
    # admins, changed by the installation-level role alone, which no other permission names.
    "admin.rules": ("admin", "sysadmin"),
    "rules.edit": ("sysadmin",),
    # How sure a legal source is ("Chưa chắc chắn"): a matter for those who check and correct the rules,
    # not a badge on a handler's daily screens (an uncertain due date still says so in its explanation).
    "rules.certainty": ("admin", "sysadmin"),
    "audit.read": ("admin", "inspector"),
    # An admin of a top-level unit also reads the audit rows of no unit (rule values, links).
    "audit.installation": ("admin",),
}


def can(user: User, permission: str) -> bool:
    return user.role in PERMISSIONS.get(permission, ())


def roles_with(permission: str) -> tuple[str, ...]:
    """The roles holding ``permission``, for a query (``User.role.in_(roles_with(...))``)."""
    return PERMISSIONS[permission]


SUBTREE_ROLES = roles_with("units.below")


def visible_units_query(user: User) -> Select[int]:
    """IDs of the units whose data ``user`` may see, as a subquery-ready SELECT."""
    if user.role in SUBTREE_ROLES:
        prefix = _subtree_path(user) or "/-/"
        return select(Unit.id).where(Unit.path.startswith(prefix, autoescape=True))
    return select(Unit.id).where(Unit.id == user.unit_id)


def _subtree_path(user: User) -> str | None:
    """The path under which a subtree role sees every unit: its own unit's (None if that unit is gone)."""
    own = db.session.get(Unit, user.unit_id)
    return own.path if own else None


def unit_filter(column: Any, user: User) -> Any:
    """``column`` restricted to the units ``user`` may see: a plain equality for a user of one
    unit, so the (unit_id, …) indexes also give the order of the list without sorting."""
    if user.role in SUBTREE_ROLES:
        return column.in_(visible_units_query(user))
    return column == user.unit_id


def can_see_unit(user: User, unit_id: int) -> bool:
    if unit_id == user.unit_id:
        return True
    if user.role not in SUBTREE_ROLES:
        return False
    own = db.session.get(Unit, user.unit_id)
    unit = db.session.get(Unit, unit_id)
    return bool(own and unit and unit.path.startswith(own.path))


def writable_unit(user: User, unit_id: int | None = None) -> Unit:
    """The unit a write goes to: the user's own unless an admin names one below it."""
    target = unit_id or user.unit_id
    if user.role == "inspector":
        raise ForbiddenError("forbidden")
    if target != user.unit_id and not (can(user, "units.write_below") and can_see_unit(user, target)):
        raise ForbiddenError("forbidden")
    unit = db.session.get(Unit, target)
    if unit is None:
        raise NotFoundError("unit_not_found")
    return unit


# --- the former communes (mergers): read, never write -------------------------------------------------

def _roots(user: User) -> Any:
    return visible_units_query(user) if user.role in SUBTREE_ROLES else user.unit_id


_PREDECESSORS = "access.predecessor_ids"


def predecessor_ids(user: User) -> list[int]:
    """Ids of the units merged into the units ``user`` sees (whole chain), in one query; usually none.

    Asked several times by one page (its filter, its list, its labels): the answer is kept for the
    transaction, and forgotten as soon as it ends or a unit is written (see _forget_predecessors)."""
    session = db.session()
    key = (user.id, user.role, user.unit_id)
    kept: tuple[Any, dict[tuple[int, str, int], list[int]]] | None = session.info.get(_PREDECESSORS)
    transaction = session.get_transaction()
    if kept is not None and transaction is not None and kept[0] is transaction and key in kept[1]:
        return list(kept[1][key])
    if user.role in SUBTREE_ROLES:
        prefix = _subtree_path(user)
        ids = lineage.predecessor_ids_under(prefix) if prefix else []
    else:
        ids = lineage.predecessor_ids_of_unit(user.unit_id)
    transaction = session.get_transaction()  # begun by the query if it was not
    if kept is None or kept[0] is not transaction:
        kept = (transaction, {})
        session.info[_PREDECESSORS] = kept
    kept[1][key] = ids
    return list(ids)


@event.listens_for(Session, "after_flush")
def _forget_predecessors(session: Session, _context: Any) -> None:
    if any(isinstance(row, Unit) for row in (*session.new, *session.dirty, *session.deleted)):
        session.info.pop(_PREDECESSORS, None)


@event.listens_for(Session, "after_soft_rollback")
def _forget_on_rollback(session: Session, _previous: Any) -> None:
    session.info.pop(_PREDECESSORS, None)


def predecessor_units(user: User) -> dict[int, Unit]:
    """The former communes whose records ``user`` reads (and may not change), by id, in one query."""
    ids = predecessor_ids(user)
    if not ids:
        return {}
    units = db.session.scalars(select(Unit).where(Unit.id.in_(ids)).order_by(Unit.code))
    return {u.id: u for u in units if not can_see_unit(user, u.id)}


def read_filter(column: Any, user: User, *, merged: bool = True, only_merged: bool = False) -> Any:
    """``column`` restricted to the units whose records ``user`` may read: :func:`unit_filter`, plus
    (``merged``) the communes merged into them; ``only_merged``: the former communes' records alone.
    One query to know the former communes; without any, exactly :func:`unit_filter`."""
    if not (merged or only_merged):
        return unit_filter(column, user)
    former = predecessor_ids(user)
    if only_merged:
        return column.in_(former) if former else column.is_(None)
    if not former:
        return unit_filter(column, user)
    return unit_filter(column, user) | column.in_(former)


def is_merged_away(user: User, unit_id: int) -> bool:
    """A unit outside ``user``'s own scope, merged (directly or through a chain) into a unit in it."""
    if can_see_unit(user, unit_id):
        return False
    chain = lineage.predecessor_ids_query(_roots(user)).subquery()
    return db.session.scalar(select(chain.c.id).where(chain.c.id == unit_id).limit(1)) is not None


def can_read_unit(user: User, unit_id: int) -> bool:
    """The records of ``unit_id`` are readable by ``user``: its own scope, or a former commune of it."""
    return can_see_unit(user, unit_id) or is_merged_away(user, unit_id)


def check_readable(user: User, unit_id: int) -> None:
    """Refuse as "not found" what ``user`` may not read."""
    if not can_read_unit(user, unit_id):
        raise NotFoundError("not_found")


def merged_read_only_error(unit_id: int) -> ForbiddenError:
    """The 403 for a write to a former commune's record: which commune, into which, since when."""
    steps = lineage.successor_steps(unit_id)
    first = steps[0] if steps else None
    return ForbiddenError("merged_read_only", old=first.old.name if first else "",
                          into=first.into.name if first else "",
                          on=first.on.strftime("%d/%m/%Y") if first and first.on else "")


def is_open_work(record: object) -> bool:
    """Work a merged commune hands over to the one it was merged into: a letter not yet handled
    (``registered``) or an open case; a file follows its case (or else its letter). Visits (the log book),
    closed cases and handled letters are history."""
    if isinstance(record, Case):
        return bool(record.is_open)
    if isinstance(record, Letter):
        return record.status == "registered"
    if isinstance(record, Attachment):
        owner = (db.session.get(Case, record.case_id) if record.case_id
                 else db.session.get(Letter, record.letter_id) if record.letter_id else None)
        return owner is not None and is_open_work(owner)
    return False


def continues(user: User, record: Any) -> bool:
    """``user``'s unit continues this former commune's open work (it was merged into it, whole chain)."""
    return is_open_work(record) and is_merged_away(user, record.unit_id)


def may_work_on(user: User, record: Any) -> bool:
    """The record is in ``user``'s own scope, or is open work of a former commune of it (the role rules of
    each action still apply)."""
    return can_see_unit(user, record.unit_id) or continues(user, record)


def acting_unit_id(user: User, record: Any) -> int:
    """The unit doing the work on ``record``: its own unit, or the user's unit when it continues a former
    commune's open work (its staff are the handlers to choose from, its mediation groups, its timeline mark)."""
    return int(record.unit_id) if can_see_unit(user, record.unit_id) else int(user.unit_id)


def check_writable(user: User, target: int | Any) -> None:
    """A change to a record (or to a record of the unit ``target``): in ``user``'s own scope (the rules of
    each write still apply), or a former commune's open work (:func:`continues`); 403 ``merged_read_only``
    for the rest of a former commune's records, "not found" for anything else."""
    unit_id = target if isinstance(target, int) else target.unit_id
    if can_see_unit(user, unit_id):
        return
    if is_merged_away(user, unit_id):
        if not isinstance(target, int) and is_open_work(target):
            return
        raise merged_read_only_error(unit_id)
    raise NotFoundError("not_found")


# --- ownership: who assigns a case, who moves it on, who may be given one ---------------------------------

MESSAGES.update({
    "assign_leaders_only": _l("Only the chairperson or a vice-chair assigns or re-assigns a case or a letter."),
    "not_your_case": _l("This case is assigned to another handler: only that handler, the chairperson or a "
                        "vice-chair may move it on."),
})

LEADER_ROLES = roles_with("cases.lead")


def is_leader_for(user: User, record: Any) -> bool:
    """The chairperson or a vice-chair of the unit doing the work on ``record`` (its own, or the commune that
    continues a former commune's open work)."""
    return user.role in LEADER_ROLES and (user.unit_id == record.unit_id or continues(user, record))


def may_move_case(user: User, case: Case) -> bool:
    """Case steps are the assigned handler's and the leaders' (Luật TC Điều 31; Luật KN Điều 28: the chairperson
    resolves, the handler verifies on the chairperson's assignment)."""
    if is_leader_for(user, case):
        return True
    return user.role in PERMISSIONS["cases.act"] and case.handler_id is not None and case.handler_id == user.id \
        and may_work_on(user, case)


def check_case_step(user: User | None, case: Case, action: str, handler_id: int | None) -> None:
    """:raises ForbiddenError: an assignment (or a handler named in any step) by someone not a leader, or a
    step by someone who is neither the assigned handler nor a leader. ``user`` None: the system's own jobs."""
    if user is None:
        return
    names_someone = handler_id is not None and handler_id != case.handler_id
    if (action == "assign" or names_someone) and not is_leader_for(user, case):
        raise ForbiddenError("assign_leaders_only")
    if not may_move_case(user, case):
        raise ForbiddenError("not_your_case")


def assignable_handlers(unit_ids: list[int]) -> Select[User]:
    """The active handlers and leaders of these units, by name: the choices every form offers."""
    return (select(User).where(User.unit_id.in_(unit_ids), User.active.is_(True),
                               User.role.in_(roles_with("cases.assignee")))
            .order_by(User.full_name, User.username, User.id))


def handler_units(record: Any) -> list[int]:
    """Units whose staff (and mediation groups) may take a case or a letter: its own, and for a commune merged
    into another the communes that continue its open work (whole chain)."""
    return [record.unit_id, *lineage.successor_ids(record.unit)]


def is_assignable(handler_id: int, unit_ids: list[int]) -> bool:
    """Checked on the server in every path that names a handler (web, API, import): never another commune's
    user, an administrator, an inspector or an inactive account."""
    return db.session.scalar(assignable_handlers(unit_ids).where(User.id == handler_id).limit(1)) is not None
