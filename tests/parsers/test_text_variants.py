"""Text-form variants: encodings, traditional script, pipe/tab tables, run-together digits, lost cells."""

from __future__ import annotations

import pytest

from parsers import ParseError, parse_bytes
from parsers.layout import T3_COLS, T3_ROWS_2021, T4_KEYS
from parsers.lines import digit_splits, parse_number
from tests.conftest import seed_path


def _doc(t3_lines: list[str], t4_line: str = " | ".join(["0"] * 15), year: int = 2022) -> str:
    head = [f"示例县统计局{year}年政府信息公开工作年度报告", "一、总体情况", "概述文字。",
            "二、主动公开政府信息情况", "第二十条第（一）项", "信息内容 | 本年制发件数 | 本年废止件数 | 现行有效件数",
            "规章 | 0 | 0 | 0", "行政规范性文件 | 1 | 0 | 5",
            "三、收到和处理政府信息公开申请情况",
            "（本列数据的勾稽关系为：第一项加第二项之和，等于第三项加第四项之和） | 申请人情况",
            "自然人 | 法人或其他组织 | 总计", "商业企业 | 科研机构 | 社会公益组织 | 法律服务机构 | 其他"]
    tail = ["四、政府信息公开行政复议、行政诉讼情况", "行政复议 | 行政诉讼",
            "结果维持 | 结果纠正 | 其他结果 | 尚未审结 | 总计 | 未经复议直接起诉 | 复议后起诉", t4_line,
            "五、存在的主要问题及改进情况", "无。", "六、其他需要报告的事项", "无。"]
    return "\n".join([*head, *t3_lines, *tail]) + "\n"


def _rows(values: dict[str, str]) -> list[str]:
    out = []
    for rd in T3_ROWS_2021:
        v = values.get(rd.key, " | ".join(["0"] * 7))
        out.append(f"{rd.label} | {v}")
    return out


def test_pipe_table_with_blank_cells_keeps_positions() -> None:
    text = _doc(_rows({"NEW": "5 | | | | | 1 | 6", "R_OPEN": "5 | | | | | 1 | "}))
    (rep,) = parse_bytes(text.encode(), "mem.txt")
    new = rep.table3.rows["NEW"].cells
    assert [new[c].value for c in T3_COLS] == [5, None, None, None, None, 1, 6]
    assert "blank" in new["BIZ"].flags
    assert rep.table3.rows["R_OPEN"].cells["TOT"].value is None


@pytest.mark.parametrize("encoding", ["gb18030", "gbk", "utf-8-sig", "utf-16"])
def test_encodings(encoding: str) -> None:
    text = seed_path("003").read_text(encoding="utf-8").replace("\xa0", " ")
    (rep,) = parse_bytes(text.encode(encoding), f"seed.{encoding}.txt")
    assert rep.year == 2019
    assert rep.table3.rows["NEW"].cells["TOT"].value == 3


def test_traditional_characters_match_labels() -> None:
    import zhconv

    text = zhconv.convert(seed_path("003").read_text(encoding="utf-8"), "zh-tw")
    assert "處理" in text or "結轉" in text
    (rep,) = parse_bytes(text.encode(), "trad.txt")
    assert rep.format == "2019"
    assert len(rep.table3.rows) == 23
    assert rep.table3.rows["NEW"].cells["NAT"].value == 3


def test_fullwidth_digits() -> None:
    text = _doc(_rows({"NEW": "１２ | ０ | ０ | ０ | ０ | ０ | １２"}))
    (rep,) = parse_bytes(text.encode(), "fw.txt")
    assert rep.table3.rows["NEW"].cells["TOT"].value == 12


def test_run_together_digits_unique_split() -> None:
    text = _doc(_rows({"NEW": "6000017"}))
    (rep,) = parse_bytes(text.encode(), "rt.txt")
    row = rep.table3.rows["NEW"]
    assert [row.cells[c].value for c in T3_COLS] == [6, 0, 0, 0, 0, 1, 7]
    assert all("run_together" in row.cells[c].flags for c in T3_COLS)


