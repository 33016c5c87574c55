"""The batch validation: one GX run, per-report results derived from it, JSON, stable ids, guards."""

from __future__ import annotations

import json

import pytest

from parsers.model import Cell
from tests.expectations.conftest import clean


def _broken_open_total(seed: int):
    rep = clean(seed, "2019")
    c = rep.table3.rows["R_OPEN"].cells["TOT"]
    rep.table3.rows["R_OPEN"].cells["TOT"] = Cell(value=int(c.value) + 2, raw=str(int(c.value) + 2))
    rep.source = f"engine/{seed}"
    return rep


def test_one_validation_per_chunk_and_same_findings(check):
    from expectations import check_reports

    reps = [_broken_open_total(s) for s in range(10)] + [clean(s) for s in range(100, 110)]
    one = check_reports(reps)
    chunked = check_reports(reps, chunk_size=3)
    assert len(one.gx_results) == 1 and len(chunked.gx_results) == 7
    assert [f.id for f in one.findings] == [f.id for f in chunked.findings]
    assert [s.to_dict() for s in one.summary()] == [s.to_dict() for s in chunked.summary()]
    assert one.exit_code() == 1


def test_findings_come_from_the_gx_result(check):
    reps = [_broken_open_total(1), clean(2)]
    res = check(reps)
    batch = res.gx_results[0]
    evr = next(r for r in batch.results if r.expectation_config.kwargs["rule_id"] == "T3-ROW")
    assert evr.success is False
    assert evr.expectation_config.meta["severity"] == "fail"
    entries = evr.result["details"]["entries"]
    assert [(e["report"], e["status"]) for e in entries] == [(0, "violated")]
    f = next(f for f in res.findings if f.rule == "T3-ROW")
    assert (f.row, f.column, f.status) == ("R_OPEN", "TOT", "violated")


def test_json_and_frame(check):
    res = check([_broken_open_total(3), clean(4)])
    doc = json.loads(json.dumps(res.to_json(), ensure_ascii=False))
    assert set(doc) >= {"reports", "findings", "summary"}
    rep = doc["reports"][0]
    assert {"source", "report_index", "body", "year", "format", "tables", "status"} <= set(rep)
    assert rep["tables"]["table3"] == {"status": "present", "check": "fail"}
    f = doc["findings"][0]
    for k in ("source", "report_index", "body", "year", "rule", "severity", "table", "row", "column", "expected",
              "actual", "message_zh", "message_en", "cells", "id"):
        assert k in f
    frame = res.to_frame()
    assert len(frame) == len(res.findings) and "likely_value" in frame.columns
    summary = res.summary_frame()
    assert set(summary.columns) >= {"rule", "items", "passes", "fails", "unverifiable", "not_evaluated"}


def test_finding_ids_are_stable(check):
    a = check([_broken_open_total(5)])
    b = check([clean(99), _broken_open_total(5)])
    assert {f.id for f in a.findings} == {f.id for f in b.findings if f.report_id == "engine/5#0"}


def test_blank_total_beside_parts_is_reported(check):
    rep = clean(8, "2021")
    row = next(k for k, r in rep.table3.rows.items() if int(r.cells["TOT"].value or 0) > 0)
    rep.table3.rows[row].cells["TOT"] = Cell(value=None, raw="")
    res = check([rep])
    rules = {f.rule for f in res.findings if f.status == "violated"}
    assert {"GEN-BLANK", "T3-ROW"} <= rules


def test_all_readings_fail_is_a_failure(check):
    rep = clean(9, "2021")
    row = rep.table3.rows["R_OPEN"]
    vals = {c: int(x.value or 0) for c, x in row.cells.items()}
    a, b = dict(vals), dict(vals)
    a["TOT"] += 1
    b["TOT"] += 2
    row.readings = (a, b)
    res = check([rep])
    f = next(f for f in res.findings if f.rule == "T3-ROW")
    assert f.status == "violated" and len(f.readings) == 2
    assert "2 种读法" in f.message_zh


def test_a_finding_keeps_the_distinct_outcomes_of_its_own_cells(check):
    """Readings are combined across ambiguous rows; a finding keeps one entry per outcome of the cells
    it reads (with how many combinations give it), not every combination of every row."""
    rep = clean(9, "2021")
    open_row, part = rep.table3.rows["R_OPEN"], rep.table3.rows["R_PARTIAL"]
    vals = {c: int(x.value or 0) for c, x in open_row.cells.items()}
    open_row.readings = (dict(vals, TOT=vals["TOT"] + 1), dict(vals, TOT=vals["TOT"] + 2))
    pv = {c: int(x.value or 0) for c, x in part.cells.items()}
    part.readings = tuple(dict(pv, NAT=pv["NAT"] + i, TOT=pv["TOT"] + i) for i in range(3))
    res = check([rep])
    f = next(f for f in res.findings if f.rule == "T3-ROW" and f.row == "R_OPEN")
    assert f.status == "violated" and len(f.readings) == 2
    assert all(set(r["rows"]) == {"t3.R_OPEN"} for r in f.readings)
    assert sorted(r["rows"]["t3.R_OPEN"]["TOT"] for r in f.readings) == [vals["TOT"] + 1, vals["TOT"] + 2]
    assert sum(r["combinations"] for r in f.readings) >= 3  # R_PARTIAL's readings are combined in too
    # R_PARTIAL's row rule holds under each of its own readings: no finding
    assert not [f for f in res.findings if f.rule == "T3-ROW" and f.row == "R_PARTIAL"]


def test_suite_guard_detects_dropped_expectations(tmp_path):
    from expectations.suite import SuiteLoadError, build_suite, load_suite, save_suite

    path = save_suite(build_suite("guard_test_suite"), tmp_path / "suite.json")
    assert len(load_suite(path).expectations) == len(build_suite("guard_test_suite_2").expectations)
    data = json.loads(path.read_text(encoding="utf-8"))
    data["expectations"][0]["type"] = "expect_something_not_registered"
    path.write_text(json.dumps(data), encoding="utf-8")
    with pytest.raises(SuiteLoadError):
        load_suite(path)
