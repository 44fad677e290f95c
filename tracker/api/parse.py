"""Reading a request into a pydantic model; a pydantic error becomes a 400 via api/errors.py."""
from __future__ import annotations

from typing import TypeVar

from flask import request
from pydantic import BaseModel

M = TypeVar("M", bound=BaseModel)


def parse_body(model: type[M]) -> M:
    """The JSON body as ``model`` (strict); malformed JSON, or no body at all, is a 400 ``bad_json``."""
    return model.model_validate_json(request.get_data(cache=False) or b"")


def parse_query(model: type[M]) -> M:
    """The query string as ``model``; a parameter given twice counts once (the first)."""
    return model.model_validate({key: request.args.get(key) for key in request.args})
