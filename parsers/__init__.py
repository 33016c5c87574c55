"""Parse annual-report files into canonical ``Report`` objects.

Parsers are pure: bytes in, reports out, no I/O. ``parse_bytes`` sniffs the format and dispatches to
``parse_text``, ``parse_html``, ``parse_docx`` or ``parse_pdf``; each reduces its input to
``parsers.lines.Line``s and hands them to ``parsers.assemble.lines_to_reports``.
"""

from __future__ import annotations

import contextlib

from parsers.model import ParseError, Report
from parsers.sniff import sniff

__all__ = ["ParseError", "Report", "parse_bytes", "sniff", "warm"]


def parse_bytes(data: bytes, source: str) -> list[Report]:
    """Parse one file's bytes. Raises ``ParseError`` (naming ``source`` and the reason) when the file
    cannot be read as an annual report; never returns an empty list."""
    kind = sniff(data)
    if kind == "text":
        from parsers.text import parse_text

        return parse_text(data, source)
    if kind == "html":
        from parsers.html import parse_html

        return parse_html(data, source)
    if kind == "docx":
        from parsers.docx import parse_docx

        return parse_docx(data, source)
    if kind == "pdf":
        from parsers.pdf.reader import parse_pdf

        return parse_pdf(data, source)
    if kind in ("doc", "rtf"):
        from parsers.office import parse_legacy_word, soffice

        if soffice() is not None:
            return parse_legacy_word(data, source, ".doc" if kind == "doc" else ".rtf")
    reasons = {
        "empty": "the file is empty",
        "image": "the file is an image, not a report document (scan it with OCR first)",
        "binary": "the file is binary data in no supported format (PDF, HTML, DOCX or text)",
        "doc": "legacy Word .doc file and LibreOffice is not installed to convert it "
               "(apt-get install libreoffice-writer-nogui), or save it as DOCX or PDF",
        "rtf": "RTF file and LibreOffice is not installed to convert it (apt-get install libreoffice-writer-nogui)",
        "zip": "the file is a ZIP archive but not a DOCX document",
    }
    raise ParseError(source, reasons.get(kind, f"unsupported file type ({kind})"))


def warm() -> None:
    """Import every parser and run the shared assembly once (its patterns compiled), so that the first
    real report of a worker process does not pay for it (~0.4 s, most of it pdfplumber and the
    character tables of the Chinese converters)."""
    import parsers.docx
    import parsers.html  # noqa: F401
    from parsers.pdf.reader import load_pdfplumber
    from parsers.text import parse_text

    load_pdfplumber()
    sample = "政府信息公开工作年度报告\n二、主动公开政府信息情况\n三、收到和处理政府信息公开申请情况\n"
    with contextlib.suppress(ParseError):
        parse_text(sample.encode("utf-8"), "warm-up.txt")
