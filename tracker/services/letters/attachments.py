"""Attachments: files kept outside the database, under ATTACHMENTS_DIR/<unit_id>/<stored_name>.

A file is accepted only when its content (its magic bytes, never its declared type or its extension)
is one of an allow-list of document types; its SHA-256 and size are kept in the row and checked
again on every read, so a file changed on the disk is refused rather than served.

Who may read: anyone who may see the unit, except that the scans of a denunciation reveal the
denouncer (Luật Tố cáo 2018 Điều 47): those are shown only to the people who may see the
denouncer's identity, and every such read is written to the audit log.

A scan of a citizen's ID card (CCCD) is sensitive personal data (domain.md §10): the product does
not ask for one; keep only what the case file needs.
"""
from __future__ import annotations

import codecs
import hashlib
import os
import re
import secrets
import tempfile
import unicodedata
import zipfile
from dataclasses import dataclass
from datetime import datetime
from typing import BinaryIO

from flask import current_app
from flask_babel import lazy_gettext as _l
from sqlalchemy import select

from tracker.extensions import db
from tracker.messages import MESSAGES
from tracker.models import Attachment
from tracker.models import Case
from tracker.models import CaseEvent
from tracker.models import Letter
from tracker.models import User
from tracker.models.base import utcnow
from tracker.services import access
from tracker.services.errors import DomainError
from tracker.services.errors import ForbiddenError
from tracker.services.errors import NotFoundError
from tracker.services.errors import ValidationError
from tracker.services.privacy import audit
from tracker.services.privacy import confidentiality

MESSAGES.update({
    "attachment_type": _l("This type of file is not accepted. Attach a PDF, JPEG or PNG scan, a Word or Excel "
                          "document, or a plain text file."),
    "attachment_too_large": _l("The file is too large (at most %(limit)s MB)."),
    "attachment_empty": _l("The file is empty."),
    "attachment_required": _l("Choose a file to attach."),
    "attachment_owner": _l("Attach the file to one letter or one case."),
    "attachment_corrupt": _l("The stored file does not match its checksum and cannot be opened. "
                             "Tell the administrator."),
    "attachment_confidential": _l("This file belongs to a denunciation; only those who handle it may open it."),
})

CHUNK = 64 * 1024
# Only the parts of a zip container that say what it is are read, and never more than this.
CONTENT_TYPES_MAX = 1024 * 1024


@dataclass(frozen=True)
class FileType:
    ext: str
    mimetype: str


PDF = FileType("pdf", "application/pdf")
JPEG = FileType("jpg", "image/jpeg")
PNG = FileType("png", "image/png")
DOCX = FileType("docx", "application/vnd.openxmlformats-officedocument.wordprocessingml.document")
XLSX = FileType("xlsx", "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")
DOC = FileType("doc", "application/msword")
XLS = FileType("xls", "application/vnd.ms-excel")
TEXT = FileType("txt", "text/plain; charset=utf-8")
ALLOWED_TYPES = (PDF, JPEG, PNG, DOCX, XLSX, DOC, XLS, TEXT)
# Other spellings of an extension that already name the right type (kept on the displayed name).
EXTENSION_ALIASES = {"jpg": ("jpg", "jpeg", "jpe"), "txt": ("txt", "text", "log", "csv")}
# For the file input's "accept" hint only; the server decides by content.
ACCEPT = ".pdf,.jpg,.jpeg,.png,.docx,.xlsx,.doc,.xls,.txt"

OLE_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
ZIP_MAGIC = b"PK\x03\x04"
OOXML_MAIN = {
    "application/vnd.openxmlformats-officedocument.wordprocessingml.document.main+xml": DOCX,
    "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml": XLSX,
}
OLE_STREAMS = {"WordDocument": DOC, "Workbook": XLS, "Book": XLS}


class AttachmentError(ValidationError):
    """A refused upload: ``code`` (and ``fields["file"]``) says why; nothing was stored."""

    def __init__(self, code: str, **params: object) -> None:
        super().__init__({"file": code}, **params)
        self.code = code
        if code == "attachment_too_large":
            self.status = 413


class AttachmentCorrupt(DomainError):
    """The file on the disk is missing or no longer matches the checksum taken at upload."""

    status = 409

    def __init__(self) -> None:
        super().__init__("attachment_corrupt")


