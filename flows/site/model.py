"""Page data of the site, from the audit state (or a check result): pure functions, no I/O.

Every report gets one site status, worst first:

fail        a ``fail`` rule violated on cells read exactly (at least one such finding not dismissed)
verify      待核实: every violated ``fail`` rule rests on cells read by position, by OCR or under the
            readings of run-together digits: verify the reading before blaming the report
unreadable  printed cells could not be read (the reader's limit, never the report's error)
not_checked a rule could not run (a pre-2019 report has no tables)
warn        warnings only
dismissed   every violated ``fail`` finding was dismissed by a person's review
pass        nothing found
error       the engine failed on this report

Counts are always per report and per status; files that hold no report (unreadable objects, fetch
errors) are counted apart, as files.
"""

from __future__ import annotations

import dataclasses
import functools
import hashlib
import json
import re
import sys
from collections import Counter, defaultdict
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import Any

STATUSES = ("fail", "verify", "unreadable", "not_checked", "warn", "dismissed", "pass", "error")
BAD = ("fail", "verify")  # what counts as failing in rates and changes
LISTED = ("fail", "verify", "unreadable", "not_checked", "warn", "dismissed", "error")  # has an evidence page
STATUS_ZH = {"fail": "不通过", "verify": "待核实", "unreadable": "未能完整读取", "not_checked": "未检查",
             "warn": "提示", "dismissed": "已复核排除", "pass": "通过", "error": "出错"}
STATUS_EN = {"fail": "failing", "verify": "to verify", "unreadable": "not fully readable",
             "not_checked": "not checked", "warn": "warnings", "dismissed": "dismissed on review",
             "pass": "passing", "error": "engine error"}
STATE_TO_SITE = {"failed": "fail", "unreadable": "unreadable", "not_checked": "not_checked", "warned": "warn",
                 "passed": "pass", "error": "error",
                 # CheckResult report statuses
                 "fail": "fail", "unverifiable": "unreadable", "warn": "warn", "info": "pass", "pass": "pass"}
UNSURE_READS = ("by_position", "ocr", "readings")
UNKNOWN_REGION = "未知地区"
READ_ZH = {"exact": "按标签读取", "by_position": "按位置读取", "ocr": "OCR 识别", "readings": "数字连写多种读法",
           "ambiguous": "数字连写多种读法", "unread": "未能读取"}
READ_EN = {"exact": "read by label", "by_position": "placed by position", "ocr": "OCR",
           "readings": "several readings", "ambiguous": "several readings", "unread": "not read"}
TABLE_ZH = {"table2": "表二", "table3": "表三", "table4": "表四", "report": "报告", "any": "报告"}
TABLE_EN = {"table2": "table 二", "table3": "table 三", "table4": "table 四", "report": "report", "any": "report"}


def sha(text: str | bytes, n: int = 16) -> str:
    return hashlib.sha1(text.encode("utf-8") if isinstance(text, str) else text).hexdigest()[:n]


@functools.lru_cache(maxsize=262144)
def normalise_body(name: str | None) -> str:
    from parsers.names import normalise

    return normalise(name)


# ------------------------------------------------------------------------------------------ regions
@dataclass(frozen=True, slots=True)
class Region:
    province: str = ""
    city: str = ""
    county: str = ""
    how: str = "unknown"  # owners | name | unknown

    @property
    def path(self) -> tuple[str, ...]:
        """(province, city, county) without the empty levels; () for an unknown region. A city
        that is its own province (北京市) is said once."""
        out: list[str] = []
        for p in (self.province, self.city, self.county):
            if p and (not out or out[-1] != p):
                out.append(p)
        return tuple(out)

    @property
    def label(self) -> str:
        return " ".join(self.path) or UNKNOWN_REGION


def _parse_place(text: str) -> Region | None:
    from flows.alerts.owners import _location_parser

    try:
        loc = _location_parser()(text)
    except Exception:
        return None
    prov, city, county = (loc.get(k) or "" for k in ("province", "city", "county"))
    if not prov:
        return None
    return Region(prov, city, county, "name")


