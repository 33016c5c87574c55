"""PDFs that cannot be trusted or opened: unreadable reports, clear per-file errors, limits."""

from __future__ import annotations

import io

import pytest

from parsers import parse_bytes
from parsers.model import UNREADABLE, ParseError
from parsers.pdf.reader import PdfSettings, extract_pdf, parse_pdf
from testkit.pdfgen import LAYOUTS, layout_report, render_pdf

pikepdf = pytest.importorskip("pikepdf")


@pytest.fixture(scope="module")
def good_pdf() -> bytes:
    lay = LAYOUTS["rl-ruled"]
    return render_pdf(layout_report(1, lay), lay)


@pytest.fixture(scope="module")
def lo_pdf() -> bytes:
    """A LibreOffice PDF: embedded Identity-H subset fonts with ToUnicode maps."""
    from testkit.pdfgen import libreoffice_available

    if not libreoffice_available():
        pytest.skip("LibreOffice is not installed")
    lay = LAYOUTS["lo-ruled"]
    return render_pdf(layout_report(3, lay), lay)


def _strip_tounicode(data: bytes) -> bytes:
    pdf = pikepdf.open(io.BytesIO(data))
    for page in pdf.pages:
        fonts = page.Resources.get("/Font") or {}
        for _, font in fonts.items():
            if "/ToUnicode" in font:
                del font["/ToUnicode"]
    buf = io.BytesIO()
    pdf.save(buf)
    return buf.getvalue()


def _image_only(data: bytes) -> bytes:
    """Each page rendered to a bitmap and placed in a new PDF: a scan without a text layer."""
    import pypdfium2 as pdfium
    from reportlab.lib.utils import ImageReader
    from reportlab.pdfgen.canvas import Canvas

    doc = pdfium.PdfDocument(data)
    buf = io.BytesIO()
    c = Canvas(buf, invariant=1)
    for i in range(len(doc)):
        w, h = doc[i].get_size()
        img = doc[i].render(scale=1).to_pil()
        c.setPageSize((w, h))
        c.drawImage(ImageReader(img), 0, 0, w, h)
        c.showPage()
    c.save()
    return buf.getvalue()


def _assert_unreadable(reps: list, word: str) -> None:
    assert len(reps) == 1
    r = reps[0]
    for t in (r.table2, r.table3, r.table4):
        assert t.status == UNREADABLE
        assert word in (t.reason or "")
    assert not r.table3.rows and not r.table4.cells and not r.table2.rows, "no numbers from garbled text"


def test_cid_text_is_unreadable(lo_pdf: bytes) -> None:
    garbled = _strip_tounicode(lo_pdf)
    ex = extract_pdf(garbled, "cid.pdf", PdfSettings(ocr=False))
    assert ex.unreadable and "(cid:" in ex.unreadable and ex.lines == []
    _assert_unreadable(parse_pdf(garbled, "cid.pdf", PdfSettings(ocr=False)), "ToUnicode")


def test_image_only_scan_is_unreadable(good_pdf: bytes) -> None:
    scan = _image_only(good_pdf)
    _assert_unreadable(parse_bytes(scan, "scan.pdf") if not PdfSettings().ocr
                       else parse_pdf(scan, "scan.pdf", PdfSettings(ocr=False)), "no text layer")


def test_encrypted_with_empty_user_password_opens(good_pdf: bytes) -> None:
    pdf = pikepdf.open(io.BytesIO(good_pdf))
    buf = io.BytesIO()
    pdf.save(buf, encryption=pikepdf.Encryption(user="", owner="owner-secret", R=6))
    rep = parse_pdf(buf.getvalue(), "enc-open.pdf")[0]
    assert rep.table3.status == "present"
    assert rep.table3.value("NEW", "TOT") == layout_report(1, LAYOUTS["rl-ruled"]).table3.value("NEW", "TOT")


def test_encrypted_with_password_is_a_clear_error(good_pdf: bytes) -> None:
    pdf = pikepdf.open(io.BytesIO(good_pdf))
    buf = io.BytesIO()
    pdf.save(buf, encryption=pikepdf.Encryption(user="user-secret", owner="owner-secret", R=4))
    with pytest.raises(ParseError, match="encrypted and needs a password") as e:
        parse_pdf(buf.getvalue(), "locked.pdf")
    assert e.value.source == "locked.pdf"


@pytest.mark.parametrize("cut", [0.3, 0.6, "trailer"])
def test_truncated_pdf_is_a_clear_error(good_pdf: bytes, cut: float | str) -> None:
    """A download cut short: in the middle of the page objects, or with every object but no trailer (so no
    /Root). Neither yields a report with numbers in it: each is one clear per-file error."""
    end = good_pdf.rindex(b"trailer") if cut == "trailer" else int(len(good_pdf) * cut)
    with pytest.raises(ParseError, match="damaged or not a PDF") as e:
        parse_pdf(good_pdf[:end], "cut.pdf")
    assert e.value.source == "cut.pdf"


def test_garbage_after_header_is_a_clear_error() -> None:
    with pytest.raises(ParseError, match="damaged or not a PDF"):
        parse_pdf(b"%PDF-1.7\n" + bytes(range(256)) * 50, "garbage.pdf")


def test_page_and_time_limits(good_pdf: bytes) -> None:
    with pytest.raises(ParseError, match="page limit"):
        extract_pdf(good_pdf, "big.pdf", PdfSettings(max_pages=1))
    with pytest.raises(ParseError, match="limit"):
        extract_pdf(good_pdf, "slow.pdf", PdfSettings(max_seconds=1e-6))
    with pytest.raises(ParseError, match="MB"):
        extract_pdf(good_pdf, "huge.pdf", PdfSettings(max_bytes=1000))
    with pytest.raises(ValueError):
        PdfSettings(max_pages=0)


def test_run_goes_on_after_a_bad_file(good_pdf: bytes, tmp_path) -> None:
    from flows.inputs import parse_inputs

    (tmp_path / "a-bad.pdf").write_bytes(b"%PDF-1.4\n%%EOF garbage")
    (tmp_path / "b-good.pdf").write_bytes(good_pdf)
    reports, errors = parse_inputs([tmp_path])
    assert len(reports) == 1 and reports[0].table3.status == "present"
    assert len(errors) == 1 and "a-bad.pdf" in str(errors[0])
