"""Hostile query strings (issue 12, finding 10: ``?week=0000-W01`` answered 500): no GET route answers 5xx.

The parameters are found, not listed: a first pass calls every GET route of the web and the API (as the
chairperson, the admin and the inspector, and anonymously) with a request class that records every query
parameter the view reads. Then every route is called again with each parameter it read set to each hostile
value (impossible weeks, dates, years, periods, page numbers, ids beyond any integer, words, signs), and every
path argument set to hostile values. Every answer must be below 500, and a refusal must carry a message in
Vietnamese.
"""
from __future__ import annotations

import itertools
import json
from collections import defaultdict
from urllib.parse import urlencode

from flask import Flask
from flask import request as current_request
from flask.testing import FlaskClient
from werkzeug.datastructures import ImmutableMultiDict
from werkzeug.utils import cached_property
from werkzeug.wrappers import Request

from tests.conftest import FreshContextClient
from tests.conftest import login
from tests.figures import record
from tests.web.planting import global_ids
from tests.web.planting import plant_unit
from tests.web.planting import seed_rules
from tracker.extensions import db
from tracker.services.operations.tokens import issue_token
from tracker.services.reports.periodic import build_report
from tracker.web.filters import local_today

HOSTILE = ["0000-W01", "9999-W52", "0001-W01", "2026-W00", "2026-W99", "0000", "9999", "0", "-1",
           "99999999999999999999", "1e400", "1.5", "abc", "0000-00-00", "0001-01-01", "9999-12-31", "2026-02-30",
           "10000-01-01", "2026-13", "2026-Q9", "2026-H3", "0000-Q1", "9999-12", "٢٠٢٦", " ", "'", "<x>", "x" * 300]
PATH_HOSTILE = {"period": ["0000", "9999-Q4", "0001-01", "0000-H1", "2026-13", "abc"],
                "code": ["0", "x" * 300, "'"], "fmt": ["exe"]}
HUGE_ID = 99999999999999999999
READS: dict[str, set[str]] = defaultdict(set)
VIETNAMESE = set("ăâđêôơưáàảãạấầẩẫậắằẳẵặéèẻẽẹếềểễệíìỉĩịóòỏõọốồổỗộớờởỡợúùủũụứừửữựýỳỷỹỵ")


class RecordingArgs(ImmutableMultiDict):  # type: ignore[type-arg]
    def _note(self, key: object) -> None:
        if current_request and current_request.url_rule is not None:
            READS[current_request.url_rule.rule].add(str(key))

    def get(self, key, default=None, type=None):  # type: ignore[no-untyped-def]  # noqa: A002
        self._note(key)
        return super().get(key, default, type)

    def getlist(self, key, type=None):  # type: ignore[no-untyped-def]  # noqa: A002
        self._note(key)
        return super().getlist(key, type)

    def __getitem__(self, key):  # type: ignore[no-untyped-def]
        self._note(key)
        return super().__getitem__(key)

    def __contains__(self, key):  # type: ignore[no-untyped-def]
        self._note(key)
        return super().__contains__(key)


def recording_request_class(base: type[Request]) -> type[Request]:
    class RecordingRequest(base):  # type: ignore[valid-type,misc]
        @cached_property
        def args(self):  # type: ignore[no-untyped-def]
            return RecordingArgs(super().args.items(multi=True))

    return RecordingRequest


def rule_urls(app: Flask, ids: dict[str, object], period: str) -> list[tuple[str, str, bool]]:
    """(rule, url, hostile path?) of every GET route: once with planted ids, then with hostile path values."""
    out = []
    for rule in sorted(app.url_map.iter_rules(), key=lambda r: r.rule):
        if "GET" not in (rule.methods or ()) or rule.rule.startswith(("/static", "/logout")):
            continue
        fill = {**ids, "period": period, "fmt": "xlsx", "action": "note", "slug": "chu-tich"}
        args = sorted(rule.arguments)
        assert all(a in fill for a in args), f"{rule.rule}: the sweep cannot fill {args}"
        out.append((rule.rule, rule.build({a: fill[a] for a in args}, append_unknown=False)[1], False))
        for arg in args:
            choices = PATH_HOSTILE.get(arg) or ([HUGE_ID, 0] if isinstance(fill[arg], int) else [])
            for value in choices:
                out.append((rule.rule, rule.build({**{a: fill[a] for a in args}, arg: value},
                                                  append_unknown=False)[1], True))
    return out


def vietnamese(response) -> bool:  # type: ignore[no-untyped-def]
    body = response.get_json(silent=True)
    text = (json.dumps(body, ensure_ascii=False) if body is not None else response.get_data(as_text=True)).lower()
    return any(ch in VIETNAMESE for ch in text)


def test_no_get_route_answers_5xx_to_a_hostile_query_value(app: Flask) -> None:
    seed_rules()
    unit = plant_unit("XA-H", "UBND xã Thử Hiểm", prefix="h")
    today = local_today()
    build_report(unit.unit, str(today.year), today=today)
    app.request_class = recording_request_class(app.request_class)
    app.config["PROPAGATE_EXCEPTIONS"] = False  # a crash is a 500 answer here, as on a real server
    app.test_client_class = FreshContextClient
    ids: dict[str, object] = {**unit.ids, **global_ids(), **unit.codes, "note_id": unit.notes["chair"]}
    who: list[tuple[str, FlaskClient, dict[str, str]]] = [("anonymous", app.test_client(), {})]
    for role in ("chair", "admin", "inspector", "receptionist"):
        web = app.test_client()
        assert login(web, f"h_{role}").status_code == 302
        who.append((role, web, {"Authorization": f"Bearer {issue_token(f'h_{role}')}"}))
    db.session.commit()
    urls = rule_urls(app, ids, str(today.year))

    def call(client: FlaskClient, token: dict[str, str], url: str):  # type: ignore[no-untyped-def]
        api = url.startswith("/api/")
        response = (app.test_client() if api else client).get(url, headers=token if api else {})
        response.close()
        return response

    # First pass: what each route reads, and one caller it answers (the first of anonymous, chair, admin, …).
    caller: dict[str, tuple[str, FlaskClient, dict[str, str]]] = {}
    for (_rule, url, hostile_path), (role, client, token) in itertools.product(urls, who):
        if hostile_path or url in caller:
            continue
        if call(client, token, url).status_code < 300:
            caller[url] = (role, client, token)
    assert READS, "no route read a query parameter: the recording request class is not in use"
    problems, calls, refusals = [], 0, 0
    for rule, url, hostile_path in urls:
        callers = who if hostile_path else [caller.get(url, who[1])]
        queries = [{}] if hostile_path else [{key: value} for key in sorted(READS.get(rule, ()))
                                             for value in HOSTILE]
        for (role, client, token), query in itertools.product(callers, queries):
            target = url + ("?" + urlencode(query) if query else "")
            response = call(client, token, target)
            calls += 1
            if response.status_code >= 500:
                problems.append(f"{role}: GET {target[:160]} answered {response.status_code}")
            elif response.status_code == 400:
                refusals += 1
                if not vietnamese(response):
                    problems.append(f"{role}: GET {target[:160]} refused without a Vietnamese message")
    assert not problems, "\n".join(sorted(set(problems))[:60]) + f"\n… {len(set(problems))} problems"
    record("hostile_queries", {"routes": len({r for r, _u, _h in urls}), "parameters read":
                               sum(len(v) for v in READS.values()), "requests": calls, "400 refusals": refusals,
                               "5xx": 0}, db.engine.dialect.name)
