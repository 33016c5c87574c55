"""Downloads: the reports and findings of the run as CSV (UTF-8 with a BOM, so Excel opens it), Excel
(.xlsx) and Parquet, for the whole run and per province; the rule statistics (per rule, year and
province) as CSV and Parquet, citable with the run and the rule catalogue version.

Each file is a pure function of the page data; ``build`` writes only the files whose bytes changed
(an .xlsx is rebuilt only when the CSV of the same rows changed: its zip carries a timestamp).
"""

from __future__ import annotations

import csv
import io
import json
from collections import defaultdict
from collections.abc import Iterable, Iterator
from typing import Any

from flows.site.model import (
    STATUS_EN,
    STATUS_ZH,
    UNKNOWN_REGION,
    ReportRow,
    RuleStat,
    SiteData,
    dismissed,
    rule_slug,
    sha,
    where,
)
from flows.site.pages import report_path

REPORT_COLS = ("report_id", "object_key", "report_index", "body", "year", "format", "status", "status_zh",
               "province", "city", "county", "failing_rules", "likely_cell", "likely_value", "evidence_page",
               "gx_page", "source_url")
FINDING_COLS = ("report_id", "body", "year", "province", "city", "county", "rule", "severity", "status", "where",
                "expected", "actual", "read", "message_zh", "message_en", "likely_cell", "likely_value", "review",
                "review_reason", "finding_id")
STAT_COLS = ("rule", "year", "province", "reports_checked", "reports_violated", "rate", "run_id", "rule_catalogue")


def report_record(r: ReportRow) -> dict[str, Any]:
    lk = next((d for d in r.summary.get("likely_cells") or [] if d.get("unique")), None)
    return {"report_id": r.report_id, "object_key": r.object_key, "report_index": r.report_index, "body": r.body,
            "year": r.year, "format": r.format, "status": STATUS_EN.get(r.status, r.status),
            "status_zh": STATUS_ZH.get(r.status, r.status), "province": r.region.province, "city": r.region.city,
            "county": r.region.county, "failing_rules": " ".join(r.fail_rules),
            "likely_cell": lk.get("label") if lk else None, "likely_value": lk.get("value") if lk else None,
            "evidence_page": report_path(r) if r.status != "pass" else None, "gx_page": r.docs_page,
            "source_url": r.source_url}


def finding_records(r: ReportRow) -> Iterable[dict[str, Any]]:
    for f in r.findings:
        if f.get("status") not in ("violated", "unverifiable"):
            continue  # not-checked lines are said per report (status), not one per rule instance
        lk = f.get("likely") or {}
        rv = f.get("review") or {}
        yield {"report_id": r.report_id, "body": r.body, "year": r.year, "province": r.region.province,
               "city": r.region.city, "county": r.region.county, "rule": f.get("rule"), "severity": f.get("severity"),
               "status": "dismissed" if dismissed(f) else f.get("status"), "where": where(f),
               "expected": f.get("expected"), "actual": f.get("actual"), "read": f.get("read"),
               "message_zh": f.get("message_zh"), "message_en": f.get("message_en"),
               "likely_cell": lk.get("label"), "likely_value": lk.get("value"), "review": rv.get("decision"),
               "review_reason": rv.get("reason"), "finding_id": f.get("id")}


def stat_records(stats: dict[str, RuleStat], run_id: str, version: str) -> list[dict[str, Any]]:
    out = []
    for rule, s in sorted(stats.items()):
        base = {"rule": rule, "run_id": run_id, "rule_catalogue": version}
        out.append(base | {"year": None, "province": None, "reports_checked": s.checked,
                           "reports_violated": s.violated, "rate": round(s.rate, 6)})
        for y, (n, b) in sorted(s.by_year.items(), key=lambda kv: (kv[0] is None, kv[0] or 0)):
            out.append(base | {"year": y, "province": None, "reports_checked": n, "reports_violated": b,
                               "rate": round(b / n, 6) if n else 0.0})
        for p, (n, b) in sorted(s.by_province.items()):
            out.append(base | {"year": None, "province": p, "reports_checked": n, "reports_violated": b,
                               "rate": round(b / n, 6) if n else 0.0})
    return out


def to_csv(rows: Iterable[dict[str, Any]], cols: tuple[str, ...]) -> bytes:
    buf = io.BytesIO()
    text = io.TextIOWrapper(buf, encoding="utf-8-sig", newline="")  # encoded as it is written: one copy
    w = csv.DictWriter(text, fieldnames=cols, extrasaction="ignore", lineterminator="\r\n")
    w.writeheader()
    for r in rows:
        w.writerow({k: ("" if r.get(k) is None else _excel_safe(r.get(k))) for k in cols})
    text.flush()
    data = buf.getvalue()
    text.detach()
    return data


def _excel_safe(v: Any) -> Any:
    """Report text starting with = + - @ is a formula to a spreadsheet: keep it text."""
    if isinstance(v, str) and v[:1] in ("=", "+", "-", "@") and not _number(v):
        return "'" + v
    return v


def _number(v: str) -> bool:
    try:
        float(v)
    except ValueError:
        return False
    return True


# Parquet column types (the rest are text); fixed, so that the rows can be written a chunk at a time
PARQUET_INT = {"report_index", "year", "reports_checked", "reports_violated"}
PARQUET_FLOAT = {"expected", "actual", "likely_value", "rate"}
CHUNK = 20_000


