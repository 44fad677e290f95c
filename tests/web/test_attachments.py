"""Attachment routes: upload with CSRF, download with safe headers, delete; who may do what."""
from __future__ import annotations

import hashlib
import io
import os
from datetime import date

import pytest
from flask import render_template_string
from flask_login import login_user
from sqlalchemy import func
from sqlalchemy import select

from tests import attachment_files as files
from tests.conftest import csrf_token
from tests.conftest import login
from tests.factories import make_unit
from tests.factories import make_user
from tracker.extensions import db
from tracker.messages import message
from tracker.models import Attachment
from tracker.models import AuditEntry
from tracker.services.letters import attachments as service
from tracker.services.letters import register as letters
from tracker.services.reception.citizens import CitizenInput
from tracker.services.reception.visits import VisitorInput
from tracker.web.filters import vn_date

TODAY = date(2026, 11, 23)
INCLUDE = '{% from "_macros/attachments.html" import attachment_list with context %}'


@pytest.fixture
def people(app):  # type: ignore[no-untyped-def]
    unit = make_unit()
    other = make_unit("XA-02", "UBND xã Bên Cạnh")
    return {
        "clerk": make_user("letan", "receptionist", unit),
        "chair": make_user("chutich", "chair", unit, full_name="Lê Văn Chủ"),
        "handler": make_user("canbo", "handler", unit),
        "stranger": make_user("letan2", "receptionist", other),
    }


def register(user, kind="complaint"):  # type: ignore[no-untyped-def]
    data = letters.LetterInput(
        received_on=date(2026, 3, 2), channel="post", kind=kind, summary="Đơn thử nghiệm",
        senders=[VisitorInput(citizen=CitizenInput("Nguyễn Văn An", "001085012345", 1985))])
    return letters.register_letter(user, user.unit, data, TODAY)


def upload(client, letter_id, content=files.PDF, name="don.pdf", token=True):  # type: ignore[no-untyped-def]
    data = {"letter_id": str(letter_id), "file": (io.BytesIO(content), name, "application/pdf")}
    if token:
        data["csrf_token"] = csrf_token(client, "/visits/")
    return client.post(f"/attachments/upload?letter_id={letter_id}", data=data, content_type="multipart/form-data")


def stored(user, letter, content=files.PDF, name="don.pdf"):  # type: ignore[no-untyped-def]
    return service.store_attachment(user, unit_id=letter.unit_id, letter=letter, filename=name,
                                    stream=io.BytesIO(content), declared_type=None)


def flashes(client) -> list[tuple[str, str]]:  # type: ignore[no-untyped-def]
    with client.session_transaction() as sess:
        return list(sess.get("_flashes", []))


def attachment_count() -> int:
    db.session.expire_all()
    return db.session.scalar(select(func.count()).select_from(Attachment)) or 0


def download(client, attachment_id):  # type: ignore[no-untyped-def]
    """GET the file and close the response (it streams from an open file)."""
    response = client.get(f"/attachments/{attachment_id}")
    response.get_data()
    response.close()
    return response


def files_on_disk(app) -> list[str]:  # type: ignore[no-untyped-def]
    return [n for _d, _dirs, names in os.walk(app.config["ATTACHMENTS_DIR"]) for n in names]


def test_a_pdf_upload_is_stored_outside_the_database_with_its_checksum(app, client, people) -> None:
    letter = register(people["clerk"])
    login(client, "letan")
    response = upload(client, letter.id)
    assert response.status_code == 303
    assert response.headers["Location"].endswith(f"/letters/{letter.id}#attachments")
    attachment = db.session.scalar(select(Attachment))
    assert (attachment.size, attachment.sha256) == (len(files.PDF), hashlib.sha256(files.PDF).hexdigest())
    with open(service.stored_path(attachment), "rb") as fh:
        assert fh.read() == files.PDF
    assert flashes(client)[-1][0] == "success"


def test_an_upload_without_the_csrf_token_is_refused(app, client, people) -> None:
    letter = register(people["clerk"])
    login(client, "letan")
    assert upload(client, letter.id, token=False).status_code == 400
    assert attachment_count() == 0 and files_on_disk(app) == []


def test_an_executable_renamed_pdf_is_refused_with_a_clear_message(app, client, people) -> None:
    letter = register(people["clerk"])
    login(client, "letan")
    response = upload(client, letter.id, files.EXE, "hoso.pdf")
    assert response.status_code == 303
    assert flashes(client) == [("error", str(message("attachment_type")))]
    assert attachment_count() == 0 and files_on_disk(app) == []


@pytest.mark.config(ATTACHMENTS_MAX_BYTES=8192, MAX_CONTENT_LENGTH=4096)
def test_an_oversized_upload_is_refused_and_nothing_is_stored(app, client, people) -> None:
    letter = register(people["clerk"])
    login(client, "letan")
    # Larger than the app's general request limit but within the attachment limit: accepted.
    assert upload(client, letter.id, files.PDF + bytes(6000)).status_code == 303
    assert attachment_count() == 1
    flashes(client)
    too_large = str(message("attachment_too_large", limit=0.0))
    for size in (9000, 400 * 1024):  # refused while reading the file / before the form is even read
        response = upload(client, letter.id, files.PDF + bytes(size))
        assert response.status_code == 303
        assert response.headers["Location"].endswith(f"/letters/{letter.id}#attachments")
        assert flashes(client)[-1] == ("error", too_large)
    assert attachment_count() == 1 and len(files_on_disk(app)) == 1


