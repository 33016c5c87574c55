"""Write a canonical ``Report`` back out as HTML, DOCX or plain text, in the layouts found in the wild.

Written once and reused by the parser round-trip tests, the PDF fixture generator, the demo and the
benchmarks. A report is first laid out as ``Block``s (paragraphs and tables of merged cells, see
``report_blocks``); the emitters only decide how blocks are printed. ``Style`` selects the markup
flavour (the 2019 Shanghai page with ``<p>`` in every cell, or the bare 2021 markup with padded header
rows) and the local variants real reports show: wrapped headers, bracketed notes, an extra table 二
row, a 法人或其他组织小计 column, blanks or "/" for zero, full-width digits, traditional characters,
tables without borders, page-layout tables and site chrome. The table rows themselves (2019 or 2021)
always follow the report's ``format``.

Report text is untrusted: every string is HTML-escaped in HTML output.
"""

from __future__ import annotations

import html
import io
import random
import re
from dataclasses import dataclass, replace
from decimal import Decimal
from typing import Any

import zhconv

from parsers.layout import (
    GEN_2019,
    GEN_2021,
    SECTION_KEYS,
    SECTION_TITLES,
    T3_COL_LABELS,
    T3_COLS,
    T3_NOTE,
    T4_GROUPS,
    T4_OUTCOMES,
    T2Block,
    t2_blocks,
    t3_rows,
)
from parsers.lines import parse_number
from parsers.model import PRESENT, Cell, Report

ORG_SUBTOTAL_LABEL = "法人或其他组织小计"
LOCAL_T2_ROW = "其他主动公开文件"


# ------------------------------------------------------------------ style
@dataclass(frozen=True, slots=True)
class Style:
    """How a report is printed. Defaults give the 2019 Shanghai-style page (R19-sh)."""

    name: str = "html-sh"
    kind: str = "html"  # html | docx | text
    markup: str = "sh"  # sh: merged header cells, <p> in cells (R19-sh) | gh: bare cells, padded header rows (GH-K)
    text_layout: str = "lines"  # text only: lines | tabs | pipes | run | md-displaced | md-llm | pipes-bare | crawl
    zero: str | None = None  # how a 0 is printed (None: "0"; "" blank; "/")
    zero_some: bool = False  # only every other 0 of a table row is printed as ``zero``, the rest as "0"
    split_headers: bool = False  # "商业<br>企业": header text wrapped onto two lines
    label_notes: bool = False  # bracketed local notes in labels (Hubei)
    local_rows: bool = False  # extra 其他主动公开文件 row in 表二 (一) and a 法人或其他组织小计 column in 表三
    fullwidth_digits: bool = False
    traditional: bool = False
    ascii_brackets: bool = False  # "(一)" instead of "（一）"
    borders: bool = True
    tables: str = "per_section"  # per_section | per_block (表二 split per 第二十条 block) | single (二/三/四 in one)
    layout_table: bool = False  # the whole article inside a page-layout table (nested tables)
    chrome: bool = False  # site navigation, breadcrumb, scripts and footer around the report
    headings: str = "p"  # p | h: section titles as <p> or <h2>/<h3>
    preamble: bool = True  # the usual opening paragraph (legal basis, statistics period)
    encoding: str = "utf-8"  # utf-8 | utf-8-sig | gb18030
    meta_charset: bool = True  # html: declare the encoding in <meta>
    meta_header: bool = False  # text: crawler metadata lines (# source:, 标题:, 发布时间:, 原文链接:) above the title


