"""GX Data Docs of the failing reports: one page per report, an index of failing reports only.

Each page is rendered by GX's ``ValidationResultsPageRenderer`` and ``DefaultJinjaPageView`` from a
per-report ``ExpectationSuiteValidationResult`` derived from the batch result (only the expectations
that did not pass for that report, with that report's findings as details). The HTML is then made
self-contained: every CDN stylesheet and script, the GX logo (a phone-home URL) and the newsletter
footer are removed; a local stylesheet is linked instead. Only failures are rendered, so GX's
"show failed only" toggle (jQuery) is dropped. All report text is HTML-escaped.
"""

from __future__ import annotations

import hashlib
import html
import re
import shutil
import time
from collections import Counter
from pathlib import Path
from typing import Any

from expectations.catalog import implemented_rules
from expectations.cells import TABLE_LABELS
from expectations.findings import (
    NOT_CHECKED,
    UNREADABLE_REPORT,
    UNVERIFIABLE,
    VIOLATED,
    CheckResult,
    Finding,
    ReportResult,
)
from expectations.messages import fmt_num

ASSETS = Path(__file__).with_name("assets")
RENDERED_STATUSES = ("fail", UNREADABLE_REPORT, "warn", UNVERIFIABLE, NOT_CHECKED)
STATUS_ZH = {"fail": "不通过", UNREADABLE_REPORT: "未能完整读取", "warn": "提示", UNVERIFIABLE: "无法确定",
             NOT_CHECKED: "未检查", "pass": "通过", "info": "信息"}
READ_ZH = {"exact": "按标签读取", "by_position": "按位置读取", "ocr": "OCR 识别", "ambiguous": "数字连写有多种读法",
           "unread": "未能读取"}

_EXTERNAL = [
    re.compile(r"<link\b[^>]*href=\"https?://[^\"]*\"[^>]*>\s*", re.I),
    re.compile(r"<script\b[^>]*src=\"https?://[^\"]*\"[^>]*>\s*</script>\s*", re.I),
    re.compile(r"<link\b[^>]*rel=\"shortcut icon\"[^>]*>\s*", re.I),
    re.compile(r"<footer>.*?</footer>", re.S),
    re.compile(r"<script>\s*try \{\s*if \(localStorage.*?</script>", re.S),
    re.compile(r"<script>\s*function showAllValidations.*?</script>", re.S),
]
_CSS_URL = re.compile(r"url\((['\"]?)(https?:)?//[^)]*\)", re.I)
_REF = re.compile(r"(?:src|href|action)\s*=\s*[\"']?(?:https?:)?//|url\((['\"]?)(?:https?:)?//", re.I)
_LOGO = re.compile(r"<img\b[^>]*great-expectations-web-assets[^>]*/?>", re.S)
_ACTIONS = re.compile(r"<div class=\"card mb-3\">\s*<div class=\"card-header p-2\">\s*<strong>Actions</strong>.*?"
                      r"</div>\s*</div>", re.S)


def page_name(report_id: str) -> str:
    return hashlib.sha1(report_id.encode("utf-8")).hexdigest()[:16] + ".html"


# GX boilerplate that does not help a reader: the suite link (GX's suite pages are not published), "Data
# asset: None", and the "Show more info..." block (load time, pandas_data_fingerprint, Batch Parameters
# "dataframe", Batch Spec) whose toggle needs the dropped Bootstrap JavaScript anyway.
_SUITE = re.compile(r'<span class="h6" >Expectation Suite:</span>\s*<a href="[^"]*" >([^<]*)</a><br>\s*'
                    r"(?:Data asset: None<br>)?", re.S)
_MORE_INFO = re.compile(r'<div id="section-1-content-block-3"[^>]*>.*?(</div>\s*</div>\s*)(?=<div id="section-2")', re.S)
# Where the site's landing page is, seen from a batch index (sites/<run>/b<batch>/index.html in the audit).
LANDING_HREF = "../../../index.html"


def drop_boilerplate(page: str, rules_href: str | None = None) -> str:
    """Remove the GX parts listed above; the suite name stays, linked to the site's rule pages."""
    link = f' (<a href="{rules_href}">规则 rules</a>)' if rules_href else ""
    page = _SUITE.sub(lambda m: f'<span class="h6" >Rules:</span> {m.group(1)}{link}<br> ', page)
    page = _MORE_INFO.sub(lambda m: m.group(1), page)
    return page


