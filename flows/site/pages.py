"""HTML of the site: every string from a report escaped, one self-contained stylesheet, relative links
only (the site works from a folder, a bucket or a web server), readable on a phone; Chinese first,
English where the catalogue has it.

Where pages live (relative to the docs root; the GX validation pages stay under ``sites/``)::

    index.html                      landing page of the latest run
    site/regions.html               provinces; site/g/<id>[-<n>].html one page per region node
    site/bodies-<n>.html            every body, failures first; site/b/<hh>/<id>.html one page per body
    site/years.html                 site/y/<year>[-<n>].html reports of a year that did not pass
    site/rules.html                 site/rule/<slug>[-<n>].html one page per rule
    site/r/<hh>/<id>.html           the evidence view of a report that did not pass
    site/changes.html, site/files.html, site/reviewed.html, site/search.html, site/downloads.html
    site/assets/                    site.css, search.js, charts/<hash>.svg
    site/data/<run>/                CSV, XLSX, Parquet downloads
"""

from __future__ import annotations

import functools
import html
from collections.abc import Iterable, Sequence
from typing import Any
from urllib.parse import quote

from flows.site.model import (
    READ_EN,
    READ_ZH,
    STATUS_EN,
    STATUS_ZH,
    STATUSES,
    TABLE_ZH,
    FindingGroup,
    Region,
    ReportRow,
    RuleStat,
    dismissed,
    group_findings,
    is_failure,
    rule_slug,
    sha,
    where,
    where_en,
)

LANDING = "index.html"
CSS_PATH = "site/assets/site.css"
SEARCH_JS = "site/assets/search.js"
PAGEFIND_DIR = "site/pagefind/"
PER_PAGE = 200  # rows of reports per list page
BODIES_PER_PAGE = 400


# ------------------------------------------------------------------------------------------ paths
def report_path(r: ReportRow) -> str:
    i = r.page_id
    return f"site/r/{i[:2]}/{i}.html"


def body_path(body_key: str) -> str:
    i = sha(body_key)
    return f"site/b/{i[:2]}/{i}.html"


def region_path(path: Sequence[str], page: int = 1) -> str:
    i = sha("/".join(path) or "?", 12)
    return f"site/g/{i}{'' if page == 1 else f'-{page}'}.html"


def year_path(year: Any, page: int = 1) -> str:
    y = str(year) if year is not None else "unknown"
    return f"site/y/{y}{'' if page == 1 else f'-{page}'}.html"


def rule_path(rule: str, page: int = 1) -> str:
    return f"site/rule/{rule_slug(rule)}{'' if page == 1 else f'-{page}'}.html"


def bodies_path(page: int = 1) -> str:
    return f"site/bodies-{page}.html"


@functools.lru_cache(maxsize=65536)
def _dir_parts(path: str) -> tuple[str, ...]:
    return tuple(path.split("/")[:-1])


def rel(frm: str, to: str) -> str:
    """Relative URL from the page ``frm`` to ``to`` (both relative to the docs root, no ``..``),
    percent-encoded."""
    a_, b_ = _dir_parts(frm), to.split("/")
    i = 0
    while i < len(a_) and i < len(b_) - 1 and a_[i] == b_[i]:
        i += 1
    r = "../" * (len(a_) - i) + "/".join(b_[i:])
    return quote(r, safe="/#.-_~") if not r.isascii() or " " in r or "%" in r else r


def e(v: Any) -> str:
    return html.escape("" if v is None else str(v), quote=True)


def a(frm: str, to: str | None, text: str, cls: str = "") -> str:
    if not to:
        return e(text)
    c = f' class="{cls}"' if cls else ""
    return f'<a href="{rel(frm, to)}"{c}>{e(text)}</a>'


def ext(url: str | None, text: str) -> str:
    if not url:
        return ""
    return f'<a href="{e(url)}" rel="noopener noreferrer">{e(text)}</a>'


def badge(status: str) -> str:
    return f'<span class="st st-{e(status)}">{e(STATUS_ZH.get(status, status))}<small> {e(STATUS_EN.get(status, ""))}</small></span>'