def test_run_together_digits_glued_to_the_label() -> None:
    rows = [ln.replace(" | ", "").replace(" ", "") if ln.startswith("（一）予以公开") else ln
            for ln in _rows({"R_OPEN": "3 | 0 | 0 | 0 | 0 | 0 | 3"})]
    assert "（一）予以公开3000003" in rows
    text = _doc([r if not r.startswith("一、") else r.replace(" | 0 | 0 | 0 | 0 | 0 | 0 | 0", " | 3 | 0 | 0 | 0 | 0 | 0 | 3")
                 for r in rows])
    (rep,) = parse_bytes(text.encode(), "glued.txt")
    assert [rep.table3.rows["R_OPEN"].cells[c].value for c in T3_COLS] == [3, 0, 0, 0, 0, 0, 3]


def test_run_together_digits_ambiguous_keeps_every_reading() -> None:
    text = _doc(_rows({"FWD": "10000010"}))
    (rep,) = parse_bytes(text.encode(), "amb.txt")
    row = rep.table3.rows["FWD"]
    assert row.ambiguous and not row.cells
    assert sorted(tuple(r[c] for c in T3_COLS) for r in row.readings) == [
        (1, 0, 0, 0, 0, 0, 10), (10, 0, 0, 0, 0, 1, 0)]
    assert any(n.code == "row_ambiguous" for n in rep.notes)


def test_run_together_table4() -> None:
    text = _doc(_rows({}), t4_line="0" * 15)
    (rep,) = parse_bytes(text.encode(), "t4.txt")
    assert [rep.table4.cells[k].value for k in T4_KEYS] == [0] * 15


def test_row_with_a_lost_cell_is_incomplete_not_guessed() -> None:
    text = _doc(_rows({"FWD": "0 | 0 | 0 | 0 | 0 | 0"}))
    (rep,) = parse_bytes(text.encode(), "inc.txt")
    row = rep.table3.rows["FWD"]
    assert row.incomplete and row.cells == {}
    assert any(n.code == "row_incomplete" and n.row == "FWD" for n in rep.notes)


def test_one_cell_per_line_with_lost_cell() -> None:
    lines = seed_path("000").read_text(encoding="utf-8").splitlines()
    i = next(i for i, s in enumerate(lines) if s.startswith("四、结转下年度继续办理"))
    # drop the first value after the label (one cell lost in the scrape)
    j = next(k for k in range(i + 1, len(lines)) if lines[k].strip() == "0")
    del lines[j]
    (rep,) = parse_bytes("\n".join(lines).encode(), "lost.txt")
    assert rep.table3.rows["FWD"].incomplete
    assert rep.table3.rows["R_TOTAL"].cells["TOT"].value == 0


def test_added_subtotal_column() -> None:
    text = _doc(_rows({"NEW": "5 | 2 | 0 | 0 | 0 | 0 | 2 | 7"})).replace(
        "商业企业 | 科研机构", "小计 | 商业企业 | 科研机构")
    rows = []
    for ln in text.splitlines():
        if " | " in ln and ln.split(" | ")[0] in {r.label for r in T3_ROWS_2021} and ln.count("|") == 7:
            ln = ln + " | 0"
        rows.append(ln)
    (rep,) = parse_bytes("\n".join(rows).encode(), "sub.txt")
    assert rep.table3.columns == ("NAT", "SUB", "BIZ", "RES", "NGO", "LAW", "OTH", "TOT")


def test_parse_number_forms() -> None:
    assert parse_number("--253").value == -253 and "double_sign" in parse_number("--253").flags
    assert parse_number("+22").value == 22
    assert parse_number("251000元").unit == "元"
    assert parse_number("/").value is None and "not_applicable" in parse_number("/").flags
    assert parse_number("1,234").value == 1234
    assert parse_number("abc") is None
    assert digit_splits("6000017", 7) == [(6, 0, 0, 0, 0, 1, 7)]
    assert digit_splits("0000000", 7) == [(0,) * 7]
    assert digit_splits("12", 7) == []


