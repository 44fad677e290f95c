"""LibreOffice for the tests that render documents: one user profile per test process, so that the two
xdist workers never share one (a second LibreOffice on a profile in use fails: "source file could not be
loaded")."""
from __future__ import annotations

import os
import shutil
import subprocess
import tempfile
from pathlib import Path


def office() -> str | None:
    return shutil.which("libreoffice") or shutil.which("soffice")


def to_pdf(path: Path, timeout: int = 240) -> Path:
    """``path`` (a .docx or .xlsx) converted to a PDF beside it."""
    program = office()
    assert program is not None, "LibreOffice is not installed"
    profile = Path(tempfile.gettempdir()) / f"tracker-lo-profile-{os.getpid()}"
    subprocess.run([program, f"-env:UserInstallation=file://{profile}", "--headless", "--convert-to", "pdf",
                    "--outdir", str(path.parent), str(path)], check=True, capture_output=True, timeout=timeout)
    return path.with_suffix(".pdf")