def make_offline(page: str, index_href: str, css_href: str) -> str:
    """Strip every network reference from a GX page and link the local stylesheet."""
    for rx in _EXTERNAL:
        page = rx.sub("", page)
    page = _ACTIONS.sub("", page)
    page = _CSS_URL.sub("none", page)
    page = _LOGO.sub('<span class="nb-brand">nianbao-audit</span>', page)
    page = re.sub(r"href=\"(\.\./)+index\.html\"", f'href="{index_href}"', page)
    page = page.replace("</head>", f'<link rel="stylesheet" href="{css_href}">\n</head>', 1)
    refs = external_refs(page)
    if refs:
        raise RuntimeError(f"Data Docs page still references the network: {refs[:3]}")
    return page


# A tag with a network reference among its attributes (escaped report text holds no "<" or ">").
_TAG_REF = re.compile(r"<[^<>]*?(?:(?:src|href|action)\s*=\s*[\"']?(?:https?:)?//|url\(['\"]?(?:https?:)?//)[^<>]*>",
                      re.I)


def external_refs(page: str) -> list[str]:
    """Network references left in a page (src/href/action/url() pointing at http(s) or //)."""
    refs = [m.group(0) for tag in _TAG_REF.finditer(page) for m in _REF.finditer(tag.group(0))]
    for style in re.finditer(r"<style[^>]*>(.*?)</style>", page, re.S):
        refs += [m.group(0) for m in _REF.finditer(style.group(1))]
    return refs


def _per_report_suite_result(batch: Any, rr: ReportResult, fs: list[Finding]):
    from great_expectations.core import ExpectationSuiteValidationResult, ExpectationValidationResult
    from great_expectations.core.run_identifier import RunIdentifier

    evrs = []
    for evr in batch.results:
        rid = evr.expectation_config.kwargs["rule_id"]
        mine = [f for f in fs if f.rule == rid]
        if not mine or all(f.status not in (VIOLATED, UNVERIFIABLE, NOT_CHECKED) for f in mine):
            continue
        evrs.append(ExpectationValidationResult(
            success=False, expectation_config=evr.expectation_config,
            result={"observed_value": {"violations": sum(f.status == VIOLATED for f in mine),
                                       "unverifiable": sum(f.status == UNVERIFIABLE for f in mine),
                                       "not_checked": sum(f.status == NOT_CHECKED for f in mine)},
                    "details": {"findings": [_finding_view(f) for f in mine]}}))
    meta = dict(batch.meta)
    meta["run_id"] = RunIdentifier(run_name=rr.report_id, run_time=meta.get("validation_time"))
    return ExpectationSuiteValidationResult(
        success=False, results=evrs, suite_name=batch.suite_name, meta=meta,
        statistics={"evaluated_expectations": len(evrs), "successful_expectations": 0,
                    "unsuccessful_expectations": len(evrs), "success_percent": 0.0})


def _finding_view(f: Finding) -> dict[str, Any]:
    return {"message_zh": f.message_zh, "message_en": f.message_en, "likely": f.likely, "status": f.status}


def _esc(v: Any) -> str:
    return html.escape("" if v is None else str(v), quote=True)


