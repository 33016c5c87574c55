"""Plain-text reports: what crawlers and document converters produce.

Handles one cell per line (with or without blank lines between), tab-led cells, pipe tables and
tab-separated rows; UTF-8, UTF-8 with BOM, UTF-16 with BOM and GB18030/GBK; traditional characters.
Markdown: separator rows (``|---|``) are dropped, ``#`` heading marks are not text. Rows written
with " | " between cells and no outer pipes keep a blank first or last cell.
"""

from __future__ import annotations

import re

from parsers.assemble import lines_to_reports
from parsers.lines import Fragment, Line, has_traditional, normalize_text, to_simplified
from parsers.model import ParseError, Provenance, Report
from parsers.pdf.layout_text import join_wrapped_labels


def decode_text(data: bytes, source: str) -> str:
    """Decode with BOM detection, then UTF-8, then GB18030 (a superset of GBK and GB2312)."""
    if data.startswith(b"\xef\xbb\xbf"):
        return data[3:].decode("utf-8", errors="replace")
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        return data.decode("utf-16", errors="replace")
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError:
        pass
    try:
        return data.decode("gb18030")
    except UnicodeDecodeError as e:
        raise ParseError(source, f"text is neither UTF-8 nor GB18030/GBK (bad byte at offset {e.start})") from e


# "一、本年新收政府信息公开申请数量 3 0 0 0 0 0 3" or "0 0 0 …": a row flattened with spaces
_SPACED_ROW = re.compile(r"^(?P<label>.*?[^\d\s.,+\-—/])?\s*(?P<nums>(?:[+\-−—]*[\d０-９][\d０-９,.]*|/|—|-)(?:[ \t\u3000]+(?:[+\-−—]*[\d０-９][\d０-９,.]*|/|—|-))+)$")


# "行政许可          9487": one number after a label, set apart by a run of spaces (layout text)
_LABEL_ONE_NUMBER = re.compile(r"^(?P<label>\S.*?[^\d\s.,+\-—/])(?:\s{2,}|\t)(?P<nums>[+\-−—]*\d[\d,.]*|/|—)$")
# a markdown table's separator row: |---|:---:|---|
_MD_SEPARATOR = re.compile(r"^\|?\s*:?-{3,}:?\s*(?:\|\s*:?-{3,}:?\s*)+\|?$|^\|\s*:?-{3,}:?\s*\|$")
# a markdown heading: "### （三）不予公开" (the marks are markup, not text; "#1" or "#号" are text)
_MD_HEADING = re.compile(r"^#{1,6}\s+(?=\S)")
_PAGE_NUMBER = re.compile(r"^(?:[-—–]\s*\d{1,4}\s*[-—–]|第\s*\d{1,4}\s*页(?:\s*[,，/]?\s*共\s*\d{1,4}\s*页)?|\d{1,4}\s*/\s*\d{1,4})$")


_LEADING_ZERO = re.compile(r"^0\d")


def _spaced_row(stripped: str, no: int) -> Line | None:
    m = _SPACED_ROW.match(stripped) or _LABEL_ONE_NUMBER.match(stripped)
    if not m or len(stripped) > 200 or "。" in stripped:
        return None
    label = (m.group("label") or "").strip()
    nums = m.group("nums").split()
    if any(_LEADING_ZERO.match(x) for x in nums):
        # "10 0 1 200 0 0 …00": a group no cell can print, so the spaces are stray, not cell boundaries:
        # one run of digits, split later with every reading kept (lines.split_run)
        nums = [m.group("nums").strip()]
    cells = [label] if label else []
    cells.extend(nums)
    return Line(tuple(Fragment(normalize_text(p), p, Provenance("text", line=no, col=i)) for i, p in enumerate(cells)),
                structured=True)


def _bare_pipes(lines: list[str]) -> bool:
    """Rows written with " | " between cells and no outer pipes (HTML rendered to text): there a line
    that starts or ends with a pipe has a blank first or last cell. Decided once for the document,
    from the rows that start with a cell rather than a pipe."""
    outer = bare = 0
    for s in lines:
        if "|" not in s:
            continue
        t = s.strip()
        if t.startswith("|"):
            outer += t.endswith("|") and not _MD_SEPARATOR.match(t)
        elif " | " in t and not t.endswith("|"):
            bare += 1
    return bare > outer


def text_to_lines(text: str) -> list[Line]:
    if has_traditional(text):
        text = to_simplified(text)
    out: list[Line] = []
    raw_lines = join_wrapped_labels(text)  # text.splitlines(), labels wrapped around numbers (pdftotext) joined
    bare = _bare_pipes(raw_lines)
    for no, raw_line in enumerate(raw_lines, start=1):
        stripped = raw_line.strip()
        if not stripped or _PAGE_NUMBER.match(stripped):
            continue
        pipes = stripped.count("|")
        if pipes and _MD_SEPARATOR.match(stripped):
            continue  # markup, never a label or a header cell
        if pipes >= 2 or (pipes == 1 and len(stripped) < 120 and (bare or all(x.strip() for x in stripped.split("|")))):
            parts = stripped.split("|")
            if bare:
                pass  # a pipe at either end sets off a blank cell
            elif stripped.startswith("|") and stripped.endswith("|") and len(parts) > 2:
                parts = parts[1:-1]  # markdown style: | a | b |
            elif parts and parts[0] == "":
                parts = parts[1:]
            cells = tuple(Fragment(normalize_text(p), p.strip(), Provenance("text", line=no, col=i))
                          for i, p in enumerate(parts))
            out.append(Line(cells, structured=True))
            continue
        inner = [p for p in raw_line.strip("\r\n").split("\t")]
        nonempty = [p for p in inner if p.strip()]
        # a whole crawled article on one line with tabs between cells is running text, not one table row
        if len(nonempty) >= 2 and not (len(stripped) > 300 and "。" in stripped):
            parts = inner[1:] if inner and not inner[0].strip() else inner
            cells = tuple(Fragment(normalize_text(p), p.strip(), Provenance("text", line=no, col=i))
                          for i, p in enumerate(parts))
            out.append(Line(cells, structured=True))
            continue
        spaced = _spaced_row(stripped, no)
        if spaced is not None:
            out.append(spaced)
            continue
        heading = _MD_HEADING.match(stripped) if stripped[0] == "#" else None
        shown = stripped[heading.end():] if heading else stripped
        out.append(Line((Fragment(normalize_text(shown), stripped, Provenance("text", line=no)),)))
    return out


def parse_text(data: bytes, source: str) -> list[Report]:
    text = decode_text(data, source)
    if "\x00" in text:
        raise ParseError(source, "the file contains NUL bytes: binary data, not text")
    return lines_to_reports(text_to_lines(text), source, "text")
