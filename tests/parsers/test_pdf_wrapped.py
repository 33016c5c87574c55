"""Row labels wrapped onto several lines inside their ruled cells (narrow label columns): every row keeps
its cells, read from the PDF (``parse_pdf``) and from its ``pdftotext -layout`` text.

The layouts (``testkit.pdfgen``): ``rl-wrap-centred`` (numbers centred in the row, so a label's first
line sits above them and the rest below), ``rl-wrap-top`` (top-aligned), ``rl-wrap-centred-labels``
(labels centred too), ``rl-wrap-split`` / ``rl-wrap-split-last`` (a wrapped row broken across a page,
its numbers above or below the break; ``rl-borderless-wrap-split-last`` the same without ruled lines), and through LibreOffice ``lo-wrap-centred`` / ``lo-wrap-top``
(HTML) and ``lo-docx-wrap-centred`` / ``lo-docx-wrap-top`` (a Word table with fixed narrow columns;
rows break across pages as Word lets them). LibreOffice PDFs are cached under tests/fixtures/pdf_cache/.
"""

from __future__ import annotations

import itertools
import shutil
import subprocess
from pathlib import Path

import pytest

from parsers import parse_bytes
from parsers.layout import T3_COLS
from parsers.model import Report
from parsers.pdf.layout_text import join_wrapped_labels
from parsers.pdf.reader import parse_pdf, pdf_to_lines
from testkit.pdfgen import LAYOUTS, layout_report, libreoffice_available, render_pdf
from tests.parsers.test_pdf_roundtrip import cell_accuracy

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures" / "layout_text"
RL = ["rl-wrap-centred", "rl-wrap-top", "rl-wrap-centred-labels", "rl-wrap-split", "rl-wrap-split-last",
      "rl-borderless-wrap-split-last"]
LO = ["lo-wrap-centred", "lo-wrap-top", "lo-docx-wrap-centred", "lo-docx-wrap-top"]


def _layout_text(data: bytes, tmp_path: Path) -> bytes:
    exe = shutil.which("pdftotext")
    if exe is None:
        pytest.fail("pdftotext missing: `make sysdeps` installs poppler-utils")
    pdf = tmp_path / "report.pdf"
    pdf.write_bytes(data)
    return subprocess.run([exe, "-layout", str(pdf), "-"], capture_output=True, check=True, timeout=60).stdout


def _both_paths(name: str, seeds: tuple[int, ...], tmp_path: Path) -> None:
    lay = LAYOUTS[name]
    for seed in seeds:
        want = layout_report(seed, lay)
        data = render_pdf(want, lay, cache=lay.engine == "libreoffice")
        for path, reps in (("pdf", parse_pdf(data, f"{name}-{seed}.pdf")),
                           ("text", parse_bytes(_layout_text(data, tmp_path), f"{name}-{seed}.txt"))):
            assert len(reps) == 1, (path, seed)
            got = reps[0]
            assert (got.year, got.format) == (want.year, want.format), (path, seed)
            ok, total, bad = cell_accuracy(want, got, blank_zero=False)
            print(f"\n{name} seed {seed} {path}: {ok}/{total}")
            assert not bad, (path, seed, bad[:8])
            assert not [r for r in got.table3.rows.values() if r.placed_by_position], (path, seed)
            assert not got.table3.extra_rows, (path, seed)


@pytest.mark.parametrize("name", RL)
def test_wrapped_labels_reportlab_both_paths(name: str, tmp_path: Path) -> None:
    _both_paths(name, (1, 2, 7), tmp_path)  # 2019 and 2021 reports (（六） as one row and as three)


@pytest.mark.parametrize("name", LO)
def test_wrapped_labels_libreoffice_both_paths(name: str, tmp_path: Path) -> None:
    if not libreoffice_available():
        pytest.skip("LibreOffice is not installed (apt-get install libreoffice-writer-nogui)")
    _both_paths(name, (7,), tmp_path)


@pytest.mark.slow
@pytest.mark.parametrize("name", RL + LO)
def test_wrapped_labels_many_seeds(name: str, tmp_path: Path) -> None:
    if name in LO and not libreoffice_available():
        pytest.skip("LibreOffice is not installed")
    _both_paths(name, tuple(range(20, 40)) if name in RL else (8, 9, 10, 11), tmp_path)


