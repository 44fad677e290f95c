"""Exchange files for the national database: a period exported, taken in elsewhere, and exported again the same."""
from __future__ import annotations

import io
import json
from datetime import date
from datetime import time
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import func
from sqlalchemy import select
from sqlalchemy import text

from tests.factories import make_unit
from tests.factories import make_user
from tests.factories import with_authority
from tracker.extensions import db
from tracker.models import AuditEntry
from tracker.models import Case
from tracker.models import CaseEvent
from tracker.models import Citizen
from tracker.models import Clock
from tracker.models import Letter
from tracker.models import Visit
from tracker.services.cases import actions as cases
from tracker.services.errors import ForbiddenError
from tracker.services.exchange import national as exchange
from tracker.services.exchange import records
from tracker.services.legal.deadlines import seed_calendar
from tracker.services.legal.deadlines import seed_deadline_rules
from tracker.services.letters import register as letters
from tracker.services.reception import visits as reception
from tracker.services.reception.citizens import CitizenInput
from tracker.services.reception.visits import VisitorInput

TODAY = date(2026, 11, 23)
START, END = date(2026, 3, 1), date(2026, 3, 31)
DENOUNCER = "Lê Thị Tố"


@pytest.fixture
def world(app):  # type: ignore[no-untyped-def]
    seed_deadline_rules()
    seed_calendar()
    source = make_unit("XA-NGUON", "UBND xã Nguồn")
    target = make_unit("XA-DICH", "UBND xã Đích")
    clerk = make_user("letan", "receptionist", source)
    chair = make_user("chutich", "chair", source, full_name="Phạm Văn Chủ")
    make_user("chutich2", "chair", target)
    return {"source": source, "target": target, "clerk": clerk, "chair": chair}


def visit(user, day, **kw):  # type: ignore[no-untyped-def]
    people = kw.pop("people", [VisitorInput(citizen=CitizenInput("Nguyễn Văn An", "001085012345", 1985))])
    data = reception.VisitInput(visited_on=day, content=kw.pop("content", "Hỏi về cấp giấy chứng nhận"),
                                classification=kw.pop("classification", "petition"),
                                handling=kw.pop("handling", "guided"), visitors=people, **kw)
    return reception.log_visit(user, user.unit, data, TODAY)


def register(user, **over):  # type: ignore[no-untyped-def]
    data = letters.LetterInput(
        received_on=over.pop("received_on", date(2026, 3, 2)), channel=over.pop("channel", "post"),
        kind=over.pop("kind", "complaint"), summary=over.pop("summary", "Khiếu nại quyết định thu hồi đất"),
        senders=over.pop("senders", [VisitorInput(citizen=CitizenInput("Nguyễn Văn An", "001085012345", 1985))]),
        **over)
    return letters.register_letter(user, user.unit, data, TODAY)


def handle(user, letter, decision="accept", on=date(2026, 3, 5), **over):  # type: ignore[no-untyped-def]
    if decision == "accept":
        over = {"eligible": True, "within_competence": True, "document_no": "12/TB-UBND", **over}
    data = letters.HandlingInput(decision=decision, on=on, version=letter.version, **over)
    return letters.decide_handling(with_authority(user), letter, data, TODAY)


def act(user, case, action, on, **over):  # type: ignore[no-untyped-def]
    return cases.apply_case_action(with_authority(user, case), case,
                                   cases.ActionInput(action=action, on=on, version=case.version, **over),
                                   TODAY)


