"""Crawler page text: whole articles on one line, tables flattened into the running text.

The examples are built from the seeds' numbers in the form the real crawled pages take (see
../shared/real): labels run into digits, the next label's ordinal sticks to the digits, stray
spaces sit inside runs, section headings sit inside the paragraph.
"""

from __future__ import annotations

from parsers import parse_bytes
from parsers.lines import split_run
from parsers.meta import split_meta
from parsers.text import text_to_lines

T3_2019 = (
    "三、收到和处理政府信息公开申请情况（本列数据的勾稽关系为：第一项加第二项之和，等于第三项加第四项之和）"
    "申请人情况自然人法人或其他组织总计商业企业科研机构社会公益组织法律服务机构其他"
    "一、本年新收政府信息公开申请数量3000003二、上年结转政府信息公开申请数量0000000三、本年度办理结果"
    "（一）予以公开3000000（二）部分公开（区分处理的，只计这一情形，不计其他情形）0000000（三）不予公开"
    "1.属于国家秘密00000002.其他法律行政法规禁止公开00000003.危及“三安全一稳定”00000004.保护第三方合法权益"
    "00000005.属于三类内部事务信息00000006.属于四类过程性信息00000007.属于行政执法案卷00000008.属于行政查询事项"
    "0000000（四）无法提供1.本机关不掌握相关政府信息00000002.没有现成信息需要另行制作00000003.补正后申请内容仍不明确"
    "0000000（五）不予处理1.信访举报投诉类申请00000002.重复申请00000003.要求提供公开出版物00000004.无正当理由大量反复申请"
    "00000005.要求行政机关确认或重新出具已获取信息0000000（六）其他处理0 0 0 0 0 00（七）总计3 0 00 0 03"
    "四、结转下年度继续办理 0 0 00 00 0 "
)
T2_2019 = (
    "二、主动公开政府信息情况第二十条第（一）项信息内容本年新制作数量本年新公开数量对外公开总数量规章000"
    "规范性文件000第二十条第（五）项信息内容上一年项目数量本年增/减处理决定数量行政许可1-10其他对外管理服务事项000"
    "第二十条第（六）项信息内容上一年项目数量本年增/减处理决定数量行政处罚 0 0 0行政强制 0 3 0"
    "第二十条第（八）项信息内容上一年项目数量本年增/减行政事业性收费00第二十条第（九）项信息内容采购项目数量采购总金额"
    "政府集中采购 2 45.82万元"
)
T4 = ("四、政府信息公开行政复议、行政诉讼情况行政复议行政诉讼结果维持结果纠正其他结果尚未审结总计"
      "未经复议直接起诉复议后起诉结果维持结果纠正其他结果尚未审结总计结果维持结果纠正其他结果尚未审结总计"
      "10 0 1 200 0 0 0 0 0 0 00")
PAGE = (
    "标题: 息陬镇人民政府2019年政府信息公开工作年度报告\n发布时间: 2020-01-20 10:00\n"
    "原文链接: https://example.invalid/a.htm\n==================== 正文 ====================\n"
    "本报告依据《条例》编制。一、总体情况2019年，我镇共收到政府信息公开申请3件，全部办结。"
    + T2_2019 + T3_2019 + T4
    + "五、存在的主要问题及改进情况仍存在不足。六、其他需要报告的事项无。\n"
)


def _report():
    reps = parse_bytes(PAGE.encode(), "crawl.txt")
    assert len(reps) == 1
    return reps[0]


def test_metadata_header_is_not_the_body() -> None:
    rep = _report()
    assert rep.body == "息陬镇人民政府"
    assert rep.year == 2019
    assert rep.meta["published"] == "2020-01-20 10:00"
    assert rep.meta["url"].startswith("https://")


def test_sections_inside_the_paragraph() -> None:
    rep = _report()
    assert [s.key for s in rep.sections] == ["overview", "proactive", "requests", "review", "problems", "other"]


