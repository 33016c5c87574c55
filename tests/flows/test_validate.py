"""The flow's verdict per report: what the reader could not read is never a failure of the report."""

from __future__ import annotations

from pathlib import Path

import pytest

from flows import validate as v
from parsers import parse_bytes

REAL = Path(__file__).resolve().parents[3] / "shared" / "real"


@pytest.mark.skipif(not REAL.is_dir(), reason="../shared/real not beside the project")
def test_not_fully_read_is_unreadable_not_failed() -> None:
    names = ("01-pingtan-district-2025.page.txt", "13-pingtan-junshan-2020.page.txt")
    reports = [r for n in names for r in parse_bytes((REAL / n).read_bytes(), n)]
    val = v.validate_reports(reports)
    got = {r.source: v.report_status(val.reports.get(r.report_id), val.findings.get(r.report_id, []))
           for r in reports}
    # 01: several readings of run-together digits leave rules undecided; 13: 总计 printed as zeros
    assert got == {names[0]: "unreadable", names[1]: "failed"}
    assert val.reports[reports[0].report_id]["read_limited"]


def test_report_status_mapping() -> None:
    assert v.report_status({"status": "unreadable"}, []) == "unreadable"
    assert v.report_status({"status": "unverifiable"}, []) == "unreadable"
    assert v.report_status({"status": "fail"}, []) == "failed"
    assert v.report_status({"status": "info"}, []) == "passed"
    assert v.report_status(None, []) == "not_checked"
