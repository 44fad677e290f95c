"""Chains of mergers and the former communes' records: commune A merged into B on 01/07/2025, B into C on
01/07/2026. The users of C read (pages, lists, search, log book, API) the visits, letters and cases of A and
B, never change their history — visits, handled letters, closed cases (403 with the reason) — and a
denouncer stays hidden from them; the report of C with its predecessors is the sum of the three communes.
A's open work (a letter not yet handled, an open case) is C's to continue: tests/integration/
test_merger_open_work.py."""
from __future__ import annotations

import io
import json
from datetime import date

import pytest
from sqlalchemy import event
from sqlalchemy import select

from tests import attachment_files as files
from tests.conftest import csrf_token
from tests.conftest import login
from tests.factories import make_unit
from tests.factories import make_user
from tests.factories import make_visit
from tracker.extensions import db
from tracker.messages import message
from tracker.models import Attachment
from tracker.models import Case
from tracker.models import Letter
from tracker.models import User
from tracker.models import Visit
from tracker.services.cases import actions as cases
from tracker.services.errors import ValidationError
from tracker.services.legal.deadlines import seed_calendar
from tracker.services.legal.deadlines import seed_deadline_rules
from tracker.services.letters import attachments
from tracker.services.letters import register as letters
from tracker.services.operations.mergers import merge_units
from tracker.services.operations.mergers import predecessors
from tracker.services.operations.tokens import issue_token
from tracker.services.reception.citizens import CitizenInput
from tracker.services.reception.visits import VisitorInput
from tracker.services.reports import report_stats

TODAY = date(2026, 11, 23)
A_INTO_B = date(2025, 7, 1)
B_INTO_C = date(2026, 7, 1)
DENOUNCER = "Võ Thị Tố Giác"
DENOUNCER_ID = "079301000123"
NOTE = ("Thuộc xã cũ UBND xã An (đã sáp nhập vào UBND xã Bình từ 01/07/2025; UBND xã Bình đã sáp nhập vào "
        "UBND xã Cường từ 01/07/2026).")
C_USERS = ("letan_c", "canbo_c", "chutich_c")


