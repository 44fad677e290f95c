"""Import a reception log book from Excel: every row is checked first; any error and nothing is written.

Steps: read the workbook (refusing what is not an .xlsx, formulas and oversized files) → turn each row into
a ``VisitInput`` → check it with the same rules as the visit form (``reception._check`` and
``reception.resolve_people``) without writing → check register numbers against the file and the
database → then, only if every row is clean and this is not a dry run, insert all rows in one transaction.
Errors name the row (as numbered in Excel) and the column (as headed in the file).
"""
from __future__ import annotations

import zipfile
from dataclasses import dataclass
from dataclasses import field
from datetime import date
from datetime import datetime
from datetime import time
from typing import IO
from typing import Any

from flask import current_app
from flask_babel import force_locale
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from openpyxl import load_workbook
from openpyxl.utils.exceptions import InvalidFileException
from sqlalchemy import select

from tracker.extensions import db
from tracker.labels import LABELS
from tracker.messages import MESSAGES
from tracker.messages import message
from tracker.models import Unit
from tracker.models import User
from tracker.models import Visit
from tracker.rules.reception import CONFIDENTIAL_CLASSIFICATIONS
from tracker.rules.text import fold_diacritics
from tracker.services import clock
from tracker.services import counters
from tracker.services.errors import DomainError
from tracker.services.privacy import audit
from tracker.services.reception import visits as reception
from tracker.services.reception.citizens import CitizenInput
from tracker.services.reception.logbook import EXCEL_COLUMNS
from tracker.services.reception.logbook import EXCEL_SHEET
from tracker.services.reception.logbook import ExcelColumn

MESSAGES.update({
    "import_wrong_type": _l("This cell does not hold the expected kind of value."),
    "import_bool_invalid": _l("Write “Yes” or “No”."),
    "number_max": _l("The number is too large."),
    "import_failed": _l("The file was not imported: nothing has been written."),
    "import_unpacked_too_large": _l("The workbook unpacks to more than %(limit)s MB (%(size)s MB): it was not "
                                    "imported. Split the log book into smaller files."),
    "import_ratio_too_high": _l("A part of the workbook (%(member)s) unpacks to %(ratio)s times its size, more than "
                                "the %(limit)s allowed: the file looks like a decompression bomb and was not "
                                "imported."),
})
MAX_HEADER_SCAN = 10
MAX_COLUMNS = 80
MAX_INT = 1_000_000
DATE_FORMATS = ("%d/%m/%Y", "%d-%m-%Y", "%d.%m.%Y", "%Y-%m-%d")
TIME_FORMATS = ("%H:%M", "%H:%M:%S", "%Hh%M", "%Hg%M")
COLUMNS: dict[str, ExcelColumn] = {c.key: c for c in EXCEL_COLUMNS}
CITIZEN_KEYS = ("full_name", "id_number", "birth_year", "gender", "phone", "address", "neighbourhood")

