"""The one place the audit flow meets the rules package (``expectations``).

``validate_reports`` runs one validation over a batch of reports and returns plain JSON per report
(status, findings with stable ids); ``build_docs`` writes the Data Docs site of the failures. A crash
of the rule engine on a batch is isolated report by report, so one odd report cannot hide the others.
"""

from __future__ import annotations

import logging
import os
import threading
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from parsers.model import Report

# Great Expectations contexts are not meant to be shared between threads; with the thread task runner
# batches validate one at a time (process-based Dask workers each have their own lock).
_GX_LOCK = threading.Lock()


class _BelowWarning(logging.Filter):
    def filter(self, record: logging.LogRecord) -> bool:
        return record.levelno >= logging.WARNING


def quiet_libraries() -> None:
    """Keep Great Expectations' info logs ("Created temporary directory ... for ephemeral docs site")
    and its analytics out of the command's output, even when a host (Prefect, pytest) configured
    logging at INFO. GX sets that module's logger to INFO when it is imported, so a level set here
    would be undone: a filter stays."""
    os.environ.setdefault("GX_ANALYTICS_ENABLED", "false")
    for name in ("great_expectations", "posthog"):
        logging.getLogger(name).setLevel(logging.WARNING)
    for name in ("great_expectations.data_context.types.base",
                 "great_expectations.core.expectation_diagnostics.expectation_doctor"):
        logger = logging.getLogger(name)
        if not any(isinstance(f, _BelowWarning) for f in logger.filters):
            logger.addFilter(_BelowWarning())



@dataclass(slots=True)
class Validation:
    """Per report id: summary row and findings (JSON). ``errors``: report id -> rule-engine failure."""

    reports: dict[str, dict[str, Any]] = field(default_factory=dict)
    findings: dict[str, list[dict[str, Any]]] = field(default_factory=dict)
    errors: dict[str, str] = field(default_factory=dict)
    result: Any = None  # expectations.CheckResult for the reports that validated (for Data Docs)


def report_id_of(d: dict[str, Any]) -> str | None:
    rid = d.get("report_id") or d.get("report")
    if rid:
        return str(rid)
    if "source" in d:
        return f"{d['source']}#{d.get('report_index', 0)}"
    return None


def _split(result: Any, out: Validation) -> None:
    data = result.to_json()
    for r in data.get("reports", []):
        rid = report_id_of(r)
        if rid:
            out.reports[rid] = r
    for f in data.get("findings", []):
        rid = report_id_of(f)
        if rid:
            out.findings.setdefault(rid, []).append(f)


def validate_reports(reports: list[Report], lookup: Any = None) -> Validation:
    """Validate a batch in one go. If the rule engine breaks, each report is retried alone and the
    ones that still break are recorded in ``errors`` (never raised, never counted as passing).
    ``lookup(normalised body, year)``: last year's reports from the cell store (cross-year rules)."""
    out = Validation()
    if not reports:
        return out
    try:
        from expectations import check_reports
    except Exception as e:  # the rules package itself is broken: every report is an error
        out.errors = {r.report_id: f"rule engine unavailable: {type(e).__name__}: {e}" for r in reports}
        return out
    quiet_libraries()
    with _GX_LOCK:
        try:
            out.result = check_reports(reports, lookup=lookup)
            quiet_libraries()  # importing GX the first time resets its loggers
            _split(out.result, out)
            return out
        except Exception as e:
            if len(reports) == 1:
                out.errors[reports[0].report_id] = f"rule engine error: {type(e).__name__}: {e}"
                return out
        # Isolate the report that breaks the engine; validate the others together.
        good: list[Report] = []
        for r in reports:
            try:
                check_reports([r])
                good.append(r)
            except Exception as e:
                out.errors[r.report_id] = f"rule engine error: {type(e).__name__}: {e}"
        if good:
            out.result = check_reports(good, lookup=lookup)
            _split(out.result, out)
    return out


def report_status(summary: dict[str, Any] | None, findings: list[dict[str, Any]]) -> str:
    """passed | failed | unreadable | warned | not_checked, from the rules' own verdict for the report.

    A report the rules could not check is never a pass; ``info`` findings alone are a pass."""
    st = str((summary or {}).get("status", "")).lower()
    if st in ("pass", "info"):
        return "passed"
    if st in ("unreadable", "unverifiable"):
        return "unreadable"  # printed cells not read, or readings leaving a rule undecided: never failed
    if st == "warn":
        return "warned"
    if st == "not_checked":
        return "not_checked"
    if st == "fail":
        return "failed"
    if summary is None:
        return "not_checked"  # the engine said nothing about this report
    return "failed"


def has_docs(validation: Validation) -> bool:
    return validation.result is not None and any(
        report_status(validation.reports.get(rid), validation.findings.get(rid, [])) != "passed"
        for rid in validation.reports)


def build_docs(validation: Validation, out_dir: Path) -> Path:
    from expectations import build_data_docs

    with _GX_LOCK:
        return build_data_docs(validation.result, out_dir)