HTML_STYLES: dict[str, Style] = {s.name: s for s in (
    Style("html-sh"),
    Style("html-gh", markup="gh", preamble=False),
    Style("html-split", split_headers=True),
    Style("html-local", label_notes=True, local_rows=True),
    Style("html-blank", zero=""),
    Style("html-slash", markup="gh", zero="/"),
    Style("html-fullwidth", fullwidth_digits=True, ascii_brackets=True),
    Style("html-traditional", traditional=True),
    Style("html-noborder", markup="gh", borders=False, headings="h"),
    Style("html-per-block", tables="per_block"),
    Style("html-single", markup="gh", tables="single"),
    Style("html-layout", layout_table=True, chrome=True, headings="h"),
    Style("html-gbk", encoding="gb18030", chrome=True),
    Style("html-gbk-nometa", encoding="gb18030", meta_charset=False, traditional=True),
    Style("html-bom", encoding="utf-8-sig", meta_charset=False, split_headers=True, zero=""),
)}
DOCX_STYLES: dict[str, Style] = {s.name: s for s in (
    Style("docx", kind="docx"),
    Style("docx-gh", kind="docx", markup="gh"),
    Style("docx-split", kind="docx", split_headers=True, label_notes=True),
    Style("docx-traditional", kind="docx", traditional=True, fullwidth_digits=True),
    Style("docx-blank", kind="docx", zero="", borders=False),
    Style("docx-local", kind="docx", local_rows=True, zero="/"),
    Style("docx-per-block", kind="docx", tables="per_block", markup="gh"),
)}
TEXT_STYLES: dict[str, Style] = {s.name: s for s in (
    Style("text-lines", kind="text", text_layout="lines", split_headers=True),
    Style("text-tabs", kind="text", text_layout="tabs", split_headers=True),
    Style("text-pipes", kind="text", text_layout="pipes", ascii_brackets=True),
    Style("text-run", kind="text", text_layout="run", zero=None),
    Style("text-lines-gbk", kind="text", text_layout="lines", encoding="gb18030", traditional=True, chrome=True),
    # PDF converted to markdown: table 三's numbers as label-less rows, its labels as loose (wrapped) lines
    Style("text-md-displaced", kind="text", text_layout="md-displaced"),
    # LLM/OCR markdown: small tables under ### headings, generic column headers, ASCII brackets
    Style("text-md-llm", kind="text", text_layout="md-llm", ascii_brackets=True, preamble=False),
    # HTML rendered to text: " | " between printed cells, no outer pipes, some cells blank, crawler metadata
    Style("text-pipes-bare", kind="text", text_layout="pipes-bare", zero="", zero_some=True, meta_header=True),
    # crawler page text: the whole article on one line, cells run together (real pages: ../shared/real)
    Style("text-crawl", kind="text", text_layout="crawl", meta_header=True),
)}
STYLES: dict[str, Style] = {**HTML_STYLES, **DOCX_STYLES, **TEXT_STYLES}


# ------------------------------------------------------------------ blocks
@dataclass(frozen=True, slots=True)
class TCell:
    """One printed table cell. ``text`` may hold "\\n" where the printed text wraps."""

    text: str
    rowspan: int = 1
    colspan: int = 1
    header: bool = False
    numeric: bool = False


@dataclass(slots=True)
class Para:
    text: str
    role: str = "body"  # title | subtitle | heading | body | chrome


@dataclass(slots=True)
class TableBlock:
    """Rows of printed cells; cells covered by a span are not listed (as in HTML)."""

    rows: list[list[TCell]]
    name: str  # t2 | t3 | t4 | mixed
    width: int = 0  # grid columns

    def placed(self) -> list[tuple[int, int, TCell]]:
        """(grid row, grid col, cell) for every printed cell, spans expanded as in HTML."""
        return place_cells(self.rows)


Block = Para | TableBlock


def place_cells(rows: list[list[TCell]]) -> list[tuple[int, int, TCell]]:
    taken: set[tuple[int, int]] = set()
    out: list[tuple[int, int, TCell]] = []
    for r, row in enumerate(rows):
        c = 0
        for cell in row:
            while (r, c) in taken:
                c += 1
            out.append((r, c, cell))
            for dr in range(cell.rowspan):
                for dc in range(cell.colspan):
                    taken.add((r + dr, c + dc))
            c += cell.colspan
    return out


_SPLITS = {
    "本年新制作数量": "本年新\n制作数量",
    "本年新公开数量": "本年新\n公开数量",
    "对外公开总数量": "对外公开\n总数量",
    "上一年项目数量": "上一年\n项目数量",
    "商业企业": "商业\n企业",
    "科研机构": "科研\n机构",
    "社会公益组织": "社会公益\n组织",
    "法律服务机构": "法律服务\n机构",
    "结果维持": "结果\n维持",
    "结果纠正": "结果\n纠正",
    "尚未审结": "尚未\n审结",
    "未经复议直接起诉": "未经复议\n直接起诉",
}
# Bracketed local notes as Hubei printed them (R20-wh), keyed by the statutory label.
_NOTES = {
    "规章": "（设区的市、自治州人民政府应提供相关数据）",
    "上一年项目数量": "（指上年事项数）",
    "四、结转下年度继续办理": "（截至12月31日）",
    "1.本机关不掌握相关政府信息": "（含非本机关职责）",
}
_FULLWIDTH = str.maketrans("0123456789.+-", "０１２３４５６７８９．＋－")
_ASCII_BRACKETS = str.maketrans("（）：，", "():,")


def _fmt_number(v: int | Decimal) -> str:
    return format(v, "f") if isinstance(v, Decimal) else str(v)


def cell_text(cell: Cell | None, style: Style) -> str:
    """The printed form of a value: the cell's raw text when it reads back to the same value."""
    if cell is None:
        return ""
    if cell.value is None:
        return cell.raw
    if cell.value == 0 and style.zero is not None:
        return style.zero
    pn = parse_number(cell.raw)
    txt = cell.raw.strip() if pn is not None and pn.value == cell.value else _fmt_number(cell.value)
    return txt.translate(_FULLWIDTH) if style.fullwidth_digits else txt


def _label(text: str, style: Style, *, header: bool = False) -> str:
    if style.label_notes and text in _NOTES:
        text += _NOTES[text]
    if header and style.split_headers and text in _SPLITS:
        text = _SPLITS[text]
    return text