def fmt(v: Any) -> str:
    if isinstance(v, float) and v.is_integer():
        return str(int(v))
    return "" if v is None else str(v)


def pct(n: int, d: int) -> str:
    return f"{100 * n / d:.1f}%" if d else "—"


# ------------------------------------------------------------------------------------------ layout
CSS = """
:root{--fail:#b00020;--verify:#b35c00;--warn:#8a6d00;--ok:#1b6e20;--muted:#666;--line:#ddd;--bg:#fafafa}
*{box-sizing:border-box}
body{font-family:"Noto Sans CJK SC","Noto Sans SC","PingFang SC","Microsoft YaHei",system-ui,sans-serif;margin:0;
color:#1d1d1d;line-height:1.5;background:#fff}
header.top{background:#20323f;color:#fff;padding:.6rem 1rem}
header.top a{color:#fff;text-decoration:none;margin-right:.9rem;white-space:nowrap;display:inline-block}
header.top .brand{font-weight:700;margin-right:1.2rem}
main{padding:1rem;max-width:1200px;margin:0 auto}
h1{font-size:1.35rem;margin:.4rem 0 .8rem}h2{font-size:1.12rem;margin:1.6rem 0 .5rem;border-bottom:1px solid var(--line)}
h3{font-size:1rem;margin:1.1rem 0 .4rem}
small,.muted{color:var(--muted)}
.wrap{overflow-x:auto;-webkit-overflow-scrolling:touch}
table{border-collapse:collapse;margin:.4rem 0;font-size:.92rem}
td,th{border:1px solid var(--line);padding:.25rem .5rem;text-align:left;vertical-align:top}
th{background:#f1f3f5}td.n,th.n{text-align:right;font-variant-numeric:tabular-nums}
.st{display:inline-block;padding:0 .35rem;border-radius:3px;font-size:.85rem;white-space:nowrap}
.st small{color:inherit;opacity:.8}
.st-fail{background:#fde7ea;color:var(--fail)}.st-verify{background:#fff0e0;color:var(--verify)}
.st-unreadable{background:#f3ecff;color:#5b2a86}.st-not_checked{background:#eef;color:#334}
.st-warn{background:#fff8d6;color:var(--warn)}.st-pass{background:#e6f4e7;color:var(--ok)}
.st-dismissed{background:#eee;color:#555;text-decoration:line-through}.st-error{background:#fce4ec;color:#880e4f}
.cards{display:flex;flex-wrap:wrap;gap:.6rem;margin:.6rem 0}
.card{border:1px solid var(--line);border-radius:6px;padding:.5rem .8rem;min-width:8.5rem;background:var(--bg)}
.card b{display:block;font-size:1.5rem}.card a{text-decoration:none;color:inherit}
.crumbs{font-size:.9rem;margin-bottom:.4rem}
.pager{margin:.8rem 0}.pager a,.pager b{margin-right:.5rem}
.evidence td.c{text-align:right;font-variant-numeric:tabular-nums;min-width:2.6rem}
.evidence td.bad{background:#fde7ea;outline:2px solid var(--fail);font-weight:700}
.evidence td.inv{background:#fff4f5}
.evidence td.likely{outline:3px dashed var(--fail)}
.evidence td.ocr{font-style:italic;background:#f3ecff}
.evidence tr.pos td.lab::after{content:" ·位";color:var(--verify);font-size:.8rem}
.evidence tr.amb td.lab::after{content:" ·多读法";color:#5b2a86;font-size:.8rem}
.evidence .sugg{display:block;color:var(--fail);font-size:.8rem;font-weight:400}
.legend span{display:inline-block;margin-right:.8rem;font-size:.85rem;padding:0 .3rem}
.finding{border-left:4px solid var(--line);padding:.3rem .6rem;margin:.5rem 0;background:var(--bg)}
.finding.fail{border-color:var(--fail)}.finding.warn{border-color:var(--warn)}.finding.dism{opacity:.65}
.likely-box{border:2px dashed var(--fail);padding:.5rem .8rem;border-radius:6px;margin:.6rem 0}
.note{background:#f3ecff;padding:.4rem .7rem;border-radius:4px}
img.crop{max-width:100%;border:1px solid var(--line);display:block;margin:.3rem 0}
img.chart{max-width:100%;height:auto}
#search input{font-size:1rem;padding:.4rem;width:min(100%,28rem)}
#results li{margin:.3rem 0}
footer{color:var(--muted);font-size:.85rem;padding:1rem;border-top:1px solid var(--line);margin-top:2rem}
@media (max-width:600px){main{padding:.6rem}td,th{padding:.2rem .3rem;font-size:.85rem}h1{font-size:1.15rem}}
"""

