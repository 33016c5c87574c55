"""One digest per owner per run, in words a 政务公开办 clerk acts on: subject, plain text, HTML and
markdown (group robots), Chinese by default, English where the owner asks.

Everything that comes from a report (body names, titles, labels, printed digits) is untrusted: it is
escaped in HTML and neutralised in markdown (no links, no emphasis, no mentions can be injected).
"""

from __future__ import annotations

import html
from dataclasses import dataclass, field
from typing import Any

from flows.alerts.channels import Message
from flows.alerts.items import ERRORS, UNREAD, VERIFY, Item, ReportItems
from flows.alerts.owners import Owner

TEXTS: dict[str, dict[str, str]] = {
    "zh": {
        "product": "政府信息公开工作年度报告核查",
        "subject": "【年报核查】{owner}：{parts}",
        "subject_resolved": "【年报核查】{owner}：{n} 份报告的问题已更正",
        "errors_n": "{n} 处错误",
        "verify_n": "{n} 处需核对",
        "unreadable_n": "{n} 份无法读取",
        "greeting": "{owner}：",
        "intro": "在本次对政府信息公开工作年度报告的自动核查（运行 {run}）中，贵单位发布的以下报告存在问题。"
                 "请按所列单元格核对并更正后重新发布。",
        "intro_en_hint": "",
        "errors": "错误（数字按原文准确读取，勾稽关系不成立）",
        "verify": "需核对（数字按位置、OCR 或连写数字拆分读取，请对照原文核对）",
        "unreadable": "无法读取（不是贵单位的错误）",
        "new": "【新】",
        "likely": "可能出错的单元格：{label}，印为 {printed}，按其他数字应为 {value}",
        "likely_tie": "可能出错的单元格（其一）：{cells}",
        "values": "应为 {expected}，实为 {actual}",
        "cell": "{label} = {value}",
        "read": {"readings": "本项涉及的数字在原文中连写，按所有可能的拆分均不成立",
                 "by_position": "本项涉及的数字按表格位置读取",
                 "ocr": "本项涉及的数字由 OCR 识别"},
        "unread_body": "本报告已发布的文件中，部分统计表未能被机器完整读取（{reason}）。"
                       "我们尝试了：{tried}。这不是对报告的否定；若方便，请发布可复制文字的版本（HTML 表格或带文字层的 PDF）。",
        "tried": {"pdf": "PDF 文字层、表格线识别、无线表格对齐、OCR 文字识别", "html": "HTML 表格与正文文字",
                  "docx": "Word 表格与正文", "text": "逐行文字与连写数字拆分", "": "文字与表格识别"},
        "details": "详情（逐单元格）：{url}",
        "details_link": "查看逐单元格详情",
        "no_page": "（本报告暂无详情页）",
        "report": "{body} {year}年度报告",
        "file": "文件 {key}",
        "report_where": "（{key}{index}）",
        "index": " 第 {n} 份",
        "resolved_intro": "以下报告此前通报的问题在最新版本中已不再出现，感谢更正：",
        "footer": "本邮件由 nianbao-audit 自动生成。如认为某项为误报，请回复说明，核查人员复核后将不再提示。",
        "part": "（{i}/{n}）",
        "unknown_body": "（未识别的发布机关）",
        "unknown_year": "",
    },
    "en": {
        "product": "Audit of annual reports on government information disclosure",
        "subject": "[Annual report audit] {owner}: {parts}",
        "subject_resolved": "[Annual report audit] {owner}: fixed in {n} reports",
        "errors_n": "{n} errors",
        "verify_n": "{n} to verify",
        "unreadable_n": "{n} could not be read",
        "greeting": "To {owner}:",
        "intro": "The automatic audit of annual reports on government information disclosure (run {run}) found "
                 "problems in the reports below. Please check the cells listed, correct them and publish again.",
        "errors": "Errors (numbers read exactly; the statutory arithmetic does not hold)",
        "verify": "To verify (numbers read by position, by OCR or by splitting run-together digits: please check "
                  "against the published file)",
        "unreadable": "Could not be read (not an error of yours)",
        "new": "[new] ",
        "likely": "Likely wrong cell: {label}, printed {printed}, the other numbers imply {value}",
        "likely_tie": "Likely wrong cell (one of): {cells}",
        "values": "expected {expected}, printed {actual}",
        "cell": "{label} = {value}",
        "read": {"readings": "the digits of these cells are printed run together; every way of splitting them fails",
                 "by_position": "these cells were read by their position in the table",
                 "ocr": "these cells were read by OCR"},
        "unread_body": "Some tables of the published file could not be read by machine ({reason}). We tried: {tried}. "
                       "This is not a judgement on the report; if you can, publish a version with selectable text "
                       "(an HTML table or a PDF with a text layer).",
        "tried": {"pdf": "the PDF text layer, ruled-table and borderless-table reading, OCR",
                  "html": "HTML tables and the page text", "docx": "Word tables and text",
                  "text": "line-by-line reading and splitting run-together digits", "": "text and table reading"},
        "details": "Details, cell by cell: {url}",
        "details_link": "Details, cell by cell",
        "no_page": "(no details page for this report yet)",
        "report": "{body} report for {year}",
        "file": "file {key}",
        "report_where": " ({key}{index})",
        "index": " #{n}",
        "resolved_intro": "The problems we reported earlier no longer appear in the latest version of these reports. "
                          "Thank you:",
        "footer": "Sent by nianbao-audit. If you think an item is a false positive, reply and say why: once "
                  "reviewed it will not be sent again.",
        "part": " ({i}/{n})",
        "unknown_body": "(body not recognised)",
        "unknown_year": "?",
    },
}

