"""The world the attacker finds: a province, two communes, one user per role (two receptionists, two
handlers), and denouncers planted through the services, each for its own attack so that one attack's
writes cannot change what another one proves.

- ``crawl``: a denunciation visit and letter received by ``sx_desk``, accepted as a case assigned to
  ``sx_h1`` by the chair, verified, instructed, with files named after her: the need-to-know crawl.
- ``gate``: a denunciation visit and letter received by ``sx_desk``, no case: linked by id / ID number by
  those not cleared (F2).
- ``split``: a complaint letter that also denounces, split by ``sx_desk`` into a complaint and a
  denunciation (F3).
- ``own``: a denunciation accepted as a case assigned to ``sx_h1``, and pending denunciation letters (F4).
- ``dup``: a denunciation, then a complaint of the same sender with a similar summary (F5).
"""
from __future__ import annotations

import io
from dataclasses import dataclass
from dataclasses import field

from sqlalchemy import select

from tests.factories import make_unit
from tests.factories import make_user
from tests.security.attack import Person
from tracker.extensions import db
from tracker.models import Attachment
from tracker.models import Clock
from tracker.models import DeadlineRuleRow
from tracker.models import Notification
from tracker.models import ReceptionSession
from tracker.models import RuleParam
from tracker.models import Unit
from tracker.models import User
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
from tracker.services.letters.letter_split import split_letter
from tracker.services.operations.tokens import issue_token
from tracker.services.operations.users import update_user
from tracker.services.reception import visits as reception
from tracker.services.reception.citizens import CitizenInput
from tracker.web.filters import local_today

PEOPLE = {
    "crawl": Person("crawl", "Hoàng Thị Kín Đáo", "079137000501", "0912370501", "Số 37 ngõ Kín Đáo", 1937),
    "gate": Person("gate", "Lương Thị Ẩn Danh", "079138000502", "0912380502", "Số 38 hẻm Ẩn Danh", 1938),
    "gate2": Person("gate2", "Tạ Thị Vô Danh", "079140000506", "0912400506", "Số 40 hẻm Vô Danh", 1940),
    "split": Person("split", "Vương Thị Tách Đôi", "079139000503", "0912390503", "Số 39 đường Tách Đôi", 1939),
    "own": Person("own", "Đinh Thị Giữ Kín", "079141000504", "0912410504", "Số 41 phố Giữ Kín", 1941),
    "dup": Person("dup", "Mạc Thị Trùng Lặp", "079142000505", "0912420505", "Số 42 ngõ Trùng Lặp", 1942),
}
DUP_SUMMARY = "Tố cáo trưởng thôn Zeta giữ lại tiền hỗ trợ lũ lụt của các hộ dân"
COMPLAINT_SUMMARY = "Khiếu nại trưởng thôn Zeta giữ lại tiền hỗ trợ lũ lụt của các hộ dân"

# username: (role, unit code)
USERS = {
    "sx_admin": ("admin", "XA-SX"), "sx_chair": ("chair", "XA-SX"), "sx_vice": ("vice_chair", "XA-SX"),
    "sx_desk": ("receptionist", "XA-SX"), "sx_desk2": ("receptionist", "XA-SX"),
    "sx_h1": ("handler", "XA-SX"), "sx_h2": ("handler", "XA-SX"), "sx_insp": ("inspector", "XA-SX"),
    "sx_hold": ("handler", "XA-SX"),  # deactivated
    "sp_admin": ("admin", "TINH-S"), "sp_insp": ("inspector", "TINH-S"),
    "sy_chair": ("chair", "XA-SY"), "sy_h": ("handler", "XA-SY"),
    # users whose session the F1 and F6 attacks change: one per server
    "pw_waitress": ("handler", "XA-SX"), "pw_gunicorn": ("handler", "XA-SX"),
    "out_waitress": ("receptionist", "XA-SX"), "out_gunicorn": ("receptionist", "XA-SX"),
}
# Who may see the crawl denouncer (need to know): she was received by sx_desk, her case is sx_h1's,
# and the chair and vice-chair of her commune. Nobody else.
CLEARED = {"sx_desk", "sx_h1", "sx_chair", "sx_vice"}
CRAWLERS = ("sx_admin", "sx_chair", "sx_vice", "sx_desk", "sx_desk2", "sx_h1", "sx_h2", "sx_insp",
            "sp_admin", "sp_insp", "sy_chair")


@dataclass
class World:
    """Ids of the planted rows, by name; the URL arguments of every route; the users and their tokens."""

    ids: dict[str, int] = field(default_factory=dict)
    url_ids: dict[str, list[object]] = field(default_factory=dict)
    users: dict[str, int] = field(default_factory=dict)
    tokens: dict[str, str] = field(default_factory=dict)
    today: str = ""


def _citizen(person: Person) -> CitizenInput:
    return CitizenInput(full_name=person.full_name, id_number=person.id_number, birth_year=person.birth_year,
                        gender="female", phone=person.phone, address=person.address, neighbourhood="Tổ 9")


