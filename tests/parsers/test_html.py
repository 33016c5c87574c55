"""HTML reader: lines from real page layouts (2019 Shanghai, 2021 GH-K style), encodings, spans,
layout tables and page chrome; full parses of hand-written fixtures of the two official layouts."""

from __future__ import annotations

import pytest

from parsers import parse_bytes
from parsers.html import decode_html, html_to_lines
from parsers.layout import T3_COLS, T4_KEYS
from parsers.lines import Line
from parsers.model import ParseError

# ---------------------------------------------------------------- fixture builders (hand-typed data)


def _sh_td(text: str, rs: int = 1, cs: int = 1) -> str:
    """A cell as the 2019 Shanghai page prints it: nowrap, a <p> inside, &nbsp; for a blank."""
    span = (f' rowspan="{rs}"' if rs > 1 else "") + (f' colspan="{cs}"' if cs > 1 else "")
    inner = text if text else "&nbsp;"
    return f'<td nowrap="nowrap"{span} style="width:47px;"><p align="center">{inner}</p></td>'


def _vals(s: str) -> list[str]:
    """'821 35 _ _ 2 1 859' -> cells; '_' is a blank cell."""
    return ["" if v == "_" else v for v in s.split()]


# Values typed from the 2019 report of 上海市人民政府办公厅 (statutory-format.md §8 vector 2).
R19_SH_T3 = [
    ("NEW", [("一、本年新收政府信息公开申请数量", 1, 3)], "821 35 _ _ 2 1 859"),
    ("CARRY", [("二、上年结转政府信息公开申请数量", 1, 3)], "18 _ _ _ _ _ 18"),
    ("R_OPEN", [("三、本年度办理结果", 20, 1), ("（一）予以公开", 1, 2)], "258 12 _ _ 1 1 _"),
    ("R_PARTIAL", [("（二）部分公开（区分处理的，只计这一情形，不计其他情形）", 1, 2)], "3 _ _ _ _ _ _"),
    ("R_DENY_1", [("（三）不予公开", 8, 1), ("1.属于国家秘密", 1, 1)], "14 _ _ _ _ _ _"),
    ("R_DENY_2", [("2.其他法律行政法规禁止公开", 1, 1)], "_ _ _ _ _ _ _"),
    ("R_DENY_3", [("3.危及“三安全一稳定”", 1, 1)], "_ _ _ _ _ _ _"),
    ("R_DENY_4", [("4.保护第三方合法权益", 1, 1)], "_ _ _ _ _ _ _"),
    ("R_DENY_5", [("5.属于三类内部事务信息", 1, 1)], "5 _ _ _ _ _ _"),
    ("R_DENY_6", [("6.属于四类过程性信息", 1, 1)], "3 1 _ _ _ _ _"),
    ("R_DENY_7", [("7.属于行政执法案卷", 1, 1)], "_ _ _ _ _ _ _"),
    ("R_DENY_8", [("8.属于行政查询事项", 1, 1)], "10 2 _ _ _ _ _"),
    ("R_UNABLE_1", [("（四）无法提供", 3, 1), ("1.本机关不掌握相关政府信息", 1, 1)], "252 12 _ _ 1 _ _"),
    ("R_UNABLE_2", [("2.没有现成信息需要另行制作", 1, 1)], "44 3 _ _ _ _ _"),
    ("R_UNABLE_3", [("3.补正后申请内容仍不明确", 1, 1)], "25 _ _ _ _ _ _"),
    ("R_NOTPROC_1", [("（五）不予处理", 5, 1), ("1.信访举报投诉类申请", 1, 1)], "148 1 _ _ _ _ _"),
    ("R_NOTPROC_2", [("2.重复申请", 1, 1)], "5 4 _ _ _ _ _"),
    ("R_NOTPROC_3", [("3.要求提供公开出版物", 1, 1)], "_ _ _ _ _ _ _"),
    ("R_NOTPROC_4", [("4.无正当理由大量反复申请", 1, 1)], "_ _ _ _ _ _ _"),
    ("R_NOTPROC_5", [("5.要求行政机关确认或重新出具已获取信息", 1, 1)], "_ _ _ _ _ _ _"),
    ("R_OTHER", [("（六）其他处理", 1, 2)], "_ _ _ _ _ _ _"),
    ("R_TOTAL", [("（七）总计", 1, 2)], "767 35 _ _ 2 1 805"),
    ("FWD", [("四、结转下年度继续办理", 1, 3)], "72 _ _ _ _ _ 72"),
]
R19_SH_T4 = "5 _ _ 2 7 8 _ _ 1 9 _ _ _ _ _"