def build_period(w: dict[str, Any]) -> None:
    clerk, chair = w["clerk"], w["chair"]
    v1 = visit(clerk, date(2026, 3, 2), visited_time=time(9, 30), subject="land")
    visit(clerk, date(2026, 3, 12), kind="scheduled", host="chair", host_name="Phạm Văn Chủ",
          classification="denunciation", handling="letter_received", content="Tố cáo cán bộ địa chính",
          people=[VisitorInput(citizen=CitizenInput(DENOUNCER, "001190054321", 1990, "female"))])
    visit(clerk, date(2026, 4, 2))  # outside the period
    complaint = register(clerk, channel="visit", visit_id=v1.id)
    case = handle(chair, complaint, handler_id=chair.id)
    case = act(chair, case, "verify", date(2026, 3, 10), note="Xác minh tại thực địa")
    act(chair, case, "conclude", date(2026, 3, 25), outcome="partly_right", document_no="20/QĐ-UBND",
        document_date=date(2026, 3, 25), signer="Phạm Văn Chủ")
    denunciation = register(clerk, kind="denunciation", summary="Tố cáo cán bộ địa chính nhận tiền",
                            received_on=date(2026, 3, 12),
                            senders=[VisitorInput(citizen=CitizenInput(DENOUNCER, "001190054321", 1990, "female"))])
    dcase = handle(chair, denunciation, on=date(2026, 3, 16), complexity=1)
    dcase = act(chair, dcase, "extend", date(2026, 3, 20), document_no="01/QĐ-UBND")
    dcase = act(chair, dcase, "suspend", date(2026, 3, 23), document_no="02/QĐ-UBND", note="Chờ giám định")
    act(chair, dcase, "resume", date(2026, 3, 27), document_no="03/QĐ-UBND")
    petition = register(clerk, kind="petition", summary="Kiến nghị sửa đường", received_on=date(2026, 3, 18),
                        senders=[VisitorInput(citizen=CitizenInput("Trần Văn Ba"))])
    handle(chair, petition, "transfer", on=date(2026, 3, 19), to_body="UBND tỉnh", document_no="30/CV-UBND")
    anonymous = register(clerk, kind="denunciation", anonymous=True, senders=[], received_on=date(2026, 3, 20))
    handle(chair, anonymous, "archive", on=date(2026, 3, 21), reason="Đơn nặc danh")
    register(clerk, summary="Đơn chưa xử lý", received_on=date(2026, 3, 30))


def normalise(doc: dict[str, Any]) -> dict[str, Any]:
    """The records without what legitimately differs between instances: the unit code in uids, internal
    ids (case and citizen uids become names), tracking codes, and informational staff names."""
    code = doc["unit"]["code"]
    people = {c["uid"]: (c["full_name"], c["id_number"]) for c in doc["citizens"]}
    case_names = {c["uid"]: (c["letter"].split(":", 1)[1], c["kind"]) for c in doc["cases"]}

    def clean(value: Any) -> Any:
        if isinstance(value, dict):
            return {k: clean(v) for k, v in value.items()
                    if k not in ("handler_name", "actor_name", "tracking_code", "generated_at", "unit")}
        if isinstance(value, list):
            return [clean(v) for v in value]
        if isinstance(value, str) and value in people:
            return list(people[value])
        if isinstance(value, str) and value in case_names:
            return list(case_names[value])
        if isinstance(value, str) and value.startswith(code + ":"):
            return value[len(code) + 1:]
        return value

    out = clean(doc)
    out["citizens"] = sorted(out["citizens"], key=lambda c: (c["full_name"], c["id_number"] or ""))
    return out


def as_file(unit, tmp_path: Path, name: str = "march.jsonl", start: date = START, end: date = END) -> Path:  # type: ignore[no-untyped-def]
    path = tmp_path / name
    with path.open("w", encoding="utf-8") as out:
        exchange.write_period(unit, start, end, out)
    return path


def counts(unit) -> tuple[int, ...]:  # type: ignore[no-untyped-def]
    return tuple(db.session.scalar(select(func.count()).select_from(m).where(m.unit_id == unit.id))
                 for m in (Visit, Letter, Case, CaseEvent, Clock, Citizen))