def _denunciation_visit(desk: User, unit: Unit, person: Person, today) -> tuple[int, int]:  # type: ignore[no-untyped-def]
    visit = reception.log_visit(desk, unit, reception.VisitInput(
        visited_on=today, content=f"Tố cáo cán bộ địa chính ({person.key})", classification="denunciation",
        handling="letter_received", subject="land", kind="regular", host="officer",
        visitors=[reception.VisitorInput(citizen=_citizen(person))]), today)
    return visit.id, visit.visitors[0].citizen_id


def _letter(desk: User, unit: Unit, kind: str, summary: str, today, *, citizen_id: int | None = None,  # type: ignore[no-untyped-def]
            person: Person | None = None, visit_id: int | None = None) -> letters.Letter:
    sender = (reception.VisitorInput(citizen_id=citizen_id) if citizen_id
              else reception.VisitorInput(citizen=_citizen(person)) if person
              else reception.VisitorInput(citizen=CitizenInput("Trần Văn Thường Dân", None, 1970)))
    return letters.register_letter(desk, unit, letters.LetterInput(
        received_on=today, channel="visit" if visit_id else "post", visit_id=visit_id, kind=kind,
        subject="land", summary=summary, senders=[sender]), today)


def _accept(chair: User, letter, handler_id: int, today, document_no: str):  # type: ignore[no-untyped-def]
    return letters.decide_handling(chair, letter, letters.HandlingInput(
        decision="accept", on=today, version=letter.version, eligible=True, within_competence=True,
        document_no=document_no, document_date=today, signer="Cán bộ sx_chair", handler_id=handler_id,
        complexity=1 if letter.kind == "denunciation" else 0), today)


