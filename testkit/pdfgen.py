"""Deterministic test PDFs of canonical reports, in the layouts real PDFs come in.

Two engines draw the blocks of ``testkit.render.report_blocks``:

- ``reportlab``: our own page layout on a reportlab canvas with the built-in, non-embedded
  ``STSong-Light`` CID font (Adobe-GB1, common in older government PDFs). Ruled or borderless tables,
  narrow columns that wrap labels and numbers, vertical one-character-per-line group labels, tables
  cut across pages with or without a repeated header, borderless tables (zeros printed or blank),
  and the 2021 layout with （六）其他处理 as one row; row labels wrapped onto two to four lines in narrow
  cells, numbers centred in the row or top-aligned (``rl-wrap-*``), and such rows broken across a
  page with their numbers above or below the break (``rl-wrap-split*``; ``rl-borderless-wrap-split-last``
  without ruled lines).
- ``libreoffice``: ``soffice --headless --convert-to pdf`` of ``render_html`` output (embedded Noto
  CJK subsets with ToUnicode); ``lo-borderless`` prints the HTML tables without borders;
  ``lo-wrap-*`` narrow table 三's label columns so labels wrap; ``lo-docx-*`` convert a Word table with
  fixed narrow columns and vertically aligned cells instead (rows break across pages as in Word).

``render_pdf`` caches every PDF under ``tests/fixtures/pdf_cache/`` keyed by a hash of the report,
the layout and the generator version, so repeated test runs do not pay for LibreOffice again.
"""

from __future__ import annotations

import copy
import hashlib
import json
import os
import re
from dataclasses import asdict, dataclass, field, replace
from decimal import Decimal
from pathlib import Path

from parsers import office
from parsers.layout import GEN_2019, GEN_2021
from parsers.model import Cell, Report, Row
from testkit.render import (
    DOCX_STYLES,
    HTML_STYLES,
    Para,
    Style,
    TableBlock,
    TCell,
    place_cells,
    render_docx,
    render_html,
    report_blocks,
)

GENERATOR_VERSION = "3"
CACHE_DIR = Path(__file__).resolve().parent.parent / "tests" / "fixtures" / "pdf_cache"
FONT = "STSong-Light"
PAGE_W, PAGE_H = 595.0, 842.0


@dataclass(frozen=True, slots=True)
class PdfLayout:
    """How a report is printed as PDF."""

    name: str
    engine: str = "reportlab"  # reportlab | libreoffice
    style: str = "html-sh"  # testkit.render style for the blocks (zero "", "/", split headers, ...)
    ruled: bool = True
    font_size: float = 9.0
    # Relative widths of table 三's label columns and of each data column.
    t3_label_widths: tuple[float, float, float] = (1.4, 3.0, 5.5)
    t3_data_width: float = 1.0
    t2_label_width: float = 2.2
    page_height: float = PAGE_H
    break_rows: tuple[tuple[str, int], ...] = ()  # (table name, grid row) forced onto a new page
    repeat_header: bool = False
    thousands: bool = False  # print 1234 as 1,234
    other_single_row: bool = False  # 2021 report printing （六）其他处理 as one row (Hongze 2024)
    scale: int = 30  # request counts of the synthetic report
    errors: tuple[tuple[str, str, str, int], ...] = ()  # (table, row, col, delta) injected into the report
    # Where text sits in its cell vertically: "middle" (numbers centred, so a label wrapped onto
    # several lines starts above the numbers' baseline and continues below) or "top".
    valign: str = "middle"
    label_align: str = "left"  # "left" or "center": how label cells are aligned horizontally
    # libreoffice only: percent widths of table 三's three label columns (None: the HTML's own).
    lo_label_widths: tuple[int, int, int] | None = None
    # (table name, grid row, label lines left on the first page): the row breaks across the page after
    # that many lines of its wrapped label, as Word lets rows do; its numbers print on the first part
    # or, with ``split_numbers="last"``, on the part on the next page.
    split_rows: tuple[tuple[str, int, int], ...] = ()
    split_numbers: str = "first"


