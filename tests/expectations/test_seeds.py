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
    reports, result = seeds_result
    _, rr, fs = _by(reports, result, prefix, year)
    assert not [f for f in fs if f.is_failure], [f.message_en for f in fs if f.is_failure]
    assert rr.status != "fail"


def test_hongze_single_other_row_is_a_warning(seeds_result):
    reports, result = seeds_result
    _, rr, fs = _by(reports, result, "hongze")
    assert {f.rule for f in fs if f.status == "violated"} == {"T3-FMT-SPLIT"}
    assert rr.status == "warn"


def test_001_tables_missing_not_passing(seeds_result):
    reports, result = seeds_result
    _, rr, fs = _by(reports, result, "001_")
    assert {t: v["status"] for t, v in rr.tables.items()} == dict.fromkeys(("table2", "table3", "table4"), "missing")
    assert all(v["check"] == "not_checked" for v in rr.tables.values())
    assert rr.status == "not_checked"
    nc = {f.rule for f in fs if f.status == "not_checked"}
    assert {"T3-BAL", "T3-RES", "T3-ROW", "T4-SUM-REV"} <= nc
    assert not [f for f in fs if f.is_failure]
