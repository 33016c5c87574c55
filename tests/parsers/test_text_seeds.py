"""Every table 二/三/四 cell of the five seed reports, against values typed by hand from the files."""

from __future__ import annotations

import pytest

from parsers import parse_bytes
from parsers.layout import T3_COLS, T3_ROWS_2019, T3_ROWS_2021, T4_KEYS
from parsers.model import MISSING, PRESENT
from tests.conftest import seed_path

# Typed from the seed files. Table 三: only the non-zero rows are listed; every other cell is 0.
# Table 二: row -> values in the statutory column order of the generation.
SEEDS = {
    "000": [dict(year=2020, fmt="2019", body="都龙镇人民政府", t3={},
                 t2={"REG": [0, 0, 0], "NORM": [0, 0, 0], "LICENSE": [0, 0, 0], "SERVICE": [0, 0, 0],
                     "PENALTY": [0, 0, 0], "COERCION": [0, 0, 0], "FEE": [0, 0], "PROCURE": [0, 0]})],
    "002": [dict(year=2021, fmt="2021", body="俵口镇", t3={},
                 t2={"REG": [0, 0, 0], "NORM": [0, 0, 0], "LICENSE": [0], "PENALTY": [5], "COERCION": [0],
                     "FEE": [0]})],
    "003": [dict(year=2019, fmt="2019", body="息陬镇人民政府",
                 t3={"NEW": [3, 0, 0, 0, 0, 0, 3], "R_OPEN": [3, 0, 0, 0, 0, 0, 0], "R_TOTAL": [3, 0, 0, 0, 0, 0, 3]},
                 t2={"REG": [0, 0, 0], "NORM": [0, 0, 0], "LICENSE": [0, 0, 0], "SERVICE": [0, 0, 0],
                     "PENALTY": [0, 0, 0], "COERCION": [0, 0, 0], "FEE": [0, 0], "PROCURE": [0, 0]})],
    "004": [
        dict(year=2023, fmt="2021", body="东阿县政府办公室",
             t3={"NEW": [8, 1, 0, 0, 0, 0, 9], "R_OPEN": [4, 0, 0, 0, 0, 0, 4], "R_PARTIAL": [4, 0, 0, 0, 0, 0, 4],
                 "R_UNABLE_1": [0, 1, 0, 0, 0, 0, 1], "R_TOTAL": [8, 1, 0, 0, 0, 0, 9]},
             t2={"REG": [0, 0, 0], "NORM": [1, 0, 8], "LICENSE": [0], "PENALTY": [0], "COERCION": [0], "FEE": [0]},
             placed={"NEW", "R_PARTIAL", "R_DENY_2", "R_DENY_4", "R_DENY_6", "R_DENY_8", "R_UNABLE_2",
                     "R_UNABLE_3", "R_NOTPROC_1"}),
        dict(year=2022, fmt="2021", body="东阿县人民政府办公室",
             t3={"NEW": [13, 0, 0, 0, 0, 0, 13], "R_OPEN": [2, 0, 0, 0, 0, 0, 2], "R_UNABLE_1": [8, 0, 0, 0, 0, 0, 8],
                 "R_NOTPROC_1": [1, 0, 0, 0, 0, 0, 1], "R_OTHER_1": [2, 0, 0, 0, 0, 0, 2],
                 "R_TOTAL": [13, 0, 0, 0, 0, 0, 13]},
             t2={"REG": [0, 0, 0], "NORM": [3, 0, 7], "LICENSE": [0], "PENALTY": [0], "COERCION": [0], "FEE": [0]}),
        dict(year=2021, fmt="2021", body="东阿县政府办公室", t3={},
             t2={"REG": [0, 0, 0], "NORM": [0, 0, 2], "LICENSE": [0], "PENALTY": [0], "COERCION": [0], "FEE": [0]}),
        dict(year=2020, fmt="2019", body="东阿县人民政府办公室",
             t3={"NEW": [31, 0, 0, 0, 0, 0, 31], "R_OPEN": [10, 0, 0, 0, 0, 0, 20], "R_PARTIAL": [3, 0, 0, 0, 0, 0, 3],
                 "R_UNABLE_1": [7, 0, 0, 0, 0, 0, 7], "R_TOTAL": [20, 0, 0, 0, 0, 0, 20],
                 "FWD": [11, 0, 0, 0, 0, 0, 11]},
             t2={"REG": [0, 0, 0], "NORM": [0, 0, 0], "LICENSE": [0, 0, 0], "SERVICE": [0, 0, 0],
                 "PENALTY": [0, 0, 0], "COERCION": [0, 0, 0], "FEE": [0, 0], "PROCURE": [0, 0]}),
    ],
}