def _r19_sh_page() -> bytes:
    t2 = ["<tr>" + _sh_td("第二十条第（一）项", cs=5) + "</tr>",
          "<tr>" + _sh_td("信息内容") + _sh_td("本年新<br />制作数量") + _sh_td("本年新<br />公开数量", cs=2)
          + _sh_td("对外公开总数量") + "</tr>",
          "<tr>" + _sh_td("规章") + _sh_td("13") + _sh_td("13", cs=2) + _sh_td("524") + "</tr>",
          "<tr>" + _sh_td("规范性文件") + _sh_td("60") + _sh_td("60", cs=2) + _sh_td("368") + "</tr>"]
    for item, rows in (("五", ("行政许可", "其他对外管理服务事项")), ("六", ("行政处罚", "行政强制"))):
        t2.append("<tr>" + _sh_td(f"第二十条第（{item}）项", cs=5) + "</tr>")
        t2.append("<tr>" + _sh_td("信息内容") + _sh_td("上一年项目数量") + _sh_td("本年增/减", cs=2)
                  + _sh_td("处理决定数量") + "</tr>")
        for label in rows:  # the real page shifts the spans of the value cells against the header
            t2.append("<tr>" + _sh_td(label) + _sh_td("0", cs=2) + _sh_td("0") + _sh_td("0") + "</tr>")
    t2 += ["<tr>" + _sh_td("第二十条第（八）项", cs=5) + "</tr>",
           "<tr>" + _sh_td("信息内容") + _sh_td("上一年项目数量", cs=2) + _sh_td("本年增/减", cs=2) + "</tr>",
           "<tr>" + _sh_td("行政事业性收费") + _sh_td("0", cs=2) + _sh_td("0", cs=2) + "</tr>",
           "<tr>" + _sh_td("第二十条第（九）项", cs=5) + "</tr>",
           "<tr>" + _sh_td("信息内容") + _sh_td("采购项目数量", cs=2) + _sh_td("采购总金额", cs=2) + "</tr>",
           "<tr>" + _sh_td("政府集中采购") + _sh_td("6", cs=2) + _sh_td("251000元", cs=2) + "</tr>"]
    t3 = ["<tr>" + _sh_td("（本列数据的勾稽关系为：第一项加第二项之和，等于第三项加第四项之和）", rs=3, cs=3)
          + _sh_td("申请人情况", cs=7) + "</tr>",
          "<tr>" + _sh_td("自然人", rs=2) + _sh_td("法人或其他组织", cs=5) + _sh_td("总计", rs=2) + "</tr>",
          "<tr>" + "".join(_sh_td(x) for x in ("商业企业", "科研机构", "社会公益组织", "法律服务机构", "其他"))
          + "</tr>"]
    for _, labels, values in R19_SH_T3:
        t3.append("<tr>" + "".join(_sh_td(t, rs, cs) for t, rs, cs in labels)
                  + "".join(_sh_td(v) for v in _vals(values)) + "</tr>")
    outcomes = "".join(f"<td rowspan=\"2\"><p>{x}</p></td>" for x in ("结果维持", "结果纠正", "其他结果", "尚未审结", "总计"))
    t4 = ['<tr><td colspan="5"><p>行政复议</p></td><td colspan="10"><p>行政诉讼</p></td></tr>',
          f'<tr>{outcomes}<td colspan="5"><p>未经复议直接起诉</p></td><td colspan="5"><p>复议后起诉</p></td></tr>',
          "<tr>" + "".join(f"<td><p>{x}</p></td>" for x in ("结果维持", "结果纠正", "其他结果", "尚未审结", "总计") * 2)
          + "</tr>",
          "<tr>" + "".join(f"<td><p>{v}</p></td>" if v else "<td>&nbsp;</td>" for v in _vals(R19_SH_T4)) + "</tr>"]
    table = '<table align="center" border="1" cellspacing="1"><tbody>{}</tbody></table>'
    page = (
        "<html><head><meta charset='utf-8'><title>2019年上海市人民政府办公厅政府信息公开工作年度报告</title>"
        "<script>var nav = '<p>首页</p>';</script></head><body>"
        "<div class='nav'><nav><a href='/'>首页</a> <a href='/xxgk'>信息公开</a></nav></div>"
        "<p style='text-align: center;font-weight: bold;'>2019年上海市人民政府办公厅政府信息公开工作年度报告</p>\t"
        "<p style='text-align: center'>发布日期：2020-01-31</p>"
        "<p>本年度报告根据《中华人民共和国政府信息公开条例》（以下简称《条例》）的要求编制。本年度报告中所列数据统计期限"
        "从2019年1月1日到12月31日止。</p>"
        "<p>一、总体情况</p><p>2019年，上海市人民政府办公厅全面落实《条例》要求。</p>"
        "<p>市政府办公厅代表市政府共受理政府信息公开申请859件。</p>"
        "<p>二、主动公开政府信息情况</p>" + table.format("".join(t2))
        + "<p>三、收到和处理政府信息公开申请情况</p>" + table.format("".join(t3))
        + "<p><br />四、政府信息公开行政复议、行政诉讼情况</p>" + table.format("".join(t4))
        + "<p>五、政府信息公开工作存在的主要问题及改进情况</p><p>（一）主要问题</p><p>一是理论学习仍需加强。</p>"
        "<p>六、其他需要报告的事项</p><p>无。</p></body></html>"
    )
    return page.encode("utf-8")


