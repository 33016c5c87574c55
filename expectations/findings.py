"""Result objects: Finding (one failing cell or instance), ReportResult, RuleSummary, CheckResult.

No GX import here: the flows, the CLI and alerting read these objects. Everything is
JSON-serialisable through ``to_dict`` / ``CheckResult.to_json``.
"""

from __future__ import annotations

import hashlib
from dataclasses import asdict, dataclass, field
from typing import Any

# finding status
UNREADABLE_REPORT = "unreadable"  # report status: no failure found, but printed tables were not fully read
VIOLATED = "violated"  # the rule does not hold (under every remaining reading)
UNVERIFIABLE = "unverifiable"  # holds under some readings of ambiguous digits only
NOT_CHECKED = "not_checked"  # a table or cell the rule needs is missing or unreadable
# report / table status
PASS, FAIL, WARN, INFO = "pass", "fail", "warn", "info"


def finding_id(report_id: str, rule: str, table: str | None, row: str | None, column: str | None,
               instance: str) -> str:
    """Stable id: the same report, rule and cell always give the same id (alert de-duplication)."""
    key = "|".join((report_id, rule, table or "", row or "", column or "", instance))
    return hashlib.sha1(key.encode("utf-8")).hexdigest()[:16]


def _plain(v: Any) -> Any:
    """A copy of JSON-like data (dicts, lists, tuples as lists): what ``dataclasses.asdict`` gives for
    these fields, without its per-value dataclass checks (a batch's findings are converted on the
    flow's hot path)."""
    t = type(v)
    if t is dict:
        return {k: _plain(x) for k, x in v.items()}
    if t is list or t is tuple:
        return [_plain(x) for x in v]
    return v


def _fields_dict(obj: Any) -> dict[str, Any]:
    return {name: _plain(getattr(obj, name)) for name in obj.__slots__}


@dataclass(slots=True)
class Finding:
    id: str
    source: str
    report_index: int
    report_id: str
    body: str | None
    year: int | None
    rule: str
    kind: str  # within_report | cross_year | narrative
    severity: str  # fail | warn | info
    status: str  # violated | unverifiable | not_checked
    table: str | None
    row: str | None
    column: str | None
    instance: str
    expected: float | int | None
    actual: float | int | None
    message_zh: str
    message_en: str
    cells: list[dict[str, Any]] = field(default_factory=list)  # cells involved: id, label, value, raw, prov
    readings: list[dict[str, Any]] = field(default_factory=list)  # per reading: values and outcome
    read: str = "exact"  # how its cells were read, the least sure: exact | readings | by_position | ocr
    likely: dict[str, Any] | None = None  # likely wrong cell (errorlocate), if this finding points at one

    @property
    def is_failure(self) -> bool:
        return self.severity == FAIL and self.status == VIOLATED

    def to_dict(self) -> dict[str, Any]:
        return _fields_dict(self)


@dataclass(slots=True)
class ReportResult:
    source: str
    report_index: int
    report_id: str
    body: str | None
    year: int | None
    format: str
    status: str  # fail | unreadable | warn | info | unverifiable | not_checked | pass  (worst outcome)
    tables: dict[str, dict[str, Any]]  # table2/3/4 -> {"status": present|missing|unreadable, "check": ...}
    counts: dict[str, int]  # violated per severity, unverifiable, not_checked
    rules: dict[str, str]  # rule id -> pass | violated | unverifiable | not_checked (applicable rules only)
    likely_cells: list[dict[str, Any]] = field(default_factory=list)
    notes: list[dict[str, Any]] = field(default_factory=list)  # parser notes (ParseNote.to_dict)
    reading: dict[str, dict[str, int]] = field(default_factory=dict)  # Report.reading(): cells by how read
    read_limited: list[str] = field(default_factory=list)  # printed but not read (Report.read_limited)

    def to_dict(self) -> dict[str, Any]:
        return _fields_dict(self)


@dataclass(slots=True)
class RuleSummary:
    """One row per rule, in (report, instance) items: like validate::summary()."""

    rule: str
    severity: str
    kind: str
    items: int
    passes: int
    fails: int
    unverifiable: int
    not_evaluated: int
    reports_failing: int

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


@dataclass(slots=True)
class CheckResult:
    findings: list[Finding]
    report_results: list[ReportResult]
    rule_summaries: list[RuleSummary]
    timings: dict[str, float] = field(default_factory=dict)
    gx_results: list[Any] = field(default_factory=list, repr=False)  # ExpectationSuiteValidationResult per batch

    @property
    def has_failures(self) -> bool:
        return any(f.is_failure for f in self.findings)

    def exit_code(self) -> int:
        return 1 if self.has_failures else 0

    def summary(self) -> list[RuleSummary]:
        return list(self.rule_summaries)

    def summary_frame(self):  # -> pandas.DataFrame
        import pandas as pd

        return pd.DataFrame([s.to_dict() for s in self.rule_summaries])

    def to_frame(self):  # -> pandas.DataFrame, one row per finding
        import pandas as pd

        cols = [f for f in Finding.__slots__ if f not in ("cells", "readings", "likely")]
        rows = [{c: getattr(f, c) for c in cols} | {"likely_value": (f.likely or {}).get("value")}
                for f in self.findings]
        return pd.DataFrame(rows, columns=[*cols, "likely_value"])

    def findings_for(self, report_id: str) -> list[Finding]:
        return [f for f in self.findings if f.report_id == report_id]

    def to_json(self) -> dict[str, Any]:
        return {
            "reports": [r.to_dict() for r in self.report_results],
            "findings": [f.to_dict() for f in self.findings],
            "summary": [s.to_dict() for s in self.rule_summaries],
        }
