"""Word (DOCX) reports to ``Line``s.

The body is read in document order, paragraphs and tables interleaved (content controls and nested
tables included). Each table row becomes one structured line with one fragment per printed cell:
a cell merged across columns (``gridSpan``) is one fragment, a cell that only continues a vertical
merge (``vMerge`` without ``restart``) is left out, blank cells are kept. Provenance gives the grid
row and column, as for HTML.
"""

from __future__ import annotations

import io
import zipfile

from lxml import etree

from parsers.lines import Fragment, Line, normalize_text
from parsers.markup import LONG_CELL, cell_prov, join_wrapped, simplify_lines
from parsers.model import ParseError, Provenance, Report

W = "http://schemas.openxmlformats.org/wordprocessingml/2006/main"
_P = f"{{{W}}}p"
_TBL = f"{{{W}}}tbl"
_TR = f"{{{W}}}tr"
_TC = f"{{{W}}}tc"
_SDT = f"{{{W}}}sdt"
_SDT_CONTENT = f"{{{W}}}sdtContent"
_VAL = f"{{{W}}}val"


_T, _TAB, _BR, _CR, _NBH, _DEL = (f"{{{W}}}{n}" for n in ("t", "tab", "br", "cr", "noBreakHyphen", "delText"))
_RUN_TEXT = {_TAB: "\t", _BR: "\n", _CR: "\n", _NBH: "-", _DEL: ""}  # w:delText: deleted text, not printed
_TCPR, _GRID_SPAN, _VMERGE, _HMERGE = (f"{{{W}}}{n}" for n in ("tcPr", "gridSpan", "vMerge", "hMerge"))


def _para_text(p: etree._Element) -> str:
    """Text of one w:p: runs, tabs and breaks (a w:br inside a cell is a wrap, kept as "\\n")."""
    if next(p.iter(_TAB, _BR, _CR, _NBH, _DEL), None) is None:  # text runs only (most): read in lxml
        return "".join(p.itertext(_T, with_tail=False))
    return "".join((el.text or "") if el.tag == _T else _RUN_TEXT[el.tag]
                   for el in p.iter(_T, _TAB, _BR, _CR, _NBH, _DEL))


def _cell_text(tc: etree._Element) -> str:
    paras = list(tc.iter(_P))
    if len(paras) == 1:  # most cells: one paragraph, its text alone
        text = _para_text(paras[0])
        if "\n" not in text:
            return " ".join(text.split())
    pieces: list[str] = []
    for p in paras:
        pieces.extend(" ".join(x.split()) for x in _para_text(p).split("\n"))
    return join_wrapped([x for x in pieces if x])


def _int(v: str | None, default: int) -> int:
    try:
        return int(v) if v is not None else default
    except ValueError:
        return default


class _Reader:
    def __init__(self) -> None:
        self.lines: list[Line] = []
        self.n_tables = 0
        self.n_paras = 0

    def block(self, el: etree._Element) -> None:
        tag = el.tag
        if tag == _P:
            self.n_paras += 1
            for raw in _para_text(el).split("\n"):
                raw = " ".join(raw.split())
                if raw:
                    prov = Provenance(kind="docx", line=self.n_paras)
                    self.lines.append(Line((Fragment(normalize_text(raw), raw, prov),)))
        elif tag == _TBL:
            self.table(el)
        elif tag in (_SDT, _SDT_CONTENT) or tag == f"{{{W}}}customXml" or tag == f"{{{W}}}smartTag":
            for child in el:
                self.block(child)

    def table(self, tbl: etree._Element) -> None:
        rows = [tr for tr in tbl if tr.tag == _TR]
        cells = [[tc for tc in _row_cells(tr)] for tr in rows]
        nested = next(tbl.iterdescendants(_TBL), None) is not None
        texts = [[_cell_text(tc) for tc in row] for row in cells]
        widest = max((len(r) for r in cells), default=0)
        if nested or (widest <= 3 and any(len(t) > LONG_CELL for row in texts for t in row)):
            for row in cells:  # a layout table: read its cells as running text
                for tc in row:
                    for child in tc:
                        self.block(child)
            return
        index = self.n_tables
        self.n_tables += 1
        for r, (tr, row, row_texts) in enumerate(zip(rows, cells, texts, strict=True)):
            c = _int(_trpr_val(tr, "gridBefore"), 0)
            frags: list[Fragment] = []
            for tc, raw in zip(row, row_texts, strict=True):
                span, vmerge, hmerge = _cell_props(tc)
                if hmerge == "continue":  # legacy horizontal merge
                    c += span
                    continue
                if vmerge == "continue":
                    c += span
                    continue
                prov = cell_prov("docx", index, r, c)
                frags.append(Fragment(normalize_text(raw), raw, prov))
                c += span
            if frags:
                self.lines.append(Line(tuple(frags), structured=True, table=index))


