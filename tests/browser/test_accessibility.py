"""Usable by everyone (issue 13): axe-core (WCAG 2.1 A/AA) finds nothing on the main pages of each role,
and the keyboard details axe cannot see: the error summary takes the focus, required marks, hints, login."""
from __future__ import annotations

from axe_playwright_python.sync_playwright import Axe
from playwright.sync_api import Browser
from playwright.sync_api import Page

from tests.factories import PASSWORD
from tests.factories import make_user
from tests.integration.test_letters_cases import register
from tracker.extensions import db
from tracker.services.legal.deadlines import seed_calendar
from tracker.services.legal.deadlines import seed_deadline_rules

AXE = Axe()
TAGS = {"runOnly": {"type": "tag", "values": ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]}}
ROLES = {"quantri": "admin", "chutich": "chair", "xuly": "handler", "letan": "receptionist", "thanhtra": "inspector"}
PAGES = ["/dashboard/", "/weekly/", "/visits/", "/visits/new", "/citizens/", "/letters/", "/letters/new", "/cases/",
         "/instructions/", "/visits/sessions", "/reports/", "/admin/users", "/admin/users/new", "/admin/units",
         "/admin/audit", "/inbox/", "/citizens/new", "/mediation/groups", "/letters/{letter}"]


def violations(page: Page) -> list[str]:
    result = AXE.run(page, options=TAGS)
    return [f"{page.url} {v['id']}: " + ", ".join(str(n["target"]) for n in v["nodes"][:5])
            for v in result.response["violations"]]


def login(page: Page, base: str, username: str) -> None:
    page.goto(base + "/login")
    page.fill("input[name=username]", username)
    page.fill("input[name=password]", PASSWORD)
    page.click("button[type=submit]")


def test_every_main_page_passes_axe_for_every_role(browser: Browser, live_server: str,
                                                   live_app) -> None:  # type: ignore[no-untyped-def]
    with live_app.app_context():
        seed_deadline_rules()
        seed_calendar()
        users = {name: make_user(name, role=role) for name, role in ROLES.items()}
        letter = register(users["letan"])
        letter_id = letter.id
        db.session.commit()
        db.session.remove()
    found: list[str] = []
    checked = 0
    context = browser.new_context(viewport={"width": 1366, "height": 768}, locale="vi-VN")
    page = context.new_page()
    page.goto(live_server + "/login")
    found += violations(page)
    page.goto(live_server + "/status/")
    found += violations(page)
    for name in ROLES:
        context.clear_cookies()
        login(page, live_server, name)
        for path in PAGES:
            response = page.goto(live_server + path.format(letter=letter_id))
            if response is None or response.status != 200:
                continue  # not this role's page
            found += violations(page)
            checked += 1
    assert checked >= 50  # every role saw its pages (a wrong path would silently shrink the walk)
    assert not found, "\n".join(found)
    context.close()


def test_keyboard_and_form_details(browser: Browser, live_server: str, live_app) -> None:  # type: ignore[no-untyped-def]
    with live_app.app_context():
        make_user("letan")
        db.session.commit()
        db.session.remove()
    page = browser.new_page()
    page.goto(live_server + "/login")
    assert page.get_attribute("input[name=username]", "autocomplete") == "username"
    assert page.get_attribute("input[name=password]", "autocomplete") == "current-password"
    assert page.get_attribute("input[name=username]", "aria-required") == "true"
    assert page.locator(".field .req").count() >= 2  # the visible marker of required fields
    # a failed submit: the error summary takes the focus and lists the fields with links
    page.fill("input[name=username]", "letan")
    page.click("button[type=submit]")
    page.wait_for_selector(".error-summary")
    focused = page.evaluate("document.activeElement.className")
    assert "error-summary" in focused
    assert violations(page) == []
    page.close()


def test_the_picker_keeps_the_focus_after_choose(browser: Browser, live_server: str,
                                                 live_app) -> None:  # type: ignore[no-untyped-def]
    from tests.factories import make_visit
    with live_app.app_context():
        seed_deadline_rules()
        seed_calendar()
        make_visit(make_user("letan"), full_name="Nguyễn Văn An", birth_year=1985)
        db.session.commit()
        db.session.remove()
    page = browser.new_page()
    login(page, live_server, "letan")
    page.goto(live_server + "/visits/new")
    page.fill("input[name=full_name]", "Nguyen Van An")
    page.locator("[data-pick]").first.focus()
    page.keyboard.press("Enter")
    assert page.evaluate("document.activeElement.hasAttribute('data-clear-citizen')")
    page.wait_for_load_state("networkidle")  # every lookup in flight has answered (not a fixed delay)
    assert page.locator("#suggestions").is_hidden()
    page.close()


def test_a_hint_is_linked_to_its_field(browser: Browser, live_server: str, live_app) -> None:  # type: ignore[no-untyped-def]
    with live_app.app_context():
        make_user("quantri", role="admin")
        db.session.commit()
        db.session.remove()
    page = browser.new_page()
    login(page, live_server, "quantri")
    page.goto(live_server + "/admin/users/new")
    described = page.get_attribute("input[name=password]", "aria-describedby") or ""
    assert "password-hint" in described.split()
    assert page.locator("#password-hint").inner_text().strip()
    page.close()
