"""The receipt (giấy biên nhận, Mẫu 02/TCD — NĐ 154/2026 Điều 15.4): tracking codes and their QR code.

The tracking code printed on the receipt finds the letter (or its case) for staff at once; a
code typed by hand is forgiven the look-alikes of Crockford's base32 (O → 0, I and L → 1).
"""
from __future__ import annotations

import io
import re

import segno
from markupsafe import Markup
from sqlalchemy import select

from tracker.extensions import db
from tracker.models import Letter
from tracker.services.letters.register import CODE_ALPHABET

CODE_LENGTH = 10
_LOOK_ALIKES = str.maketrans({"O": "0", "I": "1", "L": "1"})
_SEPARATORS = re.compile(r"[\s\-._]")


def normalise_tracking_code(text: str | None) -> str | None:
    """The tracking code in ``text`` (case-insensitive, spaces and hyphens ignored), or None when
    it cannot be one."""
    code = _SEPARATORS.sub("", text or "").upper().translate(_LOOK_ALIKES)
    if len(code) != CODE_LENGTH or any(ch not in CODE_ALPHABET for ch in code):
        return None
    return code


def letter_by_tracking_code(text: str | None) -> Letter | None:
    code = normalise_tracking_code(text)
    if code is None:
        return None
    return db.session.scalar(select(Letter).where(Letter.tracking_code == code))


def qr_svg(text: str, *, css_class: str = "qr") -> Markup:
    """An inline SVG QR code of ``text`` (no size attributes: the stylesheet sizes it; no style="")."""
    qr = segno.make(text, error="m", micro=False)
    out = io.BytesIO()
    qr.save(out, kind="svg", xmldecl=False, svgns=True, nl=False, scale=1, border=2, omitsize=True,
            svgclass=css_class, lineclass=css_class + "-modules", title=text)
    return Markup(out.getvalue().decode("utf-8"))