def test_a_period_taken_in_by_another_unit_exports_the_same_records(world, tmp_path) -> None:  # type: ignore[no-untyped-def]
    build_period(world)
    source, target = world["source"], world["target"]
    before = exchange.export_period(source, START, END)
    assert (len(before["visits"]), len(before["letters"]), len(before["cases"])) == (2, 5, 2)
    assert before["format"] == exchange.FORMAT and before["version"] == exchange.VERSION
    assert before["period"] == {"from": "2026-03-01", "to": "2026-03-31"}
    assert before["visits"][0]["uid"] == "XA-NGUON:visit:2026:1"
    assert before["cases"][0]["uid"].startswith("XA-NGUON:case:")

    result = exchange.import_file(target, as_file(source, tmp_path), dry_run=False, from_unit=source.code)
    assert result.created["visits"] == 2 and result.created["letters"] == 5 and result.created["cases"] == 2
    assert len(result.warnings) == 5  # same database: the receipts' codes are taken, new ones are given
    after = exchange.export_period(target, START, END)
    assert normalise(after) == normalise(before)
    # Register numbers are kept, and the counters move past them.
    assert [v["register_no"] for v in after["visits"]] == [1, 2]
    assert register(make_user("letan2", "receptionist", target), received_on=date(2026, 3, 31)).register_no == 6


def test_importing_the_same_file_again_changes_nothing(world, tmp_path) -> None:  # type: ignore[no-untyped-def]
    build_period(world)
    source, target = world["source"], world["target"]
    path = as_file(source, tmp_path)
    exchange.import_file(target, path, from_unit=source.code)
    rows = counts(target)
    again = exchange.import_file(target, path, from_unit=source.code)
    assert again.changed == 0 and counts(target) == rows
    assert again.skipped["visits"] == 2 and again.skipped["letters"] == 5 and again.skipped["cases"] == 2


def test_a_later_file_brings_handled_letters_and_moved_cases_up_to_date(world, tmp_path) -> None:  # type: ignore[no-untyped-def]
    w = world
    source, target, chair = w["source"], w["target"], w["chair"]
    letter = register(w["clerk"], received_on=date(2026, 3, 30))
    exchange.import_file(target, as_file(source, tmp_path, "march.jsonl"), from_unit=source.code)
    case = handle(chair, db.session.get(Letter, letter.id), on=date(2026, 4, 2))
    act(chair, case, "verify", date(2026, 4, 6))
    result = exchange.import_file(target, as_file(source, tmp_path, "april.jsonl", date(2026, 4, 1),
                                                  date(2026, 4, 30)), from_unit=source.code)
    assert result.updated["letters"] == 1 and result.created["cases"] == 1
    mine = db.session.scalar(select(Letter).where(Letter.unit_id == target.id))
    assert (mine.status, mine.decision) == ("handled", "accept")
    act(chair, case, "conclude", date(2026, 4, 20), outcome="wrong", document_no="9/QĐ-UBND")
    result = exchange.import_file(target, as_file(source, tmp_path, "april2.jsonl", date(2026, 4, 1),
                                                  date(2026, 4, 30)), from_unit=source.code)
    assert result.updated["cases"] == 1
    theirs = db.session.scalar(select(Case).where(Case.unit_id == target.id))
    assert (theirs.status, theirs.outcome, theirs.is_open) == ("concluded", "wrong", False)
    assert normalise(exchange.export_period(target, date(2026, 4, 1), date(2026, 4, 30)))["cases"] == \
        normalise(exchange.export_period(source, date(2026, 4, 1), date(2026, 4, 30)))["cases"]


def test_denouncers_are_marked_confidential(world) -> None:  # type: ignore[no-untyped-def]
    build_period(world)
    doc = exchange.export_period(world["source"], START, END)
    by_kind = {(r["kind"], r["anonymous"]): r for r in doc["letters"]}
    assert by_kind[("denunciation", False)]["senders"]["confidential"] is True
    assert by_kind[("complaint", False)]["senders"]["confidential"] is False
    assert [v["visitors"]["confidential"] for v in doc["visits"]] == [False, True]
    flags = {c["full_name"]: c["confidential"] for c in doc["citizens"]}
    assert flags == {"Nguyễn Văn An": False, DENOUNCER: True, "Trần Văn Ba": False}