# Official Vietnamese words of old paper books and spreadsheets, accepted besides the labels of the app.
CODE_ALIASES: dict[str, dict[str, str]] = {
    "classification": {"khiếu nại": "complaint", "đơn khiếu nại": "complaint", "tố cáo": "denunciation",
                       "đơn tố cáo": "denunciation", "kiến nghị": "petition", "phản ánh": "feedback",
                       "kiến nghị, phản ánh": "petition", "hòa giải": "mediation", "hoà giải": "mediation",
                       "đề nghị hòa giải": "mediation", "yêu cầu hòa giải": "mediation", "khác": "other"},
    "channel": {"trực tiếp": "in_person", "trực tuyến": "online"},
    "kind": {"thường xuyên": "regular", "định kỳ": "scheduled", "đột xuất": "adhoc"},
    "host": {"chủ tịch": "chair", "chủ tịch ubnd": "chair", "phó chủ tịch": "vice_chair",
             "phó chủ tịch ubnd": "vice_chair", "cán bộ tiếp công dân": "officer", "công chức": "officer",
             "cán bộ": "officer"},
    "handling": {"thụ lý": "letter_received", "thụ lý để giải quyết": "letter_received",
                 "tiếp nhận đơn": "letter_received", "nhận đơn": "letter_received",
                 "hướng dẫn": "guided", "giải thích, hướng dẫn": "guided", "trả lại đơn và hướng dẫn": "guided",
                 "chuyển đơn": "referred", "chuyển": "referred", "trả lời trực tiếp": "answered",
                 "trả lời ngay": "answered", "từ chối tiếp": "declined", "từ chối": "declined"},
    "gender": {"nam": "male", "nữ": "female", "khác": "other"},
    "subject": {"đất đai": "land", "giải phóng mặt bằng": "site_clearance", "gpmb": "site_clearance",
                "xây dựng": "construction", "môi trường": "environment", "chính sách xã hội": "social_policy",
                "chính sách": "social_policy", "hành chính": "administration", "tư pháp": "justice",
                "hôn nhân gia đình": "family", "hôn nhân và gia đình": "family", "khác": "other"},
}
TRUE_WORDS = {"co", "x", "yes", "true", "1", "dung", "thuoc tham quyen"}
FALSE_WORDS = {"khong", "no", "false", "0", "sai", "khong thuoc tham quyen"}


@dataclass
class RowError:
    """One problem: ``row`` as numbered in Excel (None for the file as a whole), ``column`` as headed."""

    row: int | None
    column: str | None
    code: str
    params: dict[str, Any] = field(default_factory=dict)

    def text(self) -> str:
        text = message(self.code, **self.params)
        if self.row is None:
            return text
        if self.column is None:
            return _("Row %(row)s: %(message)s", row=self.row, message=text)
        return _("Row %(row)s, column '%(column)s': %(message)s", row=self.row, column=self.column, message=text)


class ImportFailed(DomainError):
    """The file was refused as a whole; ``errors`` lists every problem found. Nothing was written."""

    def __init__(self, errors: list[RowError]) -> None:
        super().__init__("import_failed")
        self.errors = errors

    def lines(self) -> list[str]:
        return [e.text() for e in self.errors]


@dataclass
class ImportResult:
    rows: int
    dry_run: bool
    file: str


@dataclass
class ParsedRow:
    row: int
    data: reception.VisitInput
    errors: dict[str, tuple[str, dict[str, Any]]]  # column key → (code, params)


# ---------------------------------------------------------------------------------------------------------------
# Vocabulary: headers and code labels in Vietnamese and English, compared without diacritics or case.


def _both_locales(text: object) -> set[str]:
    found = {fold_diacritics(str(text))}
    for lang in ("vi", "en"):
        with force_locale(lang):
            found.add(fold_diacritics(str(text)))
    return found


def header_keys() -> dict[str, str]:
    keys: dict[str, str] = {}
    for col in EXCEL_COLUMNS:
        for name in {col.key, col.key.replace("_", " "), *col.aliases}:
            keys[fold_diacritics(name)] = col.key
        for name in _both_locales(col.header):
            keys[name] = col.key
    return keys


def code_words(group: str) -> dict[str, str]:
    words: dict[str, str] = {}
    for code, text in LABELS[group].items():
        code = str(code)
        words[fold_diacritics(code)] = code
        words[fold_diacritics(code.replace("_", " "))] = code
        for name in _both_locales(text):
            words[name] = code
    for name, code in CODE_ALIASES.get(group, {}).items():
        words[fold_diacritics(name)] = code
    return words


# ---------------------------------------------------------------------------------------------------------------
# Reading the workbook.


RATIO_FROM_BYTES = 1024 * 1024  # a member smaller than this cannot hurt, whatever its ratio


