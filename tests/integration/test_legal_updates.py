"""Legal update files: an inspector's calendar days and rule versions, previewed item by item, applied all or none."""
from __future__ import annotations

import json
from datetime import date

import pytest
from sqlalchemy import func
from sqlalchemy import select

from tests.factories import make_user
from tracker.extensions import db
from tracker.models import AuditEntry
from tracker.models import CalendarDay
from tracker.models import Clock
from tracker.models import DeadlineRuleRow
from tracker.services.errors import ConflictError
from tracker.services.legal.deadlines import seed_calendar
from tracker.services.legal.deadlines import seed_deadline_rules
from tracker.services.legal.legal_updates import LegalUpdateInvalid
from tracker.services.legal.legal_updates import apply_update
from tracker.services.legal.legal_updates import export_update
from tracker.services.legal.legal_updates import load_update
from tracker.services.legal.legal_updates import preview_update
from tracker.services.letters import register as letters
from tracker.services.reception.citizens import CitizenInput
from tracker.services.reception.visits import VisitorInput

TODAY = date(2026, 11, 23)
REASON = "Công văn của Thanh tra tỉnh"


@pytest.fixture
def clerk(app):  # type: ignore[no-untyped-def]
    seed_deadline_rules()
    seed_calendar()
    return make_user()


def register(user, received_on):  # type: ignore[no-untyped-def]
    data = letters.LetterInput(
        received_on=received_on, channel="post", kind="complaint", summary="Khiếu nại quyết định thu hồi đất",
        senders=[VisitorInput(citizen=CitizenInput("Nguyễn Văn An", "001085012345", 1985))])
    return letters.register_letter(user, user.unit, data, TODAY)


def notify_due(letter):  # type: ignore[no-untyped-def]
    return db.session.scalar(select(Clock.due_on).where(Clock.letter_id == letter.id,
                                                        Clock.clock == "letter.notify"))


def update_file(**over):  # type: ignore[no-untyped-def]
    doc = {
        "format": "so-tiep-dan/legal-update", "version": 1, "title": "Lịch nghỉ và thời hạn mới",
        "issued_by": "Thanh tra tỉnh", "issued_on": "2026-03-01",
        "calendar": [
            {"day": "2026-03-10", "kind": "day_off", "name": "Nghỉ bổ sung", "basis": "TB 1/TB-BNV",
             "certainty": "C"},
            {"day": "2026-03-25", "kind": "day_off", "name": "Nghỉ bù", "basis": "TB 2/TB-BNV", "certainty": "C"},
        ],
        "rules": [
            {"base_code": "letter.notify.2014", "effective_from": "2026-03-18", "days": 5, "day_kind": "working",
             "max_extensions": 0, "legal_basis": "Văn bản thử nghiệm", "certainty": "U"},
        ],
    }
    doc.update(over)
    return json.dumps(doc, ensure_ascii=False).encode()


def moves(item):  # type: ignore[no-untyped-def]
    return {(a.letter_id, a.clock, a.old_due, a.new_due) for a in item.affected}


def test_the_preview_lists_each_items_clocks_after_the_items_before_it_and_writes_nothing(clerk) -> None:
    early = register(clerk, date(2026, 3, 2))  # letter.notify due 16 March (10 working days)
    late = register(clerk, date(2026, 3, 20))  # due 3 April
    rows_before = db.session.scalar(select(func.count(DeadlineRuleRow.id)))
    result = preview_update(load_update(update_file()))
    first, second, rule = result.items
    assert moves(first) == {(early.id, "letter.notify", date(2026, 3, 16), date(2026, 3, 17)),
                            (early.id, "complaint.accept", date(2026, 3, 16), date(2026, 3, 17))}
    assert moves(second) == {(late.id, "letter.notify", date(2026, 4, 3), date(2026, 4, 6)),
                             (late.id, "complaint.accept", date(2026, 4, 3), date(2026, 4, 6))}
    # the rule item starts from the date the second day off gave, and counts that day off too
    assert moves(rule) == {(late.id, "letter.notify", date(2026, 4, 6), date(2026, 3, 30))}
    assert not result.applied and result.errors == []
    db.session.expire_all()
    assert (notify_due(early), notify_due(late)) == (date(2026, 3, 16), date(2026, 4, 3))
    assert db.session.scalar(select(CalendarDay.id).where(CalendarDay.day == date(2026, 3, 10))) is None
    assert db.session.scalar(select(func.count(DeadlineRuleRow.id))) == rows_before


