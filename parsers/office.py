"""Convert documents with LibreOffice (``soffice --headless --convert-to``).

Used to read legacy Word (.doc), WPS and RTF reports, which many government sites still publish, by
converting them to DOCX first; and by the PDF test generator. The conversion runs in a private
temporary profile so that parallel runs do not share LibreOffice's user installation.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import tempfile
from pathlib import Path

from parsers.model import ParseError

TIMEOUT_SECONDS = 180


def soffice() -> str | None:
    return shutil.which("soffice") or shutil.which("libreoffice")


def convert(data: bytes, suffix: str, target: str, *, infilter: str | None = None,
            timeout: float = TIMEOUT_SECONDS) -> bytes:
    """Bytes of a ``suffix`` file (".doc", ".html" …) converted to ``target`` ("docx", "pdf:writer_pdf_Export").

    Raises RuntimeError when LibreOffice is missing or the conversion fails."""
    exe = soffice()
    if exe is None:
        raise RuntimeError("LibreOffice (soffice) is not installed; apt-get install libreoffice-writer-nogui")
    with tempfile.TemporaryDirectory(prefix="nianbao-lo-") as d:
        src = Path(d) / f"input{suffix}"
        src.write_bytes(data)
        cmd = [exe, f"-env:UserInstallation=file://{d}/profile", "--headless"]
        if infilter:
            cmd.append(f"--infilter={infilter}")
        cmd += ["--convert-to", target, "--outdir", str(Path(d) / "out"), str(src)]
        try:
            subprocess.run(cmd, check=True, capture_output=True, timeout=timeout, env={**os.environ, "HOME": d})
        except subprocess.TimeoutExpired as e:
            raise RuntimeError(f"LibreOffice took longer than {timeout:.0f} s") from e
        except subprocess.CalledProcessError as e:
            raise RuntimeError(f"LibreOffice failed: {e.stderr.decode(errors='replace')[-200:]}") from e
        outs = list((Path(d) / "out").glob("input.*"))
        if not outs:
            raise RuntimeError("LibreOffice produced no output (the file may be damaged)")
        return outs[0].read_bytes()


def parse_legacy_word(data: bytes, source: str, suffix: str = ".doc") -> list:
    """A .doc/.wps/.rtf report: converted to DOCX, then read like any DOCX (provenance kind "docx")."""
    from parsers.docx import parse_docx

    try:
        docx = convert(data, suffix, "docx")
    except RuntimeError as e:
        raise ParseError(source, f"legacy Word/RTF document could not be converted: {e}") from e
    return parse_docx(docx, source)
