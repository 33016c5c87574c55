"""Helpers for the rule tests: synthetic reports and one shared GX validation per call."""

from __future__ import annotations

from collections.abc import Iterable

import pytest

from parsers.model import Report
from testkit.synth import make_report


def clean(seed: int = 11, gen: str = "2021", **kw) -> Report:
    """A synthetic report that passes every rule, heuristic ones included."""
    rep = make_report(seed, gen, **kw)
    rep.source = f"case/{gen}/{seed}"
    return rep


def statuses(result, report: Report, rule: str) -> set[str]:
    return {f.status for f in result.findings if f.report_id == report.report_id and f.rule == rule}


@pytest.fixture(scope="session")
def check():
    from expectations import check_reports

    def run(reports: Iterable[Report]):
        return check_reports(list(reports))

    return run