def _lab(text: str, style: Style, rowspan: int = 1, colspan: int = 1, header: bool = False) -> TCell:
    return TCell(_label(text, style, header=header), rowspan, colspan, header=header)


def _num(cell: Cell | None, style: Style, colspan: int = 1, pos: int = 0) -> TCell:
    if style.zero_some and pos % 2:
        style = replace(style, zero=None)
    return TCell(cell_text(cell, style), colspan=colspan, numeric=True)


# ------------------------------------------------------------------ table 二
def _t2_spans(block: T2Block, gen: str, style: Style, header: bool) -> list[int]:
    n = len(block.columns)
    if style.markup == "sh" and gen == GEN_2019:  # R19-sh: 5 grid columns, uneven spans
        if n == 3:
            return [1, 2, 1] if header or block.item == "1" else [2, 1, 1]
        return [2, 2]
    return {1: [3], 2: [1, 2], 3: [1, 1, 1]}[n]  # 3 value columns, GH-K style


def _t2_block_rows(report: Report, block: T2Block, gen: str, style: Style) -> list[list[TCell]]:
    t2 = report.table2
    hdr_spans = _t2_spans(block, gen, style, header=True)
    row_spans = _t2_spans(block, gen, style, header=False)
    width = 1 + sum(hdr_spans)
    rows: list[list[TCell]] = [[_lab(f"第二十条第（{'一二三四五六七八九'[int(block.item) - 1]}）项", style,
                                     colspan=width, header=True)]]
    head = [_lab("信息内容", style, header=True)]
    for (ckey, clabel), span in zip(block.columns, hdr_spans, strict=True):
        if ckey == "AMOUNT" and gen == GEN_2019 and t2.amount_unit and t2.amount_unit_source == "header":
            clabel = f"{clabel}（{t2.amount_unit}）"
        head.append(_lab(clabel, style, colspan=span, header=True))
    rows.append(head)
    body_rows = [(label, t2.rows.get(rkey, {})) for rkey, label in block.rows]
    if block.item == "1":
        extra = dict(t2.extra_rows)
        if style.local_rows and not extra:
            extra = {LOCAL_T2_ROW: _local_t2_row(report, block)}
        body_rows += list(extra.items())
    for label, cells in body_rows:
        row = [_lab(label, style)]
        for i, ((ckey, _), span) in enumerate(zip(block.columns, row_spans, strict=True)):
            row.append(_num(cells.get(ckey), style, colspan=span, pos=i))
        rows.append(row)
    return rows


def _local_t2_row(report: Report, block: T2Block) -> dict[str, Cell]:
    """Values for the Hubei row when the model has none: the sum of the statutory rows."""
    out: dict[str, Cell] = {}
    for ckey, _ in block.columns:
        v = sum(report.table2.rows.get(rk, {}).get(ckey, Cell(0, "0")).number() for rk, _ in block.rows)
        out[ckey] = Cell(v, _fmt_number(v))
    return out


def _generation(report: Report) -> str:
    """The layout to print: 2019 for 2019-format reports, else the current 2021 layout."""
    return GEN_2019 if report.format == GEN_2019 else GEN_2021


def table2_blocks(report: Report, style: Style) -> list[TableBlock]:
    gen = _generation(report)
    per_block = [_t2_block_rows(report, b, gen, style) for b in t2_blocks(gen)
                 if not report.table2.items_seen or b.item in report.table2.items_seen]
    widths = [sum(c.colspan for c in rows[0]) for rows in per_block]
    if style.tables == "per_block":
        return [TableBlock(rows, "t2", w) for rows, w in zip(per_block, widths, strict=True)]
    return [TableBlock([r for rows in per_block for r in rows], "t2", max(widths, default=0))]


# ------------------------------------------------------------------ table 三
def _t3_columns(report: Report, style: Style) -> list[str]:
    cols = [c for c in T3_COLS]
    if style.local_rows or "SUB" in report.table3.columns:
        cols.insert(cols.index("TOT"), "SUB")
    return cols


