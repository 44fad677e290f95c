"""/reports: the periods of a unit, build now, the report with its narrative and tables (every figure a link
to the list behind it), mark final after the period, compare with the previous period, and downloads."""
from __future__ import annotations

import io
import re
from datetime import date

import pytest
from docx import Document
from openpyxl import load_workbook

from tests.conftest import login
from tests.conftest import post_form
from tests.factories import make_unit
from tests.factories import make_user
from tests.integration.test_reports import example_002
from tracker.extensions import db
from tracker.models import Report
from tracker.services.legal.deadlines import seed_calendar
from tracker.services.legal.deadlines import seed_deadline_rules
from tracker.services.reports import periodic as reports


@pytest.fixture
def town(app):  # type: ignore[no-untyped-def]
    seed_deadline_rules()
    seed_calendar()
    unit, clerk, today = example_002()
    app.config["FIXED_TODAY"] = today
    make_user("chutich", "chair", unit, full_name="Lê Văn Chủ")
    make_user("thanhtra", "inspector", unit, full_name="Thanh Tra")
    make_unit("XA-02", "UBND xã Khác")
    return {"unit": unit, "clerk": clerk, "today": today}


def _report(unit_id: int, period: str = "2024-H1") -> Report:
    db.session.expire_all()
    report = reports.latest(unit_id, period)
    assert report is not None
    return report


def test_the_chair_lists_builds_edits_and_finalizes_a_report(client, app, town) -> None:  # type: ignore[no-untyped-def]
    login(client, "chutich")
    page = client.get("/reports/?lang=en")
    assert page.status_code == 200
    html = page.get_data(as_text=True)
    assert 'data-period="2024-H1"' in html and "01/01/2024" in html and "30/06/2024" in html
    response = post_form(client, "/reports/build", {"period": "2024-H1"}, form_url="/reports/")
    assert response.status_code == 302 and response.headers["Location"].endswith("/reports/2024-H1")
    report = _report(town["unit"].id)
    assert report.status == "draft" and report.revision == 1
    html = client.get("/reports/2024-H1?lang=en").get_data(as_text=True)
    assert "Trong 6 tháng đầu năm 2024 đã tiếp nhận 11 đơn thư kiến nghị của công dân." in html
    assert 'id="mark-final"' in html
    version = report.version
    post_form(client, "/reports/2024-H1/narrative", {"narrative": "Đoạn văn đã sửa.", "version": version},
              form_url="/reports/2024-H1")
    assert _report(town["unit"].id).narrative == "Đoạn văn đã sửa."
    stale = post_form(client, "/reports/2024-H1/narrative", {"narrative": "Cũ", "version": version},
                      form_url="/reports/2024-H1", follow_redirects=True)
    assert _report(town["unit"].id).narrative == "Đoạn văn đã sửa." and stale.status_code == 200
    report = _report(town["unit"].id)
    post_form(client, "/reports/2024-H1/finalize", {"version": report.version}, form_url="/reports/2024-H1")
    report = _report(town["unit"].id)
    assert report.status == "final" and report.finalized_at is not None
    html = client.get("/reports/2024-H1?lang=en").get_data(as_text=True)
    assert "Đoạn văn đã sửa." in html and 'name="narrative"' not in html and 'id="mark-final"' not in html


def test_a_running_period_cannot_be_marked_final(client, app, town) -> None:  # type: ignore[no-untyped-def]
    app.config["FIXED_TODAY"] = date(2024, 6, 20)
    reports.build_report(town["unit"], "2024-H1", today=date(2024, 6, 20))
    login(client, "chutich")
    html = client.get("/reports/2024-H1?lang=en").get_data(as_text=True)
    assert 'id="mark-final"' not in html and "once the period has ended" in html
    report = _report(town["unit"].id)
    response = post_form(client, "/reports/2024-H1/finalize", {"version": report.version},
                         form_url="/reports/2024-H1", follow_redirects=True)
    assert "has not ended yet" in response.get_data(as_text=True) or response.status_code == 200
    assert _report(town["unit"].id).status == "draft"


def test_every_figure_links_to_the_list_behind_it(client, app, town) -> None:  # type: ignore[no-untyped-def]
    reports.build_report(town["unit"], "2024-H1", today=town["today"])
    login(client, "chutich")
    html = client.get("/reports/2024-H1").get_data(as_text=True)
    for table in ("results", "letters", "visits", "outcomes"):
        block = html.split(f'id="table-{table}"')[1].split("</table>")[0]
        body = block.split("<tbody>")[1]
        cells = re.findall(r'<td class="num">(.*?)</td>', body, re.S)
        figures = [c for c in cells if not re.fullmatch(r"\s*[\d.*]+\s*", c) or "<a" in c]
        assert figures and all("<a href=" in c for c in figures), table
    links = re.findall(r'<a href="([^"]+)" class="figure">(\d+)</a>', html)
    received = next(href for href, _ in links if "figure=received_other&" in href.replace("&amp;", "&")
                    and "kind=petition" in href)
    listing = client.get(received.replace("&amp;", "&")).get_data(as_text=True)
    assert listing.count('href="/cases/') >= 11 or "11" in listing
    letters_link = next(href for href, _ in links if href.startswith("/letters/") and "kind=petition" in href)
    assert client.get(letters_link.replace("&amp;", "&")).status_code == 200
    visits_link = next(href for href, _ in links if href.startswith("/visits/") or "/reception" in href)
    assert client.get(visits_link.replace("&amp;", "&")).status_code == 200


