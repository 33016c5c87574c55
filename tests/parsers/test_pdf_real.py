"""The real published PDF (Hongze 2024): every cell against values typed by hand from the rendered
pages (pdftoppm -r 150), plus provenance and cell cropping."""

from __future__ import annotations

import io

import pytest

from parsers.model import PRESENT
from parsers.pdf.crop import crop_cell_png
from parsers.pdf.reader import parse_pdf, pdf_to_lines
from tests.conftest import SAMPLES

PDF = SAMPLES / "pdf" / "hongze-2024.pdf"

# Typed from the page images. Columns: NAT BIZ RES NGO LAW OTH TOT.
T3 = {
    "NEW": (95, 0, 0, 0, 0, 0, 95),
    "CARRY": (0, 0, 0, 0, 0, 0, 0),
    "R_OPEN": (50, 0, 0, 0, 0, 0, 50),
    "R_PARTIAL": (9, 0, 0, 0, 0, 0, 9),
    "R_DENY_1": (0, 0, 0, 0, 0, 0, 0),
    "R_DENY_2": (0, 0, 0, 0, 0, 0, 0),  # printed label has a typo: "2.其他法律行政止公开"
    "R_DENY_3": (1, 0, 0, 0, 0, 0, 1),
    "R_DENY_4": (0, 0, 0, 0, 0, 0, 0),
    "R_DENY_5": (0, 0, 0, 0, 0, 0, 0),
    "R_DENY_6": (1, 0, 0, 0, 0, 0, 1),
    "R_DENY_7": (1, 0, 0, 0, 0, 0, 1),
    "R_DENY_8": (0, 0, 0, 0, 0, 0, 0),
    "R_UNABLE_1": (31, 0, 0, 0, 0, 0, 31),
    "R_UNABLE_2": (1, 0, 0, 0, 0, 0, 1),
    "R_UNABLE_3": (0, 0, 0, 0, 0, 0, 0),
    "R_NOTPROC_1": (1, 0, 0, 0, 0, 0, 1),
    "R_NOTPROC_2": (0, 0, 0, 0, 0, 0, 0),
    "R_NOTPROC_3": (0, 0, 0, 0, 0, 0, 0),
    "R_NOTPROC_4": (0, 0, 0, 0, 0, 0, 0),
    "R_NOTPROC_5": (0, 0, 0, 0, 0, 0, 0),
    "R_OTHER": (0, 0, 0, 0, 0, 0, 0),  # （六）其他处理 printed as one row (local deviation)
    "R_TOTAL": (95, 0, 0, 0, 0, 0, 95),
    "FWD": (0, 0, 0, 0, 0, 0, 0),
}
COLS = ("NAT", "BIZ", "RES", "NGO", "LAW", "OTH", "TOT")
T4 = {"REV": (1, 1, 0, 0, 2), "LIT_D": (1, 0, 0, 0, 1), "LIT_R": (2, 0, 1, 0, 3)}
T4_OUT = ("MAINTAIN", "CORRECT", "OTHER", "PENDING", "TOTAL")
T2 = {
    ("REG", "ISSUED"): 0, ("REG", "REPEALED"): 0, ("REG", "VALID"): 0,
    ("NORM", "ISSUED"): 3, ("NORM", "REPEALED"): 0, ("NORM", "VALID"): 8,
    ("LICENSE", "DECISIONS"): 9487, ("PENALTY", "DECISIONS"): 2776, ("COERCION", "DECISIONS"): 84,
    ("FEE", "AMOUNT"): 7545,
}


@pytest.fixture(scope="module")
def data() -> bytes:
    if not PDF.exists():
        pytest.fail(f"{PDF} missing: ../shared must sit beside the clone")
    return PDF.read_bytes()


@pytest.fixture(scope="module")
def report(data: bytes):
    reps = parse_pdf(data, "samples/pdf/real.pdf")
    assert len(reps) == 1
    return reps[0]