def max_bytes() -> int:
    return int(current_app.config["ATTACHMENTS_MAX_BYTES"])


def root_dir() -> str:
    return str(current_app.config["ATTACHMENTS_DIR"])


def unit_dir(unit_id: int) -> str:
    return os.path.join(root_dir(), str(int(unit_id)))


def stored_path(attachment: Attachment) -> str:
    """The only path ever opened: the unit's directory and a stored name the server chose itself."""
    name = attachment.stored_name
    if not re.fullmatch(r"[0-9a-f]{32}\.[a-z]{3,4}", name or ""):
        raise AttachmentCorrupt()
    return os.path.join(unit_dir(attachment.unit_id), name)


# --- what is this file? -----------------------------------------------------------------------------

def _ooxml_type(path: str) -> FileType | None:
    try:
        with zipfile.ZipFile(path) as archive:
            info = archive.getinfo("[Content_Types].xml")
            if info.file_size > CONTENT_TYPES_MAX:
                return None
            with archive.open(info) as fh:
                text = fh.read(CONTENT_TYPES_MAX + 1).decode("utf-8", errors="replace")
    except (zipfile.BadZipFile, KeyError, OSError, RuntimeError, NotImplementedError, EOFError, ValueError):
        return None
    found = {OOXML_MAIN[m] for m in re.findall(r'ContentType="([^"]+)"', text) if m in OOXML_MAIN}
    return found.pop() if len(found) == 1 else None


def _ole_type(path: str) -> FileType | None:
    """A compound file (legacy Word / Excel) names its streams in 128-byte directory entries, which
    always start on a 128-byte boundary of the file; the stream name says which program wrote it.
    Other compound files (installers, Outlook messages, PowerPoint) are refused."""
    wanted = {name.encode("utf-16-le") + b"\0\0": kind for name, kind in OLE_STREAMS.items()}
    found: set[FileType] = set()
    with open(path, "rb") as fh:
        fh.seek(512)
        while block := fh.read(CHUNK):
            for offset in range(0, len(block) - 127, 128):
                entry = block[offset:offset + 128]
                length = int.from_bytes(entry[64:66], "little")
                if entry[66] != 2 or not 2 <= length <= 64:  # 2 = stream object
                    continue
                kind = wanted.get(entry[:length])
                if kind is not None:
                    found.add(kind)
    # A Word document may embed a worksheet (a "Workbook" stream in its object pool): Word wins.
    return DOC if DOC in found else XLS if XLS in found else None


def _is_utf8_text(path: str) -> bool:
    decoder = codecs.getincrementaldecoder("utf-8")()
    try:
        with open(path, "rb") as fh:
            while chunk := fh.read(CHUNK):
                if b"\0" in chunk:
                    return False
                decoder.decode(chunk)
        decoder.decode(b"", final=True)
    except UnicodeDecodeError:
        return False
    return True


def detect_type(path: str) -> FileType | None:
    """The file's type from its content alone, or None when it is not on the allow-list."""
    with open(path, "rb") as fh:
        head = fh.read(16)
    if head.startswith(b"%PDF-"):
        return PDF
    if head.startswith(b"\xff\xd8\xff"):
        return JPEG
    if head.startswith(b"\x89PNG\r\n\x1a\n"):
        return PNG
    if head.startswith(ZIP_MAGIC):
        return _ooxml_type(path)
    if head.startswith(OLE_MAGIC):
        return _ole_type(path)
    if _is_utf8_text(path):
        return TEXT
    return None


# --- names ------------------------------------------------------------------------------------------

def safe_filename(name: str | None, kind: FileType) -> str:
    """The name shown and offered on download: no directory parts, no control characters, NFC,
    at most 255 characters, ending in an extension that matches what the file really is."""
    text = unicodedata.normalize("NFC", name or "")
    text = re.split(r"[/\\]", text)[-1]
    text = "".join(ch for ch in text if unicodedata.category(ch)[0] != "C")
    text = text.strip().lstrip(".").strip()
    stem, dot, ext = text.rpartition(".")
    if not dot:
        stem, ext = text, ""
    if ext.lower() not in EXTENSION_ALIASES.get(kind.ext, (kind.ext,)):
        stem, ext = text, kind.ext
    stem = stem.strip() or "tep-dinh-kem"
    return stem[:255 - len(ext) - 1].rstrip() + "." + ext


