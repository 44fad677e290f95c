"""A refused form keeps what was typed: when a form is refused before its view sees it (its protection
token no longer belongs to the session, or a NUL character crept into a field), the 400 page carries
the fields back, with a fresh token, for the user to send again in one click.

Only for a form posted from this site's own pages (Origin, else Referer, of this host): a form posted
from another site is refused plainly, or the page would turn a forged request into a one-click one.
Passwords are never written back into a page.
"""
from __future__ import annotations

from flask import render_template
from flask import request
from flask.typing import ResponseReturnValue
from flask_babel import gettext as _


def _same_origin() -> bool:
    own = request.host_url.rstrip("/")
    origin = request.headers.get("Origin")
    if origin:
        return origin.rstrip("/") == own
    return (request.referrer or "").startswith(own + "/")


def _fields() -> list[tuple[str, str]]:
    return [(name, value.replace("\x00", "")) for name, value in request.form.items(multi=True)
            if name != "csrf_token" and "password" not in name]


def resend_page(title: str, reason: str) -> ResponseReturnValue:
    """The 400 page of a refused form: with its fields and a "send again" button when it came from here."""
    fields: list[tuple[str, str]] = []
    offer = (request.method == "POST" and request.mimetype == "application/x-www-form-urlencoded"
             and _same_origin())
    if offer:
        fields = _fields()
    action = request.path + ("?" + request.query_string.decode("latin-1") if request.query_string else "")
    return render_template("errors/resend.html", title=title, reason=reason, offer=offer, fields=fields,
                           action=action, hint=_("What you typed is kept below: check it and send it again.")
                           if offer else None), 400