# GH-K style 2021 page: bare cells, padded header rows, single value columns with colspan=3.
GHK_T3 = {
    "NEW": "13612 252 0 45 128 32 14069", "CARRY": "535 6 0 1 18 0 560",
    "R_OPEN": "5345 129 0 41 19 14 5548", "R_PARTIAL": "2120 39 0 1 6 2 2168",
    "R_DENY_1": "13 0 0 0 0 0 13", "R_DENY_2": "30 0 0 0 0 0 30", "R_DENY_3": "11 0 0 0 0 0 11",
    "R_DENY_4": "49 2 0 0 0 0 51", "R_DENY_5": "103 1 0 0 0 0 104", "R_DENY_6": "84 1 0 0 0 0 85",
    "R_DENY_7": "282 4 0 0 0 0 286", "R_DENY_8": "147 0 0 0 1 2 150",
    "R_UNABLE_1": "3075 50 0 0 89 8 3222", "R_UNABLE_2": "177 3 0 0 0 0 180", "R_UNABLE_3": "19 0 0 0 0 0 19",
    "R_NOTPROC_1": "199 1 0 0 3 0 203", "R_NOTPROC_2": "147 1 0 0 0 0 148", "R_NOTPROC_3": "0 0 0 0 0 0 0",
    "R_NOTPROC_4": "100 1 0 0 0 0 101", "R_NOTPROC_5": "5 0 0 0 0 0 5",
    "R_OTHER_1": "315 3 0 0 0 0 318", "R_OTHER_2": "202 0 0 1 0 0 203", "R_OTHER_3": "941 17 0 1 3 3 965",
    "R_TOTAL": "13364 252 0 44 121 29 13810", "FWD": "783 6 0 2 25 3 819",
}
GHK_T4 = "376 97 196 121 790 16 1 12 27 56 74 1 30 51 156"
_GHK_LABELS = [
    ("NEW", '<td colspan="3">一、本年新收政府信息公开申请数量</td>'),
    ("CARRY", '<td colspan="3">二、上年结转政府信息公开申请数量</td>'),
    ("R_OPEN", '<td rowspan="22">三、本年度办理结果</td><td colspan="2">（一）予以公开</td>'),
    ("R_PARTIAL", '<td colspan="2">（二）部分公开（区分处理的，只计这一情形，不计其他情形）</td>'),
    ("R_DENY_1", '<td rowspan="8">（三）不予公开</td><td>1.属于国家秘密</td>'),
    ("R_DENY_2", "<td>2.其他法律行政法规禁止公开</td>"), ("R_DENY_3", "<td>3.危及“三安全一稳定”</td>"),
    ("R_DENY_4", "<td>4.保护第三方合法权益</td>"), ("R_DENY_5", "<td>5.属于三类内部事务信息</td>"),
    ("R_DENY_6", "<td>6.属于四类过程性信息</td>"), ("R_DENY_7", "<td>7.属于行政执法案卷</td>"),
    ("R_DENY_8", "<td>8.属于行政查询事项</td>"),
    ("R_UNABLE_1", '<td rowspan="3">（四）无法提供</td><td>1.本机关不掌握相关政府信息</td>'),
    ("R_UNABLE_2", "<td>2.没有现成信息需要另行制作</td>"), ("R_UNABLE_3", "<td>3.补正后申请内容仍不明确</td>"),
    ("R_NOTPROC_1", '<td rowspan="5">（五）不予处理</td><td>1.信访举报投诉类申请</td>'),
    ("R_NOTPROC_2", "<td>2.重复申请</td>"), ("R_NOTPROC_3", "<td>3.要求提供公开出版物</td>"),
    ("R_NOTPROC_4", "<td>4.无正当理由大量反复申请</td>"),
    ("R_NOTPROC_5", "<td>5.要求行政机关确认或重新出具已获取信息</td>"),
    ("R_OTHER_1", '<td rowspan="3">（六）其他处理</td>'
                  "<td>1.申请人无正当理由逾期不补正、行政机关不再处理其政府信息公开申请</td>"),
    ("R_OTHER_2", "<td>2.申请人逾期未按收费通知要求缴纳费用、行政机关不再处理其政府信息公开申请</td>"),
    ("R_OTHER_3", "<td>3.其他</td>"),
    ("R_TOTAL", '<td colspan="2">（七）总计</td>'),
    ("FWD", '<td colspan="3">四、结转下年度继续办理</td>'),
]