NAV = (("首页", "Home", LANDING), ("地区", "Regions", "site/regions.html"), ("机关", "Bodies", bodies_path(1)),
       ("年度", "Years", "site/years.html"), ("规则", "Rules", "site/rules.html"),
       ("变化", "Changes", "site/changes.html"), ("下载", "Downloads", "site/downloads.html"),
       ("搜索", "Search", "site/search.html"))


def page(path: str, title: str, body: str, *, search: bool = False, index: bool = False) -> bytes:
    """A whole page. ``index`` marks the main content for pagefind (body pages only)."""
    nav = "".join(f'<a href="{rel(path, to)}">{zh} <small>{en}</small></a>' for zh, en, to in NAV)
    main_attr = " data-pagefind-body" if index else ""
    script = f'<script src="{rel(path, SEARCH_JS)}" defer></script>' if search else ""
    return (f'<!DOCTYPE html>\n<html lang="zh-CN"><head><meta charset="utf-8">'
            f'<meta name="viewport" content="width=device-width, initial-scale=1">'
            f'<title>{e(title)} · nianbao-audit</title><link rel="stylesheet" href="{rel(path, CSS_PATH)}">{script}'
            f'</head><body><header class="top"><span class="brand">年报勾稽检查 nianbao-audit</span>{nav}</header>'
            f'<main{main_attr}>{body}</main>'
            f'<footer>政府信息公开工作年度报告 勾稽关系检查 · audit of the annual reports on government information '
            f'disclosure against the statutory table arithmetic (国办公开办函〔2019〕60号, 〔2021〕30号)</footer>'
            f"</body></html>\n").encode()


def pager(frm: str, pages: int, current: int, path_of) -> str:
    if pages <= 1:
        return ""
    items = []
    for n in range(1, pages + 1):
        if n == current:
            items.append(f"<b>{n}</b>")
        elif n <= 3 or n > pages - 2 or abs(n - current) <= 2:
            items.append(f'<a href="{rel(frm, path_of(n))}">{n}</a>')
        elif items and items[-1] != "…":
            items.append("…")
    return f'<nav class="pager">页 page: {" ".join(items)}</nav>'


def table(head: Sequence[str], rows: Iterable[str], empty: str = "无 / none") -> str:
    rows = list(rows)
    if not rows:
        return f"<p class=\"muted\">{e(empty)}</p>"
    th = "".join(f"<th{' class=n' if h.startswith('#') else ''}>{e(h.lstrip('#'))}</th>" for h in head)
    return f'<div class="wrap"><table><thead><tr>{th}</tr></thead><tbody>{"".join(rows)}</tbody></table></div>'


def status_cards(frm: str, counts: dict[str, int], total: int, link: dict[str, str] | None = None) -> str:
    cards = [f'<div class="card">报告 reports<b>{total}</b></div>']
    for s in STATUSES:
        if counts.get(s) or s in ("fail", "verify", "unreadable", "not_checked", "pass"):
            inner = f'{badge(s)}<b>{counts.get(s, 0)}</b>'
            to = (link or {}).get(s)
            cards.append('<div class="card">' + (f'<a href="{rel(frm, to)}">{inner}</a>' if to else inner)
                         + "</div>")
    return f'<div class="cards">{"".join(cards)}</div>'


def region_links(frm: str, region: Region) -> str:
    if not region.path:
        return a(frm, region_path(()), "未知地区 unknown region")
    parts = [a(frm, region_path(region.path[:i + 1]), name) for i, name in enumerate(region.path)]
    how = {"owners": "（据负责人名册 from the owners registry）", "name": "（据机关名称推断 from the body name）"}
    return " › ".join(parts) + f' <small>{e(how.get(region.how, ""))}</small>'


