"""The renderer, and the round trip parse(render(report)) == report for every style.

Every style renders synthetic reports of both generations; the parser must give back every cell of
tables 二/三/四, the year, the body and the format. Cell accuracy per style is printed at the end.
"""

from __future__ import annotations

import re
from decimal import Decimal
from functools import cache

import lxml.html
import pytest

from parsers import parse_bytes
from parsers.layout import GEN_2019, GEN_2021, T3_COLS
from parsers.model import Cell, Report
from testkit.render import (
    DOCX_STYLES,
    HTML_STYLES,
    STYLES,
    TEXT_STYLES,
    TCell,
    place_cells,
    render_bytes,
    render_docx,
    render_html,
    render_text,
)
from testkit.synth import make_report
from tests.parsers.roundtrip import Score, compare

N_REPORTS = {"html": 10, "text": 10, "docx": 6}

INEXACT = {"text-run", "text-crawl"}  # run-together digits: several readings are possible, see their own test


def _reports(kind: str) -> list[Report]:
    out = []
    for i in range(N_REPORTS[kind]):
        gen = GEN_2019 if i % 2 else GEN_2021
        rep = make_report(1000 + i, gen, scale=30 if i % 3 else 5000)
        rep.source = f"synthetic/rt-{i}"
        out.append(rep)
    return out


@cache
def _round_trip(style_name: str) -> tuple[Score, tuple[tuple[Report, Report], ...]]:
    style = STYLES[style_name]
    total = Score()
    pairs = []
    for rep in _reports(style.kind):
        (got,) = parse_bytes(render_bytes(rep, style), f"{rep.source}.{style.kind}")
        pairs.append((rep, got))
        total.add(compare(rep, got, blank_is_zero=style.zero is not None))
    return total, tuple(pairs)


@pytest.mark.parametrize("style_name", [n for n in STYLES if n not in INEXACT])
def test_round_trip_exact(style_name: str) -> None:
    score, _ = _round_trip(style_name)
    assert score.mismatches == [], f"{style_name}: {len(score.mismatches)} mismatches"
    assert score.cells > 0 and score.accuracy == 1.0


@pytest.mark.parametrize("style_name", sorted(INEXACT))
def test_round_trip_run_together_digits_never_silently_wrong(style_name: str) -> None:
    """Digits run together ("6000017") may have several splits. A cell is either read right, or left
    out with a note on its row; a left-out 表三 row keeps the true split among its readings."""
    score, pairs = _round_trip(style_name)
    assert score.accuracy > 0.5
    for rep, got in pairs:
        noted = {(n.table, n.row) for n in got.notes
                 if n.code in ("row_ambiguous", "row_incomplete", "row_unreadable", "run_too_short")}
        for key, row in rep.table3.rows.items():
            g = got.table3.rows.get(key)
            assert g is not None, key
            if g.cells:
                assert {c: g.cells[c].value for c in T3_COLS} == {c: row.cells[c].value for c in T3_COLS}
            else:
                assert ("table3", key) in noted
                if 1 < len(g.readings) < 256:  # lines.digit_splits stops at 256 readings
                    assert {c: row.cells[c].value for c in T3_COLS} in [dict(r) for r in g.readings]
        for rkey, cells in rep.table2.rows.items():
            g2 = got.table2.rows.get(rkey, {})
            for ckey, cell in cells.items():
                if ckey in g2:
                    assert g2[ckey].value == cell.value, (rkey, ckey)
                else:
                    assert ("table2", rkey) in noted, (rkey, ckey)
            if rkey in got.table2.readings:
                assert {c: x.value for c, x in cells.items()} in [dict(r) for r in got.table2.readings[rkey]]
        want4 = {k: c.value for k, c in rep.table4.cells.items()}
        if got.table4.cells:
            assert {k: c.value for k, c in got.table4.cells.items()} == want4
        elif len(got.table4.readings) > 1:
            assert want4 in [dict(r) for r in got.table4.readings]
        else:
            assert ("table4", None) in noted
        assert (got.body, got.year, got.format) == (rep.body, rep.year, rep.format)