def test_lines_table_rows_cell_exact(data: bytes) -> None:
    """The Lines the assembler gets: every row of table 三 with its printed cells, spans not repeated."""
    lines = pdf_to_lines(data, "real.pdf")
    rows = {ln.cells[-8].text if len(ln.cells) >= 8 else "": ln for ln in lines if ln.structured}
    vertical = [ln for ln in lines if ln.structured and ln.first.text == "三、本年度办理结果"]
    assert len(vertical) == 1, "vertical one-char-per-line label joined into one cell"
    assert [c.text for c in vertical[0].cells[1:]] == ["(一)予以公开", "50", "0", "0", "0", "0", "0", "50"]
    wrapped = [ln for ln in lines if ln.structured and ln.first.text.startswith("(二)部分公开")]
    assert wrapped[0].first.text == "(二)部分公开(区分处理的,只计这一情形,不计其他情形)"
    # continuation on page 4: the cut merged label boxes are not emitted as blank cells
    cont = [ln for ln in lines if ln.structured and ln.first.text == "2.没有现成信息需要另行制作"]
    assert [c.text for c in cont[0].cells[1:]] == ["1", "0", "0", "0", "0", "0", "1"]
    assert cont[0].first.prov.page == 4
    other = [ln for ln in lines if ln.structured and ln.first.text == "(六)其他处理"]
    assert [c.text for c in other[0].cells] == ["(六)其他处理", "0", "0", "0", "0", "0", "0", "0"]
    assert rows  # structured rows exist
    headings = [ln.first.text for ln in lines if not ln.structured]
    for h in ("一、总体情况", "二、主动公开政府信息情况", "三、收到和处理政府信息公开申请情况",
              "四、政府信息公开行政复议、行政诉讼情况", "五、存在的主要问题及改进情况", "六、其他需要报告的事项"):
        assert h in headings, f"heading {h} on its own line"
    assert not any(t.strip("- ").isdigit() for t in headings), "page numbers dropped"
    # the paragraph that runs from page 4 onto page 5 is one paragraph
    assert any("使各行政机关答复的方式" in t for t in headings)


def test_table4_and_table2(report) -> None:
    assert report.table4.status == PRESENT
    for g, vals in T4.items():
        for o, v in zip(T4_OUT, vals, strict=True):
            assert report.table4.cells[f"{g}_{o}"].value == v, f"{g}_{o}"
    assert report.table2.status == PRESENT
    for (r, c), v in T2.items():
        assert report.table2.value(r, c) == v, f"{r}/{c}"
    assert report.table2.amount_unit == "万元"
    assert report.year == 2024
    assert report.format == "2021"


def test_table3_every_cell(report) -> None:
    wrong = []
    for key, vals in T3.items():
        row = report.table3.rows.get(key)
        for c, v in zip(COLS, vals, strict=True):
            got = row.cells.get(c).value if row and c in row.cells else "missing"
            if got != v:
                wrong.append(f"{key}/{c}: {got!r} != {v}")
    assert wrong == [], f"{len(wrong)} cell(s) of table 三 misread: " + "; ".join(wrong)
    assert report.table3.status == PRESENT


def test_provenance_and_crop(report, data: bytes) -> None:
    from PIL import Image

    cell = report.table3.rows["R_UNABLE_1"].cells["NAT"]
    assert cell.raw == "31"
    prov = cell.prov
    assert prov is not None and prov.kind == "pdf" and prov.page == 3
    x0, top, x1, bottom = prov.bbox
    assert 300 < x0 < x1 < 400 and 700 < top < bottom < 800
    png = crop_cell_png(data, prov.page, prov.bbox)
    img = Image.open(io.BytesIO(png))
    assert img.format == "PNG"
    # scale 2 and 6 pt margins on each side
    assert abs(img.width - 2 * (x1 - x0 + 12)) <= 3 and abs(img.height - 2 * (bottom - top + 12)) <= 3
    # the crop is not blank: the digits are dark on white
    assert img.convert("L").getextrema()[0] < 100


def test_nianbao_check_finds_no_fail(data: bytes, tmp_path) -> None:
    import json
    import subprocess
    import sys

    pdf = tmp_path / "report.pdf"
    pdf.write_bytes(data)
    res = subprocess.run([sys.executable, "-m", "flows.cli", "check", "--json", str(pdf)], capture_output=True,
                         text=True, timeout=180)
    assert res.returncode == 0, res.stderr
    out = json.loads(res.stdout)
    assert [f for f in out["findings"] if f["severity"] == "fail" and f["status"] == "violated"] == []
    (rep,) = out["reports"]
    assert rep["year"] == 2024 and rep["format"] == "2021"
    # the local deviation (（六）其他处理 as one row) is reported, as a warning only
    split = [f for f in out["findings"] if f["rule"] == "T3-FMT-SPLIT"]
    assert split and all(f["severity"] == "warn" for f in split)