def table3_block(report: Report, style: Style) -> TableBlock:
    t3 = report.table3
    gen = _generation(report)
    cols = _t3_columns(report, style)
    sub = "SUB" in cols
    ncols = len(cols)
    padded = style.markup == "gh"
    rs = 1 if padded else 2
    h1 = [_lab(T3_NOTE, style, rowspan=3, colspan=3, header=True), _lab("申请人情况", style, colspan=ncols, header=True)]
    h2 = [_lab("自然人", style, rowspan=rs, header=True), _lab("法人或其他组织", style, colspan=5, header=True)]
    if sub:
        h2.append(_lab(ORG_SUBTOTAL_LABEL, style, rowspan=rs, header=True))
    h2.append(_lab("总计", style, rowspan=rs, header=True))
    h3 = [_lab(T3_COL_LABELS[c], style, header=True) for c in ("BIZ", "RES", "NGO", "LAW", "OTH")]
    if padded:
        h3 = [TCell("", header=True), *h3] + [TCell("", header=True)] * (2 if sub else 1)
    rows: list[list[TCell]] = [h1, h2, h3]
    defs = t3_rows(gen)
    n_results = sum(1 for d in defs if d.key not in ("NEW", "CARRY", "FWD"))
    group_sizes: dict[str, int] = {}
    for d in defs:
        if d.group:
            group_sizes[d.group] = group_sizes.get(d.group, 0) + 1
    seen_groups: set[str] = set()
    for d in defs:
        row: list[TCell] = []
        if d.key in ("NEW", "CARRY", "FWD"):
            row.append(_lab(d.label, style, colspan=3))
        else:
            if d.key == "R_OPEN":
                row.append(_lab("三、本年度办理结果", style, rowspan=n_results))
            if d.group:
                if d.group not in seen_groups:
                    seen_groups.add(d.group)
                    row.append(_lab(d.group, style, rowspan=group_sizes[d.group]))
                row.append(_lab(d.label, style))
            else:
                row.append(_lab(d.label, style, colspan=2))
        mrow = t3.rows.get(d.key)
        cells = mrow.cells if mrow else {}
        for i, c in enumerate(cols):
            cell = cells.get(c)
            if c == "SUB" and cell is None and cells:
                v = sum(cells[k].number() for k in ("BIZ", "RES", "NGO", "LAW", "OTH") if k in cells)
                cell = Cell(v, _fmt_number(v))
            row.append(_num(cell, style, pos=i))
        rows.append(row)
    return TableBlock(rows, "t3", 3 + ncols)


# ------------------------------------------------------------------ table 四
def table4_block(report: Report, style: Style) -> TableBlock:
    padded = style.markup == "gh"
    rs = 1 if padded else 2
    h1 = [_lab("行政复议", style, colspan=5, header=True), _lab("行政诉讼", style, colspan=10, header=True)]
    h2 = [_lab(o, style, rowspan=rs, header=True) for _, o, _ in T4_OUTCOMES]
    h2 += [_lab("未经复议直接起诉", style, colspan=5, header=True), _lab("复议后起诉", style, colspan=5, header=True)]
    h3 = [_lab(o, style, header=True) for _, o, _ in T4_OUTCOMES] * 2
    if padded:
        h3 = [TCell("", header=True)] * 5 + h3
    keys = [f"{g}_{o}" for g, _ in T4_GROUPS for o, _, _ in T4_OUTCOMES]
    vals = [_num(report.table4.cells.get(k), style, pos=i) for i, k in enumerate(keys)]
    return TableBlock([h1, h2, h3, vals], "t4", 15)


# ------------------------------------------------------------------ document
def report_title(report: Report) -> str:
    if report.title:
        return report.title
    return f"{report.body or ''}{report.year or ''}年政府信息公开工作年度报告"


def report_blocks(report: Report, style: Style) -> list[Block]:
    """The report as paragraphs and tables, in reading order, before any markup or conversion."""
    blocks: list[Block] = [Para(report_title(report), "title")]
    if style.preamble and report.year:
        blocks.append(Para("本报告根据《中华人民共和国政府信息公开条例》要求编制。本报告中所列数据的统计期限为"
                           f"{report.year}年1月1日至{report.year}年12月31日。"))
    sections = {s.key: s for s in report.sections}
    tables: dict[str, list[TableBlock]] = {}
    if report.table2.status == PRESENT:
        tables["proactive"] = table2_blocks(report, style)
    if report.table3.status == PRESENT:
        tables["requests"] = [table3_block(report, style)]
    if report.table4.status == PRESENT:
        tables["review"] = [table4_block(report, style)]
    for key in SECTION_KEYS:
        sec = sections.get(key)
        if sec is None and key not in tables:
            continue
        title = sec.title if sec and sec.title else SECTION_TITLES[key]
        blocks.append(Para(title, "heading"))
        for line in (sec.text if sec else "").split("\n"):
            if line.strip():
                blocks.append(Para(line.strip()))
        blocks.extend(tables.get(key, []))
    if style.tables == "single":
        blocks = _merge_tables(blocks)
    return [_convert_block(b, style) for b in blocks]


def _merge_tables(blocks: list[Block]) -> list[Block]:
    """One table for 二/三/四: the headings between them become full-width rows."""
    first = next((i for i, b in enumerate(blocks) if isinstance(b, TableBlock)), None)
    if first is None:
        return blocks
    last = max(i for i, b in enumerate(blocks) if isinstance(b, TableBlock))
    width = max(b.width for b in blocks if isinstance(b, TableBlock))
    rows: list[list[TCell]] = []
    for b in blocks[first:last + 1]:
        if isinstance(b, TableBlock):
            rows.extend(b.rows)
        else:
            rows.append([TCell(b.text, colspan=width, header=True)])
    return [*blocks[:first], TableBlock(rows, "mixed", width), *blocks[last + 1:]]


