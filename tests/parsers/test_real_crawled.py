"""Real crawled reports (../shared/real): every cell against values typed by hand from the files.

The truth (tests/fixtures/real_truth.yaml) was typed from the page text, never from the parser's
output. Rows whose printed digits allow several splits are marked ambiguous there: for them the
true values must be among the readings the parser keeps; every other cell must be read exactly.
The test prints, per table, the cells right out of the unambiguous cells typed, and the fail
findings that the hand-typed numbers do not show (target 0).
"""

from __future__ import annotations

import copy
from decimal import Decimal
from functools import cache
from pathlib import Path

import pytest
import yaml

from expectations import check_reports
from parsers import parse_bytes
from parsers.layout import T3_COLS, T4_KEYS
from parsers.model import Cell, Report

REAL = Path(__file__).resolve().parents[3] / "shared" / "real"
TRUTH = Path(__file__).resolve().parents[1] / "fixtures" / "real_truth.yaml"
# Structural failures checked by hand in the files (not arithmetic, so not in the typed truth): the
# report prints no section 六、其他需要报告的事项 at all, under no title and no number (03, 23).
STRUCTURAL = {
    "03-pingtan-czj-2021.page.txt": {"FMT-SECTIONS"},
    "23-pingtan-zrzyj-2019.page.txt": {"FMT-SECTIONS"},
    # a 2021 report printed in the 2019 format (table 二 headers, item 九, one （六） row)
    "09-pingtan-haitan-2021.page.txt": {"FMT-GEN"},
}

pytestmark = pytest.mark.skipif(not REAL.is_dir(), reason="../shared/real not beside the project")


@cache
def _truth() -> dict:
    return yaml.safe_load(TRUTH.read_text(encoding="utf-8"))


@cache
def _parsed(name: str) -> Report:
    reports = parse_bytes((REAL / name).read_bytes(), str(REAL / name))
    assert len(reports) == 1, f"{name}: {len(reports)} reports"
    return reports[0]


def _num(v: object) -> object:
    if isinstance(v, Decimal):
        return int(v) if v == v.to_integral_value() else float(v)
    return v


def _t2_value(v: object) -> object:
    if isinstance(v, str):  # "547.9659万元": the value as printed with its unit
        return float(v.replace("万元", "").replace("元", ""))
    return v


def _score(name: str, truth: dict) -> dict[str, list[int]]:
    """table -> [right, typed] over unambiguous cells; also checks ambiguous rows keep the truth."""
    rep = _parsed(name)
    out = {"table2": [0, 0], "table3": [0, 0], "table4": [0, 0]}
    amb3 = set(truth.get("table3_ambiguous") or [])
    for key, vals in (truth.get("table3") or {}).items():
        row = rep.table3.rows.get(key)
        want = dict(zip(T3_COLS, vals, strict=True))
        if key in amb3:
            assert row is not None and (row.readings or row.cells), f"{name} {key}: ambiguous row not kept"
            if row.readings:
                assert want in [dict(r) for r in row.readings], f"{name} {key}: true values not among readings"
            continue
        for col, v in want.items():
            out["table3"][1] += 1
            got = row.cells.get(col) if row is not None and not row.ambiguous else None
            if got is not None and _num(got.value) == v:
                out["table3"][0] += 1
    for key in truth.get("table3_incomplete") or []:
        row = rep.table3.rows.get(key)
        assert row is None or row.incomplete or not row.cells, f"{name} {key}: a row missing a cell was filled in"
    amb2 = set(truth.get("table2_ambiguous") or [])
    for key, cols in (truth.get("table2") or {}).items():
        if key in amb2:  # several readings: the truth among them, or the one the prose settles
            want2 = {c: _t2_value(v) for c, v in cols.items()}
            if key in rep.table2.readings:
                assert want2 in [{c: _num(v) for c, v in r.items()} for r in rep.table2.readings[key]], \
                    f"{name} {key}: truth not among readings"
            else:
                got2 = {c: _num(x.value) for c, x in rep.table2.rows.get(key, {}).items()}
                assert got2 == want2, f"{name} {key}: settled {got2}, typed {want2}"
            continue
        for col, v in cols.items():
            out["table2"][1] += 1
            got = rep.table2.rows.get(key, {}).get(col)
            if got is not None and _num(got.value) == _t2_value(v):
                out["table2"][0] += 1
    t4 = truth.get("table4")
    if t4 is not None and not truth.get("table4_ambiguous"):
        for k, v in zip(T4_KEYS, t4, strict=True):
            out["table4"][1] += 1
            got = rep.table4.cells.get(k)
            if got is not None and not rep.table4.readings and _num(got.value) == v:
                out["table4"][0] += 1
    elif t4 is not None and rep.table4.readings:
        assert dict(zip(T4_KEYS, t4, strict=True)) in [dict(r) for r in rep.table4.readings]
    return out


def test_enough_reports_typed() -> None:
    assert len(_truth()) >= 8


