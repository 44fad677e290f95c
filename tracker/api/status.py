"""GET /api/v1/status/{code}: the public status of a letter by its tracking code (no token).

The same answer as the public page and the same budget (one count for both, see
tracker/status_lookup.py): lookups per address, wrong codes per address, a valid code never refused
for others' wrong codes; unknown and malformed codes are answered alike with 404.
"""
from __future__ import annotations

from datetime import date
from typing import Literal

from flask import Response
from flask import jsonify
from pydantic import BaseModel
from pydantic import Field

from tracker.api import api_bp
from tracker.api.errors import ApiError
from tracker.api.openapi import operation
from tracker.services.cases.status import STAGES
from tracker.status_lookup import lookup_status
from tracker.status_lookup import shared_status_limits


class PublicStatusOut(BaseModel):
    code: str
    stage: Literal[STAGES]  # type: ignore[valid-type]
    received_on: date
    due_on: date | None
    answered: bool
    unit: str = Field(description="The body that holds the letter (UBND xã …)")
    overdue: bool = Field(description="The legal due date of the next step has passed and it is not done")


@api_bp.get("/status/<code>")
@shared_status_limits
@operation("Public status of a letter by the tracking code on its receipt", tag="public", public=True,
           response=PublicStatusOut, errors=(404, 429),
           description="No token needed. Only the stage, the received date, the legal due date of the next "
                       "step and whether it has passed, the body holding the letter and whether an answer "
                       "was sent; never names or contents.")
def public_status(code: str) -> Response:
    status = lookup_status()
    if status is None:
        raise ApiError(404, "not_found")
    return jsonify(status.as_dict())