def _convert_text(text: str, style: Style) -> str:
    if style.traditional:
        text = zhconv.convert(text, "zh-hant")
    if style.ascii_brackets:
        text = text.translate(_ASCII_BRACKETS)
    return text


def _convert_block(b: Block, style: Style) -> Block:
    if not (style.traditional or style.ascii_brackets):
        return b
    if isinstance(b, Para):
        return Para(_convert_text(b.text, style), b.role)
    rows = [[replace(c, text=_convert_text(c.text, style)) if c.text and not c.numeric else c for c in row]
            for row in b.rows]
    return TableBlock(rows, b.name, b.width)


# ------------------------------------------------------------------ HTML
_CSS = ("body{font-family:'Noto Sans CJK SC',SimSun,serif;margin:2em}"
        "td,th{padding:2px 4px;text-align:center}p{line-height:1.6}")
_CHROME_TOP = ("<script>var _hmt=_hmt||[];</script>"
               "<nav class='top-nav'><a href='/'>首页</a> | <a href='/zwgk/'>政务公开</a> | "
               "<a href='/zfxxgk/'>政府信息公开</a> | <a href='/hdjl/'>互动交流</a></nav>"
               "<div class='breadcrumb'>当前位置：<a href='/'>首页</a> &gt; 政府信息公开年报 &gt; 正文</div>")
_CHROME_BOTTOM = ("<footer><p>主办单位：{body}　网站标识码：0000000000　联系电话：0000-0000000</p></footer>"
                  "<script>document.write('');</script>")


def _esc(text: str) -> str:
    return html.escape(text, quote=True).replace("\n", "<br />")


def _html_cell(c: TCell, style: Style) -> str:
    attrs = ""
    if c.rowspan > 1:
        attrs += f' rowspan="{c.rowspan}"'
    if c.colspan > 1:
        attrs += f' colspan="{c.colspan}"'
    if style.markup == "sh":
        inner = _esc(c.text) if c.text else "&nbsp;"
        align = ' align="center"' if c.header or c.numeric else ""
        return f'<td nowrap="nowrap"{attrs}><p{align}>{inner}</p></td>'
    return f"<td{attrs}>{_esc(c.text)}</td>"


def _html_table(t: TableBlock, style: Style) -> str:
    border = ' border="1" cellspacing="0" cellpadding="0"' if style.borders else ' border="0" cellspacing="0"'
    body = "".join("<tr>" + "".join(_html_cell(c, style) for c in row) + "</tr>" for row in t.rows)
    return f'<table align="center"{border}><tbody>{body}</tbody></table>'


def _html_para(p: Para, style: Style) -> str:
    if p.role == "title":
        tag = "h1" if style.headings == "h" else "p"
        return f"<{tag} style='text-align: center;font-weight: bold;'>{_esc(p.text)}</{tag}>"
    if p.role == "heading" and style.headings == "h":
        return f"<h3>{_esc(p.text)}</h3>"
    return f"<p>{_esc(p.text)}</p>"


def render_html(report: Report, style: Style | str = "html-sh") -> str:
    """The report as an HTML page (a str; ``render_bytes`` encodes it as the style says)."""
    st = _style(style)
    blocks = report_blocks(report, st)
    parts = [_html_table(b, st) if isinstance(b, TableBlock) else _html_para(b, st) for b in blocks]
    article = "\n".join(parts)
    if st.layout_table:  # real pages that lay the article out with a table: one long cell
        article = ("<table width='100%' class='layout'><tr><td class='left-col'>"
                   "<ul><li><a href='#'>年度报告</a></li></ul></td>"
                   f"<td class='content'><div id='zoom'>{article}</div></td></tr></table>")
    else:
        article = f"<div id='zoom' class='article-content'>{article}</div>"
    charset = {"utf-8": "utf-8", "utf-8-sig": "utf-8", "gb18030": "gbk"}[st.encoding]
    meta = f'<meta http-equiv="Content-Type" content="text/html; charset={charset}">' if st.meta_charset else ""
    title = _esc(_convert_text(report_title(report), st))
    top = _CHROME_TOP if st.chrome else ""
    bottom = _CHROME_BOTTOM.format(body=_esc(_convert_text(report.body or "", st))) if st.chrome else ""
    return (f"<!DOCTYPE html>\n<html><head>{meta}<title>{title}</title><style>{_CSS}</style></head>\n"
            f"<body>{top}\n{article}\n{bottom}</body></html>\n")


# ------------------------------------------------------------------ text

