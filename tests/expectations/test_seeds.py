"""The five seed reports and the real PDF: the findings the issue names, and nothing else that fails."""

from __future__ import annotations

import pytest

from parsers import parse_bytes
from tests.conftest import SAMPLES, seed_path


@pytest.fixture(scope="module")
def seeds_result(check):
    reports = []
    for prefix in ("000", "001", "002", "003", "004"):
        p = seed_path(prefix)
        reports.extend(parse_bytes(p.read_bytes(), str(p)))
    pdf = SAMPLES / "pdf" / "hongze-2024.pdf"
    reports.extend(parse_bytes(pdf.read_bytes(), str(pdf)))
    return reports, check(reports)


def _by(reports, result, prefix: str, year: int | None = None):
    rep = next(r for r in reports if prefix in r.source and (year is None or r.year == year))
    rr = next(x for x in result.report_results if x.report_id == rep.report_id)
    return rep, rr, result.findings_for(rep.report_id)


def _fails(findings):
    return {(f.rule, f.row, f.column) for f in findings if f.is_failure}


def test_003_open_row_and_total_column(seeds_result):
    reports, result = seeds_result
    _, rr, fs = _by(reports, result, "003_")
    assert _fails(fs) == {("T3-ROW", "R_OPEN", "TOT"), ("T3-RES", "R_TOTAL", "TOT")}
    likely = [d for d in rr.likely_cells if d["unique"]]
    assert [(d["row"], d["column"], d["printed"], d["value"]) for d in likely] == [("R_OPEN", "TOT", 0, 3)]
    res = next(f for f in fs if f.rule == "T3-RES")
    assert "（七）总计 3 ≠" in res.message_zh and "（一）予以公开 0" in res.message_zh
    assert res.expected == 0 and res.actual == 3
    assert all("prov" in c for c in res.cells), "cells involved carry their provenance"


def test_004_2020_likely_cell_is_ten(seeds_result):
    reports, result = seeds_result
    _, rr, fs = _by(reports, result, "004_", 2020)
    assert _fails(fs) == {("T3-ROW", "R_OPEN", "TOT"), ("T3-RES", "R_TOTAL", "TOT")}
    likely = [d for d in rr.likely_cells if d["unique"]]
    assert [(d["row"], d["column"], d["printed"], d["value"]) for d in likely] == [("R_OPEN", "TOT", 20, 10)]


@pytest.mark.parametrize("prefix,year", [("000_", None), ("002_", None), ("004_", 2021), ("004_", 2022),
                                         ("004_", 2023), ("hongze", None)])
def test_no_fail(seeds_result, prefix, year):
    """No table of these reports breaks a within-report rule (004's 2021 report does break the carry-over
    from its 2020 report: test_crossyear_prose.py)."""
    reports, result = seeds_result
    _, rr, fs = _by(reports, result, prefix, year)
    own = [f for f in fs if f.is_failure and f.kind == "within_report"]
    assert not own, [f.message_en for f in own]
    assert rr.status != "fail" or {f.rule for f in fs if f.is_failure} == {"X-T3-CARRY-TOT"}


def test_hongze_single_other_row_is_a_warning(seeds_result):
    reports, result = seeds_result
    _, rr, fs = _by(reports, result, "hongze")
    # 表四 prints 2 reviews and 3 lawsuits after review: the soft signal T4-HEUR-REV2LIT (info)
    assert {(f.rule, f.severity) for f in fs if f.status == "violated"} == {("T3-FMT-SPLIT", "warn"),
                                                                            ("T4-HEUR-REV2LIT", "info")}
    lit = next(f for f in fs if f.rule == "T4-HEUR-REV2LIT")
    assert (lit.actual, lit.expected) == (3, 2)
    assert rr.status == "warn"


def test_004_2023_lost_heading_is_a_warning_not_a_missing_section(seeds_result):
    """The 2023 report runs tables 二 and 三 together without the heading 三、收到和处理…: table 三 is there,
    so the section is not missing (no FMT-SECTIONS failure) but its heading is (FMT-SECTIONS-HEADING)."""
    reports, result = seeds_result
    rep, rr, fs = _by(reports, result, "004_", 2023)
    assert "requests" not in {s.key for s in rep.sections}
    # (and its prose disagrees with table 三, TXT-T3-CAT: test_crossyear_prose.py)
    assert {f.rule for f in fs if f.status == "violated"} == {"FMT-SECTIONS-HEADING", "TXT-T3-CAT"}
    f = next(f for f in fs if f.rule == "FMT-SECTIONS-HEADING")
    assert "三、收到和处理政府信息公开申请情况" in f.message_zh and f.severity == "warn"
    assert rr.status == "warn"


@pytest.mark.parametrize("prefix,year", [("000_", None), ("002_", None), ("003_", None), ("004_", 2020),
                                         ("004_", 2021), ("004_", 2022), ("hongze", None)])
def test_structure_and_body_rules_hold(seeds_result, prefix, year):
    """Six sections in order, 规章 row 0 for townships and county bodies, no local table 三 layout, and
    the stated statistics periods (004 2021/2022, in the sections) match the year."""
    from expectations.bodies import NO_POWER, body_type
    from expectations.facts import stated_periods

    reports, result = seeds_result
    rep, _, fs = _by(reports, result, prefix, year)
    new = {"FMT-SECTIONS", "FMT-SECTIONS-HEADING", "T2-REG-AUTH", "FMT-LABELS", "FMT-PERIOD", "T3-ORGSUB",
           "T3-GROUPSUB", "T2-21-REPEAL"}
    assert not [f.message_en for f in fs if f.rule in new]
    assert body_type(rep.body).power == NO_POWER, rep.body  # so T2-REG-AUTH was decided, not skipped
    if prefix == "004_" and year in (2021, 2022):
        assert [p.start for p in stated_periods(rep)] == [year]  # FMT-PERIOD applied, and held


def test_001_tables_missing_not_passing(seeds_result):
    reports, result = seeds_result
    _, rr, fs = _by(reports, result, "001_")
    assert {t: v["status"] for t, v in rr.tables.items()} == dict.fromkeys(("table2", "table3", "table4"), "missing")
    assert all(v["check"] == "not_checked" for v in rr.tables.values())
    # not a pass: the only thing checked is the prose's own arithmetic, which fails (TXT-SUM, a warning)
    assert rr.status == "warn" and {f.rule for f in fs if f.status == "violated"} == {"TXT-SUM"}
    nc = {f.rule for f in fs if f.status == "not_checked"}
    assert {"T3-BAL", "T3-RES", "T3-ROW", "T4-SUM-REV"} <= nc
    assert not [f for f in fs if f.is_failure]
