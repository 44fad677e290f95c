"""``Cache-Control: no-store`` on every answer but the static files (issue 12, finding 10: pages and JSON carrying
personal data could be kept by the browser's disk cache or a proxy).

Every GET route of the web and the API is called with planted ids, as the chairperson (web and token) and
anonymously (the login page, the public status page), then a few answers that are not pages: a refused login,
a 404, a 403, an attachment download, a form POST. Each must say ``no-store``; a static file must not.
"""
from __future__ import annotations

import itertools
from pathlib import Path

from flask import Flask

from tests.conftest import FreshContextClient
from tests.conftest import login
from tests.conftest import post_form
from tests.figures import record
from tests.web.planting import global_ids
from tests.web.planting import plant_unit
from tests.web.planting import seed_rules
from tracker.extensions import db
from tracker.services.operations.tokens import issue_token
from tracker.services.reports.periodic import build_report
from tracker.web.filters import local_today


def test_every_answer_but_static_files_says_no_store(app: Flask) -> None:
    seed_rules()
    unit = plant_unit("XA-C", "UBND xã Bộ Nhớ", prefix="c")
    today = local_today()
    build_report(unit.unit, str(today.year), today=today)
    app.test_client_class = FreshContextClient
    fill = {**unit.ids, **global_ids(), **unit.codes, "note_id": unit.notes["chair"], "period": str(today.year),
            "fmt": "xlsx", "action": "note", "slug": "chu-tich"}
    web, anonymous = app.test_client(), app.test_client()
    assert login(web, "c_chair").status_code == 302
    token = {"Authorization": f"Bearer {issue_token('c_chair')}"}
    db.session.commit()
    problems, answers, statuses = [], 0, set()

    def check(what: str, response) -> None:  # type: ignore[no-untyped-def]
        nonlocal answers
        answers += 1
        statuses.add(response.status_code)
        if "no-store" not in response.headers.get("Cache-Control", ""):
            problems.append(f"{what} ({response.status_code}): Cache-Control {response.headers.get('Cache-Control')!r}")
        response.close()

    for rule in sorted(app.url_map.iter_rules(), key=lambda r: r.rule):
        if "GET" not in (rule.methods or ()) or rule.endpoint == "static" or rule.rule == "/logout":
            continue
        url = rule.build({a: fill[a] for a in rule.arguments}, append_unknown=False)[1]
        if url.startswith("/api/"):
            check(f"GET {url} (token)", app.test_client().get(url, headers=token))
            check(f"GET {url} (no token)", app.test_client().get(url))
        else:
            for who, client in (("chair", web), ("anonymous", anonymous)):
                check(f"GET {url} ({who})", client.get(url))
    for what, response in itertools.chain(
            [("a wrong password", post_form(app.test_client(), "/login",
                                            {"username": "c_chair", "password": "sai mật khẩu"}))],
            [("a page that does not exist", web.get("/khong-co-trang-nay"))],
            [("an API answer without a token", app.test_client().get("/api/v1/visits"))],
            [("an attachment", web.get(f"/attachments/{unit.ids['attachment_id']}"))],
            [("a form POST", post_form(web, "/account/password", {"current_password": "sai", "new_password": "x",
                                                                   "confirm": "y"}))]):
        check(what, response)
    folder = Path(app.static_folder or "")
    css = next(folder.rglob("*.css"))
    static = app.test_client().get("/static/" + css.relative_to(folder).as_posix())
    assert static.status_code == 200 and "no-store" not in static.headers.get("Cache-Control", ""), \
        "a static file should stay cacheable"
    static.close()
    assert {200, 302, 401, 403, 404} <= statuses, statuses
    assert not problems, "\n".join(problems[:40]) + f"\n… {len(problems)} answers without no-store"
    record("cache_control", {"answers": answers, "statuses": sorted(statuses), "without no-store": 0},
           db.engine.dialect.name)
