"""Administration: load a legal update file (the next year's calendar, new deadline rule versions).

Uploading shows, item by item, the open cases and letters each item would re-time (nothing written);
the file's content travels back in the form with its digest, and only the installation administrator
(role ``sysadmin``) may then apply it — every item or none (tracker.services.legal.legal_updates).
"""
from __future__ import annotations

from flask import abort
from flask import flash
from flask import redirect
from flask import render_template
from flask import request
from flask import url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import login_required
from flask_wtf import FlaskForm
from flask_wtf.file import FileField
from wtforms import HiddenField
from wtforms import TextAreaField
from wtforms.validators import Length

from tracker.messages import message
from tracker.services.clock import local_today
from tracker.services.errors import ConflictError
from tracker.services.errors import DomainError
from tracker.services.legal import legal_updates as lu
from tracker.web.admin.calendar_views import PREVIEW_LIMIT
from tracker.web.admin.forms import TOO_LONG
from tracker.web.admin.views import bp
from tracker.web.admin.views import rule_editor
from tracker.web.errors import attach_errors
from tracker.web.permissions import need


class LegalUpdateForm(FlaskForm):
    file = FileField(_l("Legal update file (.json)"))
    reason = TextAreaField(_l("Reason written on the re-timed cases"), validators=[Length(max=500, message=TOO_LONG)],
                           description=_l("Leave empty to use the file's title."))
    content = HiddenField()
    digest = HiddenField()


def _uploaded(form: LegalUpdateForm) -> bytes | None:
    upload = request.files.get(form.file.name)
    if upload is not None and upload.filename:
        return upload.stream.read(lu.MAX_BYTES + 1)
    return (form.content.data or "").encode("utf-8") or None


@bp.route("/legal-update", methods=["GET", "POST"])
@login_required
def legal_update():  # type: ignore[no-untyped-def]
    need("admin.rules")
    form = LegalUpdateForm()
    errors: list[str] = []
    update: lu.LegalUpdate | None = None
    result: lu.UpdateResult | None = None
    status = 200
    if request.method == "POST":
        raw = _uploaded(form) if form.validate_on_submit() else None
        if form.errors:
            errors, status = [message("invalid")], 400
        elif raw is None:
            errors, status = [_("Choose a legal update file.")], 400
        else:
            try:
                update = lu.load_update(raw)
                if "apply" in request.form and form.digest.data == update.digest:
                    if not rule_editor():
                        abort(403)
                    applied = lu.apply_update(update, form.reason.data or update.title, today=local_today())
                    flash(_("The legal update “%(title)s” has been applied: %(count)s due date(s) of open cases "
                            "and letters moved.", title=update.title, count=len(applied.moved)), "success")
                    return redirect(url_for(".legal_update"))
                result = lu.preview_update(update)
                form.content.data, form.digest.data = raw.decode("utf-8-sig"), update.digest
            except DomainError as exc:
                if isinstance(exc, lu.LegalUpdateInvalid):
                    errors = [message("legal_update_invalid"), *exc.lines()]
                else:
                    errors = attach_errors(form, exc)
                status = 409 if isinstance(exc, ConflictError) else 400
                if update is not None:  # refused against this database: show what each item does
                    result = lu.preview_update(update)
                    form.content.data, form.digest.data = raw.decode("utf-8-sig"), update.digest
    can_apply = bool(result and rule_editor() and not result.errors
                     and not any(i.blocked for i in result.items)
                     and any(i.status == "change" for i in result.items))
    return render_template("admin/legal_update.html", form=form, errors=errors, update=update, result=result,
                           can_apply=can_apply, top_level=rule_editor(), limit=PREVIEW_LIMIT,
                           message=message), status