# Leading administrative names of a body (北京市海淀区 of 北京市海淀区教育委员会): jionlp's parser takes ~5 ms a
# name, so 100,000 reports parse only the distinct leading places.
_PLACE = re.compile(r"^((?:[\u4e00-\u9fff]{1,10}?(?:省|自治区|特别行政区|市|自治州|地区|盟|自治县|县|区|旗))+)")


class RegionResolver:
    """Region of a body: the owners registry's row when it names one, else the body's own name through
    jionlp's gazetteer, else unknown. Cached per normalised body name."""

    def __init__(self, registry: Any = None):
        self.registry = registry
        self._cache: dict[str, Region] = {}
        self._places: dict[str, Region] = {}

    def __call__(self, body: str | None, key: str = "") -> Region:
        n = normalise_body(body)
        hit = self._cache.get(n)
        if hit is not None:
            return hit
        r = self._resolve(body or "", key)
        self._cache[n] = r
        return r

    def _resolve(self, body: str, key: str) -> Region:
        if self.registry is not None:
            m = self.registry.match(body, key)
            owner = m.owner
            if owner is not None and owner.region:
                r = _parse_place(owner.region)
                if r is not None:
                    return Region(r.province, r.city, r.county, "owners")
                return Region(owner.region, "", "", "owners")
        if body:
            m = _PLACE.match(body)  # the leading place names: parsed once for all the bodies they head
            place = m.group(1) if m else body
            r = self._places.get(place)
            if r is None:
                r = self._places[place] = _parse_place(place) or Region()
            return r
        return Region()


# ------------------------------------------------------------------------------------------ rows
@dataclass(slots=True)
class ReportRow:
    report_id: str
    object_key: str
    report_index: int
    body: str
    body_key: str  # normalised body name: one body page per key
    year: int | None
    format: str
    title: str
    status: str  # site status (STATUSES)
    region: Region
    findings: list[dict[str, Any]]
    summary: dict[str, Any]
    docs_page: str | None = None  # GX validation page, relative to the docs root
    source_url: str | None = None
    audited_at: str | None = None
    run_id: str | None = None
    etag: str | None = None
    stale: dict[str, Any] | None = None
    # (findings, summary) in full, when ``findings``/``summary`` hold only what the indexes read (a
    # state's reports: the evidence page reads the rest from the packed state entry when it is drawn)
    full: Callable[[], tuple[list[dict[str, Any]], dict[str, Any]]] | None = None

    def expanded(self) -> ReportRow:
        if self.full is None:
            return self
        fs, summary = self.full()
        return dataclasses.replace(self, findings=fs, summary=summary, full=None)

    @property
    def page_id(self) -> str:
        return sha(self.report_id)

    @property
    def fail_rules(self) -> list[str]:
        return sorted({f["rule"] for f in self.findings if is_failure(f) and not dismissed(f)})

    @property
    def is_pdf(self) -> bool:
        return self.object_key.lower().endswith(".pdf")

    def input_hash(self) -> str:
        """What the report's evidence page is drawn from (its cells document goes with the etag)."""
        doc = [self.report_id, self.body, self.year, self.format, self.title, self.status, self.region.path,
               self.findings, self.summary, self.docs_page, self.source_url, self.audited_at, self.etag,
               bool(self.stale)]
        return sha(json.dumps(doc, ensure_ascii=False, sort_keys=True, default=str), 20)


@dataclass(slots=True)
class FileRow:
    """An object that holds no report: not a readable report, or could not be fetched."""

    object_key: str
    status: str
    reason: str


@dataclass(slots=True)
class Changes:
    previous_run: str | None
    new_failures: list[str] = field(default_factory=list)  # report ids
    fixed: list[str] = field(default_factory=list)
    new_reports: list[str] = field(default_factory=list)
    gone: int = 0  # reports of the previous run no longer in the source


@dataclass(slots=True)
class SiteData:
    source: str
    run_id: str
    run_at: str
    engine: str | None
    catalog_version: str
    reports: list[ReportRow]
    files: list[FileRow] = field(default_factory=list)
    changes: Changes | None = None
    # rules that only the not-checked lines of passing reports name (the rows do not keep those lines)
    rules_named: set[str] = field(default_factory=set)

    def by_id(self) -> dict[str, ReportRow]:
        return {r.report_id: r for r in self.reports}


