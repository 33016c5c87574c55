"""The list pages: landing, regions (province → city → county), bodies, years, rules, changes, files,
reviewed findings, search and downloads. Each yields ``(path, html bytes)``; long lists are paged so
no page grows past a few hundred rows whatever the number of reports.

Pages other than the landing page, the rule pages and the changes page do not name the run, so a
run that changes nothing in a region leaves that region's pages byte for byte the same (and they are
neither written nor uploaded again).
"""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from typing import Any

from flows.site.charts import rate_rows
from flows.site.model import (
    BAD,
    STATUSES,
    UNKNOWN_REGION,
    Region,
    ReportRow,
    RuleStat,
    SiteData,
    dismissed,
    order_key,
    rate_by_year,
    status_counts,
)
from flows.site.pages import (
    BODIES_PER_PAGE,
    LANDING,
    PER_PAGE,
    SEARCH_JS,
    a,
    badge,
    bodies_path,
    body_path,
    citation,
    e,
    page,
    pager,
    pct,
    region_links,
    region_path,
    report_list,
    report_path,
    rule_intro,
    rule_path,
    stat_rows,
    status_cards,
    table,
    year_path,
)

Chart = Callable[[list[dict[str, Any]], str, str, bool], str | None]  # rows, x title, title, horizontal -> path


@dataclass(slots=True)
class Body:
    key: str
    name: str
    names: list[str]
    region: Region
    reports: list[ReportRow] = field(default_factory=list)

    @property
    def bad(self) -> int:
        return sum(r.status in BAD for r in self.reports)

    def worst(self) -> str:
        return min((r.status for r in self.reports), key=STATUSES.index)


def bodies_of(data: SiteData) -> dict[str, Body]:
    grouped: dict[str, list[ReportRow]] = defaultdict(list)
    for r in data.reports:
        grouped[r.body_key].append(r)
    out = {}
    for key, rs in grouped.items():
        names = Counter(r.body or "（未识别机关）" for r in rs)
        rs.sort(key=lambda r: (-(r.year or 0), r.report_id))
        out[key] = Body(key, names.most_common(1)[0][0], sorted(names), rs[0].region, rs)
    return out


def _body_order(b: Body) -> tuple:
    return (STATUSES.index(b.worst()), -b.bad, b.key)


def _chunks(items: list, n: int) -> list[list]:
    return [items[i:i + n] for i in range(0, len(items), n)] or [[]]


# ------------------------------------------------------------------------------------------ bodies
def body_pages(bodies: dict[str, Body]) -> Iterator[tuple[str, bytes]]:
    for b in bodies.values():
        path = body_path(b.key)
        other = [n for n in b.names if n != b.name]
        body = (f'<p class="crumbs">{region_links(path, b.region)}</p><h1>{e(b.name)}</h1>'
                + (f"<p>也印作 also printed as: {e('、'.join(other))}</p>" if other else "")
                + f'<p data-pagefind-meta="region">地区 region: {e(b.region.label)}</p>'
                + status_cards(path, status_counts(b.reports), len(b.reports))
                + "<h2>年度报告 Reports</h2>"
                + table(("年度 year", "结果 status", "来源 source", "未通过规则 failing rules", "", ""),
                        (f"<tr><td>{e(r.year or '?')}</td><td>{badge(r.status)}</td><td><code>{e(r.object_key)}</code>"
                         f" #{r.report_index}</td><td>{e('、'.join(r.fail_rules))}</td>"
                         f"<td>{a(path, report_path(r), '证据 evidence') if r.status != 'pass' else ''}</td>"
                         f"<td>{a(path, r.docs_page, 'GX') if r.docs_page else ''}</td></tr>" for r in b.reports)))
        yield path, page(path, b.name, body, index=True)


def body_list_pages(bodies: dict[str, Body]) -> Iterator[tuple[str, bytes]]:
    ordered = sorted(bodies.values(), key=_body_order)
    chunks = _chunks(ordered, BODIES_PER_PAGE)
    for i, chunk in enumerate(chunks, 1):
        path = bodies_path(i)
        rows = (f"<tr><td>{a(path, body_path(b.key), b.name)}</td><td>{e(b.region.label)}</td>"
                f"<td>{badge(b.worst())}</td><td class=n>{len(b.reports)}</td><td class=n>{b.bad}</td></tr>"
                for b in chunk)
        body = (f"<h1>机关 Bodies <small>({len(ordered)})</small></h1><p class=muted>未通过的在前 failures first; "
                f"按名称查找请用 {a(path, 'site/search.html', '搜索 search')}</p>"
                + pager(path, len(chunks), i, bodies_path)
                + table(("机关 body", "地区 region", "最差结果 worst", "#报告 reports", "#不通过/待核实 failing"), rows)
                + pager(path, len(chunks), i, bodies_path))
        yield path, page(path, f"机关 Bodies {i}", body)