# Robot markdown has no escapes (企业微信 shows a backslash as is): the characters that could make a
# link, emphasis, code, a quote or a mention become their full-width forms.
_MD_SAFE = str.maketrans({"[": "［", "]": "］", "*": "＊", "`": "＇", "<": "＜", ">": "＞", "@": "＠",
                          "#": "＃", "|": "｜", "\\": "＼", "\r": " ", "\n": " "})


def md(text: Any) -> str:
    """Untrusted text for robot markdown: nothing in it can become markup."""
    return str(text if text is not None else "").translate(_MD_SAFE)


def fmt(v: Any) -> str:
    if isinstance(v, float) and v.is_integer():
        return str(int(v))
    return "（空）" if v is None else str(v)


@dataclass(slots=True)
class Digest:
    owner: Owner
    run_id: str
    reports: list[ReportItems] = field(default_factory=list)
    new: set[str] = field(default_factory=set)  # content keys never sent to this channel before
    resolved: list[ReportItems] = field(default_factory=list)
    links: dict[str, str] = field(default_factory=dict)  # report id -> Data Docs URL

    def count(self, kind: str) -> int:
        return sum(len(r.of({kind})) for r in self.reports)

    @property
    def keys(self) -> set[str]:
        return {i.key for r in self.reports for i in r.items}


def _title(r: ReportItems, t: dict[str, Any]) -> str:
    if r.report_index is None:
        return t["file"].format(key=r.object_key)
    return t["report"].format(body=r.body or t["unknown_body"], year=r.year or t["unknown_year"])


def _where(r: ReportItems, t: dict[str, Any]) -> str:
    if r.report_index is None:
        return ""
    index = t["index"].format(n=r.report_index + 1) if r.report_index else ""
    return t["report_where"].format(key=r.object_key, index=index)


def _item_lines(i: Item, lang: str, t: dict[str, Any], new: bool) -> list[str]:
    """Plain-text lines of one item (the first is the headline)."""
    if i.kind == UNREAD:
        return []
    f = i.finding or {}
    msg = f.get("message_zh" if lang == "zh" else "message_en") or f.get("message_en") or ""
    lines = [f"{t['new'] if new else ''}[{f.get('rule')}] {msg}"]
    likely = f.get("likely")
    if likely:
        label = likely.get("label" if lang == "zh" else "label_en") or likely.get("label") or likely.get("cell")
        lines.append(t["likely"].format(label=label, printed=fmt(likely.get("printed")), value=fmt(likely.get("value"))))
    elif f.get("expected") is not None and f.get("actual") is not None and not f.get("cells"):
        lines.append(t["values"].format(expected=fmt(f.get("expected")), actual=fmt(f.get("actual"))))
    read = f.get("read") or "exact"
    if read != "exact":
        lines.append(t["read"].get(read, read))
        cells = [t["cell"].format(label=c.get("label" if lang == "zh" else "label_en") or c.get("cell"),
                                  value=fmt(c.get("value"))) for c in (f.get("cells") or [])[:8]]
        if cells:
            lines.append("; ".join(cells))
    return lines


def _unread_text(r: ReportItems, i: Item, t: dict[str, Any]) -> str:
    return t["unread_body"].format(reason=i.reason or "?", tried=t["tried"].get(r.file_type, t["tried"][""]))