def test_table3_every_cell() -> None:
    rep = _report()
    t3 = rep.table3
    assert rep.format == "2019"
    assert len(t3.rows) == 23
    assert {c: x.value for c, x in t3.rows["NEW"].cells.items()} == dict(
        zip(t3.columns, (3, 0, 0, 0, 0, 0, 3), strict=True))
    assert t3.rows["R_OPEN"].cells["TOT"].value == 0 and t3.rows["R_OPEN"].cells["NAT"].value == 3
    assert [x.value for x in t3.rows["R_TOTAL"].cells.values()] == [3, 0, 0, 0, 0, 0, 3]
    assert [x.value for x in t3.rows["FWD"].cells.values()] == [0] * 7
    for key in ("R_DENY_1", "R_DENY_2", "R_DENY_8", "R_UNABLE_1", "R_NOTPROC_5", "R_OTHER"):
        assert [x.value for x in t3.rows[key].cells.values()] == [0] * 7, key
    assert not any(r.placed_by_position or r.ambiguous or r.incomplete for r in t3.rows.values())


def test_table2_signs_units_spaces() -> None:
    t2 = _report().table2
    assert {c: x.value for c, x in t2.rows["LICENSE"].items()} == {"PREV": 1, "CHANGE": -1, "DECISIONS": 0}
    assert {c: x.value for c, x in t2.rows["COERCION"].items()} == {"PREV": 0, "CHANGE": 3, "DECISIONS": 0}
    assert t2.rows["PROCURE"]["COUNT"].value == 2
    assert float(t2.rows["PROCURE"]["AMOUNT"].value) == 45.82
    assert t2.rows["PROCURE"]["AMOUNT"].unit == "万元"


def test_table4_run_with_spaces() -> None:
    t4 = _report().table4
    assert [c.value for c in t4.cells.values()] == [1, 0, 0, 1, 2] + [0] * 10


def test_check_finds_the_printed_error_and_nothing_else() -> None:
    from expectations import check_reports

    res = check_reports([_report()])
    fails = {(f.rule, f.row, f.column) for f in res.findings if f.is_failure}
    assert ("T3-ROW", "R_OPEN", "TOT") in fails
    assert all(f.read == "exact" for f in res.findings if f.is_failure)
    assert {r for r, _, _ in fails} <= {"T3-ROW", "T3-RES"}


def test_split_run_readings() -> None:
    assert split_run("0000000", 7)[0] == [(0,) * 7]
    assert split_run("10 0 0 0 01", 7)[0] == [(1, 0, 0, 0, 0, 0, 1)]
    assert split_run("1-10", 3)[0] == [(1, -1, 0)]
    readings, unit = split_run("547.9659万元", 2)
    assert unit == "万元" and len(readings) == 2  # 5 | 47.9659 or 54 | 7.9659: never guessed
    assert split_run("0 00000", 7)[0] == []  # a cell lost: no reading
    assert (151, 3, 0, 0, 0, 0, 154) in split_run("15130000154", 7)[0]


def test_split_meta_keeps_a_report_line_that_looks_like_a_key() -> None:
    lines = text_to_lines("来源：本机关\n一、总体情况\n")
    out, meta = split_meta(lines)
    assert meta == {} and len(out) == len(lines)


def test_comment_lines_above_the_title_do_not_hide_it() -> None:
    body = "\n".join(["// converted by pdf2md", "<!-- page 1 -->"] * 30)
    text = body + "\n息陬镇人民政府2019年政府信息公开工作年度报告\n一、总体情况\n正文。\n" + T2_2019 + "\n"
    (rep,) = parse_bytes(text.encode(), "comments.txt")
    assert (rep.body, rep.year) == ("息陬镇人民政府", 2019)
    assert rep.table2.status == "present"


def test_a_document_with_statutory_tables_is_a_report_without_a_title() -> None:
    (rep,) = parse_bytes(("正文开始。\n" + T3_2019 + "\n").encode(), "untitled.txt")
    assert rep.title is None and rep.table3.status == "present"


