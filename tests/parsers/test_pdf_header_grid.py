"""Header leaves and grids of borderless tables (``parsers.pdf.header_grid``), on hand-placed words."""

from __future__ import annotations

from parsers.pdf.borderless import Word
from parsers.pdf.header_grid import aligned, blank_grid, header_leaves, is_data_header, is_label_header
from parsers.pdf.page_tables import borderless_tables
from parsers.pdf.text import TextLine


def w(text: str, x0: float, top: float, size: float = 9.0) -> Word:
    return Word(text, x0, top, x0 + size * len(text), top + size, size)


def line(*words: Word) -> TextLine:
    segs = tuple((x.text, x.bbox) for x in words)
    return TextLine(text="".join(x.text for x in words), x0=min(x.x0 for x in words), top=min(x.top for x in words),
                    x1=max(x.x1 for x in words), bottom=max(x.bottom for x in words), size=9.0, page=1,
                    segments=segs, words=tuple(words))


# Table 四's header as the reportlab layout prints it: group headers over stacked two-line leaves.
T4_HEADER = [
    [w("行政复议", 128, 378), w("行政诉讼", 355, 378)],
    [w("未经复议直接起诉", 262, 396), w("复议后起诉", 427, 396)],
    [*(w("结果", x, 404) for x in (76, 106)), w("其他", 137, 404), w("尚未", 167, 404)],
    [w("总计", 198, 410)],
    [*(w(t, x, 413) for t, x in (("结果", 228), ("结果", 258), ("其他", 288), ("尚未", 319),
                                  ("结果", 380), ("结果", 410), ("其他", 440), ("尚未", 470)))],
    [w("维持", 76, 415.6), w("纠正", 106, 415.6), w("结果", 137, 415.6), w("审结", 167, 415.6)],
    [w("总计", 349, 418.6), w("总计", 501, 418.6)],
    [*(w(t, x, 424.2) for t, x in (("维持", 228), ("纠正", 258), ("结果", 288), ("审结", 319),
                                    ("维持", 380), ("纠正", 410), ("结果", 440), ("审结", 470)))],
]


def test_leaves_join_stacked_words_and_skip_spanning_headers() -> None:
    leaves = header_leaves([x for row in T4_HEADER for x in row])
    texts = [lf.text for lf in leaves]
    assert texts == ["结果维持", "结果纠正", "其他结果", "尚未审结", "总计"] * 3
    # "行政复议" sits over the one column "其他结果" only, yet spans: it has a header cell below it
    assert all(is_data_header(t) for t in texts)
    assert blank_grid(leaves) == [(lf.x0, lf.x1) for lf in leaves]


def test_vocabulary() -> None:
    assert is_data_header("本年新制作数量") and is_data_header("本年收费金额（单位：万元）")
    assert is_data_header("社会公益组织") and is_data_header("總計")  # traditional characters too
    assert not is_data_header("信息内容") and is_label_header("信息内容")
    assert not is_data_header("行政复议") and not is_data_header("说明")


def test_blank_grid_refuses_unknown_words_right_of_the_labels() -> None:
    leaves = header_leaves([w("信息内容", 133, 225), w("本年新制作数量", 237, 225), w("备注说明", 347, 225)])
    assert blank_grid(leaves) is None
    leaves = header_leaves([w("信息内容", 133, 225), w("本年新制作数量", 237, 225), w("本年新公开数量", 347, 225)])
    assert blank_grid(leaves) == [(237, 237 + 9 * 7), (347, 347 + 9 * 7)]


def test_aligned_needs_one_leaf_per_number_column() -> None:
    leaves = header_leaves([w("本年新制作数量", 237, 225), w("本年新公开数量", 347, 225)])
    assert aligned(leaves, [(266, 270), (376, 380)])
    assert not aligned(leaves, [(266, 270), (280, 290)])  # two number columns under one leaf
    assert not aligned(leaves, [(266, 270), (330, 340)])  # a number between the leaves


def test_table4_header_without_numbers_is_one_blank_row_only_with_room_below() -> None:
    """Nothing printed under the header of table 四: one row of 15 blank cells, read only when
    something follows on the page (else the row may print on the next page)."""
    head = [line(*row) for row in T4_HEADER]
    after = line(w("五、存在的主要问题及改进情况", 94, 465, 12.0))
    text, rows, cols = borderless_tables([*head, after])
    assert len(rows) == 1 and [c[0] for c in rows[0].cells] == [""] * 15
    assert rows[0].top > max(ln.bottom for ln in head) and cols is not None and len(cols) == 15
    assert [c[1][0] for c in rows[0].cells] == [a for a, _ in cols]
    assert text == [*head, after]
    text, rows, cols = borderless_tables(head)
    assert rows == [] and cols is not None and len(cols) == 15  # the grid carries on to the next page


def test_table2_block_of_blank_rows() -> None:
    """A block whose rows print no number: each label is a row of blank cells, one per header column,
    boxed by the column span and the label's line."""
    head = line(w("信息内容", 133, 225), w("本年制发件数", 279, 225), w("本年废止件数", 367, 225),
                w("现行有效件数", 454, 225))
    rows_in = [line(w("规章", 73, 242)), line(w("行政规范性文件", 73, 259.4))]
    nxt = line(w("第二十条第（五）项", 257, 276.7))
    text, rows, _ = borderless_tables([head, *rows_in, nxt])
    assert [[c[0] for c in r.cells] for r in rows] == [["规章", "", "", ""], ["行政规范性文件", "", "", ""]]
    assert rows[0].cells[1][1] == (279, 242, 279 + 54, 251)
    assert text == [head, nxt]


def test_unknown_header_reads_no_rows() -> None:
    head = line(w("信息内容", 133, 225), w("数量甲", 279, 225), w("数量乙", 367, 225))
    text, rows, _ = borderless_tables([head, line(w("规章", 73, 242))])
    assert rows == [] and len(text) == 2


T3_GRID = [(341.0, 359.0), (368.0, 386.0), (395.0, 413.0), (422.0, 440.0), (449.0, 467.0), (476.0, 494.0),
           (503.0, 521.0)]


def test_table3_continued_on_a_page_of_blank_rows_keeps_the_carried_grid() -> None:
    """Table 三 cut by a page break: the next page starts with rows printed blank and a row with only
    two numbers, no header. The carried columns place both; non-statutory labels are not taken."""
    blank = line(w("6.属于四类过程性信息", 191, 65))
    value = line(w("7.属于行政执法案卷", 191, 82.2), Word("1", 348, 82.2, 352, 91.2, 9.0),
                 Word("1", 509, 82.2, 514, 91.2, 9.0))
    heading = line(w("四、政府信息公开行政复议、行政诉讼情况", 94, 110, 12.0))
    text, rows, cols = borderless_tables([blank, value, heading], T3_GRID)
    assert [[c[0] for c in r.cells] for r in rows] == [
        ["6.属于四类过程性信息", *[""] * 7],
        ["7.属于行政执法案卷", "1", "", "", "", "", "", "1"],
    ]
    assert rows[0].cells[1][1] == (341.0, 65, 359.0, 74) and text == [heading]
    assert cols is not None and len(cols) == 7  # carried on: the number columns and the blank ones
    prose = line(w("本机关全年未收到申请", 92, 65))
    text, rows, _ = borderless_tables([prose, heading], T3_GRID)
    assert rows == [] and text == [prose, heading]