@pytest.mark.parametrize("style_name", ["html-local", "docx-local"])
def test_local_rows_kept_apart_from_statutory_rows(style_name: str) -> None:
    """The Hubei row 其他主动公开文件 is read as an extra row, the 法人或其他组织小计 column as column
    SUB (after 其他, as the GH-G template prints it); the statutory cells keep their values."""
    _, pairs = _round_trip(style_name)
    for rep, got in pairs:
        assert got.table3.columns == ("NAT", "BIZ", "RES", "NGO", "LAW", "OTH", "SUB", "TOT")
        for key, row in got.table3.rows.items():
            want = sum(rep.table3.rows[key].cells[c].value for c in ("BIZ", "RES", "NGO", "LAW", "OTH"))
            assert row.cells["SUB"].number() == want, key
        assert "其他主动公开文件" in got.table2.extra_rows
        extra = got.table2.extra_rows["其他主动公开文件"]
        for ckey, cell in extra.items():
            assert cell.number() == sum(rep.table2.rows[r][ckey].value for r in ("REG", "NORM"))
        for rkey, cells in rep.table2.rows.items():  # number(): docx-local prints 0 as "/"
            assert {c: x.number() for c, x in got.table2.rows[rkey].items()} == {c: x.value for c, x in cells.items()}


def test_print_cell_accuracy_per_style(capsys: pytest.CaptureFixture[str]) -> None:
    rows = []
    for name in STYLES:
        score, _ = _round_trip(name)  # a style that does not parse at all fails here
        rows.append(f"{name:18s} {score.correct:6d}/{score.cells:<6d} cells {score.accuracy:7.2%}   "
                    f"reports exact {score.reports_ok}/{score.reports}")
    with capsys.disabled():
        print("\nround-trip cell accuracy per style\n" + "\n".join(rows))
    assert len(rows) == len(STYLES)


# ---------------------------------------------------------------- the renderer itself


def _tds(html: str) -> list[lxml.html.HtmlElement]:
    return lxml.html.document_fromstring(html).xpath("//td")


def _td(html: str, text: str) -> lxml.html.HtmlElement:
    return next(td for td in _tds(html) if td.text_content().strip() == text)


@pytest.mark.parametrize(("gen", "results", "other_span"), [(GEN_2019, 20, None), (GEN_2021, 22, 3)])
@pytest.mark.parametrize("style", ["html-sh", "html-gh"])
def test_table3_merged_cells(gen: str, results: int, other_span: int | None, style: str) -> None:
    html = render_html(make_report(7, gen), style)
    note = next(td for td in _tds(html) if "勾稽关系" in td.text_content())
    assert (note.get("rowspan"), note.get("colspan")) == ("3", "3")
    assert _td(html, "申请人情况").get("colspan") == "7"
    assert _td(html, "法人或其他组织").get("colspan") == "5"
    assert _td(html, "三、本年度办理结果").get("rowspan") == str(results)
    assert [_td(html, g).get("rowspan") for g in ("（三）不予公开", "（四）无法提供", "（五）不予处理")] == ["8", "3", "5"]
    other = _td(html, "（六）其他处理")
    if other_span:
        assert other.get("rowspan") == str(other_span)
    else:
        assert other.get("colspan") == "2" and other.get("rowspan") is None
    assert _td(html, "一、本年新收政府信息公开申请数量").get("colspan") == "3"
    nat = _td(html, "自然人")
    assert nat.get("rowspan") == ("2" if style == "html-sh" else None)