def _new_stored_name(kind: FileType) -> str:
    return f"{secrets.token_hex(16)}.{kind.ext}"


# --- who may do what --------------------------------------------------------------------------------

def _owners(attachment: Attachment) -> tuple[Letter | None, Case | None]:
    letter = db.session.get(Letter, attachment.letter_id) if attachment.letter_id else None
    case = db.session.get(Case, attachment.case_id) if attachment.case_id else None
    return letter, case


def _is_confidential(letter: Letter | None, case: Case | None) -> bool:
    return bool((letter is not None and confidentiality.letter_is_confidential(letter))
                or (case is not None and confidentiality.case_is_confidential(case)))


def _may_see_identity(user: User, letter: Letter | None, case: Case | None) -> bool:
    if letter is not None and not confidentiality.may_see_letter_identity(user, letter):
        return False
    return case is None or confidentiality.may_see_case_identity(user, case)


def may_see_files_of(user: User, *, letter: Letter | None = None, case: Case | None = None) -> bool:
    """Whether ``user`` may see the list and the content of the files of this letter or case."""
    unit_id = (letter or case).unit_id  # type: ignore[union-attr]
    return access.can_read_unit(user, unit_id) and _may_see_identity(user, letter, case)


def may_upload(user: User, *, letter: Letter | None = None, case: Case | None = None) -> bool:
    owner = letter if letter is not None else case
    if owner is None:
        return False
    permission = "cases.act" if case is not None else "letters.write"
    if not access.can(user, permission) or user.role == "inspector":
        return False
    if owner.unit_id != user.unit_id \
            and not (access.can(user, "units.write_below") and access.can_see_unit(user, owner.unit_id)) \
            and not access.continues(user, owner):  # a former commune's open work: the new commune goes on
        return False
    if case is not None and not access.may_move_case(user, case):  # a case's files are its handler's work
        return False
    return _may_see_identity(user, letter, case)


def may_delete(user: User, attachment: Attachment) -> bool:
    if not access.can(user, "attachments.delete"):
        return False
    if access.continues(user, attachment):  # a file of a former commune's open work
        return True
    if user.role == "chair":
        return attachment.unit_id == user.unit_id
    return access.can_see_unit(user, attachment.unit_id)


# --- store, open, delete ----------------------------------------------------------------------------

def _copy_limited(stream: BinaryIO, out: BinaryIO, limit: int) -> tuple[int, str]:
    digest = hashlib.sha256()
    size = 0
    while chunk := stream.read(min(CHUNK, limit - size + 1)):
        size += len(chunk)
        if size > limit:
            raise AttachmentError("attachment_too_large", limit=round(limit / (1024 * 1024), 1))
        digest.update(chunk)
        out.write(chunk)
    return size, digest.hexdigest()


def store_attachment(user: User, *, unit_id: int, letter: Letter | None = None, case: Case | None = None,
                     filename: str | None, stream: BinaryIO, declared_type: str | None = None,
                     event: CaseEvent | None = None) -> Attachment:
    """Keep an uploaded file for a letter or a case and return its row (committed).

    ``declared_type`` (what the browser said) is recorded nowhere and decides nothing: the type
    is read from the content. At most ATTACHMENTS_MAX_BYTES are read from ``stream``.

    :raises AttachmentError: attachment_type / attachment_too_large / attachment_empty /
        attachment_owner; nothing is stored, no file is left behind.
    :raises ForbiddenError: the user may not attach files here.
    """
    del declared_type  # deliberately ignored: a browser's word is not evidence of content
    owner = letter if letter is not None else case
    if owner is None or owner.unit_id != unit_id:
        raise AttachmentError("attachment_owner")
    if letter is not None and case is not None and case.letter_id != letter.id:
        raise AttachmentError("attachment_owner")
    if event is not None and (case is None or event.case_id != case.id):
        raise AttachmentError("attachment_owner")
    if not may_upload(user, letter=letter, case=case):
        raise ForbiddenError("forbidden")

    directory = unit_dir(unit_id)
    os.makedirs(directory, mode=0o700, exist_ok=True)
    handle, temp_path = tempfile.mkstemp(prefix=".upload-", suffix=".part", dir=directory)
    final_path: str | None = None
    try:
        with os.fdopen(handle, "wb") as out:
            size, sha256 = _copy_limited(stream, out, max_bytes())
            out.flush()
            os.fsync(out.fileno())
        if size == 0:
            raise AttachmentError("attachment_empty")
        kind = detect_type(temp_path)
        if kind is None:
            raise AttachmentError("attachment_type")
        stored_name = _new_stored_name(kind)
        while os.path.exists(os.path.join(directory, stored_name)):  # 128 random bits: never, in practice
            stored_name = _new_stored_name(kind)
        final_path = os.path.join(directory, stored_name)
        os.replace(temp_path, final_path)
        attachment = Attachment(
            unit_id=unit_id, letter_id=letter.id if letter is not None else None,
            case_id=case.id if case is not None else None, event_id=event.id if event is not None else None,
            filename=safe_filename(filename, kind), stored_name=stored_name, content_type=kind.mimetype,
            size=size, sha256=sha256, uploaded_by_id=user.id, created_at=utcnow(),
        )
        db.session.add(attachment)
        db.session.commit()
    except BaseException:
        db.session.rollback()
        for path in (temp_path, final_path):
            if path is not None and os.path.exists(path):
                os.remove(path)
        raise
    return attachment


