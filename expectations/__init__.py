"""The statutory arithmetic of the annual reports, run as Great Expectations suites.

Public API (stable; everything else in this package is internal)::

    from expectations import check_reports, build_data_docs, load_catalog

    result = check_reports(reports)          # list[parsers.model.Report] -> CheckResult
    result.findings                          # list[Finding]   (one per failing cell/instance, per report)
    result.report_results                    # list[ReportResult] (per report: tables, status, likely cells)
    result.summary()                         # list[RuleSummary] (one row per rule: items/passes/fails/...)
    result.summary_frame()                   # the same as a pandas DataFrame
    result.to_frame()                        # findings as a DataFrame (one row per finding)
    result.to_json()                         # {"reports": [...], "findings": [...], "summary": [...]}
    result.has_failures                      # any finding with severity "fail" and status "violated"
    result.exit_code()                       # 1 if has_failures else 0

    index_html = build_data_docs(result, out_dir)   # GX Data Docs of failing reports only -> Path

``check_reports`` runs ONE Great Expectations validation over all reports (a DataFrame keyed by report);
findings are derived from that validation result. Importing this package does not import Great
Expectations: only ``check_reports`` and ``build_data_docs`` do (it costs several seconds).

Findings carry a stable ``id`` (hash of report id + rule + cell), a rule ``kind`` (within_report,
cross_year, narrative) and ``severity`` (fail, warn, info), so alerting can de-duplicate them.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

from expectations.catalog import Rule, load_catalog
from expectations.findings import CheckResult, Finding, ReportResult, RuleSummary

if TYPE_CHECKING:
    from collections.abc import Sequence

    from parsers.model import Report

__all__ = [
    "CheckResult",
    "Finding",
    "ReportResult",
    "Rule",
    "RuleSummary",
    "build_data_docs",
    "check_reports",
    "load_catalog",
]


def check_reports(reports: Sequence[Report], *, chunk_size: int = 20000, lookup=None) -> CheckResult:
    """Validate ``reports`` against every implemented rule of the catalogue.

    Reports are validated in batches of ``chunk_size`` (one GX validation per batch). Never raises for
    bad report content: tables that are missing or unreadable give ``not_checked`` results. Cross-year
    rules pair each report with last year's report of the same body among ``reports`` and, through
    ``lookup(normalised body, year) -> [cell-store report documents]``, in earlier runs."""
    from expectations.crossyear import pair
    from expectations.engine import validate

    reports = list(reports)
    return validate(reports, chunk_size=chunk_size, previous=pair(reports, lookup))


def build_data_docs(result: CheckResult, out_dir: str | Path) -> Path:
    """Write a self-contained GX Data Docs site of the failing reports to ``out_dir``; returns index.html.

    One page per report with a violated or unverifiable finding or a not-checked table; the index lists
    only those reports (passing ones are counted, not rendered) with counts per rule. No network
    resources are referenced; report text is HTML-escaped."""
    from expectations.docs import build_site

    return build_site(result, Path(out_dir))