def _cell_props(tc: etree._Element) -> tuple[int, str | None, str | None]:
    """(gridSpan, vMerge, hMerge) of a w:tc, from one pass over its w:tcPr ("continue" where a merge
    element has no value)."""
    span, vmerge, hmerge = 1, None, None
    for child in tc:
        if child.tag != _TCPR:
            continue
        for el in child:
            tag = el.tag
            if tag == _GRID_SPAN:
                span = max(1, _int(el.get(_VAL), 1))
            elif tag == _VMERGE:
                vmerge = el.get(_VAL) or "continue"
            elif tag == _HMERGE:
                hmerge = el.get(_VAL) or "continue"
        break
    return span, vmerge, hmerge


def _row_cells(tr: etree._Element) -> list[etree._Element]:
    out = []
    for el in tr:
        if el.tag == _TC:
            out.append(el)
        elif el.tag in (_SDT, f"{{{W}}}customXml"):  # cells wrapped in a content control
            out.extend(el.iter(_TC))
    return out


def _trpr_val(tr: etree._Element, name: str) -> str | None:
    el = tr.find(f"{{{W}}}trPr/{{{W}}}{name}")
    return el.get(_VAL) if el is not None else None


_RELS_DOC = ("http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument",
             "http://purl.oclc.org/ooxml/officeDocument/relationships/officeDocument")
# as python-docx parses parts: no entities resolved, whitespace-only nodes between elements dropped
_XML = etree.XMLParser(remove_blank_text=True, resolve_entities=False, no_network=True, huge_tree=True)


def _main_part(z: zipfile.ZipFile) -> str:
    """The main document part the package relationships name (``word/document.xml`` nearly always)."""
    try:
        rels = etree.fromstring(z.read("_rels/.rels"), _XML)
    except KeyError:
        return "word/document.xml"
    for r in rels:
        if r.get("Type") in _RELS_DOC and r.get("Target"):
            return r.get("Target").lstrip("/")
    return "word/document.xml"


def docx_to_lines(data: bytes, source: str) -> list[Line]:
    """The document body as lines, in order: paragraphs, and one structured line per table row.

    Only the main document part is read (zipfile + lxml): opening the whole package with python-docx
    took half of the parse time."""
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as z:
            root = etree.fromstring(z.read(_main_part(z)), _XML)
    except (zipfile.BadZipFile, KeyError, ValueError, etree.XMLSyntaxError, OSError, EOFError) as e:
        raise ParseError(source, f"the DOCX file could not be opened ({type(e).__name__}: {e})") from None
    body = root.find(f"{{{W}}}body")
    if body is None:
        raise ParseError(source, "the DOCX file could not be opened (no w:body in its main document part)")
    reader = _Reader()
    for el in body:
        reader.block(el)
    return simplify_lines(reader.lines)


def parse_docx(data: bytes, source: str) -> list[Report]:
    from parsers.assemble import lines_to_reports

    return lines_to_reports(docx_to_lines(data, source), source, "docx")


__all__ = ["docx_to_lines", "parse_docx"]