def test_layouts_really_wrap() -> None:
    """The layouts do what they are for: table 三's long labels take two lines or more."""
    lay = LAYOUTS["rl-wrap-centred"]
    data = render_pdf(layout_report(7, lay), lay, cache=False)
    import io

    import pdfplumber

    with pdfplumber.open(io.BytesIO(data)) as pdf:
        words = [w for p in pdf.pages for w in p.extract_words()]
    starts = {w["text"] for w in words}
    assert "2.申请人逾期未" in starts or any(t.startswith("2.申请人逾期") and len(t) < 12 for t in starts)
    assert not any("不再处理其政府信息公开申请" in t for t in starts if t.startswith("2."))


# ------------------------------------------------------------------ the PDF path: a row broken across a page
def test_row_broken_across_page_is_one_row() -> None:
    """Numbers below the break: the part above it (first label line, empty cells) and the part below
    (rest of the label, the numbers) are one row with the whole label and the printed numbers, their
    boxes on the page they are printed on."""
    lay = LAYOUTS["rl-wrap-split-last"]
    want = layout_report(7, lay)
    lines = [ln for ln in pdf_to_lines(render_pdf(want, lay, cache=False), "split.pdf") if ln.structured]
    partial = [ln for ln in lines if any(c.text.startswith("(二)部分公开") for c in ln.cells)]
    assert len(partial) == 1
    row = partial[0]
    assert row.cells[-8].text == "(二)部分公开(区分处理的,只计这一情形,不计其他情形)"
    assert row.cells[-8].prov.page == 1 and {c.prov.page for c in row.cells[-7:]} == {2}
    printed = [str(want.table3.value("R_PARTIAL", c)) for c in T3_COLS]
    assert [c.text for c in row.cells[-7:]] == printed
    assert not any(c.text.startswith("计其他情形") for ln in lines for c in ln.cells)


def test_rows_on_both_sides_of_a_page_break_stay_apart() -> None:
    """Two rows, each with its own numbers, on either side of a page break are never joined."""
    from parsers.pdf.reader import join_split_row

    lay = LAYOUTS["rl-split"]
    lines = [ln for ln in pdf_to_lines(render_pdf(layout_report(1, lay), lay, cache=False), "s.pdf")
             if ln.structured]
    pairs = [(a, b) for a, b in itertools.pairwise(lines) if b.first.prov.page == a.first.prov.page + 1]
    assert pairs
    assert all(join_split_row(a, b) is None for a, b in pairs)


# ------------------------------------------------------------------ the text path: pdftotext -layout
def _t3(rep: Report) -> dict[str, tuple]:
    return {k: tuple(r.cells[c].value if c in r.cells else None for c in T3_COLS)
            for k, r in rep.table3.rows.items()}


@pytest.mark.parametrize("fixture", ["rl-wrap-centred-7", "lo-docx-wrap-centred-7"])
def test_layout_text_fixture_every_cell(fixture: str) -> None:
    """``pdftotext -layout`` text of a table 三 with wrapped labels (kept as a fixture, so this runs
    without poppler): every row keeps its cells, no row is placed by position."""
    lay = LAYOUTS[fixture.rsplit("-", 1)[0]]
    want = layout_report(int(fixture.rsplit("-", 1)[1]), lay)
    (got,) = parse_bytes((FIXTURES / f"{fixture}.txt").read_bytes(), f"{fixture}.txt")
    _, _, bad = cell_accuracy(want, got, blank_zero=False)
    assert not bad, bad[:8]
    assert _t3(got) == _t3(want)
    assert not [n for n in got.notes if n.code in ("row_placed_by_position", "row_incomplete", "t3_local_row")]


def _rows(text: str) -> list[str]:
    return [ln for ln in join_wrapped_labels(text) if ln.strip()]


CENTRED = """\
     （一）予以公开          980        0         325           1,119    331     0        2,755
     （二）部分公开（区分处
三    理的，只计这一情形，不      365        0         119            431     130     0        1,045
、    计其他情形）
本
年         1.属于国家秘密     66        0          17            71      24      0        178
度         2.其他法律行政
办                      59        0          16            76      12      0        163
          法规禁止公开"""


