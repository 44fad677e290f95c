"""/inbox: the user's notifications, newest first, and the unread count of the top bar."""
from __future__ import annotations

from flask import Blueprint
from flask import abort
from flask import current_app
from flask import flash
from flask import redirect
from flask import render_template
from flask import request
from flask import url_for
from flask_babel import gettext as _
from flask_login import current_user
from flask_login import login_required

from tracker.extensions import db
from tracker.models import Notification
from tracker.services.operations import inbox as service

bp = Blueprint("inbox", __name__, url_prefix="/inbox")


@bp.app_context_processor
def _unread_badge() -> dict[str, object]:
    """``inbox_unread`` for the top bar: one COUNT query, only when someone is logged in."""
    def unread() -> int:
        if not (current_user and getattr(current_user, "is_authenticated", False)):
            return 0
        return service.unread_count(current_user)

    return {"inbox_unread": _Lazy(unread)}


class _Lazy:
    """Counted only if a template uses it (error pages of the API never do), and at most once."""

    def __init__(self, compute):  # type: ignore[no-untyped-def]
        self._compute, self._value = compute, None

    def value(self) -> int:
        if self._value is None:
            self._value = self._compute()
        return self._value  # type: ignore[return-value]

    def __int__(self) -> int:
        return self.value()

    def __bool__(self) -> bool:
        return self.value() > 0

    def __str__(self) -> str:
        return str(self.value())

    __html__ = __str__


def target_of(note: Notification) -> str | None:
    if note.case_id:
        return f"/cases/{note.case_id}"
    if note.letter_id:
        return f"/letters/{note.letter_id}"
    return None


@bp.route("/")
@login_required
def index():  # type: ignore[no-untyped-def]
    unread_only = request.args.get("unread") == "1"
    page = db.paginate(service.inbox_query(current_user, unread_only), per_page=current_app.config["PER_PAGE"],
                       max_per_page=200, error_out=False)
    items = [(n, service.render(n), target_of(n)) for n in page.items]
    return render_template("weekly/inbox.html", page=page, items=items, unread_only=unread_only)


@bp.route("/<int:note_id>")
@login_required
def open_note(note_id: int):  # type: ignore[no-untyped-def]
    note = db.session.get(Notification, note_id)
    if note is None or note.user_id != current_user.id:
        abort(404)
    if note.read_at is None:
        service.mark_read(current_user, [note.id])
    return redirect(target_of(note) or url_for(".index"))


@bp.route("/read-all", methods=["POST"])
@login_required
def read_all():  # type: ignore[no-untyped-def]
    count = service.mark_read(current_user)
    flash(_("%(n)s notifications marked as read.", n=count), "success")
    return redirect(url_for(".index"))
