"""The chairperson's grants: one named user may see the denouncer of one denunciation, with a reason.

Luật Tố cáo 2018 Điều 47 lets the person who resolves a denunciation decide who else must know the
denouncer (e.g. a verification officer, an inspector). A grant names one user and one record (a letter,
a case or a visit), is shown on that record, is audited, and is withdrawn — never deleted — so the log
of who could see whom stays whole. The gate (tracker.services.privacy.confidentiality) reads live grants.
"""
from __future__ import annotations

from typing import Any

from flask_babel import lazy_gettext as _l
from sqlalchemy import select
from sqlalchemy.orm import selectinload

from tracker.extensions import db
from tracker.messages import MESSAGES
from tracker.models import Case
from tracker.models import IdentityGrant
from tracker.models import Letter
from tracker.models import User
from tracker.models import Visit
from tracker.models.base import utcnow
from tracker.models.users import INSTALLATION_ROLES
from tracker.services import access
from tracker.services.errors import ConflictError
from tracker.services.errors import ForbiddenError
from tracker.services.errors import NotFoundError
from tracker.services.errors import ValidationError
from tracker.services.privacy import audit
from tracker.services.privacy import confidentiality
from tracker.services.transaction import atomic

MESSAGES.update({
    "grant_chair_only": _l("Only the chairperson of the unit grants access to a denouncer's identity."),
    "grant_not_confidential": _l("This record is not confidential: there is nothing to grant."),
    "grant_user_invalid": _l("Choose an active user of the unit who may read this record."),
    "grant_exists": _l("This user already has access to this record."),
    "grant_withdrawn": _l("This access has already been withdrawn."),
})

RECORDS = {"letter": (Letter, "letter_id"), "case": (Case, "case_id"), "visit": (Visit, "visit_id")}
REASON_LIMIT = 2000


def is_confidential(record: Any) -> bool:
    if isinstance(record, Letter):
        return confidentiality.letter_is_confidential(record)
    if isinstance(record, Case):
        return confidentiality.case_is_confidential(record)
    return confidentiality.is_confidential(record)


def record_of(kind: str, record_id: int) -> Any:
    model = RECORDS.get(kind)
    record = db.session.get(model[0], record_id) if model else None
    if record is None:
        raise NotFoundError("not_found")
    return record


def may_grant(user: User, record: Any) -> bool:
    return access.can(user, "identity.grant") and user.unit_id == record.unit_id and is_confidential(record)


def grants_of(record: Any) -> list[IdentityGrant]:
    column = getattr(IdentityGrant, RECORDS[_kind(record)][1])
    return list(db.session.scalars(select(IdentityGrant).where(column == record.id)
                                   .options(selectinload(IdentityGrant.user), selectinload(IdentityGrant.granted_by))
                                   .order_by(IdentityGrant.granted_at, IdentityGrant.id)))


def _grantable(record: Any) -> Any:
    """Who may be given access: an active member of the record's own unit (need to know is the commune's
    business: never an inspector or administrator of a unit above) whom his role does not clear already."""
    return (User.active.is_(True), User.unit_id == record.unit_id, User.role.not_in(access.LEADER_ROLES),
            User.role.not_in(INSTALLATION_ROLES))


def grantable_users(record: Any) -> list[User]:
    """The choices offered: exactly those :func:`grant` accepts."""
    return list(db.session.scalars(select(User).where(*_grantable(record))
                                   .order_by(User.full_name, User.username)))


def _kind(record: Any) -> str:
    return next(k for k, (model, _c) in RECORDS.items() if isinstance(record, model))


@atomic
def grant(chair: User, record: Any, user_id: int | None, reason: str) -> IdentityGrant:
    """:raises ForbiddenError: not the unit's chairperson, or the record is not confidential."""
    if not is_confidential(record):
        raise ForbiddenError("grant_not_confidential")
    if not may_grant(chair, record):
        raise ForbiddenError("grant_chair_only")
    errors: dict[str, str] = {}
    reason = (reason or "").strip()
    if not reason:
        errors["reason"] = "required"
    elif len(reason) > REASON_LIMIT:
        errors["reason"] = "too_long"
    grantee = db.session.scalar(select(User).where(User.id == user_id, *_grantable(record))) \
        if user_id and 0 < user_id < 2**31 else None
    if grantee is None or grantee.id == chair.id:
        errors["user_id"] = "grant_user_invalid"
    if errors:
        raise ValidationError(errors)
    assert grantee is not None
    column = getattr(IdentityGrant, RECORDS[_kind(record)][1])
    if db.session.scalar(select(IdentityGrant.id).where(column == record.id, IdentityGrant.user_id == grantee.id,
                                                        IdentityGrant.withdrawn_at.is_(None))):
        raise ConflictError("grant_exists")
    row = IdentityGrant(unit_id=record.unit_id, user_id=grantee.id, reason=reason, granted_by_id=chair.id,
                        **{RECORDS[_kind(record)][1]: record.id})
    db.session.add(row)
    db.session.flush()
    audit.record_event(db.session, "identity_grant", "identity_grants", row.id, record.unit_id)
    return row


@atomic
def withdraw(chair: User, grant_id: int) -> IdentityGrant:
    row = db.session.get(IdentityGrant, grant_id)
    if row is None:
        raise NotFoundError("not_found")
    access.check_readable(chair, row.unit_id)
    if not access.can(chair, "identity.grant") or chair.unit_id != row.unit_id:
        raise ForbiddenError("grant_chair_only")
    if row.withdrawn_at is not None:
        raise ConflictError("grant_withdrawn")
    row.withdrawn_at, row.withdrawn_by_id = utcnow(), chair.id
    audit.record_event(db.session, "identity_grant_withdrawn", "identity_grants", row.id, row.unit_id)
    return row
