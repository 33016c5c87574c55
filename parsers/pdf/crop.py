"""Crop one cell out of a PDF page as a PNG, so Data Docs and alerts can show the printed cell.

Coordinates are the ones ``parsers.pdf.reader`` records in ``Provenance.bbox``: PDF points from the top-left
corner of the page, (x0, top, x1, bottom), as pdfplumber reports them.
"""

from __future__ import annotations

import io

from parsers.model import ParseError

BBox = tuple[float, float, float, float]


def crop_cell_png(data: bytes, page: int, bbox: BBox, *, scale: float = 2.0, margin: float = 6.0,
                  source: str = "<pdf>") -> bytes:
    """The PNG image of ``bbox`` on 1-based ``page`` with ``margin`` points of context around it."""
    import pypdfium2 as pdfium

    try:
        doc = pdfium.PdfDocument(data)
    except pdfium.PdfiumError as e:
        raise ParseError(source, f"PDF cannot be rendered ({e})") from e
    try:
        if not 1 <= page <= len(doc):
            raise ParseError(source, f"page {page} is out of range (1-{len(doc)})")
        pg = doc[page - 1]
        width, height = pg.get_size()
        x0, top, x1, bottom = bbox
        if x1 <= x0 or bottom <= top:
            raise ValueError(f"empty bounding box {bbox}")
        left = max(0.0, x0 - margin)
        right = min(width, x1 + margin)
        upper = max(0.0, top - margin)
        lower = min(height, bottom + margin)
        # pdfium crops in points from each edge of the page, in PDF (bottom-up) orientation.
        bitmap = pg.render(scale=scale, crop=(left, height - lower, width - right, upper))
        img = bitmap.to_pil()
        buf = io.BytesIO()
        img.save(buf, format="PNG", optimize=True)
        return buf.getvalue()
    finally:
        doc.close()
