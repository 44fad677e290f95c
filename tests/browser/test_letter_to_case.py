"""A denunciation from the desk to its conclusion, in a real browser: the receptionist registers the
letter, the handler accepts it as especially complex, extends it and concludes it. At every step
each due date on the page is the one the deadline engine computes for the same step, start and flags."""
from __future__ import annotations

from datetime import date
from pathlib import Path

from playwright.sync_api import Page
from playwright.sync_api import expect
from sqlalchemy import select

from tests.factories import PASSWORD
from tests.factories import make_unit
from tests.factories import make_user
from tracker.extensions import db
from tracker.models import Case
from tracker.models import Clock
from tracker.models import Letter
from tracker.services.cases import clocks as clock_service
from tracker.services.legal import deadlines

RECEIVED = date(2026, 3, 2)
ACCEPTED = date(2026, 3, 5)
EXTENDED = date(2026, 3, 20)
CONCLUDED = date(2026, 4, 10)
DENOUNCER = "Phạm Văn Tố"
HANDLER = "Lê Văn Xử Lý"


def vn(day: date) -> str:
    return day.strftime("%d/%m/%Y")


def seed(live_app) -> None:  # type: ignore[no-untyped-def]
    with live_app.app_context():
        deadlines.seed_deadline_rules()
        deadlines.seed_calendar()
        unit = make_unit()
        make_user("letan", "receptionist", unit, full_name="Trần Thị Bình")
        make_user("canbo", "handler", unit, full_name=HANDLER)
        make_user("chutich", "chair", unit, full_name="Nguyễn Văn Chủ Tịch")
        db.session.remove()


def log_in(page: Page, base: str, username: str) -> None:
    page.goto(base + "/login")
    page.fill("input[name=username]", username)
    page.fill("input[name=password]", PASSWORD)
    page.click("button[type=submit]")
    expect(page).not_to_have_url(base + "/login")


def log_out(page: Page, base: str) -> None:
    page.locator("form[action$='/logout'] button").click()
    expect(page).to_have_url(base + "/login")


def engine_dates(live_app, *, letter_id: int, case_id: int | None = None) -> list[tuple[str, str, str]]:  # type: ignore[no-untyped-def]
    """(clock, start, engine's due date) of every clock, in the order the page lists them. The engine
    is asked afresh with the owner's flags (tracker.services.cases.clocks), not read from the stored clock."""
    with live_app.app_context():
        letter = db.session.get(Letter, letter_id)
        if case_id is None:
            flags = clock_service.letter_flags(letter)
            rows = db.session.scalars(select(Clock).where(Clock.letter_id == letter_id).order_by(Clock.id)).all()
            owned = {c.id: flags for c in rows}
            pauses: list = []  # type: ignore[type-arg]
        else:
            case = db.session.get(Case, case_id)
            rows = db.session.scalars(select(Clock).where((Clock.case_id == case_id) | (Clock.letter_id == letter_id))
                                      .order_by(Clock.start_on, Clock.id)).all()
            owned = {c.id: clock_service.case_flags(case) if c.case_id == case_id
                     else clock_service.letter_flags(letter) for c in rows}
            pauses = clock_service.pauses_of(case)
        result = []
        for clock in rows:
            kind, _, step = clock.clock.partition(".")
            due = deadlines.compute(kind, step, clock.start_on, pauses=pauses if clock.case_id else [],
                                    **owned[clock.id]).due_on  # type: ignore[arg-type]
            assert clock.due_on == due, f"{clock.clock}: stored {clock.due_on}, engine {due}"
            result.append((clock.clock, vn(clock.start_on), vn(due)))
        db.session.remove()
        return result


def assert_page_shows(page: Page, table: str, expected: list[tuple[str, str, str]]) -> None:
    """Each row's start and due cells: the letter page has Step, From, Due…; the case page Step, Legal
    basis, Start, Due…"""
    start_col, due_col = (1, 2) if table == "main table.list" else (2, 3)
    rows = page.locator(f"{table} tbody tr")
    expect(rows).to_have_count(len(expected))
    for index, (_clock, start, due) in enumerate(expected):
        cells = rows.nth(index).locator("td")
        expect(cells.nth(start_col)).to_contain_text(start)
        expect(cells.nth(due_col)).to_contain_text(due)


