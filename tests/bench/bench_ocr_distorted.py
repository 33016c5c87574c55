"""OCR of scans that are not clean: skewed, blurred, noisy, JPEG-compressed and stamped.

The "0 wrong numbers" of ``bench_pdf`` is measured on clean generated scans (a page rendered straight
to a bitmap). Real scans are tilted on the glass, soft, noisy, saved as JPEG, and carry the body's red
seal over the table. Each distortion below is applied to the page bitmaps of generated reports
(the same reports and scans as ``tests/parsers/test_pdf_ocr.py``), the scan is parsed with OCR, and
every printed cell is scored: right, wrong (a number that is not the printed one: the count that
must stay 0) and unread (no number: the rule is not checked, which is honest but costs coverage).

Bench only (``make bench`` or ``python -m tests.bench bench_ocr_distorted``): minutes of tesseract.
"""

from __future__ import annotations

import io
import time
from collections.abc import Callable
from typing import Any

DPI = 200  # the scan resolution (the OCR itself renders at PdfSettings.ocr_dpi)
SEEDS = (201, 202)
LAYOUT_NAMES = ("rl-ruled", "rl-borderless")


def _rotate(deg: float) -> Callable[[Any, int, float, list], Any]:
    def f(img, _page: int, _k: float, _cells: list):
        from PIL import Image

        return img.rotate(deg, resample=Image.Resampling.BICUBIC, expand=False, fillcolor=(255, 255, 255))

    return f


def _blur(radius_pt: float) -> Callable[[Any, int, float, list], Any]:
    def f(img, _page: int, k: float, _cells: list):
        from PIL import ImageFilter

        return img.filter(ImageFilter.GaussianBlur(radius_pt * k))

    return f


def _jpeg(quality: int) -> Callable[[Any, int, float, list], Any]:
    def f(img, _page: int, _k: float, _cells: list):
        from PIL import Image

        buf = io.BytesIO()
        img.save(buf, "JPEG", quality=quality)
        return Image.open(io.BytesIO(buf.getvalue())).convert("RGB")

    return f


def _noise(sigma: float, seed: int = 7) -> Callable[[Any, int, float, list], Any]:
    def f(img, page: int, _k: float, _cells: list):
        import numpy as np
        from PIL import Image

        rng = np.random.default_rng(seed + page)
        a = np.asarray(img, dtype=np.float32)
        a = a + rng.normal(0.0, sigma, a.shape[:2])[..., None]
        return Image.fromarray(np.clip(a, 0, 255).astype(np.uint8))

    return f


