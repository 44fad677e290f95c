"""The log book as a whole: the cells of each official column, and the columns of the Excel file.

One mapping from a visit to what the paper book shows, shared by the print page and the Excel export,
so that both say the same thing. Column headers are English msgids; the Vietnamese wording of the
official forms (TT 04/2021 Mẫu 03, NĐ 154/2026 Mẫu 03/TCD) comes from the translations, and the
official Vietnamese headers of the Excel file are also accepted on import (``ExcelColumn.aliases``).
"""
from __future__ import annotations

from collections.abc import Callable
from collections.abc import Iterable
from collections.abc import Iterator
from dataclasses import dataclass
from dataclasses import field
from datetime import date
from datetime import datetime
from zoneinfo import ZoneInfo

from flask import current_app
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l

from tracker.extensions import db
from tracker.labels import label
from tracker.models import Visit
from tracker.models import VisitCitizen
from tracker.rules.reception import LOG_BOOK_LAYOUTS
from tracker.rules.reception import LogBookLayout
from tracker.rules.reception import layout_for
from tracker.rules.text import format_date_vn
from tracker.services.privacy import audit
from tracker.services.privacy.confidentiality import IdentityMask
from tracker.services.transaction import atomic

PRINT_MAX_ROWS = 5000

# Header of each column of the official forms, by layout code. English msgids; the translations carry
# the official Vietnamese wording (given in the comments).
COLUMN_HEADERS: dict[str, dict[str, object]] = {
    "TT04_2021_M03": {
        "register_no": _l("No."),  # STT
        "visited_on": _l("Date of reception"),  # Ngày tiếp
        "name_address": _l("Full name – Address"),  # Họ tên - Địa chỉ
        "id_number": _l("ID card / Passport"),  # CMND/Hộ chiếu
        "content": _l("Content of the matter"),  # Nội dung vụ việc
        "classification_people": _l("Classification of the letter / Number of people"),  # Phân loại đơn/Số người
        "previously_handled_by": _l("Body that already handled it"),  # Cơ quan đã giải quyết
        "accepted": _l("Accepted for settlement"),  # Thụ lý để giải quyết
        "returned_guided": _l("Letter returned and guided"),  # Trả lại đơn và hướng dẫn
        # Chuyển đơn đến cơ quan, tổ chức, đơn vị có thẩm quyền
        "transferred": _l("Letter transferred to the competent agency, organisation or unit"),
        "result_followup": _l("Follow-up of the settlement result"),  # Theo dõi kết quả giải quyết
        "note": _l("Notes"),  # Ghi chú
    },
    "ND154_2026_M03TCD": {
        "register_no": _l("No."),  # STT
        "visited_on": _l("Date of reception"),  # Ngày tiếp
        "name_address": _l("Full name, address"),  # Họ tên, địa chỉ
        "id_number": _l("Citizen ID / Passport or other ID"),  # CCCD/Hộ chiếu hoặc giấy tờ tùy thân khác
        "content": _l("Summary of the matter"),  # Tóm tắt nội dung vụ việc
        "classification": _l("Classification of the letter"),  # Phân loại đơn
        "people_count": _l("Number of citizens with the same content"),  # Số công dân có đơn cùng nội dung
        # Cơ quan, tổ chức, đơn vị đã giải quyết hết thẩm quyền
        "previously_handled_by": _l("Agency that has settled it within its full competence"),
        "within_competence": _l("Within competence"),  # Thuộc thẩm quyền
        # Hướng dẫn công dân đến cơ quan nào, số văn bản hướng dẫn
        "guided_document": _l("Guided to which agency; number of the guidance document"),
        # Cơ quan có thẩm quyền thụ lý, số văn bản chuyển đơn
        "transferred_document": _l("Competent agency to accept it; number of the transfer document"),
        "result_followup": _l("Follow-up of the settlement process and result"),  # Theo dõi quá trình, kết quả
        "note": _l("Notes"),  # Ghi chú
    },
}
# Columns printed under a common "Handling" (Hướng xử lý) header.
HANDLING_GROUP: dict[str, tuple[str, ...]] = {
    "TT04_2021_M03": ("accepted", "returned_guided", "transferred"),
    "ND154_2026_M03TCD": ("within_competence", "guided_document", "transferred_document"),
}


@dataclass(frozen=True)
class HeaderCell:
    text: str
    colspan: int = 1
    rowspan: int = 1
    code: str = ""