def test_centred_label_around_its_numbers() -> None:
    """First line above the numbers, the middle on their line, the last below; the vertical group
    label's characters at the left stay where they are."""
    rows = _rows(CENTRED)
    assert rows[1].split("    ")[0] == "三  （二）部分公开（区分处理的，只计这一情形，不计其他情形）"
    assert rows[1].split()[-1] == "1,045"
    assert rows[2].strip() == "、" and rows[3].strip() == "本"
    assert rows[5].strip() == "度"
    assert rows[6].startswith("办  2.其他法律行政法规禁止公开") and rows[6].split()[-1] == "163"
    assert len(rows) == 7  # the last line, 法规禁止公开, moved up


def test_two_line_label_with_numbers_between() -> None:
    text = """\
               1.申请人无正当理由逾期不补正、行政机关不再处理
                                          1     0     0    1    1    0   3
                       其政府信息公开申请

      （六）其他
            2.申请人逾期未按收费通知要求缴纳费用、行政机关
        处理                                1     0     0    0    0    0   1
                  不再处理其政府信息公开申请


                         3.其他             0     0     1    0    0    0   1"""
    rows = _rows(text)
    assert rows[0].startswith("1.申请人无正当理由逾期不补正、行政机关不再处理其政府信息公开申请    1")
    assert rows[1].strip() == "（六）其他"
    assert rows[2].startswith("处理  2.申请人逾期未按收费通知要求缴纳费用、行政机关不再处理其政府信息公开申请    1")
    assert rows[3].strip().startswith("3.其他")


def test_label_all_above_its_numbers() -> None:
    """As pdftotext prints the real Hongze report: the label's two lines, then the numbers alone."""
    text = """\
                 4.无正当理由大量反复 申请        0    0   0   0    0    0   0
                 5.要求行政机关确认或重 新出具
                     已获取信息
                                       0    0   0   0    0    0   0
     （六）其他处理                           0    0   0   0    0    0   0"""
    rows = _rows(text)
    assert len(rows) == 3
    assert rows[1].startswith("5.要求行政机关确认或重 新出具已获取信息    0")
    assert rows[2] == text.split("\n")[-1]


def test_table2_label_without_mark() -> None:
    text = """\
行政许可                      241                                  10                  194
其他对外管理服务事
                           48                                   5                     14
项
                           第二十条第（六）项"""
    rows = _rows(text)
    assert rows[1].startswith("其他对外管理服务事项    48") and rows[1].split()[-1] == "14"
    assert rows[0] == text.split("\n")[0]


def test_unrecognised_label_is_not_moved() -> None:
    """A wrapped label that is no statutory row is left as printed: its row is placed (or not) by the
    statutory-order rules only."""
    text = """\
     （二）部分公开                3   0   0   0   0   0   3
     其中：依申请公开的
                              2   0   0   0   0   0   2
     财政信息情况
     （三）不予公开   1.属于国家秘密   0   0   0   0   0   0   0"""
    assert join_wrapped_labels(text) == text.split("\n")


def test_numbers_two_labels_could_own_are_not_given_to_either() -> None:
    text = """\
     1.属于国家秘密
                              2   0   0   0   0   0   2
     2.其他法律行政法规禁止公开
     3.危及“三安全一稳定”        0   0   0   0   0   0   0"""
    assert join_wrapped_labels(text) == text.split("\n")


def test_other_text_is_left_alone() -> None:
    """One cell per line (crawled pages), rows flattened with single spaces, prose: no change."""
    cells = "（一）予以公开\n3\n0\n0\n0\n0\n0\n3\n（二）部分公开（区分处理的，只计这一情形，不计其他情形）\n1\n0\n0\n0\n0\n0\n1"
    flat = "（一）予以公开 3 0 0 0 0 0 3\n（二）部分公开（区分处理的，\n只计这一情形，不计其他情形） 1 0 0 0 0 0 1"
    prose = "    本机关全年共收到申请   12   件，\n其中   自然人   10   件。"
    for text in (cells, flat, prose):
        assert join_wrapped_labels(text) == text.split("\n")
