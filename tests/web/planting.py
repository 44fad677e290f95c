"""Plant one commune's ordinary business, for the tests that walk every route (access table, XSS).

``plant_unit`` fills a unit with one of every object a route can name (visit, citizen, letter,
case, clock, attachment, instruction, mediation group, reception session, API token, notification per user),
with every free-text field set to ``text`` so an XSS test can plant markup in all of them at once.
It answers the ids, per URL argument name, that belong to that unit (and per user, the user's own
notification).
"""
from __future__ import annotations

import io
from dataclasses import dataclass
from dataclasses import field

from sqlalchemy import select

from tests.factories import make_unit
from tests.factories import make_user
from tracker.extensions import db
from tracker.models import ApiToken
from tracker.models import Clock
from tracker.models import DeadlineRuleRow
from tracker.models import IdentityGrant
from tracker.models import Instruction
from tracker.models import Notification
from tracker.models import RuleParam
from tracker.models import Unit
from tracker.models import User
from tracker.models.base import utcnow
from tracker.services.cases import actions as cases
from tracker.services.cases.instructions import give_instruction
from tracker.services.cases.mediation_groups import GroupInput
from tracker.services.cases.mediation_groups import MemberInput
from tracker.services.cases.mediation_groups import create_group
from tracker.services.legal.deadlines import seed_calendar
from tracker.services.legal.deadlines import seed_deadline_rules
from tracker.services.legal.rule_params import seed_rule_params
from tracker.services.letters import attachments
from tracker.services.letters import register as letters
from tracker.services.operations import inbox
from tracker.services.operations.tokens import issue_token
from tracker.services.reception import visits as reception
from tracker.services.reception.citizens import CitizenInput
from tracker.web.filters import local_today

ROLES = ("admin", "chair", "vice_chair", "receptionist", "handler", "inspector")


@dataclass
class UnitData:
    unit: Unit
    users: dict[str, User]  # role → the unit's user of that role
    ids: dict[str, int] = field(default_factory=dict)  # URL argument → an id of this unit
    notes: dict[str, int] = field(default_factory=dict)  # role → a notification of that user
    codes: dict[str, str] = field(default_factory=dict)  # URL argument → a text key (the tracking code)


def seed_rules() -> None:
    seed_deadline_rules()
    seed_calendar()
    seed_rule_params()
    db.session.commit()


def plant_unit(code: str, name: str, *, parent: Unit | None = None, text: str = "Nội dung thường",
               prefix: str | None = None) -> UnitData:
    """One user per role and one of every object, all in unit ``code``."""
    unit = make_unit(code, name, parent_code=parent.code if parent else None)
    prefix = prefix or code.lower().replace("-", "")
    users = {role: make_user(f"{prefix}_{role}", role, unit, full_name=f"Cán bộ {role} {text}") for role in ROLES}
    today = local_today()
    desk, chair, handler = users["receptionist"], users["chair"], users["handler"]
    person = CitizenInput(full_name=f"Nguyễn Văn {text}", birth_year=1980, phone="0912000111",
                          address=f"Số 1 {text}", neighbourhood=f"Thôn {text}")
    visit = reception.log_visit(desk, unit, reception.VisitInput(
        visited_on=today, content=f"Đề nghị {text}", classification="petition", handling="guided",
        kind="scheduled", host="chair", host_name=f"Chủ tịch {text}", note=f"Ghi chú {text}",
        result_followup=f"Kết quả {text}", visitors=[reception.VisitorInput(citizen=person)]), today)
    citizen_id = visit.visitors[0].citizen_id
    letter = letters.register_letter(desk, unit, letters.LetterInput(
        received_on=today, channel="post", kind="complaint", summary=f"Khiếu nại {text}",
        senders=[reception.VisitorInput(citizen_id=citizen_id)]), today)
    case = letters.decide_handling(chair, letter, letters.HandlingInput(
        decision="accept", on=today, version=letter.version, eligible=True, within_competence=True,
        document_no="22/TB-UBND", handler_id=handler.id), today)
    case = cases.apply_case_action(handler, case, cases.ActionInput(
        action="note", on=today, version=case.version, note=f"Ghi chú vụ việc {text}"), today)
    instruction = give_instruction(chair, case, f"Chỉ đạo {text}", None, today, handler.id)
    attachment = attachments.store_attachment(desk, unit_id=unit.id, letter=letter, filename="don.txt",
                                              stream=io.BytesIO(f"Đơn khiếu nại {text}".encode()))
    group = create_group(chair, GroupInput(name=f"Tổ hòa giải {text}", neighbourhood=f"Thôn {text}", members=[
        MemberInput(f"Lê Văn {text}", "male", True), MemberInput("Phạm Thị Giải", "female"),
        MemberInput("Đỗ Văn Ba", "male")]))
    session = reception.ensure_session(unit.id, today, "scheduled", "chair", f"Chủ tịch {text}")
    issue_token(desk.username, name=f"Tích hợp {text}")
    for role, user in users.items():
        inbox.notify(user.id, unit.id, "instruction", "instruction_given",
                     {"case_id": case.id, "text": text, "due": ""}, f"plant-{code}-{role}", case_id=case.id)
    db.session.commit()
    # A grant (already withdrawn) to name in the routes: grants exist only on denunciations, which this
    # world of ordinary records has none of, so the row is planted as the table needs it.
    grant = IdentityGrant(unit_id=unit.id, case_id=case.id, user_id=desk.id, reason=f"Xác minh {text}",
                          granted_by_id=chair.id, withdrawn_at=utcnow(), withdrawn_by_id=chair.id)
    db.session.add(grant)
    db.session.commit()
    data = UnitData(unit=unit, users=users)
    data.ids = {
        "grant_id": grant.id,
        "visit_id": visit.id, "citizen_id": citizen_id, "letter_id": letter.id, "case_id": case.id,
        "clock_id": db.session.scalar(select(Clock.id).where(Clock.case_id == case.id).order_by(Clock.id)),
        "attachment_id": attachment.id, "instruction_id": instruction.id, "group_id": group.id,
        "session_id": session.id, "user_id": handler.id, "unit_id": unit.id,
        "token_id": db.session.scalar(select(ApiToken.id).where(ApiToken.user_id == desk.id)),
    }
    data.codes = {"code": letter.tracking_code}
    data.notes = {role: db.session.scalar(select(Notification.id).where(Notification.user_id == user.id)
                                          .order_by(Notification.id)) for role, user in users.items()}
    assert db.session.get(Instruction, instruction.id)
    return data


def global_ids() -> dict[str, int]:
    """Ids of rows that belong to no unit (rule tables)."""
    return {"row_id": db.session.scalar(select(RuleParam.id).order_by(RuleParam.id)),
            "deadline_row_id": db.session.scalar(select(DeadlineRuleRow.id).order_by(DeadlineRuleRow.id))}