# ------------------------------------------------------------------------------------------ regions
def region_pages(data: SiteData, bodies: dict[str, Body]) -> Iterator[tuple[str, bytes]]:
    reports_at: dict[tuple[str, ...], list[ReportRow]] = defaultdict(list)
    for r in data.reports:
        p = r.region.path
        if not p:
            reports_at[()].append(r)
        for i in range(1, len(p) + 1):
            reports_at[p[:i]].append(r)
    bodies_at: dict[tuple[str, ...], list[Body]] = defaultdict(list)
    for b in bodies.values():
        bodies_at[b.region.path].append(b)
    children: dict[tuple[str, ...], list[tuple[str, ...]]] = defaultdict(list)
    for node in reports_at:
        if len(node) >= 1:
            children[node[:-1]].append(node)

    def node_rows(frm: str, nodes: list[tuple[str, ...]]) -> list[str]:
        out = []
        for n in sorted(nodes, key=lambda n: (-sum(r.status in BAD for r in reports_at[n]), n)):
            c = status_counts(reports_at[n])
            total = len(reports_at[n])
            bad = c["fail"] + c["verify"]
            out.append(f"<tr><td>{a(frm, region_path(n), n[-1] if n else UNKNOWN_REGION + ' unknown region')}</td>"
                       f"<td class=n>{total}</td><td class=n>{c['fail']}</td><td class=n>{c['verify']}</td>"
                       f"<td class=n>{c['unreadable']}</td><td class=n>{c['not_checked']}</td>"
                       f"<td class=n>{pct(bad, total)}</td></tr>")
        return out

    head = ("地区 region", "#报告 reports", "#不通过 fail", "#待核实 verify", "#未能完整读取 unreadable",
            "#未检查 not checked", "#不通过率 failure rate")
    top = [n for n in children[()] if n] + ([()] if () in reports_at else [])
    path = "site/regions.html"
    yield path, page(path, "地区 Regions", "<h1>地区 Regions</h1><p class=muted>省 → 市 → 县；机关所在地区据负责人名册，"
                     "否则据机关名称推断（jionlp 行政区划），否则为未知地区 / province → city → county: from the owners "
                     "registry, else inferred from the body name (jionlp's gazetteer), else unknown.</p>"
                     + table(head, node_rows(path, top)))
    for node, rs in reports_at.items():
        here = sorted(bodies_at.get(node, []), key=_body_order)
        chunks = _chunks(here, BODIES_PER_PAGE)
        for i, chunk in enumerate(chunks, 1):
            path = region_path(node, i)
            crumbs = [a(path, "site/regions.html", "全部地区 all regions")]
            crumbs += [a(path, region_path(node[:k + 1]), node[k]) for k in range(len(node) - 1)]
            title = node[-1] if node else f"{UNKNOWN_REGION} unknown region"
            c = status_counts(rs)
            kids = node_rows(path, children.get(node, [])) if node else []
            brows = (f"<tr><td>{a(path, body_path(b.key), b.name)}</td><td>{badge(b.worst())}</td>"
                     f"<td class=n>{len(b.reports)}</td><td class=n>{b.bad}</td>"
                     f"<td>{e('、'.join(str(r.year) for r in b.reports if r.status in BAD))}</td></tr>" for b in chunk)
            body = (f'<p class="crumbs">{" › ".join(crumbs)}</p><h1>{e(title)}</h1>'
                    + status_cards(path, c, len(rs))
                    + (f"<h2>下级地区 Sub-regions</h2>{table(head, kids)}" if kids else "")
                    + (f"<h2>本级机关 Bodies here <small>({len(here)})</small></h2>"
                       + pager(path, len(chunks), i, lambda n, node=node: region_path(node, n))
                       + table(("机关 body", "最差结果 worst", "#报告 reports", "#不通过/待核实 failing",
                                "未通过年度 failing years"), brows)
                       if here else ""))
            yield path, page(path, title, body)


