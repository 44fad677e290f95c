"""Error pages, and the bridge from domain errors to form messages."""
from __future__ import annotations

from flask import Flask
from flask import render_template
from flask import request
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_wtf.csrf import CSRFError
from sqlalchemy.exc import DataError
from werkzeug.exceptions import HTTPException

from tracker.messages import MESSAGES
from tracker.messages import field_messages
from tracker.messages import message
from tracker.security import NulInForm
from tracker.services.errors import DomainError
from tracker.web.resend import resend_page

MESSAGES.update({
    "method_not_allowed": _l("This method is not allowed here."),
    "too_large": _l("The request is too large."),
    "http_error": _l("The request could not be handled."),
    "form_refused": _l("The form was not sent."),
    "form_expired": _l("The page was open too long or your session changed meanwhile (you signed in again, "
                       "perhaps in another tab), so the form's protection code is no longer valid. Nothing "
                       "has been saved."),
    "form_nul": _l("A field contained an invisible control character (NUL), which cannot be saved. It has "
                   "been removed; nothing has been saved yet."),
})


def attach_errors(form: object, error: DomainError, aliases: dict[str, str] | None = None) -> list[str]:
    """Put each field error on the form field of that name; return the messages that fit no field."""
    leftover = []
    for name, text in field_messages(error.fields, **error.params).items():
        target = (aliases or {}).get(name, name).replace(".", "_")
        field = getattr(form, target, None)
        if field is not None and hasattr(field, "errors"):
            field.errors = list(field.errors) + [text]
        else:
            leftover.append(text)
    if not error.fields:
        leftover.append(message(error.code, **error.params))
    return leftover


def init_app(app: Flask) -> None:
    @app.errorhandler(OverflowError)
    @app.errorhandler(DataError)
    def _value_out_of_range(exc: Exception):  # type: ignore[no-untyped-def]
        # The last line of defence against input the database cannot hold (a number beyond its integers
        # from a hidden field or a page number): a 400 with a message, never a 500.
        from tracker.extensions import db

        db.session.rollback()
        if request.path.startswith("/api/"):
            from tracker.api.errors import error_response

            return error_response(400, "invalid")
        return render_template("errors/error.html", code=400, title=message("http_error"),
                               text=message("invalid")), 400

    @app.errorhandler(HTTPException)
    def _http_error(exc: HTTPException):  # type: ignore[no-untyped-def]
        code = exc.code or 500
        if isinstance(exc, CSRFError | NulInForm) and not request.path.startswith("/api/"):
            return resend_page(message("form_refused"),
                               message("form_expired" if isinstance(exc, CSRFError) else "form_nul"))
        if request.path.startswith("/api/"):
            from tracker.api.errors import error_response

            codes = {401: "unauthorized", 403: "forbidden", 404: "not_found", 405: "method_not_allowed",
                     413: "too_large", 429: "rate_limited"}
            return error_response(code, codes.get(code, "http_error"))
        titles = {400: _("The request could not be handled."), 403: _("Access denied"), 404: _("Page not found"),
                  405: message("method_not_allowed"), 413: message("too_large"), 429: _("Too many requests")}
        # A message of ours given to abort() (werkzeug's own descriptions are English and generic).
        own = exc.description if exc.description != type(exc).description else None
        text = message("rate_limited") if code == 429 else own
        return render_template("errors/error.html", code=code, title=titles.get(code, exc.name),
                               text=text), code
