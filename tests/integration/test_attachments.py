"""Attachments: kept outside the database with their checksum, typed by content, read only by those
who may see them (a denunciation's scans reveal the denouncer)."""
from __future__ import annotations

import hashlib
import io
import os
import unicodedata
from datetime import date

import pytest
from sqlalchemy import func
from sqlalchemy import select

from tests import attachment_files as files
from tests.factories import make_unit
from tests.factories import make_user
from tracker.extensions import db
from tracker.models import Attachment
from tracker.models import AuditEntry
from tracker.services.errors import ForbiddenError
from tracker.services.errors import NotFoundError
from tracker.services.legal.deadlines import seed_calendar
from tracker.services.legal.deadlines import seed_deadline_rules
from tracker.services.letters import attachments as service
from tracker.services.letters import register as letters
from tracker.services.reception.citizens import CitizenInput
from tracker.services.reception.visits import VisitorInput

TODAY = date(2026, 11, 23)


@pytest.fixture
def people(app):  # type: ignore[no-untyped-def]
    seed_deadline_rules()
    seed_calendar()
    unit = make_unit()
    other = make_unit("XA-02", "UBND xã Bên Cạnh")
    return {
        "clerk": make_user("letan", "receptionist", unit),
        "chair": make_user("chutich", "chair", unit),
        "handler": make_user("canbo", "handler", unit),
        "assigned": make_user("canbo2", "handler", unit),
        "stranger": make_user("letan2", "receptionist", other),
    }


def register(user, kind="complaint"):  # type: ignore[no-untyped-def]
    data = letters.LetterInput(
        received_on=date(2026, 3, 2), channel="post", kind=kind, summary="Đơn thử nghiệm",
        senders=[VisitorInput(citizen=CitizenInput("Nguyễn Văn An", "001085012345", 1985))])
    return letters.register_letter(user, user.unit, data, TODAY)


def store(user, letter=None, content=files.PDF, name="don.pdf", case=None):  # type: ignore[no-untyped-def]
    owner = letter if letter is not None else case
    return service.store_attachment(user, unit_id=owner.unit_id, letter=letter, case=case, filename=name,
                                    stream=io.BytesIO(content), declared_type="application/pdf")


def attachment_count() -> int:
    return db.session.scalar(select(func.count()).select_from(Attachment)) or 0


def files_on_disk(app) -> list[str]:  # type: ignore[no-untyped-def]
    root = app.config["ATTACHMENTS_DIR"]
    return [os.path.join(d, n) for d, _dirs, names in os.walk(root) for n in names]


def test_a_pdf_is_stored_outside_the_database_with_its_checksum_and_size(app, people) -> None:
    letter = register(people["clerk"])
    attachment = store(people["clerk"], letter)
    path = os.path.join(app.config["ATTACHMENTS_DIR"], str(letter.unit_id), attachment.stored_name)
    with open(path, "rb") as fh:
        assert fh.read() == files.PDF
    assert attachment.sha256 == hashlib.sha256(files.PDF).hexdigest()
    assert attachment.size == len(files.PDF)
    assert (attachment.content_type, attachment.filename) == ("application/pdf", "don.pdf")
    assert attachment.stored_name.endswith(".pdf") and len(attachment.stored_name) == 36
    assert attachment.uploaded_by_id == people["clerk"].id and attachment.letter_id == letter.id
    assert files_on_disk(app) == [path]


@pytest.mark.parametrize(("content", "ext", "mimetype"), [
    (files.PNG, "png", "image/png"), (files.JPEG, "jpg", "image/jpeg"), (files.DOCX, "docx",
                                                          "application/vnd.openxmlformats-officedocument.wordprocessingml.document"),
    (files.XLSX, "xlsx", "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"),
    (files.DOC, "doc", "application/msword"), (files.XLS, "xls", "application/vnd.ms-excel"),
    (files.TEXT, "txt", "text/plain; charset=utf-8"),
])
def test_each_allowed_type_is_recognised_by_its_content_whatever_its_name(app, people, content, ext,
                                                                          mimetype) -> None:
    attachment = store(people["clerk"], register(people["clerk"]), content, name="scan.pdf")
    assert (attachment.content_type, attachment.stored_name.rsplit(".", 1)[1]) == (mimetype, ext)
    assert attachment.filename == f"scan.pdf.{ext}"


@pytest.mark.parametrize("content", [
    files.EXE, files.DOCM, files.PLAIN_ZIP, files.MSI, b"plain text\0with a NUL", b"\xff\xfe not utf-8 \xc3",
])
def test_an_executable_renamed_pdf_and_other_unlisted_content_are_refused(app, people, content) -> None:
    letter = register(people["clerk"])
    with pytest.raises(service.AttachmentError) as err:
        store(people["clerk"], letter, content, name="don.pdf")
    assert err.value.code == "attachment_type" and err.value.fields == {"file": "attachment_type"}
    assert attachment_count() == 0 and files_on_disk(app) == []


@pytest.mark.config(ATTACHMENTS_MAX_BYTES=1024)
def test_an_oversized_file_is_refused_and_nothing_is_left_behind(app, people) -> None:
    letter = register(people["clerk"])
    with pytest.raises(service.AttachmentError) as err:
        store(people["clerk"], letter, files.PDF + bytes(1025 - len(files.PDF)))
    assert err.value.code == "attachment_too_large" and err.value.status == 413
    assert attachment_count() == 0 and files_on_disk(app) == []
    assert store(people["clerk"], letter, files.PDF + bytes(1024 - len(files.PDF))).size == 1024


