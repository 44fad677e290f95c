"""Citizens who come to the reception desk or write to the commune."""
from __future__ import annotations

from typing import Any

from sqlalchemy import Boolean
from sqlalchemy import CheckConstraint
from sqlalchemy import ForeignKey
from sqlalchemy import Index
from sqlalchemy import Integer
from sqlalchemy import String
from sqlalchemy import text
from sqlalchemy.ext.hybrid import Comparator
from sqlalchemy.ext.hybrid import hybrid_property
from sqlalchemy.orm import Mapped
from sqlalchemy.orm import mapped_column
from sqlalchemy.sql import operators

from tracker.id_protection import decrypt_id
from tracker.id_protection import encrypt_id
from tracker.id_protection import hash_id
from tracker.id_protection import normalise_id
from tracker.models.base import Base
from tracker.models.base import TimestampMixin
from tracker.models.base import VersionMixin
from tracker.rules.text import compose_address

GENDERS = ("male", "female", "other")


class Citizen(VersionMixin, TimestampMixin, Base):
    __tablename__ = "citizens"
    __table_args__ = (
        CheckConstraint(f"gender IS NULL OR gender IN {GENDERS!r}", name="gender"),
        Index("ix_citizens_unit_name_key", "unit_id", "name_key"),
        # One citizen per ID number in a unit, matched through the keyed hash (tracker.id_protection) —
        # among the registry's open entries: a denouncer's sealed entry is apart (see ``sealed``).
        Index(
            "uq_citizens_unit_id_number_hash",
            "unit_id",
            "id_number_hash",
            unique=True,
            sqlite_where=text("id_number_hash IS NOT NULL AND NOT sealed"),
            postgresql_where=text("id_number_hash IS NOT NULL AND NOT sealed"),
        ),
    )

    # Personal data never goes into the audit log's before/after values (Luật 91/2025; a
    # denouncer's identity must not leak to whoever reads the log).
    # The ID number's hash and ciphertext are masked too: neither may be copied next to the row id.
    __audit_redact__ = ("full_name", "name_key", "id_number", "id_number_hash", "id_number_enc", "birth_year",
                        "gender", "phone", "address", "neighbourhood")

    id: Mapped[int] = mapped_column(primary_key=True)
    unit_id: Mapped[int] = mapped_column(ForeignKey("units.id"))
    full_name: Mapped[str] = mapped_column(String(200))
    # full_name folded (no diacritics, đ→d, casefolded): identical search on SQLite and PostgreSQL.
    name_key: Mapped[str] = mapped_column(String(200))
    # The ID number is never stored in clear: see ``id_number`` below and tracker/id_protection.py.
    id_number_hash: Mapped[str | None] = mapped_column(String(64), index=True)
    id_number_enc: Mapped[str | None] = mapped_column(String(200))
    birth_year: Mapped[int | None] = mapped_column(Integer)
    gender: Mapped[str | None] = mapped_column(String(8))
    phone: Mapped[str | None] = mapped_column(String(20))
    address: Mapped[str | None] = mapped_column(String(300))
    neighbourhood: Mapped[str | None] = mapped_column(String(120))
    # Registered through a denunciation: the entry is the denouncer's identity, seen only by those cleared
    # for one of their denunciations (tracker.services.privacy.confidentiality), never matched by id or ID number
    # for anyone else — who, typing the same number, gets an entry of their own.
    sealed: Mapped[bool] = mapped_column(Boolean, default=False, server_default=text("false"))

    @property
    def full_address(self) -> str:
        """Address and neighbourhood as one line, the neighbourhood never said twice."""
        return compose_address(self.address, self.neighbourhood)

    @hybrid_property
    def id_number(self) -> str | None:
        """The ID number in clear, decrypted on read (cached per ciphertext); setting it stores the
        keyed hash and a fresh ciphertext, unless the number is the one already stored."""
        token = self.id_number_enc
        if token is None:
            return None
        cached = self.__dict__.get("_id_number_plain")
        if cached is not None and cached[0] == token:
            return cached[1]  # type: ignore[no-any-return]
        plain = decrypt_id(token)
        self.__dict__["_id_number_plain"] = (token, plain)
        return plain

    @id_number.inplace.setter
    def _id_number_setter(self, value: str | None) -> None:
        if value is None or not value.strip():
            self.id_number_hash = None
            self.id_number_enc = None
            return
        digest = hash_id(value)
        if digest == self.id_number_hash and self.id_number_enc is not None:
            return  # same number: a new ciphertext would be a change (a version step, an audit row) of nothing
        self.id_number_hash = digest
        self.id_number_enc = encrypt_id(value)
        self.__dict__["_id_number_plain"] = (self.id_number_enc, normalise_id(value))

    @id_number.inplace.comparator
    @classmethod
    def _id_number_comparator(cls) -> IdNumberComparator:
        return IdNumberComparator(cls.id_number_hash)  # type: ignore[arg-type]


class IdNumberComparator(Comparator[str | None]):
    """``Citizen.id_number == "0123…"`` compares keyed hashes; ``is_(None)`` tests the hash column.
    Anything else (LIKE, ordering) is refused: a hash matches whole numbers only."""

    def operate(self, op: Any, *other: Any, **kwargs: Any) -> Any:
        column: Any = self.__clause_element__()
        if op in (operators.eq, operators.ne, operators.is_, operators.is_not) and other and other[0] is None:
            return column.is_(None) if op in (operators.eq, operators.is_) else column.is_not(None)
        if op in (operators.eq, operators.ne):
            return op(column, hash_id(str(other[0])))
        if op is operators.in_op:
            return column.in_([hash_id(str(v)) for v in other[0]])
        raise NotImplementedError("ID numbers are stored as keyed hashes: only whole numbers can be compared")

    def reverse_operate(self, op: Any, other: Any, **kwargs: Any) -> Any:
        return self.operate(op, other, **kwargs)