def _text_rows(t: TableBlock, style: Style) -> list[str]:
    layout = style.text_layout
    out: list[str] = []
    if layout == "tabs":  # DOCX-to-text: one cell per line led by a tab, merged continuations as "\t"
        grid: dict[tuple[int, int], TCell | None] = {}
        for r, c, cell in t.placed():
            for dr in range(cell.rowspan):
                grid[(r + dr, c)] = cell if dr == 0 else None
        for r in range(len(t.rows)):
            cols = sorted(c for (rr, c) in grid if rr == r)
            cells = ["\t" + (grid[(r, c)].text if grid[(r, c)] else "") for c in cols]  # type: ignore[union-attr]
            out.append("\n".join(cells) + "\n")
        return out
    for row in t.rows:
        if layout == "lines":  # web-page scrape: one printed cell per line, blank lines between
            out.extend(c.text + "\n" for c in row)
        elif layout == "pipes":  # converter output: printed cells, padded with empty cells at the end
            cells = [c.text.replace("\n", "") for c in row]
            cells += [""] * (t.width - len(row))
            out.append(" ".join(f"{x} |" if x else "|" for x in cells))
        elif layout == "pipes-bare":  # HTML rendered to text: " | " between printed cells, blanks kept
            out.append(" | ".join(c.text.replace("\n", "") for c in row))
        else:  # run: text cells one per line, the numbers of a row run together ("6000017")
            digits = "".join(c.text for c in row if c.numeric)
            out.extend(c.text + "\n" for c in row if not c.numeric)
            if digits:
                out.append(digits + "\n")
    return out


# Markdown: table 三 of a PDF converted to markdown (text-md-displaced) and of an LLM/OCR transcription
# (text-md-llm). Items are ("row", markdown table row) or ("para", a loose line); rows that follow
# each other form one markdown table, everything else is set apart by a blank line.
MdItem = tuple[str, str]
_MD_GENERIC_HEADER = ("类别", "数据1", "数据2", "数据3", "数据4", "数据5", "数据6", "总计")
_MD_WRONG_HEADER = ("项目", "自然人", "法人", "科研", "公益", "法律", "其他组织", "合计")
_MD_T4_HEADINGS = {"REV": "行政复议", "LIT_D": "行政诉讼（未经复议直接起诉）", "LIT_R": "行政诉讼（复议后起诉）"}
_LABEL_NUMBER = re.compile(r"^(\([一二三四五六七八九十]+\)|\d{1,2}\.)")


def _md_row(cells: list[str] | tuple[str, ...], width: int = 0) -> MdItem:
    cells = [*cells, *[""] * (width - len(cells))]
    return "row", "| " + " | ".join(cells) + " |"


def _md_sep(width: int) -> MdItem:
    return "row", "|" + "---|" * width


def _md_join(items: list[MdItem]) -> str:
    out: list[str] = []
    for i, (kind, text) in enumerate(items):
        if i:
            out.append("\n" if kind == "row" and items[i - 1][0] == "row" else "\n\n")
        out.append(text)
    return "".join(out)


def _wrap(text: str, width: int) -> list[str]:
    text = text.replace("\n", "")
    return [text[i:i + width] for i in range(0, len(text), width)] or [""]


def _md_grid(t: TableBlock) -> list[MdItem]:
    """Printed cells as markdown rows of one width, a separator under the first row."""
    width = max(len(row) for row in t.rows)
    items: list[MdItem] = []
    for i, row in enumerate(t.rows):
        items.append(_md_row([c.text.replace("\n", "") for c in row], width))
        if i == 0:
            items.append(_md_sep(width))
    return items


