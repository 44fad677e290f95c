"""Text folding for accent-insensitive search, and small formatting helpers."""
from __future__ import annotations

import re
import unicodedata

_SPACES = re.compile(r"\s+")


class _Folding(dict[int, str | None]):
    """str.translate's table for folding: combining marks dropped (None), "đ" to "d", every other
    character kept; filled as characters are met, so that a long text is folded at C speed."""

    def __missing__(self, code: int) -> str | None:
        ch = chr(code)
        value = None if unicodedata.combining(ch) else ch
        self[code] = value
        return value


_FOLDING = _Folding({ord("đ"): "d", ord("Đ"): "D"})


def fold_diacritics(text: str) -> str:
    """Fold Vietnamese text for matching: no diacritics, đ→d, casefolded, single spaces.

    NFD splits "ễ" into "e" plus combining marks, which are dropped; "đ" is a letter of its own
    and is mapped by hand.
    """
    stripped = unicodedata.normalize("NFD", text).translate(_FOLDING)
    return _SPACES.sub(" ", stripped.casefold()).strip()


def normalise_name(text: str) -> str:
    """Tidy a person's name as typed: NFC, single spaces, no surrounding blanks."""
    return _SPACES.sub(" ", unicodedata.normalize("NFC", text)).strip()


def format_date_vn(value: object) -> str:
    """dd/mm/yyyy, the way Vietnamese administrative documents write dates."""
    if value is None:
        return ""
    return str(value.strftime("%d/%m/%Y"))  # type: ignore[attr-defined]


def escape_like(text: str) -> str:
    """Escape LIKE wildcards so a user's "%" or "_" matches itself."""
    return text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")


def compose_address(address: str | None, neighbourhood: str | None) -> str:
    """A person's address as one line: "<address>, <neighbourhood>", the neighbourhood left out when the
    address already names it ("Số 12 đường Lê Lợi, Khu phố 8, xã Mẫu" + "Khu phố 8" is said once).

    The one composer of addresses for every screen, print and export.
    """
    address = _SPACES.sub(" ", address or "").strip().strip(",").strip()
    hood = _SPACES.sub(" ", neighbourhood or "").strip().strip(",").strip()
    if not hood:
        return address
    if not address:
        return hood
    if re.search(r"(?<!\w)" + re.escape(fold_diacritics(hood)) + r"(?!\w)", fold_diacritics(address)):
        return address
    return f"{address}, {hood}"