def is_failure(f: dict[str, Any]) -> bool:
    return f.get("severity") == "fail" and f.get("status") == "violated"


def dismissed(f: dict[str, Any]) -> bool:
    return (f.get("review") or {}).get("decision") == "dismissed"


def site_status(state_status: str | None, findings: list[dict[str, Any]]) -> str:
    st = STATE_TO_SITE.get(str(state_status or ""), "not_checked")
    if st != "fail":
        return st
    fails = [f for f in findings if is_failure(f)]
    live = [f for f in fails if not dismissed(f)]
    if fails and not live:
        return "dismissed"
    if live and all(f.get("read") in UNSURE_READS for f in live):
        return "verify"
    return "fail"


def _source_url(report: dict[str, Any], summary: dict[str, Any]) -> str | None:
    for d in (report, summary, report.get("meta") or {}, summary.get("meta") or {}):
        u = d.get("source_url") or d.get("url")
        if isinstance(u, str) and re.match(r"https?://", u):
            return u
    return None


# What the site keeps of a passing report's summary (it has no evidence page), and what it drops from
# a not-checked finding (only its message is shown): 100,000 reports must fit in memory.
PASS_SUMMARY_KEYS = ("status", "rules", "likely_cells")
SLIM_CELL_KEYS = ("cell", "row", "column", "label", "label_en", "value")
# dropped: the report's own fields (on the row), and what only the evidence page reads
SLIM_DROP = ("cells", "readings", "likely", "source", "body", "year", "report_index", "instance")
INTERNED = {"rule", "kind", "severity", "status", "table", "row", "column", "read", "report_id"}
SLIM_LIKELY_KEYS = ("cell", "label", "label_en", "value", "printed", "unique")


def slim_finding(f: dict[str, Any]) -> dict[str, Any]:
    """What the indexes, statistics and exports read of a finding: without its readings and with
    only the cell it points at (``where``)."""
    out = {k: sys.intern(v) if isinstance(v, str) and k in INTERNED else v for k, v in f.items()
           if k not in SLIM_DROP}
    target = target_cell(f)
    if target is not None:
        out["cells"] = [_interned(target, SLIM_CELL_KEYS) | {"prov": {"page": (target.get("prov") or {}).get("page")}}]
    if isinstance(f.get("likely"), dict):
        out["likely"] = _interned(f["likely"], SLIM_LIKELY_KEYS)
    return out


def _interned(d: dict[str, Any], keys: tuple[str, ...]) -> dict[str, Any]:
    """``keys`` of ``d``, their text values interned (cell ids and labels repeat across reports)."""
    return {k: sys.intern(d[k]) if isinstance(d[k], str) else d[k] for k in keys if k in d}


def _full_of(e: Any, rid: str) -> Callable[[], tuple[list[dict[str, Any]], dict[str, Any]]]:
    def full() -> tuple[list[dict[str, Any]], dict[str, Any]]:
        with e.visit():
            fs = [f for f in e.findings if f.get("report_id", "") == rid]
            summary = next((r.get("summary") or {} for r in e.reports if r["report_id"] == rid), {})
            return fs, summary
    return full


