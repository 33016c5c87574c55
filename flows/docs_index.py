"""The top page of the published docs: every failing or unreadable report of the source, not only the
ones this run audited, each linked to its Data Docs page (built by the run that last audited it).

Self-contained HTML (inline CSS, no scripts, no external assets); all report text is escaped.
"""

from __future__ import annotations

import html
from typing import Any
from urllib.parse import quote

from flows.state import ERROR, FAILED, NOT_CHECKED, PASSED, UNREADABLE, WARNED, AuditState

CSS = """
body{font-family:"Noto Sans CJK SC","Noto Sans SC","PingFang SC","Microsoft YaHei",sans-serif;margin:2rem;color:#222}
h1{font-size:1.4rem}h2{font-size:1.15rem;margin-top:2rem}
table{border-collapse:collapse;margin:.5rem 0}td,th{border:1px solid #ccc;padding:.25rem .6rem;text-align:left;vertical-align:top}
th{background:#f3f3f3}.num{text-align:right}.failed{color:#b00020}.unreadable{color:#8a5300}.error{color:#6a1b9a}
.muted{color:#777;font-size:.9rem}
"""


def _e(v: Any) -> str:
    return html.escape("" if v is None else str(v))


def _link(page: str | None, text: str) -> str:
    if not page:
        return _e(text)
    return f'<a href="{html.escape(quote(page, safe="/#"))}">{_e(text)}</a>'


def build_index(state: AuditState, summary: Any) -> bytes:
    """HTML bytes of the index. ``summary`` is the run's ``RunSummary``."""
    rows_failed, rows_bad = [], []
    for key, e in sorted(state.objects.items()):
        if e.status == ERROR or (e.status == UNREADABLE and not e.reports):
            rows_bad.append(f'<tr><td>{_e(key)}</td><td class="{e.status}">{_e(e.status)}</td><td>{_e(e.reason)}</td></tr>')
            continue
        if e.status not in (FAILED, UNREADABLE, NOT_CHECKED, WARNED):
            continue
        for r in e.reports:
            if r.get("status") == PASSED:
                continue
            mine = [f for f in e.findings if f.get("report_id") == r["report_id"]]
            n = len(mine)
            gone = sum(1 for f in mine if (f.get("review") or {}).get("decision") == "dismissed")
            rows_failed.append(
                f'<tr><td>{_link(r.get("docs_page"), key)}</td><td>{_e(r.get("report_index"))}</td>'
                f'<td class="{_e(r.get("status"))}">{_e(r.get("status"))}</td>'
                f'<td>{_e(r.get("body"))}</td><td>{_e(r.get("year"))}</td><td>{_e(r.get("format"))}</td>'
                f'<td class="num">{n}{f" ({gone} dismissed)" if gone else ""}</td>'
                f'<td>{_link(r.get("docs_page"), "Data Docs")}</td></tr>')
    reviewed = [
        f'<tr><td>{_e(key)}</td><td>{_e(f.get("rule"))}</td><td><code>{_e(f.get("id"))}</code></td>'
        f'<td class="{"muted" if rv.get("decision") == "dismissed" else "failed"}">{_e(rv.get("decision"))}</td>'
        f'<td>{_e(rv.get("by"))}</td><td>{_e(rv.get("at"))}</td><td>{_e(rv.get("reason"))}</td></tr>'
        for key, e in sorted(state.objects.items()) for f in e.findings if (rv := f.get("review"))]
    rules = "".join(f'<tr><td>{_e(k)}</td><td class="num">{v}</td></tr>' for k, v in summary.findings_per_rule.items())
    s = summary
    parts = [
        "<!DOCTYPE html>", '<html lang="zh-CN"><head><meta charset="utf-8">',
        '<meta name="viewport" content="width=device-width, initial-scale=1">',
        f"<title>nianbao-audit: {_e(s.source)}</title><style>{CSS}</style></head><body>",
        f"<h1>政府信息公开工作年度报告 audit — {_e(s.source)}</h1>",
        f'<p class="muted">run {_e(s.run_id)} · {len(state.objects)} objects in the source · '
        f"this run: {s.audited} audited, {s.unchanged} unchanged, {s.deleted} deleted"
        + (f" · full re-audit: {_e(s.full_reason)}" if s.full_reason else "") + "</p>",
        "<h2>Summary</h2><table>",
        f'<tr><th>objects with failing reports</th><td class="num failed">{s.failed}</td></tr>',
        f'<tr><th>objects with a report the rules could not check</th><td class="num">{s.not_checked}</td></tr>',
        f'<tr><th>objects with warnings only</th><td class="num">{s.warned}</td></tr>',
        f'<tr><th>unreadable objects</th><td class="num unreadable">{s.unreadable}</td></tr>',
        f'<tr><th>objects that could not be fetched or checked</th><td class="num error">{s.errors}</td></tr>',
        "</table>",
        "<h2>Findings per rule</h2>",
        f"<table><tr><th>rule</th><th>findings</th></tr>{rules}</table>" if rules else "<p>No findings.</p>",
        "<h2>Reports with findings</h2>",
        ("<table><tr><th>object</th><th>#</th><th>status</th><th>body</th><th>year</th><th>format</th><th>findings</th><th>page</th></tr>"
         + "".join(rows_failed) + "</table>") if rows_failed else "<p>No report has findings.</p>",
        *(["<h2>Reviewed findings</h2><p class=\"muted\">dismissed: a false positive, not alerted again while "
            "its cells stay the same; accepted: a real error the owner has been told about</p>"
            "<table><tr><th>object</th><th>rule</th><th>finding</th><th>review</th><th>by</th><th>at</th>"
            "<th>reason</th></tr>" + "".join(reviewed) + "</table>"] if reviewed else []),
        "<h2>Unreadable objects and errors</h2>",
        ("<table><tr><th>object</th><th>status</th><th>reason</th></tr>" + "".join(rows_bad) + "</table>")
        if rows_bad else "<p>None.</p>",
        "</body></html>",
    ]
    return "\n".join(parts).encode("utf-8")
