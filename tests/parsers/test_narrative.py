"""What the prose may settle about run-together digits (parsers.narrative): table 二's 行政规范性文件 row."""

import pytest

from parsers.model import Cell, Report, Section, Table2
from parsers.narrative import narrow_readings

RUN = "97253"  # 行政规范性文件 printed as one run: 本年制发件数, 本年废止件数, 现行有效件数
READINGS = ({"ISSUED": 9, "REPEALED": 7, "VALID": 253}, {"ISSUED": 9, "REPEALED": 72, "VALID": 53},
            {"ISSUED": 97, "REPEALED": 2, "VALID": 53}, {"ISSUED": 9, "REPEALED": 725, "VALID": 3})


def _report(overview: str, year: int = 2025) -> Report:
    t2 = Table2(status="present", readings={"NORM": READINGS}, runs={"NORM": Cell(None, RUN)})
    return Report("x.txt", year=year, sections=[Section("overview", 1, "一、总体情况", overview)], table2=t2)


def test_the_stated_counts_settle_the_row() -> None:
    rep = _report("2025年，实验区管委会（办公室）制发行政规范性文件9件，按程序确认失效或废止文件7件，"
                  "现行有效行政规范性文件共253件。")
    narrow_readings(rep)
    assert "NORM" not in rep.table2.readings
    cells = rep.table2.rows["NORM"]
    assert {k: c.value for k, c in cells.items()} == READINGS[0]
    assert all(c.raw == RUN and "narrowed_by_prose" in c.flags for c in cells.values())
    assert any(n.code == "readings_narrowed" and n.table == "table2" for n in rep.notes)


def test_one_stated_count_narrows_without_settling() -> None:
    rep = _report("本年度制定行政规范性文件9件。")
    narrow_readings(rep)
    assert rep.table2.readings["NORM"] == (READINGS[0], READINGS[1], READINGS[3])
    assert "NORM" not in rep.table2.rows


@pytest.mark.parametrize("overview", [
    "2024年制定行政规范性文件97件，现行有效规范性文件53件。",  # another year
    "现行有效规范性文件300件。",  # no reading agrees: nothing is narrowed
    "审核各类文件120件，其中制发行政规范性文件97件。",  # a share of another count ("其中") is not used
    "共清理规章和规范性文件53件。",  # not one of the row's counts
])
def test_what_may_not_settle(overview: str) -> None:
    rep = _report(overview)
    narrow_readings(rep)
    assert rep.table2.readings["NORM"] == READINGS