# ------------------------------------------------------------------------------------------ years
def year_pages(data: SiteData, chart: Chart) -> Iterator[tuple[str, bytes]]:
    by_year: dict[Any, list[ReportRow]] = defaultdict(list)
    for r in data.reports:
        by_year[r.year].append(r)
    rates = rate_by_year(data.reports)
    path = "site/years.html"
    svg = chart(rate_rows(rates), "年度 year", "不通过率（按年度） failure rate by year", False)
    rows = []
    for y, rs in sorted(by_year.items(), key=lambda kv: (kv[0] is None, -(kv[0] or 0))):
        c = status_counts(rs)
        rows.append(f"<tr><td>{a(path, year_path(y), str(y or '?'))}</td><td class=n>{len(rs)}</td>"
                    + "".join(f"<td class=n>{c[s]}</td>" for s in STATUSES)
                    + f"<td class=n>{pct(c['fail'] + c['verify'], len(rs))}</td></tr>")
    head = ("年度 year", "#报告 reports", *(f"#{s}" for s in STATUSES), "#不通过率 failure rate")
    yield path, page(path, "年度 Years", "<h1>年度 Years</h1>"
                     + (f'<img class="chart" src="{a_src(path, svg)}" alt="failure rate by year">' if svg else "")
                     + table(head, rows))
    for y, rs in by_year.items():
        listed = sorted((r for r in rs if r.status != "pass"), key=order_key)
        chunks = _chunks(listed, PER_PAGE)
        for i, chunk in enumerate(chunks, 1):
            p = year_path(y, i)
            body = (f"<p class=crumbs>{a(p, 'site/years.html', '全部年度 all years')}</p><h1>{e(y or '?')} 年度报告 "
                    f"reports of {e(y or '?')}</h1>" + status_cards(p, status_counts(rs), len(rs))
                    + "<p class=muted>列出未通过的报告（不通过在前）；通过的报告见各机关页 / reports that did not pass, "
                    "failures first; passing reports are on their body's page.</p>"
                    + pager(p, len(chunks), i, lambda n, y=y: year_path(y, n))
                    + report_list(p, chunk, show_region=True) + pager(p, len(chunks), i, lambda n, y=y: year_path(y, n)))
            yield p, page(p, f"{y} 年度", body)


def a_src(frm: str, to: str | None) -> str:
    from flows.site.pages import rel

    return rel(frm, to) if to else ""


