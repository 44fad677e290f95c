"""The JSON API under /api/v1: bearer tokens, pydantic bodies, JSON errors, OpenAPI document."""
from __future__ import annotations

from flask import Blueprint

api_bp = Blueprint("api", __name__, url_prefix="/api/v1")