def _stamp(img, page: int, k: float, cells: list):
    """A red seal (ring, inner ring, star) centred on a table 三 cell of this page, over about a dozen
    cells, as a body's 公章 over the table."""
    import math

    from PIL import ImageDraw

    mine = [bbox for p, bbox in cells if p == page]
    if not mine:
        return img
    x0, top, x1, bottom = mine[len(mine) // 2]
    cx, cy = (x0 + x1) / 2 * k, (top + bottom) / 2 * k
    r = 45 * k  # a 32 mm seal is about 90 pt across
    d = ImageDraw.Draw(img)
    red = (210, 30, 40)
    d.ellipse([cx - r, cy - r, cx + r, cy + r], outline=red, width=max(2, round(3 * k)))
    d.ellipse([cx - r * 0.9, cy - r * 0.9, cx + r * 0.9, cy + r * 0.9], outline=red, width=max(1, round(k)))
    pts = []
    for i in range(10):
        rad = r * (0.28 if i % 2 == 0 else 0.11)
        a = -math.pi / 2 + i * math.pi / 5
        pts.append((cx + rad * math.cos(a), cy + rad * math.sin(a)))
    d.polygon(pts, fill=red)
    return img


def _chain(*fs: Callable[[Any, int, float, list], Any]) -> Callable[[Any, int, float, list], Any]:
    def f(img, page: int, k: float, cells: list):
        for g in fs:
            img = g(img, page, k, cells)
        return img

    return f


DISTORTIONS: dict[str, Callable[[Any, int, float, list], Any]] = {
    "clean": lambda img, *_: img,
    "rotated +1°": _rotate(1.0),
    "rotated -2°": _rotate(-2.0),
    "blur (0.6 pt)": _blur(0.6),
    "JPEG quality 20": _jpeg(20),
    "noise (sigma 40)": _noise(40.0),
    "red seal over cells": _stamp,
    "all: -1.5°, blur, noise, seal, JPEG 30": _chain(_rotate(-1.5), _blur(0.4), _noise(25.0), _stamp, _jpeg(30)),
}


def distorted_scan(data: bytes, distort: Callable[[Any, int, float, list], Any], cells: list,
                   dpi: int = DPI) -> bytes:
    """Like ``tests.parsers.test_pdf_ocr.scan_of`` (page bitmaps, embedded losslessly), in colour, with
    ``distort(img, page, px_per_pt, cells)`` applied to each page bitmap."""
    import pypdfium2 as pdfium
    from reportlab.lib.utils import ImageReader
    from reportlab.pdfgen.canvas import Canvas

    doc = pdfium.PdfDocument(data)
    buf = io.BytesIO()
    c = Canvas(buf, invariant=1)
    k = dpi / 72
    for i in range(len(doc)):
        w, h = doc[i].get_size()
        img = doc[i].render(scale=k, grayscale=True).to_pil().convert("RGB")  # as scan_of; RGB for the seal
        img = distort(img, i, k, cells)
        c.setPageSize((w, h))
        c.drawImage(ImageReader(img), 0, 0, w, h)
        c.showPage()
    c.save()
    return buf.getvalue()


def _t3_cells(rep) -> list[tuple[int, tuple[float, float, float, float]]]:
    """(0-based page, bbox) of every table 三 number of the text PDF, in reading order."""
    out = []
    for row in rep.table3.rows.values():
        for cell in row.cells.values():
            if cell.prov is not None and cell.prov.bbox is not None and cell.prov.page:
                out.append((cell.prov.page - 1, tuple(cell.prov.bbox)))
    return out


def main() -> None:
    from parsers.pdf.ocr.reader import ocr_available
    from parsers.pdf.reader import PdfSettings, parse_pdf
    from testkit.pdfgen import LAYOUTS, layout_report, render_pdf
    from tests.parsers.test_pdf_ocr import score

    if not ocr_available("chi_sim"):
        print("pdf-ocr-distorted: skipped (tesseract with chi_sim and eng is not installed)")
        return
    sources = []
    for name in LAYOUT_NAMES:
        lay = LAYOUTS[name]
        for seed in SEEDS:
            want = layout_report(seed, lay)
            pdf = render_pdf(want, lay, cache=False)
            text = parse_pdf(pdf, f"{name}-{seed}.pdf", PdfSettings(ocr=False))[0]
            sources.append((name, seed, want, pdf, _t3_cells(text)))
    print(f"pdf-ocr-distorted: {len(sources)} generated reports ({', '.join(LAYOUT_NAMES)}; seeds "
          f"{', '.join(map(str, SEEDS))}) scanned at {DPI} dpi; cells right / wrong / unread per distortion")
    totals = {"right": 0, "wrong": 0, "unread": 0}
    for label, distort in DISTORTIONS.items():
        per_layout: dict[str, list[int]] = {}
        bad_all: list[str] = []
        secs = 0.0
        for name, seed, want, pdf, cells in sources:
            scan = distorted_scan(pdf, distort, cells)
            t0 = time.perf_counter()
            reps = parse_pdf(scan, f"{name}-{seed}.pdf", PdfSettings(ocr=True))
            secs += time.perf_counter() - t0
            if not reps:
                right, wrong, unread, bad = 0, 0, len(cells), []
            else:
                right, wrong, unread, bad = score(want, reps[0])
            acc = per_layout.setdefault(name, [0, 0, 0])
            acc[0] += right
            acc[1] += wrong
            acc[2] += unread
            bad_all += [f"{name}-{seed} {b}" for b in bad]
        r = sum(v[0] for v in per_layout.values())
        w = sum(v[1] for v in per_layout.values())
        u = sum(v[2] for v in per_layout.values())
        n = r + w + u
        totals["right"] += r
        totals["wrong"] += w
        totals["unread"] += u
        parts = "; ".join(f"{k} {v[0]}/{v[1]}/{v[2]}" for k, v in per_layout.items())
        print(f"pdf-ocr-distorted: {label:<40} right {r}/{n} = {r / max(n, 1):.1%}, wrong {w}, unread {u} "
              f"({parts}); {secs:.0f} s", flush=True)
        for b in bad_all[:5]:
            print(f"    wrong: {b}")
    n = sum(totals.values())
    print(f"pdf-ocr-distorted: all distortions: right {totals['right']}/{n}, wrong {totals['wrong']}, "
          f"unread {totals['unread']}")


if __name__ == "__main__":
    main()