# ------------------------------------------------------------------------------------------ rules
def rule_pages(data: SiteData, stats: dict[str, RuleStat], chart: Chart,
               downloads: dict[str, str]) -> Iterator[tuple[str, bytes]]:
    from expectations.catalog import load_catalog

    catalog = {r.id: r for r in load_catalog()}
    failing: dict[str, list[ReportRow]] = defaultdict(list)
    examples: dict[str, list[tuple[ReportRow, dict[str, Any]]]] = defaultdict(list)
    for r in sorted(data.reports, key=order_key):
        for rule in {f["rule"] for f in r.findings if f.get("status") == "violated" and not dismissed(f)}:
            failing[rule].append(r)
        for f in r.findings:
            ex = examples[f["rule"]]
            if (f.get("status") == "violated" and len(ex) < 5 and not dismissed(f)
                    and not any(x.report_id == r.report_id for x, _ in ex)):
                ex.append((r, f))
    path = "site/rules.html"
    rows = []
    mentioned = set(stats) | data.rules_named | {f.get("rule", "") for r in data.reports for f in r.findings}
    ids = [rid for rid in catalog if catalog[rid].implemented or rid in mentioned]
    ids += sorted(x for x in mentioned - set(catalog) if x)
    for rid in sorted(ids, key=lambda x: (-(stats[x].violated if x in stats else 0), x)):
        st = stats.get(rid)
        rule = catalog.get(rid)
        rows.append(f"<tr><td>{a(path, rule_path(rid), rid)}</td><td>{e(rule.title_zh if rule else '')}<br>"
                    f"<small>{e(rule.title_en if rule else '')}</small></td><td>{e(rule.severity if rule else '')}</td>"
                    f"<td class=n>{st.checked if st else 0}</td><td class=n>{st.violated if st else 0}</td>"
                    f"<td class=n>{pct(st.violated, st.checked) if st else '—'}</td>"
                    f"<td class=n>{st.not_checked if st else 0}</td></tr>")
    yield path, page(path, "规则 Rules", "<h1>规则 Rules</h1>" + citation(data.run_id, data.run_at, data.catalog_version,
                                                                           None, data.source)
                     + table(("规则 rule", "检查什么 what it checks", "严重性 severity", "#检查的报告 reports checked",
                              "#违反的报告 reports violated", "#违反率 rate", "#未检查 not checked"), rows))
    for rid in ids:
        rule = catalog.get(rid)
        st = stats.get(rid) or RuleStat(rid)
        listed = failing.get(rid, [])
        chunks = _chunks(listed, PER_PAGE)
        for i, chunk in enumerate(chunks, 1):
            p = rule_path(rid, i)
            parts = [f"<p class=crumbs>{a(p, 'site/rules.html', '全部规则 all rules')}</p>"]
            if i == 1:
                parts.append(rule_intro(rule) if rule else f"<h1>{e(rid)}</h1>")
                parts.append(citation(data.run_id, data.run_at, data.catalog_version, st, data.source))
                parts.append(f"<p>检查的报告 reports checked <b>{st.checked}</b> · 违反 violated <b>{st.violated}</b> "
                             f"({pct(st.violated, st.checked)}) · 违反的单元格/实例 violated cells or instances "
                             f"{st.findings} · 复核排除 dismissed {st.dismissed} · 无法确定 undecided {st.unverifiable}"
                             f" · 未检查 not checked {st.not_checked}</p>")
                by_year = dict(sorted(st.by_year.items(), key=lambda kv: (kv[0] is None, kv[0] or 0)))
                by_prov = dict(sorted(st.by_province.items(), key=lambda kv: (-kv[1][1], kv[0])))
                svg_y = chart(rate_rows(by_year), "年度 year", f"{rid} 违反率（按年度） rate by year", False)
                svg_p = chart(rate_rows(by_prov, 25), "省 province", f"{rid} 违反率（按省） rate by province", True)
                parts.append("<h2>按年度 By year</h2>"
                             + (f'<img class="chart" src="{a_src(p, svg_y)}" alt="{e(rid)} rate by year">' if svg_y else "")
                             + table(("年度 year", "#检查 checked", "#违反 violated", "#违反率 rate"), stat_rows(by_year)))
                parts.append("<h2>按地区 By province</h2>"
                             + (f'<img class="chart" src="{a_src(p, svg_p)}" alt="{e(rid)} rate by province">'
                                if svg_p else "")
                             + table(("省 province", "#检查 checked", "#违反 violated", "#违反率 rate"), stat_rows(by_prov)))
                dl = [a(p, downloads[k], k.rsplit("/", 1)[-1]) for k in (f"rule/{rid}.csv", f"rule/{rid}.parquet",
                                                                          "rule-stats.csv", "rule-stats.parquet")
                      if k in downloads]
                if dl:
                    parts.append(f"<p>下载 downloads: {' · '.join(dl)}</p>")
                ex = "".join(f'<li>{a(p, report_path(r), f"{r.body} {r.year}")}：{e(f.get("message_zh"))}<br>'
                             f'<small>{e(f.get("message_en"))}</small></li>' for r, f in examples.get(rid, []))
                parts.append(f"<h2>实例 Real examples</h2><ul>{ex}</ul>" if ex else "")
            parts.append(f"<h2>违反本规则的报告 Reports violating it <small>({len(listed)})</small></h2>"
                         + pager(p, len(chunks), i, lambda n, rid=rid: rule_path(rid, n))
                         + report_list(p, chunk, show_region=True))
            yield p, page(p, f"{rid}", "".join(parts))