def header_rows(layout: LogBookLayout) -> tuple[list[HeaderCell], list[HeaderCell]]:
    """Two header rows: the grouped "Handling" columns span one top cell, the others span both rows."""
    headers = COLUMN_HEADERS[layout.code]
    group = HANDLING_GROUP.get(layout.code, ())
    top: list[HeaderCell] = []
    sub: list[HeaderCell] = []
    for code in layout.columns:
        if code in group:
            if code == group[0]:
                top.append(HeaderCell(_("Handling"), colspan=len(group), code="handling"))
            sub.append(HeaderCell(str(headers[code]), code=code))
        else:
            top.append(HeaderCell(str(headers[code]), rowspan=2 if group else 1, code=code))
    return top, sub


def _citizen_line(vc: VisitCitizen) -> str:
    c = vc.citizen
    where = c.full_address
    return f"{c.full_name} – {where}" if where else c.full_name


def _primary(visit: Visit) -> VisitCitizen | None:
    return next((vc for vc in visit.visitors if not vc.is_representative), visit.visitors[0] if visit.visitors
                else None)


def _yes(value: bool) -> str:
    return "x" if value else ""


def _document(visit: Visit) -> str:
    if visit.handling_document_no:
        return str(_("Document no. %(no)s", no=visit.handling_document_no))
    return ""


def _join(*parts: str | None) -> str:
    return "\n".join(p for p in parts if p)


def _note(visit: Visit) -> str:
    extra = []
    if visit.handling == "declined":
        ground = label("decline_ground", visit.decline_ground)
        extra.append(_("Reception refused: %(ground)s", ground=ground) if ground else label("handling", "declined"))
    if visit.channel == "online":
        extra.append(label("channel", "online"))
    if visit.kind != "regular":
        extra.append(label("kind", visit.kind))
    return _join(*extra, visit.note)


def cells(visit: Visit, layout: LogBookLayout, hidden: bool = False) -> dict[str, str]:
    """The text of each column of ``layout`` for ``visit`` (line breaks as "\\n").

    :param hidden: the reader may not see who came (a denouncer's identity).
    """
    reps = [vc for vc in visit.visitors if vc.is_representative]
    primary = _primary(visit)
    names = [_citizen_line(primary)] if primary else []
    if reps and not (len(reps) == 1 and reps[0] is primary):
        names.append(_("Representatives: %(names)s",
                       names=", ".join(vc.citizen.full_name for vc in reps if vc is not primary)))
    ids = [vc.citizen.id_number for vc in visit.visitors if vc.citizen.id_number]
    if hidden:
        names, ids = [_("Identity protected")], []
    guided = visit.handling in ("guided", "answered")
    values = {
        "register_no": str(visit.register_no),
        "visited_on": format_date_vn(visit.visited_on),
        "name_address": "\n".join(names),
        "id_number": "\n".join(ids),
        "content": visit.content,
        "classification_people": _join(label("classification", visit.classification),
                                       _("%(n)s people", n=visit.people_count)),
        "classification": label("classification", visit.classification),
        "people_count": str(visit.people_count),
        "previously_handled_by": visit.previously_handled_by or "",
        "accepted": _yes(visit.handling == "letter_received"),
        "returned_guided": _join(_yes(guided), label("handling", "answered") if visit.handling == "answered" else "",
                                 visit.referred_to if visit.handling == "guided" else "",
                                 _document(visit) if guided else ""),
        "transferred": _join(visit.referred_to if visit.handling == "referred" else "",
                             _document(visit) if visit.handling == "referred" else ""),
        "within_competence": _yes(visit.within_competence),
        # Column 10 of Mẫu 03/TCD is where the citizen was guided to (and the guidance document); an answer
        # given on the spot is the result of the reception: column 12, not 10.
        "guided_document": _join(visit.referred_to if visit.handling == "guided" else "",
                                 _document(visit) if visit.handling == "guided" else ""),
        "transferred_document": _join(
            label("handling", "letter_received") if visit.handling == "letter_received" else "",
            visit.referred_to if visit.handling == "referred" else "",
            _document(visit) if visit.handling == "referred" else ""),
        "result_followup": visit.result_followup or "",
        "note": _note(visit),
    }
    if layout.code == "ND154_2026_M03TCD" and visit.handling == "answered":
        values["result_followup"] = _join(label("handling", "answered"), _document(visit), visit.result_followup)
    return {code: values[code] for code in layout.columns}


