"""The Excel import of the log book fuzzed with hostile workbooks (hypothesis): huge strings, wrong types,
formulas, broken Unicode (lone surrogates and illegal characters written straight into the sheet's XML),
empty sheets, extra sheets, missing headers, files that are not workbooks at all. Through the CLI
(`import visits`) and through the web page: always a Vietnamese message and never a traceback or a 5xx;
all or nothing — a refused file changes no row count, an accepted one adds exactly the rows it reports."""
from __future__ import annotations

import html
import io
import re
import zipfile
from datetime import date
from datetime import datetime
from datetime import time
from pathlib import Path

import pytest
from flask_babel import force_locale
from hypothesis import HealthCheck
from hypothesis import given
from hypothesis import settings
from hypothesis import strategies as st
from openpyxl import Workbook
from sqlalchemy import func
from sqlalchemy import select

from tests.conftest import login
from tests.conftest import post_form
from tests.factories import make_user
from tests.figures import record
from tracker.extensions import db
from tracker.messages import message
from tracker.models import AuditEntry
from tracker.models import Citizen
from tracker.models import Visit
from tracker.models import VisitCitizen
from tracker.services.reception import logbook

EXAMPLES = 50
BROKEN = "\u2063BROKEN\u2063"  # a marker replaced in the XML by characters openpyxl refuses to write
BROKEN_XML = ["&#xD800;", "&#x1;", "\udc80", "\x00", "\ufffe"]
HEADERS = [str(c.header) for c in logbook.EXCEL_COLUMNS]
KEYS = [c.key for c in logbook.EXCEL_COLUMNS]
TRIED: dict[str, int] = {"files": 0, "refused": 0, "imported": 0}

cells = st.one_of(
    st.none(),
    st.text(max_size=30),
    st.sampled_from(["Nguyễn Văn An", "05/03/2026", "2026-03-05", "Khiếu nại", "kien nghi", "huong dan",
                     "Tố cáo", "Trả lời trực tiếp", "001085012345", "Có", "Không", "08:30", "31/02/2026",
                     "<script>alert(1)</script>", "'; DROP TABLE visits; --"]),
    st.sampled_from(["=1+1", "=HYPERLINK(\"http://x\",\"y\")", "=CMD|' /C calc'!A0", "@SUM(A1)", "+1+1", "-2+3"]),
    st.builds(lambda n: "Ạ" * n, st.sampled_from([300, 5000, 40000])),
    st.just(BROKEN),
    st.integers(min_value=-(10**20), max_value=10**20),
    st.floats(allow_nan=True, allow_infinity=False),
    st.booleans(),
    st.dates(min_value=date(1900, 1, 1), max_value=date(2100, 1, 1)),
    st.datetimes(min_value=datetime(1900, 1, 1), max_value=datetime(2100, 1, 1)),
    st.times(),
)
good_row = st.fixed_dictionaries({"visited_on": st.just("05/03/2026"), "full_name": st.just("Lê Thị Cúc"),
                                  "content": st.just("Hỏi thủ tục tách thửa"),
                                  "classification": st.just("Kiến nghị"), "handling": st.just("Hướng dẫn")})
hostile_row = st.dictionaries(st.sampled_from(KEYS), cells, max_size=len(KEYS))
rows = st.lists(st.one_of(good_row, st.builds(lambda g, h: {**g, **h}, good_row, hostile_row), hostile_row),
                max_size=6)