@pytest.fixture
def chain(app):  # type: ignore[no-untyped-def]
    """A (2024: a visit, a denunciation at the desk, a complaint and a denunciation by letter, both accepted and
    still open, a complaint accepted and concluded; June 2025: a petition not yet handled), B (a visit in 2025),
    C (a visit in 2026); A → B → C."""
    seed_deadline_rules()
    seed_calendar()
    province = make_unit("TINH", "UBND tỉnh Thử Nghiệm", level="province")
    a = make_unit("XA-AN", "UBND xã An", parent_code=province.code)
    b = make_unit("XA-BINH", "UBND xã Bình", parent_code=province.code)
    c = make_unit("XA-CUONG", "UBND xã Cường", parent_code=province.code)
    clerk_a = make_user("letan_a", "receptionist", a)
    chair_a = make_user("chutich_a", "chair", a)
    handler_a = make_user("canbo_a", "handler", a)
    for username, role in zip(C_USERS, ("receptionist", "handler", "chair"), strict=True):
        make_user(username, role, c)
    make_user("letan_b", "receptionist", b)
    visit_a = make_visit(clerk_a, visited_on=date(2024, 3, 4), today=TODAY, full_name="Lê Văn Xưa",
                         content="Đề nghị cấp sổ đỏ ở xã An")
    secret_visit = make_visit(clerk_a, visited_on=date(2024, 4, 2), today=TODAY, full_name=DENOUNCER,
                              id_number=DENOUNCER_ID, classification="denunciation",
                              content="Tố cáo cán bộ địa chính xã An")
    complaint = letters.register_letter(chair_a, a, letters.LetterInput(
        received_on=date(2024, 5, 6), channel="post", kind="complaint", summary="Khiếu nại thu hồi đất ở xã An",
        senders=[VisitorInput(citizen=CitizenInput("Nguyễn Văn An", "001085012345", 1985))]), TODAY)
    case = letters.decide_handling(chair_a, complaint, letters.HandlingInput(
        decision="accept", on=date(2024, 5, 10), version=complaint.version, eligible=True, within_competence=True,
        document_no="12/TB-UBND"), TODAY)
    denunciation = letters.register_letter(chair_a, a, letters.LetterInput(
        received_on=date(2024, 6, 3), channel="post", kind="denunciation", summary="Tố cáo chủ tịch xã An",
        senders=[VisitorInput(citizen=CitizenInput(DENOUNCER, DENOUNCER_ID, 2001))]), TODAY)
    dcase = letters.decide_handling(chair_a, denunciation, letters.HandlingInput(
        decision="accept", on=date(2024, 6, 7), version=denunciation.version, eligible=True, within_competence=True,
        document_no="13/TB-UBND", handler_id=handler_a.id, complexity=1), TODAY)
    settled = letters.register_letter(chair_a, a, letters.LetterInput(
        received_on=date(2024, 7, 1), channel="post", kind="complaint", summary="Khiếu nại tiền bồi thường ở xã An",
        senders=[VisitorInput(citizen=CitizenInput("Đỗ Văn Xong", "001080099999", 1980))]), TODAY)
    closed = letters.decide_handling(chair_a, settled, letters.HandlingInput(
        decision="accept", on=date(2024, 7, 5), version=settled.version, eligible=True, within_competence=True,
        document_no="20/TB-UBND"), TODAY)
    cases.apply_case_action(chair_a, closed, cases.ActionInput(
        action="conclude", on=date(2024, 9, 2), version=closed.version, outcome="right", document_no="35/QĐ-UBND",
        document_date=date(2024, 9, 2), signer="Chủ tịch UBND xã An"), TODAY)
    pending = letters.register_letter(chair_a, a, letters.LetterInput(
        received_on=date(2025, 6, 20), channel="post", kind="petition", summary="Kiến nghị làm cống thoát nước xã An",
        senders=[VisitorInput(citizen=CitizenInput("Hà Văn Chờ", "001075077777", 1975))]), TODAY)
    visit_b = make_visit(db.session.scalar(select(User).where(User.username == "letan_b")),
                         visited_on=date(2025, 9, 10), today=TODAY, full_name="Phạm Thị Giữa",
                         content="Kiến nghị sửa đường ở xã Bình")
    visit_c = make_visit(db.session.scalar(select(User).where(User.username == "letan_c")),
                         visited_on=date(2026, 10, 1), today=TODAY, full_name="Trần Văn Nay",
                         content="Hỏi thủ tục ở xã Cường")
    merge_units([a.code], b.code, A_INTO_B)
    merge_units([b.code], c.code, B_INTO_C)
    return {"units": (a, b, c), "visit_a": visit_a.id, "secret_visit": secret_visit.id, "visit_b": visit_b.id,
            "visit_c": visit_c.id, "letter": complaint.id, "case": case.id, "denunciation": denunciation.id,
            "dcase": dcase.id, "closed_case": closed.id, "pending": pending.id}