def likely_text(r: ReportRow) -> str:
    out = []
    for d in r.summary.get("likely_cells") or []:
        if d.get("unique"):
            out.append(f"{d.get('label', '')} {fmt(d.get('printed'))}→{fmt(d.get('value'))}")
    return "；".join(out)


def report_row(frm: str, r: ReportRow, *, show_body: bool = True, show_region: bool = False) -> str:
    link = report_path(r) if r.status != "pass" else None
    cells = []
    if show_body:
        cells.append(f"<td>{a(frm, body_path(r.body_key), r.body or '（未识别机关）')}</td>")
    cells.append(f"<td>{e(r.year or '?')}</td><td>{badge(r.status)}</td>")
    if show_region:
        cells.append(f"<td>{e(r.region.label)}</td>")
    nd = sum(1 for f in r.findings if is_failure(f) and dismissed(f))
    nf = sum(1 for f in r.findings if f.get("status") == "violated")
    cells.append(f'<td class="n">{nf}{f" ({nd} dismissed)" if nd else ""}</td>')
    cells.append(f"<td>{e('、'.join(r.fail_rules))}</td><td>{e(likely_text(r))}</td>")
    cells.append(f"<td>{a(frm, link, '证据 evidence') if link else ''}</td>")
    return "<tr>" + "".join(cells) + "</tr>"


REPORT_HEAD = ("机关 body", "年度 year", "结果 status", "#问题 findings", "未通过规则 failing rules",
               "可能出错的单元格 likely wrong cell", "")


def report_list(frm: str, rows: Sequence[ReportRow], *, show_body: bool = True, show_region: bool = False) -> str:
    head = list(REPORT_HEAD)
    if not show_body:
        head.pop(0)
    if show_region:
        head.insert(3 if show_body else 2, "地区 region")
    return table(head, (report_row(frm, r, show_body=show_body, show_region=show_region) for r in rows))


# ------------------------------------------------------------------------------------------ evidence
def _cell_ids(r: ReportRow) -> tuple[set[str], set[str], dict[str, Any]]:
    """(target cells of violated findings, other cells they read, likely cell id -> likely dict)."""
    bad, inv, likely = set(), set(), {}
    for f in r.findings:
        if f.get("status") != "violated" or dismissed(f):
            continue
        for c in f.get("cells") or []:
            cid = c.get("cell")
            if not cid:
                continue
            if c.get("row") == f.get("row") and c.get("column") == f.get("column"):
                bad.add(cid)
            else:
                inv.add(cid)
    for d in r.summary.get("likely_cells") or []:
        if d.get("unique") and d.get("cell"):
            likely[d["cell"]] = d
    return bad, inv - bad, likely


def _td(cid: str, cell: dict[str, Any] | None, bad: set[str], inv: set[str], likely: dict[str, Any]) -> str:
    if cell is None:
        return '<td class="c muted">—</td>'
    cls = ["c"]
    if cid in bad:
        cls.append("bad")
    elif cid in inv:
        cls.append("inv")
    if cid in likely:
        cls.append("likely")
    if cell.get("read") == "ocr":
        cls.append("ocr")
    raw = cell.get("raw")
    shown = raw if raw not in (None, "") else fmt(cell.get("value"))
    read = cell.get("read") or "exact"
    prov = cell.get("prov") or {}
    tip = READ_ZH.get(read, read) + " / " + READ_EN.get(read, read) + (f"，第 {prov['page']} 页" if prov.get("page") else "")
    sugg = f'<span class="sugg">应为 {e(fmt(likely[cid].get("value")))}?</span>' if cid in likely else ""
    return f'<td class="{" ".join(cls)}" title="{e(tip)}">{e(shown)}{sugg}</td>'


