"""Three text forms of the statutory tables seen in the wild, written out by hand.

A. PDF converted to markdown: table 三's numbers as markdown rows without their labels, the labels as
   loose (wrapped) lines between them, separator rows in the middle, a page number alone on a line.
B. LLM/OCR markdown: each row or group of table 三 as a small table under a ### heading with generic
   column headers, a repeated header with wrong column names, ASCII brackets and spaces in labels,
   table 四 as three five-column tables under headings in any order.
C. HTML rendered to text: " | " between cells, no outer pipes, blank cells, the three header lines of
   table 三 on lines of their own, crawler metadata above the title.

Every cell of tables 三 and 四 is checked, and which rows were placed by position.
"""

from __future__ import annotations

import pytest

from parsers import parse_bytes
from parsers.layout import T3_COLS, T3_ROWS_2019, T3_ROWS_2021, T4_KEYS
from parsers.model import Report
from parsers.text import text_to_lines

Z = (0, 0, 0, 0, 0, 0, 0)
T3_2021 = {
    "NEW": (12, 2, 0, 0, 1, 0, 15), "CARRY": (1, 0, 0, 0, 0, 0, 1),
    "R_OPEN": (5, 1, 0, 0, 0, 0, 6), "R_PARTIAL": (2, 0, 0, 0, 0, 0, 2),
    "R_DENY_3": (1, 0, 0, 0, 0, 0, 1), "R_DENY_6": (0, 1, 0, 0, 0, 0, 1),
    "R_UNABLE_1": (3, 0, 0, 0, 1, 0, 4), "R_NOTPROC_1": (1, 0, 0, 0, 0, 0, 1),
    "R_TOTAL": (12, 2, 0, 0, 1, 0, 15), "FWD": (1, 0, 0, 0, 0, 0, 1),
}
T4 = {"REV": (1, 0, 0, 1, 2), "LIT_D": (0, 2, 0, 0, 2), "LIT_R": (0, 0, 1, 0, 1)}

