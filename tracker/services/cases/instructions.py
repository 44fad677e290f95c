"""Instructions (ý kiến chỉ đạo) of the chairperson or a vice-chair on a case, for its handler."""
from __future__ import annotations

from datetime import date

from sqlalchemy import select
from sqlalchemy.orm import selectinload

from tracker.extensions import db
from tracker.models import Case
from tracker.models import Instruction
from tracker.models import User
from tracker.services import access
from tracker.services.cases.actions import _event
from tracker.services.errors import ConflictError
from tracker.services.errors import ForbiddenError
from tracker.services.errors import ValidationError
from tracker.services.operations.inbox import notify
from tracker.services.transaction import atomic

MAX_TEXT = 4000


@atomic
def give_instruction(user: User, case: Case, text: str, due_on: date | None, today: date,
                     assignee_id: int | None = None) -> Instruction:
    """Write an instruction on the case's timeline and in the handler's inbox (one transaction). A former
    commune's open case is instructed by the chair of the commune that continues it: the instruction is
    that commune's (its unit), the case keeps its own."""
    continued = access.continues(user, case)
    if not access.can(user, "instructions.give") or (user.unit_id != case.unit_id and not continued):
        raise ForbiddenError("forbidden")
    unit_id = user.unit_id if continued else case.unit_id
    errors: dict[str, str] = {}
    text = (text or "").strip()
    if not text:
        errors["text"] = "required"
    elif len(text) > MAX_TEXT:
        errors["text"] = "too_long"
    if due_on is not None and due_on < today:
        errors["due_on"] = "due_in_past"
    assignee = assignee_id or case.handler_id
    if assignee_id is not None:
        other = db.session.get(User, assignee_id)
        if other is None or other.unit_id not in (case.unit_id, unit_id) or not other.active:
            errors["assignee_id"] = "not_found"
    if errors:
        raise ValidationError(errors)
    instruction = Instruction(case_id=case.id, unit_id=unit_id, author_id=user.id, assignee_id=assignee,
                              text=text, given_on=today, due_on=due_on)
    db.session.add(instruction)
    db.session.flush()
    _event(case, "instruction", today, note=text, data={"instruction": instruction.id,
                                                        "due_on": due_on.isoformat() if due_on else None})
    if assignee:
        notify(assignee, unit_id, "instruction", "instruction_given",
               {"case_id": case.number, "text": text[:200], "due": due_on.strftime("%d/%m/%Y") if due_on else "—"},
               f"instruction:{instruction.id}", case_id=case.id)
    return instruction


@atomic
def complete_instruction(user: User, instruction: Instruction, on: date, *, version: int) -> Instruction:
    if instruction.version != version:
        raise ConflictError("stale")
    if user.id not in (instruction.assignee_id, instruction.author_id) and not access.can(user, "instructions.give"):
        raise ForbiddenError("forbidden")
    if instruction.done_on is not None:
        raise ConflictError("instruction_done")
    instruction.done_on = on
    case = db.session.get(Case, instruction.case_id)
    if case is not None:
        _event(case, "instruction_done", on, data={"instruction": instruction.id})
    return instruction


def open_for(user: User) -> list[Instruction]:
    """The chairperson's instructions still open for ``user``, soonest due first."""
    return list(db.session.scalars(
        select(Instruction).where(Instruction.assignee_id == user.id, Instruction.done_on.is_(None))
        .options(selectinload(Instruction.author), selectinload(Instruction.case))
        .order_by(Instruction.due_on, Instruction.id)))


def open_in_unit(user: User, limit: int = 500) -> list[Instruction]:
    """Every open instruction of the user's unit, for those who give them (empty for anyone else)."""
    if not access.can(user, "instructions.give"):
        return []
    return list(db.session.scalars(
        select(Instruction).where(Instruction.unit_id == user.unit_id, Instruction.done_on.is_(None))
        .options(selectinload(Instruction.author), selectinload(Instruction.assignee),
                 selectinload(Instruction.case))
        .order_by(Instruction.due_on, Instruction.id).limit(limit)))
