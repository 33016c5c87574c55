"""DOCX reader: body order, merged cells (gridSpan / vMerge), wraps, layout tables, bad files.

Documents here are built with python-docx's own API (``cell.merge``), independent of
``testkit.render``; the round trip of rendered DOCX files is in test_render.py.
"""

from __future__ import annotations

import io

import docx
import pytest

from parsers import parse_bytes
from parsers.docx import docx_to_lines
from parsers.layout import T3_COLS
from parsers.model import ParseError


def _save(doc: docx.document.Document) -> bytes:
    buf = io.BytesIO()
    doc.save(buf)
    return buf.getvalue()


def _t3_head_doc() -> bytes:
    doc = docx.Document()
    doc.add_paragraph("示例县教育局2022年政府信息公开工作年度报告")
    doc.add_paragraph("三、收到和处理政府信息公开申请情况")
    t = doc.add_table(rows=5, cols=10)
    note = t.cell(0, 0).merge(t.cell(2, 2))
    note.text = "（本列数据的勾稽关系为：第一项加第二项之和，等于第三项加第四项之和）"
    t.cell(0, 3).merge(t.cell(0, 9)).text = "申请人情况"
    t.cell(1, 3).merge(t.cell(2, 3)).text = "自然人"
    t.cell(1, 4).merge(t.cell(1, 8)).text = "法人或其他组织"
    t.cell(1, 9).merge(t.cell(2, 9)).text = "总计"
    for i, word in enumerate(("商业企业", "科研机构", "社会公益组织", "法律服务机构", "其他")):
        t.cell(2, 4 + i).text = word
    t.cell(3, 0).merge(t.cell(3, 2)).text = "一、本年新收政府信息公开申请数量"
    for i, v in enumerate(("6", "0", "", "0", "0", "1", "7")):
        t.cell(3, 3 + i).text = v
    results = t.cell(4, 0)
    results.text = "三、本年度办理结果"
    t.cell(4, 1).merge(t.cell(4, 2)).text = "（一）予以公开"
    for i, v in enumerate(("3", "0", "0", "0", "0", "0", "3")):
        t.cell(4, 3 + i).text = v
    doc.add_paragraph("四、政府信息公开行政复议、行政诉讼情况")
    return _save(doc)


def test_body_order_and_merged_cells_not_repeated() -> None:
    lines = docx_to_lines(_t3_head_doc(), "head.docx")
    kinds = [(ln.structured, ln.table) for ln in lines]
    assert kinds == [(False, None), (False, None)] + [(True, 0)] * 5 + [(False, None)]
    rows = [[f.text for f in ln.cells] for ln in lines if ln.structured]
    assert rows[0] == ["(本列数据的勾稽关系为:第一项加第二项之和,等于第三项加第四项之和)", "申请人情况"]
    assert rows[1] == ["自然人", "法人或其他组织", "总计"]
    assert rows[2] == ["商业企业", "科研机构", "社会公益组织", "法律服务机构", "其他"]
    assert rows[3] == ["一、本年新收政府信息公开申请数量", "6", "0", "", "0", "0", "1", "7"]  # blank kept
    assert rows[4][:3] == ["三、本年度办理结果", "(一)予以公开", "3"]


def test_grid_coordinates_and_provenance() -> None:
    lines = [ln for ln in docx_to_lines(_t3_head_doc(), "head.docx") if ln.structured]
    assert [(f.prov.row, f.prov.col) for f in lines[1].cells] == [(1, 3), (1, 4), (1, 9)]
    assert [f.prov.col for f in lines[2].cells] == [4, 5, 6, 7, 8]
    assert [f.prov.col for f in lines[3].cells] == [0, *range(3, 10)]
    assert {f.prov.kind for ln in lines for f in ln.cells} == {"docx"}
    assert lines[3].cells[0].prov.describe() == "table 1 row 4 cell 1"


def test_wrapped_cell_text_and_traditional_characters() -> None:
    doc = docx.Document()
    doc.add_paragraph("示例鎮人民政府2020年政府信息公開工作年度報告")
    t = doc.add_table(rows=1, cols=3)
    t.cell(0, 0).text = "商業"
    t.cell(0, 0).add_paragraph("企業")
    run = t.cell(0, 1).paragraphs[0].add_run("結果")
    run.add_break()
    t.cell(0, 1).paragraphs[0].add_run("維持")
    t.cell(0, 2).text = "１２"
    lines = docx_to_lines(_save(doc), "trad.docx")
    assert lines[0].text == "示例镇人民政府2020年政府信息公开工作年度报告"
    assert [f.text for f in lines[1].cells] == ["商业企业", "结果维持", "12"]
    assert [f.raw for f in lines[1].cells] == ["商業企業", "結果維持", "１２"]