TITLE_A = "示例市示例区财政局2023年政府信息公开工作年度报告"
HEAD_A = f"""{TITLE_A}

一、总体情况

2023年，我局认真贯彻落实《条例》。

二、主动公开政府信息情况

| 第二十条第（一）项 |  |  |  |
|---|---|---|---|
| 信息内容 | 本年制发件数 | 本年废止件数 | 现行有效件数 |
| 规章 | 0 | 0 | 0 |
| 行政规范性文件 | 2 | 0 | 11 |
| 第二十条第（五）项 |  |  |  |
| 信息内容 | 本年处理决定数量 |  |  |
| 行政许可 | 52 |  |  |
| 第二十条第（六）项 |  |  |  |
| 信息内容 | 本年处理决定数量 |  |  |
| 行政处罚 | 19 |  |  |
| 行政强制 | 7 |  |  |
| 第二十条第（八）项 |  |  |  |
| 信息内容 | 本年收费金额（单位：万元） |  |  |
| 行政事业性收费 | 0 |  |  |

三、收到和处理政府信息公开申请情况

（本列数据的勾稽关系为：第一项加第二项之和，

等于第三项加第四项之和）

申请人情况

| 自然人 | 法人或其他组织 |  |  |  |  | 总计 |
|---|---|---|---|---|---|---|
|  | 商业企业 | 科研机构 | 社会公益组织 | 法律服务机构 | 其他 |  |
"""
TAIL_A = """
四、政府信息公开行政复议、行政诉讼情况

| 行政复议 | 行政诉讼 |  |  |  |  |  |  |  |  |  |  |  |  |  |
|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|
| 结果维持 | 结果纠正 | 其他结果 | 尚未审结 | 总计 | 未经复议直接起诉 | 复议后起诉 |  |  |  |  |  |  |  |  |
| 结果维持 | 结果纠正 | 其他结果 | 尚未审结 | 总计 | 结果维持 | 结果纠正 | 其他结果 | 尚未审结 | 总计 |  |  |  |  |  |
| 1 | 0 | 0 | 1 | 2 | 0 | 2 | 0 | 0 | 2 | 0 | 0 | 1 | 0 | 1 |

五、存在的主要问题及改进情况

无。

六、其他需要报告的事项

无。
"""
# Table 三 of form A as a PDF-to-markdown converter printed it: each label's first line above its
# numbers, wrapped rests below, the merged group labels' lines in the middle of their groups, a page
# break after 7.属于行政执法案卷 (the page number "3", then a separator under the next row).
T3_A_ABOVE = """
一、本年新收政府信息公开申请

| 12 | 2 | 0 | 0 | 1 | 0 | 15 |

数量

二、上年结转政府信息公开申请

| 1 | 0 | 0 | 0 | 0 | 0 | 1 |

数量

（一）予以公开

| 5 | 1 | 0 | 0 | 0 | 0 | 6 |

（二）部分公开（区分处理的，

| 2 | 0 | 0 | 0 | 0 | 0 | 2 |

只计这一情形，不计其他情形）

1.属于国家秘密

| 0 | 0 | 0 | 0 | 0 | 0 | 0 |

2.其他法律行政法规

| 0 | 0 | 0 | 0 | 0 | 0 | 0 |

禁止公开

3.危及“三安全一稳

| 1 | 0 | 0 | 0 | 0 | 0 | 1 |

定”

4.保护第三方合法权

| 0 | 0 | 0 | 0 | 0 | 0 | 0 |

益

（三）不

5.属于三类内部事务信

| 0 | 0 | 0 | 0 | 0 | 0 | 0 |

息

予公开

6.属于四类过程性信息

| 0 | 1 | 0 | 0 | 0 | 0 | 1 |

7.属于行政执法案卷

| 0 | 0 | 0 | 0 | 0 | 0 | 0 |

三、本年

3

8.属于行政查询事项

| 0 | 0 | 0 | 0 | 0 | 0 | 0 |
|---|---|---|---|---|---|---|

度办理结

1.本机关不掌握相关

| 3 | 0 | 0 | 0 | 1 | 0 | 4 |

政府信息

果

（四）无

2.没有现成信息需要

| 0 | 0 | 0 | 0 | 0 | 0 | 0 |

另行制作

法提供

3.补正后申请内容仍

| 0 | 0 | 0 | 0 | 0 | 0 | 0 |

不明确

1.信访举报投诉类申

| 1 | 0 | 0 | 0 | 0 | 0 | 1 |

请

2.重复申请

| 0 | 0 | 0 | 0 | 0 | 0 | 0 |

（五）不

3.要求提供公开出版

| 0 | 0 | 0 | 0 | 0 | 0 | 0 |

物

予处理

4.无正当理由大量反

| 0 | 0 | 0 | 0 | 0 | 0 | 0 |

复申请

5.要求行政机关确认

| 0 | 0 | 0 | 0 | 0 | 0 | 0 |

或重新出具已获取信息

1.申请人无正当理由逾

| 0 | 0 | 0 | 0 | 0 | 0 | 0 |

期不补正、行政机关不再

处理其政府信息公开申请

（六）其

2.申请人逾期未按收费

| 0 | 0 | 0 | 0 | 0 | 0 | 0 |

通知要求缴纳费用、行政

他处理

机关不再处理其政府信息

公开申请

3.其他

| 0 | 0 | 0 | 0 | 0 | 0 | 0 |

（七）总计

| 12 | 2 | 0 | 0 | 1 | 0 | 15 |

四、结转下年度继续办理

| 1 | 0 | 0 | 0 | 0 | 0 | 1 |
"""
# The same table with every label printed below its numbers instead (the converter put the label
# cell's text after the row): the loose labels anchor nothing.
T3_A_BELOW = """
| 12 | 2 | 0 | 0 | 1 | 0 | 15 |

一、本年新收政府信息公开申请数量

| 1 | 0 | 0 | 0 | 0 | 0 | 1 |

二、上年结转政府信息公开申请数量

| 5 | 1 | 0 | 0 | 0 | 0 | 6 |

三、本年度办理结果

（一）予以公开

| 2 | 0 | 0 | 0 | 0 | 0 | 2 |

（二）部分公开

| 0 | 0 | 0 | 0 | 0 | 0 | 0 |

（三）不予公开

1.属于国家秘密

| 0 | 0 | 0 | 0 | 0 | 0 | 0 |

2.其他法律行政法规禁止公开

| 1 | 0 | 0 | 0 | 0 | 0 | 1 |

3.危及“三安全一稳定”

| 0 | 0 | 0 | 0 | 0 | 0 | 0 |

4.保护第三方合法权益

| 0 | 0 | 0 | 0 | 0 | 0 | 0 |

5.属于三类内部事务信息

| 0 | 1 | 0 | 0 | 0 | 0 | 1 |

6.属于四类过程性信息

| 0 | 0 | 0 | 0 | 0 | 0 | 0 |

7.属于行政执法案卷

| 0 | 0 | 0 | 0 | 0 | 0 | 0 |

8.属于行政查询事项

| 3 | 0 | 0 | 0 | 1 | 0 | 4 |

（四）无法提供

1.本机关不掌握相关政府信息

| 0 | 0 | 0 | 0 | 0 | 0 | 0 |

2.没有现成信息需要另行制作

| 0 | 0 | 0 | 0 | 0 | 0 | 0 |

3.补正后申请内容仍不明确

| 1 | 0 | 0 | 0 | 0 | 0 | 1 |

（五）不予处理

1.信访举报投诉类申请

| 0 | 0 | 0 | 0 | 0 | 0 | 0 |

2.重复申请

| 0 | 0 | 0 | 0 | 0 | 0 | 0 |

3.要求提供公开出版物

| 0 | 0 | 0 | 0 | 0 | 0 | 0 |

4.无正当理由大量反复申请

| 0 | 0 | 0 | 0 | 0 | 0 | 0 |

5.要求行政机关确认或重新出具已获取信息

| 0 | 0 | 0 | 0 | 0 | 0 | 0 |

（六）其他处理

1.申请人无正当理由逾期不补正、行政机关不再处理其政府信息公开申请

| 0 | 0 | 0 | 0 | 0 | 0 | 0 |

2.申请人逾期未按收费通知要求缴纳费用、行政机关不再处理其政府信息公开申请

| 0 | 0 | 0 | 0 | 0 | 0 | 0 |

3.其他

| 12 | 2 | 0 | 0 | 1 | 0 | 15 |

（七）总计

| 1 | 0 | 0 | 0 | 0 | 0 | 1 |

四、结转下年度继续办理
"""
R_UNABLE_1_ROW = "| 3 | 0 | 0 | 0 | 1 | 0 | 4 |\n"


