"""Staff accounts and their API tokens."""
from __future__ import annotations

from datetime import datetime

from flask_login import UserMixin
from sqlalchemy import Boolean
from sqlalchemy import CheckConstraint
from sqlalchemy import ForeignKey
from sqlalchemy import Integer
from sqlalchemy import String
from sqlalchemy.orm import Mapped
from sqlalchemy.orm import mapped_column
from sqlalchemy.orm import relationship

from tracker.models.base import Base
from tracker.models.base import TimestampMixin
from tracker.models.base import UTCDateTime
from tracker.models.base import VersionMixin
from tracker.models.base import utcnow
from tracker.models.units import Unit

ROLES = ("admin", "chair", "vice_chair", "receptionist", "handler", "inspector", "sysadmin")
# The installation-level role: edits the installation-wide legal data (deadline rules, calendar, rule values,
# legal updates) and sees no unit's data (tracker.services.access). Granted on the server only (CLI).
INSTALLATION_ROLES = ("sysadmin",)
# Roles an administrator may give in the user pages.
UNIT_ROLES = tuple(r for r in ROLES if r not in INSTALLATION_ROLES)


class User(UserMixin, VersionMixin, TimestampMixin, Base):
    __tablename__ = "users"
    __table_args__ = (CheckConstraint(f"role IN {ROLES!r}", name="role"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    username: Mapped[str] = mapped_column(String(64), unique=True)
    full_name: Mapped[str] = mapped_column(String(200), default="")
    email: Mapped[str | None] = mapped_column(String(200))  # reminders are e-mailed when SMTP is set
    password_hash: Mapped[str] = mapped_column(String(255))
    role: Mapped[str] = mapped_column(String(16))
    unit_id: Mapped[int] = mapped_column(ForeignKey("units.id"), index=True)
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    locale: Mapped[str | None] = mapped_column(String(8))
    failed_logins: Mapped[int] = mapped_column(Integer, default=0)
    locked_until: Mapped[datetime | None] = mapped_column(UTCDateTime())
    last_login_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    # Changing it invalidates every session of the user (password change, deactivation).
    session_token: Mapped[str] = mapped_column(String(64), default="")

    unit: Mapped[Unit] = relationship()

    @property
    def is_active(self) -> bool:  # Flask-Login: a deactivated user cannot log in
        return bool(self.active)

    def get_id(self) -> str:
        return f"{self.id}:{self.session_token}"


TOKEN_SCOPES = ("read", "write")  # "write": read and write, as the owner's role allows
# Why a token stopped working before its expiry (tracker.services.operations.tokens).
REVOKE_REASONS = ("revoked", "password_reset", "password_change", "deactivated")


class ApiToken(Base):
    __tablename__ = "api_tokens"
    __table_args__ = (
        CheckConstraint(f"scope IN {TOKEN_SCOPES!r}", name="scope"),
        CheckConstraint(f"revoked_reason IS NULL OR revoked_reason IN {REVOKE_REASONS!r}", name="revoked_reason"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"), index=True)
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    name: Mapped[str] = mapped_column(String(100), default="")  # what the token is for ("cổng dịch vụ công")
    scope: Mapped[str] = mapped_column(String(8), default="write")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    expires_at: Mapped[datetime] = mapped_column(UTCDateTime())
    # Written at most every few minutes (tracker.services.operations.tokens.TOUCH_EVERY), not on every call.
    last_used_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    revoked_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    revoked_reason: Mapped[str | None] = mapped_column(String(16))

    user: Mapped[User] = relationship()

    @property
    def unit_id(self) -> int | None:
        """The owner's unit: the audit log files the token's rows under it, so that unit's admin sees them."""
        return self.user.unit_id if self.user is not None else None