def plant() -> World:
    seed_deadline_rules()
    seed_calendar()
    seed_rule_params()
    db.session.commit()
    province = make_unit("TINH-S", "UBND tỉnh Thử Tấn Công", level="province")
    unit = make_unit("XA-SX", "UBND xã Sông Xanh", parent_code=province.code)
    make_unit("XA-SY", "UBND xã Sông Yên", parent_code=province.code)
    units = {u.code: u for u in db.session.scalars(select(Unit))}
    users = {name: make_user(name, role, units[code], full_name=f"Cán bộ {name}")
             for name, (role, code) in USERS.items()}
    today = local_today()
    desk, chair, h1, h2 = users["sx_desk"], users["sx_chair"], users["sx_h1"], users["sx_h2"]
    ids: dict[str, int] = {}

    # crawl: the denouncer at the desk, her letter, her case (sx_h1), files naming her.
    person = PEOPLE["crawl"]
    ids["crawl_visit"], ids["crawl_citizen"] = _denunciation_visit(desk, unit, person, today)
    letter = _letter(desk, unit, "denunciation", "Tố cáo cán bộ địa chính thu tiền trái phép khi cấp sổ đỏ", today,
                     citizen_id=ids["crawl_citizen"], visit_id=ids["crawl_visit"])
    case = _accept(chair, letter, h1.id, today, "31/TB-UBND")
    case = cases.apply_case_action(h1, case, cases.ActionInput(action="verify", on=today, version=case.version,
                                                               note="Xác minh tại thôn"), today)
    give_instruction(chair, case, "Khẩn trương xác minh, báo cáo trước thứ Sáu", None, today, h1.id)
    attachments.store_attachment(desk, unit_id=unit.id, letter=letter, filename=f"Đơn tố cáo - {person.full_name}.txt",
                                 stream=io.BytesIO(f"Đơn của {person.full_name}, CCCD {person.id_number}".encode()))
    attachments.store_attachment(h1, unit_id=unit.id, case=case, filename="bien-ban.txt",
                                 stream=io.BytesIO(f"Làm việc với bà {person.full_name}, {person.address}".encode()))
    ids["crawl_letter"], ids["crawl_case"] = letter.id, case.id

    # Ordinary business next to it: a petition at the desk, a complaint accepted as sx_h2's case.
    ordinary = reception.log_visit(desk, unit, reception.VisitInput(
        visited_on=today, content="Đề nghị sửa đường liên xóm", classification="petition", handling="guided",
        visitors=[reception.VisitorInput(citizen=CitizenInput("Nguyễn Văn Thường", "001085000111", 1985))]), today)
    complaint = _letter(desk, unit, "complaint", "Khiếu nại quyết định xử phạt hành chính", today,
                        citizen_id=ordinary.visitors[0].citizen_id)
    ordinary_case = _accept(chair, complaint, h2.id, today, "32/TB-UBND")
    group = create_group(chair, GroupInput(name="Tổ hòa giải thôn Một", members=[
        MemberInput("Lê Văn Hòa", "male", True), MemberInput("Phạm Thị Giải", "female")]))
    session = reception.ensure_session(unit.id, today, "scheduled", "chair", "Cán bộ sx_chair")
    db.session.commit()
    ids.update(ordinary_visit=ordinary.id, ordinary_citizen=ordinary.visitors[0].citizen_id,
               ordinary_letter=complaint.id, ordinary_case=ordinary_case.id, group=group.id, session=session.id)

    # gate: a denouncer known only by her denunciation (visit and letter).
    person = PEOPLE["gate"]
    ids["gate_visit"], ids["gate_citizen"] = _denunciation_visit(desk, unit, person, today)
    ids["gate_letter"] = _letter(desk, unit, "denunciation", "Tố cáo cán bộ thu phí sai quy định", today,
                                 citizen_id=ids["gate_citizen"]).id

    ids["gate2_visit"], ids["gate2_citizen"] = _denunciation_visit(desk, unit, PEOPLE["gate2"], today)

    # split: a complaint that also denounces, split into its two parts by the receptionist.
    person = PEOPLE["split"]
    mixed = _letter(desk, unit, "complaint", "Khiếu nại việc thu hồi đất và tố cáo cán bộ địa chính nhận tiền",
                    today, person=person)
    parts = split_letter(desk, mixed, [("complaint", "Khiếu nại việc thu hồi đất"),
                                       ("denunciation", "Tố cáo cán bộ địa chính nhận tiền")], today,
                         version=mixed.version)
    db.session.commit()
    ids["split_original"] = mixed.id
    ids["split_complaint"] = next(p.id for p in parts if p.kind == "complaint")
    ids["split_denunciation"] = next(p.id for p in parts if p.kind == "denunciation")
    ids["split_citizen"] = mixed.senders[0].citizen_id

    # own: a denunciation case of sx_h1, pending denunciations, pending complaints for handler_id checks.
    person = PEOPLE["own"]
    own = _letter(desk, unit, "denunciation", "Tố cáo cán bộ tư pháp làm sai lệch hồ sơ", today, person=person)
    ids["own_citizen"] = own.senders[0].citizen_id
    ids["own_case"] = _accept(chair, own, h1.id, today, "33/TB-UBND").id
    ids["own_letter"] = own.id
    for name in ("own_pending_web", "own_pending_api"):
        ids[name] = _letter(desk, unit, "denunciation", f"Tố cáo cán bộ tư pháp lần nữa ({name})", today,
                            citizen_id=ids["own_citizen"]).id
    for name in ("pending_other_commune", "pending_province_admin", "pending_commune_admin", "pending_inactive",
                 "pending_form"):
        ids[name] = _letter(desk, unit, "complaint", f"Khiếu nại việc cấp phép ({name})", today).id

    # dup: her complaint and her denunciation saying nearly the same.
    person = PEOPLE["dup"]
    complaint = _letter(desk, unit, "complaint", COMPLAINT_SUMMARY, today, person=person)
    ids["dup_citizen"], ids["dup_complaint"] = complaint.senders[0].citizen_id, complaint.id
    ids["dup_denunciation"] = _letter(desk, unit, "denunciation", DUP_SUMMARY, today,
                                      citizen_id=ids["dup_citizen"]).id
    # (the test checks that the receptionist who received both is offered the link: the plant is not vacuous)

    hold = users["sx_hold"]
    update_user(hold, version=hold.version, full_name=hold.full_name, role=hold.role, unit_code="XA-SX",
                active=False)

    world = World(ids=ids, today=today.strftime("%d/%m/%Y"))
    world.users = {name: u.id for name, u in users.items()}
    world.tokens = {name: issue_token(name) for name in USERS if name != "sx_hold"}
    world.ids["unit_x"], world.ids["unit_y"], world.ids["province"] = (units["XA-SX"].id, units["XA-SY"].id,
                                                                        units["TINH-S"].id)
    crawl_case = ids["crawl_case"]
    world.url_ids = {
        "visit_id": [ids["crawl_visit"], ids["ordinary_visit"]],
        "letter_id": [ids["crawl_letter"], ids["ordinary_letter"]],
        "case_id": [crawl_case, ids["ordinary_case"]],
        "citizen_id": [ids["crawl_citizen"], ids["ordinary_citizen"]],
        "clock_id": list(db.session.scalars(select(Clock.id).where(Clock.case_id == crawl_case))),
        "attachment_id": list(db.session.scalars(select(Attachment.id))),
        "note_id": list(db.session.scalars(select(Notification.id).where(Notification.case_id == crawl_case))),
        "group_id": [group.id],
        "session_id": list(db.session.scalars(select(ReceptionSession.id))),
        "user_id": [users["sx_h1"].id, users["sx_desk"].id],
        "unit_id": [units["XA-SX"].id],
        "period": [str(today.year), f"{today.year}-{today.month:02d}"],
        "code": [letter.tracking_code],
        "fmt": ["docx", "xlsx"],
        "row_id": sorted(set(db.session.scalars(select(RuleParam.id).limit(1)))
                         | set(db.session.scalars(select(DeadlineRuleRow.id).limit(1)))),
        "action": ["verify"],
        "slug": ["chu-tich"],  # the user guide's pages carry no person; one is enough
    }
    db.session.commit()
    return world