def _parse(text: str) -> Report:
    (rep,) = parse_bytes(text.encode("utf-8"), "form.md")
    return rep


def _t3(rep: Report, rows: tuple, skip: tuple[str, ...] = ()) -> None:
    """Every cell of table 三 against T3_2021 (rows in ``skip`` must have no cell read)."""
    assert [k for k in rep.table3.rows if k not in skip] == [r.key for r in rows if r.key not in skip]
    for rd in rows:
        row = rep.table3.rows.get(rd.key)
        if rd.key in skip:
            assert row is None or not row.cells, rd.key
            continue
        assert row is not None, rd.key
        assert tuple(row.cells[c].value for c in T3_COLS) == T3_2021.get(rd.key, Z), rd.key


def _t4(rep: Report) -> None:
    want = [v for g in ("REV", "LIT_D", "LIT_R") for v in T4[g]]
    assert [rep.table4.cells[k].value for k in T4_KEYS] == want


def _placed(rep: Report) -> set[str]:
    return {k for k, r in rep.table3.rows.items() if r.placed_by_position}


# ---------------------------------------------------------------- A: PDF converted to markdown
def test_form_a_rows_counted_as_the_layout_are_placed_in_statutory_order() -> None:
    rep = _parse(HEAD_A + T3_A_ABOVE + TAIL_A)
    assert (rep.body, rep.year, rep.format) == ("示例市示例区财政局", 2023, "2021")
    _t3(rep, T3_ROWS_2021)
    _t4(rep)
    assert _placed(rep) == {r.key for r in T3_ROWS_2021}
    codes = [n.code for n in rep.notes if n.table == "table3"]
    assert "rows_placed_by_order" in codes and "stray_number" in codes
    assert rep.table2.value("NORM", "VALID") == 11 and rep.table2.value("LICENSE", "DECISIONS") == 52


def test_form_a_labels_below_their_rows_still_placed_by_count() -> None:
    rep = _parse(HEAD_A + T3_A_BELOW + TAIL_A)
    _t3(rep, T3_ROWS_2021)
    assert _placed(rep) == {r.key for r in T3_ROWS_2021}
    assert not rep.table3.extra_rows