def _report_header(rr: ReportResult, fs: list[Finding], index_href: str, landing_href: str | None = None) -> str:
    """Our own summary block at the top of a page: the report and its failing cells (all escaped)."""
    rows: list[str] = []
    undecided: list[str] = []
    for f in fs:
        if f.status == NOT_CHECKED:
            continue
        target = next((c for c in f.cells if c.get("row") == f.row and c.get("column") == f.column), None)
        label = target["label"] if target else (TABLE_LABELS.get(f.table or "", "") or "—")
        prov = ""
        if target and target.get("prov"):
            p = target["prov"]
            prov = ", ".join(f"{k} {v}" for k, v in p.items() if k in ("line", "page", "table", "row", "col"))
        likely = ""
        if f.likely:
            same = target is not None and f.likely["cell"] == target.get("cell")
            likely = fmt_num(f.likely["value"]) if same else f"{f.likely['label']} → {fmt_num(f.likely['value'])}"
        cls = "nb-likely" if f.likely else ""
        (undecided if f.status == UNVERIFIABLE else rows).append(f'<tr class="{cls}"><td>{_esc(f.rule)}</td><td class="nb-{_esc(f.severity)}">{_esc(f.severity)}'
                    f' / {_esc(f.status)}</td><td>{_esc(label)}</td><td>{_esc(target.get("raw") if target else "")}</td>'
                    f'<td>{_esc(fmt_num(f.expected) if f.expected is not None else "")}</td><td>{_esc(likely)}</td>'
                    f'<td>{_esc(prov)}</td><td>{_esc(f.message_zh)}<br><span class="nb-muted">{_esc(f.message_en)}'
                    f'</span></td></tr>')
    nc = [f for f in fs if f.status == NOT_CHECKED]
    likely = "".join(
        f"<li><b>{_esc(d['label'])}</b>：印为 {_esc(fmt_num(d['printed']))}，可能应为 "
        f"<b class=\"nb-fail\">{_esc(fmt_num(d['value']))}</b>（满足 {_esc('、'.join(d['rules']))}） / "
        f"printed {_esc(fmt_num(d['printed']))}, likely {_esc(fmt_num(d['value']))}</li>"
        for d in rr.likely_cells if d.get("unique"))
    tables = "；".join(f"{TABLE_LABELS[t]} {_esc(v['status'])} → {_esc(v['check'])}" for t, v in rr.tables.items())
    read = "；".join(f"{TABLE_LABELS[t]} " + "、".join(f"{READ_ZH.get(k, k)} {v}" for k, v in c.items() if v)
                    for t, c in rr.reading.items())
    limited = ""
    if rr.read_limited:
        limited = ("<p class=\"nb-warn\">本报告的部分单元格未能读取或有多种读法，相关规则未检查；这是读取工具的局限，"
                   "不是报告的错误。/ Some printed cells could not be read (or have several readings): the rules "
                   f"that need them were not checked. This is the reader's limit, not the report's error. "
                   f"({_esc('; '.join(rr.read_limited))})</p>")
    return (
        f'<section class="nb-report" id="nb-report"><p><a href="{index_href}">← 本批未通过报告 / failing reports of this batch</a>'
        + (f' · <a href="{landing_href}">站点首页 / the site: all reports and statistics</a>' if landing_href else "")
        + "</p>"
        f"<h2>{_esc(rr.body or '（未识别机关）')} · {_esc(rr.year or '')} · "
        f'<span class="nb-{_esc(rr.status)}">{_esc(STATUS_ZH.get(rr.status, rr.status))} / {_esc(rr.status)}</span></h2>'
        f"<p>来源 / source: <code>{_esc(rr.source)}</code> #{rr.report_index} · 格式 / format: {_esc(rr.format)}"
        f" · 表格 / tables: {tables}</p>"
        + (f"<p>读取方式 / how the cells were read: {_esc(read)}</p>" if read else "") + limited
        + (f"<h3>可能出错的单元格 / likely wrong cells</h3><ul>{likely}</ul>" if likely else "")
        + ("<h3>未通过的单元格 / failing cells</h3><table class=\"nb-cells\"><thead><tr><th>规则 rule</th>"
           "<th>严重性 severity</th><th>单元格 cell</th><th>印为 printed</th><th>应为 expected</th>"
           "<th>可能值 likely</th><th>位置 where</th><th>说明 message</th></tr></thead><tbody>"
           + "".join(rows) + "</tbody></table>" if rows else "")
        + ("<details><summary>数字连写有多种读法、无法确定的检查 / checks undecided under the readings of "
           f"run-together digits ({len(undecided)})</summary><table class=\"nb-cells\"><thead><tr><th>规则 rule</th>"
           "<th>严重性 severity</th><th>单元格 cell</th><th>印为 printed</th><th>应为 expected</th>"
           "<th>可能值 likely</th><th>位置 where</th><th>说明 message</th></tr></thead><tbody>"
           + "".join(undecided) + "</tbody></table></details>" if undecided else "")
        + ("<h3>未检查 / not checked</h3><ul>" + "".join(
            f"<li>{_esc(f.message_zh)}<br><span class=\"nb-muted\">{_esc(f.message_en)}</span></li>" for f in nc)
           + "</ul>" if nc else "")
        + "</section>"
    )