@pytest.mark.parametrize("data,reason", [
    (b"", "empty"),
    (b"\x89PNG\r\n\x1a\n" + b"\x00" * 50, "image"),
    (bytes(range(256)) * 4, "binary"),
    ("今天天气很好，我们去公园散步。\n晚上吃饭。\n".encode(), "not an annual report"),
])
def test_bad_inputs_raise_clear_errors(data: bytes, reason: str) -> None:
    with pytest.raises(ParseError) as ei:
        parse_bytes(data, "bad/input.bin")
    assert ei.value.source == "bad/input.bin"
    assert reason in str(ei.value)


def test_rows_flattened_with_spaces() -> None:
    rows = [r.replace(" | ", " ") for r in _rows({"NEW": "13 | 0 | 0 | 0 | 2 | 0 | 15", "R_OPEN": "13 | 0 | 0 | 0 | 2 | 0 | 15",
                                                   "R_TOTAL": "13 | 0 | 0 | 0 | 2 | 0 | 15"})]
    text = _doc(rows, t4_line=" ".join(["0"] * 14 + ["1"]))
    (rep,) = parse_bytes(text.encode(), "spaced.txt")
    assert [rep.table3.rows["NEW"].cells[c].value for c in T3_COLS] == [13, 0, 0, 0, 2, 0, 15]
    assert rep.table4.cells["LIT_R_TOTAL"].value == 1
    assert len(rep.table3.rows) == 25 and not any(r.incomplete for r in rep.table3.rows.values())


def test_2021_with_single_other_row_and_a_typo_label() -> None:
    rows = [r for r in _rows({}) if not r.startswith(("1.申请人无正当理由", "2.申请人逾期", "3.其他 "))]
    rows = [r.replace("2.其他法律行政法规禁止公开", "2.其他法律行政止公开") for r in rows]
    i = rows.index(next(r for r in rows if r.startswith("（七）总计")))
    rows.insert(i, "（六）其他处理 | 1 | 0 | 0 | 0 | 0 | 0 | 1")
    (rep,) = parse_bytes(_doc(rows).encode(), "hz.txt")
    assert rep.format == "2021"
    assert rep.format_signals["t3_other"] == "2019"  # the local deviation is visible to the rules
    assert rep.table3.rows["R_OTHER"].cells["TOT"].value == 1
    assert "R_DENY_2" in rep.table3.rows and not rep.table3.extra_rows


def test_unknown_extra_row_is_kept_apart() -> None:
    rows = _rows({})
    i = rows.index(next(r for r in rows if r.startswith("（七）总计")))
    rows.insert(i, "其中：涉及征地拆迁 | 1 | 0 | 0 | 0 | 0 | 0 | 1")
    (rep,) = parse_bytes(_doc(rows).encode(), "extra.txt")
    assert len(rep.table3.rows) == 25
    assert [r.label for r in rep.table3.extra_rows] == ["其中：涉及征地拆迁"]


def test_zeros_printed_as_blank_cells() -> None:
    rows = _rows({"R_DENY_1": " | | | | | | "})
    text = _doc(rows, t4_line="|" + " | ".join([" "] * 15) + "|").replace("规章 | 0 | 0 | 0", "规章 |  |  | ")
    (rep,) = parse_bytes(text.encode(), "blank.txt")
    assert [rep.table3.rows["R_DENY_1"].cells[c].value for c in T3_COLS] == [None] * 7
    assert not rep.table3.rows["R_DENY_1"].incomplete
    assert [rep.table4.cells[k].value for k in T4_KEYS] == [None] * 15
    assert [c.value for c in rep.table2.rows["REG"].values()] == [None, None, None]


def test_run_together_digits_with_too_many_readings_are_not_checked() -> None:
    text = _doc(_rows({"NEW": "123451234512"}))
    (rep,) = parse_bytes(text.encode(), "many.txt")
    row = rep.table3.rows["NEW"]
    assert row.incomplete and not row.readings and not row.cells
    assert any(n.code == "row_unreadable" and n.row == "NEW" for n in rep.notes)