def test_form_a_one_row_missing_places_only_what_labels_anchor() -> None:
    """24 rows of numbers for the 25 of the layout: no placing by count. Labels printed above their
    rows anchor them; a row is placed by position only between two anchors with exactly one free
    row (its label wrapped beyond recognition); the row whose numbers are missing is read empty."""
    text = HEAD_A + T3_A_ABOVE.replace(R_UNABLE_1_ROW, "", 1) + TAIL_A
    assert text.count(R_UNABLE_1_ROW) == 0
    rep = _parse(text)
    _t3(rep, T3_ROWS_2021, skip=("R_UNABLE_1",))
    assert rep.table3.rows["R_UNABLE_1"].incomplete
    assert _placed(rep) == {"R_PARTIAL", "R_NOTPROC_5", "R_OTHER_1", "R_OTHER_2"}
    assert "rows_placed_by_order" not in [n.code for n in rep.notes]
    _t4(rep)


@pytest.mark.parametrize("below", [False, True], ids=["labels-above", "labels-below"])
def test_form_a_any_one_row_missing_never_reads_a_wrong_cell(below: bool) -> None:
    """Whichever row of numbers is lost, every cell read is the true one (or none is read). Labels
    below their rows anchor nothing; labels above with the last row lost look like labels below with
    the first row lost, so then nothing is anchored either."""
    t3 = T3_A_BELOW if below else T3_A_ABOVE
    lines = t3.split("\n")
    number_rows = [i for i, ln in enumerate(lines) if ln.startswith("| ")]
    assert len(number_rows) == len(T3_ROWS_2021)
    for k, i in enumerate(number_rows):
        rep = _parse(HEAD_A + "\n".join(lines[:i] + lines[i + 1:]) + TAIL_A)
        assert "rows_placed_by_order" not in [n.code for n in rep.notes]
        read = 0
        for rd in T3_ROWS_2021:
            row = rep.table3.rows.get(rd.key)
            if row is None or not row.cells:
                continue
            assert rd.key != T3_ROWS_2021[k].key, (k, rd.key)
            assert tuple(row.cells[c].value for c in T3_COLS) == T3_2021.get(rd.key, Z), (k, rd.key)
            read += 1
        assert read == 0 if below or k == len(number_rows) - 1 else read >= 20, (k, read)


def test_form_a_one_row_missing_with_labels_below_reads_nothing_wrong() -> None:
    """Labels printed below their rows and a row missing: no label can anchor a row, nothing is
    placed and no number is read into any statutory row."""
    text = HEAD_A + T3_A_BELOW.replace("| 0 | 1 | 0 | 0 | 0 | 0 | 1 |\n", "", 1) + TAIL_A
    rep = _parse(text)
    assert all(not r.cells for r in rep.table3.rows.values())
    assert not _placed(rep)
    assert rep.table3.status == "unreadable"
    assert any(n.code == "rows_unplaced" for n in rep.notes)


def test_form_a_separator_rows_are_never_cells() -> None:
    lines = text_to_lines(HEAD_A + T3_A_ABOVE + TAIL_A)
    assert not any("---" in c.text for ln in lines for c in ln.cells)
    rows = [ln for ln in lines if ln.structured and ln.cells[0].text == "12"]
    assert [[c.text for c in ln.cells] for ln in rows] == [["12", "2", "0", "0", "1", "0", "15"]] * 2


