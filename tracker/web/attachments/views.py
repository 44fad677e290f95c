"""Attachments of letters and cases: upload, download (checked and audited), delete."""
from __future__ import annotations

from flask import Blueprint
from flask import abort
from flask import current_app
from flask import flash
from flask import redirect
from flask import render_template
from flask import request
from flask import send_file
from flask import url_for
from flask.blueprints import BlueprintSetupState
from flask_babel import gettext as _
from flask_login import current_user
from flask_login import login_required
from werkzeug.exceptions import RequestEntityTooLarge

from tracker.extensions import db
from tracker.messages import message
from tracker.models import Attachment
from tracker.models import Case
from tracker.models import Letter
from tracker.services import access
from tracker.services.errors import ForbiddenError
from tracker.services.errors import NotFoundError
from tracker.services.letters import attachments as service
from tracker.web import merged

bp = Blueprint("attachments", __name__, url_prefix="/attachments")
# Room for the multipart envelope and the other form fields around the file itself.
UPLOAD_OVERHEAD = 256 * 1024


def _allow_large_upload() -> None:
    """The upload route accepts a request as large as ATTACHMENTS_MAX_BYTES allows (the app's
    MAX_CONTENT_LENGTH stays the limit elsewhere). Runs before the CSRF check reads the form."""
    if request.endpoint == "attachments.upload":
        general = current_app.config.get("MAX_CONTENT_LENGTH")
        if general is not None:
            request.max_content_length = max(int(general), service.max_bytes() + UPLOAD_OVERHEAD)


@bp.record_once
def _install(state: BlueprintSetupState) -> None:
    state.app.before_request_funcs.setdefault(None, []).insert(0, _allow_large_upload)


def _int(raw: str | None) -> int | None:
    return int(raw) if raw and raw.isdecimal() else None


def _owner(source: dict[str, str]) -> tuple[Letter | None, Case | None]:
    case_id, letter_id = _int(source.get("case_id")), _int(source.get("letter_id"))
    if case_id is not None:
        case = db.session.get(Case, case_id)
        if case is None or not access.can_read_unit(current_user, case.unit_id):
            abort(404)
        return None, case
    if letter_id is not None:
        letter = db.session.get(Letter, letter_id)
        if letter is None or not access.can_read_unit(current_user, letter.unit_id):
            abort(404)
        return letter, None
    return None, None


def _page_of(letter_id: int | None, case_id: int | None) -> str:
    """The letter's or the case's page (endpoints of the letters and cases blueprints)."""
    if case_id is not None:
        if "cases.show_case" in current_app.view_functions:
            return url_for("cases.show_case", case_id=case_id, _anchor="attachments")
        return f"/cases/{case_id}#attachments"
    if letter_id is not None:
        if "letters.show_letter" in current_app.view_functions:
            return url_for("letters.show_letter", letter_id=letter_id, _anchor="attachments")
        return f"/letters/{letter_id}#attachments"
    return url_for("auth.index")


@bp.errorhandler(RequestEntityTooLarge)
def _too_large(exc: RequestEntityTooLarge):  # type: ignore[no-untyped-def]
    limit = round(service.max_bytes() / (1024 * 1024), 1)
    text = message("attachment_too_large", limit=limit)
    owner = {k: _int(request.args.get(k)) for k in ("letter_id", "case_id")}
    if owner["letter_id"] is None and owner["case_id"] is None:
        return render_template("errors/error.html", code=413, title=_("File too large"), text=text), 413
    flash(text, "error")
    return redirect(_page_of(owner["letter_id"], owner["case_id"]), 303)


@bp.route("/upload", methods=["POST"])
@login_required
def upload():  # type: ignore[no-untyped-def]
    # The macro's form names its owner both in hidden fields and in the query string, so that a
    # request refused as too large before the form is read can still go back to its page.
    letter, case = _owner(request.form) if ("letter_id" in request.form or "case_id" in request.form) else (
        _owner(request.args))
    if letter is None and case is None:
        abort(400)
    if not access.can(current_user, "cases.act" if case is not None else "letters.write"):
        abort(403)
    merged.check_writable(case if case is not None else letter)  # a former commune's: its open work only, or 403
    back = _page_of(letter.id if letter else None, case.id if case else None)
    upload = request.files.get("file")
    if upload is None or not upload.filename:
        flash(message("attachment_required"), "error")
        return redirect(back, 303)
    owner = letter if letter is not None else case
    try:
        attachment = service.store_attachment(current_user, unit_id=owner.unit_id, letter=letter,  # type: ignore[union-attr]
                                              case=case, filename=upload.filename, stream=upload.stream,
                                              declared_type=upload.mimetype)
    except service.AttachmentError as error:
        flash(message(error.code, **error.params), "error")
        return redirect(back, 303)
    except ForbiddenError:
        abort(403)
    flash(_("The file %(name)s has been attached.", name=attachment.filename), "success")
    return redirect(back, 303)


def _attachment(attachment_id: int) -> Attachment:
    attachment = db.session.get(Attachment, attachment_id)
    if attachment is None or not access.can_read_unit(current_user, attachment.unit_id):
        abort(404)
    return attachment


@bp.route("/<int:attachment_id>")
@login_required
def download(attachment_id: int):  # type: ignore[no-untyped-def]
    attachment = _attachment(attachment_id)
    if not (access.can(current_user, "letters.read") or access.can(current_user, "cases.read")):
        abort(403)
    try:
        path, mimetype, name = service.open_attachment(current_user, attachment)
    except NotFoundError:
        abort(404)
    except ForbiddenError as error:
        return render_template("errors/error.html", code=403, title=_("Access denied"),
                               text=message(error.code)), 403
    except service.AttachmentCorrupt as error:
        return render_template("errors/error.html", code=error.status, title=_("File damaged"),
                               text=message(error.code)), error.status
    response = send_file(path, mimetype=mimetype, as_attachment=True, download_name=name,
                         conditional=False, etag=False, last_modified=None, max_age=None)
    response.headers["Cache-Control"] = "no-store"
    response.headers["X-Content-Type-Options"] = "nosniff"
    return response


@bp.route("/<int:attachment_id>/delete", methods=["POST"])
@login_required
def delete(attachment_id: int):  # type: ignore[no-untyped-def]
    attachment = _attachment(attachment_id)
    merged.check_writable(attachment)  # a former commune's file: only of its open work, or 403
    back = _page_of(attachment.letter_id, attachment.case_id)
    try:
        service.delete_attachment(current_user, attachment)
    except NotFoundError:
        abort(404)
    except ForbiddenError:
        abort(403)
    # No file name here: a denunciation's file names may name the denouncer.
    flash(_("The file has been deleted."), "success")
    return redirect(back, 303)