def test_applying_writes_every_item_and_a_second_apply_is_refused_as_already_in_place(clerk) -> None:
    early = register(clerk, date(2026, 3, 2))
    late = register(clerk, date(2026, 3, 20))
    update = load_update(update_file())
    result = apply_update(update, REASON, today=TODAY)
    assert result.applied and len(result.moved) == 5
    db.session.expire_all()
    assert (notify_due(early), notify_due(late)) == (date(2026, 3, 17), date(2026, 3, 30))
    assert db.session.scalar(select(DeadlineRuleRow.effective_to).where(
        DeadlineRuleRow.code == "letter.notify.2014")) == date(2026, 3, 17)
    event = db.session.scalar(select(AuditEntry).where(AuditEntry.action == "legal_update"))
    assert event is not None and json.loads(event.changes)["sha256"] == update.digest

    again = preview_update(load_update(update_file()))
    assert [i.status for i in again.items] == ["already", "already", "already"] and again.moved == []
    with pytest.raises(ConflictError) as refused:
        apply_update(load_update(update_file()), REASON, today=TODAY)
    assert refused.value.code == "legal_update_already_applied"
    db.session.expire_all()
    assert notify_due(late) == date(2026, 3, 30)


def test_a_bad_item_in_the_file_is_named_with_its_field_and_nothing_is_read(clerk) -> None:
    rules = [{"base_code": "letter.notify.2014", "effective_from": "2026-03-18", "days": "ten",
              "legal_basis": "X"}]
    calendar = [{"day": "2026-02-30", "kind": "day_off", "basis": "TB"}, {"day": "2026-03-10", "kind": "holiday",
                                                                         "basis": "TB", "colour": "red"}]
    with pytest.raises(LegalUpdateInvalid) as refused:
        load_update(update_file(rules=rules, calendar=calendar))
    assert [e.where() for e in refused.value.errors] == ["calendar[1].day", "calendar[2].colour",
                                                         "calendar[2].kind", "rules[1].days"]
    lines = refused.value.lines()
    assert "1" in lines[0] and "day" in lines[0] and "days" in lines[-1]
    with pytest.raises(LegalUpdateInvalid) as wrong_format:
        load_update(b'{"format": "something else"}')
    assert wrong_format.value.errors[0].code == "legal_update_format"


def test_an_item_that_cannot_be_applied_here_leaves_every_item_unapplied(clerk) -> None:
    early = register(clerk, date(2026, 3, 2))
    rules = [{"base_code": "letter.notify.2014", "effective_from": "2014-01-01", "days": 5,
              "legal_basis": "Trước ngày của quy định gốc"}]
    update = load_update(update_file(rules=rules))
    preview = preview_update(update)
    assert [i.status for i in preview.items] == ["change", "change", "error"]
    assert preview.errors[0].where() == "rules[1].effective_from"
    with pytest.raises(LegalUpdateInvalid) as refused:
        apply_update(update, REASON, today=TODAY)
    assert [e.where() for e in refused.value.errors] == ["rules[1].effective_from"]
    db.session.expire_all()
    assert notify_due(early) == date(2026, 3, 16)
    assert db.session.scalar(select(CalendarDay.id).where(CalendarDay.day == date(2026, 3, 10))) is None
    unknown = [{"base_code": "letter.notify.1999", "effective_from": "2026-03-18", "days": 5, "legal_basis": "X"}]
    with pytest.raises(LegalUpdateInvalid) as missing:
        apply_update(load_update(update_file(rules=unknown)), REASON, today=TODAY)
    assert [e.where() for e in missing.value.errors] == ["rules[1].base_code"]


