"""Sample files for the attachment tests, built with the standard library."""
from __future__ import annotations

import io
import zipfile

PDF = b"%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n"
PNG = b"\x89PNG\r\n\x1a\n" + b"\x00\x00\x00\rIHDR" + bytes(13)
JPEG = b"\xff\xd8\xff\xe0\x00\x10JFIF\x00" + bytes(40) + b"\xff\xd9"
EXE = b"MZ\x90\x00\x03\x00\x00\x00\x04\x00\x00\x00\xff\xff\x00\x00" + bytes(64) + b"This program cannot be run"
TEXT = "Biên bản làm việc ngày 05/03/2026\n".encode()

WORD_MAIN = "application/vnd.openxmlformats-officedocument.wordprocessingml.document.main+xml"
SHEET_MAIN = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"
MACRO_MAIN = "application/vnd.ms-word.document.macroEnabled.main+xml"


def ooxml(main_type: str | None, part: str = "/word/document.xml") -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as archive:
        if main_type:
            archive.writestr("[Content_Types].xml", (
                '<?xml version="1.0" encoding="UTF-8"?><Types xmlns="http://schemas.openxmlformats.org/'
                'package/2006/content-types"><Default Extension="xml" ContentType="application/xml"/>'
                f'<Override PartName="{part}" ContentType="{main_type}"/></Types>'))
        archive.writestr(part.lstrip("/"), "<doc/>")
    return out.getvalue()


def ole(stream_name: str) -> bytes:
    """A compound file with one directory sector: the root entry and one stream."""
    header = bytearray(512)
    header[:8] = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
    header[30:32] = (9).to_bytes(2, "little")  # 512-byte sectors

    def entry(name: str, kind: int) -> bytes:
        raw = bytearray(128)
        encoded = name.encode("utf-16-le") + b"\0\0"
        raw[:len(encoded)] = encoded
        raw[64:66] = len(encoded).to_bytes(2, "little")
        raw[66] = kind
        return bytes(raw)

    directory = entry("Root Entry", 5) + entry(stream_name, 2) + bytes(256)
    return bytes(header) + directory + bytes(512)


DOCX = ooxml(WORD_MAIN)
XLSX = ooxml(SHEET_MAIN, "/xl/workbook.xml")
DOCM = ooxml(MACRO_MAIN)
PLAIN_ZIP = ooxml(None)
DOC = ole("WordDocument")
XLS = ole("Workbook")
MSI = ole("\u4840\u3b3f\u4577")  # an installer's stream: a compound file that is neither Word nor Excel