def test_only_the_chair_and_vice_chairs_of_the_unit_may_export_and_every_export_is_audited(world) -> None:  # type: ignore[no-untyped-def]
    source = world["source"]
    with pytest.raises(ForbiddenError):
        exchange.export_period(source, START, END, user=world["clerk"])
    for name, role in (("admin1", "admin"), ("handler1", "handler"), ("inspector1", "inspector")):
        with pytest.raises(ForbiddenError):
            exchange.export_period(source, START, END, user=make_user(name, role, source))
    with pytest.raises(ForbiddenError):
        exchange.export_period(source, START, END, user=db.session.scalar(
            select(world["chair"].__class__).where(world["chair"].__class__.username == "chutich2")))
    exchange.export_period(source, START, END, user=make_user("pct", "vice_chair", source))
    exchange.export_period(source, START, END, user=world["chair"])
    entries = db.session.scalars(select(AuditEntry).where(AuditEntry.action == "exchange_export")).all()
    assert len(entries) == 2 and {e.unit_id for e in entries} == {source.id}


def _lines(path: Path) -> list[dict[str, Any]]:
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines()]


def _write(path: Path, lines: list[dict[str, Any]]) -> Path:
    path.write_text("".join(json.dumps(x, ensure_ascii=False) + "\n" for x in lines), encoding="utf-8")
    return path


def _refused(target, path: Path, source_code: str) -> list[exchange.RecordError]:  # type: ignore[no-untyped-def]
    with pytest.raises(exchange.ExchangeRefused) as err:
        exchange.import_file(target, path, from_unit=source_code)
    return err.value.errors


def test_a_broken_file_imports_nothing_and_names_the_record_and_field(world, tmp_path) -> None:  # type: ignore[no-untyped-def]
    build_period(world)
    source, target = world["source"], world["target"]
    good = _lines(as_file(source, tmp_path))
    empty = counts(target)

    bad_version = [dict(good[0], version=99), *good[1:]]
    errors = _refused(target, _write(tmp_path / "v.jsonl", bad_version), source.code)
    assert [(e.uid, e.field, e.code) for e in errors] == [(None, "version", "exchange_version")]

    broken = [dict(x) for x in good]
    first_visit = next(x for x in broken if x.get("type") == "visit")
    del first_visit["content"]
    letter = next(x for x in broken if x.get("type") == "letter")
    letter["kind"] = "grievance"
    letter["handling"] = dict(letter["handling"], decided_on="05/03/2026")
    errors = _refused(target, _write(tmp_path / "b.jsonl", broken), source.code)
    found = {(e.uid, e.field, e.code) for e in errors}
    assert (first_visit["uid"], "content", "required") in found
    assert (letter["uid"], "kind", "choice_invalid") in found
    assert (letter["uid"], "handling.decided_on", "exchange_date") in found
    assert counts(target) == empty

    truncated = good[:-2]
    assert _refused(target, _write(tmp_path / "t.jsonl", truncated), source.code)[0].code == "exchange_truncated"
    # Another unit's file is refused unless asked for.
    with pytest.raises(exchange.ExchangeRefused) as err:
        exchange.import_file(target, tmp_path / "march.jsonl")
    assert err.value.errors[0].code == "exchange_wrong_unit"
    assert counts(target) == empty


def test_every_nested_block_is_checked_with_its_path(world, tmp_path) -> None:  # type: ignore[no-untyped-def]
    """The record models (services/exchange/records.py) name the exact place of each fault, nested blocks and
    list items included, with the file's own codes."""
    build_period(world)
    good = _lines(as_file(world["source"], tmp_path))
    letter = dict(next(x for x in good if x.get("type") == "letter"))
    case = dict(next(x for x in good if x.get("type") == "case"))
    assert records.problems("letter", letter) == [] and records.problems("case", case) == []
    letter.update(summary="x" * 5001, signer_count=True, surprise=1,
                  senders={"confidential": False, "people": [{"citizen": letter["senders"]["people"][0]["citizen"],
                                                               "position": -1, "is_representative": "yes"}, 7]},
                  clocks=[dict(letter["clocks"][0], status="late")] if letter["clocks"] else [{"clock": 1}])
    found = set(records.problems("letter", letter))
    assert {("summary", "too_long"), ("signer_count", "exchange_bad_type"), ("surprise", "exchange_unknown_field"),
            ("senders.people[0].position", "choice_invalid"),
            ("senders.people[0].is_representative", "exchange_bad_type"),
            ("senders.people[1]", "exchange_bad_type")} <= found
    assert ("clocks[0].status", "choice_invalid") in found or ("clocks[0].clock", "exchange_bad_type") in found
    event = dict(case["events"][0], at="2026-03-05T08:00:00", document={"no": 5})
    case.update(events=[event], kind="", linked_case={"letter": case["letter"], "kind": "grievance"}, pauses="x")
    found = set(records.problems("case", case))
    assert {("events[0].at", "exchange_date"), ("events[0].document.no", "exchange_bad_type"), ("kind", "required"),
            ("linked_case.kind", "choice_invalid"), ("pauses", "exchange_bad_type")} <= found