def check_archive(source: IO[bytes] | str) -> None:
    """Refuse a workbook whose zip members unpack to too much, before openpyxl unpacks anything (issue 12).

    The sizes are those the zip declares; Python's zipfile (which openpyxl reads through) never yields more
    than a member's declared size, so a file that lies about them fails its CRC check instead of growing.

    :raises ImportFailed: not a zip ("import_not_xlsx"), too large unpacked, or a member packed too tightly.
    """
    limit_mb = int(current_app.config["IMPORT_MAX_UNPACKED_MB"])
    max_ratio = int(current_app.config["IMPORT_MAX_RATIO"])
    start = source.tell() if not isinstance(source, str) else 0
    try:
        with zipfile.ZipFile(source) as archive:
            members = archive.infolist()
    except (zipfile.BadZipFile, zipfile.LargeZipFile, OSError, ValueError, EOFError) as exc:
        raise ImportFailed([RowError(None, None, "import_not_xlsx")]) from exc
    finally:
        if not isinstance(source, str):
            source.seek(start)
    total = sum(m.file_size for m in members)
    if total > limit_mb * 1024 * 1024:
        raise ImportFailed([RowError(None, None, "import_unpacked_too_large",
                                     {"limit": limit_mb, "size": -(-total // (1024 * 1024))})])
    for member in members:
        ratio = member.file_size / max(member.compress_size, 1)
        if member.file_size > RATIO_FROM_BYTES and ratio > max_ratio:
            raise ImportFailed([RowError(None, None, "import_ratio_too_high",
                                         {"member": member.filename[:80], "ratio": int(ratio), "limit": max_ratio})])


def _read_sheet(source: IO[bytes] | str, max_rows: int) -> tuple[dict[str, int], dict[str, str], list[tuple]]:
    """(column key → index, column key → header as written, data rows as (Excel row number, values))."""
    check_archive(source)
    try:
        wb = load_workbook(source, read_only=True, data_only=False)
    except (zipfile.BadZipFile, InvalidFileException, KeyError, OSError, ValueError, TypeError) as exc:
        raise ImportFailed([RowError(None, None, "import_not_xlsx")]) from exc
    except Exception as exc:  # a damaged workbook can raise almost anything inside openpyxl
        raise ImportFailed([RowError(None, None, "import_not_xlsx")]) from exc
    try:
        ws = wb[EXCEL_SHEET] if EXCEL_SHEET in wb.sheetnames else wb.worksheets[0]
        known = header_keys()
        index: dict[str, int] = {}
        written: dict[str, str] = {}
        rows: list[tuple] = []
        header_found = False
        physical = 0
        for number, values in enumerate(ws.iter_rows(max_col=MAX_COLUMNS, values_only=True), start=1):
            physical += 1
            if not header_found:
                if number > MAX_HEADER_SCAN:
                    break
                matched: dict[str, tuple[int, str]] = {}
                for i, value in enumerate(values):
                    if isinstance(value, str) and fold_diacritics(value) in known:
                        matched.setdefault(known[fold_diacritics(value)], (i, value.strip()))
                if len(matched) >= 3:
                    header_found = True
                    index = {k: i for k, (i, _v) in matched.items()}
                    written = {k: v for k, (_i, v) in matched.items()}
                continue
            if all(v is None or (isinstance(v, str) and not v.strip()) for v in values):
                if physical > 2 * max_rows + 1000:  # endless formatted but empty rows
                    break
                continue
            rows.append((number, values))
            if len(rows) > max_rows:
                raise ImportFailed([RowError(None, None, "import_too_many_rows", {"limit": max_rows})])
    except ImportFailed:
        raise
    except Exception as exc:  # a sheet that openpyxl cannot walk is not a usable workbook
        raise ImportFailed([RowError(None, None, "import_not_xlsx")]) from exc
    finally:
        wb.close()
    missing = [c for c in EXCEL_COLUMNS if c.required and c.key not in index]
    if not header_found or missing:
        cols = missing or [c for c in EXCEL_COLUMNS if c.required]
        raise ImportFailed([RowError(None, None, "import_missing_column", {"column": str(c.header)}) for c in cols])
    if not rows:
        raise ImportFailed([RowError(None, None, "import_empty")])
    return index, written, rows


# ---------------------------------------------------------------------------------------------------------------
# One row → VisitInput.


class _CellError(Exception):
    def __init__(self, code: str, **params: Any) -> None:
        super().__init__(code)
        self.code = code
        self.params = params


def _text(value: object) -> str | None:
    if value is None:
        return None
    if isinstance(value, bool) or isinstance(value, datetime | date | time):
        raise _CellError("import_wrong_type")
    if isinstance(value, int):
        return str(value)
    if isinstance(value, float):
        if value.is_integer():
            return str(int(value))
        raise _CellError("import_wrong_type")
    if not isinstance(value, str):
        raise _CellError("import_wrong_type")
    return value.strip() or None


def _int(value: object) -> int | None:
    if value is None:
        return None
    if isinstance(value, bool):
        raise _CellError("number_invalid")
    if isinstance(value, float):
        if not value.is_integer():
            raise _CellError("number_invalid")
        value = int(value)
    if isinstance(value, str):
        text = value.strip()
        if not text:
            return None
        if not text.isdigit() or len(text) > 9:
            raise _CellError("number_invalid" if not text.isdigit() else "number_max")
        value = int(text)
    if not isinstance(value, int):
        raise _CellError("number_invalid")
    if value > MAX_INT:
        raise _CellError("number_max")
    return value


def _date(value: object) -> date | None:
    if value is None:
        return None
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, date):
        return value
    if isinstance(value, str):
        text = value.strip()
        if not text:
            return None
        for fmt in DATE_FORMATS:
            try:
                return datetime.strptime(text, fmt).date()
            except ValueError:
                continue
    raise _CellError("date_invalid")


def _time(value: object) -> time | None:
    if value is None:
        return None
    if isinstance(value, datetime):
        return value.time().replace(second=0, microsecond=0)
    if isinstance(value, time):
        return value.replace(second=0, microsecond=0)
    if isinstance(value, str):
        text = value.strip()
        if not text:
            return None
        for fmt in TIME_FORMATS:
            try:
                return datetime.strptime(text, fmt).time()
            except ValueError:
                continue
    raise _CellError("time_invalid")


def _bool(value: object) -> bool | None:
    if value is None:
        return None
    if isinstance(value, bool):
        return value
    if isinstance(value, int | float) and value in (0, 1):
        return bool(value)
    if isinstance(value, str):
        word = fold_diacritics(value)
        if not word:
            return None
        if word in TRUE_WORDS:
            return True
        if word in FALSE_WORDS:
            return False
    raise _CellError("import_bool_invalid")


def _people(value: object) -> list[reception.VisitorInput]:
    """Representatives, one per line: "Full name; ID number" (the format of the visit form)."""
    result = []
    for line in (_text(value) or "").splitlines():
        name, _sep, number = line.partition(";")
        if name.strip():
            result.append(reception.VisitorInput(
                citizen=CitizenInput(full_name=name, id_number=number.strip() or None), is_representative=True))
    return result


class _RowReader:
    def __init__(self, index: dict[str, int], words: dict[str, dict[str, str]]) -> None:
        self.index = index
        self.words = words

    def parse(self, number: int, values: tuple) -> ParsedRow:
        errors: dict[str, tuple[str, dict[str, Any]]] = {}
        got: dict[str, Any] = {}
        for key, i in self.index.items():
            raw = values[i] if i < len(values) else None
            if isinstance(raw, str) and raw.lstrip().startswith("="):
                errors[key] = ("import_formula", {})
                continue
            col = COLUMNS[key]
            try:
                got[key] = self._convert(col, raw)
            except _CellError as exc:
                errors[key] = (exc.code, exc.params)
        for key in ("visited_on", "content", "classification", "handling", "full_name"):
            if got.get(key) is None and key not in errors:
                errors[key] = ("required", {})
        defaults = {"channel": "in_person", "kind": "regular", "host": "officer", "subject": "other",
                    "people_count": 1, "within_competence": True}
        for key, value in defaults.items():
            if got.get(key) is None:
                got[key] = value
        citizen: dict[str, Any] = {k: got.get(k) for k in CITIZEN_KEYS}
        primary = reception.VisitorInput(citizen=CitizenInput(**citizen))
        data = reception.VisitInput(
            visited_on=got.get("visited_on") or clock.local_today(),
            visited_time=got.get("visited_time"),
            register_no=got.get("register_no"),
            channel=got["channel"], kind=got["kind"], host=got["host"], host_name=got.get("host_name"),
            people_count=got["people_count"],
            visitors=[primary] + (got.get("representatives") or []),
            content=got.get("content") or "", classification=got.get("classification") or "",
            subject=got["subject"], previously_handled_by=got.get("previously_handled_by"),
            within_competence=got["within_competence"], handling=got.get("handling") or "",
            handling_document_no=got.get("handling_document_no"), referred_to=got.get("referred_to"),
            decline_ground=got.get("decline_ground"), result_followup=got.get("result_followup"),
            note=got.get("note"),
        )
        return ParsedRow(number, data, errors)

    def _convert(self, col: ExcelColumn, raw: object) -> Any:
        if col.kind == "int":
            return _int(raw)
        if col.kind == "date":
            return _date(raw)
        if col.kind == "time":
            return _time(raw)
        if col.kind == "bool":
            return _bool(raw)
        if col.kind == "people":
            return _people(raw)
        text = _text(raw)
        if col.kind == "code" and text is not None:
            code = self.words[col.group or col.key].get(fold_diacritics(text))
            if code is None:
                raise _CellError("choice_invalid")
            return code
        return text


def _column_of(field_name: str) -> str:
    """The Excel column of a field reported by the visit checks."""
    if field_name.startswith("visitors."):
        position, _sep, name = field_name[len("visitors."):].partition(".")
        if position == "0":
            return name if name in CITIZEN_KEYS else "full_name"
        return "representatives"
    if field_name == "visitors":
        return "full_name"
    return field_name if field_name in COLUMNS else "note"


def validate_visit(unit: Unit, data: reception.VisitInput, today: date, *, allow_legacy_id: bool = True,
                   user: User | None = None) -> dict[str, str]:
    """Every problem of ``data`` as ``{field: code}``, by the rules of the visit form; writes nothing."""
    errors: dict[str, str] = {}
    reception._check(data, unit, today, errors)
    reception.resolve_people(unit, data.visitors, today, allow_legacy_id, errors, user=user,
                             confidential=data.classification in CONFIDENTIAL_CLASSIFICATIONS)
    return errors


def _taken_numbers(unit_id: int, wanted: dict[int, set[int]]) -> set[tuple[int, int]]:
    taken: set[tuple[int, int]] = set()
    for year, numbers in wanted.items():
        ordered_numbers = sorted(numbers)
        for start in range(0, len(ordered_numbers), 500):
            chunk = ordered_numbers[start:start + 500]
            taken.update((year, n) for n in db.session.scalars(select(Visit.register_no).where(
                Visit.unit_id == unit_id, Visit.register_year == year, Visit.register_no.in_(chunk))))
    return taken


def check_rows(unit: Unit, rows: list[ParsedRow], today: date, user: User | None = None
               ) -> list[tuple[ParsedRow, str, str, dict[str, Any]]]:
    """(row, column key, code, params) of every problem of every row, the file's own problems first per row."""
    problems: list[tuple[ParsedRow, str, str, dict[str, Any]]] = []
    seen: dict[tuple[int, int], int] = {}
    wanted: dict[int, set[int]] = {}
    for row in rows:
        found: dict[str, tuple[str, dict[str, Any]]] = {}
        representatives: list[tuple[str, dict[str, Any]]] = []
        for name, code in validate_visit(unit, row.data, today, user=user).items():
            key = _column_of(name)
            if key in row.errors:
                continue
            params = {"register_no": row.data.register_no} if code == "register_no_taken" else {}
            if key == "representatives":
                representatives.append((code, params))
            else:
                found.setdefault(key, (code, params))
        if "visited_on" in row.errors:  # the date was a placeholder: its date checks mean nothing
            found.pop("decline_ground", None)
        merged = {**found, **row.errors}
        for key in COLUMNS:
            if key in merged:
                problems.append((row, key, *merged[key]))
            if key == "representatives" and key not in row.errors:
                problems.extend((row, key, code, params) for code, params in representatives)
        number = row.data.register_no
        if number is not None and "register_no" not in merged and "visited_on" not in merged:
            slot = (row.data.visited_on.year, number)
            if slot in seen:
                problems.append((row, "register_no", "import_duplicate_in_file", {}))
            else:
                seen[slot] = row.row
                wanted.setdefault(slot[0], set()).add(number)
    taken = _taken_numbers(unit.id, wanted)
    for row in rows:
        number = row.data.register_no
        if number is not None and (row.data.visited_on.year, number) in taken and seen.get(
                (row.data.visited_on.year, number)) == row.row:
            problems.append((row, "register_no", "register_no_taken", {"register_no": number}))
    problems.sort(key=lambda p: p[0].row)
    return problems


def _insert(user: User | None, unit: Unit, rows: list[ParsedRow], today: date) -> None:
    """All rows in the current transaction: those with their own register numbers first, so that the numbers
    given automatically to the others come after them."""
    explicit = [r for r in rows if r.data.register_no is not None]
    automatic = [r for r in rows if r.data.register_no is None]
    highest: dict[int, int] = {}
    for row in explicit:
        year = row.data.visited_on.year
        highest[year] = max(highest.get(year, 0), row.data.register_no or 0)
    for row in explicit + automatic:
        if row is (automatic[0] if automatic else None):
            for year, number in highest.items():  # once per year, before numbers are handed out
                counters.raise_to(unit.id, reception.BOOK, year, number)
        data = row.data
        errors: dict[str, str] = {}
        people = reception.resolve_people(unit, data.visitors, today, True, errors, user=user,
                                          confidential=data.classification in CONFIDENTIAL_CLASSIFICATIONS)
        if errors:  # checked before; only a concurrent change can bring this
            raise ImportFailed([RowError(row.row, str(COLUMNS[_column_of(k)].header), c) for k, c in errors.items()])
        year = data.visited_on.year
        visit = Visit(unit_id=unit.id, register_year=year, created_by_id=user.id if user else None)
        reception._apply(visit, data, unit, people)
        if data.register_no is None:
            visit.register_no = counters.next_number(unit.id, reception.BOOK, year)
        else:
            visit.register_no = data.register_no
        db.session.add(visit)
    if not automatic:
        for year, number in highest.items():
            counters.raise_to(unit.id, reception.BOOK, year, number)
    db.session.flush()


def import_visits(source: IO[bytes] | str, *, unit: Unit, user: User | None, filename: str, today: date,
                  dry_run: bool = False) -> ImportResult:
    """Check every row of the workbook; write them all in one transaction, or nothing.

    :raises ImportFailed: with every problem, each naming its row and column; nothing is written.
    """
    max_rows = int(current_app.config["IMPORT_MAX_ROWS"])
    index, written, raw_rows = _read_sheet(source, max_rows)
    words = {c.group: code_words(c.group) for c in EXCEL_COLUMNS if c.group}
    reader = _RowReader(index, words)
    rows = [reader.parse(number, values) for number, values in raw_rows]
    problems = check_rows(unit, rows, today, user)
    if problems:
        db.session.rollback()

        def heading(key: str) -> str:
            return written.get(key) or str(COLUMNS[key].header)

        raise ImportFailed([RowError(row.row, heading(key), code, params) for row, key, code, params in problems])
    if dry_run:
        db.session.rollback()
        return ImportResult(len(rows), True, filename)
    try:
        _insert(user, unit, rows, today)
        audit.record_event(db.session, "import", "visits", None, unit.id, {"rows": len(rows), "file": filename})
        db.session.commit()
    except BaseException:
        db.session.rollback()
        raise
    return ImportResult(len(rows), False, filename)
