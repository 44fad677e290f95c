"""The log book as a whole: print in the official layout, export to Excel, import from Excel."""
from __future__ import annotations

from collections.abc import Iterable
from collections.abc import Iterator
from dataclasses import dataclass
from dataclasses import field
from datetime import date
from typing import IO

from flask import Response
from flask import current_app
from flask import flash
from flask import redirect
from flask import render_template
from flask import request
from flask import url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user
from flask_login import login_required
from flask_wtf import FlaskForm
from flask_wtf.file import FileField
from sqlalchemy import func
from sqlalchemy import select
from werkzeug.utils import secure_filename
from wtforms import BooleanField

from tracker.exports.xlsx import XLSX_MIMETYPE
from tracker.exports.xlsx import write_xlsx
from tracker.extensions import db
from tracker.imports.visits_xlsx import ImportFailed
from tracker.imports.visits_xlsx import RowError
from tracker.imports.visits_xlsx import import_visits as run_import
from tracker.models import Unit
from tracker.models import Visit
from tracker.services import access
from tracker.services.clock import local_today
from tracker.services.errors import DomainError
from tracker.services.privacy import confidentiality
from tracker.services.reception import logbook
from tracker.services.reception import visits as service
from tracker.web.permissions import need
from tracker.web.reception.views import bp
from tracker.web.reception.views import filter_from_args

WEB_ERROR_LIMIT = 1000


@dataclass
class BookSection:
    """The book of one unit: a table per official form in force during the period."""

    unit: Unit
    tables: list[logbook.BookTable] = field(default_factory=list)


def _period(table: logbook.BookTable, f: service.VisitFilter) -> tuple[date | None, date | None]:
    start = f.date_from or table.first
    end = f.date_to or table.last
    layout = table.layout
    if start and start < layout.effective_from and table.first and table.first >= layout.effective_from:
        start = layout.effective_from
    if end and layout.effective_to and end > layout.effective_to:
        end = layout.effective_to
    return start, end


@bp.route("/print")
@login_required
def print_book():  # type: ignore[no-untyped-def]
    need("visits.read")
    _form, f = filter_from_args()
    stmt = service.visits_query_for(current_user, f)
    total = db.session.scalar(select(func.count()).select_from(stmt.with_only_columns(Visit.id).subquery())) or 0
    cap = logbook.PRINT_MAX_ROWS
    sections: list[BookSection] = []
    if total <= cap:
        by_unit: dict[int, list[Visit]] = {}
        hider = confidentiality.IdentityMask(current_user)
        for visit in db.session.scalars(service.ordered(stmt, oldest_first=True)):
            by_unit.setdefault(visit.unit_id, []).append(visit)
        units = {u.id: u for u in db.session.scalars(select(Unit).where(Unit.id.in_(list(by_unit))))}
        for unit_id in sorted(by_unit, key=lambda i: (units[i].path, units[i].name)):
            sections.append(BookSection(units[unit_id], logbook.book_tables(by_unit[unit_id], hider.is_hidden)))
        hider.audit("print")
    return render_template("print/logbook.html", sections=sections, total=total, cap=cap,
                           too_many=total > cap, period=lambda t: _period(t, f), unit=current_user.unit)


def _excel_headers() -> list[str]:
    return [str(c.header) for c in logbook.EXCEL_COLUMNS]


def _counting(rows: Iterable[list[object]], counter: list[int]) -> Iterator[list[object]]:
    for row in rows:
        counter[0] += 1
        yield row


@bp.route("/export.xlsx")
@login_required
def export_visits():  # type: ignore[no-untyped-def]
    need("visits.read")
    template = request.args.get("template") == "1"
    counter = [0]
    if template:
        rows: Iterable[list[object]] = ()
        name = "mau-nhap-so-tiep-cong-dan.xlsx"
    else:
        _form, f = filter_from_args()
        stmt = service.ordered(service.visits_query_for(current_user, f), oldest_first=True)
        visits = db.session.scalars(stmt.execution_options(yield_per=500))
        hider = confidentiality.IdentityMask(current_user)
        rows = _counting(logbook.excel_rows(visits, hider.is_hidden), counter)
        name = f"so-tiep-cong-dan-{local_today():%Y%m%d}.xlsx"
    handle = write_xlsx(logbook.EXCEL_SHEET, _excel_headers(), rows, [c.width for c in logbook.EXCEL_COLUMNS])
    if not template:
        logbook.record_export(hider, current_user.unit_id, counter[0], request.args.to_dict())
    size = handle.seek(0, 2)
    handle.seek(0)
    return Response(_chunks(handle), mimetype=XLSX_MIMETYPE, headers={
        "Content-Disposition": f'attachment; filename="{name}"', "Content-Length": str(size),
        "Cache-Control": "no-store"})


def _chunks(handle: IO[bytes], size: int = 64 * 1024) -> Iterator[bytes]:
    """The file in pieces, closed once sent (or when the client goes away)."""
    try:
        while chunk := handle.read(size):
            yield chunk
    finally:
        handle.close()


class ImportForm(FlaskForm):
    file = FileField(_l("Excel file (.xlsx)"))
    dry_run = BooleanField(_l("Check only (dry run): nothing is written"))


@bp.route("/import", methods=["GET", "POST"])
@login_required
def import_visits():  # type: ignore[no-untyped-def]
    need("import.visits")
    form = ImportForm()
    errors: list[str] = []
    more = 0
    result = None
    status = 200
    if form.validate_on_submit():
        upload = request.files.get("file")
        try:
            if upload is None or not upload.filename:
                raise ImportFailed([RowError(None, None, "import_no_file")])
            unit = access.writable_unit(current_user)
            filename = secure_filename(upload.filename) or "import.xlsx"
            result = run_import(upload.stream, unit=unit, user=current_user, filename=upload.filename[:200],
                                today=local_today(), dry_run=bool(form.dry_run.data))
        except ImportFailed as exc:
            lines = exc.lines()
            errors, more = lines[:WEB_ERROR_LIMIT], max(len(lines) - WEB_ERROR_LIMIT, 0)
            status = 400
        except DomainError as exc:
            errors = [str(exc.code)]
            status = 400
        else:
            if not result.dry_run:
                flash(_("%(n)s visits have been imported from %(file)s.", n=result.rows, file=filename), "success")
                return redirect(url_for(".list_visits"))
    elif request.method == "POST":
        errors = [_("The form has expired. Please choose the file again.")]
        status = 400
    return render_template("reception/import.html", form=form, errors=errors, more=more, result=result,
                           columns=logbook.EXCEL_COLUMNS,
                           max_rows=current_app.config["IMPORT_MAX_ROWS"]), status