def test_group_subtotal_rows_are_kept_apart_with_their_group() -> None:
    rows = _rows({"R_DENY_1": "1 | 0 | 0 | 0 | 0 | 0 | 1", "R_DENY_4": "2 | 0 | 0 | 0 | 0 | 0 | 2"})
    i = rows.index(next(r for r in rows if r.startswith("1.属于国家秘密")))
    rows.insert(i, "（三）不予公开 | 3 | 0 | 0 | 0 | 0 | 0 | 3")
    (rep,) = parse_bytes(_doc(rows).encode(), "groupsub.txt")
    (sub,) = rep.table3.extra_rows
    assert (sub.group, sub.cells["TOT"].value) == ("R_DENY", 3)
    assert rep.table3.rows["R_DENY_1"].cells["TOT"].value == 1


def test_labels_glued_behind_group_labels_and_vertical_text() -> None:
    from parsers.labels import match_t3

    assert match_t3("三、本年度办理结果（一）予以公开").key == "R_OPEN"
    assert match_t3("本（三）不予公开 1.属于国家秘密").key == "R_DENY_1"
    assert match_t3("果 4.保护第三方合法权益").key == "R_DENY_4"
    assert match_t3("（二）部分公开（区分处理的，只计这一情形，不计其他情形）").key == "R_PARTIAL"
    assert match_t3("一、本年新收政府信息公开申请数量（含转办）").key == "NEW"
    assert match_t3("其他") is None and match_t3("总计") is None


def test_content_farm_pinyin_and_invisible_characters() -> None:
    text = seed_path("003").read_text(encoding="utf-8")
    text = text.replace("予以公开", "予(yu)以(yi)公(gong)开(kai)").replace("自然人", "自\u200b然人")
    (rep,) = parse_bytes(text.encode(), "farm.txt")
    assert [rep.table3.rows["R_OPEN"].cells[c].value for c in T3_COLS] == [3, 0, 0, 0, 0, 0, 0]
    assert rep.table3.columns == T3_COLS


def test_2019_one_cell_per_line_is_in_row_order() -> None:
    from parsers.read_t3 import lines_to_raw_rows, stream_out_of_row_order
    from parsers.text import text_to_lines

    lines = text_to_lines(seed_path("000").read_text(encoding="utf-8"))
    raw, _, _ = lines_to_raw_rows(lines)
    assert not stream_out_of_row_order(raw, 7)


def test_table4_labeled_row_of_blank_cells() -> None:
    text = _doc(_rows({}), t4_line="数量 | " + " | ".join([" "] * 15) + " |")
    (rep,) = parse_bytes(text.encode(), "t4blank.txt")
    assert rep.table4.status == "present"
    assert [rep.table4.cells[k].value for k in T4_KEYS] == [None] * 15


def test_unreadable_cell_marker_keeps_the_rest_of_the_row() -> None:
    text = _doc(_rows({"NEW": "5 | ? | 0 | 0 | 0 | 0 | 5"}))
    (rep,) = parse_bytes(text.encode(), "ocr.txt")
    row = rep.table3.rows["NEW"]
    assert not row.incomplete
    assert row.cells["NAT"].value == 5 and row.cells["TOT"].value == 5
    assert row.cells["BIZ"].value is None and "unparsable" in row.cells["BIZ"].flags


def test_unreadable_cell_is_not_checked_never_zero() -> None:
    from expectations import check_reports
    from testkit.synth import make_report

    rep = make_report(3, "2021")
    row = rep.table3.rows["R_OPEN"]
    tot = row.cells["TOT"]
    from parsers.model import Cell

    row.cells["TOT"] = Cell(None, "?", tot.prov, None, frozenset({"unparsable", "unreadable"}))
    res = check_reports([rep])
    row_findings = [f for f in res.findings if f.rule == "T3-ROW"]
    assert row_findings and all(f.status == "not_checked" for f in row_findings)
    assert res.report_results[0].status != "pass"