def test_table2_runs_settled_by_the_prose() -> None:
    """Table 二 rows printed as one run of digits with several readings ("5416"), where the overview
    states the counts ("制定规范性文件5件", "现行有效的规范性文件16件"): the reading it agrees with, and
    that is the hand-typed one (``_score`` checks every such row)."""
    settled = []
    for name, truth in _truth().items():
        rep = _parsed(name)
        for key in truth.get("table2_ambiguous") or []:
            cells = rep.table2.rows.get(key) or {}
            if cells and all("narrowed_by_prose" in c.flags for c in cells.values()):
                assert key not in rep.table2.readings
                assert {c: _num(x.value) for c, x in cells.items()} == {
                    c: _t2_value(v) for c, v in truth["table2"][key].items()}, f"{name} {key}"
                settled.append(f"{name} {key}")
    assert len(settled) >= 2, settled


def test_title_body_year_format() -> None:
    for name, truth in _truth().items():
        rep = _parsed(name)
        assert rep.year == truth["year"], name
        assert rep.body == truth["body"], name
        assert not rep.body.startswith("标题"), name
        assert rep.format == str(truth["format"]), name


def test_cells_against_hand_typed_truth(capsys: pytest.CaptureFixture[str]) -> None:
    totals = {"table2": [0, 0], "table3": [0, 0], "table4": [0, 0]}
    lines = []
    for name, truth in _truth().items():
        sc = _score(name, truth)
        for t, (ok, n) in sc.items():
            totals[t][0] += ok
            totals[t][1] += n
        lines.append(f"{name}: " + "  ".join(f"{t} {ok}/{n}" for t, (ok, n) in sc.items()))
    right = sum(ok for ok, _ in totals.values())
    typed = sum(n for _, n in totals.values())
    with capsys.disabled():
        print("\nreal crawled reports, unambiguous cells right / typed by hand:")
        for ln in lines:
            print("  " + ln)
        print("  total: " + "  ".join(f"{t} {ok}/{n}" for t, (ok, n) in totals.items())
              + f"  = {right}/{typed} ({100 * right / max(typed, 1):.1f} %)")
    assert typed > 1000
    assert right / typed >= 0.98


def _truth_report(name: str, truth: dict) -> Report:
    """The parsed report with every typed cell replaced by its hand-typed value (read exactly)."""
    rep = copy.deepcopy(_parsed(name))
    for key, vals in (truth.get("table3") or {}).items():
        row = rep.table3.rows[key]
        row.cells = {c: Cell(v, str(v)) for c, v in zip(T3_COLS, vals, strict=True)}
        row.readings, row.incomplete, row.placed_by_position = (), False, False
    if truth.get("table4") is not None:
        rep.table4.cells = {k: Cell(v, str(v)) for k, v in zip(T4_KEYS, truth["table4"], strict=True)}
        rep.table4.readings, rep.table4.incomplete = (), False
    for key, cols in (truth.get("table2") or {}).items():
        rep.table2.rows[key] = {c: Cell(_t2_value(v), str(v)) for c, v in cols.items()}
    return rep


def _fails(result, rid: str, statuses: tuple[str, ...] = ("violated",)) -> set[tuple[str, str | None, str | None]]:
    return {(f.rule, f.row, f.column) for f in result.findings
            if f.report_id == rid and f.severity == "fail" and f.status in statuses}


def test_no_fail_the_numbers_do_not_show(capsys: pytest.CaptureFixture[str]) -> None:
    """A fail finding on the parsed report must also follow from the hand-typed numbers (rules run on
    the typed cells), and every failure the typed numbers show must be reported (violated, or
    unverifiable where the printed digits have several readings)."""
    truth = _truth()
    names = list(truth)
    parsed = check_reports([_parsed(n) for n in names])
    typed = check_reports([_truth_report(n, truth[n]) for n in names])
    false_fails: list[str] = []
    missed: list[str] = []
    n_true = 0
    for name in names:
        rid = _parsed(name).report_id
        reference = _fails(typed, rid)
        n_true += len(reference)
        hand = {str(x).split()[0].rstrip(":") for x in truth[name].get("failures") or []}
        assert hand <= {r for r, _, _ in reference}, f"{name}: the rules miss what was found by hand"
        allowed = {r for r, _, _ in reference} | STRUCTURAL.get(name, set())
        for rule, row, col in _fails(parsed, rid):
            if (rule, row, col) not in reference and rule not in STRUCTURAL.get(name, set()):
                false_fails.append(f"{name}: {rule} {row} {col}")
        assert {r for r, _, _ in _fails(parsed, rid)} <= allowed
        found = _fails(parsed, rid, ("violated", "unverifiable"))
        missed.extend(f"{name}: {x}" for x in reference - found)
    with capsys.disabled():
        print(f"\nreal crawled reports: {n_true} failing cells by the hand-typed numbers; "
              f"{len(false_fails)} fail finding(s) they do not show, {len(missed)} not reported")
        for x in false_fails + missed:
            print("  " + x)
    assert n_true > 0
    assert not false_fails
    assert not missed