# ------------------------------------------------------------------------------------------ landing & co
def landing_page(data: SiteData, stats: dict[str, RuleStat], chart: Chart, downloads: dict[str, str],
                 search_ready: bool) -> tuple[str, bytes]:
    path = LANDING
    rs = data.reports
    c = status_counts(rs)
    ch = data.changes
    svg = chart(rate_rows(rate_by_year(rs)), "年度 year", "不通过率（按年度） failure rate by year", False)
    top = sorted((s for s in stats.values() if s.violated), key=lambda s: (-s.violated, s.rule))[:10]
    top_rows = (f"<tr><td>{a(path, rule_path(s.rule), s.rule)}</td><td class=n>{s.violated}</td>"
                f"<td class=n>{s.checked}</td><td class=n>{pct(s.violated, s.checked)}</td></tr>" for s in top)
    bad = sorted((r for r in rs if r.status != "pass"), key=order_key)
    by_id = data.by_id()
    change_html = "<p class=muted>没有上一次运行可比较 / no previous run to compare with.</p>"
    if ch is not None:
        def few(ids: list[str]) -> str:
            items = [by_id[i] for i in ids[:10] if i in by_id]
            return ", ".join(a(path, report_path(r) if r.status != "pass" else body_path(r.body_key),
                               f"{r.body} {r.year or ''}") for r in items) + (" …" if len(ids) > 10 else "")
        change_html = (f"<p>与上一次运行 {e(ch.previous_run or '')} 相比 / since the previous run "
                       f"({a(path, 'site/changes.html', '详情 details')}):</p><ul>"
                       f"<li>新增不通过 new failures: <b>{len(ch.new_failures)}</b> {few(ch.new_failures)}</li>"
                       f"<li>已修正 fixed: <b>{len(ch.fixed)}</b> {few(ch.fixed)}</li>"
                       f"<li>新报告 new reports: <b>{len(ch.new_reports)}</b></li>"
                       + (f"<li>不再在源中的不通过报告 failing reports gone from the source: {ch.gone}</li>" if ch.gone else "")
                       + "</ul>")
    reviewed = [(r, f) for r in rs for f in r.findings if f.get("review")]
    rv_rows = (f"<tr><td>{a(path, report_path(r), _name(r))}</td><td>{e(f.get('rule'))}</td>"
               f"<td><code>{e(f.get('id'))}</code></td><td>{e(f['review'].get('decision'))}</td>"
               f"<td>{e(f['review'].get('by'))}</td><td>{e(f['review'].get('at'))}</td>"
               f"<td>{e(f['review'].get('reason'))}</td></tr>" for r, f in reviewed[:100])
    files = data.files
    f_rows = (f"<tr><td><code>{e(x.object_key)}</code></td><td>{e(x.status)}</td><td>{e(x.reason)}</td></tr>"
              for x in files[:50])
    dl = " · ".join(a(path, p, k) for k, p in downloads.items() if "/" not in k)
    search = ('<form id="search" role="search" onsubmit="return false"><label>按机关名称搜索 search by body name: '
              '<input type="search" placeholder="例如 东阿县" autocomplete="off"></label></form>'
              '<p id="search-status" class="muted"></p><ul id="results"></ul>') if search_ready else ""
    body = (
        "<h1>政府信息公开工作年度报告 勾稽关系检查 <small>audit of the annual reports</small></h1>"
        f"<p class=muted>数据源 source <code>{e(data.source)}</code> · 审核批次 run {e(data.run_id)} · {e(data.run_at)}"
        f" · 规则目录 rule catalogue {e(data.catalog_version)}</p>"
        + search
        + "<h2>报告 Reports <small>（按报告计数 counted per report）</small></h2>"
        + status_cards(path, c, len(rs))
        + "<p class=muted>待核实 = 规则违反但所涉单元格按位置、OCR 或多种读法读取，请先核实读取；未能完整读取是读取工具的局限，"
          "不是报告的错误 / to verify: a rule fails on cells read by position, OCR or under several readings; "
          "not fully readable is the reader's limit, not the report's error.</p>"
        + (f"<p>另有 {len(files)} 个文件不是可读的报告或无法获取（按文件计数）/ {len(files)} file(s) hold no readable "
           f"report or could not be fetched (counted per file): {a(path, 'site/files.html', '列表 list')}</p>"
           if files else "")
        + "<h2>变化 Changes</h2>" + change_html
        + "<h2>不通过率（按年度）Failure rate by year</h2>"
        + (f'<img class="chart" src="{a_src(path, svg)}" alt="failure rate by year">' if svg else "")
        + table(("年度 year", "#报告 reports", "#不通过/待核实 failing", "#不通过率 rate"),
                stat_rows(rate_by_year(rs)))
        + "<h2>违反最多的规则 Rules that fail most</h2>"
        + table(("规则 rule", "#违反的报告 reports violated", "#检查的报告 checked", "#违反率 rate"), top_rows)
        + f"<p>{a(path, 'site/rules.html', '全部规则 all rules')} · {a(path, 'site/regions.html', '按地区 by region')} · "
          f"{a(path, bodies_path(1), '按机关 by body')} · {a(path, 'site/years.html', '按年度 by year')}</p>"
        + f"<h2>未通过的报告 Reports with findings <small>({len(bad)}; 前 first 50)</small></h2>"
        + report_list(path, bad[:50], show_region=True)
        + (f"<p>{a(path, bodies_path(1), '全部 all …')}</p>" if len(bad) > 50 else "")
        + ("<h2>已复核的问题 Reviewed findings</h2><p class=muted>dismissed: 误报，单元格不变时不再提醒 / a false "
           "positive, not alerted again while its cells stay the same; accepted: 确认的错误 a real error</p>"
           + table(("报告 report", "规则 rule", "finding", "复核 review", "by", "at", "理由 reason"), rv_rows)
           + (f"<p>{a(path, 'site/reviewed.html', '全部 all')}</p>" if len(reviewed) > 100 else "")
           if reviewed else "")
        + ("<h2>无法读取的文件 Files that could not be read <small>(unreadable objects and errors)</small></h2>"
           + table(("文件 object", "状态 status", "原因 reason"), f_rows) if files else "")
        + (f"<h2>下载 Downloads</h2><p>{dl}</p>" if dl else "")
    )
    return path, page(path, "年报勾稽检查", body, search=search_ready)