@dataclass
class BookTable:
    """The rows of one official form: visits dated while that form was in force."""

    layout: LogBookLayout
    rows: list[dict[str, str]] = field(default_factory=list)
    first: date | None = None
    last: date | None = None

    @property
    def header(self) -> tuple[list[HeaderCell], list[HeaderCell]]:
        return header_rows(self.layout)


def book_tables(visits: Iterable[Visit], is_hidden: Callable[[Visit], bool] = lambda v: False) -> list[BookTable]:
    """Visits (oldest first) split by the form in force on their date, in the order of the forms."""
    tables: dict[str, BookTable] = {}
    for visit in visits:
        layout = layout_for(visit.visited_on)
        table = tables.setdefault(layout.code, BookTable(layout))
        table.rows.append(cells(visit, layout, is_hidden(visit)))
        table.first = min(table.first or visit.visited_on, visit.visited_on)
        table.last = max(table.last or visit.visited_on, visit.visited_on)
    order = [layout.code for layout in LOG_BOOK_LAYOUTS]
    return [tables[code] for code in order if code in tables]


# ---------------------------------------------------------------------------------------------------------------
# The Excel file: one column per field of a visit, so that an exported book imports back unchanged.


@dataclass(frozen=True)
class ExcelColumn:
    key: str
    header: object  # lazy English msgid
    kind: str = "text"  # text | int | date | time | code | bool | people
    group: str | None = None  # label group of a code column
    width: int = 16
    aliases: tuple[str, ...] = ()  # other headers accepted on import (official Vietnamese wording)
    required: bool = False


EXCEL_COLUMNS: tuple[ExcelColumn, ...] = (
    ExcelColumn("register_no", _l("Register number"), "int", width=9, aliases=("Số vào sổ", "STT", "Số thứ tự")),
    ExcelColumn("visited_on", _l("Date of visit"), "date", width=12, aliases=("Ngày tiếp", "Ngày tiếp công dân"),
                required=True),
    ExcelColumn("visited_time", _l("Time"), "time", width=7, aliases=("Giờ", "Giờ tiếp")),
    ExcelColumn("channel", _l("Form of reception"), "code", "channel", aliases=("Hình thức tiếp",)),
    ExcelColumn("kind", _l("Kind of reception"), "code", "kind", aliases=("Loại tiếp",)),
    ExcelColumn("host", _l("Received by"), "code", "host", aliases=("Người tiếp",)),
    ExcelColumn("host_name", _l("Name of the person receiving"), width=20, aliases=("Họ tên người tiếp",)),
    ExcelColumn("full_name", _l("Full name"), width=24, aliases=("Họ tên", "Họ và tên", "Họ tên công dân"),
                required=True),
    ExcelColumn("id_number", _l("ID number (CCCD)"), width=15,
                aliases=("Số CCCD", "CCCD", "CMND/Hộ chiếu", "CCCD/Hộ chiếu", "Số CCCD/CMND")),
    ExcelColumn("birth_year", _l("Birth year"), "int", width=8, aliases=("Năm sinh",)),
    ExcelColumn("gender", _l("Gender"), "code", "gender", width=8, aliases=("Giới tính",)),
    ExcelColumn("phone", _l("Phone"), width=13, aliases=("Điện thoại", "Số điện thoại")),
    ExcelColumn("address", _l("Address"), width=28, aliases=("Địa chỉ",)),
    ExcelColumn("neighbourhood", _l("Neighbourhood (khu phố, thôn, tổ dân phố)"), width=16,
                aliases=("Khu phố, thôn, tổ dân phố", "Khu phố", "Thôn", "Tổ dân phố")),
    ExcelColumn("people_count", _l("Number of people"), "int", width=8, aliases=("Số người",)),
    ExcelColumn("representatives", _l("Representatives of the group"), "people", width=28,
                aliases=("Người đại diện",)),
    ExcelColumn("content", _l("Content of the matter"), width=48,
                aliases=("Nội dung vụ việc", "Nội dung", "Tóm tắt nội dung vụ việc"), required=True),
    ExcelColumn("classification", _l("Classification"), "code", "classification", width=14,
                aliases=("Phân loại đơn", "Phân loại"), required=True),
    ExcelColumn("subject", _l("Subject area"), "code", "subject", width=14, aliases=("Lĩnh vực",)),
    ExcelColumn("previously_handled_by", _l("Body that already handled the matter"), width=22,
                aliases=("Cơ quan đã giải quyết",)),
    ExcelColumn("within_competence", _l("Within the commune's competence"), "bool", width=10,
                aliases=("Thuộc thẩm quyền",)),
    ExcelColumn("handling", _l("Handling"), "code", "handling", width=22, aliases=("Hướng xử lý",),
                required=True),
    ExcelColumn("handling_document_no", _l("Number of the guidance or transfer document"), width=14,
                aliases=("Số văn bản", "Số văn bản hướng dẫn, chuyển đơn")),
    ExcelColumn("referred_to", _l("Competent body (guided or transferred to)"), width=22,
                aliases=("Cơ quan có thẩm quyền", "Cơ quan được chuyển đơn")),
    ExcelColumn("decline_ground", _l("Ground for refusing reception"), "code", "decline_ground", width=22,
                aliases=("Lý do từ chối tiếp",)),
    ExcelColumn("result_followup", _l("Follow-up of the result"), width=28,
                aliases=("Theo dõi kết quả giải quyết", "Theo dõi kết quả")),
    ExcelColumn("note", _l("Notes"), width=24, aliases=("Ghi chú",)),
)
EXCEL_SHEET = "Sổ tiếp công dân"


