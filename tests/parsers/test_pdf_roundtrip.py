"""Round trip: parse_pdf(render_pdf(report, layout)) gives back every cell of tables 二, 三 and 四.

Prints the cell accuracy per layout. LibreOffice layouts are cached under tests/fixtures/pdf_cache/
(about 1.5 s each when the cache is cold); reportlab layouts render in milliseconds and are not cached.
"""

from __future__ import annotations

from dataclasses import replace

import pytest

from parsers.layout import T4_KEYS
from parsers.model import Cell, Report
from parsers.pdf.reader import parse_pdf, pdf_to_lines
from testkit.pdfgen import LAYOUTS, PdfLayout, layout_report, libreoffice_available, render_pdf

# Layouts whose zero is printed as a blank or "/": the parser reads no value where 0 was.
_BLANK_STYLES = {"html-blank", "html-slash", "html-bom"}


def expected_cells(rep: Report) -> dict[str, Cell]:
    """Every cell the report holds (its own rows, so local deviations count too)."""
    out: dict[str, Cell] = {}
    for r, cols in rep.table2.rows.items():
        out.update({f"t2/{r}/{c}": cell for c, cell in cols.items()})
    for k, row in rep.table3.rows.items():
        out.update({f"t3/{k}/{c}": cell for c, cell in row.cells.items()})
    out.update({f"t4/{k}": cell for k, cell in rep.table4.cells.items()})
    return out


def cell_accuracy(want: Report, got: Report, blank_zero: bool) -> tuple[int, int, list[str]]:
    have = expected_cells(got)
    bad: list[str] = []
    cells = expected_cells(want)
    for key, cell in cells.items():
        h = have.get(key)
        ok = h is not None and (h.value == cell.value or (blank_zero and cell.value == 0 and h.value is None))
        if not ok:
            bad.append(f"{key}: expected {cell.value!r}, got {h.value if h else 'no cell'!r}")
    return len(cells) - len(bad), len(cells), bad


def _check(name: str, seeds: tuple[int, ...]) -> None:
    ok, total, bad = _roundtrip(name, seeds)
    print(f"\n{name}: cell accuracy {ok}/{total} = {ok / total:.2%}")
    assert not bad, bad[:10]


def _roundtrip(name: str, seeds: tuple[int, ...]) -> tuple[int, int, list[str]]:
    lay: PdfLayout = LAYOUTS[name]
    ok = total = 0
    bad: list[str] = []
    for seed in seeds:
        want = layout_report(seed, lay)
        data = render_pdf(want, lay, cache=lay.engine == "libreoffice")
        reps = parse_pdf(data, f"{name}-{seed}.pdf")
        assert len(reps) == 1
        got = reps[0]
        assert got.year == want.year and got.format == want.format, (got.year, got.format)
        o, t, b = cell_accuracy(want, got, lay.style in _BLANK_STYLES)
        ok, total, bad = ok + o, total + t, bad + [f"seed {seed} {x}" for x in b]
    return ok, total, bad


FAST = [n for n, lay in LAYOUTS.items() if lay.engine == "reportlab"]
LO = [n for n, lay in LAYOUTS.items() if lay.engine == "libreoffice"]


@pytest.mark.parametrize("name", FAST)
def test_roundtrip_reportlab(name: str) -> None:
    _check(name, (1, 2, 7))


@pytest.mark.parametrize("name", LO)
def test_roundtrip_libreoffice(name: str) -> None:
    if not libreoffice_available():
        pytest.skip("LibreOffice is not installed (apt-get install libreoffice-writer-nogui)")
    _check(name, (3,))


def test_injected_errors_survive_exactly() -> None:
    """The arithmetic errors the generator injects come back at the same cells, not 'corrected'."""
    lay = LAYOUTS["rl-errors"]
    want = layout_report(5, lay)
    got = parse_pdf(render_pdf(want, lay), "errors.pdf")[0]
    t3 = got.table3
    assert t3.value("R_OPEN", "NAT") == want.table3.value("R_OPEN", "NAT")
    row_sum = sum(t3.rows["R_OPEN"].cells[c].number() for c in ("NAT", "BIZ", "RES", "NGO", "LAW", "OTH"))
    assert row_sum != t3.value("R_OPEN", "TOT"), "the injected error breaks the row total"
    rev = got.table4.cells
    assert rev["REV_TOTAL"].value != sum(rev[f"REV_{o}"].number() for o in ("MAINTAIN", "CORRECT", "OTHER", "PENDING"))
    assert got.table2.value("LICENSE", "DECISIONS") == want.table2.value("LICENSE", "DECISIONS")


def test_generator_is_deterministic_and_cached() -> None:
    lay = LAYOUTS["rl-split"]
    rep = layout_report(11, lay)
    a = render_pdf(rep, lay, cache=False)
    b = render_pdf(rep, lay, cache=False)
    assert a == b
    assert render_pdf(rep, lay) == a


@pytest.mark.slow
@pytest.mark.parametrize("name", FAST + LO)
def test_roundtrip_many_seeds(name: str) -> None:
    _check(name, tuple(range(20, 40)) if name in FAST else (4, 5, 6))


def _zero(cells: dict[str, Cell], keys: tuple[str, ...] | None = None) -> None:
    for k in list(cells):
        if keys is None or k in keys:
            cells[k] = Cell(0, "0")


