"""HTML reports (crawled government pages) to ``Line``s.

Paragraphs and headings become one-fragment lines; every ``<tr>`` of a data table becomes one
structured line holding its own ``<td>``/``<th>`` cells in order (blank cells kept, cells covered by
a row/col span not repeated), each with the grid coordinates HTML gives it after spans are expanded.
Tables used for page layout (cells holding nested tables or long paragraphs) are read as flowing
text instead, so the data tables inside them are still found.
"""

from __future__ import annotations

import re

from lxml import etree

from parsers.lines import Fragment, Line, normalize_text
from parsers.markup import LONG_CELL, cell_prov, join_wrapped, simplify_lines
from parsers.model import ParseError, Provenance, Report

_BLOCK = frozenset({
    "p", "div", "h1", "h2", "h3", "h4", "h5", "h6", "li", "ul", "ol", "dl", "dt", "dd", "section",
    "article", "header", "main", "aside", "blockquote", "pre", "center", "form", "fieldset", "address",
    "figure", "figcaption", "hr", "body", "html", "caption", "tr", "td", "th",
})
_DROP = ("script", "style", "noscript", "template", "nav", "iframe", "head", "footer", "select", "button",
         "svg", "object", "embed", "audio", "video", "canvas", "map")
_META_CHARSET = re.compile(rb"""<meta[^>]{0,200}?charset\s*=\s*["']?\s*([A-Za-z0-9_\-]+)""", re.I)
_XML_DECL = re.compile(r"^\s*<\?xml[^>]*\?>", re.S)
_GB = {"gb2312", "gbk", "gb_2312-80", "x-gbk", "cp936", "gb18030", "x-gb18030", "euc-cn", "hz-gb-2312"}


# ------------------------------------------------------------------ decoding
def decode_html(data: bytes) -> str:
    """Text of an HTML file: BOM, then ``<meta charset>``, then UTF-8, then GB18030."""
    for bom, enc in ((b"\xef\xbb\xbf", "utf-8"), (b"\xff\xfe", "utf-16-le"), (b"\xfe\xff", "utf-16-be")):
        if data.startswith(bom):
            return data[len(bom):].decode(enc, errors="replace")
    candidates: list[str] = []
    m = _META_CHARSET.search(data[:4096])
    if m:
        declared = m.group(1).decode("ascii", "ignore").lower()
        declared = "gb18030" if declared in _GB else declared
        candidates.append(declared)
    candidates += ["utf-8", "gb18030"]
    for enc in dict.fromkeys(candidates):
        try:
            return data.decode(enc)
        except (UnicodeDecodeError, LookupError):
            continue
    return data.decode("gb18030", errors="replace")


# ------------------------------------------------------------------ cell text
def _collect(el: etree._Element, acc: list[str]) -> None:
    if el.text:
        acc.append(el.text)
    for child in el:
        tag = child.tag if isinstance(child.tag, str) else ""
        if tag == "br" or tag in _BLOCK:
            acc.append("\n")
        if tag and tag != "br":
            _collect(child, acc)
        if tag in _BLOCK:
            acc.append("\n")
        if child.tail:
            acc.append(child.tail)


def element_text(el: etree._Element) -> str:
    """The printed text of an element: whitespace collapsed, <br> and block breaks joined CJK-aware."""
    if len(el) == 0:  # fast paths: a bare cell, or a cell holding one plain <p>
        return " ".join((el.text or "").split())
    if len(el) == 1 and len(el[0]) == 0 and not (el.text or "").strip() and not (el[0].tail or "").strip() \
            and el[0].tag in ("p", "span", "div", "font", "b", "strong"):
        return " ".join((el[0].text or "").split())
    acc: list[str] = []
    _collect(el, acc)
    pieces = [" ".join(p.split()) for p in "".join(acc).split("\n")]
    return join_wrapped([p for p in pieces if p])


