"""A borderless table 三 row broken across a page, its numbers printed below the break (the layout
``rl-borderless-wrap-split-last`` and variants of it): the label part at the foot of one page (every
cell blank there) and the numbers at the top of the next are one row. When the two parts cannot be
tied together, the row is left unread (incomplete, with notes), never read as blanks."""

from __future__ import annotations

from dataclasses import replace

import pytest

import parsers.pdf.reader as reader
from parsers.layout import T3_COLS
from parsers.lines import Fragment, Line
from parsers.model import Provenance
from parsers.pdf.reader import join_borderless_split, parse_pdf, pdf_to_lines
from testkit.pdfgen import LAYOUTS, layout_report, render_pdf
from tests.parsers.test_pdf_roundtrip import cell_accuracy

LAY = LAYOUTS["rl-borderless-wrap-split-last"]
# the split row's label all on the first page, its numbers alone at the top of the next; zeros blank
_VARIANTS = {
    "labelled": {},
    "unlabelled": {"split_rows": (("t3", 6, 9), ("t3", 22, 1))},
    "blank": {"style": "html-blank"},
    "blank-unlabelled": {"style": "html-blank", "split_rows": (("t3", 6, 9), ("t3", 22, 1))},
    "centred-labels": {"label_align": "center"},
}


@pytest.mark.parametrize("variant", sorted(_VARIANTS))
def test_split_row_keeps_its_numbers(variant: str) -> None:
    lay = replace(LAY, name=f"{LAY.name}-{variant}", **_VARIANTS[variant])
    blank = lay.style == "html-blank"
    for seed in (2, 7, 20):  # seed 1's html-blank 四、结转下年度 row is a separate, known issue
        want = layout_report(seed, lay)
        got = parse_pdf(render_pdf(want, lay, cache=False), f"{variant}-{seed}.pdf")[0]
        _, _, bad = cell_accuracy(want, got, blank_zero=blank)
        assert not bad, (seed, bad[:8])
        part = got.table3.rows["R_PARTIAL"]
        assert not part.incomplete and not part.placed_by_position
        assert [part.cells[c].value for c in T3_COLS] == [want.table3.value("R_PARTIAL", c) if
                                                          want.table3.value("R_PARTIAL", c) or not blank
                                                          else None for c in T3_COLS]
        assert {part.cells[c].prov.page for c in T3_COLS} == {2}
        assert not [r.label for r in got.table3.extra_rows], seed
        assert not [n for n in got.notes if n.code == "pdf_note"]


def test_split_row_is_one_line() -> None:
    want = layout_report(7, LAY)
    lines = [ln for ln in pdf_to_lines(render_pdf(want, LAY, cache=False), "s.pdf") if ln.structured]
    (row,) = [ln for ln in lines if ln.first.text.startswith("(二)部分公开")]
    assert row.first.text == "(二)部分公开(区分处理的,只计这一情形,不计其他情形)" and row.first.prov.page == 1
    assert [c.text for c in row.cells[1:]] == [str(want.table3.value("R_PARTIAL", c)) for c in T3_COLS]
    assert not any(c.text.startswith("计其他情形") for ln in lines for c in ln.cells)


def _tamper(monkeypatch: pytest.MonkeyPatch, how: str) -> None:
    """The first row of page 2 (the rest of （二）部分公开 and its numbers) printed so that it cannot be
    tied to its label: a column missing, or the numbers shifted half a column."""
    real = reader.borderless_tables

    def fake(lines, carry=None):  # type: ignore[no-untyped-def]
        text, rows, cols = real(lines, carry)
        for r in rows:
            if r.cells and r.cells[0][0].startswith("计其他情形"):
                if how == "missing":
                    r.cells = r.cells[:-1]
                else:
                    r.cells = [r.cells[0], *((t, (b[0] + 22, b[1], b[2] + 22, b[3])) for t, b in r.cells[1:])]
        return text, rows, cols

    monkeypatch.setattr(reader, "borderless_tables", fake)


@pytest.mark.parametrize("how", ["missing", "shifted"])
def test_untied_split_row_is_left_unread(monkeypatch: pytest.MonkeyPatch, how: str) -> None:
    _tamper(monkeypatch, how)
    want = layout_report(7, LAY)
    got = parse_pdf(render_pdf(want, LAY, cache=False), f"{how}.pdf")[0]
    part = got.table3.rows["R_PARTIAL"]
    assert part.incomplete and not part.cells  # not read, and above all not read as blanks
    codes = {n.code for n in got.notes}
    assert "row_incomplete" in codes
    assert any(n.code == "pdf_note" and "部分公开" in n.message and "left unread" in n.message
               for n in got.notes)
    _, _, bad = cell_accuracy(want, got, blank_zero=False)
    assert {b.split(":")[0].split("/")[1] for b in bad} == {"R_PARTIAL"}


# ------------------------------------------------------------------ join_borderless_split on Lines
def _f(text: str, x0: float, x1: float, page: int) -> Fragment:
    return Fragment(text=text, raw=text, prov=Provenance(kind="pdf", page=page, bbox=(x0, 700, x1, 709)))


_COLS = [(234, 242), (280, 284), (322, 330)]


def _prev(label: str = "(二)部分公开(区分处理的,只计这一情形,不") -> Line:
    return Line(cells=(_f(label, 113, 212, 1), *(_f("", a, b, 1) for a, b in _COLS)), structured=True, table=4)


def _cont(label: str | None, nums: tuple[str, ...], dx: float = 0.0) -> Line:
    lab = (_f(label, 113, 167, 2),) if label is not None else ()
    return Line(cells=(*lab, *(_f(n, a + 2 + dx, b - 2 + dx, 2) for n, (a, b) in zip(nums, _COLS, strict=True))),
                structured=True, table=4)


def test_join_rules() -> None:
    joined, unread = join_borderless_split(_prev(), _cont("计其他情形)", ("3", "2", "1")))
    assert unread is None and joined is not None
    assert [c.text for c in joined.cells] == ["(二)部分公开(区分处理的,只计这一情形,不计其他情形)", "3", "2", "1"]
    # a whole label, its numbers alone on the next page
    joined, _ = join_borderless_split(_prev("(二)部分公开(区分处理的,只计这一情形,不计其他情形)"),
                                      _cont(None, ("3", "2", "1")))
    assert joined is not None and [c.text for c in joined.cells[1:]] == ["3", "2", "1"]
    # the next page starts with a row of its own: both stay as printed
    assert join_borderless_split(_prev("4.无正当理由大量反复申请"), _cont("1.属于国家秘密", ("1", "0", "1"))) \
        == (None, None)
    # the row above printed numbers: nothing to join
    done = Line(cells=(_f("(一)予以公开", 113, 170, 1), *(_f("1", a, b, 1) for a, b in _COLS)), structured=True,
                table=4)
    assert join_borderless_split(done, _cont("计其他情形)", ("3", "2", "1"))) == (None, None)
    # numbers that do not line up with the columns: unread, the label kept, no blank cell
    joined, unread = join_borderless_split(_prev(), _cont("计其他情形)", ("3", "2", "1"), dx=20))
    assert joined is None and unread is not None and [c.text for c in unread.cells] == [_prev().first.text]
    # a label that is no statutory row once joined: unread
    joined, unread = join_borderless_split(_prev("其中:依申请公开的"), _cont("财政信息", ("3", "2", "1")))
    assert joined is None and unread is not None

