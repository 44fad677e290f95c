"""The need-to-know rule, walked as the outside tester walked it: every role of the commune and of the
province, logged in through /login on the real server, fetches every GET page reachable from the routes
(filled with the planted ids) and from the links of each page (menus, record pages, lists, searches with
the denouncer's name and ID number, suggestions, exports xlsx/docx read inside their XML, receipts, prints,
the audit view, the inbox), and every GET endpoint of the API with its bearer token; the exchange export
is read in the test process for each user.

The ``crawl`` denouncer's identity may reach only the receptionist who received her (``sx_desk``), the
handler assigned to her case (``sx_h1``), and the commune's chair and vice-chair. Not the other
receptionist, the other handler, the admins, the inspectors, another commune's chair.
"""
from __future__ import annotations

import itertools
import json
import re
from collections import deque
from datetime import date
from html import unescape
from urllib.parse import parse_qsl
from urllib.parse import quote
from urllib.parse import urlencode
from urllib.parse import urlsplit

from flask import Flask
from werkzeug.exceptions import MethodNotAllowed
from werkzeug.exceptions import NotFound

from tests.figures import record
from tests.security.attack import Api
from tests.security.attack import Browser
from tests.security.attack import Server
from tests.security.attack import logged_in
from tests.security.attack import response_text
from tests.security.conftest import Target
from tests.security.world import CLEARED
from tests.security.world import CRAWLERS
from tests.security.world import PEOPLE
from tests.security.world import World
from tracker.extensions import db
from tracker.models import Unit
from tracker.models import User
from tracker.rules.text import fold_diacritics
from tracker.services.errors import DomainError

D = PEOPLE["crawl"]
CRAWL_LIMIT = 50  # pages per user (the routes' own URLs are always fetched)
PER_ENDPOINT = 3  # query-string variants of one endpoint followed from links
SKIP = ("/logout", "/static/")
HREF = re.compile(r"""(?:href|action|src)\s*=\s*["']([^"']+)["']""")
QUERIES = [D.full_name, D.id_number, D.phone]
TYPED_PARAMS = ("q", "full_name", "id_number", "phone", "code")  # what the reader typed: its echo is no leak
SEARCHES = ["/visits/?q={q}", "/citizens/?q={q}", "/letters/?q={q}", "/cases/?state=all&q={q}",
            "/visits/suggest?full_name={q}", "/visits/suggest?id_number={q}", "/visits/export.xlsx?q={q}",
            "/visits/print?q={q}"]
# (not /letters/track?code=…: its answer is a flash message that echoes the typed code on the next page)
API_SEARCHES = ["/api/v1/citizens?q={q}", "/api/v1/letters?q={q}", "/api/v1/visits?q={q}", "/api/v1/cases?q={q}"]


def start_urls(app: Flask, world: World, *, api: bool) -> list[str]:
    """Every GET route once per combination of planted ids for its arguments."""
    urls = []
    for rule in sorted(app.url_map.iter_rules(), key=lambda r: r.rule):
        if "GET" not in (rule.methods or ()) or rule.rule.startswith(SKIP) or rule.rule.startswith("/api/") != api:
            continue
        args = sorted(rule.arguments)
        missing = [a for a in args if a not in world.url_ids]
        assert not missing, f"the crawl cannot fill {missing} of {rule.rule}: plant them (tests/security/world.py)"
        for combo in itertools.product(*(world.url_ids[a] for a in args)):
            urls.append(rule.build(dict(zip(args, combo, strict=True)), append_unknown=False)[1])
    searches = API_SEARCHES if api else SEARCHES
    return urls + [s.format(q=quote(q)) for s in searches for q in QUERIES]


def same_site(href: str, base: str) -> str | None:
    href = unescape(href).strip()
    if not href or href.startswith(("#", "mailto:", "tel:", "javascript:", "data:")):
        return None
    parts = urlsplit(href)
    if parts.scheme and parts.netloc not in ("", urlsplit(base).netloc):
        return None
    path = parts.path or "/"
    if not path.startswith("/") or path.startswith(SKIP):
        return None
    query = [(k, v) for k, v in parse_qsl(parts.query, keep_blank_values=True) if k != "lang"]
    return path + ("?" + urlencode(query) if query else "")