LAYOUTS: dict[str, PdfLayout] = {lay.name: lay for lay in (
    PdfLayout("rl-ruled"),
    PdfLayout("rl-vertical", t3_label_widths=(0.55, 2.6, 5.0), style="html-split"),
    PdfLayout("rl-wrapped", t3_label_widths=(0.55, 1.6, 2.6), t2_label_width=1.1, font_size=10.0,
              thousands=True, scale=40000, t3_data_width=0.95),
    PdfLayout("rl-split", break_rows=(("t3", 12),), style="html-split", t3_label_widths=(0.55, 2.6, 5.0)),
    PdfLayout("rl-split-repeat", break_rows=(("t3", 16), ("t2", 9)), repeat_header=True, style="html-gh"),
    PdfLayout("rl-short-pages", page_height=520.0, style="html-blank"),
    PdfLayout("rl-slash", style="html-slash"),
    PdfLayout("rl-other-one-row", other_single_row=True),
    PdfLayout("rl-errors", errors=(("t3", "R_OPEN", "NAT", 1), ("t3", "FWD", "TOT", -1),
                                    ("t4", "", "REV_TOTAL", 2), ("t2", "LICENSE", "DECISIONS", 5))),
    PdfLayout("rl-borderless", ruled=False, style="html-gh"),
    PdfLayout("rl-borderless-blank", ruled=False, style="html-blank"),
    # Labels wrapped onto two to four lines inside narrow ruled cells: numbers centred in the row (the
    # label's first line above them, the rest below) or everything top-aligned.
    PdfLayout("rl-wrap-centred", t3_label_widths=(0.5, 0.95, 1.45), t2_label_width=0.9, thousands=True,
              scale=4000),
    PdfLayout("rl-wrap-top", t3_label_widths=(0.5, 0.95, 1.45), t2_label_width=0.9, valign="top",
              style="html-split"),
    PdfLayout("rl-wrap-centred-labels", t3_label_widths=(0.7, 1.2, 1.6), t2_label_width=1.0,
              label_align="center", font_size=10.0),
    # A row broken across a page after one or two lines of its wrapped label (table 三's （二）部分公开 and
    # 5.要求行政机关确认…): the numbers on the part above the break, or on the part below it.
    PdfLayout("rl-wrap-split", t3_label_widths=(0.9, 0.95, 1.45), t2_label_width=0.9, valign="top",
              split_rows=(("t3", 6, 1), ("t3", 22, 2))),
    PdfLayout("rl-wrap-split-last", t3_label_widths=(0.9, 0.95, 1.45), t2_label_width=0.9,
              split_rows=(("t3", 6, 2), ("t3", 22, 1)), split_numbers="last", style="html-gh"),
    # The same with no ruled lines: the part of the row on the next page is an unlabeled line of
    # numbers (or the rest of the label and the numbers) that only column alignment ties to its label.
    PdfLayout("rl-borderless-wrap-split-last", ruled=False, t3_label_widths=(0.9, 0.95, 1.45),
              t2_label_width=0.9, split_rows=(("t3", 6, 2), ("t3", 22, 1)), split_numbers="last",
              style="html-gh"),
    PdfLayout("lo-ruled", engine="libreoffice", style="html-sh"),
    PdfLayout("lo-split", engine="libreoffice", style="html-split"),
    PdfLayout("lo-blank", engine="libreoffice", style="html-blank"),
    PdfLayout("lo-borderless", engine="libreoffice", style="html-noborder", ruled=False),
    PdfLayout("lo-wrap-centred", engine="libreoffice", style="html-gh", lo_label_widths=(6, 9, 13)),
    PdfLayout("lo-wrap-top", engine="libreoffice", style="html-sh", lo_label_widths=(5, 8, 11), valign="top"),
    # Word-made PDFs: a DOCX table with fixed narrow label columns and vertically centred cells.
    PdfLayout("lo-docx-wrap-centred", engine="libreoffice", style="docx", lo_label_widths=(6, 10, 14)),
    PdfLayout("lo-docx-wrap-top", engine="libreoffice", style="docx-gh", lo_label_widths=(6, 10, 14),
              valign="top"),
)}
# Fields added after fixtures were cached: left out of the cache key while at their defaults, so the
# PDFs cached for the older layouts keep their keys.
_KEY_DEFAULTS = {"valign": "middle", "label_align": "left", "lo_label_widths": None, "split_rows": (),
                 "split_numbers": "first"}


# ------------------------------------------------------------------ the report a layout prints
def layout_report(seed: int, layout: PdfLayout, generation: str | None = None) -> Report:
    """The synthetic report ``layout`` prints for ``seed``: also the expected parse result."""
    from testkit.synth import make_report

    gen = generation or (GEN_2021 if layout.other_single_row else None)
    rep = make_report(seed, gen, scale=layout.scale)
    if layout.other_single_row and rep.format == GEN_2021:
        rep = other_as_single_row(rep)
    for table, row, col, delta in layout.errors:
        inject_error(rep, table, row, col, delta)
    return rep


