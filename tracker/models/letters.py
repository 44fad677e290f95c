"""Letters (đơn): every written submission that reaches the unit, from any channel."""
from __future__ import annotations

from datetime import date
from datetime import datetime

from sqlalchemy import Boolean
from sqlalchemy import CheckConstraint
from sqlalchemy import Date
from sqlalchemy import ForeignKey
from sqlalchemy import Index
from sqlalchemy import Integer
from sqlalchemy import String
from sqlalchemy import Text
from sqlalchemy import UniqueConstraint
from sqlalchemy import event
from sqlalchemy import text
from sqlalchemy.orm import Mapped
from sqlalchemy.orm import mapped_column
from sqlalchemy.orm import relationship

from tracker.models.base import Base
from tracker.models.base import TimestampMixin
from tracker.models.base import UTCDateTime
from tracker.models.base import VersionMixin
from tracker.models.citizens import Citizen
from tracker.models.units import Unit
from tracker.rules import lifecycle as lc
from tracker.rules.reception import CONFIDENTIAL_CLASSIFICATIONS
from tracker.rules.reception import SUBJECTS


def _in(column: str, values: tuple[str, ...], nullable: bool = False) -> str:
    return (f"{column} IS NULL OR " if nullable else "") + f"{column} IN {values!r}"


class Letter(VersionMixin, TimestampMixin, Base):
    __tablename__ = "letters"
    __table_args__ = (
        UniqueConstraint("unit_id", "register_year", "register_no", name="uq_letters_register"),
        Index("ix_letters_unit_received_on", "unit_id", "received_on", "id"),
        Index("ix_letters_unit_status", "unit_id", "status"),
        # The need-to-know gate's sets (tracker.services.privacy.confidentiality): the confidential letters a user
        # received, those of a leader's unit, and the parts of a letter.
        Index("ix_letters_confidential_created_by", "created_by_id", sqlite_where=text("confidential"),
              postgresql_where=text("confidential")),
        Index("ix_letters_confidential_unit", "unit_id", sqlite_where=text("confidential"),
              postgresql_where=text("confidential")),
        Index("ix_letters_split_from_id", "split_from_id"),
        CheckConstraint(_in("channel", lc.LETTER_CHANNELS), name="channel"),
        CheckConstraint(_in("kind", lc.LETTER_KINDS), name="kind"),
        CheckConstraint(_in("mediation_type", lc.MEDIATION_TYPES, True), name="mediation_type"),
        CheckConstraint(_in("subject", SUBJECTS), name="subject"),
        CheckConstraint(_in("status", lc.LETTER_STATUSES), name="status"),
        CheckConstraint(_in("decision", lc.HANDLING_DECISIONS, True), name="decision"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    unit_id: Mapped[int] = mapped_column(ForeignKey("units.id"))
    register_year: Mapped[int] = mapped_column(Integer)
    register_no: Mapped[int] = mapped_column(Integer)
    # Printed on the receipt; random and long enough that it cannot be guessed or enumerated.
    tracking_code: Mapped[str] = mapped_column(String(16), unique=True)
    received_on: Mapped[date] = mapped_column(Date)
    channel: Mapped[str] = mapped_column(String(16))
    from_body: Mapped[str | None] = mapped_column(String(300))
    from_document_no: Mapped[str | None] = mapped_column(String(60))
    from_document_date: Mapped[date | None] = mapped_column(Date)
    visit_id: Mapped[int | None] = mapped_column(ForeignKey("visits.id"), index=True)
    kind: Mapped[str] = mapped_column(String(16))
    mediation_type: Mapped[str | None] = mapped_column(String(16))
    subject: Mapped[str] = mapped_column(String(32), default="other")
    summary: Mapped[str] = mapped_column(Text)
    anonymous: Mapped[bool] = mapped_column(Boolean, default=False)
    multi_signature: Mapped[bool] = mapped_column(Boolean, default=False)
    signer_count: Mapped[int] = mapped_column(Integer, default=1)
    duplicate_of_id: Mapped[int | None] = mapped_column(ForeignKey("letters.id"), index=True)
    split_from_id: Mapped[int | None] = mapped_column(ForeignKey("letters.id"))
    complex: Mapped[bool] = mapped_column(Boolean, default=False)
    second_instance: Mapped[bool] = mapped_column(Boolean, default=False)
    status: Mapped[str] = mapped_column(String(16), default="registered")
    # Handling (xử lý đơn), decided once.
    eligible: Mapped[bool | None] = mapped_column(Boolean)
    within_competence: Mapped[bool | None] = mapped_column(Boolean)
    decision: Mapped[str | None] = mapped_column(String(16))
    decided_on: Mapped[date | None] = mapped_column(Date)
    decision_reason: Mapped[str | None] = mapped_column(Text)
    to_body: Mapped[str | None] = mapped_column(String(300))
    decision_document_no: Mapped[str | None] = mapped_column(String(60))
    decision_document_date: Mapped[date | None] = mapped_column(Date)
    decision_signer: Mapped[str | None] = mapped_column(String(200))
    handler_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"), index=True)
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    # Holds a denunciation, or is split from, split into or merged with one: its senders are a denouncer's
    # identity as a whole (tracker.services.privacy.confidentiality).
    confidential: Mapped[bool] = mapped_column(Boolean, default=False, server_default=text("false"))

    unit: Mapped[Unit] = relationship()
    senders: Mapped[list[LetterSender]] = relationship(
        back_populates="letter", cascade="all, delete-orphan", order_by="LetterSender.position")


class LetterSender(Base):
    __tablename__ = "letter_senders"
    # Who signed a denunciation is the denouncer's identity: the audit keeps only the letter.
    __audit_redact__ = ("citizen_id",)

    letter_id: Mapped[int] = mapped_column(ForeignKey("letters.id", ondelete="CASCADE"), primary_key=True)
    citizen_id: Mapped[int] = mapped_column(ForeignKey("citizens.id"), primary_key=True, index=True)
    position: Mapped[int] = mapped_column(Integer, default=0)
    is_representative: Mapped[bool] = mapped_column(Boolean, default=False)

    letter: Mapped[Letter] = relationship(back_populates="senders")
    citizen: Mapped[Citizen] = relationship()


class Attachment(Base):
    """A file stored outside the database (ATTACHMENTS_DIR/<unit>/<stored_name>), checked by hash."""

    __tablename__ = "attachments"
    # A scan's file name can name the denouncer: the audit log records that a file came, not its name.
    __audit_redact__ = ("filename",)

    id: Mapped[int] = mapped_column(primary_key=True)
    unit_id: Mapped[int] = mapped_column(ForeignKey("units.id"), index=True)
    letter_id: Mapped[int | None] = mapped_column(ForeignKey("letters.id"), index=True)
    case_id: Mapped[int | None] = mapped_column(ForeignKey("cases.id"), index=True)
    event_id: Mapped[int | None] = mapped_column(ForeignKey("case_events.id"))
    filename: Mapped[str] = mapped_column(String(255))
    stored_name: Mapped[str] = mapped_column(String(64), unique=True)
    content_type: Mapped[str] = mapped_column(String(100))
    size: Mapped[int] = mapped_column(Integer)
    sha256: Mapped[str] = mapped_column(String(64))
    uploaded_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())


@event.listens_for(Letter, "before_insert")
@event.listens_for(Letter, "before_update")
def _a_denunciation_is_confidential(_mapper: object, _connection: object, letter: Letter) -> None:
    """Whatever path writes a letter (desk, split, import, exchange), a denunciation is confidential."""
    if letter.kind in CONFIDENTIAL_CLASSIFICATIONS:
        letter.confidential = True