def test_the_figure_filters_count_what_the_table_says(client, app, town) -> None:  # type: ignore[no-untyped-def]
    from tracker.services.cases import case_queries

    unit = town["unit"]
    reports.build_report(unit, "2024-H1", today=town["today"])
    chair = db.session.scalar(db.select(reports.User).where(reports.User.username == "chutich"))
    doc = reports.document(_report(unit.id)).as_json()
    for column in ("received", "resolved", "resolved_early", "resolved_on_time", "resolved_late", "open",
                   "carried_over", "all"):
        f = case_queries.CaseFilter(state="all", kind="petition", figure=column, period_from=date(2024, 1, 1),
                                    period_to=date(2024, 6, 30), unit_id=unit.id, subtree=True)
        n = len(db.session.scalars(case_queries.cases_query(chair, f, town["today"])).all())
        cols = doc["cases"]["by_kind"]["petition"]
        expected = cols["received"] + cols["carried_over"] if column == "all" else cols[column]
        assert n == expected, column


def test_compare_and_downloads(client, app, town) -> None:  # type: ignore[no-untyped-def]
    reports.build_report(town["unit"], "2024-H1", today=town["today"])
    login(client, "thanhtra")
    page = client.get("/reports/2024-H1/compare?lang=en")
    assert page.status_code == 200
    html = page.get_data(as_text=True)
    assert 'id="compare-results"' in html and "+11" in html and "6 tháng đầu năm 2023" in html
    word = client.get("/reports/2024-H1/download.docx")
    assert word.status_code == 200 and "attachment" in word.headers["Content-Disposition"]
    text = "\n".join(p.text for p in Document(io.BytesIO(word.data)).paragraphs)
    assert "Trong 6 tháng đầu năm 2024 đã tiếp nhận 11 đơn thư kiến nghị" in text
    excel = client.get("/reports/2024-H1/download.xlsx")
    assert excel.status_code == 200
    assert "Kết quả giải quyết" in load_workbook(io.BytesIO(excel.data)).sheetnames
    assert client.get("/reports/2024-H1/download.pdf").status_code == 404
    assert client.get("/reports/2023/download.docx").status_code == 404  # nothing built for 2023
    html = client.get("/reports/2024-H1").get_data(as_text=True)
    assert 'action="/reports/build' not in html and 'name="narrative"' not in html  # an inspector only reads


def test_who_may_see_which_reports(client, app, town) -> None:  # type: ignore[no-untyped-def]
    login(client, town["clerk"].username)
    assert client.get("/reports/").status_code == 403
    post_form(client, "/logout", {}, form_url="/visits/")
    login(client, "chutich")
    assert client.get("/reports/?unit=XA-02").status_code == 404
    assert client.get("/reports/2024-X").status_code == 400
    make_user("quantri", "admin", town["unit"])
    post_form(client, "/logout", {}, form_url="/reports/")
    login(client, "quantri")
    assert client.get("/reports/?unit=TT-BD").status_code == 200
    assert 'id="r-unit"' in client.get("/reports/").get_data(as_text=True)


def test_the_report_pages_name_the_unit_s_period_convention_in_words(client, app) -> None:  # type: ignore[no-untyped-def]
    from tests.factories import make_user

    make_user("chutich", "chair")
    login(client, "chutich")
    page = client.get("/reports/").get_data(as_text=True)
    assert "Kỳ chốt số liệu chính thức (từ ngày 15 tháng trước đến ngày 14" in page
    assert "quy ước của đơn vị: official" not in page and ": official." not in page


def test_a_period_that_has_not_begun_says_so_and_cannot_be_built(client, app, town) -> None:  # type: ignore[no-untyped-def]
    login(client, "chutich")
    page = client.get("/reports/9999-12")
    assert page.status_code == 400 and "Kỳ báo cáo này chưa bắt đầu" in page.get_data(as_text=True)
    malformed = client.get("/reports/2026-13")  # its own message, naming the forms a period takes
    assert malformed.status_code == 400 and "2024-H1" in malformed.get_data(as_text=True)
    post_form(client, "/reports/build", {"period": "9999-12"}, form_url="/reports/")
    db.session.expire_all()
    assert reports.latest(town["unit"].id, "9999-12") is None


def test_a_revision_that_is_not_one_is_not_found_and_a_unit_may_be_named_by_id(client, app, town) -> None:  # type: ignore[no-untyped-def]
    reports.build_report(town["unit"], "2024-H1", today=town["today"])
    login(client, "chutich")
    assert client.get("/reports/2024-H1?revision=1").status_code == 200
    for bad in ("abc", "0", "2", "-1", "99999999999999999999"):  # never the newest shown in its place
        assert client.get(f"/reports/2024-H1?revision={bad}").status_code == 404, bad
    by_id = client.get(f"/reports/2024-H1?unit={town['unit'].id}")
    assert by_id.status_code == 200 and town["unit"].name in by_id.get_data(as_text=True)