def _ghk_page() -> bytes:
    def row(label_html: str, values: str) -> str:
        return "<tr>" + label_html + "".join(f"<td>{v}</td>" for v in values.split()) + "</tr>\n"

    t2 = ('<tr><td colspan="4">第二十条第（一）项</td></tr>\n'
          "<tr><td>信息内容</td><td>本年制发件数</td><td>本年废止件数</td><td>现行有效件数</td></tr>\n"
          + row("<td>规章</td>", "3 5 74") + row("<td>行政规范性文件</td>", "564 984 4185"))
    for item, head, rows in (("五", "本年处理决定数量", (("行政许可", "11398889"),)),
                             ("六", "本年处理决定数量", (("行政处罚", "6937489"), ("行政强制", "166105"))),
                             ("八", "本年收费金额（单位：万元）", (("行政事业性收费", "316441"),))):
        t2 += f'<tr><td colspan="4">第二十条第（{item}）项</td></tr>\n'
        t2 += f'<tr><td>信息内容</td><td colspan="3">{head}</td></tr>\n'
        t2 += "".join(f'<tr><td>{lab}</td><td colspan="3">{v}</td></tr>\n' for lab, v in rows)
    t3 = ('<tr><td colspan="3" rowspan="3">（本列数据的勾稽关系为：第一项加第二项之和，等于第三项加第四项之和）</td>'
          '<td colspan="7">申请人情况</td></tr>\n'
          '<tr><td>自然人</td><td colspan="5">法人或其他组织</td><td>总计</td></tr>\n'
          "<tr><td></td><td>商业企业</td><td>科研机构</td><td>社会公益组织</td><td>法律服务机构</td><td>其他</td>"
          "<td></td></tr>\n" + "".join(row(lab, GHK_T3[key]) for key, lab in _GHK_LABELS))
    outcomes = "".join(f"<td>{x}</td>" for x in ("结果维持", "结果纠正", "其他结果", "尚未审结", "总计"))
    t4 = ('<tr><td colspan="5">行政复议</td><td colspan="10">行政诉讼</td></tr>\n'
          f'<tr>{outcomes}<td colspan="5">未经复议直接起诉</td><td colspan="5">复议后起诉</td></tr>\n'
          f"<tr>{'<td></td>' * 5}{outcomes}{outcomes}</tr>\n" + row("", GHK_T4))
    page = ('<!DOCTYPE html><html><head><meta charset="utf-8"><title>测试市2025年政府信息公开工作年度报告</title>'
            '</head>\n<body>\n<div id="zoom" class="article-content">\n'
            "<p>测试市人民政府办公厅2025年政府信息公开工作年度报告</p>\n"
            "<p>本报告中所列数据统计期限为2025年1月1日至12月31日。</p>\n<p>一、总体情况</p>\n"
            "<p>2025年，全市各级行政机关扎实推进政务公开工作。</p>\n<p>二、主动公开政府信息情况</p>\n"
            f"<table>\n{t2}</table>\n<p>三、收到和处理政府信息公开申请情况</p>\n<table>\n{t3}</table>\n"
            f"<p>四、政府信息公开行政复议、行政诉讼情况</p>\n<table>\n{t4}</table>\n"
            "<p>五、存在问题及改进情况</p>\n<p>主动公开工作还需进一步规范。</p>\n<p>六、其他需要报告的事项</p>\n"
            "<p>2025年全市实际收取信息处理费共计400元。</p>\n</div>\n</body></html>")
    return page.encode("utf-8")