def other_as_single_row(rep: Report) -> Report:
    """The Hongze deviation: a 2021 report whose （六）其他处理 is one row (the sum of its sub-rows)."""
    rep = copy.deepcopy(rep)
    rows = rep.table3.rows
    subs = [rows.pop(k) for k in ("R_OTHER_1", "R_OTHER_2", "R_OTHER_3") if k in rows]
    cells = {c: Cell(sum(r.cells[c].number() for r in subs), str(sum(r.cells[c].number() for r in subs)))
             for c in subs[0].cells}
    new: dict[str, Row] = {}
    for k, r in rows.items():
        if k == "R_TOTAL":
            new["R_OTHER"] = Row("R_OTHER", "（六）其他处理", cells)
        new[k] = r
    rep.table3.rows = new
    return rep


def inject_error(rep: Report, table: str, row: str, col: str, delta: int) -> None:
    """Add ``delta`` to one cell, breaking the arithmetic at a known place."""
    if table == "t3":
        cells = rep.table3.rows[row].cells
    elif table == "t4":
        cells = rep.table4.cells
    else:
        cells = rep.table2.rows[row]
    old = cells[col]
    v = old.number() + delta
    cells[col] = Cell(v, str(v))


# ------------------------------------------------------------------ caching front door
# fields of Report.to_dict that describe how a report was read, not what it prints
_NOT_CONTENT = ("reading", "meta", "claims", "sums")


def render_pdf(report: Report, layout: PdfLayout | str, *, cache: bool = True) -> bytes:
    """The PDF of ``report`` in ``layout`` (cached on disk by content hash)."""
    lay = LAYOUTS[layout] if isinstance(layout, str) else layout
    fields = {k: v for k, v in asdict(lay).items() if k not in _KEY_DEFAULTS or v != _KEY_DEFAULTS[k]}
    content = {k: v for k, v in report.to_dict(cells=True).items() if k not in _NOT_CONTENT}
    key = hashlib.sha256(json.dumps([GENERATOR_VERSION, fields, report.format,
                                     content], sort_keys=True, default=str,
                                    ensure_ascii=False).encode()).hexdigest()[:20]
    path = CACHE_DIR / f"{lay.name}-{key}.pdf"
    if cache and path.exists():
        return path.read_bytes()
    data = _render_libreoffice(report, lay) if lay.engine == "libreoffice" else _render_reportlab(report, lay)
    if cache:
        CACHE_DIR.mkdir(parents=True, exist_ok=True)
        tmp = path.with_suffix(f".{os.getpid()}.tmp")
        tmp.write_bytes(data)
        tmp.replace(path)
    return data


def libreoffice_available() -> bool:
    return office.soffice() is not None


def _print_html(html: str) -> str:
    """What "print to PDF" needs from web markup: tables that fit the page and may wrap."""
    html = html.replace(' nowrap="nowrap"', "").replace("<table ", '<table width="100%" ')
    return html.replace("</style>", "td,th{font-size:8pt}</style>", 1)


def _narrow_labels(html: str, lay: PdfLayout) -> str:
    """Table 三 with the label columns ``lay.lo_label_widths`` (percent of the page width) wide, so long
    labels wrap onto several lines inside their cells, and table 二's label column as narrow."""
    if lay.lo_label_widths is None:
        return html
    parts = re.split(r"(<table\b.*?</table>)", html, flags=re.S)
    for i, part in enumerate(parts):
        if not part.startswith("<table"):
            continue
        if "本年新收" in part:
            ndata = 8 if "法人或其他组织小计" in part else 7
            rest = (100 - sum(lay.lo_label_widths)) / ndata
            cols = [*lay.lo_label_widths, *([rest] * ndata)]
        elif "信息内容" in part:
            cols = [lay.lo_label_widths[2]]
        else:
            continue
        group = "<colgroup>" + "".join(f'<col width="{w:g}%">' for w in cols) + "</colgroup>"
        parts[i] = part.replace("<tbody>", group + "<tbody>", 1)
    html = "".join(parts)
    if lay.valign == "top":
        html = html.replace("<td", '<td valign="top"')
    return html


