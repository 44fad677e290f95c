"""Messages of the command line follow LANG: English when it starts with "en", else Vietnamese."""
from __future__ import annotations

import os
from collections.abc import Iterator
from contextlib import contextmanager

from flask import current_app
from flask_babel import force_locale

from tracker.services.privacy import audit


@contextmanager
def cli_locale() -> Iterator[None]:
    lang = "en" if os.environ.get("LANG", "").lower().startswith("en") else "vi"
    with current_app.test_request_context(), force_locale(lang):
        audit.set_actor(None, "cli")
        yield