def from_state(state: Any, *, run_id: str | None = None, run_at: str | None = None,
               regions: Callable[[str | None, str], Region] | None = None,
               source_url: Callable[[str], str | None] | None = None,
               previous: dict[str, Any] | None = None) -> SiteData:
    """Page data of an ``AuditState``. ``previous`` is the previous run's findings document
    (``runs/<run>/findings.json``: {"run", "objects", "findings"}) for the changes."""
    regions = regions or RegionResolver()
    reports: list[ReportRow] = []
    files: list[FileRow] = []
    named: set[str] = set()
    for key, e in state.entries():
        if not e.reports:
            files.append(FileRow(key, e.status, e.reason or ""))
            continue
        by_report: dict[str, list[dict[str, Any]]] = defaultdict(list)
        for f in e.findings:
            by_report[f.get("report_id", "")].append(f)
        for r in e.reports:
            rid = r["report_id"]
            fs = by_report.get(rid, [])
            summary = r.get("summary") or {}
            body = r.get("body") or ""
            status = site_status(r.get("status"), fs)
            url = (source_url(key) if source_url else None) or _source_url(r, summary)
            # 100,000 reports must fit in memory: the rows keep what the indexes read, the evidence
            # page reads the rest from the (packed) state entry
            summary = {k: summary[k] for k in PASS_SUMMARY_KEYS if k in summary}
            # not-checked lines show only on the evidence page (drawn from ``full``) and in the list of
            # rules; the statistics count them from the summary's rules
            named.update(f.get("rule") or "" for f in fs if f.get("status") == "not_checked")
            fs = [slim_finding(f) for f in fs if f.get("status") != "not_checked"]
            reports.append(ReportRow(
                report_id=rid, object_key=key, report_index=int(r.get("report_index") or 0), body=body,
                body_key=normalise_body(body) or f"?{key}", year=r.get("year"), format=str(r.get("format") or ""),
                title=r.get("title") or "", status=status, region=regions(body, key),
                findings=fs, summary=summary, docs_page=r.get("docs_page"), source_url=url,
                audited_at=e.audited_at, run_id=e.run_id, etag=e.etag, stale=e.stale,
                full=None if status == "pass" else _full_of(e, rid)))
    run = run_id or state.last_run_id or "run"
    data = SiteData(source=state.source, run_id=run, run_at=run_at or state.updated_at or "",
                    engine=state.engine, catalog_version=catalog_version(), reports=reports, files=files,
                    rules_named=named)
    if previous is not None:
        data.changes = changes(data, previous)
    return data


def from_check(result: Any, *, source: str = "", run_id: str = "check", run_at: str = "",
               regions: Callable[[str | None, str], Region] | None = None,
               docs_pages: dict[str, str] | None = None, errors: Iterable[tuple[str, str]] = ()) -> SiteData:
    """Page data of a ``CheckResult`` (``nianbao check``): no state, no previous run."""
    regions = regions or RegionResolver()
    by_report: dict[str, list[dict[str, Any]]] = defaultdict(list)
    for f in result.findings:
        by_report[f.report_id].append(f.to_dict())
    reports = []
    for rr in result.report_results:
        fs = by_report.get(rr.report_id, [])
        summary = rr.to_dict()
        reports.append(ReportRow(
            report_id=rr.report_id, object_key=rr.source, report_index=rr.report_index, body=rr.body or "",
            body_key=normalise_body(rr.body) or f"?{rr.source}", year=rr.year, format=rr.format, title="",
            status=site_status(rr.status, fs), region=regions(rr.body, rr.source), findings=fs, summary=summary,
            docs_page=(docs_pages or {}).get(rr.report_id), source_url=_source_url({}, summary)))
    files = [FileRow(src, "unreadable", reason) for src, reason in errors]
    return SiteData(source=source, run_id=run_id, run_at=run_at, engine=None, catalog_version=catalog_version(),
                    reports=reports, files=files)


def from_findings_doc(doc: dict[str, Any], *, regions: Callable[[str | None, str], Region] | None = None,
                      previous: dict[str, Any] | None = None) -> SiteData:
    """Page data of a published ``findings.json`` (no report list: reports are those with findings;
    passing reports are not known and not counted)."""
    regions = regions or RegionResolver()
    run = doc.get("run") or {}
    grouped: dict[str, list[dict[str, Any]]] = defaultdict(list)
    for f in doc.get("findings", []):
        grouped[f.get("report_id", "")].append(f)
    reports = []
    for rid, fs in sorted(grouped.items()):
        f0 = fs[0]
        worst = ("failed" if any(is_failure(f) for f in fs) else
                 "not_checked" if any(f.get("status") == "not_checked" for f in fs) else
                 "unreadable" if any(f.get("status") == "unverifiable" for f in fs) else "warned")
        body = f0.get("body") or ""
        key = f0.get("object_key") or f0.get("source") or rid.rsplit("#", 1)[0]
        reports.append(ReportRow(
            report_id=rid, object_key=key, report_index=int(f0.get("report_index") or 0), body=body,
            body_key=normalise_body(body) or f"?{key}", year=f0.get("year"), format="", title="",
            status=site_status(worst, fs), region=regions(body, key), findings=fs, summary={}))
    files = [FileRow(o["object_key"], o.get("status") or "", o.get("reason") or "") for o in doc.get("objects", [])
             if o.get("reports") == 0 and o.get("status") in ("unreadable", "error")]
    data = SiteData(source=run.get("source") or "", run_id=run.get("run_id") or "run", run_at=run.get("finished_at") or "",
                    engine=None, catalog_version=catalog_version(), reports=reports, files=files)
    if previous is not None:
        data.changes = changes(data, previous)
    return data