def _docx_widths(data: bytes, lay: PdfLayout) -> bytes:
    """A DOCX whose tables have fixed column widths (table 三's label columns ``lay.lo_label_widths``
    percent of the text width, table 二's label column as narrow as the row labels') and cells aligned
    vertically as ``lay.valign`` says."""
    import io

    import docx
    from docx.oxml import OxmlElement
    from docx.oxml.ns import qn

    doc = docx.Document(io.BytesIO(data))
    sec = doc.sections[0]
    text_w = int(sec.page_width - sec.left_margin - sec.right_margin)
    for table in doc.tables:
        tbl = table._tbl
        grid = tbl.tblGrid.findall(qn("w:gridCol"))
        first = "".join(tbl.xpath(".//w:t/text()"))
        if lay.lo_label_widths is not None and "本年新收" in first:
            rest = (100 - sum(lay.lo_label_widths)) / (len(grid) - 3)
            pct = [*lay.lo_label_widths, *([rest] * (len(grid) - 3))]
        elif lay.lo_label_widths is not None and "信息内容" in first:
            rest = (100 - lay.lo_label_widths[2]) / (len(grid) - 1)
            pct = [lay.lo_label_widths[2], *([rest] * (len(grid) - 1))]
        else:
            pct = [100 / len(grid)] * len(grid)
        widths = [int(text_w * p / 100 / 635) for p in pct]  # EMU to twips
        for g, w in zip(grid, widths, strict=True):
            g.set(qn("w:w"), str(w))
        tblpr = tbl.tblPr
        layout = OxmlElement("w:tblLayout")
        layout.set(qn("w:type"), "fixed")
        tblpr.append(layout)
        for tr in tbl.tr_lst:
            col = 0
            for tc in tr.tc_lst:
                tcpr = tc.get_or_add_tcPr()
                span = tc.grid_span
                tcw = OxmlElement("w:tcW")
                tcw.set(qn("w:w"), str(sum(widths[col:col + span])))
                tcw.set(qn("w:type"), "dxa")
                tcpr.insert(0, tcw)
                va = OxmlElement("w:vAlign")
                va.set(qn("w:val"), "top" if lay.valign == "top" else "center")
                tcpr.append(va)
                col += span
    buf = io.BytesIO()
    doc.save(buf)
    return buf.getvalue()


def _render_libreoffice(report: Report, lay: PdfLayout) -> bytes:
    if lay.style in DOCX_STYLES:
        data = _docx_widths(render_docx(report, DOCX_STYLES[lay.style]), lay)
        return office.convert(data, ".docx", "pdf:writer_pdf_Export")
    html = _narrow_labels(_print_html(render_html(report, HTML_STYLES[lay.style])), lay)
    return office.convert(html.encode("utf-8"), ".html", "pdf:writer_pdf_Export", infilter="HTML (StarWriter)")


# ------------------------------------------------------------------ reportlab engine
@dataclass(slots=True)
class _Cursor:
    canvas: object
    lay: PdfLayout
    y: float = 0.0  # distance from the top of the page
    page: int = 1
    top: float = 60.0
    bottom: float = 60.0
    left: float = 70.0
    right: float = 70.0
    pending_header: list[list[TCell]] = field(default_factory=list)

    @property
    def width(self) -> float:
        return PAGE_W - self.left - self.right

    @property
    def limit(self) -> float:
        return self.lay.page_height - self.bottom

    def new_page(self) -> None:
        c = self.canvas
        c.setFont(FONT, 9)
        c.drawCentredString(PAGE_W / 2, 30, f"- {self.page} -")  # page number: furniture to ignore
        c.showPage()
        self.page += 1
        self.y = self.top


def _blocks(report: Report, lay: PdfLayout) -> list[Para | TableBlock]:
    style: Style = HTML_STYLES[lay.style]
    blocks = report_blocks(report, style)
    if lay.other_single_row and report.format == GEN_2021:
        as2019 = copy.copy(report)
        as2019.format = GEN_2019
        t3 = next(b for b in report_blocks(as2019, style) if isinstance(b, TableBlock) and b.name == "t3")
        blocks = [t3 if isinstance(b, TableBlock) and b.name == "t3" else b for b in blocks]
    if lay.thousands:
        blocks = [_with_thousands(b) if isinstance(b, TableBlock) else b for b in blocks]
    return blocks


def _with_thousands(t: TableBlock) -> TableBlock:
    def fmt(c: TCell) -> TCell:
        if c.numeric and c.text.isdigit() and len(c.text) > 3:
            return replace(c, text=f"{int(c.text):,}")
        return c
    return TableBlock([[fmt(c) for c in row] for row in t.rows], t.name, t.width)