def _batch_size(batch: Any) -> int | None:
    """How many reports a GX batch result validated: every rule's observed value counts them."""
    for evr in getattr(batch, "results", None) or []:
        n = ((evr.result or {}).get("observed_value") or {}).get("reports")
        if isinstance(n, int):
            return n
    return None


def report_batches(result: CheckResult, chunk_size: int | None = None) -> list[int]:
    """For each of ``result.report_results`` (in report order), the index in ``result.gx_results`` of the
    batch it was validated in.

    The engine validates consecutive chunks of ``chunk_size`` reports in report order, the last one
    shorter (``expectations.engine.validate``); the size of each batch is read from its own result (every
    rule's observed value counts the reports of its batch), so a run validated with any chunk size maps
    right. Only when a result does not say how many reports it held are the engine's chunks recomputed
    from ``chunk_size`` (default: the engine's)."""
    n = len(result.report_results)
    batches = result.gx_results
    if not batches:
        return [0] * n
    sizes = [_batch_size(b) for b in batches]
    if any(s is None for s in sizes) or sum(sizes) != n:  # type: ignore[arg-type]
        if chunk_size is None:
            import inspect

            from expectations.engine import validate

            chunk_size = int(inspect.signature(validate).parameters["chunk_size"].default)
        sizes = [max(0, min(chunk_size, n - i * chunk_size)) for i in range(len(batches))]
        if sum(sizes) != n:
            raise ValueError(f"{n} report results do not fit {len(batches)} GX batch(es) of {chunk_size}")
    out: list[int] = []
    for i, size in enumerate(sizes):
        out += [i] * int(size)  # type: ignore[arg-type]
    return out


def build_site(result: CheckResult, out_dir: Path, *, landing_href: str | None = LANDING_HREF,
               index_name: str = "index.html") -> Path:
    """Write the site; returns the path of the batch index (``index_name``). Existing ``reports/`` pages
    are replaced. ``landing_href``: the site's landing page relative to the batch index (None: no link)."""
    from great_expectations.render.renderer import ValidationResultsPageRenderer
    from great_expectations.render.view import DefaultJinjaPageView

    t0 = time.perf_counter()
    out_dir.mkdir(parents=True, exist_ok=True)
    pages = out_dir / "reports"
    if pages.exists():
        shutil.rmtree(pages)
    pages.mkdir()
    static = out_dir / "static"
    static.mkdir(exist_ok=True)
    shutil.copyfile(ASSETS / "nianbao.css", static / "nianbao.css")

    by_report: dict[str, list[Finding]] = {}
    for f in result.findings:
        by_report.setdefault(f.report_id, []).append(f)
    batches = result.gx_results
    batch_of = report_batches(result)
    renderer = ValidationResultsPageRenderer()
    view = DefaultJinjaPageView()
    listed: list[tuple[ReportResult, str]] = []
    for n, rr in enumerate(result.report_results):
        if rr.status not in RENDERED_STATUSES:
            continue
        fs = by_report.get(rr.report_id, [])
        name = page_name(rr.report_id)
        body = ""
        if batches:
            vr = _per_report_suite_result(batches[batch_of[n]], rr, fs)
            body = view.render(renderer.render(vr))
        else:  # pragma: no cover - a result without GX batches (never produced by check_reports)
            body = "<html><head><meta charset=\"UTF-8\"></head><body></body></html>"
        body = make_offline(body, f"../{index_name}", "../static/nianbao.css")
        up = f"../{landing_href}" if landing_href else None
        body = drop_boilerplate(body, up.rsplit("/", 1)[0] + "/site/rules.html" if up else None)
        header = _report_header(rr, fs, f"../{index_name}", up)
        if '<div class="container-fluid' in body:
            body = body.replace('<div class="container-fluid', header + '<div class="container-fluid', 1)
        else:
            body = re.sub(r"(<body[^>]*>)", lambda m, h=header: m.group(1) + h, body, count=1)
        (pages / name).write_text(body, encoding="utf-8")
        listed.append((rr, name))
    index = out_dir / index_name
    index.write_text(_index_html(result, listed, landing_href), encoding="utf-8")
    result.timings["docs"] = time.perf_counter() - t0
    return index


