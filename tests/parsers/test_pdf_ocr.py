"""OCR fallback: an image-only scan is read by tesseract (chi_sim) and every cell it yields is flagged.

Prints the measured cell accuracy: OCR of 9-point table digits is far from exact, which is why an
OCR'd report can never pass silently (every cell carries the ``ocr`` flag and a confidence below 1).
"""

from __future__ import annotations

import io

import pytest

from parsers.model import UNREADABLE
from parsers.pdf import PdfSettings, parse_pdf
from parsers.pdf_ocr import ocr_available, remove_rules
from parsers.pdfgen import LAYOUTS, layout_report, render_pdf
from tests.parsers.test_pdf_roundtrip import cell_accuracy, expected_cells


def scan_of(data: bytes, dpi: int = 200) -> bytes:
    """Each page rendered to a grayscale bitmap and wrapped into a new PDF: no text layer."""
    import pypdfium2 as pdfium
    from reportlab.lib.utils import ImageReader
    from reportlab.pdfgen.canvas import Canvas

    doc = pdfium.PdfDocument(data)
    buf = io.BytesIO()
    c = Canvas(buf, invariant=1)
    for i in range(len(doc)):
        w, h = doc[i].get_size()
        img = doc[i].render(scale=dpi / 72, grayscale=True).to_pil()
        c.setPageSize((w, h))
        c.drawImage(ImageReader(img), 0, 0, w, h)
        c.showPage()
    c.save()
    return buf.getvalue()


@pytest.fixture(scope="module")
def borderless_scan() -> tuple[object, bytes]:
    lay = LAYOUTS["rl-borderless"]
    want = layout_report(1, lay)
    return want, scan_of(render_pdf(want, lay))


def test_scan_is_read_by_ocr_and_every_cell_is_flagged(borderless_scan) -> None:
    if not ocr_available("chi_sim"):
        pytest.skip("tesseract with chi_sim is not installed (apt-get install tesseract-ocr tesseract-ocr-chi-sim)")
    want, scan = borderless_scan
    reps = parse_pdf(scan, "scan.pdf", PdfSettings(ocr=True))
    assert len(reps) == 1
    got = reps[0]
    ok, total, bad = cell_accuracy(want, got, False)
    print(f"\nOCR of a 200-dpi scan (rl-borderless seed 1): cell accuracy {ok}/{total} = {ok / total:.1%}; "
          f"first misses: {bad[:3]}")
    assert got.year == 2019, "the title is read back"
    assert ok / total >= 0.4, bad[:10]
    cells = expected_cells(got)
    assert cells, "some numbers come back"
    for key, cell in cells.items():
        assert "ocr" in cell.flags, key
        assert cell.prov is not None and cell.prov.confidence is not None and cell.prov.confidence < 1, key
    assert any(n.code == "ocr" for n in got.notes)


def test_scan_without_ocr_stays_unreadable_with_the_reason(borderless_scan, monkeypatch) -> None:
    _, scan = borderless_scan
    rep = parse_pdf(scan, "scan.pdf", PdfSettings(ocr=False))[0]
    assert rep.table3.status == UNREADABLE and "no text layer" in rep.table3.reason
    assert "OCR is turned off" in rep.table3.reason
    import parsers.pdf_ocr

    monkeypatch.setattr(parsers.pdf_ocr, "ocr_available", lambda lang="chi_sim": False)
    rep = parse_pdf(scan, "scan.pdf", PdfSettings(ocr=True))[0]
    for t in (rep.table2, rep.table3, rep.table4):
        assert t.status == UNREADABLE
        assert "no text layer" in t.reason and "OCR not available" in t.reason
    assert not rep.table3.rows and not rep.table4.cells


def test_ocr_setting_from_environment(monkeypatch) -> None:
    monkeypatch.delenv("NIANBAO_PDF_OCR", raising=False)
    assert PdfSettings().ocr is True
    monkeypatch.setenv("NIANBAO_PDF_OCR", "0")
    assert PdfSettings().ocr is False


def test_remove_rules_erases_lines_not_text() -> None:
    """Table rules confuse tesseract; long dark runs are erased, glyph strokes stay."""
    import numpy as np
    from PIL import Image, ImageDraw

    img = Image.new("L", (600, 300), 255)
    d = ImageDraw.Draw(img)
    d.line([(10, 50), (590, 50)], fill=0, width=3)
    d.line([(300, 10), (300, 290)], fill=0, width=3)
    d.rectangle([100, 120, 110, 140], fill=0)  # a glyph-sized blob
    out = np.asarray(remove_rules(img, 300))
    assert out[50, 200] == 255 and out[150, 300] == 255
    assert out[130, 105] == 0