def _sha256_of(path: str) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as fh:
        while chunk := fh.read(CHUNK):
            digest.update(chunk)
    return digest.hexdigest()


def open_attachment(user: User, attachment: Attachment, *, purpose: str = "download") -> tuple[str, str, str]:
    """``(path, mimetype, download_name)`` of a file ``user`` may read, after checking its checksum.

    :raises NotFoundError: another unit's file (its existence is not revealed).
    :raises ForbiddenError: a denunciation's file and the user may not see the denouncer.
    :raises AttachmentCorrupt: the file is missing or was changed on the disk.
    """
    if not access.can_read_unit(user, attachment.unit_id):  # a former commune's file too (read only)
        raise NotFoundError("not_found")
    letter, case = _owners(attachment)
    confidential = _is_confidential(letter, case)
    if confidential and not _may_see_identity(user, letter, case):
        raise ForbiddenError("attachment_confidential")
    path = stored_path(attachment)
    try:
        intact = os.path.getsize(path) == attachment.size and _sha256_of(path) == attachment.sha256
    except OSError:
        intact = False
    if not intact:
        current_app.logger.error("attachment %s: file missing or checksum mismatch", attachment.id)
        raise AttachmentCorrupt()
    if confidential:
        details: dict[str, object] = {"purpose": purpose}
        if attachment.letter_id:
            details["letter_id"] = attachment.letter_id
        if attachment.case_id:
            details["case_id"] = attachment.case_id
        audit.record_reads("attachments", [(attachment.id, attachment.unit_id)], details)
    return path, attachment.content_type, attachment.filename


def delete_attachment(user: User, attachment: Attachment) -> None:
    """Remove the row (the audit keeps a copy of it) and then the file. Chairperson or admin only."""
    if not access.may_work_on(user, attachment):
        raise NotFoundError("not_found")
    if not may_delete(user, attachment):
        raise ForbiddenError("forbidden")
    try:
        path: str | None = stored_path(attachment)
    except AttachmentCorrupt:
        path = None
    db.session.delete(attachment)
    try:
        db.session.commit()
    except BaseException:
        db.session.rollback()
        raise
    if path is not None and os.path.exists(path):
        os.remove(path)


# --- for pages --------------------------------------------------------------------------------------

@dataclass(frozen=True)
class AttachmentRow:
    id: int
    filename: str
    size: int
    content_type: str
    created_at: datetime
    uploader: str


def attachment_rows(user: User, *, letter: Letter | None = None,
                    case: Case | None = None) -> list[AttachmentRow] | None:
    """The files of a letter or a case with their uploader, in one query; None when ``user`` may not
    see them (a denunciation's files reveal the denouncer: the page says they are protected)."""
    if not may_see_files_of(user, letter=letter, case=case):
        return None
    stmt = select(Attachment, User.full_name, User.username).outerjoin(User, User.id == Attachment.uploaded_by_id)
    owner_id = case.id if case is not None else letter.id  # type: ignore[union-attr]
    stmt = stmt.where((Attachment.case_id if case is not None else Attachment.letter_id) == owner_id)
    rows = db.session.execute(stmt.order_by(Attachment.id)).all()
    return [AttachmentRow(a.id, a.filename, a.size, a.content_type, a.created_at, full_name or username or "")
            for a, full_name, username in rows]