def test_table2_blocks_and_2021_single_value_column() -> None:
    html = render_html(make_report(3, GEN_2021), "html-gh")
    assert _td(html, "第二十条第（一）项").get("colspan") == "4"
    assert _td(html, "本年处理决定数量").get("colspan") == "3"
    assert _td(html, "本年收费金额（单位：万元）").get("colspan") == "3"
    assert "第二十条第（九）项" not in html
    html19 = render_html(make_report(3, GEN_2019), "html-sh")
    assert _td(html19, "第二十条第（九）项").get("colspan") == "5"


def test_table4_headers() -> None:
    html = render_html(make_report(3, GEN_2021), "html-sh")
    assert _td(html, "行政复议").get("colspan") == "5" and _td(html, "行政诉讼").get("colspan") == "10"
    assert _td(html, "未经复议直接起诉").get("colspan") == "5"
    assert next(td.get("rowspan") for td in _tds(html) if td.text_content() == "尚未审结") == "2"


def test_report_text_is_escaped() -> None:
    rep = make_report(5, GEN_2021)
    rep.body = "示例局<script>alert('x')</script>"
    rep.title = f"{rep.body}{rep.year}年政府信息公开工作年度报告"
    rep.sections[0].text = "A & B <img src=x onerror=alert(1)>"
    html = render_html(rep, "html-sh")
    assert "<script>alert" not in html and "<img" not in html
    assert "&lt;script&gt;" in html and "A &amp; B &lt;img" in html
    root = lxml.html.document_fromstring(html)
    assert not root.xpath("//body//script") and not root.xpath("//img")
    assert "A & B <img src=x onerror=alert(1)>" in root.text_content()
    docx_bytes = render_docx(rep, "docx")  # python-docx escapes XML itself; the document must open
    assert docx_bytes[:2] == b"PK"


def test_blank_slash_and_dash_cells_render_from_raw() -> None:
    rep = make_report(5, GEN_2021)
    rep.table3.rows["NEW"].cells["BIZ"] = Cell(None, "/")
    rep.table3.rows["NEW"].cells["RES"] = Cell(None, "")
    rep.table3.rows["NEW"].cells["NGO"] = Cell(None, "—")
    html = render_html(rep, "html-gh")
    row = next(tr for tr in lxml.html.document_fromstring(html).xpath("//tr")
               if tr.text_content().startswith("一、本年新收"))
    assert [td.text_content() for td in row.xpath("./td")][2:5] == ["/", "", "—"]
    blank = render_html(make_report(5, GEN_2021), "html-blank")
    assert "&nbsp;" in blank  # zeros left blank, as the 2019 Shanghai page does
    slash = render_html(make_report(5, GEN_2021), "html-slash")
    assert "<td>/</td>" in slash and "<td>0</td>" not in slash


def test_variants_split_headers_fullwidth_traditional_notes() -> None:
    rep = make_report(11, GEN_2019)
    assert "商业<br />企业" in render_html(rep, "html-split")
    assert "本年新<br />制作数量" in render_html(rep, "html-split")
    full = render_html(rep, "html-fullwidth")
    assert re.search(r">[０-９]+<", full) and not re.search(r"<td[^>]*><p[^>]*>[0-9]+</p>", full)
    trad = render_html(rep, "html-traditional")
    assert "總計" in trad and "規範性文件" in trad and "总计" not in trad
    local = render_html(rep, "html-local")
    assert "规章（设区的市、自治州人民政府应提供相关数据）" in local
    assert "其他主动公开文件" in local and "法人或其他组织小计" in local
    assert 'border="0"' in render_html(rep, "html-noborder")
    assert render_html(rep, "html-per-block").count("<table") == 5 + 2
    assert render_html(rep, "html-single").count("<table") == 1
    layout = render_html(rep, "html-layout")
    assert "class='layout'" in layout and "<nav" in layout


