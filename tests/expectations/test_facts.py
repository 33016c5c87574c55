"""Report-level facts (sections, statistics period, local table 三 layout) and the rules on them,
on models and end to end on parsed text reports."""

from __future__ import annotations

import pytest

from expectations.facts import (
    PERIOD_BAD,
    PERIOD_NONE,
    PERIOD_OK,
    SectionFacts,
    group_subtotal_rows,
    period_code,
    section_facts,
    stated_periods,
    t3_extra_bits,
    t3_local_rows,
)
from parsers import parse_bytes
from parsers.layout import T3_ROWS_2021
from parsers.model import MISSING
from tests.expectations.conftest import clean, statuses


def test_sections_missing_headless_and_out_of_order():
    rep = clean(1, "2021")
    assert section_facts(rep) == SectionFacts((), (), ())
    rep.sections = [s for s in rep.sections if s.key not in ("overview", "requests")]
    f = section_facts(rep)
    assert f.missing == ("overview",) and f.headless == ("requests",)  # table 三 is still there
    rep.table3.status = MISSING
    assert section_facts(rep).missing == ("overview", "requests")
    rep = clean(2, "2019")
    rep.sections[1], rep.sections[4] = rep.sections[4], rep.sections[1]
    assert section_facts(rep).out_of_order == ("problems", "proactive")  # the two swapped ones
    rep = clean(3, "2019")
    rep.sections.insert(0, rep.sections.pop())  # 六 printed first
    assert section_facts(rep).out_of_order == ("other",)


@pytest.mark.parametrize("text,start,end", [
    ("本报告所列数据统计期限为2023年1月1日至2023年12月31日。", 2023, 2023),
    ("本报告中所列数据统计期限自2020年1 月1 日起,至2020年12 月31 日止。", 2020, 2020),
    ("统计期限从２０２１年１月１日到２０２１年１２月３１日止", 2021, 2021),
    ("数据统计时间为2022年1月1日至12月31日。", 2022, 2022),
    ("统计期限为2022年1月1日—2023年12月31日", 2022, 2023),
])
def test_stated_periods(text, start, end):
    rep = clean(3, "2021", year=start)
    rep.sections[-1].text = text
    (p,) = stated_periods(rep)
    assert (p.start, p.end) == (start, end)
    assert period_code(rep) == (PERIOD_OK if start == end else PERIOD_BAD)


def test_dates_that_are_not_a_period_are_ignored():
    rep = clean(4, "2021", year=2023)
    rep.sections[0].text = "《条例》自2019年5月15日起施行；2023年1月1日起开展专项检查，12月底完成。"
    assert stated_periods(rep) == [] and period_code(rep) == PERIOD_NONE


# ---------------------------------------------------------------- end to end on printed text
def _doc(t3_lines: list[str], header: str = "自然人 | 法人或其他组织 | 总计", requests_heading: bool = True) -> str:
    head = ["示例县统计局2022年政府信息公开工作年度报告", "本报告所列数据统计期限为2022年1月1日至2022年12月31日。",
            "一、总体情况", "概述文字。", "二、主动公开政府信息情况", "第二十条第（一）项",
            "信息内容 | 本年制发件数 | 本年废止件数 | 现行有效件数", "规章 | 0 | 0 | 0", "行政规范性文件 | 1 | 0 | 5",
            "第二十条第（五）项", "信息内容 | 本年处理决定数量", "行政许可 | 3",
            "第二十条第（六）项", "信息内容 | 本年处理决定数量", "行政处罚 | 2", "行政强制 | 0",
            "第二十条第（八）项", "信息内容 | 本年收费金额（单位：万元）", "行政事业性收费 | 0"]
    if requests_heading:
        head.append("三、收到和处理政府信息公开申请情况")
    head += ["（本列数据的勾稽关系为：第一项加第二项之和，等于第三项加第四项之和） | 申请人情况", header,
             "商业企业 | 科研机构 | 社会公益组织 | 法律服务机构 | 其他"]
    tail = ["四、政府信息公开行政复议、行政诉讼情况", "行政复议 | 行政诉讼",
            "结果维持 | 结果纠正 | 其他结果 | 尚未审结 | 总计 | 未经复议直接起诉 | 复议后起诉",
            " | ".join(["0"] * 15), "五、存在的主要问题及改进情况", "无。", "六、其他需要报告的事项", "无。"]
    return "\n".join([*head, *t3_lines, *tail]) + "\n"


_ZERO = " | ".join(["0"] * 7)
_VALUES = {"NEW": "4 | 1 | 0 | 0 | 0 | 0 | 5", "R_OPEN": "2 | 1 | 0 | 0 | 0 | 0 | 3",
           "R_DENY_1": "1 | 0 | 0 | 0 | 0 | 0 | 1", "R_DENY_4": "1 | 0 | 0 | 0 | 0 | 0 | 1",
           "R_TOTAL": "4 | 1 | 0 | 0 | 0 | 0 | 5"}


def _rows(values: dict[str, str], deny_subtotal: str | None = None) -> list[str]:
    out = []
    for rd in T3_ROWS_2021:
        if rd.key == "R_DENY_1" and deny_subtotal is not None:
            out.append(f"（三）不予公开 | {deny_subtotal}")
        out.append(f"{rd.label} | {values.get(rd.key, _ZERO)}")
    return out