def endpoint_of(app: Flask, url: str) -> str | None:
    try:
        endpoint, _args = app.url_map.bind("localhost").match(urlsplit(url).path, method="GET")
    except (NotFound, MethodNotAllowed):
        return None
    except Exception:  # a redirect (missing trailing slash): the canonical URL is crawled too
        return "redirect"
    return str(endpoint)


def scrubbed(url: str, text: str) -> str:
    """The answer without the search words the reader typed (the search box shows them back)."""
    typed = [v for k, v in parse_qsl(urlsplit(url).query) if k in TYPED_PARAMS and v.strip()]
    if not typed:
        return text
    folded = fold_diacritics(text)
    for value in typed:
        folded = folded.replace(fold_diacritics(value), "")
    return folded


def crawl(app: Flask, browser: Browser | Api, starts: list[str]) -> list[tuple[str, int, list[str]]]:
    queue, seen, per_endpoint, result = deque(starts), set(), {}, []  # type: ignore[var-annotated]
    while queue:
        url = queue.popleft()
        if url in seen:
            continue
        endpoint = endpoint_of(app, url)
        if endpoint is None:
            continue
        if url not in starts:
            per_endpoint[endpoint] = per_endpoint.get(endpoint, 0) + 1
            if per_endpoint[endpoint] > PER_ENDPOINT or len(seen) >= CRAWL_LIMIT + len(starts):
                continue
        seen.add(url)
        response = browser.get(url)
        result.append((url, response.status_code, D.leaks(scrubbed(url, response_text(response)))))
        if response.status_code in (301, 302, 303, 307, 308):
            target = same_site(response.headers.get("Location", ""), browser.base)
            if target and "/login" not in target:
                queue.append(target)
        if "html" in response.headers.get("Content-Type", ""):
            for href in HREF.findall(response.text):
                target = same_site(href, browser.base)
                if target and target not in seen:
                    queue.append(target)
    return result


def exchange_export(target: Target, username: str) -> list[str] | None:
    """The exchange file of the commune's year as ``username`` may export it (None: refused)."""
    from tracker.services.exchange import national as exchange

    with target.app.app_context():
        try:
            user = db.session.scalar(db.select(User).where(User.username == username))
            unit = db.session.scalar(db.select(Unit).where(Unit.code == "XA-SX"))
            year = date.today().year
            try:
                doc = exchange.export_period(unit, date(year, 1, 1), date(year, 12, 31), user=user)
            except DomainError:
                return None
            return D.leaks(json.dumps(doc, ensure_ascii=False, default=str))
        finally:
            db.session.rollback()
            db.session.remove()


def test_the_crawl_denouncer_reaches_only_those_who_need_to_know_on_every_page_export_and_api(
        target: Target, waitress: Server) -> None:
    app, world = target.app, target.world
    web_starts, api_starts = start_urls(app, world, api=False), start_urls(app, world, api=True)
    problems: list[str] = []
    sights: dict[str, int] = {}
    fetched = {"html": 0, "api": 0}
    for username in CRAWLERS:
        cleared = username in CLEARED
        web = crawl(app, logged_in(waitress.base, username), web_starts)
        api = crawl(app, Api(waitress.base, world.tokens[username]), api_starts)
        fetched["html"] += len(web)
        fetched["api"] += len(api)
        for url, status, leaks in web + api:
            if status >= 500:
                problems.append(f"{username}: {url} answered {status}")
            if leaks:
                sights[username] = sights.get(username, 0) + 1
                if not cleared:
                    problems.append(f"LEAK to {username}: {url} shows her {', '.join(leaks)}")
        exported = exchange_export(target, username)
        if exported and not cleared:
            problems.append(f"LEAK to {username}: the exchange export carries her {', '.join(exported)}")
        assert any(u.startswith("/visits/export.xlsx") for u, _s, _l in web), f"{username}: the export was missed"
    assert not problems, "\n".join(problems)
    assert set(sights) >= CLEARED, f"the cleared users saw her only: {sights} (the crawl would be vacuous)"
    record("security_need_to_know_crawl", {"users": len(CRAWLERS), "pages and exports": fetched["html"],
                                           "API answers": fetched["api"], "sights by cleared users": sum(
                                               sights.values()), "leaks": 0}, target.name)