def changes_page(data: SiteData, downloads: dict[str, str] | None = None) -> tuple[str, bytes]:
    path = "site/changes.html"
    ch = data.changes
    if ch is None:
        return path, page(path, "变化 Changes", "<h1>变化 Changes</h1><p>没有上一次运行可比较 / no previous run to "
                                                 "compare with.</p>")
    by_id = data.by_id()
    cap = 500

    def block(title: str, ids: list[str]) -> str:
        rows = [by_id[i] for i in ids if i in by_id]
        csv_link = a(path, (downloads or {}).get("changes.csv"), "changes.csv")
        more = (f"<p class=muted>另有 {len(rows) - cap} 份见 / {len(rows) - cap} more in {csv_link}</p>"
                if len(rows) > cap else "")
        return f"<h2>{title} <small>({len(rows)})</small></h2>" + report_list(path, rows[:cap], show_region=True) + more

    body = (f"<h1>变化 Changes</h1><p>本次 run {e(data.run_id)} 与上一次 previous run {e(ch.previous_run or '?')}</p>"
            + block("新增不通过 New failures", ch.new_failures) + block("已修正 Fixed", ch.fixed)
            + block("新报告 New reports", ch.new_reports))
    return path, page(path, "变化 Changes", body)


def files_page(data: SiteData) -> tuple[str, bytes]:
    path = "site/files.html"
    rows = (f"<tr><td><code>{e(x.object_key)}</code></td><td>{e(x.status)}</td><td>{e(x.reason)}</td></tr>"
            for x in data.files)
    return path, page(path, "无法读取的文件", "<h1>无法读取的文件 Files that could not be read</h1><p class=muted>按文件计数，"
                      "不计入报告 / counted per file, not per report</p>"
                      + table(("文件 object", "状态 status", "原因 reason"), rows))


def reviewed_page(data: SiteData) -> tuple[str, bytes]:
    path = "site/reviewed.html"
    rows = (f"<tr><td>{a(path, report_path(r), _name(r))}</td><td>{e(f.get('rule'))}</td>"
            f"<td><code>{e(f.get('id'))}</code></td><td>{e(f['review'].get('decision'))}</td>"
            f"<td>{e(f['review'].get('by'))}</td><td>{e(f['review'].get('reason'))}</td></tr>"
            for r in data.reports for f in r.findings if f.get("review"))
    return path, page(path, "已复核的问题", "<h1>已复核的问题 Reviewed findings</h1>"
                      + table(("报告 report", "规则 rule", "finding", "复核 review", "by", "理由 reason"), rows))