# ---------------------------------------------------------------- B: LLM/OCR markdown
GENERIC = "| 类别 | 数据1 | 数据2 | 数据3 | 数据4 | 数据5 | 数据6 | 总计 |\n| --- | --- | --- | --- | --- | --- | --- | --- |"
FORM_B = f"""# 示例县自然资源局2022年政府信息公开工作年度报告

## 一、总体情况

2022年，我局政府信息公开工作有序开展。

## 二、主动公开政府信息情况

### 第二十条第(一)项

| 信息内容 | 本年制发件数 | 本年废止件数 | 现行有效件数 |
| --- | --- | --- | --- |
| 规章 | 0 | 0 | 0 |
| 行政规范性文件 | 2 | 0 | 11 |

### 第二十条第(五)项

| 信息内容 | 本年处理决定数量 |
| --- | --- |
| 行政许可 | 52 |

### 第二十条第(六)项

| 信息内容 | 本年处理决定数量 |
| --- | --- |
| 行政处罚 | 19 |
| 行政强制 | 7 |

### 第二十条第(八)项

| 信息内容 | 本年收费金额(单位:万元) |
| --- | --- |
| 行政事业性收费 | 0 |

## 三、收到和处理政府信息公开申请情况

### 一、本年新收政府信息公开申请数量

{GENERIC}
| 一、本年新收政府信息公开申请数量 | 12 | 2 | 0 | 0 | 1 | 0 | 15 |
| 二、上年结转政府信息公开申请数量 | 1 | 0 | 0 | 0 | 0 | 0 | 1 |

### 三、本年度办理结果

### (一) 予以公开

{GENERIC}
| (一) 予以公开 | 5 | 1 | 0 | 0 | 0 | 0 | 6 |

### (二) 部分公开

{GENERIC}
| (二) 部分公开(区分处理的,只计这一情形,不计其他情形) | 2 | 0 | 0 | 0 | 0 | 0 | 2 |

### (三) 不予公开

{GENERIC}
| 1. 属于国家秘密 | 0 | 0 | 0 | 0 | 0 | 0 | 0 |
| 2. 其他法律行政法规禁止公开 | 0 | 0 | 0 | 0 | 0 | 0 | 0 |
| 3. 危及"三安全一稳定" | 1 | 0 | 0 | 0 | 0 | 0 | 1 |
| 4. 保护第三方合法权益 | 0 | 0 | 0 | 0 | 0 | 0 | 0 |
| 类别 | 自然人 | 其他 | 法律服务机构 | 社会公益组织 | 科研机构 | 商业企业 | 总计 |
| 5. 属于三类内部事务信息 | 0 | 0 | 0 | 0 | 0 | 0 | 0 |
| 6. 属于四类过程性信息 | 0 | 1 | 0 | 0 | 0 | 0 | 1 |
| 7. 属于行政执法案卷 | 0 | 0 | 0 | 0 | 0 | 0 | 0 |
| 8. 属于行政查询事项 | 0 | 0 | 0 | 0 | 0 | 0 | 0 |

### (四) 无法提供

{GENERIC}
| 1. 本机关不掌握相关政府信息 | 3 | 0 | 0 | 0 | 1 | 0 | 4 |
| 2. 没有现成信息需要另行制作 | 0 | 0 | 0 | 0 | 0 | 0 | 0 |
| 3. 补正后申请内容仍不明确 | 0 | 0 | 0 | 0 | 0 | 0 | 0 |

### (五) 不予处理

| 项目 | 申请人 | 企业 | 机构 | 组织 | 律所 | 其他组织 | 合计 |
| --- | --- | --- | --- | --- | --- | --- | --- |
| 1. 信访举报投诉类申请 | 1 | 0 | 0 | 0 | 0 | 0 | 1 |
| 2. 重复申请 | 0 | 0 | 0 | 0 | 0 | 0 | 0 |
| 3. 要求提供公开出版物 | 0 | 0 | 0 | 0 | 0 | 0 | 0 |
| 4. 无正当理由大量反复申请 | 0 | 0 | 0 | 0 | 0 | 0 | 0 |
| 5. 要求行政机关确认或重新出具已获取信息 | 0 | 0 | 0 | 0 | 0 | 0 | 0 |

### (六) 其他处理

{GENERIC}
| 1. 申请人无正当理由逾期不补正、行政机关不再处理其政府信息公开申请 | 0 | 0 | 0 | 0 | 0 | 0 | 0 |
| 2. 申请人逾期未按收费通知要求缴纳费用、行政机关不再处理其政府信息公开申请 | 0 | 0 | 0 | 0 | 0 | 0 | 0 |
| 3. 其他 | 0 | 0 | 0 | 0 | 0 | 0 | 0 |

### (七) 总计

{GENERIC}
| (七) 总计 | 12 | 2 | 0 | 0 | 1 | 0 | 15 |

### 四、结转下年度继续办理

| 数据1 | 数据2 | 数据3 | 数据4 | 数据5 | 数据6 | 总计 |
| --- | --- | --- | --- | --- | --- | --- |
| 1 | 0 | 0 | 0 | 0 | 0 | 1 |

## 四、政府信息公开行政复议、行政诉讼情况

### 行政诉讼(复议后起诉)

| 结果维持 | 结果纠正 | 其他结果 | 尚未审结 | 总计 |
| --- | --- | --- | --- | --- |
| 0 | 0 | 1 | 0 | 1 |

### 行政复议

| 结果维持 | 结果纠正 | 其他结果 | 尚未审结 | 总计 |
| --- | --- | --- | --- | --- |
| 1 | 0 | 0 | 1 | 2 |

### 行政诉讼(未经复议直接起诉)

| 结果维持 | 结果纠正 | 其他结果 | 尚未审结 | 总计 |
| --- | --- | --- | --- | --- |
| 0 | 2 | 0 | 0 | 2 |

## 五、存在的主要问题及改进情况

无。

## 六、其他需要报告的事项

无。
"""