@pytest.mark.parametrize("case", ["t4", "t3", "t2-block", "t2-left-column", "all"])
def test_borderless_tables_printed_without_numbers(case: str) -> None:
    """Borderless, zeros printed blank: a table, a block or a column holding no number at all is placed
    by its header words alone (table 三 even across a page break), every cell read as blank."""
    lay = LAYOUTS["rl-borderless-blank"]
    for seed in (1, 5):  # a 2019 and a 2021 report
        want = layout_report(seed, lay)
        if case in ("t4", "all"):
            _zero(want.table4.cells)
        if case in ("t3", "all"):
            for row in want.table3.rows.values():
                _zero(row.cells)
        if case in ("t2-block", "all"):
            for key in ("REG", "NORM"):
                _zero(want.table2.rows[key])
        if case == "t2-left-column":  # the first of two columns blank; or a one-column block blank
            _zero(want.table2.rows["FEE"], ("PREV",))
            _zero(want.table2.rows["LICENSE"], ("DECISIONS",))
        got = parse_pdf(render_pdf(want, lay, cache=False), f"{case}-{seed}.pdf")[0]
        _, _, bad = cell_accuracy(want, got, blank_zero=True)
        assert not bad, (seed, bad[:10])
        zeros = [k for k, c in expected_cells(want).items() if c.value == 0]
        have = expected_cells(got)
        assert zeros and all(have[k].value is None and "blank" in have[k].flags for k in zeros)
        assert all(have[k].prov is not None and have[k].prov.bbox is not None for k in zeros)


# rl-borderless-blank pushed through the page-break and wrapping paths of the other layouts: a table 三
# cut so that a page holds only blank rows, short pages, narrow wrapped columns, vertical group labels.
_BLANK_VARIANTS = {
    "split": {"break_rows": (("t3", 12),), "t3_label_widths": (0.55, 2.6, 5.0)},
    "short-pages": {"page_height": 520.0},
    "wrapped": {"t3_label_widths": (0.55, 1.6, 2.6), "t2_label_width": 1.1, "font_size": 10.0,
                "thousands": True, "scale": 40000, "t3_data_width": 0.95},
    "other-one-row": {"other_single_row": True},
}


@pytest.mark.parametrize("variant", sorted(_BLANK_VARIANTS))
def test_borderless_blank_variants(variant: str) -> None:
    lay = replace(LAYOUTS["rl-borderless-blank"], name=f"rl-borderless-blank-{variant}", **_BLANK_VARIANTS[variant])
    ok = total = 0
    for seed in (1, 2, 7):
        want = layout_report(seed, lay)
        got = parse_pdf(render_pdf(want, lay, cache=False), f"{variant}-{seed}.pdf")
        assert len(got) == 1
        o, t, bad = cell_accuracy(want, got[0], blank_zero=True)
        assert not bad, (seed, bad[:10])
        ok, total = ok + o, total + t
    print(f"\n{lay.name}: cell accuracy {ok}/{total} = {ok / total:.2%}")


def test_blank_table4_row_points_at_its_cells() -> None:
    """Table 四 printed with no number is one row of 15 blank cells, each boxed under its header
    column and below the header, in header order."""
    lay = LAYOUTS["rl-borderless-blank"]
    want = layout_report(1, lay)
    _zero(want.table4.cells)
    data = render_pdf(want, lay, cache=False)
    got = parse_pdf(data, "t4.pdf")[0]
    boxes = [got.table4.cells[k].prov.bbox for k in T4_KEYS]
    assert all(b is not None for b in boxes)
    xs = [b[0] for b in boxes if b is not None]
    assert xs == sorted(xs) and len(set(xs)) == 15
    lines = pdf_to_lines(data, "t4.pdf")
    head = max(i for i, ln in enumerate(lines) if not ln.structured and "维持" in ln.first.text)
    row = next(ln for ln in lines[head:] if ln.structured)
    assert [c.text for c in row.cells] == [""] * 15
    assert row.first.prov.bbox[1] > lines[head].first.prov.bbox[1]


def test_borderless_lines_keep_blank_cells_and_wrapped_labels() -> None:
    """The Lines of a borderless table: a wrapped label (numbers centred between its two lines) is one
    cell, and a row keeps one cell per column with blanks where zeros printed blank."""
    lay = LAYOUTS["rl-borderless-blank"]
    rep = layout_report(2, lay)
    lines = [ln for ln in pdf_to_lines(render_pdf(rep, lay), "b.pdf") if ln.structured]
    partial = [ln for ln in lines if ln.first.text.startswith("(二)部分公开")]
    assert len(partial) == 1 and partial[0].first.text == "(二)部分公开(区分处理的,只计这一情形,不计其他情形)"
    cols = ("NAT", "BIZ", "RES", "NGO", "LAW", "OTH", "TOT")
    blanks = 0
    for key, label in (("R_PARTIAL", "(二)部分公开"), ("R_DENY_1", "1.属于国家秘密"), ("NEW", "一、本年新收")):
        row = rep.table3.rows[key].cells
        want = ["" if row[c].value == 0 else str(row[c].value) for c in cols]
        got = next(ln for ln in lines if len(ln.cells) >= 8 and ln.cells[-8].text.startswith(label))
        assert [c.text for c in got.cells[-7:]] == want, key
        blanks += want.count("")
    assert blanks, "the seed prints some zeros blank"