@pytest.mark.parametrize("name", sorted(HTML_STYLES))
def test_html_encodings_and_meta(name: str) -> None:
    style = HTML_STYLES[name]
    data = render_bytes(make_report(2, GEN_2021), style)
    if style.encoding == "utf-8-sig":
        assert data.startswith(b"\xef\xbb\xbf")
    if style.encoding == "gb18030":
        with pytest.raises(UnicodeDecodeError):
            data.decode("utf-8")
        assert (b"charset=gbk" in data) == style.meta_charset


def test_text_layouts() -> None:
    rep = make_report(4, GEN_2021, scale=5)
    tabs = render_text(rep, "text-tabs")
    assert "\t一、本年新收政府信息公开申请数量\n\t" in tabs
    assert "\n\t\n\t（二）部分公开" in tabs  # the 三、本年度办理结果 continuation printed as an empty cell
    pipes = render_text(rep, "text-pipes")
    assert re.search(r"^一、本年新收政府信息公开申请数量( \| [^|]+){7} \| \| \|$", pipes, re.M)
    lines = render_text(rep, "text-lines")
    assert "\n\n一、本年新收政府信息公开申请数量\n\n" in lines and "商业\n企业" in lines
    run = render_text(rep, "text-run")
    new = rep.table3.rows["NEW"].cells
    assert "\n" + "".join(str(new[c].value) for c in T3_COLS) + "\n" in run
    gbk = render_bytes(rep, "text-lines-gbk")
    assert "總計".encode("gb18030") in gbk


def test_docx_merges() -> None:
    import io
    import zipfile

    data = render_docx(make_report(8, GEN_2021), "docx")
    xml = zipfile.ZipFile(io.BytesIO(data)).read("word/document.xml").decode()
    # vertical merges that start: table 三 note, 自然人, 总计, 三、本年度办理结果, （三）（四）（五）（六）;
    # table 四: the five 行政复议 outcomes
    assert xml.count('<w:vMerge w:val="restart"/>') == 8 + 5
    assert xml.count("<w:vMerge/>") == (2 + 1 + 1 + 21 + 7 + 2 + 4 + 2) + 5
    assert '<w:gridSpan w:val="5"/>' in xml and '<w:gridSpan w:val="10"/>' in xml


def test_place_cells_expands_spans_like_html() -> None:
    rows = [[TCell("a", rowspan=2, colspan=2), TCell("b")], [TCell("c")], [TCell("d"), TCell("e"), TCell("f")]]
    assert [(r, c, x.text) for r, c, x in place_cells(rows)] == [
        (0, 0, "a"), (0, 2, "b"), (1, 2, "c"), (2, 0, "d"), (2, 1, "e"), (2, 2, "f")]


def test_amounts_keep_decimals_and_signs() -> None:
    rep = make_report(9, GEN_2019)
    rep.table2.rows["PROCURE"]["AMOUNT"] = Cell(Decimal("1234.50"), "1234.50")
    rep.table2.rows["LICENSE"]["CHANGE"] = Cell(3, "+3")
    rep.table2.rows["PENALTY"]["CHANGE"] = Cell(-4, "-4")
    (got,) = parse_bytes(render_bytes(rep, "html-sh"), "amounts.html")
    assert got.table2.value("PROCURE", "AMOUNT") == Decimal("1234.50")
    assert got.table2.rows["LICENSE"]["CHANGE"].raw == "+3" and got.table2.value("LICENSE", "CHANGE") == 3
    assert got.table2.value("PENALTY", "CHANGE") == -4


def test_unknown_style_is_a_clear_error() -> None:
    with pytest.raises(ValueError, match="unknown render style 'html-nope'"):
        render_html(make_report(1), "html-nope")


def test_every_style_kind_is_listed() -> None:
    assert set(STYLES) == set(HTML_STYLES) | set(DOCX_STYLES) | set(TEXT_STYLES)
    assert {s.kind for s in HTML_STYLES.values()} == {"html"}
    assert {s.kind for s in TEXT_STYLES.values()} == {"text"}
    assert {s.kind for s in DOCX_STYLES.values()} == {"docx"}