def test_an_exported_update_names_rules_by_kind_and_conditions_and_reads_back_as_already_in_place(clerk) -> None:
    apply_update(load_update(update_file()), REASON, today=TODAY)
    doc = export_update(2026, issued_by="Thanh tra tỉnh", issued_on=TODAY)
    assert {d["day"] for d in doc["calendar"]} >= {"2026-03-10", "2026-03-25"}
    assert all(d["day"].startswith("2026-") for d in doc["calendar"])
    [rule] = doc["rules"]
    assert (rule["kind"], rule["step"], rule["effective_from"], rule["days"]) == ("letter", "notify", "2026-03-18", 5)
    again = preview_update(load_update(json.dumps(doc, ensure_ascii=False)))
    assert {i.status for i in again.items} == {"already"}


def test_the_command_line_previews_with_dry_run_and_applies_then_exports(clerk, runner, tmp_path) -> None:
    late = register(clerk, date(2026, 3, 20))
    path = tmp_path / "update.json"
    path.write_bytes(update_file())
    dry = runner.invoke(args=["rules", "update", str(path), "--dry-run"])
    assert dry.exit_code == 0, dry.output
    assert f"rules[1]\tletter {late.id}\tletter.notify\t2026-04-06\t2026-03-30" in dry.output
    db.session.expire_all()
    assert notify_due(late) == date(2026, 4, 3)
    done = runner.invoke(args=["rules", "update", str(path)])
    assert done.exit_code == 0, done.output
    db.session.expire_all()
    assert notify_due(late) == date(2026, 3, 30)
    second = runner.invoke(args=["rules", "update", str(path)])
    assert second.exit_code == 1
    out = tmp_path / "export.json"
    exported = runner.invoke(args=["rules", "export-update", "--year", "2026", "--output", str(out)])
    assert exported.exit_code == 0, exported.output
    assert json.loads(out.read_text(encoding="utf-8"))["format"] == "so-tiep-dan/legal-update"


def test_each_kind_of_fault_in_an_item_has_its_own_code_and_field() -> None:
    """The item models (services/legal/update_file.py): unknown fields first, then in the order of the fields."""
    from tracker.services.legal import update_file as uf

    item, problems = uf.validate_item(uf.RuleItem, {
        "kind": "letter", "effective_from": "2027-01-05", "effective_to": "2027-01-01", "days": -1,
        "complex": "yes", "legal_basis": "x" * 301, "pause_rule": "sometimes", "colour": 1})
    assert item is None and problems == [
        ("colour", "legal_update_unknown_field"), ("base_code", "legal_update_base_or_kind"),
        ("complex", "legal_update_bool"), ("effective_to", "date_order"), ("days", "number_negative"),
        ("pause_rule", "pause_rule_invalid"), ("legal_basis", "too_long")]
    kept, _ = uf.validate_item(uf.RuleItem, {"base_code": "a", "effective_from": "2027-01-01", "days": 5,
                                             "legal_basis": " X ", "note": "  "})
    cleared, _ = uf.validate_item(uf.RuleItem, {"base_code": "a", "effective_from": "2027-01-01", "days": 5,
                                                "legal_basis": "X", "pause_rule": None, "days_kind": None})
    assert isinstance(kept, uf.RuleItem) and kept.pause_rule is uf.MISSING and kept.legal_basis == "X"
    assert kept.note is None and kept.certainty == "C"
    assert cleared is None  # "days_kind" is not a field: misspelt fields are refused, never ignored
    cleared, _ = uf.validate_item(uf.RuleItem, {"base_code": "a", "effective_from": "2027-01-01", "days": 5,
                                                "legal_basis": "X", "pause_rule": None})
    assert isinstance(cleared, uf.RuleItem) and cleared.pause_rule is None
    _, problems = uf.validate_item(uf.CalendarItem, {"day": "2027-1-1", "kind": "feast", "basis": "   "})
    assert problems == [("day", "legal_update_date"), ("kind", "calendar_kind_invalid"), ("basis", "required")]