def search_page(search_ready: bool) -> tuple[str, bytes]:
    path = "site/search.html"
    if not search_ready:
        return path, page(path, "搜索 Search", "<h1>搜索 Search</h1><p>本站点构建时未生成搜索索引 / the search index was not "
                          f"built with this site: browse {a(path, bodies_path(1), 'by body')}.</p>")
    body = ("<h1>搜索 Search</h1><form id=\"search\" role=\"search\" onsubmit=\"return false\"><label>按机关名称或地区搜索 "
            "search by body name or region: <input type=\"search\" placeholder=\"例如 东阿县\" autocomplete=\"off\" "
            "autofocus></label></form><p id=\"search-status\" class=\"muted\"></p><ul id=\"results\"></ul>"
            "<p class=muted>搜索在浏览器中进行，需通过 HTTP 访问本站点（对象存储或 web 服务器）；直接打开本地文件时请用"
            f" {a(path, bodies_path(1), '机关列表')} / search runs in the browser and needs the site served over HTTP "
            "(a bucket or any web server, e.g. python -m http.server); from local files use the body list.</p>")
    return path, page(path, "搜索 Search", body, search=True)


def downloads_page(data: SiteData, downloads: dict[str, str]) -> tuple[str, bytes]:
    path = "site/downloads.html"
    main = "".join(f"<li>{a(path, p, k)}</li>" for k, p in downloads.items() if "/" not in k)
    regions = "".join(f"<li>{a(path, p, k.split('/', 1)[1])}</li>" for k, p in sorted(downloads.items())
                      if k.startswith("region/"))
    rules = "".join(f"<li>{a(path, p, k.split('/', 1)[1])}</li>" for k, p in sorted(downloads.items())
                    if k.startswith("rule/"))
    body = (f"<h1>下载 Downloads</h1><p>审核批次 run {e(data.run_id)} ({e(data.run_at)}) · 规则目录 rule catalogue "
            f"{e(data.catalog_version)}。CSV 为 UTF-8（带 BOM，Excel 可直接打开） / CSV in UTF-8 with a BOM (opens in "
            f"Excel).</p><h2>本次运行 This run</h2><ul>{main}</ul>"
            + (f"<h2>按省 Per province</h2><ul>{regions}</ul>" if regions else "")
            + (f"<h2>按规则 Per rule</h2><ul>{rules}</ul>" if rules else ""))
    return path, page(path, "下载 Downloads", body)


SEARCH_JS_TEXT = """
(function(){
  var s=document.currentScript; var root=s.src.replace(/site\\/assets\\/search\\.js.*$/,'');
  function run(){
    var form=document.getElementById('search'); if(!form) return;
    var input=form.querySelector('input'), list=document.getElementById('results'),
        status=document.getElementById('search-status'), pf=null, seq=0;
    function load(){
      if(pf) return Promise.resolve(pf);
      return import(root+'site/pagefind/pagefind.js').then(function(m){pf=m; return m.init ? m.init().then(function(){return m;}) : m;});
    }
    input.addEventListener('input', function(){
      var q=input.value.trim(), my=++seq;
      if(!q){list.innerHTML=''; status.textContent=''; return;}
      load().then(function(m){return m.search(q);}).then(function(res){
        if(my!==seq) return;
        return Promise.all(res.results.slice(0,30).map(function(r){return r.data();})).then(function(items){
          if(my!==seq) return;
          list.innerHTML='';
          status.textContent=res.results.length+' 条结果 results';
          items.forEach(function(d){
            var li=document.createElement('li'), a=document.createElement('a');
            a.href=root+(d.raw_url||d.url).replace(/^\\/+/,''); a.textContent=(d.meta&&d.meta.title)||d.url;
            li.appendChild(a);
            if(d.meta&&d.meta.region){var sm=document.createElement('small'); sm.textContent=' '+d.meta.region; li.appendChild(sm);}
            list.appendChild(li);
          });
        });
      }).catch(function(err){
        status.textContent='搜索需要通过 HTTP 访问本站点 / search needs the site served over HTTP ('+err+')';
      });
    });
  }
  if(document.readyState==='loading') document.addEventListener('DOMContentLoaded', run); else run();
})();
"""

__all__ = [
    "SEARCH_JS",
    "Body",
    "bodies_of",
    "body_list_pages",
    "body_pages",
    "changes_page",
    "downloads_page",
    "files_page",
    "landing_page",
    "region_pages",
    "reviewed_page",
    "rule_pages",
    "search_page",
    "year_pages",
]


def _name(r: ReportRow) -> str:
    return f"{r.body} {r.year or ''}"