def test_a_denunciation_goes_from_the_desk_to_its_conclusion_with_the_engines_due_dates(
        page: Page, live_server: str, live_app, shots: Path) -> None:  # type: ignore[no-untyped-def]
    seed(live_app)

    # 1. The receptionist registers the denunciation, received by post on Monday 2 March 2026.
    log_in(page, live_server, "letan")
    page.goto(live_server + "/letters/new")
    page.fill("input[name=received_on]", vn(RECEIVED))
    page.select_option("select[name=channel]", "post")
    page.select_option("select[name=kind]", "denunciation")
    page.select_option("select[name=subject]", "land")
    page.fill("textarea[name=summary]", "Tố cáo cán bộ địa chính nhận tiền khi làm hồ sơ đất")
    page.fill("input[name=full_name]", DENOUNCER)
    page.fill("input[name=id_number]", "079301000123")
    page.fill("input[name=phone]", "0912345678")
    page.fill("input[name=address]", "Số 12 đường Lê Lợi")
    page.screenshot(path=str(shots / "letter-1-form.png"), full_page=True)
    page.locator("#letter-form button.primary[type=submit]").click()
    expect(page).to_have_url(f"{live_server}/letters/1")
    expect(page.locator(".flash-success")).to_be_visible()
    expect(page.locator("main")).to_contain_text(DENOUNCER)  # the receptionist is cleared
    page.screenshot(path=str(shots / "letter-2-registered.png"), full_page=True)
    with live_app.app_context():
        letter = db.session.scalar(select(Letter))
        assert (letter.kind, letter.received_on, letter.status) == ("denunciation", RECEIVED, "registered")
        letter_id = letter.id
        db.session.remove()
    registered = engine_dates(live_app, letter_id=letter_id)
    assert [c for c, _s, _d in registered][:1] == ["letter.notify"] and "denunciation.initial" in [
        c for c, _s, _d in registered]
    assert all(start == vn(RECEIVED) for _c, start, _d in registered)
    # Luật Tiếp công dân Điều 28.1: 10 working days from Monday 2 March → Monday 16 March 2026.
    assert registered[0][2] == "16/03/2026"
    assert_page_shows(page, "main table.list", registered)
    log_out(page, live_server)

    # 2. Not yet assigned, the handler does not see who denounced (Luật Tố cáo Điều 47)…
    log_in(page, live_server, "canbo")
    page.goto(f"{live_server}/letters/{letter_id}")
    expect(page.locator("main")).not_to_contain_text(DENOUNCER)
    log_out(page, live_server)
    # …the chairperson accepts it as especially complex and assigns him (only a leader assigns: issue 12).
    log_in(page, live_server, "chutich")
    page.goto(f"{live_server}/letters/{letter_id}")
    form = page.locator("#handling-form")
    form.locator("select[name=decision]").select_option("accept")
    form.locator("input[name=on]").fill(vn(ACCEPTED))
    form.locator("select[name=handler_id]").select_option(label=HANDLER)
    form.locator("select[name=eligible]").select_option("yes")
    form.locator("select[name=within_competence]").select_option("yes")
    form.locator("select[name=complexity]").select_option("2")
    form.locator("input[name=document_no]").fill("12/TB-UBND")
    form.locator("input[name=document_date]").fill(vn(ACCEPTED))
    form.locator("input[name=signer]").fill("Nguyễn Văn Chủ Tịch")
    page.screenshot(path=str(shots / "letter-3-handling.png"), full_page=True)
    form.locator("button.primary[type=submit]").click()
    expect(page).to_have_url(f"{live_server}/cases/1")
    expect(page.locator(".flash-success")).to_be_visible()
    with live_app.app_context():
        case = db.session.scalar(select(Case))
        assert (case.kind, case.status, case.complexity, case.accepted_on) == ("denunciation", "accepted", 2, ACCEPTED)
        assert case.handler.username == "canbo"
        case_id = case.id
        db.session.remove()
    expect(page.locator("main")).to_contain_text(HANDLER)
    log_out(page, live_server)
    log_in(page, live_server, "canbo")
    page.goto(f"{live_server}/cases/{case_id}")
    expect(page.locator("main")).to_contain_text(DENOUNCER)  # …as the case's handler, now does
    accepted = engine_dates(live_app, letter_id=letter_id, case_id=case_id)
    resolve = [row for row in accepted if row[0] == "denunciation.resolve"]
    assert resolve and resolve[0][1] == vn(ACCEPTED)
    assert_page_shows(page, "table.clocks", accepted)
    page.screenshot(path=str(shots / "letter-4-case-accepted.png"), full_page=True)

    # 3. The handler extends it (an especially complex denunciation may be extended twice).
    page.locator("details.action-extend summary").click()
    extend = page.locator("details.action-extend form")
    extend.locator("input[name=extend-on]").fill(vn(EXTENDED))
    extend.locator("input[name=extend-document_no]").fill("01/QĐ-UBND")
    extend.locator("input[name=extend-document_date]").fill(vn(EXTENDED))
    extend.locator("input[name=extend-signer]").fill("Nguyễn Văn Chủ Tịch")
    extend.locator("button.primary[type=submit]").click()
    expect(page.locator(".flash-success")).to_be_visible()
    expect(page.locator("table.timeline")).to_contain_text("01/QĐ-UBND")
    extended = engine_dates(live_app, letter_id=letter_id, case_id=case_id)
    new_resolve = [row for row in extended if row[0] == "denunciation.resolve"][0]
    assert new_resolve[2] != resolve[0][2], "the extension moved the resolution deadline"
    assert_page_shows(page, "table.clocks", extended)
    # The timeline shows the re-timing from the engine's old date to its new one.
    expect(page.locator("table.timeline tr.event-retime")).to_contain_text(f"{resolve[0][2]} → {new_resolve[2]}")
    with live_app.app_context():
        case = db.session.get(Case, case_id)
        assert case.extensions == 1
        assert deadlines.compute("denunciation", "resolve", ACCEPTED, complex=True, extensions=1).due_on.strftime(
            "%d/%m/%Y") == new_resolve[2]
        db.session.remove()
    page.screenshot(path=str(shots / "letter-5-case-extended.png"), full_page=True)

    # 4. The handler concludes it: partly true, with the conclusion's number, date and signer.
    page.locator("details.action-conclude summary").click()
    conclude = page.locator("details.action-conclude form")
    conclude.locator("input[name=conclude-on]").fill(vn(CONCLUDED))
    conclude.locator("select[name=conclude-outcome]").select_option("partly_true")
    conclude.locator("input[name=conclude-document_no]").fill("05/KL-UBND")
    conclude.locator("input[name=conclude-document_date]").fill(vn(CONCLUDED))
    conclude.locator("input[name=conclude-signer]").fill("Nguyễn Văn Chủ Tịch")
    conclude.locator("button.primary[type=submit]").click()
    expect(page.locator(".flash-success")).to_be_visible()
    expect(page.locator("table.timeline")).to_contain_text("05/KL-UBND")
    with live_app.app_context():
        case = db.session.get(Case, case_id)
        assert (case.status, case.outcome, case.is_open, case.closed_on) == (
            "concluded", "partly_true", False, CONCLUDED)
        statuses = {c.clock: c.status for c in db.session.scalars(select(Clock).where(Clock.case_id == case_id))}
        assert statuses == {"denunciation.resolve": "met"}
        db.session.remove()
    concluded = engine_dates(live_app, letter_id=letter_id, case_id=case_id)
    assert concluded == extended  # a closed case keeps the dates it had
    assert_page_shows(page, "table.clocks", concluded)
    expect(page.locator("details.action-conclude")).to_have_count(0)
    page.screenshot(path=str(shots / "letter-6-case-concluded.png"), full_page=True)
