"""The JSON API under /api/v1: bearer tokens, pydantic bodies, JSON errors, OpenAPI document."""
from __future__ import annotations

from flask import Blueprint

api_bp = Blueprint("api", __name__, url_prefix="/api/v1")

# The modules register their routes and error handlers on api_bp when imported.
from tracker.api import auth  # noqa: E402,F401
from tracker.api import cases  # noqa: E402,F401
from tracker.api import citizens  # noqa: E402,F401
from tracker.api import deadlines  # noqa: E402,F401
from tracker.api import errors  # noqa: E402,F401
from tracker.api import letters  # noqa: E402,F401
from tracker.api import openapi  # noqa: E402,F401
from tracker.api import reports  # noqa: E402,F401
from tracker.api import visits  # noqa: E402,F401
from tracker.api import weekly  # noqa: E402,F401