_SUB_VALUES = {"NEW": "4 | 1 | 0 | 0 | 2 | 0 | 3 | 7", "R_OPEN": "2 | 1 | 0 | 0 | 1 | 0 | 2 | 4",
               "R_DENY_1": "1 | 0 | 0 | 0 | 1 | 0 | 1 | 2", "R_DENY_4": "1 | 0 | 0 | 0 | 0 | 0 | 0 | 1",
               "R_TOTAL": "4 | 1 | 0 | 0 | 2 | 0 | 3 | 7"}  # columns NAT … OTH, 法人或其他组织小计, 总计


def _sub_doc(values: dict[str, str]) -> str:
    zero = " | ".join(["0"] * 8)
    rows = [f"{rd.label} | {values.get(rd.key, zero)}" for rd in T3_ROWS_2021]
    return _doc(rows, header="自然人 | 法人或其他组织 | 法人或其他组织小计 | 总计")


@pytest.fixture(scope="module")
def parsed(check):
    docs = {
        "subtotal_ok": _doc(_rows(_VALUES, deny_subtotal="2 | 0 | 0 | 0 | 0 | 0 | 2")),
        "subtotal_bad": _doc(_rows(_VALUES, deny_subtotal="3 | 0 | 0 | 0 | 0 | 0 | 3")),
        "plain": _doc(_rows(_VALUES)),
        "no_heading": _doc(_rows(_VALUES), requests_heading=False),
        "heading_in_cell": _doc(_rows(_VALUES)).replace("三、收到和处理政府信息公开申请情况\n",
                                                        "三、收到和处理政府信息公开申请情况 | | | \n"),
        "sub_ok": _sub_doc(_SUB_VALUES),
        "sub_bad": _sub_doc({**_SUB_VALUES, "R_OPEN": "2 | 1 | 0 | 0 | 1 | 0 | 3 | 4"}),
        "local_row": _doc([*_rows(_VALUES)[:-1], "其中：网上申请 | 1 | 0 | 0 | 0 | 0 | 0 | 1", _rows(_VALUES)[-1]]),
    }
    reps = {}
    for name, text in docs.items():
        (rep,) = parse_bytes(text.encode(), f"{name}.txt")
        reps[name] = rep
    return reps, check(reps.values())


def test_group_subtotal_row_checked_and_not_double_counted(parsed):
    reps, result = parsed
    ok, bad = reps["subtotal_ok"], reps["subtotal_bad"]
    assert set(group_subtotal_rows(ok)) == {"GS_DENY"} and t3_extra_bits(ok) == 2
    assert statuses(result, ok, "T3-GROUPSUB") == set() and statuses(result, ok, "T3-RES") == set()
    assert statuses(result, bad, "T3-GROUPSUB") == {"violated"}
    assert statuses(result, bad, "T3-RES") == set()  # the subtotal is not a result row
    cols = {f.column for f in result.findings_for(bad.report_id) if f.rule == "T3-GROUPSUB"}
    assert cols == {"NAT", "TOT"}
    rr = next(r for r in result.report_results if r.report_id == bad.report_id)
    assert rr.likely_cells == []  # two cells of the subtotal row disagree: no single cell explains both
    # both subtotal rows are layout deviations (warn), the plain report is not
    assert statuses(result, ok, "FMT-LABELS") == {"violated"}
    assert statuses(result, reps["plain"], "FMT-LABELS") == set()


def test_plain_report_structure_period_and_body(parsed):
    reps, result = parsed
    rep = reps["plain"]
    assert not [f.message_en for f in result.findings_for(rep.report_id) if f.kind == "within_report"]
    assert t3_extra_bits(rep) == 0 and t3_local_rows(rep) == []


def test_heading_printed_in_a_table_cell_counts(parsed):
    reps, result = parsed
    rep = reps["heading_in_cell"]
    assert "requests" in {s.key for s in rep.sections}
    assert not [f.message_en for f in result.findings_for(rep.report_id) if f.kind == "within_report"]


def test_lost_heading_with_table_is_a_warning(parsed):
    reps, result = parsed
    rep = reps["no_heading"]
    assert statuses(result, rep, "FMT-SECTIONS-HEADING") == {"violated"}
    assert statuses(result, rep, "FMT-SECTIONS") == set()
    assert not [f for f in result.findings_for(rep.report_id) if f.is_failure]


def test_local_row_is_reported_by_fmt_labels(parsed):
    reps, result = parsed
    rep = reps["local_row"]
    assert t3_local_rows(rep) == ["其中：网上申请"]
    f = next(f for f in result.findings_for(rep.report_id) if f.rule == "FMT-LABELS")
    assert f.severity == "warn" and "其中：网上申请" in f.message_zh


def test_added_subtotal_column_checked_in_every_row(parsed):
    reps, result = parsed
    ok, bad = reps["sub_ok"], reps["sub_bad"]
    assert ok.table3.columns == ("NAT", "BIZ", "RES", "NGO", "LAW", "OTH", "SUB", "TOT")
    assert not [f.message_en for f in result.findings_for(ok.report_id)
                if f.rule != "FMT-LABELS" and f.kind == "within_report"]
    assert statuses(result, ok, "FMT-LABELS") == {"violated"}  # the column is a local addition (warn)
    (f,) = [f for f in result.findings_for(bad.report_id) if f.rule == "T3-ORGSUB"]
    assert (f.status, f.row, f.actual, f.expected) == ("violated", "R_OPEN", 3, 2)
    assert f.likely and (f.likely["cell"], f.likely["value"]) == ("t3.R_OPEN.SUB", 2)
    assert not [x for x in result.findings_for(bad.report_id) if x.is_failure and x.rule != "T3-ORGSUB"]