def test_form_b_small_tables_generic_and_wrong_headers() -> None:
    rep = _parse(FORM_B)
    assert (rep.body, rep.year, rep.format) == ("示例县自然资源局", 2022, "2021")
    assert [s.key for s in rep.sections] == ["overview", "proactive", "requests", "review", "problems", "other"]
    assert rep.table3.columns == T3_COLS  # generic headers: statutory order; the wrong header decides nothing
    _t3(rep, T3_ROWS_2021)
    assert _placed(rep) == set()  # every row has its label (FWD its ### heading)
    assert not rep.table3.extra_rows
    assert not [n for n in rep.notes if n.table == "table3"]
    _t4(rep)
    assert any(n.code == "t4_group_order" for n in rep.notes)
    assert rep.table2.value("PENALTY", "DECISIONS") == 19


@pytest.mark.parametrize("order", [("REV", "LIT_D", "LIT_R"), ("LIT_D", "LIT_R", "REV"), ("LIT_R", "LIT_D", "REV")])
def test_form_b_table4_groups_in_any_order(order: tuple[str, str, str]) -> None:
    headings = {"REV": "### 行政复议", "LIT_D": "### 行政诉讼（未经复议直接起诉）", "LIT_R": "### 行政诉讼（复议后起诉）"}
    head = "| 结果维持 | 结果纠正 | 其他结果 | 尚未审结 | 总计 |\n|---|---|---|---|---|"
    t4 = "\n\n".join(f"{headings[g]}\n\n{head}\n| {' | '.join(map(str, T4[g]))} |" for g in order)
    start = FORM_B.index("### 行政诉讼(复议后起诉)")
    end = FORM_B.index("## 五、")
    rep = _parse(FORM_B[:start] + t4 + "\n\n" + FORM_B[end:])
    _t4(rep)
    assert any(n.code == "t4_group_order" for n in rep.notes) == (order != ("REV", "LIT_D", "LIT_R"))


def test_form_b_a_group_missing_its_five_values_falls_back_to_printed_order() -> None:
    text = FORM_B.replace("| 0 | 2 | 0 | 0 | 2 |", "| 0 | 2 | 0 | 2 |")
    rep = _parse(text)
    assert rep.table4.incomplete and not rep.table4.cells


