"""Report documents for the pure tests, written as the JSON they are stored as."""
from __future__ import annotations

from typing import Any

from tracker.rules import reporting
from tracker.rules.report_document import ReportDocument
from tracker.rules.reporting import Style


def typed(data: dict[str, Any]) -> ReportDocument:
    """The document of ``data`` (a stored document's JSON; only the parts a test needs)."""
    return ReportDocument.model_validate({"unit": "X", "period": "2023", "from": "2023-01-01", "to": "2023-12-31",
                                          **data})


def narrative(data: dict[str, Any], style: Style, period_label: str) -> str:
    return reporting.narrative(typed(data), style, period_label)