def _parse(prefix: str):
    p = seed_path(prefix)
    return parse_bytes(p.read_bytes(), str(p))


@pytest.mark.parametrize("prefix", sorted(SEEDS))
def test_seed_every_cell(prefix: str) -> None:
    reports = _parse(prefix)
    expected = SEEDS[prefix]
    assert [r.year for r in reports] == [e["year"] for e in expected]
    for rep, exp in zip(reports, expected, strict=True):
        assert rep.format == exp["fmt"]
        assert rep.body == exp["body"]
        assert (rep.table2.status, rep.table3.status, rep.table4.status) == (PRESENT, PRESENT, PRESENT)
        rows = T3_ROWS_2019 if exp["fmt"] == "2019" else T3_ROWS_2021
        assert list(rep.table3.rows) == [r.key for r in rows]
        checked = 0
        for rd in rows:
            want = exp["t3"].get(rd.key, [0] * 7)
            got = [rep.table3.rows[rd.key].cells[c].value for c in T3_COLS]
            assert got == want, (rep.year, rd.key)
            checked += 7
        assert checked == len(rows) * 7
        assert {k: r.placed_by_position for k, r in rep.table3.rows.items() if r.placed_by_position} == \
            dict.fromkeys(exp.get("placed", set()), True)
        assert [rep.table4.cells[k].value for k in T4_KEYS] == [0] * 15
        got2 = {k: [c.value for c in cols.values()] for k, cols in rep.table2.rows.items()}
        assert got2 == exp["t2"]


def test_seed_004_holds_four_reports_in_order() -> None:
    reports = _parse("004")
    assert [(r.report_index, r.year, r.format) for r in reports] == [
        (0, 2023, "2021"), (1, 2022, "2021"), (2, 2021, "2021"), (3, 2020, "2019")]


def test_seed_001_traditional_pre2019_without_tables() -> None:
    (rep,) = _parse("001")
    assert rep.year == 2018
    assert rep.format == "pre2019"
    assert rep.body == "下达河乡"
    assert (rep.table2.status, rep.table3.status, rep.table4.status) == (MISSING, MISSING, MISSING)
    assert all(t.reason for t in (rep.table2, rep.table3, rep.table4))
    raw = seed_path("001").read_text(encoding="utf-8")
    traditional = "開鄉條報實據簡稱頒佈並導採為黨長組"
    # the check below means something only if the file prints these characters
    assert all(ch in raw for ch in traditional), [ch for ch in traditional if ch not in raw]
    overview = rep.section_text("overview")
    proactive = rep.section_text("proactive")
    assert overview is not None, "section 一 (overview) missing"
    assert proactive is not None, "section 二 (proactive) missing"
    assert "信息公开" in overview and "主动公开" in proactive  # traditional text came out simplified
    assert {"overview", "proactive", "requests", "problems"} <= {s.key for s in rep.sections}
    left = {s.key: sorted({ch for ch in s.text if ch in traditional}) for s in rep.sections}
    assert not any(left.values()), f"traditional characters left: {left}"


def test_seed_cells_keep_printed_text_and_line() -> None:
    (rep,) = _parse("003")
    cell = rep.table3.rows["R_OPEN"].cells["TOT"]
    assert (cell.value, cell.raw, cell.prov.kind) == (0, "0", "text")
    lines = seed_path("003").read_text(encoding="utf-8").splitlines()
    # the provenance line holds the printed value, and the row's label sits a few lines above it
    assert lines[cell.prov.line - 1].strip() == "0"
    label_line = rep.table3.rows["R_OPEN"].label_prov.line
    assert "予以公开" in lines[label_line - 1]
    amount = rep.table2.rows["PROCURE"]["AMOUNT"]
    assert (amount.value, amount.unit, amount.raw) == (0, "万元", "0万元")
