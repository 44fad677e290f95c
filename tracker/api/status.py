"""GET /api/v1/status/{code}: the public status of a letter by its tracking code (no token).

The same answer and the same limits as the public page: rate-limited per address, wrong codes
count extra, unknown and malformed codes are answered alike with 404.
"""
from __future__ import annotations

from datetime import date
from typing import Literal

from flask import Response
from flask import jsonify
from pydantic import BaseModel

from tracker.api import api_bp
from tracker.api.errors import ApiError
from tracker.api.openapi import operation
from tracker.extensions import limiter
from tracker.services.status import STAGES
from tracker.services.status import status_of
from tracker.web.public.views import _lookup_limit
from tracker.web.public.views import _miss_limit
from tracker.web.public.views import _missed


class PublicStatusOut(BaseModel):
    code: str
    stage: Literal[STAGES]  # type: ignore[valid-type]
    received_on: date
    due_on: date | None
    answered: bool


@api_bp.get("/status/<code>")
@limiter.limit(_lookup_limit)
@limiter.limit(_miss_limit, deduct_when=_missed)
@operation("Public status of a letter by the tracking code on its receipt", tag="public", public=True,
           response=PublicStatusOut, errors=(404, 429),
           description="No token needed. Only the stage, the received date, the legal due date of the next "
                       "step and whether an answer was sent; never names or contents.")
def public_status(code: str) -> Response:
    status = status_of(code)
    if status is None:
        raise ApiError(404, "not_found")
    return jsonify(status.as_dict())