def _index_html(result: CheckResult, listed: list[tuple[ReportResult, str]], landing_href: str | None = None) -> str:
    statuses = Counter(r.status for r in result.report_results)
    rule_rows = []
    per_rule_reports: Counter[str] = Counter()
    for rr, _ in listed:
        for rule, st in rr.rules.items():
            if st in (VIOLATED, UNVERIFIABLE, NOT_CHECKED):
                per_rule_reports[rule] += 1
    for s in result.rule_summaries:
        if not (s.fails or s.unverifiable or s.not_evaluated):
            continue
        rule_rows.append(f"<tr><td>{_esc(s.rule)}</td><td class=\"nb-{_esc(s.severity)}\">{_esc(s.severity)}</td>"
                         f"<td>{s.fails}</td><td>{s.unverifiable}</td><td>{s.not_evaluated}</td>"
                         f"<td>{s.reports_failing}</td><td>{s.items}</td></tr>")
    rep_rows = []
    for rr, name in listed:
        rules = "、".join(sorted(r for r, st in rr.rules.items() if st != "pass"))
        likely = "；".join(f"{d['label']} → {fmt_num(d['value'])}" for d in rr.likely_cells if d.get("unique"))
        rep_rows.append(
            f"<tr><td><a href=\"reports/{name}\">{_esc(rr.body or rr.source)}</a></td><td>{_esc(rr.year or '')}</td>"
            f"<td class=\"nb-{_esc(rr.status)}\">{_esc(STATUS_ZH.get(rr.status, rr.status))}</td>"
            f"<td>{rr.counts.get('fail', 0)}</td><td>{rr.counts.get('warn', 0)}</td><td>{_esc(rules)}</td>"
            f"<td>{_esc(likely)}</td><td><code>{_esc(rr.source)}</code> #{rr.report_index}</td></tr>")
    n = len(result.report_results)
    passing = n - len(listed)
    known = {r.id for r in implemented_rules()}
    assert all(s.rule in known for s in result.rule_summaries)
    return f"""<!DOCTYPE html>
<html lang="zh-CN"><head><meta charset="UTF-8"><title>nianbao-audit · 未通过的报告 / failing reports</title>
<meta name="viewport" content="width=device-width, initial-scale=1">
<link rel="stylesheet" href="static/nianbao.css"></head>
<body><nav class="navbar"><span class="nb-brand">nianbao-audit</span>
<span>Great Expectations Data Docs · 勾稽关系检查 / statutory arithmetic</span></nav>
<div class="container-fluid">
{f'<p><a href="{landing_href}">← 站点首页 / the site: all reports, regions, rules and statistics</a></p>' if landing_href else ''}
<h1>未通过的报告 / Failing reports</h1>
<p>共检查 {n} 份报告 / {n} reports checked：<span class="nb-fail">不通过 fail {statuses.get('fail', 0)}</span> ·
<span class="nb-warn">提示 warn {statuses.get('warn', 0)}</span> · 无法确定 unverifiable {statuses.get(UNVERIFIABLE, 0)} ·
未检查 not checked {statuses.get(NOT_CHECKED, 0)} ·
<span class="nb-warn">未能完整读取 not fully readable {statuses.get(UNREADABLE_REPORT, 0)}</span> · <span class="nb-ok">通过（未列出）passing, not listed {passing}</span></p>
<h2>按规则统计 / Counts per rule</h2>
<table><thead><tr><th>规则 rule</th><th>严重性 severity</th><th>违反 violated</th><th>无法确定 unverifiable</th>
<th>未检查 not checked</th><th>涉及报告 reports</th><th>检查项 items</th></tr></thead>
<tbody>{''.join(rule_rows) or '<tr><td colspan="7">无 / none</td></tr>'}</tbody></table>
<h2>报告 / Reports ({len(listed)})</h2>
<table><thead><tr><th>机关 body</th><th>年度 year</th><th>结果 status</th><th>fail</th><th>warn</th>
<th>规则 rules</th><th>可能出错的单元格 likely wrong cell</th><th>来源 source</th></tr></thead>
<tbody>{''.join(rep_rows) or '<tr><td colspan="8">无 / none</td></tr>'}</tbody></table>
</div></body></html>
"""
