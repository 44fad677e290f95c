"""The Vietnamese catalog is complete, keeps every placeholder, and compiles into a catalog that loads."""
from __future__ import annotations

import os
import re
import tempfile
import unicodedata
from pathlib import Path

import pytest
from babel.messages.catalog import Catalog
from babel.messages.catalog import Message
from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po
from babel.support import Translations

TRANSLATIONS = Path(__file__).resolve().parents[2] / "tracker" / "translations"
VI_PO = TRANSLATIONS / "vi" / "LC_MESSAGES" / "messages.po"
PLACEHOLDER = re.compile(r"%\((\w+)\)[sdifr]|%[sdifr]|\{\w*\}")

KNOWN = {
    "Reception log book": "Sổ tiếp công dân",
    "Complaint": "Khiếu nại",
    "Visit no. %(no)s/%(year)s": "Lượt tiếp số %(no)s/%(year)s",
}


def _catalog() -> Catalog:
    with VI_PO.open("rb") as fh:
        return read_po(fh, locale="vi")


def _entries() -> list[Message]:
    return [m for m in _catalog() if m.id]


def _forms(value: str | tuple[str, ...]) -> tuple[str, ...]:
    return (value,) if isinstance(value, str) else tuple(value)


def _placeholders(text: str) -> set[str]:
    return {m.group(0) for m in PLACEHOLDER.finditer(text)}


def _label(message: Message) -> str:
    return _forms(message.id)[0]


def test_the_vietnamese_catalog_has_entries() -> None:
    assert len(_entries()) > 100


def test_no_vietnamese_entry_is_empty() -> None:
    empty = [_label(m) for m in _entries() if not m.string or any(not s.strip() for s in _forms(m.string))]
    assert empty == []


def test_no_vietnamese_entry_is_fuzzy() -> None:
    assert [_label(m) for m in _entries() if m.fuzzy] == []


def test_every_translation_keeps_exactly_the_placeholders_of_its_source_string() -> None:
    wrong = []
    for m in _entries():
        expected = _placeholders(_forms(m.id)[-1]) | _placeholders(_forms(m.id)[0])
        for text in _forms(m.string):
            if _placeholders(text) != expected:
                wrong.append((_label(m), text))
    assert wrong == []


def test_vietnamese_text_is_in_unicode_normal_form_c() -> None:
    bad = [_label(m) for m in _entries() if any(s != unicodedata.normalize("NFC", s) for s in _forms(m.string))]
    assert bad == []


def test_the_catalog_compiles_and_the_compiled_catalog_translates_known_strings(tmp_path: Path) -> None:
    target = tmp_path / "vi" / "LC_MESSAGES"
    target.mkdir(parents=True)
    with (target / "messages.mo").open("wb") as fh:
        write_mo(fh, _catalog())
    translations = Translations.load(str(tmp_path), ["vi"])
    assert isinstance(translations, Translations)
    for msgid, expected in KNOWN.items():
        assert translations.gettext(msgid) == expected


def _compile_in_place_if_stale() -> None:
    """The .mo files are git-ignored (scripts/run and scripts/test compile them); compile if missing or stale."""
    mo = VI_PO.with_suffix(".mo")
    if mo.exists() and mo.stat().st_mtime >= VI_PO.stat().st_mtime:
        return
    fd, tmp = tempfile.mkstemp(dir=mo.parent, suffix=".mo.tmp")
    try:
        with os.fdopen(fd, "wb") as fh:
            write_mo(fh, _catalog())
        os.replace(tmp, mo)
    finally:
        if os.path.exists(tmp):
            os.unlink(tmp)


def test_the_compiled_catalog_of_the_app_loads_and_translates_a_known_string() -> None:
    _compile_in_place_if_stale()
    translations = Translations.load(str(TRANSLATIONS), ["vi"])
    assert isinstance(translations, Translations)
    assert translations.gettext("Reception log book") == "Sổ tiếp công dân"
    assert translations.gettext("Log a visit") != "Log a visit"


@pytest.mark.parametrize("msgid", sorted(KNOWN))
def test_known_source_strings_are_still_in_the_catalog(msgid: str) -> None:
    assert _catalog().get(msgid) is not None


def test_every_text_of_every_template_and_module_is_in_the_vietnamese_catalog() -> None:
    """Extracted here over every directory, ``_macros`` included (pybabel skips ``_*`` directories by
    default: the attachments block and the pager once showed English on Vietnamese pages)."""
    from babel.messages.extract import extract_from_dir

    root = Path(__file__).resolve().parents[2]
    method_map = [("tracker/**.py", "python"), ("templates/**.html", "jinja2")]
    keywords = {"_": None, "gettext": None, "ngettext": (1, 2), "_l": None, "lazy_gettext": None}
    translated = {m.id if isinstance(m.id, str) else m.id[0] for m in _entries() if m.string and any(_forms(m.string))}
    missing = set()
    for directory in ("tracker", "templates"):
        for filename, _lineno, message, _comments, _context in extract_from_dir(
                root / directory, [(p.split("/", 1)[1], m) for p, m in method_map if p.startswith(directory)],
                keywords=keywords, directory_filter=lambda _path: True):
            msgid = message if isinstance(message, str) else message[0]
            if msgid not in translated:
                missing.add(f"{directory}/{filename}: {msgid}")
    assert not missing, sorted(missing)[:20]
    assert len(translated) > 1000  # the walk found the catalog's texts, not an empty tree
