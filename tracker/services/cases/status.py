"""What a citizen may learn from the tracking code on the receipt: the stage of the letter, the
legal due date of the next step, whether that date has passed, who holds the letter (a public body)
and whether an answer was sent — never names, contents, or a denouncer's case details."""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from datetime import timedelta

from sqlalchemy import select

from tracker.extensions import db
from tracker.models import Case
from tracker.models import Clock
from tracker.services.reception.receipts import letter_by_tracking_code

# Stages a citizen is told, in the order a letter goes through them.
STAGES = ("registered", "transferred", "guided", "returned", "filed", "accepted", "in_progress", "suspended",
          "answered")
_DECISION_STAGE = {"transfer": "transferred", "guide": "guided", "return": "returned", "archive": "filed"}


@dataclass(frozen=True)
class PublicStatus:
    code: str
    stage: str
    received_on: date
    due_on: date | None
    answered: bool
    unit: str
    overdue: bool  # the next step's legal due date has passed and it is not done

    @property
    def overdue_since(self) -> date | None:
        return self.due_on + timedelta(days=1) if self.overdue and self.due_on else None

    def as_dict(self) -> dict[str, object]:
        return {"code": self.code, "stage": self.stage, "received_on": self.received_on.isoformat(),
                "due_on": self.due_on.isoformat() if self.due_on else None, "answered": self.answered,
                "unit": self.unit, "overdue": self.overdue}


def status_of(text: str | None, today: date) -> PublicStatus | None:
    """The public status for a tracking code on ``today``, or None (the same answer for any unknown code)."""
    letter = letter_by_tracking_code(text)
    if letter is None:
        return None
    case = db.session.scalar(select(Case).where(Case.letter_id == letter.id).order_by(Case.id).limit(1))
    if letter.status == "registered":
        stage, answered = "registered", False
        due = db.session.scalar(select(Clock.due_on).where(Clock.letter_id == letter.id, Clock.status == "open",
                                                           Clock.clock == "letter.notify"))
    elif case is None:
        stage, answered, due = _DECISION_STAGE.get(letter.decision or "", "filed"), True, None
    elif case.is_open:
        stage = "suspended" if case.status == "suspended" else (
            "accepted" if case.status == "accepted" else "in_progress")
        answered, due = False, case.next_due_on
    else:
        stage, answered, due = "answered", True, None
    overdue = bool(due and not answered and due < today)
    return PublicStatus(letter.tracking_code, stage, letter.received_on, due, answered, letter.unit.name, overdue)