def test_layout_table_with_nested_table_reads_as_text() -> None:
    doc = docx.Document()
    outer = doc.add_table(rows=1, cols=1)
    cell = outer.cell(0, 0)
    cell.text = "一、总体情况"
    cell.add_paragraph("本机关认真贯彻落实条例。" * 20)
    inner = cell.add_table(rows=1, cols=4)
    for i, v in enumerate(("规章", "1", "2", "3")):
        inner.cell(0, i).text = v
    lines = docx_to_lines(_save(doc), "layout.docx")
    assert [ln.structured for ln in lines] == [False, False, True]
    assert [f.text for f in lines[2].cells] == ["规章", "1", "2", "3"] and lines[2].table == 0


def test_full_parse_of_a_hand_built_document() -> None:
    doc = docx.Document()
    doc.add_paragraph("示例县教育局2022年政府信息公开工作年度报告")
    doc.add_paragraph("一、总体情况")
    doc.add_paragraph("本年度工作情况。")
    doc.add_paragraph("三、收到和处理政府信息公开申请情况")
    t = doc.add_table(rows=2, cols=10)
    t.cell(0, 0).merge(t.cell(0, 2)).text = "一、本年新收政府信息公开申请数量"
    t.cell(1, 0).merge(t.cell(1, 2)).text = "二、上年结转政府信息公开申请数量"
    for r, vals in enumerate((("6", "0", "0", "0", "0", "1", "7"), ("1", "0", "0", "0", "0", "0", "1"))):
        for i, v in enumerate(vals):
            t.cell(r, 3 + i).text = v
    doc.add_paragraph("四、政府信息公开行政复议、行政诉讼情况")
    (rep,) = parse_bytes(_save(doc), "hand.docx")
    assert (rep.year, rep.body, rep.source_kind) == (2022, "示例县教育局", "docx")
    assert [rep.table3.value("NEW", c) for c in T3_COLS] == [6, 0, 0, 0, 0, 1, 7]
    assert [rep.table3.value("CARRY", c) for c in T3_COLS] == [1, 0, 0, 0, 0, 0, 1]
    assert rep.table3.rows["NEW"].cells["TOT"].prov.kind == "docx"


@pytest.mark.parametrize("data", [b"PK\x03\x04not really a zip", b"PK\x03\x04" + b"\x00" * 64])
def test_broken_docx_is_a_clear_error(data: bytes) -> None:
    with pytest.raises(ParseError, match=r"broken\.docx"):
        docx_to_lines(data, "broken.docx")


def _repack(data: bytes, rename: dict[str, str], edit: dict[str, bytes] | None = None) -> bytes:
    import zipfile

    out = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(data)) as zin, zipfile.ZipFile(out, "w") as zout:
        for info in zin.infolist():
            body = (edit or {}).get(info.filename, zin.read(info.filename))
            zout.writestr(rename.get(info.filename, info.filename), body)
    return out.getvalue()


def test_the_main_part_is_the_one_the_package_relationships_name() -> None:
    data = _t3_head_doc()
    lines = docx_to_lines(data, "a.docx")
    import zipfile

    with zipfile.ZipFile(io.BytesIO(data)) as z:
        rels = z.read("_rels/.rels").replace(b"word/document.xml", b"word/main.xml")
    moved = _repack(data, {"word/document.xml": "word/main.xml"}, {"_rels/.rels": rels})
    assert docx_to_lines(moved, "b.docx") == lines  # read from word/main.xml
    gone = _repack(data, {"word/document.xml": "word/other.xml"})
    with pytest.raises(ParseError, match=r"c\.docx.*KeyError"):
        docx_to_lines(gone, "c.docx")
    not_xml = _repack(data, {}, {"word/document.xml": b"<w:document"})
    with pytest.raises(ParseError, match=r"d\.docx.*XMLSyntaxError"):
        docx_to_lines(not_xml, "d.docx")