# ---------------------------------------------------------------- C: HTML rendered to text
FORM_C = """# source: https://www.pingtan.gov.cn/zwgk/zfxxgk/zfxxgknb/202401/t20240131_86001.htm
标题:平潭综合实验区示例局2023年政府信息公开工作年度报告
发布时间:2024-01-31
原文链接:https://www.pingtan.gov.cn/zwgk/zfxxgk/zfxxgknb/202401/t20240131_86001.htm
平潭综合实验区示例局2023年政府信息公开工作年度报告
一、总体情况
2023年，我局政府信息公开工作有序开展。
二、主动公开政府信息情况
第二十条第（一）项
信息内容 | 本年制发件数 | 本年废止件数 | 现行有效件数
规章 |  | 0 |
行政规范性文件 | 2 |  | 11
第二十条第（五）项
信息内容 | 本年处理决定数量
行政许可 | 52
第二十条第（六）项
信息内容 | 本年处理决定数量
行政处罚 | 19
行政强制 | 7
第二十条第（八）项
信息内容 | 本年收费金额（单位：万元）
行政事业性收费 |
三、收到和处理政府信息公开申请情况
（本列数据的勾稽关系为：第一项加第二项之和，等于第三项加第四项之和） | 申请人情况
自然人 | 法人或其他组织 | 总计
商业企业 | 科研机构 | 社会公益组织 | 法律服务机构 | 其他
一、本年新收政府信息公开申请数量 | 12 | 2 | 0 |  | 1 | 0 | 15
二、上年结转政府信息公开申请数量 | 1 |  | 0 |  | 0 |  | 1
三、本年度办理结果 | （一）予以公开 | 5 | 1 |  | 0 |  | 0 | 6
（二）部分公开（区分处理的，只计这一情形，不计其他情形） | 2 | 0 |  | 0 |  | 0 | 2
（三）不予公开 | 1.属于国家秘密 |  |  |  |  |  |  |
2.其他法律行政法规禁止公开 | 0 | 0 | 0 | 0 | 0 | 0 | 0
3.危及“三安全一稳定” | 1 | 0 |  | 0 |  | 0 | 1
4.保护第三方合法权益 | 0 |  | 0 |  | 0 |  | 0
5.属于三类内部事务信息 |  | 0 |  | 0 |  | 0 |
6.属于四类过程性信息 | 0 | 1 | 0 | 0 | 0 | 0 | 1
7.属于行政执法案卷 | 0 | 0 | 0 | 0 | 0 | 0 | 0
8.属于行政查询事项 | 0 | 0 | 0 | 0 | 0 | 0 | 0
（四）无法提供 | 1.本机关不掌握相关政府信息 | 3 | 0 | 0 | 0 | 1 | 0 | 4
2.没有现成信息需要另行制作 | 0 | 0 | 0 | 0 | 0 | 0 | 0
3.补正后申请内容仍不明确 | 0 | 0 | 0 | 0 | 0 | 0 | 0
（五）不予处理 | 1.信访举报投诉类申请 | 1 | 0 | 0 | 0 | 0 | 0 | 1
2.重复申请 | 0 | 0 | 0 | 0 | 0 | 0 | 0
3.要求提供公开出版物 | 0 | 0 | 0 | 0 | 0 | 0 | 0
4.无正当理由大量反复申请 | 0 | 0 | 0 | 0 | 0 | 0 | 0
5.要求行政机关确认或重新出具已获取信息 | 0 | 0 | 0 | 0 | 0 | 0 | 0
（六）其他处理 | 1.申请人无正当理由逾期不补正、行政机关不再处理其政府信息公开申请 | 0 | 0 | 0 | 0 | 0 | 0 | 0
2.申请人逾期未按收费通知要求缴纳费用、行政机关不再处理其政府信息公开申请 | 0 | 0 | 0 | 0 | 0 | 0 | 0
3.其他 | 0 | 0 | 0 | 0 | 0 | 0 | 0
（七）总计 | 12 | 2 | 0 | 0 | 1 | 0 | 15
四、结转下年度继续办理 | 1 | 0 | 0 | 0 | 0 | 0 | 1
四、政府信息公开行政复议、行政诉讼情况
行政复议 | 行政诉讼
结果维持 | 结果纠正 | 其他结果 | 尚未审结 | 总计 | 未经复议直接起诉 | 复议后起诉
结果维持 | 结果纠正 | 其他结果 | 尚未审结 | 总计 | 结果维持 | 结果纠正 | 其他结果 | 尚未审结 | 总计
 | 0 | 0 | 1 | 2 | 0 | 2 |  | 0 | 2 |  | 0 | 1 | 0 |
五、存在的主要问题及改进情况
无。
六、其他需要报告的事项
无。
"""
# blank cells in FORM_C (all of them zeros printed blank): row -> column positions
BLANK_C = {"NEW": {3}, "CARRY": {1, 3, 5}, "R_OPEN": {2, 4}, "R_PARTIAL": {2, 4},
           "R_DENY_1": {0, 1, 2, 3, 4, 5, 6}, "R_DENY_3": {2, 4}, "R_DENY_4": {1, 3, 5}, "R_DENY_5": {0, 2, 4, 6}}
BLANK_C4 = {0, 7, 10, 14}