def test_an_empty_file_is_refused(app, people) -> None:
    with pytest.raises(service.AttachmentError) as err:
        store(people["clerk"], register(people["clerk"]), b"")
    assert err.value.code == "attachment_empty"
    assert attachment_count() == 0 and files_on_disk(app) == []


def test_when_the_database_refuses_the_row_the_file_is_removed(app, people, monkeypatch) -> None:
    letter = register(people["clerk"])

    def broken_commit() -> None:
        raise RuntimeError("database went away")

    monkeypatch.setattr(db.session, "commit", broken_commit)
    with pytest.raises(RuntimeError):
        store(people["clerk"], letter)
    monkeypatch.undo()
    assert attachment_count() == 0 and files_on_disk(app) == []


def test_a_file_changed_or_removed_on_the_disk_is_refused(app, people) -> None:
    attachment = store(people["clerk"], register(people["clerk"]))
    path, mimetype, name = service.open_attachment(people["clerk"], attachment)
    assert (mimetype, name) == ("application/pdf", "don.pdf")
    with open(path, "r+b") as fh:
        fh.write(b"%PDF-1.7")  # same size, different bytes
    with pytest.raises(service.AttachmentCorrupt):
        service.open_attachment(people["clerk"], attachment)
    os.remove(path)
    with pytest.raises(service.AttachmentCorrupt):
        service.open_attachment(people["clerk"], attachment)


def test_a_path_in_the_file_name_cannot_escape_and_is_kept_as_a_plain_name(app, people) -> None:
    letter = register(people["clerk"])
    attachment = store(people["clerk"], letter, name="../../etc/passwd")
    assert attachment.filename == "passwd.pdf"
    assert store(people["clerk"], letter, name="..\\..\\windows\\đơn.pdf").filename == "đơn.pdf"
    assert store(people["clerk"], letter, name="/").filename == "tep-dinh-kem.pdf"
    long_name = store(people["clerk"], letter, name="a" * 400 + ".pdf").filename
    assert len(long_name) == 255 and long_name.endswith(".pdf")
    decomposed = unicodedata.normalize("NFD", "Biên bản.pdf")
    assert store(people["clerk"], letter, name=decomposed).filename == unicodedata.normalize("NFC", "Biên bản.pdf")
    unit_dir = os.path.join(app.config["ATTACHMENTS_DIR"], str(letter.unit_id))
    assert all(os.path.dirname(p) == unit_dir for p in files_on_disk(app))


def test_another_units_user_does_not_find_the_file(app, people) -> None:
    attachment = store(people["clerk"], register(people["clerk"]))
    with pytest.raises(NotFoundError):
        service.open_attachment(people["stranger"], attachment)


def test_only_those_who_may_see_the_denouncer_open_a_denunciations_scan_and_each_read_is_audited(
        app, people) -> None:
    letter = register(people["clerk"], kind="denunciation")
    attachment = store(people["clerk"], letter)
    with pytest.raises(ForbiddenError):
        service.open_attachment(people["handler"], attachment)
    assert service.attachment_rows(people["handler"], letter=letter) is None
    service.open_attachment(people["chair"], attachment)
    reads = db.session.scalars(select(AuditEntry).where(AuditEntry.entity == "attachments",
                                                        AuditEntry.action == "view_confidential")).all()
    assert [r.entity_id for r in reads] == [attachment.id]
    rows = service.attachment_rows(people["chair"], letter=letter)
    assert [(r.filename, r.uploader) for r in rows] == [("don.pdf", "Trần Thị Bình")]


def test_the_handler_assigned_to_a_denunciation_case_attaches_and_reads_its_files(app, people) -> None:
    letter = register(people["clerk"], kind="denunciation")
    case = letters.decide_handling(people["chair"], letter, letters.HandlingInput(
        decision="accept", on=date(2026, 3, 5), version=letter.version, eligible=True, within_competence=True,
        document_no="12/TB-UBND", handler_id=people["assigned"].id), TODAY)
    attachment = store(people["assigned"], case=case)
    assert attachment.case_id == case.id and attachment.letter_id is None
    service.open_attachment(people["assigned"], attachment)
    with pytest.raises(ForbiddenError):
        store(people["handler"], case=case)
    with pytest.raises(ForbiddenError):
        service.open_attachment(people["handler"], attachment)


def test_an_ordinary_letters_file_is_open_to_the_unit_without_an_audited_read(app, people) -> None:
    attachment = store(people["clerk"], register(people["clerk"]))
    service.open_attachment(people["handler"], attachment)
    assert db.session.scalar(select(func.count()).select_from(AuditEntry).where(
        AuditEntry.action == "view_confidential")) == 0


def test_who_may_not_write_letters_may_not_attach_to_them(app, people) -> None:
    letter = register(people["clerk"])
    with pytest.raises(ForbiddenError):
        store(people["handler"], letter)
    with pytest.raises(ForbiddenError):
        store(people["stranger"], letter)
    assert attachment_count() == 0 and files_on_disk(app) == []


def test_the_chair_deletes_a_file_row_and_disk_and_the_deletion_is_audited(app, people) -> None:
    attachment = store(people["clerk"], register(people["clerk"]))
    path = service.stored_path(attachment)
    with pytest.raises(ForbiddenError):
        service.delete_attachment(people["clerk"], attachment)
    assert os.path.exists(path)
    attachment_id = attachment.id
    service.delete_attachment(people["chair"], attachment)
    assert attachment_count() == 0 and not os.path.exists(path)
    assert db.session.scalar(select(func.count()).select_from(AuditEntry).where(
        AuditEntry.entity == "attachments", AuditEntry.action == "delete", AuditEntry.entity_id == attachment_id)) == 1
