"""errorlocate-style likely cell: one cell repairing every failing rule, deterministic, or none."""

from __future__ import annotations

from expectations.instances import instances_for
from expectations.locate import locate


def _inst(gen: str, key: str):
    return next(i for i in instances_for(gen) if i.key == key)


def test_shared_cell_of_row_and_column_rule():
    row = _inst("t3_row_totals", "R_OPEN")
    col = _inst("t3_results", "TOT:single")
    rhs_col = [0.0] * len(col.rhs)
    failing = [("T3-ROW", row, [0.0], [3, 0, 0, 0, 0, 0]), ("T3-RES", col, [3.0], rhs_col)]
    got = locate(failing, "single")
    assert [(d["cell"], d["printed"], d["value"], d["unique"]) for d in got] == [("t3.R_OPEN.TOT", 0.0, 3, True)]


def test_single_failure_has_no_single_cell_fix():
    row = _inst("t3_row_totals", "R_OPEN")
    # every cell of the row also sits in a passing column rule: no one-cell change repairs it alone
    assert locate([("T3-ROW", row, [5.0], [3, 0, 0, 0, 0, 0])], "single") == []


def test_inconsistent_repairs_are_rejected():
    row = _inst("t3_row_totals", "R_OPEN")
    col = _inst("t3_results", "TOT:single")
    rhs_col = [0.0] * len(col.rhs)
    # the row wants R_OPEN/TOT = 3, the column wants it = 5: no single cell
    assert locate([("T3-ROW", row, [0.0], [3, 0, 0, 0, 0, 0]), ("T3-RES", col, [5.0], rhs_col)], "single") == []


def test_t4_total_alone():
    inst = _inst("t4_sum_rev", "REV")
    got = locate([("T4-SUM-REV", inst, [9.0], [1, 2, 3, 1])], None)
    # the total and its parts sit in no other equality rule: 5 candidates (the parts only where the
    # repaired value stays >= 0), none singled out
    assert {d["cell"] for d in got} == {"t4.REV_TOTAL", "t4.REV_MAINTAIN", "t4.REV_CORRECT", "t4.REV_OTHER",
                                        "t4.REV_PENDING"}
    assert not any(d["unique"] for d in got)
    assert next(d for d in got if d["cell"] == "t4.REV_TOTAL")["value"] == 7