# ------------------------------------------------------------------------------------------ changes
def previous_view(doc: dict[str, Any]) -> dict[str, Any]:
    """What the changes need of a previous run's findings document: its run id, object keys, the
    reports it found failing and every report id it named."""
    failing = {f["report_id"] for f in doc.get("findings", []) if is_failure(f) and not dismissed(f)}
    named = {f.get("report_id") for f in doc.get("findings", [])}
    return {"run_id": (doc.get("run") or {}).get("run_id"),
            "objects": {o["object_key"] for o in doc.get("objects", []) if "object_key" in o},
            "failing": failing, "reports": named}


def changes(data: SiteData, previous: dict[str, Any]) -> Changes:
    prev = previous if "failing" in previous and isinstance(previous.get("failing"), set) else previous_view(previous)
    ch = Changes(previous_run=prev.get("run_id"))
    seen_objects: set[str] = prev["objects"]
    now_ids = set()
    for r in data.reports:
        now_ids.add(r.report_id)
        new_object = r.object_key not in seen_objects
        if new_object:
            ch.new_reports.append(r.report_id)
        if r.status in BAD and r.report_id not in prev["failing"]:
            ch.new_failures.append(r.report_id)
        elif r.status not in BAD and r.report_id in prev["failing"]:
            ch.fixed.append(r.report_id)
    ch.gone = len({rid for rid in prev["failing"] if rid not in now_ids})
    return ch


# ------------------------------------------------------------------------------------------ counts
def status_counts(reports: Iterable[ReportRow]) -> dict[str, int]:
    c = Counter(r.status for r in reports)
    return {s: c.get(s, 0) for s in STATUSES}


def order_key(r: ReportRow) -> tuple:
    """Failures first, then by body and year (newest first)."""
    return (STATUSES.index(r.status), r.body_key, -(r.year or 0), r.report_index)


@dataclass(slots=True)
class RuleStat:
    rule: str
    checked: int = 0  # reports the rule was evaluated on (pass, violated, unverifiable)
    violated: int = 0  # reports where it was violated (not dismissed)
    unverifiable: int = 0
    not_checked: int = 0
    findings: int = 0  # violated findings (cells or instances)
    dismissed: int = 0
    by_year: dict[Any, list[int]] = field(default_factory=dict)  # year -> [checked, violated]
    by_province: dict[str, list[int]] = field(default_factory=dict)

    @property
    def rate(self) -> float:
        return self.violated / self.checked if self.checked else 0.0


def rule_stats(reports: Iterable[ReportRow]) -> dict[str, RuleStat]:
    """Per rule, per report: how often it was checked and violated, by year and by province."""
    out: dict[str, RuleStat] = {}
    for r in reports:
        rules = r.summary.get("rules") or {}
        violated_now: dict[str, int] = Counter(f["rule"] for f in r.findings
                                               if f.get("status") == "violated" and not dismissed(f))
        dism = Counter(f["rule"] for f in r.findings if f.get("status") == "violated" and dismissed(f))
        names = set(rules) | set(violated_now) | set(dism)
        prov = r.region.province or UNKNOWN_REGION
        for rule in names:
            st = rules.get(rule)
            s = out.get(rule)
            if s is None:
                s = out[rule] = RuleStat(rule)
            if st == "not_checked":
                s.not_checked += 1
                continue
            if st == "unverifiable":
                s.unverifiable += 1
            v = 1 if violated_now.get(rule) else 0
            s.checked += 1
            s.violated += v
            s.findings += violated_now.get(rule, 0)
            s.dismissed += dism.get(rule, 0)
            y = s.by_year.setdefault(r.year, [0, 0])
            y[0] += 1
            y[1] += v
            p = s.by_province.setdefault(prov, [0, 0])
            p[0] += 1
            p[1] += v
    return out