def test_a_section_under_another_title_is_not_missing() -> None:
    from expectations import check_reports

    page = PAGE.replace("五、存在的主要问题及改进情况仍存在不足。", "五、存在的不足和下一步打算仍存在不足。")
    (rep,) = parse_bytes(page.encode(), "retitled.txt")
    res = check_reports([rep])
    sections = {(f.rule, f.severity) for f in res.findings if f.rule.startswith("FMT-SECTIONS")}
    assert sections == {("FMT-SECTIONS-HEADING", "warn")}


def test_crawled_page_of_a_table_printing_blank_cells_reads_no_wrong_number() -> None:
    """Zeros printed as blank cells leave no digit when a crawler runs the cells together: the runs
    cannot be split, and none is read into numbers (the report is not fully readable, not failing)."""
    from dataclasses import replace

    from testkit.render import STYLES, render_bytes
    from testkit.synth import make_report

    style = replace(STYLES["text-crawl"], name="crawl-blank", zero="")
    for seed in range(8):
        rep = make_report(700 + seed, "2019" if seed % 2 else "2021", scale=30)
        rep.source = f"blank/{seed}"
        (got,) = parse_bytes(render_bytes(rep, style), f"{rep.source}.txt")
        assert any(n.code == "runs_with_blank_cells" for n in got.notes)
        for key, row in got.table3.rows.items():
            for col, cell in row.cells.items():
                assert cell.number() == rep.table3.rows[key].cells[col].value, (seed, key, col)
        for key, cell in got.table4.cells.items():
            assert cell.number() == rep.table4.cells[key].value
        assert got.read_limited()


def test_added_subtotal_column_in_crawled_text_keeps_every_column_order() -> None:
    from dataclasses import replace

    from testkit.render import STYLES, render_bytes
    from testkit.synth import make_report

    style = replace(STYLES["text-crawl"], name="crawl-local", local_rows=True)
    for seed in range(6):
        rep = make_report(510 + seed, "2021", scale=30)
        rep.source = f"local/{seed}"
        (got,) = parse_bytes(render_bytes(rep, style), f"{rep.source}.txt")
        assert "SUB" in got.table3.columns
        for key, row in rep.table3.rows.items():
            want = {c: x.value for c, x in row.cells.items()}
            g = got.table3.rows[key]
            if g.incomplete:  # too many readings to check: left unread with a note, never guessed
                assert any(n.row == key and n.code == "row_unreadable" for n in got.notes), (seed, key)
            elif g.readings:
                assert want in [{c: r[c] for c in want} for r in g.readings], (seed, key)
            else:
                assert {c: g.cells[c].value for c in want} == want, (seed, key)


def _cells_of(rep) -> dict[str, object]:
    out: dict[str, object] = {f"t3.{k}.{c}": x.value for k, r in rep.table3.rows.items() for c, x in r.cells.items()}
    out.update({f"t4.{k}": x.value for k, x in rep.table4.cells.items()})
    out.update({f"t2.{k}.{c}": x.value for k, cs in rep.table2.rows.items() for c, x in cs.items()})
    return out


def test_crawl_variants_read_the_same_cells() -> None:
    """Tabs or spaces between every digit, and one table per line with the headings glued to the
    text after them: the same cells as the one-line page."""
    import re

    want = _cells_of(_report())
    assert len(want) > 190
    variants = {
        "tabs": re.sub(r"(\d)(?=\d)", "\\1\t", PAGE),
        "spaces": re.sub(r"(\d)(?=\d)", "\\1 ", PAGE),
        "lines": PAGE.replace("二、主动公开", "\n二、主动公开").replace("三、收到和处理", "\n三、收到和处理")
        .replace("四、政府信息公开行政复议、行政诉讼情况", "\n四、政府信息公开行政复议、行政诉讼情况\n")
        .replace("五、存在", "\n五、存在"),
    }
    for name, text in variants.items():
        (rep,) = parse_bytes(text.encode(), f"{name}.txt")
        got = _cells_of(rep)
        assert {k: v for k, v in got.items() if k in want} == {k: want[k] for k in got if k in want}, name
        assert len(got) >= len(want) - 3, name  # 2 table-二 rows may have several readings in one form
        assert len(rep.sections) == 6, name