def test_form_c_bare_pipes_blank_cells_and_crawler_metadata() -> None:
    rep = _parse(FORM_C)
    assert (rep.body, rep.year, rep.format) == ("平潭综合实验区示例局", 2023, "2021")
    assert rep.meta["title"] == "平潭综合实验区示例局2023年政府信息公开工作年度报告"
    assert rep.meta["published"] == "2024-01-31"
    for rd in T3_ROWS_2021:
        row = rep.table3.rows[rd.key]
        want = T3_2021.get(rd.key, Z)
        for i, c in enumerate(T3_COLS):
            blank = i in BLANK_C.get(rd.key, set())
            assert row.cells[c].value == (None if blank else want[i]), (rd.key, c)
            assert ("blank" in row.cells[c].flags) == blank, (rd.key, c)
    want4 = [v for g in ("REV", "LIT_D", "LIT_R") for v in T4[g]]
    assert [rep.table4.cells[k].value for k in T4_KEYS] == [None if i in BLANK_C4 else v for i, v in enumerate(want4)]
    assert _placed(rep) == set()
    assert rep.table2.value("NORM", "REPEALED") is None and rep.table2.value("NORM", "VALID") == 11
    assert rep.table2.rows["FEE"]["AMOUNT"].value is None


def test_form_c_the_body_is_never_the_metadata_line() -> None:
    text = FORM_C.replace("平潭综合实验区示例局2023年政府信息公开工作年度报告\n一、", "一、", 1)
    rep = _parse(text)  # the article prints no title: the page's 标题 stands in
    assert (rep.body, rep.year) == ("平潭综合实验区示例局", 2023)
    assert not (rep.body or "").startswith("标题")


def test_form_c_2019_report_with_one_other_row() -> None:
    """A 2019-format table in form C: （六）其他处理 as one row."""
    t3 = FORM_C[FORM_C.index("一、本年新收"):FORM_C.index("四、政府信息公开行政复议")]
    start = t3.index("（六）其他处理")
    t3_2019 = t3[:start] + "（六）其他处理 | 0 | 0 | 0 |  | 0 | 0 | 0\n" + t3[t3.index("（七）总计"):]
    t2_2019 = """第二十条第（一）项
信息内容 | 本年新制作数量 | 本年新公开数量 | 对外公开总数量
规章 | 0 | 0 | 0
规范性文件 | 2 | 2 | 11
第二十条第（九）项
信息内容 | 采购项目数量 | 采购总金额
政府集中采购 | 3 | 45.82
"""
    text = (FORM_C.replace("2023年", "2020年").replace("2024-01-31", "2021-01-31")
            .replace(FORM_C[FORM_C.index("第二十条第（一）项"):FORM_C.index("三、收到和处理")], t2_2019)
            .replace(t3, t3_2019))
    rep = _parse(text)
    assert (rep.year, rep.format) == (2020, "2019")
    assert list(rep.table3.rows) == [r.key for r in T3_ROWS_2019]
    other = rep.table3.rows["R_OTHER"]
    assert [other.cells[c].value for c in T3_COLS] == [0, 0, 0, None, 0, 0, 0]
    assert tuple(rep.table3.rows["R_TOTAL"].cells[c].value for c in T3_COLS) == T3_2021["R_TOTAL"]
    assert rep.table2.value("PROCURE", "COUNT") == 3


# ---------------------------------------------------------------- the renderer writes these forms
def test_rendered_forms_show_their_features() -> None:
    from parsers.layout import GEN_2021
    from testkit.render import render_text
    from testkit.synth import make_report

    rep = make_report(4, GEN_2021, scale=5)
    md = render_text(rep, "text-md-displaced")
    new = " | ".join(str(rep.table3.rows["NEW"].cells[c].value) for c in T3_COLS)
    assert f"\n\n| {new} |\n\n" in md  # numbers without their label
    assert "\n\n（三）不\n\n" in md and "\n\n予公开\n\n" in md  # a group label wrapped in its narrow cell
    assert "\n\n3\n\n" in md  # the page number
    assert md.splitlines().count("|" + "---|" * 7) == 2  # under the header and under a row mid-table
    llm = render_text(rep, "text-md-llm")
    assert "\n### (三) 不予公开\n\n| 类别 | 数据1 | 数据2 | 数据3 | 数据4 | 数据5 | 数据6 | 总计 |\n|---|" in llm
    assert "| 1. 属于国家秘密 |" in llm and "\n### 行政诉讼(复议后起诉)\n" in llm
    bare = render_text(rep, "text-pipes-bare")
    assert bare.startswith("# source: https://") and "\n标题:" in bare and "\n发布时间:" in bare
    assert "\n一、本年新收政府信息公开申请数量 | " in bare and "|  |" in bare