def _md_displaced_t3(t: TableBlock) -> list[MdItem]:
    """Numbers as label-less markdown rows; labels as loose lines wrapped as in their narrow cells, a
    row label's first line above its numbers and the rest below, a merged group label's lines in the
    middle of the rows it spans; a page break (its page number alone, a separator under the first row of
    the next page) in the middle of the table."""
    heads = [row for row in t.rows if not any(c.numeric for c in row)]
    data = [row for row in t.rows if any(c.numeric for c in row)]
    ncols = max(sum(1 for c in row if c.numeric) for row in data)
    items: list[MdItem] = []
    for i, row in enumerate(heads):
        labels = [c.text.replace("\n", "") for c in row if c.text]
        if i == 0:  # the 勾稽 note and 申请人情况 sit outside the converted table
            items.extend(("para", f) for lab in labels for f in _wrap(lab, 22))
            continue
        items.append(_md_row(labels, ncols))
        if i == 1:
            items.append(_md_sep(ncols))
    pending: dict[int, list[str]] = {}  # data row -> group label lines printed after its numbers
    page_break = len(data) // 2
    for r, row in enumerate(data):
        before: list[str] = []
        after: list[str] = []
        for c in row:
            if c.numeric:
                continue
            if c.rowspan > 1:
                frags = _wrap(c.text, 4)
                first = r + max(0, (c.rowspan - len(frags)) // 2)
                for k, f in enumerate(frags):
                    pending.setdefault(min(first + k, r + c.rowspan - 1), []).append(f)
            else:
                frags = _wrap(c.text, 14 if c.colspan > 1 else 10)
                before.append(frags[0])
                after.extend(frags[1:])
        if r == page_break:
            items.append(("para", "3"))  # the page number, alone on its line
        items.extend(("para", f) for f in before)
        items.append(_md_row([c.text for c in row if c.numeric]))
        if r == page_break:
            items.append(_md_sep(ncols))
        items.extend(("para", f) for f in [*after, *pending.pop(r, [])])
    return items


def _llm_label(text: str) -> str:
    """"(一)予以公开" -> "(一) 予以公开", "1.属于国家秘密" -> "1. 属于国家秘密"."""
    return _LABEL_NUMBER.sub(r"\1 ", text.replace("\n", ""))


def _md_llm_t2(t: TableBlock) -> list[MdItem]:
    items: list[MdItem] = []
    header_next = False
    for row in t.rows:
        if len(row) == 1 and not row[0].numeric:  # 第二十条第（X）项 heads each block
            items.append(("para", f"### {row[0].text}"))
            header_next = True
            continue
        items.append(_md_row([c.text.replace("\n", "") for c in row]))
        if header_next:
            items.append(_md_sep(len(row)))
            header_next = False
    return items


def _md_llm_t3(t: TableBlock) -> list[MdItem]:
    """Each row, or each group of rows, as its own small table under a ### heading, with generic
    column headers; one repeated header with wrong column names inside the first group's table."""
    items: list[MdItem] = []
    group_left = 0
    wrong_header_done = False
    for row in t.rows:
        if not any(c.numeric for c in row):
            continue  # the statutory header rows: an LLM writes its own
        labels = [c for c in row if not c.numeric]
        nums = [c.text for c in row if c.numeric]
        width = 1 + len(nums)
        header = _MD_GENERIC_HEADER if width == len(_MD_GENERIC_HEADER) else ("类别", *[f"数据{i}" for i in range(1, width)])
        for c in labels[:-1]:
            if c.rowspan > 1 and "办理结果" in c.text:
                items.append(("para", f"### {c.text}"))
            elif c.rowspan > 1:
                items += [("para", f"### {_llm_label(c.text)}"), _md_row(header), _md_sep(width)]
                group_left = c.rowspan
        label = _llm_label(labels[-1].text)
        if group_left == 0:
            items += [("para", f"### {label}"), _md_row(header), _md_sep(width)]
        items.append(_md_row([label, *nums]))
        if group_left:
            group_left -= 1
            if group_left == 4 and not wrong_header_done and width == len(_MD_WRONG_HEADER):
                items.append(_md_row(_MD_WRONG_HEADER))
                wrong_header_done = True
    return items


def _md_llm_t4(t: TableBlock, style: Style, shift: int) -> list[MdItem]:
    """Three five-column tables under ### headings, not necessarily in the statutory order."""
    vals = [c.text for c in t.rows[-1]]
    outcomes = [_convert_text(o, style) for _, o, _ in T4_OUTCOMES]
    groups = [g for g, _ in T4_GROUPS]
    order = groups[shift % 3:] + groups[:shift % 3]
    items: list[MdItem] = []
    for g in order:
        i = groups.index(g) * 5
        items += [("para", f"### {_convert_text(_MD_T4_HEADINGS[g], style)}"), _md_row(outcomes), _md_sep(5),
                  _md_row(vals[i:i + 5])]
    return items


def _markdown_table(t: TableBlock, style: Style, report: Report) -> str:
    if style.text_layout == "md-displaced":
        items = _md_displaced_t3(t) if t.name == "t3" else _md_grid(t)
    elif t.name == "t2":
        items = _md_llm_t2(t)
    elif t.name == "t3":
        items = _md_llm_t3(t)
    elif t.name == "t4":
        items = _md_llm_t4(t, style, report.year or 0)
    else:
        items = _md_grid(t)
    return _md_join(items)


def _meta_header(report: Report) -> list[str]:
    """What a crawler writes above the article: source, page title, publication date, address."""
    y = (report.year or 2023) + 1
    url = f"https://www.example.gov.cn/zwgk/zfxxgk/zfxxgknb/{y}01/t{y}0131_{80000 + len(report_title(report))}.htm"
    return [f"# source: {url}", f"标题:{report_title(report)}", f"发布时间:{y}-01-31", f"原文链接:{url}"]


def _crawl_line(blocks: list[Block], report: Report) -> str:
    """The article as a crawler stores it: one line, every table flattened into the running text,
    a row's numbers run together with a stray space here and there (the same places for the same
    report), labels straight after the digits of the row before."""
    rnd = random.Random(f"crawl:{report.source}:{report.year}")
    parts: list[str] = []
    for b in blocks:
        if isinstance(b, Para):
            parts.append(b.text.replace("\n", ""))
            continue
        for row in b.rows:
            for c in row:
                text = c.text.replace("\n", "")
                if c.numeric:
                    parts.append((" " if rnd.random() < 0.15 else "") + text)
                else:
                    parts.append(text + (" " if rnd.random() < 0.1 else ""))
    return "".join(parts)


def render_text(report: Report, style: Style | str = "text-lines") -> str:
    """The report as plain text, as crawlers and converters produce it."""
    st = _style(style)
    blocks = report_blocks(report, st)
    layout = st.text_layout
    sep = "\n" if layout in ("pipes", "pipes-bare") else "\n\n"
    out: list[str] = []
    if st.meta_header:
        out += _meta_header(report)
    if st.chrome:
        out += ["今天是:", _convert_text("欢迎访问本网站 无障碍浏览 长者模式", st),
                _convert_text("当前位置: 网站首页 > 政府信息公开年报 > 正文", st)]
    if layout == "crawl":
        return sep.join([*out, _crawl_line(blocks, report)]) + "\n"
    for b in blocks:
        if isinstance(b, TableBlock):
            if layout in ("md-displaced", "md-llm"):
                out.append(_markdown_table(b, st, report))
                continue
            rows = _text_rows(b, st)
            out.extend(r.rstrip("\n") for r in rows)
        elif layout == "md-llm" and b.role in ("title", "heading"):
            out.append(("# " if b.role == "title" else "## ") + b.text)
        else:
            out.append(b.text)
    return sep.join(out) + "\n"


# ------------------------------------------------------------------ DOCX
def render_docx(report: Report, style: Style | str = "docx") -> bytes:
    """The report as a Word document with real merged cells (gridSpan / vMerge)."""
    import docx
    from docx.enum.text import WD_ALIGN_PARAGRAPH

    st = _style(style)
    doc = docx.Document()
    for b in report_blocks(report, st):
        if isinstance(b, Para):
            p = doc.add_paragraph(b.text)
            if b.role == "title":
                p.alignment = WD_ALIGN_PARAGRAPH.CENTER
            if b.role in ("title", "heading") and p.runs:
                p.runs[0].bold = True
            continue
        table = doc.add_table(rows=0, cols=b.width)
        if st.borders:
            table.style = "Table Grid"
        _fill_docx_table(table._tbl, b)
    buf = io.BytesIO()
    doc.save(buf)
    return buf.getvalue()


def _fill_docx_table(tbl: Any, block: TableBlock) -> None:
    """Write the rows as WordprocessingML: gridSpan for column merges, vMerge for row merges."""
    from docx.oxml import OxmlElement
    from docx.oxml.ns import qn

    def el(tag: str, **attrs: str):
        e = OxmlElement(tag)
        for k, v in attrs.items():
            e.set(qn(f"w:{k}"), v)
        return e

    starts: dict[tuple[int, int], TCell] = {}
    covered: dict[tuple[int, int], TCell] = {}  # grid slots continuing a vertical merge
    for r, c, cell in block.placed():
        starts[(r, c)] = cell
        for dr in range(1, cell.rowspan):
            covered[(r + dr, c)] = cell
    for r in range(len(block.rows)):
        tr = el("w:tr")
        c = 0
        while c < block.width:
            cell = starts.get((r, c)) or covered.get((r, c))
            tc = el("w:tc")
            tcpr = el("w:tcPr")
            tc.append(tcpr)
            span = cell.colspan if cell else 1
            if span > 1:
                tcpr.append(el("w:gridSpan", val=str(span)))
            if cell is not None and cell.rowspan > 1 and (r, c) in starts:
                tcpr.append(el("w:vMerge", val="restart"))
            elif (r, c) in covered:
                tcpr.append(el("w:vMerge"))
            texts = cell.text.split("\n") if cell is not None and (r, c) in starts else [""]
            for text in texts:
                p = el("w:p")
                if text:
                    run = el("w:r")
                    t = el("w:t")
                    t.text = text
                    t.set("{http://www.w3.org/XML/1998/namespace}space", "preserve")
                    run.append(t)
                    p.append(run)
                tc.append(p)
            tr.append(tc)
            c += span
        tbl.append(tr)


# ------------------------------------------------------------------ bytes
def render_bytes(report: Report, style: Style | str) -> bytes:
    """The file a style describes, encoded as it says (what a parser reads)."""
    st = _style(style)
    if st.kind == "docx":
        return render_docx(report, st)
    text = render_html(report, st) if st.kind == "html" else render_text(report, st)
    if st.encoding == "utf-8-sig":
        return b"\xef\xbb\xbf" + text.encode("utf-8")
    return text.encode(st.encoding)


def _style(style: Style | str) -> Style:
    if isinstance(style, Style):
        return style
    try:
        return STYLES[style]
    except KeyError:
        raise ValueError(f"unknown render style {style!r}; known: {', '.join(STYLES)}") from None


__all__ = [
    "DOCX_STYLES",
    "HTML_STYLES",
    "STYLES",
    "TEXT_STYLES",
    "Block",
    "Para",
    "Style",
    "TCell",
    "TableBlock",
    "cell_text",
    "place_cells",
    "render_bytes",
    "render_docx",
    "render_html",
    "render_text",
    "report_blocks",
]