def rate_by_year(reports: Iterable[ReportRow]) -> dict[Any, list[int]]:
    """year -> [reports, failing (fail or verify)]."""
    out: dict[Any, list[int]] = {}
    for r in reports:
        y = out.setdefault(r.year, [0, 0])
        y[0] += 1
        y[1] += r.status in BAD
    return dict(sorted(out.items(), key=lambda kv: (kv[0] is None, kv[0] or 0)))


# ------------------------------------------------------------------------------------------ findings
def where(f: dict[str, Any]) -> str:
    """The finding's location as printed: table, row and column labels, and the PDF page. Never a
    line number of the text the reader made."""
    target = target_cell(f)
    if target is not None:
        label = target.get("label") or ""
        page = (target.get("prov") or {}).get("page")
        return label + (f"（第 {page} 页）" if page else "")
    return TABLE_ZH.get(f.get("table") or "", "") or "—"


def where_en(f: dict[str, Any]) -> str:
    target = target_cell(f)
    if target is not None:
        page = (target.get("prov") or {}).get("page")
        return (target.get("label_en") or "") + (f" (page {page})" if page else "")
    return TABLE_EN.get(f.get("table") or "", "")


def target_cell(f: dict[str, Any]) -> dict[str, Any] | None:
    cells = f.get("cells") or []
    return next((c for c in cells if c.get("row") == f.get("row") and c.get("column") == f.get("column")
                 and "value" in c), None)


@dataclass(slots=True)
class FindingGroup:
    kind: str  # violated | unverifiable | not_checked
    severity: str
    rules: list[str]
    message_zh: str
    message_en: str
    findings: list[dict[str, Any]]


def _reason(msg: str, sep: str) -> str:
    return msg.split(sep, 1)[-1] if sep in msg else msg


def group_findings(findings: list[dict[str, Any]]) -> list[FindingGroup]:
    """Violated findings one by one (fail first); undecided ones per rule; not-checked ones per reason:
    a pre-2019 report's 21 near-identical "未检查" lines become one group."""
    out: list[FindingGroup] = []
    sev = {"fail": 0, "warn": 1, "info": 2}
    for f in sorted((f for f in findings if f.get("status") == "violated"),
                    key=lambda f: (dismissed(f), sev.get(f.get("severity"), 3), f.get("rule", ""))):
        out.append(FindingGroup("violated", f.get("severity", ""), [f.get("rule", "")], f.get("message_zh", ""),
                                f.get("message_en", ""), [f]))
    undecided: dict[str, list[dict[str, Any]]] = defaultdict(list)
    for f in findings:
        if f.get("status") == "unverifiable":
            undecided[f.get("rule", "")].append(f)
    for rule, fs in sorted(undecided.items()):
        out.append(FindingGroup("unverifiable", fs[0].get("severity", ""), [rule],
                                f"{rule}：{len(fs)} 处检查在数字连写的各种读法下结论不一",
                                f"{rule}: {len(fs)} check(s) undecided under the readings of run-together digits",
                                fs))
    nc: dict[str, list[dict[str, Any]]] = defaultdict(list)
    for f in findings:
        if f.get("status") == "not_checked":
            nc[_reason(f.get("message_zh", ""), "：")].append(f)
    for reason, fs in nc.items():
        rules = sorted({f.get("rule", "") for f in fs})
        out.append(FindingGroup("not_checked", fs[0].get("severity", ""), rules, f"未检查：{reason}",
                                "not checked: " + _reason(fs[0].get("message_en", ""), ": "), fs))
    return out


# ------------------------------------------------------------------------------------------ catalogue
def catalog_version() -> str:
    """``v<version>-<hash of catalog.yaml>``: the rule version a published rate refers to."""
    from expectations.catalog import CATALOG_PATH

    text = CATALOG_PATH.read_bytes()
    m = re.search(rb"^version:\s*(\S+)", text, re.M)
    return f"v{(m.group(1).decode() if m else '?')}-{sha(text, 8)}"


def rule_slug(rule_id: str) -> str:
    s = rule_id.replace("≤", "-LE-").replace("≥", "-GE-")
    s = re.sub(r"[^A-Za-z0-9_-]+", "-", s).strip("-")
    return s or sha(rule_id, 8)