def _render_reportlab(report: Report, lay: PdfLayout) -> bytes:
    import io

    from reportlab.pdfbase import pdfmetrics
    from reportlab.pdfbase.cidfonts import UnicodeCIDFont
    from reportlab.pdfgen.canvas import Canvas

    if FONT not in pdfmetrics.getRegisteredFontNames():
        pdfmetrics.registerFont(UnicodeCIDFont(FONT))
    buf = io.BytesIO()
    canvas = Canvas(buf, pagesize=(PAGE_W, lay.page_height), invariant=1, pageCompression=1)
    canvas.setTitle(f"{report.body or ''}{report.year or ''}年政府信息公开工作年度报告")
    cur = _Cursor(canvas, lay)
    cur.y = cur.top
    for b in _blocks(report, lay):
        if isinstance(b, Para):
            _draw_para(cur, b)
        else:
            _draw_table(cur, b)
    cur.new_page()
    canvas.save()
    return buf.getvalue()


def _wrap(text: str, width: float, size: float, first_indent: float = 0.0) -> list[str]:
    """Break text into lines that fit ``width`` (CJK breaks anywhere; explicit newlines kept)."""
    from reportlab.pdfbase.pdfmetrics import stringWidth

    out: list[str] = []
    for part in text.split("\n"):
        line = ""
        avail = width - (first_indent if not out else 0.0)
        for ch in part:
            if line and stringWidth(line + ch, FONT, size) > avail:
                out.append(line)
                line = ""
                avail = width
            line += ch
        out.append(line)
    return out


def _draw_para(cur: _Cursor, p: Para) -> None:
    size = {"title": 16.0, "subtitle": 13.0, "heading": 12.0}.get(p.role, 11.0)
    lead = size * 1.7
    c = cur.canvas
    indent = 0.0 if p.role == "title" else 2 * size
    lines = _wrap(p.text, cur.width, size, indent) if p.role != "title" else _wrap(p.text, cur.width, size)
    for i, ln in enumerate(lines):
        if cur.y + lead > cur.limit:
            cur.new_page()
        base = cur.lay.page_height - (cur.y + size * 0.9)
        c.setFont(FONT, size)
        if p.role == "title":
            c.drawCentredString(PAGE_W / 2, base, ln)
        else:
            c.drawString(cur.left + (indent if i == 0 else 0.0), base, ln)
        cur.y += lead
    cur.y += size * 0.3


def _col_widths(t: TableBlock, lay: PdfLayout, total: float) -> list[float]:
    n = t.width
    if t.name == "t3":
        w = [*lay.t3_label_widths, *([lay.t3_data_width] * (n - 3))]
    elif t.name == "t2":
        w = [lay.t2_label_width] + [1.0] * (n - 1)
    else:
        w = [1.0] * n
    s = sum(w)
    return [total * x / s for x in w]


def _draw_table(cur: _Cursor, t: TableBlock) -> None:
    lay = cur.lay
    size = lay.font_size
    lead = size * 1.25
    pad = 3.0
    widths = _col_widths(t, lay, cur.width)
    xs = [cur.left]
    for w in widths:
        xs.append(xs[-1] + w)
    splits = sorted((row, k) for name, row, k in lay.split_rows if name == t.name)
    breaks = {row for name, row in lay.break_rows if name == t.name}
    for n, (row, k) in enumerate(splits):
        t = _split_row(t, row + n, k, xs, size, pad, lay.split_numbers == "first")
        breaks = {b + 1 if b > row + n else b for b in breaks} | {row + n + 1}
    placed = place_cells(t.rows)
    nrows = len(t.rows)
    wrapped: dict[tuple[int, int], list[str]] = {}
    heights = [lead + 2 * pad] * nrows
    for r, c, cell in placed:
        w = xs[c + cell.colspan] - xs[c] - 2 * pad
        lines = _wrap(cell.text, w, size) if cell.text else [""]
        wrapped[(r, c)] = lines
        need = len(lines) * lead + 2 * pad
        if cell.rowspan == 1:
            heights[r] = max(heights[r], need)
    for r, c, cell in placed:
        if cell.rowspan > 1:
            need = len(wrapped[(r, c)]) * lead + 2 * pad
            have = sum(heights[r:r + cell.rowspan])
            if need > have:
                heights[r + cell.rowspan - 1] += need - have
    header_rows = 0
    while header_rows < nrows and all(cell.header for cell in t.rows[header_rows]):
        header_rows += 1
    forced = breaks
    # Assign grid rows to pages: (page offset, y top) per row.
    tops: dict[int, tuple[int, float]] = {}
    page_of_row: dict[int, int] = {}
    y = cur.y
    page = cur.page
    repeated: list[tuple[int, float]] = []  # (page, y) where a header copy goes
    for r in range(nrows):
        if r > 0 and (r in forced or y + heights[r] > cur.limit):
            page += 1
            y = cur.top
            if lay.repeat_header and r >= header_rows and header_rows:
                repeated.append((page, y))
                y += sum(heights[:header_rows])
        tops[r] = (page, y)
        page_of_row[r] = page
        y += heights[r]
    # Draw page by page.
    start_page = cur.page
    for pg in range(start_page, page + 1):
        if pg > cur.page:
            cur.new_page()
        for rp, ry in repeated:
            if rp == pg:
                _draw_rows(cur, t, placed, wrapped, xs, heights, {r: (pg, ry + sum(heights[:r]))
                                                                  for r in range(header_rows)},
                           range(header_rows), pg, size, lead, pad)
        _draw_rows(cur, t, placed, wrapped, xs, heights, tops, range(nrows), pg, size, lead, pad)
    cur.y = y + size


