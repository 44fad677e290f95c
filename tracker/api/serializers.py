"""Records as JSON: every shape the API answers with is built here (and described in schemas.py)."""
from __future__ import annotations

from collections.abc import Callable
from collections.abc import Sequence
from datetime import date
from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

from flask import current_app

from tracker.models import Citizen
from tracker.models import Visit

CITIZEN_FIELDS = ("id", "version", "unit_id", "full_name", "id_number", "birth_year", "gender", "phone", "address",
                  "neighbourhood", "created_at", "updated_at")
VISIT_FIELDS = ("id", "version", "unit_id", "register_year", "register_no", "visited_on", "visited_at", "channel",
                "kind", "host", "host_name", "session_id", "people_count", "is_group", "content", "classification",
                "subject", "previously_handled_by", "within_competence", "handling", "handling_document_no",
                "referred_to", "decline_ground", "result_followup", "note", "created_at", "updated_at")


def _json(value: Any) -> Any:
    if isinstance(value, datetime | date):
        return value.isoformat()
    return value


def citizen_json(citizen: Citizen) -> dict[str, Any]:
    return {name: _json(getattr(citizen, name)) for name in CITIZEN_FIELDS}


def visit_json(visit: Visit, hidden: bool = False) -> dict[str, Any]:
    """``hidden``: the people of a denunciation the reader may not identify are left out."""
    body = {name: _json(getattr(visit, name)) for name in VISIT_FIELDS}
    local = visit.visited_at.astimezone(ZoneInfo(current_app.config["TIMEZONE"])) if visit.visited_at else None
    body["visited_time"] = local.strftime("%H:%M") if local else None
    body["identity_hidden"] = hidden
    body["citizens"] = [] if hidden else [{**citizen_json(vc.citizen), "representative": vc.is_representative}
                                          for vc in visit.visitors]
    return body


def page_json(items: Sequence[Any], serialise: Callable[[Any], dict[str, Any]], *, page: int | None,
              per_page: int, total: int | None, pages: int | None, **extra: Any) -> dict[str, Any]:
    return {"items": [serialise(item) for item in items], "page": page, "per_page": per_page, "total": total,
            "pages": pages, **extra}