def bearer(username: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {issue_token(username)}"}


# --- reading ------------------------------------------------------------------------------------------

@pytest.mark.parametrize("username", C_USERS)
def test_users_of_the_new_commune_read_the_records_of_both_former_communes(client, chain, username) -> None:
    login(client, username)
    for url, expected in ((f"/visits/{chain['visit_a']}", "Đề nghị cấp sổ đỏ ở xã An"),
                          (f"/visits/{chain['visit_b']}", "Kiến nghị sửa đường ở xã Bình"),
                          (f"/letters/{chain['letter']}", "Khiếu nại thu hồi đất ở xã An"),
                          (f"/cases/{chain['closed_case']}", "Khiếu nại tiền bồi thường ở xã An")):
        page = client.get(url)
        html = page.get_data(as_text=True)
        assert page.status_code == 200, url
        assert expected in html, url
        assert "Chỉ được xem: hồ sơ của xã cũ không được sửa" in html, url
    assert NOTE in client.get(f"/visits/{chain['visit_a']}").get_data(as_text=True)
    assert NOTE in client.get(f"/cases/{chain['closed_case']}").get_data(as_text=True)
    visits = client.get("/visits/").get_data(as_text=True)
    for text in ("Đề nghị cấp sổ đỏ ở xã An", "Kiến nghị sửa đường ở xã Bình", "Hỏi thủ tục ở xã Cường",
                 "Xã cũ: UBND xã An", "Xã cũ: UBND xã Bình"):
        assert text in visits
    assert "Khiếu nại thu hồi đất ở xã An" in client.get("/letters/").get_data(as_text=True)
    assert "Khiếu nại thu hồi đất ở xã An" in client.get("/cases/?state=all").get_data(as_text=True)
    assert "Đề nghị cấp sổ đỏ ở xã An" in client.get("/visits/?q=le van xua").get_data(as_text=True)
    book = client.get("/visits/print").get_data(as_text=True)
    assert "UBND XÃ AN" in book and "UBND XÃ BÌNH" in book and "UBND XÃ CƯỜNG" in book
    assert client.get("/visits/export.xlsx").status_code == 200


def test_the_new_commune_reads_them_through_the_api(client, chain) -> None:
    headers = bearer("chutich_c")
    for url in (f"/api/v1/visits/{chain['visit_a']}", f"/api/v1/visits/{chain['visit_b']}",
                f"/api/v1/letters/{chain['letter']}", f"/api/v1/cases/{chain['case']}"):
        assert client.get(url, headers=headers).status_code == 200, url
    a, b, _c = chain["units"]
    units = {v["unit_id"] for v in client.get("/api/v1/visits?per_page=200", headers=headers).get_json()["items"]}
    assert {a.id, b.id} <= units
    assert chain["letter"] in {x["id"] for x in client.get("/api/v1/letters", headers=headers).get_json()["items"]}
    assert chain["case"] in {x["id"] for x in client.get("/api/v1/cases?status=open",
                                                         headers=headers).get_json()["items"]}


def test_the_lists_filter_this_communes_or_the_former_communes_records(client, chain) -> None:
    login(client, "letan_c")
    own = client.get("/visits/?records=own").get_data(as_text=True)
    assert "Hỏi thủ tục ở xã Cường" in own and "xã An" not in own and "xã Bình" not in own
    former = client.get("/visits/?records=former").get_data(as_text=True)
    assert "Hỏi thủ tục ở xã Cường" not in former
    assert "Đề nghị cấp sổ đỏ ở xã An" in former and "Kiến nghị sửa đường ở xã Bình" in former
    assert "Khiếu nại thu hồi đất" not in client.get("/letters/?records=own").get_data(as_text=True)
    assert "Khiếu nại thu hồi đất" not in client.get("/cases/?state=all&records=own").get_data(as_text=True)
    assert 'name="records"' in client.get("/visits/").get_data(as_text=True)


def test_a_commune_without_former_communes_sees_no_filter_and_nothing_else(client, chain) -> None:
    login(client, "letan_a")  # the old commune's clerk: its own records, as before the mergers
    page = client.get("/visits/").get_data(as_text=True)
    assert 'name="records"' not in page
    assert "Đề nghị cấp sổ đỏ ở xã An" in page and "xã Bình" not in page and "xã Cường" not in page
    assert client.get(f"/visits/{chain['visit_b']}").status_code == 404
    assert client.get(f"/visits/{chain['visit_c']}").status_code == 404
    assert client.get(f"/visits/{chain['visit_a']}/edit").status_code == 200  # still theirs to correct


# --- writing ------------------------------------------------------------------------------------------

def test_changes_to_a_former_communes_records_are_refused_with_the_reason(client, chain) -> None:
    login(client, "chutich_c")
    token = csrf_token(client, "/visits/new")
    visit_a = db.session.get(Visit, chain["visit_a"])
    before = (visit_a.version, db.session.get(Letter, chain["letter"]).version,
              db.session.get(Case, chain["closed_case"]).version)
    refusals = [
        client.get(f"/visits/{chain['visit_a']}/edit"),
        client.post(f"/visits/{chain['visit_a']}/edit", data={"csrf_token": token, "content": "sửa"}),
        client.post(f"/visits/{chain['visit_b']}/delete", data={"csrf_token": token, "version": "1"}),
        client.post(f"/letters/{chain['letter']}/handle", data={"csrf_token": token, "decision": "archive"}),
        client.post(f"/letters/{chain['letter']}/duplicate", data={"csrf_token": token, "original_id": "1"}),
        client.get(f"/letters/{chain['letter']}/split"),
        client.post(f"/cases/{chain['closed_case']}/actions/note",
                    data={"csrf_token": token, "note-note": "ghi chú"}),
        client.post(f"/attachments/upload?case_id={chain['closed_case']}", data={
            "csrf_token": token, "case_id": str(chain["closed_case"]), "file": (io.BytesIO(b"%PDF-1.4\n"), "a.pdf")},
            content_type="multipart/form-data"),
    ]
    for response in refusals:
        html = response.get_data(as_text=True)
        assert response.status_code == 403, response.request.path
        assert "Hồ sơ này thuộc xã cũ UBND xã" in html and "chỉ được xem" in html, response.request.path
    old_visit = ("Hồ sơ này thuộc xã cũ UBND xã An (đã sáp nhập vào UBND xã Bình từ 01/07/2025): chỉ được xem, "
                 "không được sửa, xóa hoặc xử lý tại đây.")
    assert old_visit in refusals[0].get_data(as_text=True)
    db.session.expire_all()
    after = (db.session.get(Visit, chain["visit_a"]).version, db.session.get(Letter, chain["letter"]).version,
             db.session.get(Case, chain["closed_case"]).version)
    assert after == before
    assert db.session.get(Visit, chain["visit_b"]) is not None
    page = client.get(f"/visits/{chain['visit_a']}").get_data(as_text=True)
    assert f"/visits/{chain['visit_a']}/edit" not in page and f"/visits/{chain['visit_a']}/delete" not in page
    case_page = client.get(f"/cases/{chain['closed_case']}").get_data(as_text=True)
    assert f"/cases/{chain['closed_case']}/actions/" not in case_page


def test_the_api_refuses_changes_to_a_former_communes_records_with_403(client, chain) -> None:
    headers = bearer("chutich_c")
    visit = client.get(f"/api/v1/visits/{chain['visit_a']}", headers=headers).get_json()
    letter = client.get(f"/api/v1/letters/{chain['letter']}", headers=headers).get_json()
    case = client.get(f"/api/v1/cases/{chain['closed_case']}", headers=headers).get_json()
    answers = [
        client.patch(f"/api/v1/visits/{chain['visit_a']}", json={**visit, "content": "sửa"}, headers=headers),
        client.delete(f"/api/v1/visits/{chain['visit_b']}?version=1", headers=headers),
        client.post(f"/api/v1/letters/{chain['letter']}/handling",
                    json={"decision": "archive", "reason": "x", "version": letter["version"]}, headers=headers),
        client.post(f"/api/v1/cases/{chain['closed_case']}/actions",
                    json={"action": "note", "on": "2026-11-20", "note": "x", "version": case["version"]},
                    headers=headers),
    ]
    for answer in answers:
        assert answer.status_code == 403, answer.request.path
        error = answer.get_json()["error"]
        assert error["code"] == "merged_read_only"
        assert error["message"].startswith("Hồ sơ này thuộc xã cũ UBND xã")
    db.session.expire_all()
    assert db.session.get(Visit, chain["visit_a"]).version == visit["version"]
    assert db.session.get(Visit, chain["visit_b"]) is not None


# --- confidentiality ------------------------------------------------------------------------------------

@pytest.mark.parametrize("username", C_USERS)
def test_the_denouncer_of_a_former_commune_stays_hidden_from_the_new_communes_users(client, chain, username) -> None:
    login(client, username)
    urls = ["/visits/", f"/visits/{chain['secret_visit']}", "/visits/?q=vo thi to giac",
            f"/visits/?q={DENOUNCER_ID}", "/letters/", f"/letters/{chain['denunciation']}",
            f"/letters/{chain['denunciation']}/receipt", "/letters/?q=vo thi to giac",
            f"/cases/{chain['dcase']}", "/cases/?state=all", "/visits/print"]
    for url in urls:
        page = client.get(url)
        assert page.status_code == 200, url
        assert DENOUNCER not in page.get_data(as_text=True), url
    assert "Tố cáo cán bộ địa chính xã An" not in client.get("/visits/?q=vo thi to giac").get_data(as_text=True)
    headers = bearer(username)
    for url in (f"/api/v1/visits/{chain['secret_visit']}", f"/api/v1/letters/{chain['denunciation']}",
                f"/api/v1/cases/{chain['dcase']}", "/api/v1/visits?per_page=200", "/api/v1/letters"):
        # Parsed first: the API escapes Vietnamese letters (\u00f5), so the raw text would never match.
        answer = json.dumps(client.get(url, headers=headers).get_json(), ensure_ascii=False)
        assert DENOUNCER not in answer, url


def test_the_old_communes_chair_still_sees_the_denouncer(client, chain) -> None:
    login(client, "chutich_a")
    assert DENOUNCER in client.get(f"/letters/{chain['denunciation']}").get_data(as_text=True)
    assert DENOUNCER in client.get(f"/visits/{chain['secret_visit']}").get_data(as_text=True)


def test_the_handler_who_moved_to_the_new_commune_still_sees_the_case_and_goes_on_with_it(client, chain) -> None:
    handler = db.session.scalar(select(User).where(User.username == "canbo_a"))
    handler.unit_id = chain["units"][2].id  # the officer now works for the new commune; the case stays assigned
    db.session.commit()
    login(client, "canbo_a")
    assert DENOUNCER in client.get(f"/cases/{chain['dcase']}").get_data(as_text=True)
    assert DENOUNCER not in client.get(f"/visits/{chain['secret_visit']}").get_data(as_text=True)  # not handled
    assert f"/cases/{chain['dcase']}/actions/" in client.get(f"/cases/{chain['dcase']}").get_data(as_text=True)
    headers = bearer("canbo_a")
    version = db.session.get(Case, chain["dcase"]).version
    answer = client.post(f"/api/v1/cases/{chain['dcase']}/actions",
                         json={"action": "note", "on": "2026-11-20", "note": "x", "version": version}, headers=headers)
    assert answer.status_code == 200, answer.get_json()
    answer = client.post(f"/api/v1/cases/{chain['closed_case']}/actions",
                         json={"action": "note", "on": "2026-11-20", "note": "x", "version": 1}, headers=headers)
    assert answer.status_code == 403 and answer.get_json()["error"]["code"] == "merged_read_only"


# --- statistics and history -----------------------------------------------------------------------------

def test_the_report_with_predecessors_over_a_two_level_chain_is_the_sum_of_the_three_communes(chain) -> None:
    a, b, c = chain["units"]
    span = (date(2024, 1, 1), date(2026, 12, 31))
    each = [report_stats.compute(u, *span) for u in (a, b, c)]
    together = report_stats.compute(c, *span, with_predecessors=True)
    assert [s["visits"]["total"] for s in each] == [2, 1, 1]
    for section, key in (("visits", "total"), ("visits", "people"), ("letters", "received")):
        assert together[section][key] == sum(s[section][key] for s in each), (section, key)
    assert together["cases"]["total"]["received"] == sum(s["cases"]["total"]["received"] for s in each) == 3
    middle = report_stats.compute(b, *span, with_predecessors=True)
    assert middle["visits"]["total"] == 3  # B with A: what B's users saw before B was merged


def test_the_report_with_a_chain_of_predecessors_takes_the_same_six_queries(chain) -> None:
    _a, _b, c = chain["units"]
    assert c.path
    seen: list[str] = []

    def count(conn, cursor, statement, *args):  # type: ignore[no-untyped-def]
        seen.append(statement)

    event.listen(db.engine, "before_cursor_execute", count)
    try:
        report_stats.compute(c, date(2024, 1, 1), date(2024, 12, 31), with_predecessors=True)
    finally:
        event.remove(db.engine, "before_cursor_execute", count)
    assert len(seen) == 6


def test_the_history_of_the_new_commune_lists_the_whole_chain(chain, runner) -> None:
    a, b, c = chain["units"]
    assert [u.code for u in predecessors(c)] == [b.code, a.code]
    assert [u.code for u in predecessors(b)] == [a.code]
    out = runner.invoke(args=["units", "history", c.code])
    assert out.exit_code == 0, out.output
    assert out.output.splitlines() == [f"{b.code}\t{b.name}\t{c.code}\t2026-07-01",
                                       f"{a.code}\t{a.name}\t{b.code}\t2025-07-01"]
    report = runner.invoke(args=["report", "build", "--unit", c.code, "--period", "2024", "--with-predecessors"])
    assert report.exit_code == 0, report.output
    doc = json.loads(report.output)
    assert [(p["code"], p["into"], p["merged_on"]) for p in doc["predecessors"]] == [
        (b.code, c.code, "2026-07-01"), (a.code, b.code, "2025-07-01")]
    assert doc["visits"]["total"] == 2


def test_merging_into_ones_own_former_commune_is_refused_in_vietnamese(chain, runner) -> None:
    a, b, c = chain["units"]
    for target in (a, b):
        with pytest.raises(ValidationError) as refused:
            merge_units([c.code], target.code, date(2026, 12, 1))
        assert refused.value.fields == {c.code: "merge_cycle"}
    out = runner.invoke(args=["units", "merge", c.code, "--into", a.code, "--on", "2026-12-01"])
    assert out.exit_code == 1
    assert "UBND" not in out.output and f"{a.code} đã được sáp nhập (trực tiếp hoặc qua xã khác) vào {c.code}" in (
        out.output)
    assert str(message("merge_cycle", commune=c.code, into=a.code)) in out.output
    db.session.expire_all()
    assert db.session.get(type(c), c.id).merged_into_id is None


def test_a_merger_dated_before_the_communes_own_predecessors_arrived_is_refused(chain) -> None:
    _a, _b, c = chain["units"]
    d = make_unit("XA-DONG", "UBND xã Đông", parent_code="TINH")
    with pytest.raises(ValidationError) as refused:
        merge_units([c.code], d.code, date(2026, 1, 1))  # C received B only on 01/07/2026
    assert refused.value.fields == {c.code: "merge_before_predecessor"}
    assert refused.value.params["later"] == "01/07/2026"
    assert [u.code for u in merge_units([c.code], d.code, date(2027, 1, 1))] == [c.code]
    assert [u.code for u in predecessors(d)] == [c.code, "XA-BINH", "XA-AN"]


def test_the_exchange_file_of_a_commune_merged_through_the_chain_is_accepted(chain, tmp_path) -> None:
    from tracker.services.exchange import national as exchange

    a, _b, c = chain["units"]
    stranger = make_unit("XA-KHAC", "UBND xã Khác", parent_code="TINH")
    files = {}
    for unit in (a, stranger):
        files[unit.code] = tmp_path / f"{unit.code}.jsonl"
        with files[unit.code].open("w", encoding="utf-8") as out:
            exchange.write_period(unit, date(2024, 1, 1), date(2024, 12, 31), out)
    exchange.import_file(c, files[a.code], dry_run=True)  # A was merged into B, B into C: C's own history
    with pytest.raises(exchange.ExchangeRefused) as refused:
        exchange.import_file(c, files[stranger.code], dry_run=True)
    assert "exchange_wrong_unit" in {e.code for e in refused.value.errors}


def test_a_former_communes_files_are_read_not_deleted_and_a_denunciations_stay_protected(client, chain) -> None:
    chair_a = db.session.scalar(select(User).where(User.username == "chutich_a"))
    stored = {}
    for key in ("letter", "denunciation"):
        letter = db.session.get(Letter, chain[key])
        stored[key] = attachments.store_attachment(chair_a, unit_id=letter.unit_id, letter=letter,
                                                   filename=f"{key}.pdf", stream=io.BytesIO(files.PDF),
                                                   declared_type="application/pdf").id
    login(client, "chutich_c")
    assert "letter.pdf" in client.get(f"/letters/{chain['letter']}").get_data(as_text=True)
    download = client.get(f"/attachments/{stored['letter']}")
    assert download.status_code == 200 and download.data == files.PDF
    download.close()
    assert client.get(f"/attachments/{stored['denunciation']}").status_code == 403
    assert "denunciation.pdf" not in client.get(f"/letters/{chain['denunciation']}").get_data(as_text=True)
    token = csrf_token(client, "/visits/new")
    refused = client.post(f"/attachments/{stored['letter']}/delete", data={"csrf_token": token})
    assert refused.status_code == 403 and "Hồ sơ này thuộc xã cũ UBND xã An" in refused.get_data(as_text=True)
    assert f"/attachments/{stored['letter']}/delete" not in client.get(
        f"/letters/{chain['letter']}").get_data(as_text=True)
    db.session.expire_all()
    assert db.session.get(Attachment, stored["letter"]) is not None  # still there