def test_a_download_is_an_attachment_not_sniffed_and_not_cached(app, client, people) -> None:
    letter = register(people["clerk"])
    attachment = stored(people["clerk"], letter, name="Biên bản.pdf")
    login(client, "canbo")
    response = download(client, attachment.id)
    assert response.status_code == 200 and response.data == files.PDF
    assert response.headers["Content-Type"] == "application/pdf"
    assert response.headers["Content-Disposition"].startswith("attachment;")
    assert "filename*=UTF-8''Bi%C3%AAn%20b%E1%BA%A3n.pdf" in response.headers["Content-Disposition"]
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    assert response.headers["Cache-Control"] == "no-store"


def test_a_file_tampered_with_on_the_disk_is_refused_on_download(app, client, people) -> None:
    attachment = stored(people["clerk"], register(people["clerk"]))
    with open(service.stored_path(attachment), "ab") as fh:
        fh.write(b"<script>alert(1)</script>")
    login(client, "letan")
    response = download(client, attachment.id)
    assert response.status_code == 409
    assert str(message("attachment_corrupt")) in response.get_data(as_text=True)
    assert b"<script>alert(1)" not in response.data


def test_a_path_in_the_uploaded_file_name_cannot_escape(app, client, people) -> None:
    letter = register(people["clerk"])
    login(client, "letan")
    assert upload(client, letter.id, name="../../etc/passwd").status_code == 303
    attachment = db.session.scalar(select(Attachment))
    assert attachment.filename == "passwd.pdf"
    unit_dir = os.path.join(app.config["ATTACHMENTS_DIR"], str(letter.unit_id))
    assert os.listdir(unit_dir) == [attachment.stored_name]
    response = download(client, attachment.id)
    assert response.headers["Content-Disposition"] == "attachment; filename=passwd.pdf"


def test_another_units_user_gets_not_found(app, client, people) -> None:
    letter = register(people["clerk"])
    attachment = stored(people["clerk"], letter)
    login(client, "letan2")
    assert download(client, attachment.id).status_code == 404
    assert upload(client, letter.id).status_code == 404
    token = csrf_token(client, "/visits/")
    assert client.post(f"/attachments/{attachment.id}/delete", data={"csrf_token": token}).status_code == 404
    assert attachment_count() == 1


def test_a_handler_who_may_not_write_letters_cannot_attach_to_one(app, client, people) -> None:
    letter = register(people["clerk"])
    login(client, "canbo")
    assert upload(client, letter.id).status_code == 403
    assert attachment_count() == 0 and files_on_disk(app) == []


def test_an_unassigned_handler_cannot_download_a_denunciations_scan_but_the_chair_can_and_is_audited(
        app, client, people) -> None:
    attachment = stored(people["clerk"], register(people["clerk"], kind="denunciation"))
    login(client, "canbo")
    response = download(client, attachment.id)
    assert response.status_code == 403 and files.PDF not in response.data
    client.post("/logout", data={"csrf_token": csrf_token(client, "/visits/")})
    login(client, "chutich")
    assert download(client, attachment.id).data == files.PDF
    reads = db.session.execute(select(AuditEntry.user_id, AuditEntry.entity_id).where(
        AuditEntry.entity == "attachments", AuditEntry.action == "view_confidential")).all()
    assert [tuple(r) for r in reads] == [(people["chair"].id, attachment.id)]


def test_the_chair_deletes_a_file_and_a_receptionist_may_not(app, client, people) -> None:
    attachment = stored(people["clerk"], register(people["clerk"]))
    path = service.stored_path(attachment)
    url = f"/attachments/{attachment.id}/delete"
    login(client, "letan")
    assert client.post(url, data={"csrf_token": csrf_token(client, "/visits/")}).status_code == 403
    assert os.path.exists(path) and attachment_count() == 1
    client.post("/logout", data={"csrf_token": csrf_token(client, "/visits/")})
    login(client, "chutich")
    assert client.post(url, data={"csrf_token": csrf_token(client, "/visits/")}).status_code == 303
    assert attachment_count() == 0 and not os.path.exists(path)


def test_the_macro_lists_the_files_and_offers_the_upload_form(app, people) -> None:
    letter = register(people["clerk"])
    attachment = stored(people["clerk"], letter, files.PDF + bytes(2048 - len(files.PDF)), name="Biên bản.pdf")
    source = INCLUDE + "{{ attachment_list(rows, 'letter', letter_id, True) }}"
    with app.test_request_context("/?lang=en"):
        login_user(people["chair"])
        rows = service.attachment_rows(people["chair"], letter=letter)
        html = render_template_string(source, rows=rows, letter_id=letter.id)
        hidden = render_template_string(source, rows=None, letter_id=letter.id)
        day = vn_date(attachment.created_at)
    assert "Biên bản.pdf" in html and "2 KB" in html and "Trần Thị Bình" in html and day in html
    assert f'href="/attachments/{attachment.id}"' in html
    assert f'action="/attachments/upload?letter_id={letter.id}"' in html
    assert f'name="letter_id" value="{letter.id}"' in html and 'name="csrf_token"' in html
    assert f'action="/attachments/{attachment.id}/delete"' in html
    assert "Biên bản" not in hidden and 'type="file"' not in hidden