def render(d: Digest) -> Message:
    """The digest as one message: subject, text, HTML, markdown, and one markdown section per report
    (robots send long digests section by section)."""
    lang = d.owner.lang if d.owner.lang in TEXTS else "zh"
    t = TEXTS[lang]
    owner = d.owner.name
    if d.reports:
        parts = [t[f"{k}_n"].format(n=n) for k in (ERRORS, VERIFY, UNREAD) if (n := d.count(k))]
        subject = t["subject"].format(owner=owner, parts="、".join(parts) if lang == "zh" else ", ".join(parts))
    else:
        subject = t["subject_resolved"].format(owner=owner, n=len(d.resolved))
    text: list[str] = [t["greeting"].format(owner=owner), ""]
    h: list[str] = [f"<p>{html.escape(t['greeting'].format(owner=owner))}</p>"]
    head_md = [f"**{md(t['product'])}**", "", md(t["greeting"].format(owner=owner))]
    sections: list[str] = []
    if d.reports:
        intro = t["intro"].format(run=d.run_id)
        text += [intro, ""]
        h.append(f"<p>{html.escape(intro)}</p>")
        head_md += ["", md(intro)]
    for r in d.reports:
        title = _title(r, t) + _where(r, t)
        link = d.links.get(r.report_id)
        text.append("■ " + title)
        h.append(f"<h3>{html.escape(title)}</h3>")
        sec = [f"### {md(title)}"]
        mark_new = any(i.key not in d.new for i in r.items)  # new among items sent before
        for kind in (ERRORS, VERIFY, UNREAD):
            items = [i for i in r.items if i.kind == kind]
            if not items:
                continue
            text.append(f"  {t[kind]}（{len(items)}）" if lang == "zh" else f"  {t[kind]} ({len(items)})")
            h.append(f"<h4>{html.escape(t[kind])} ({len(items)})</h4><ol>")
            sec.append(f"**{md(t[kind])}（{len(items)}）**" if lang == "zh" else f"**{md(t[kind])} ({len(items)})**")
            for n, i in enumerate(items, 1):
                if kind == UNREAD:
                    body = _unread_text(r, i, t)
                    text.append(f"  {n}. {body}")
                    h.append(f"<li>{html.escape(body)}</li>")
                    sec.append(f"{n}. {md(body)}")
                    continue
                lines = _item_lines(i, lang, t, mark_new and i.key in d.new)
                text.append(f"  {n}. {lines[0]}")
                text += [f"     {x}" for x in lines[1:]]
                h.append("<li>" + "<br>".join(html.escape(x) for x in lines) + "</li>")
                sec.append(f"{n}. {md(lines[0])}" + "".join(f"  \n   {md(x)}" for x in lines[1:]))
            h.append("</ol>")
        details = t["details"].format(url=link) if link else t["no_page"]
        text += [f"  {details}", ""]
        h.append(f'<p><a href="{html.escape(link, quote=True)}">{html.escape(details)}</a></p>' if link
                 else f"<p>{html.escape(details)}</p>")
        # the link is ours (Data Docs), not report text: kept clickable in markdown
        sec.append(f"[{md(t['details_link'])}]({link})" if link else md(t["no_page"]))
        sections.append("\n".join(sec) + "\n\n")
    if d.resolved:
        text += [t["resolved_intro"]] + ["  ✓ " + _title(r, t) + _where(r, t) for r in d.resolved] + [""]
        h.append(f"<p>{html.escape(t['resolved_intro'])}</p><ul>"
                 + "".join(f"<li>{html.escape(_title(r, t) + _where(r, t))}</li>" for r in d.resolved) + "</ul>")
        sections.append(md(t["resolved_intro"]) + "\n" + "".join(f"- {md(_title(r, t) + _where(r, t))}\n"
                                                                 for r in d.resolved) + "\n")
    text.append(t["footer"])
    h.append(f"<p><small>{html.escape(t['footer'])}</small></p>")
    header = "\n".join(head_md) + "\n\n"
    markdown = header + "".join(sections) + md(t["footer"])
    page = ('<!DOCTYPE html><html lang="{}"><head><meta charset="utf-8"><title>{}</title></head><body>{}</body></html>'
            .format(lang, html.escape(subject), "\n".join(h)))
    return Message(subject=subject, text="\n".join(text), html=page, markdown=markdown,
                   sections=[header, *sections])