def representatives_text(visit: Visit, primary: VisitCitizen | None) -> str:
    """One line per representative: "Full name; ID number" (the format of the visit form)."""
    return "\n".join(
        vc.citizen.full_name + (f"; {vc.citizen.id_number}" if vc.citizen.id_number else "")
        for vc in visit.visitors if vc.is_representative and vc is not primary)


class CachedLabels:
    """``label()`` remembered per code: translating the same few labels for 200,000 rows is most of the cost."""

    def __init__(self) -> None:
        self._seen: dict[tuple[str, object], str] = {}

    def __call__(self, group: str, code: object) -> str:
        key = (group, code)
        if key not in self._seen:
            self._seen[key] = label(group, code) if group != "yes_no" else (_("Yes") if code else _("No"))
        return self._seen[key]


def excel_values(visit: Visit, hidden: bool = False, label: Callable[[str, object], str] | None = None
                 ) -> dict[str, object]:
    """The value of each Excel column for ``visit``: dates as dates, codes as their (translated) labels.

    :param hidden: the reader may not see who came: the person columns stay empty but the name,
        which says "identity protected".
    """
    label = label or CachedLabels()
    primary = None if hidden else _primary(visit)
    citizen = primary.citizen if primary else None
    at = visit.visited_at.astimezone(ZoneInfo(current_app.config["TIMEZONE"])) if visit.visited_at else None
    return {
        "register_no": visit.register_no,
        "visited_on": visit.visited_on,
        "visited_time": at.strftime("%H:%M") if isinstance(at, datetime) else None,
        "channel": label("channel", visit.channel),
        "kind": label("kind", visit.kind),
        "host": label("host", visit.host),
        "host_name": visit.host_name,
        "full_name": citizen.full_name if citizen else (_("Identity protected") if hidden else None),
        "id_number": citizen.id_number if citizen else None,
        "birth_year": citizen.birth_year if citizen else None,
        "gender": label("gender", citizen.gender) if citizen and citizen.gender else None,
        "phone": citizen.phone if citizen else None,
        "address": citizen.address if citizen else None,
        "neighbourhood": citizen.neighbourhood if citizen else None,
        "people_count": visit.people_count,
        # A denunciation's group: its representatives are denouncers too.
        "representatives": None if hidden else (representatives_text(visit, primary) or None),
        "content": visit.content,
        "classification": label("classification", visit.classification),
        "subject": label("subject", visit.subject),
        "previously_handled_by": visit.previously_handled_by,
        "within_competence": label("yes_no", visit.within_competence),
        "handling": label("handling", visit.handling),
        "handling_document_no": visit.handling_document_no,
        "referred_to": visit.referred_to,
        "decline_ground": label("decline_ground", visit.decline_ground) if visit.decline_ground else None,
        "result_followup": visit.result_followup,
        "note": visit.note,
    }


def excel_rows(visits: Iterable[Visit], is_hidden: Callable[[Visit], bool] = lambda v: False
               ) -> Iterator[list[object]]:
    keys = [c.key for c in EXCEL_COLUMNS]
    labels = CachedLabels()
    for visit in visits:
        values = excel_values(visit, is_hidden(visit), labels)
        yield [values[k] for k in keys]


@atomic
def record_export(mask: IdentityMask, unit_id: int | None, rows: int, filters: dict[str, object]) -> None:
    """Audit an export of the log book: the protected identities it showed, and the export itself."""
    mask.audit("export")
    audit.record_event(db.session, "export", "visits", None, unit_id,
                       {"rows": rows, "filters": audit.safe_filters(filters)})