def draw_tables(r: ReportRow, cells: dict[str, Any] | None) -> str:
    """Tables 三, 四 and 二 as printed, the failing cells highlighted, the likely cell and its value."""
    from parsers.layout import (
        T2_COL_LABELS,
        T2_ROW_LABELS,
        T3_COL_LABELS,
        T3_ROWS_BY_KEY,
        T4_GROUPS,
        T4_OUTCOMES,
    )

    if not cells:
        return ('<p class="note">本报告的单元格未保存（在单元格存储启用之前审核），表格未绘出；问题及其单元格见上。'
                " / The report's cells are not stored (audited before the cell store existed): the findings "
                "above name each cell.</p>")
    bad, inv, likely = _cell_ids(r)
    tables = cells.get("tables") or {}
    out = ['<p class="legend"><span style="background:#fde7ea;outline:2px solid #b00020">未通过的单元格 failing cell</span>'
           '<span style="background:#fff4f5">参与计算 read by the rule</span>'
           '<span style="outline:2px dashed #b00020">可能出错 likely wrong</span>'
           '<span class="st-unreadable"><i>OCR</i></span><span>·位 = 按位置读取 placed by position</span>'
           '<span>·多读法 = 数字连写 several readings</span></p>']
    t3 = tables.get("table3") or {}
    if t3.get("rows"):
        cols = t3.get("columns") or list(T3_COL_LABELS)
        labels = t3.get("labels") or {}
        pos = set(t3.get("by_position") or [])
        amb = set((t3.get("ambiguous") or {}).keys())
        head = "".join(f"<th>{e(T3_COL_LABELS.get(c, c))}</th>" for c in cols)
        rows = []
        for key, row in t3["rows"].items():
            label = labels.get(key) or (T3_ROWS_BY_KEY[key].label if key in T3_ROWS_BY_KEY else key)
            cls = " ".join(c for c, on in (("pos", key in pos), ("amb", key in amb)) if on)
            tds = "".join(_td(f"t3.{key}.{c}", row.get(c), bad, inv, likely) for c in cols)
            rows.append(f'<tr class="{cls}"><td class="lab">{e(label)}</td>{tds}</tr>')
        out.append(f'<h3>表三 收到和处理政府信息公开申请情况 <small>table 三 ({e(t3.get("status"))})</small></h3>'
                   f'<div class="wrap"><table class="evidence"><thead><tr><th></th>{head}</tr></thead>'
                   f'<tbody>{"".join(rows)}</tbody></table></div>')
    elif t3:
        out.append(f"<h3>表三 <small>table 三</small></h3><p class=\"muted\">{e(t3.get('status'))}</p>")
    t4 = tables.get("table4") or {}
    if t4.get("cells"):
        c4 = t4["cells"]
        head = "".join(f"<th>{e(ol)}</th>" for _, ol, _ in T4_OUTCOMES)
        rows4 = "".join(f'<tr><td class="lab">{e(gl)}</td>'
                        + "".join(_td(f"t4.{g}_{o}", c4.get(f"{g}_{o}"), bad, inv, likely) for o, _, _ in T4_OUTCOMES)
                        + "</tr>" for g, gl in T4_GROUPS)
        out.append(f'<h3>表四 行政复议和行政诉讼情况 <small>table 四 ({e(t4.get("status"))})</small></h3>'
                   f'<div class="wrap"><table class="evidence"><thead><tr><th></th>{head}</tr></thead>'
                   f"<tbody>{rows4}</tbody></table></div>")
    t2 = tables.get("table2") or {}
    if t2.get("rows"):
        amb = set((t2.get("ambiguous") or {}).keys())
        rows = []
        for key, row in t2["rows"].items():
            tds = "".join(f"<td><small>{e(T2_COL_LABELS.get(c, c))}</small></td>"
                          + _td(f"t2.{key}.{c}", cell, bad, inv, likely) for c, cell in row.items())
            cls = "amb" if key in amb else ""
            rows.append(f'<tr class="{cls}"><td class="lab">{e(T2_ROW_LABELS.get(key, key))}</td>{tds}</tr>')
        unit = f"（金额单位 {e(t2.get('amount_unit'))}）" if t2.get("amount_unit") else ""
        out.append(f'<h3>表二 主动公开政府信息情况 <small>table 二 ({e(t2.get("status"))})</small>{unit}</h3>'
                   f'<div class="wrap"><table class="evidence"><tbody>{"".join(rows)}</tbody></table></div>')
    return "".join(out)