# ------------------------------------------------------------------ walking the page
class _Walker:
    def __init__(self) -> None:
        self.lines: list[Line] = []
        self.buf: list[str] = []
        self.buf_line: int | None = None
        self.n_tables = 0

    def flush(self) -> None:
        if self.buf:
            raw = " ".join("".join(self.buf).split())
            if raw:
                prov = Provenance(kind="html", line=self.buf_line)
                self.lines.append(Line((Fragment(normalize_text(raw), raw, prov),)))
        self.buf = []
        self.buf_line = None

    def add_text(self, text: str | None, el: etree._Element) -> None:
        if text and text.strip():
            if not self.buf:
                self.buf_line = el.sourceline
            self.buf.append(text)
        elif text and self.buf:
            self.buf.append(" ")

    def walk(self, el: etree._Element) -> None:
        tag = el.tag if isinstance(el.tag, str) else ""
        if tag == "table":
            self.flush()
            self.table(el)
            return
        block = tag in _BLOCK
        if block:
            self.flush()
        self.add_text(el.text, el)
        for child in el:
            ctag = child.tag if isinstance(child.tag, str) else ""
            if ctag == "br":
                self.flush()
            elif ctag:
                self.walk(child)
            self.add_text(child.tail, el)
        if block:
            self.flush()

    def table(self, tbl: etree._Element) -> None:
        rows = _ROWS(tbl)
        cells = [[c for c in r if c.tag == "td" or c.tag == "th"] for r in rows]
        if _NESTED(tbl):  # tables inside cells: this one only lays the page out
            self.layout_table(cells)
            return
        texts = [[element_text(c) for c in row] for row in cells]
        long_rows = [any(len(t) > LONG_CELL for t in row) for row in texts]
        widest = max((len(r) for r in cells), default=0)
        if any(long_rows) and widest <= 3:
            self.layout_table(cells)
            return
        index = self.n_tables
        self.n_tables += 1
        busy: list[int] = []  # per grid column: the first row no longer covered by a rowspan above
        for r, (row, row_texts) in enumerate(zip(cells, texts, strict=True)):
            if long_rows[r]:  # a note written across a data table: running text
                for cell, raw in zip(row, row_texts, strict=True):
                    if raw:
                        prov = Provenance(kind="html", line=cell.sourceline)
                        self.lines.append(Line((Fragment(normalize_text(raw), raw, prov),)))
                continue
            frags: list[Fragment] = []
            c = 0
            for cell, raw in zip(row, row_texts, strict=True):
                while c < len(busy) and busy[c] > r:
                    c += 1
                rs = _span(cell.get("rowspan"))
                cs = _span(cell.get("colspan"))
                if len(busy) < c + cs:
                    busy.extend([0] * (c + cs - len(busy)))
                for k in range(c, c + cs):
                    busy[k] = r + rs
                prov = cell_prov("html", index, r, c)
                frags.append(Fragment(normalize_text(raw), raw, prov))
                c += cs
            if frags:
                self.lines.append(Line(tuple(frags), structured=True, table=index))

    def layout_table(self, cells: list[list[etree._Element]]) -> None:
        for row in cells:
            for cell in row:
                self.flush()
                self.walk(cell)
                self.flush()


def _span(v: str | None) -> int:
    if v is None:
        return 1
    try:
        n = int(v)
    except ValueError:
        return 1
    return min(max(n, 1), 1000)  # rowspan="0" means "to the end"; 1 is the safe reading here


_ROWS = etree.XPath("./tr|./thead/tr|./tbody/tr|./tfoot/tr")
_NESTED = etree.XPath("./tr/td//table|./*/tr/td//table|./tr/th//table|./*/tr/th//table")
_HIDDEN = etree.XPath("//*[@role='navigation' or @hidden or @aria-hidden='true' or "
                      "contains(translate(@style,' ',''),'display:none')]")


def _drop_chrome(root: etree._Element, text: str) -> None:
    doomed = list(root.iter(*_DROP))
    if "hidden" in text or "navigation" in text or "none" in text:  # skip the attribute scan when it can't match
        doomed += _HIDDEN(root)
    for el in doomed:
        parent = el.getparent()
        if parent is None:
            continue
        if el.tail:  # keep the text that follows the dropped element
            prev = el.getprevious()
            if prev is not None:
                prev.tail = (prev.tail or "") + el.tail
            else:
                parent.text = (parent.text or "") + el.tail
        parent.remove(el)


def html_to_lines(data: bytes, source: str) -> list[Line]:
    """The page as lines: paragraphs, and one structured line per table row."""
    text = _XML_DECL.sub("", decode_html(data), count=1)
    if not text.strip():
        raise ParseError(source, "the HTML file is empty")
    try:
        root = etree.fromstring(text, parser=_parser())
    except (etree.ParserError, etree.XMLSyntaxError, ValueError) as e:
        raise ParseError(source, f"the HTML could not be parsed ({e})") from None
    title = root.findtext(".//title") or ""
    _drop_chrome(root, text)
    body = root.find("body")
    walker = _Walker()
    walker.walk(body if body is not None else root)
    walker.flush()
    lines = walker.lines
    title = " ".join(title.split())
    if "年度报告" in title and not any("年度报告" in ln.text for ln in lines[:40]):
        lines.insert(0, Line((Fragment(normalize_text(title), title, Provenance(kind="html", line=1)),)))
    return simplify_lines(lines)


_PARSER: etree.HTMLParser | None = None


def _parser() -> etree.HTMLParser:
    """lxml's HTML parser without lxml.html's element classes (their lookup costs a third of the time)."""
    global _PARSER
    if _PARSER is None:
        _PARSER = etree.HTMLParser(remove_comments=True, remove_pis=True, no_network=True)
    return _PARSER


def parse_html(data: bytes, source: str) -> list[Report]:
    from parsers.assemble import lines_to_reports

    return lines_to_reports(html_to_lines(data, source), source, "html")


__all__ = ["decode_html", "element_text", "html_to_lines", "parse_html"]