def _rows(lines: list[Line], table: int) -> list[list[str]]:
    return [[f.text for f in ln.cells] for ln in lines if ln.structured and ln.table == table]


# ---------------------------------------------------------------- lines


def test_r19_sh_lines_keep_printed_cells_in_order() -> None:
    lines = html_to_lines(_r19_sh_page(), "r19-sh.html")
    t2, t3, t4 = _rows(lines, 0), _rows(lines, 1), _rows(lines, 2)
    assert t2[1] == ["信息内容", "本年新制作数量", "本年新公开数量", "对外公开总数量"]  # <br /> joined
    assert t2[2] == ["规章", "13", "13", "524"]
    assert t2[-1] == ["政府集中采购", "6", "251000元"]
    assert t3[0][1] == "申请人情况" and "勾稽" in t3[0][0]
    assert t3[1] == ["自然人", "法人或其他组织", "总计"]
    # the rowspan cell 三、本年度办理结果 is printed once, on the first result row
    assert t3[5] == ["三、本年度办理结果", "(一)予以公开", "258", "12", "", "", "1", "1", ""]
    assert t3[6][0].startswith("(二)部分公开") and len(t3[6]) == 8
    assert t3[7][:3] == ["(三)不予公开", "1.属于国家秘密", "14"]
    assert t3[8] == ["2.其他法律行政法规禁止公开"] + [""] * 7  # blank cells kept
    assert t4[3] == _vals(R19_SH_T4)
    texts = [ln.text for ln in lines if not ln.structured]
    assert "首页" not in " ".join(texts)  # nav and script dropped
    assert texts[0] == "2019年上海市人民政府办公厅政府信息公开工作年度报告"
    assert "四、政府信息公开行政复议、行政诉讼情况" in texts


def test_grid_coordinates_after_spans() -> None:
    lines = html_to_lines(_r19_sh_page(), "r19-sh.html")
    t3 = [ln for ln in lines if ln.structured and ln.table == 1]
    first_result = t3[5].cells
    assert [(f.prov.row, f.prov.col) for f in first_result[:3]] == [(5, 0), (5, 1), (5, 3)]
    deny2 = t3[8].cells  # under the rowspans of column 0 (20 rows) and column 1 (8 rows)
    assert (deny2[0].prov.row, deny2[0].prov.col) == (8, 2)
    assert [f.prov.col for f in deny2[1:]] == list(range(3, 10))
    header3 = t3[2].cells
    assert [f.prov.col for f in header3] == [4, 5, 6, 7, 8]
    t2 = [ln for ln in lines if ln.structured and ln.table == 0]
    assert [f.prov.col for f in t2[6].cells] == [0, 1, 3, 4]  # 行政许可: first value spans two columns
    assert all(f.prov.kind == "html" and f.prov.table == 0 for f in t2[6].cells)