def _finding_html(frm: str, g: FindingGroup, crops: dict[str, str]) -> str:
    if g.kind == "violated":
        f = g.findings[0]
        rv = f.get("review") or {}
        dis = dismissed(f)
        cls = "finding " + ("dism " if dis else "") + ("fail" if f.get("severity") == "fail" else "warn")
        read = f.get("read") or "exact"
        verify = ("<br><b>请先核实读取</b> verify the reading first: the cells were "
                  f"{e(READ_EN.get(read, read))}" if read != "exact" and f.get("severity") == "fail" else "")
        review = ""
        if rv:
            review = (f'<br><span class="st st-{"dismissed" if dis else "fail"}">复核 review: '
                      f'{e(rv.get("decision"))}</span> {e(rv.get("by"))} {e(rv.get("at"))}：{e(rv.get("reason"))}')
        target = next((c for c in f.get("cells") or [] if c.get("row") == f.get("row")
                       and c.get("column") == f.get("column") and c.get("cell")), None)
        img = ""
        if target is not None and target.get("cell") in crops:
            img = (f'<img class="crop" src="{rel(frm, crops[target["cell"]])}" alt="原文件中的单元格 the printed cell '
                   f'{e(target.get("label"))}" loading="lazy">')
        nums = ""
        if f.get("expected") is not None or f.get("actual") is not None:
            nums = f" · 印为 printed {e(fmt(f.get('actual')))} · 应为 expected {e(fmt(f.get('expected')))}"
        return (f'<div class="{cls}"><b>{a(frm, rule_path(f.get("rule", "")), f.get("rule", ""))}</b> '
                f'{e(f.get("severity"))} · 位置 where: {e(where(f))} <small>{e(where_en(f))}</small>{nums}'
                f'<br>{e(f.get("message_zh"))}<br><small>{e(f.get("message_en"))}</small>'
                f'<br><small>读取 read: {e(READ_ZH.get(read, read))} / {e(READ_EN.get(read, read))}</small>'
                f"{verify}{review}{img}</div>")
    rules = "、".join(a(frm, rule_path(x), x) for x in g.rules)
    items = "".join(f"<li>{e(f.get('message_zh'))} <small>{e(f.get('message_en'))}</small></li>" for f in g.findings)
    return (f'<details class="finding"><summary>{e(g.message_zh)} <small>{e(g.message_en)}</small> — '
            f"{len(g.findings)} 项 items · 规则 rules: {rules}</summary><ul>{items}</ul></details>")