def to_parquet(rows: Iterable[dict[str, Any]], cols: tuple[str, ...]) -> bytes:
    import itertools

    import pyarrow as pa
    import pyarrow.parquet as pq

    schema = pa.schema([(c, pa.int64() if c in PARQUET_INT else pa.float64() if c in PARQUET_FLOAT else pa.string())
                        for c in cols])

    def cell(c: str, v: Any) -> Any:
        if v is None:
            return None
        if c in PARQUET_INT or c in PARQUET_FLOAT:
            if isinstance(v, bool) or not isinstance(v, (int, float)):
                return None
            return int(v) if c in PARQUET_INT else float(v)
        return v if isinstance(v, str) else json.dumps(v, ensure_ascii=False) if isinstance(v, (dict, list)) else str(v)

    buf = io.BytesIO()
    with pq.ParquetWriter(buf, schema, compression="zstd") as w:
        it = iter(rows)
        wrote = False
        while chunk := list(itertools.islice(it, CHUNK)):
            w.write_table(pa.table({c: [cell(c, r.get(c)) for r in chunk] for c in cols}, schema=schema))
            wrote = True
        if not wrote:
            w.write_table(schema.empty_table())
    return buf.getvalue()


def to_xlsx(sheets: list[tuple[str, tuple[str, ...], Iterable[dict[str, Any]]]], when: str = "") -> bytes:
    from openpyxl import Workbook
    from openpyxl.utils.exceptions import IllegalCharacterError

    wb = Workbook(write_only=True)
    for title, cols, rows in sheets:
        ws = wb.create_sheet(title[:31])
        ws.append(list(cols))
        for r in rows:
            vals = [r.get(c) for c in cols]
            vals = [_excel_safe(v) if isinstance(v, str) else v for v in vals]
            try:
                ws.append(vals)
            except IllegalCharacterError:
                ws.append([_strip_ctl(v) if isinstance(v, str) else v for v in vals])
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()


def _strip_ctl(s: str) -> str:
    return "".join(ch for ch in s if ch >= " " or ch in "\t\n\r")


def exports(data: SiteData, stats: dict[str, RuleStat]) -> Iterator[tuple[str, tuple[bytes, Any]]]:
    """(name, (bytes, xlsx maker or None)), one file at a time (the caller writes each before the next
    is made), their rows made from the report rows as they are written, never all held at once.
    Names: ``reports.csv`` … and ``region/<province>.csv``, ``rule/<id>.csv``. For .xlsx the bytes are
    the CSV of the same rows (what decides whether it is rebuilt) and the maker builds the workbook."""
    def province(r: ReportRow) -> str:
        return r.region.province or UNKNOWN_REGION

    def report_rows(prov: str | None = None, bad: bool = False) -> Iterator[dict[str, Any]]:
        return (report_record(r) for r in data.reports
                if (prov is None or province(r) == prov) and not (bad and r.status == "pass"))

    def finding_rows(prov: str | None = None) -> Iterator[dict[str, Any]]:
        return (f for r in data.reports if prov is None or province(r) == prov for f in finding_records(r))

    yield "reports.csv", (to_csv(report_rows(), REPORT_COLS), None)
    yield "reports.parquet", (to_parquet(report_rows(), REPORT_COLS), None)
    findings_csv = to_csv(finding_rows(), FINDING_COLS)
    yield "findings.csv", (findings_csv, None)
    yield "findings.parquet", (to_parquet(finding_rows(), FINDING_COLS), None)
    stat_rows = stat_records(stats, data.run_id, data.catalog_version)
    yield "rule-stats.csv", (to_csv(stat_rows, STAT_COLS), None)
    yield "rule-stats.parquet", (to_parquet(stat_rows, STAT_COLS), None)
    if data.changes is not None:
        by_id = data.by_id()
        ch = data.changes
        rows = [dict(report_record(by_id[i]), change=kind) for kind, ids in
                (("new_failure", ch.new_failures), ("fixed", ch.fixed), ("new_report", ch.new_reports))
                for i in ids if i in by_id]
        del by_id
        yield "changes.csv", (to_csv(rows, ("change", *REPORT_COLS)), None)
    key = sha(to_csv(report_rows(bad=True), REPORT_COLS) + findings_csv)
    del findings_csv
    yield "failing.xlsx", (key.encode(), lambda: to_xlsx([("未通过的报告 reports", REPORT_COLS, report_rows(bad=True)),
                                                        ("问题 findings", FINDING_COLS, finding_rows())]))
    for prov in sorted({province(r) for r in data.reports if r.status != "pass"}):
        csv_r = to_csv(report_rows(prov, bad=True), REPORT_COLS)
        yield f"region/{prov}-reports.csv", (csv_r, None)
        csv_f = to_csv(finding_rows(prov), FINDING_COLS)
        yield f"region/{prov}-findings.csv", (csv_f, None)
        yield f"region/{prov}.xlsx", (sha(csv_r + csv_f).encode(),
                                      lambda prov=prov: to_xlsx([("未通过的报告 reports", REPORT_COLS,
                                                                  report_rows(prov, bad=True)),
                                                                 ("问题 findings", FINDING_COLS, finding_rows(prov))]))
    by_rule: dict[str, list[dict[str, Any]]] = defaultdict(list)
    for s in stat_rows:
        by_rule[s["rule"]].append(s)
    for rule, rows in by_rule.items():
        yield f"rule/{rule}.csv", (to_csv(rows, STAT_COLS), None)
        yield f"rule/{rule}.parquet", (to_parquet(rows, STAT_COLS), None)


def file_name(name: str) -> str:
    """A download's file name in the store: rule ids and province names made safe for keys."""
    if name.startswith("rule/"):
        stem, _, ext = name[5:].rpartition(".")
        return f"rule/{rule_slug(stem)}.{ext}"
    if name.startswith("region/"):
        stem, _, ext = name[7:].rpartition(".")
        base, dash, kind = stem.rpartition("-") if stem.endswith(("-reports", "-findings")) else (stem, "", "")
        return f"region/{sha(base, 10)}{dash}{kind}.{ext}"
    return name