def test_a_register_number_already_used_by_a_different_record_is_a_clash(world, tmp_path) -> None:  # type: ignore[no-untyped-def]
    build_period(world)
    source, target = world["source"], world["target"]
    visit(make_user("letan3", "receptionist", target), date(2026, 3, 3), content="Một việc khác")
    rows = counts(target)
    errors = _refused(target, as_file(source, tmp_path), source.code)
    assert [(e.uid, e.field, e.code) for e in errors] == [
        ("XA-NGUON:visit:2026:1", "register_no", "exchange_register_clash")]
    assert counts(target) == rows


def test_a_dry_run_checks_everything_and_writes_nothing(world, tmp_path) -> None:  # type: ignore[no-untyped-def]
    build_period(world)
    source, target = world["source"], world["target"]
    rows = counts(target)
    stream = io.BytesIO(as_file(source, tmp_path).read_bytes())
    result = exchange.import_file(target, stream, dry_run=True, from_unit=source.code)
    assert result.created["cases"] == 2 and counts(target) == rows


def test_the_commands_export_and_import_a_file(world, runner, tmp_path) -> None:  # type: ignore[no-untyped-def]
    build_period(world)
    path = tmp_path / "out.jsonl"
    out = runner.invoke(args=["exchange", "export", "--unit", "XA-NGUON", "--from", "2026-03-01", "--to",
                              "2026-03-31", "--output", str(path)])
    assert out.exit_code == 0, out.output
    assert _lines(path)[-1] == {"type": "end", "counts": {"citizens": 3, "visits": 2, "letters": 5, "cases": 2}}
    out = runner.invoke(args=["exchange", "import", str(path), "--unit", "XA-DICH", "--from-unit", "XA-NGUON",
                              "--dry-run"])
    assert out.exit_code == 0, out.output
    assert db.session.scalar(select(func.count()).select_from(Visit).where(
        Visit.unit_id == world["target"].id)) == 0
    out = runner.invoke(args=["exchange", "import", str(path), "--unit", "XA-DICH"])
    assert out.exit_code == 1
    assert out.stderr.strip().splitlines()[-1] == str(exchange.message("exchange_failed"))
    out = runner.invoke(args=["exchange", "import", str(path), "--unit", "XA-DICH", "--from-unit", "XA-NGUON"])
    assert out.exit_code == 0, out.output
    out = runner.invoke(args=["exchange", "export", "--unit", "NOPE", "--from", "2026-03-01", "--to",
                              "2026-03-31", "--output", str(path)])
    assert out.exit_code == 1 and len(out.stderr.strip().splitlines()) == 1


def test_a_unit_wiped_and_restored_from_its_own_file_has_the_same_records(world, tmp_path) -> None:  # type: ignore[no-untyped-def]
    build_period(world)
    source = world["source"]
    before = exchange.export_period(source, START, END)
    stream = io.BytesIO(as_file(source, tmp_path).read_bytes())
    with db.engine.begin() as conn:
        for table in ("clocks", "case_pauses", "case_events", "cases", "letter_senders", "letters", "visit_citizens",
                      "visits", "reception_sessions", "citizens", "register_counters"):
            conn.execute(text(f"DELETE FROM {table}"))
    db.session.expire_all()
    result = exchange.import_file(source, stream)  # its own file: no --from-unit needed
    assert not stream.closed and result.warnings == []
    after = exchange.export_period(source, START, END)
    assert normalise(after) == normalise(before)
    # Here the receipts' tracking codes are free, so the citizens' codes keep working.
    assert [x["tracking_code"] for x in after["letters"]] == [x["tracking_code"] for x in before["letters"]]