def test_ghk_lines_padded_header_and_colspan3() -> None:
    lines = html_to_lines(_ghk_page(), "ghk.html")
    t2, t3 = _rows(lines, 0), _rows(lines, 1)
    assert ["行政许可", "11398889"] in t2
    assert t3[2] == ["", "商业企业", "科研机构", "社会公益组织", "法律服务机构", "其他", ""]
    assert t3[5][:3] == ["三、本年度办理结果", "(一)予以公开", "5345"]
    assert _rows(lines, 2)[2] == [""] * 5 + ["结果维持", "结果纠正", "其他结果", "尚未审结", "总计"] * 2


def test_br_inside_cells_joins_cjk_without_space() -> None:
    page = ("<table><tr><td>商业<br>企业</td><td>12<br>34</td><td><p>法律服务</p><p>机构</p></td>"
            "<td>a<br/>b</td></tr></table>").encode()
    (line,) = html_to_lines(page, "br.html")
    assert [f.text for f in line.cells] == ["商业企业", "12 34", "法律服务机构", "a b"]


def test_nbsp_and_whitespace_cells_are_blank() -> None:
    page = "<table><tr><td>规章</td><td>&nbsp;</td><td> \n </td><td>\u3000</td><td>5</td></tr></table>".encode()
    (line,) = html_to_lines(page, "nbsp.html")
    assert [f.text for f in line.cells] == ["规章", "", "", "", "5"]
    assert [f.raw for f in line.cells] == ["规章", "", "", "", "5"]


def test_layout_table_becomes_paragraphs_and_nested_tables_are_found() -> None:
    long = "本机关认真贯彻落实政府信息公开条例，" * 12
    page = (f"<table><tr><td><p>示例县2021年政府信息公开工作年度报告</p><p>一、总体情况</p><p>{long}</p>"
            "<table><tr><td>规章</td><td>1</td><td>2</td><td>3</td></tr></table>"
            "</td></tr></table>").encode()
    lines = html_to_lines(page, "layout.html")
    assert [ln.structured for ln in lines] == [False, False, False, True]
    assert lines[0].text == "示例县2021年政府信息公开工作年度报告"
    assert lines[3].table == 0 and [f.text for f in lines[3].cells] == ["规章", "1", "2", "3"]


def test_long_note_row_inside_data_table_is_a_paragraph() -> None:
    note = "注：" + "本表数据来源于政府信息公开工作平台统计，" * 10
    page = (f"<table><tr><td>规章</td><td>1</td><td>2</td><td>3</td></tr>"
            f"<tr><td colspan='4'>{note}</td></tr></table>").encode()
    lines = html_to_lines(page, "note.html")
    assert [ln.structured for ln in lines] == [True, False]
    assert lines[1].text.startswith("注:")


def test_script_style_nav_hidden_dropped_and_escaped_text_kept() -> None:
    page = ("<html><head><style>p{color:red}</style></head><body><nav>首页 新闻</nav>"
            "<script>document.write('<p>年度报告</p>')</script><div style='display: none'>隐藏</div>"
            "<p>机关 &lt;script&gt;alert(1)&lt;/script&gt;</p><footer>版权所有</footer></body></html>").encode()
    lines = html_to_lines(page, "chrome.html")
    assert [ln.text for ln in lines] == ["机关 <script>alert(1)</script>"]


def test_nested_inline_markup_in_paragraphs() -> None:
    page = "<div><p>一、<b>总体</b><span>情况</span></p>正文<br>第二行<h3>二、主动公开政府信息情况</h3></div>".encode()
    assert [ln.text for ln in html_to_lines(page, "inline.html")] == [
        "一、总体情况", "正文", "第二行", "二、主动公开政府信息情况"]


# ---------------------------------------------------------------- decoding


@pytest.mark.parametrize(("encoding", "meta", "bom"), [
    ("utf-8", "", b""),
    ("utf-8", '<meta charset="utf-8">', b"\xef\xbb\xbf"),
    ("gb18030", '<meta http-equiv="Content-Type" content="text/html; charset=gb2312">', b""),
    ("gb18030", '<meta charset="GBK">', b""),
    ("gb18030", "", b""),  # no declaration: UTF-8 fails, GB18030 fallback
    ("gb18030", '<meta charset="utf-8">', b""),  # wrong declaration
    ("utf-16-le", "", b"\xff\xfe"),
])
def test_decoding(encoding: str, meta: str, bom: bytes) -> None:
    page = f"<html><head>{meta}</head><body><p>規章“三安全一稳定”（一）１２</p></body></html>"
    data = bom + page.encode(encoding)
    assert "規章“三安全一稳定”（一）１２" in decode_html(data)
    (line,) = html_to_lines(data, "enc.html")
    assert line.text == '规章"三安全一稳定"(一)12'  # simplified, NFKC, straight quotes
    assert line.first.raw == "規章“三安全一稳定”（一）１２"


