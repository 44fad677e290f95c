"""Log in and out, change one's own password, choose the language."""
from __future__ import annotations

from urllib.parse import urlsplit

from flask import Blueprint
from flask import flash
from flask import redirect
from flask import render_template
from flask import request
from flask import session
from flask import url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user
from flask_login import login_required
from flask_login import login_user
from flask_login import logout_user
from flask_wtf import FlaskForm
from wtforms import PasswordField
from wtforms import StringField
from wtforms.validators import DataRequired
from wtforms.validators import EqualTo
from wtforms.validators import Length

from tracker.extensions import limiter
from tracker.messages import message
from tracker.services.errors import ValidationError
from tracker.services.operations.users import LoginError
from tracker.services.operations.users import authenticate
from tracker.services.operations.users import change_own_password
from tracker.services.operations.users import log_out
from tracker.web.auth import throttle
from tracker.web.landing import home_url

bp = Blueprint("auth", __name__)


class LoginForm(FlaskForm):
    username = StringField(_l("Username"), validators=[DataRequired(message=_l("This field is required."))])
    password = PasswordField(_l("Password"), validators=[DataRequired(message=_l("This field is required."))])


class PasswordForm(FlaskForm):
    current = PasswordField(_l("Current password"), validators=[DataRequired(message=_l("This field is required."))])
    new = PasswordField(_l("New password"), validators=[
        DataRequired(message=_l("This field is required.")),
        Length(min=10, message=_l("The password must have at least 10 characters."))])
    confirm = PasswordField(_l("Repeat the new password"), validators=[
        EqualTo("new", message=_l("The two passwords differ."))])


def _safe_next(target: str | None) -> str:
    if target and not urlsplit(target).netloc and target.startswith("/") and not target.startswith("//"):
        return target
    return home_url(current_user)


@bp.route("/login", methods=["GET", "POST"])
@limiter.limit(throttle.every_attempt, methods=["POST"], scope="attempts", exempt_when=throttle.known_device)
@limiter.limit(throttle.address_failures, methods=["POST"], scope="address", deduct_when=throttle.failed,
               exempt_when=throttle.known_device)
@limiter.limit(throttle.address_user_failures, methods=["POST"], scope="address-user",
               key_func=throttle.address_and_username, deduct_when=throttle.failed)
@limiter.limit(throttle.account_failures, methods=["POST"], scope="account", key_func=throttle.username_key,
               deduct_when=throttle.failed, exempt_when=throttle.known_device)
def login():  # type: ignore[no-untyped-def]
    if current_user.is_authenticated:
        return redirect(home_url(current_user))
    form = LoginForm()
    error = None
    if form.validate_on_submit():
        try:
            user = authenticate(form.username.data or "", form.password.data or "")
        except LoginError as exc:
            error = message(exc.code, **exc.params)
        else:
            lang = session.get("lang")
            session.clear()  # a fresh session on login: no fixation
            if lang:
                session["lang"] = lang
            login_user(user)
            response = redirect(_safe_next(request.args.get("next")))
            throttle.remember_device(response, user.username)
            return response
    status = 401 if error else 200
    return render_template("auth/login.html", form=form, error=error), status


@bp.route("/logout", methods=["POST"])
@login_required
def logout():  # type: ignore[no-untyped-def]
    log_out(current_user._get_current_object())
    logout_user()
    session.clear()
    flash(_("You have logged out."), "info")
    return redirect(url_for("auth.login"))


@bp.route("/account/password", methods=["GET", "POST"])
@login_required
def change_password():  # type: ignore[no-untyped-def]
    form = PasswordForm()
    if form.validate_on_submit():
        # The user object itself, never the proxy: Flask-Login would store current_user in g, and the next
        # current_user would resolve to itself until the C stack overflows (a segfault of the server).
        user = current_user._get_current_object()
        try:
            change_own_password(user, form.current.data or "", form.new.data or "")
        except ValidationError as exc:
            for name, code in exc.fields.items():
                getattr(form, name).errors = [message(code)]
        else:
            login_user(user)  # this browser goes on with the new session token; every other copy is refused
            flash(_("Your password has been changed."), "success")
            return redirect(url_for("auth.index"))  # each role's own start page (a sysadmin has no log book)
    return render_template("auth/password.html", form=form)


@bp.route("/")
def index():  # type: ignore[no-untyped-def]
    if current_user.is_authenticated:
        return redirect(home_url(current_user))
    return redirect(url_for("auth.login"))