def report_page(r: ReportRow, cells: dict[str, Any] | None, crops: dict[str, str], crop_note: str = "") -> bytes:
    path = report_path(r)
    s = r.summary
    groups = group_findings(r.findings)
    likely = [d for d in s.get("likely_cells") or [] if d.get("unique")]
    lk = "".join(
        f'<div class="likely-box">可能出错的单元格 likely wrong cell: <b>{e(d.get("label"))}</b> '
        f'<small>{e(d.get("label_en"))}</small>：印为 printed <b>{e(fmt(d.get("printed")))}</b>，可能应为 likely '
        f'<b class="st-fail">{e(fmt(d.get("value")))}</b>（满足 satisfies {e("、".join(d.get("rules") or []))}）'
        + ("<br>该单元格按位置或 OCR 读取：请先核实读取 / read by position or OCR: verify the reading first"
           if d.get("verify") else "") + "</div>" for d in likely)
    tables = "；".join(f"{TABLE_ZH.get(t, t)} {e(v.get('status'))} → {e(v.get('check'))}"
                      for t, v in (s.get("tables") or {}).items())
    reading = "".join(
        f"<tr><td>{TABLE_ZH.get(t, t)}</td>" + "".join(f'<td class="n">{int(c.get(k) or 0)}</td>' for k in
                                                      ("exact", "by_position", "ocr", "ambiguous", "unread")) + "</tr>"
        for t, c in (s.get("reading") or {}).items())
    limited = ""
    if s.get("read_limited") or r.status == "unreadable":
        limited = ('<p class="note">部分印出的单元格未能读取或有多种读法，相关规则未检查；这是读取工具的局限，不是报告的错误。'
                   " / Some printed cells could not be read (or have several readings): the rules that need them "
                   f"were not checked. This is the reader's limit, not the report's error. "
                   f"({e('; '.join(s.get('read_limited') or []))})</p>")
    stale = ""
    if r.stale:
        stale = (f'<p class="note">源文件自 {e(r.stale.get("since"))} 起无法获取，显示的是上次的结果 / the source could '
                 f'not be fetched since {e(r.stale.get("since"))}: its last result is shown.</p>')
    links = [a(path, body_path(r.body_key), "本机关的全部报告 all reports of this body")]
    if r.docs_page:
        links.append(a(path, r.docs_page, "GX 验证结果页 GX validation page"))
    if r.source_url:
        links.append(ext(r.source_url, "原文 source document"))
    notes = "".join(f"<li>{e(n.get('message'))}</li>" for n in s.get("notes") or [])
    violated = [g for g in groups if g.kind == "violated"]
    rest = [g for g in groups if g.kind != "violated"]
    body = (
        f'<p class="crumbs">{region_links(path, r.region)}</p>'
        f"<h1>{e(r.body or '（未识别机关）')} · {e(r.year or '?')} {badge(r.status)}</h1>"
        + (f"<p>{e(r.title)}</p>" if r.title else "")
        + f'<p>来源 source: <code>{e(r.object_key)}</code> #{r.report_index} · 格式 format: {e(r.format)}'
        + (f" · 审核于 audited {e(r.audited_at)}" if r.audited_at else "") + "</p>"
        + f"<p>{' · '.join(links)}</p>{stale}{limited}"
        + (f"<p>表格 tables: {tables}</p>" if tables else "")
        + lk
        + "<h2>问题 Findings</h2>"
        + ("".join(_finding_html(path, g, crops) for g in violated) or '<p class="muted">无违反的规则 / no rule violated</p>')
        + "".join(_finding_html(path, g, crops) for g in rest)
        + (f'<p class="muted">{e(crop_note)}</p>' if crop_note else "")
        + "<h2>表格（按印出的样子）Tables as printed</h2>" + draw_tables(r, cells)
        + ("<h2>读取方式 How the cells were read</h2>" + table(
            ("表 table", "#按标签 exact", "#按位置 by position", "#OCR", "#多读法 several readings", "#未读 unread"),
            [reading]) if reading else "")
        + (f"<h3>读取说明 Reader notes</h3><ul>{notes}</ul>" if notes else "")
    )
    return page(path, f"{r.body} {r.year or ''}", body)


# ------------------------------------------------------------------------------------------ rules
def rule_intro(rule: Any) -> str:
    gens = "、".join(rule.generations)
    return (f"<h1>{e(rule.id)} · {e(rule.title_zh)}</h1><p><small>{e(rule.title_en)}</small></p>"
            f"<p>严重性 severity: <b>{e(rule.severity)}</b> · 适用格式 formats: {e(gens)} "
            f"(2019 = 国办公开办函〔2019〕60号, 2021 = 〔2021〕30号) · 表 table: {e(TABLE_ZH.get(rule.table, rule.table))}"
            + (f" · 依据 basis: {e(rule.basis)}" if rule.basis else "") + "</p>"
            f"<p>公式 formula: <code>{e(rule.formula)}</code></p>"
            + (f"<p>{e(rule.description)}</p>" if rule.description else ""))


def stat_rows(counts: dict[Any, list[int]], label=str) -> list[str]:
    return [f"<tr><td>{e(label(k) if k is not None else '?')}</td><td class=n>{n}</td><td class=n>{b}</td>"
            f"<td class=n>{pct(b, n)}</td></tr>" for k, (n, b) in counts.items()]


def citation(run_id: str, run_at: str, version: str, stat: RuleStat | None, source: str) -> str:
    counts = (f"{stat.violated} / {stat.checked} 份报告 reports" if stat else "")
    return (f'<p class="note">引用 cite as: nianbao-audit, 规则 {e(stat.rule if stat else "")} {counts}, '
            f"审核批次 run {e(run_id)} ({e(run_at)}), 规则目录版本 rule catalogue {e(version)}, 数据源 source "
            f"{e(source)}.</p>")


__all__ = [n for n in dir() if not n.startswith("_")]