def test_xml_declaration_is_accepted() -> None:
    data = '<?xml version="1.0" encoding="utf-8"?><html><body><p>正文</p></body></html>'.encode()
    assert [ln.text for ln in html_to_lines(data, "x.html")] == ["正文"]


def test_empty_and_non_report_pages_raise_naming_the_file() -> None:
    with pytest.raises(ParseError, match=r"empty\.html"):
        html_to_lines(b"   ", "empty.html")
    with pytest.raises(ParseError, match=r"menu\.html"):
        parse_bytes("<html><body><p>网站首页</p><p>联系我们</p></body></html>".encode(), "menu.html")


# ---------------------------------------------------------------- full parses of the real layouts


def test_r19_sh_parses_typed_values() -> None:
    (rep,) = parse_bytes(_r19_sh_page(), "r19-sh.html")
    assert (rep.year, rep.format, rep.source_kind) == (2019, "2019", "html")
    assert rep.body == "上海市人民政府办公厅"  # title with the year first
    t2 = rep.table2
    assert [t2.value("REG", c) for c in ("MADE", "PUBLISHED", "TOTAL")] == [13, 13, 524]
    assert [t2.value("NORM", c) for c in ("MADE", "PUBLISHED", "TOTAL")] == [60, 60, 368]
    assert t2.value("PROCURE", "COUNT") == 6
    assert t2.value("PROCURE", "AMOUNT") == 251000 and t2.rows["PROCURE"]["AMOUNT"].unit == "元"
    assert t2.value("LICENSE", "DECISIONS") == 0
    t3 = rep.table3
    assert t3.has_note
    for key, _, values in R19_SH_T3:
        if not any(_vals(values)):
            continue  # all-blank rows: see the next test
        want = [int(v) if v else None for v in _vals(values)]
        assert [t3.value(key, c) for c in T3_COLS] == want, key
    assert "blank" in t3.rows["R_OPEN"].cells["TOT"].flags  # 总计 left blank on the page
    t4 = rep.table4
    assert [t4.cells[k].value for k in T4_KEYS] == [int(v) if v else None for v in _vals(R19_SH_T4)]
    assert [s.key for s in rep.sections] == ["overview", "proactive", "requests", "review", "problems", "other"]


def test_r19_sh_all_blank_rows_are_present_with_blank_cells() -> None:
    (rep,) = parse_bytes(_r19_sh_page(), "r19-sh.html")
    row = rep.table3.rows["R_DENY_2"]
    assert not row.incomplete
    assert [row.cells[c].value for c in T3_COLS] == [None] * 7
    assert all("blank" in row.cells[c].flags for c in T3_COLS)


def test_ghk_2021_parses_typed_values() -> None:
    (rep,) = parse_bytes(_ghk_page(), "ghk.html")
    assert (rep.year, rep.format) == (2025, "2021")
    assert rep.body == "测试市人民政府办公厅"
    t2 = rep.table2
    assert [t2.value("REG", c) for c in ("ISSUED", "REPEALED", "VALID")] == [3, 5, 74]
    assert [t2.value("NORM", c) for c in ("ISSUED", "REPEALED", "VALID")] == [564, 984, 4185]
    assert t2.value("LICENSE", "DECISIONS") == 11398889
    assert (t2.value("PENALTY", "DECISIONS"), t2.value("COERCION", "DECISIONS")) == (6937489, 166105)
    assert t2.value("FEE", "AMOUNT") == 316441 and t2.amount_unit == "万元"
    for key, values in GHK_T3.items():
        assert [rep.table3.value(key, c) for c in T3_COLS] == [int(v) for v in values.split()], key
    assert [rep.table4.cells[k].value for k in T4_KEYS] == [int(v) for v in GHK_T4.split()]
    assert rep.section_text("other") and "信息处理费" in rep.section_text("other")
