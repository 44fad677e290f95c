"""Flask-Babel's translations, looked up once per request and locale instead of once per string.

A page translates a few hundred strings (its labels, the menu, the choices of its forms); Flask-Babel finds
the domain, the locale and the catalogue again for each of them through three context lookups. The
catalogue found is kept beside the locale Flask-Babel already keeps for the request (``g._flask_babel``),
and used again while that locale object is the one in force — ``force_locale`` (mail, exports, API errors)
sets another object, so it gets its own catalogue and the request's one comes back afterwards.
"""
from __future__ import annotations

from typing import Any

from flask import Flask
from flask.globals import _cv_app
from flask_babel import Babel
from flask_babel import Domain

_KEPT = "_tracker_translations"


class RequestDomain(Domain):  # type: ignore[misc]
    def get_translations(self) -> Any:
        app_ctx = _cv_app.get(None)
        ns = app_ctx.g.__dict__.get("_flask_babel") if app_ctx is not None else None
        locale = ns.__dict__.get("babel_locale") if ns is not None else None
        if locale is None:  # the first string of the request: Flask-Babel selects the locale
            return super().get_translations()
        kept = ns.__dict__.get(_KEPT)
        if kept is not None and kept[0] is locale:
            return kept[1]
        translations = super().get_translations()
        setattr(ns, _KEPT, (locale, translations))
        return translations


def install(app: Flask, babel: Babel) -> None:
    """Use :class:`RequestDomain` for the app's default domain and for the templates' ``_``."""
    domain = RequestDomain(domain=app.extensions["babel"].default_domain)
    babel.__dict__["domain_instance"] = domain  # Babel.domain_instance is a cached property
    app.jinja_env.install_gettext_callables(  # type: ignore[attr-defined]
        gettext=lambda s: domain.get_translations().ugettext(s),
        ngettext=lambda s, p, n: domain.get_translations().ungettext(s, p, n),
        newstyle=True,
        pgettext=lambda c, s: domain.get_translations().upgettext(c, s),
        npgettext=lambda c, s, p, n: domain.get_translations().unpgettext(c, s, p, n),
    )