@st.composite
def workbooks(draw: st.DrawFn) -> bytes:
    shape = draw(st.sampled_from(["good", "book", "book", "book", "empty", "no_header", "garbage", "truncated"]))
    if shape == "garbage":
        return draw(st.binary(max_size=200)) or b"PK\x03\x04"
    wb = Workbook()
    ws = wb.active
    if draw(st.booleans()):  # the log book is not the first sheet
        ws.title = "Bìa"
        ws.append(["Sổ tiếp công dân", BROKEN if draw(st.booleans()) else None])
        ws = wb.create_sheet(logbook.EXCEL_SHEET if draw(st.booleans()) else "Trang 2")
    if shape != "empty":
        headers = list(HEADERS) if shape in ("book", "good") else [_excel_value(draw(cells)) for _ in HEADERS]
        if shape == "book" and draw(st.booleans()):
            headers = headers[:3] + [_excel_value(draw(cells))] + headers[4:]  # one header damaged
        ws.append(headers)
        for row in draw(st.lists(good_row, min_size=1, max_size=3) if shape == "good" else rows):
            ws.append([_excel_value(row.get(k)) for k in KEYS])
    for extra in range(draw(st.integers(0, 2))):
        wb.create_sheet(f"Phụ lục {extra}").append([_excel_value(draw(cells)) for _ in range(3)])
    out = io.BytesIO()
    wb.save(out)
    data = _break_unicode(out.getvalue(), draw(st.sampled_from(BROKEN_XML)))
    if shape == "truncated":
        # A share of the file, not a byte count: the saved file's length varies by a byte or two with the
        # time it is written (its timestamps compress differently), and a draw bounded by it makes Hypothesis
        # see a different strategy when it replays an example (FlakyStrategyDefinition).
        share = draw(st.integers(0, 1000))
        data = data[: 10 + share * max(1, len(data) - 11) // 1000]
    return data


def _excel_value(value: object) -> object:
    if isinstance(value, datetime | date | time) or value is None or isinstance(value, bool | int | float):
        return value
    text = str(value)
    # openpyxl refuses control characters; those go in through BROKEN (straight into the XML) instead.
    return re.sub(r"[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff]", "?", text)


def _break_unicode(data: bytes, broken: str) -> bytes:
    """Replace the marker, in every part of the package, by text no valid workbook holds."""
    marker = BROKEN.encode()
    if marker not in data and b"BROKEN" not in data:
        return data
    source = zipfile.ZipFile(io.BytesIO(data))
    out = io.BytesIO()
    raw = broken.encode("utf-8", "surrogatepass")
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as target:
        for item in source.infolist():
            target.writestr(item, source.read(item).replace(marker, raw))
    return out.getvalue()


def _counts() -> tuple[int, int, int, int]:
    db.session.expire_all()
    return tuple(db.session.scalar(select(func.count()).select_from(model)) or 0  # type: ignore[return-value]
                 for model in (Visit, VisitCitizen, Citizen, AuditEntry))


def _vietnamese(text: str) -> bool:
    return bool(re.search("[ăâđêôơưạảấầẩẫậắằẳẵặẹẻẽếềểễệỉịọỏốồổỗộớờởỡợụủứừửữựỳỵỷỹ]", text.lower()))


IMPORTED = re.compile(r"(\d+)")


@pytest.fixture
def desk(app):  # type: ignore[no-untyped-def]
    return make_user("letan", "receptionist")


@settings(max_examples=EXAMPLES, deadline=None, derandomize=True, database=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow,
                                 HealthCheck.data_too_large])
@given(data=workbooks())
def test_a_hostile_workbook_through_the_cli_gets_a_vietnamese_message_and_is_all_or_nothing(
        runner, desk, tmp_path: Path, data: bytes) -> None:  # type: ignore[no-untyped-def]
    path = tmp_path / "so.xlsx"
    path.write_bytes(data)
    before = _counts()
    result = runner.invoke(args=["import", "visits", str(path), "--unit", desk.unit.code])
    output = result.output + (result.stderr if result.stderr_bytes is not None else "")
    TRIED["files"] += 1
    assert "Traceback" not in output
    assert result.exit_code in (0, 1), (result.exit_code, result.exception, output)
    assert result.exception is None or isinstance(result.exception, SystemExit), repr(result.exception)
    after = _counts()
    if result.exit_code == 1:
        TRIED["refused"] += 1
        with force_locale("vi"):
            assert str(message("import_failed")) in output
        assert _vietnamese(output) and after == before, output
    else:
        TRIED["imported"] += 1
        added = int(IMPORTED.search(output).group(1))  # type: ignore[union-attr]
        assert added >= 1 and after[0] == before[0] + added, output


@pytest.fixture
def desk_client(client, desk):  # type: ignore[no-untyped-def]
    login(client, "letan")
    return client


@settings(max_examples=EXAMPLES, deadline=None, derandomize=True, database=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow,
                                 HealthCheck.data_too_large])
@given(data=workbooks(), name=st.sampled_from(["so.xlsx", "../../etc/passwd.xlsx", "số tiếp dân.XLSX", "a.csv",
                                               "<b>x</b>.xlsx"]))
def test_a_hostile_workbook_through_the_web_page_is_refused_in_vietnamese_or_imported_whole(
        desk_client, data: bytes, name: str) -> None:  # type: ignore[no-untyped-def]
    client = desk_client
    before = _counts()
    response = post_form(client, "/visits/import", {"file": (io.BytesIO(data), name)},
                         content_type="multipart/form-data")
    page = html.unescape(response.get_data(as_text=True))
    assert response.status_code in (302, 400), response.status_code
    assert "Traceback" not in page
    after = _counts()
    TRIED["files"] += 1
    TRIED["refused" if response.status_code == 400 else "imported"] += 1
    if response.status_code == 400:
        errors = re.findall(r"<li>(.*?)</li>", page.split("import-errors", 1)[1].split("</div>", 1)[0], re.S)
        assert errors and all(e.strip() for e in errors)
        assert _vietnamese(page.split("import-errors", 1)[1]) and after == before
    else:
        assert after[0] > before[0]


def test_the_import_fuzzing_tried_refused_and_accepted_files() -> None:
    """Figures for docs/reliability.md (when run after the two fuzz tests)."""
    print(f"import fuzz: {TRIED}")
    record("import_fuzz", dict(TRIED))