def _split_row(t: TableBlock, r: int, k: int, xs: list[float], size: float, pad: float,
               numbers_first: bool) -> TableBlock:
    """Grid row ``r`` as two rows, as a row broken across a page prints: the first ``k`` lines of each
    wrapped label, then the rest (the caller starts a page between them). Cells spanning the row from
    above span one row more; the numbers print on one of the two parts."""
    rows = [list(row) for row in t.rows]
    first: list[TCell] = []
    second: list[TCell] = []
    for rr, c, cell in place_cells(t.rows):
        if rr < r and rr + cell.rowspan > r:
            i = next(i for i, x in enumerate(rows[rr]) if x is cell)
            rows[rr][i] = replace(cell, rowspan=cell.rowspan + 1)
        if rr != r:
            continue
        if cell.numeric:
            blank = replace(cell, text="")
            first.append(cell if numbers_first else blank)
            second.append(blank if numbers_first else cell)
            continue
        lines = _wrap(cell.text, xs[c + cell.colspan] - xs[c] - 2 * pad, size)
        first.append(replace(cell, text="".join(lines[:k])))
        second.append(replace(cell, text="".join(lines[k:])))
    return TableBlock([*rows[:r], first, second, *rows[r + 1:]], t.name, t.width)


def _draw_rows(cur: _Cursor, t: TableBlock, placed: list[tuple[int, int, TCell]],
               wrapped: dict[tuple[int, int], list[str]], xs: list[float], heights: list[float],
               tops: dict[int, tuple[int, float]], rows: range, pg: int, size: float, lead: float,
               pad: float) -> None:
    c = cur.canvas
    H = cur.lay.page_height
    for r, col, cell in placed:
        if r not in rows:
            continue
        span = [rr for rr in range(r, r + cell.rowspan) if rr in tops and tops[rr][0] == pg]
        if not span:
            continue
        seg_top = tops[span[0]][1]
        seg_bottom = tops[span[-1]][1] + heights[span[-1]]
        x0, x1 = xs[col], xs[col + cell.colspan]
        if cur.lay.ruled:
            c.setLineWidth(0.5)
            c.rect(x0, H - seg_bottom, x1 - x0, seg_bottom - seg_top, stroke=1, fill=0)
        if span[0] != r:  # the continuation of a merged cell cut by a page break: an empty box
            continue
        lines = wrapped[(r, col)]
        block_h = len(lines) * lead
        if cur.lay.valign == "top" and not cell.header:
            y0 = seg_top + pad
        else:
            y0 = seg_top + max(pad, (seg_bottom - seg_top - block_h) / 2)
        c.setFont(FONT, size)
        for i, ln in enumerate(lines):
            base = H - (y0 + i * lead + size * 0.95)
            if cell.numeric or cell.header or (len(lines) > 1 and all(len(x) <= 1 for x in lines)) \
                    or cur.lay.label_align == "center":
                c.drawCentredString((x0 + x1) / 2, base, ln)
            else:
                c.drawString(x0 + pad, base, ln)


def expected_value(report: Report, table: str, row: str, col: str) -> int | Decimal | None:
    """The value a layout prints for one cell (for tests)."""
    if table == "t3":
        return report.table3.value(row, col)
    if table == "t4":
        c = report.table4.cells.get(col)
        return c.value if c else None
    return report.table2.value(row, col)
