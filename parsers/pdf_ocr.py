"""OCR fallback for pages without a usable text layer (image-only scans, fonts without ToUnicode).

Each page is rendered with pypdfium2 at ``PdfSettings.ocr_dpi`` and read by the ``tesseract`` binary
(Debian ``tesseract-ocr`` + ``tesseract-ocr-chi-sim``) as hOCR with character boxes. The characters become
pseudo-characters in PDF points, so the normal path rebuilds lines, paragraphs and (borderless)
tables from them. Every Fragment gets ``Provenance.confidence`` below 1 (tesseract's word confidence,
capped at 0.95) and ``parsers.pdf`` flags every cell of the report ``ocr``: an OCR'd report can never
pass silently.
"""

from __future__ import annotations

import html
import io
import os
import re
import shutil
import subprocess
from collections.abc import Callable, Iterable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, replace
from functools import lru_cache
from typing import Any

from parsers.lines import Line
from parsers.model import ParseError

MAX_CONFIDENCE = 0.95  # an OCR'd cell is never as trustworthy as a text layer


@lru_cache(maxsize=8)
def ocr_available(lang: str = "chi_sim") -> bool:
    """The tesseract binary is installed with the trained data for ``lang``."""
    exe = shutil.which("tesseract")
    if exe is None:
        return False
    try:
        res = subprocess.run([exe, "--list-langs"], capture_output=True, text=True, timeout=30)
    except (OSError, subprocess.SubprocessError):
        return False
    langs = {ln.strip() for ln in (res.stdout + res.stderr).splitlines()}
    return all(part in langs for part in lang.split("+"))


@dataclass(frozen=True, slots=True)
class OcrWord:
    text: str
    x0: float  # PDF points from the top-left corner, like pdfplumber
    top: float
    x1: float
    bottom: float
    conf: float  # 0..100

    def as_char(self) -> dict[str, Any]:
        """The word as a pdfplumber-like character dict (the text path's input)."""
        h = self.bottom - self.top
        return {"text": self.text, "x0": self.x0, "x1": self.x1, "top": self.top, "bottom": self.bottom,
                "size": h, "upright": True, "conf": self.conf}


_CHAR = re.compile(r"x_bboxes (\d+) (\d+) (\d+) (\d+); x_conf ([\d.]+)'>([^<]*)<")


def parse_hocr(hocr: str, scale: float) -> list[OcrWord]:
    """Characters of tesseract's hOCR output (``hocr_char_boxes``), boxes from pixels to points.

    Character boxes, not words: chi_sim glues digits of neighbouring columns into one word, so the
    text path splits them itself by the gaps between characters.
    """
    out: list[OcrWord] = []
    for m in _CHAR.finditer(hocr):
        x0, top, x1, bottom = (int(m.group(k)) for k in range(1, 5))
        text = html.unescape(m.group(6)).strip()
        if not text or x1 <= x0 or bottom <= top:
            continue
        if text in "|_[]丨" and (bottom - top) > 3 * (x1 - x0):
            continue  # what is left of a table rule
        out.append(OcrWord(text, x0 / scale, top / scale, x1 / scale, bottom / scale, float(m.group(5))))
    return out


def ocr_png(png: bytes, lang: str, dpi: int, timeout: float) -> str:
    """tesseract's hOCR with character boxes for one page image (single-threaded: pages run in parallel)."""
    env = {**os.environ, "OMP_THREAD_LIMIT": "1"}
    res = subprocess.run(["tesseract", "-", "-", "-l", lang, "--psm", "6", "--dpi", str(dpi),
                          "-c", "hocr_char_boxes=1", "hocr"],
                         input=png, capture_output=True, timeout=timeout, env=env)
    if res.returncode != 0:
        raise RuntimeError(res.stderr.decode(errors="replace").strip()[:300])
    return res.stdout.decode("utf-8", errors="replace")


def render_png(data: bytes, page: int, dpi: int) -> tuple[bytes, float, float]:
    """Page ``page`` (0-based) as a grayscale PNG at ``dpi``, table rules erased; its height in points and
    the scale (pixels per point)."""
    import pypdfium2 as pdfium

    doc = pdfium.PdfDocument(data)
    try:
        pg = doc[page]
        height = pg.get_size()[1]
        scale = dpi / 72.0
        img = remove_rules(pg.render(scale=scale, grayscale=True).to_pil().convert("L"), dpi)
        buf = io.BytesIO()
        img.save(buf, format="PNG")
        return buf.getvalue(), height, scale
    finally:
        doc.close()


def _long_runs(dark: Any, length: int, axis: int) -> Any:
    """Pixels on a dark run of at least ``length`` along ``axis`` (1-D opening via cumulative sums)."""
    import numpy as np

    a = np.moveaxis(dark, axis, -1).astype(np.int32)
    c = np.concatenate([np.zeros((*a.shape[:-1], 1), np.int32), np.cumsum(a, axis=-1)], axis=-1)
    full = (c[..., length:] - c[..., :-length]) == length  # window starting at i is all dark
    starts = np.concatenate([np.zeros((*a.shape[:-1], 1), np.int32),
                             np.cumsum(full.astype(np.int32), axis=-1)], axis=-1)
    n = a.shape[-1]
    idx = np.arange(n)
    lo = np.clip(idx - length + 1, 0, full.shape[-1])
    hi = np.clip(idx + 1, 0, full.shape[-1])
    covered = (starts[..., hi] - starts[..., lo]) > 0  # some all-dark window covers the pixel
    return np.moveaxis(covered, -1, axis)


def remove_rules(img: Any, dpi: int) -> Any:
    """Erase table rules (dark runs longer than ~0.4 inch) so tesseract reads only the text in the grid."""
    import numpy as np
    from PIL import Image

    g = np.asarray(img)
    dark = g < 160
    length = max(20, int(dpi * 0.4))
    rules = _long_runs(dark, length, 1) | _long_runs(dark, length, 0)
    if not rules.any():
        return img
    out = g.copy()
    out[rules] = 255
    return Image.fromarray(out)


def ocr_pages(data: bytes, pages: Iterable[int], source: str, lang: str, dpi: int,
              check: Callable[[str], None], seconds: float) -> dict[int, list[OcrWord]]:
    """OCR words of the given 0-based pages, two pages at a time (tesseract is single-threaded here)."""
    pages = list(pages)

    def one(i: int) -> tuple[int, list[OcrWord]]:
        check(f"OCR of page {i + 1}")
        png, _h, scale = render_png(data, i, dpi)
        try:
            hocr = ocr_png(png, lang, dpi, timeout=max(5.0, seconds))
        except subprocess.TimeoutExpired as e:
            raise ParseError(source, f"OCR of page {i + 1} took longer than {seconds:g} s") from e
        except (OSError, RuntimeError) as e:
            raise ParseError(source, f"OCR of page {i + 1} failed ({e})") from e
        return i, parse_hocr(hocr, scale)

    workers = max(1, min(len(pages), os.cpu_count() or 1, 4))
    with ThreadPoolExecutor(max_workers=workers) as ex:
        return dict(ex.map(one, pages))


def word_confidence(words: list[OcrWord], bbox: tuple[float, float, float, float] | None) -> float:
    """Confidence of one cell: the lowest word confidence inside its box (0..MAX_CONFIDENCE)."""
    inside = [w.conf for w in words if bbox is not None and bbox[0] - 1 <= (w.x0 + w.x1) / 2 <= bbox[2] + 1
              and bbox[1] - 1 <= (w.top + w.bottom) / 2 <= bbox[3] + 1]
    if not inside:
        inside = [w.conf for w in words] or [0.0]
        conf = sum(inside) / len(inside) / 100.0
    else:
        conf = min(inside) / 100.0
    return round(min(MAX_CONFIDENCE, max(0.0, conf)), 3)


def with_confidence(lines: list[Line], words_by_page: dict[int, list[OcrWord]]) -> list[Line]:
    """Lines whose every Fragment from an OCR'd page (1-based ``prov.page``) carries a confidence < 1."""
    out: list[Line] = []
    for ln in lines:
        cells = []
        for f in ln.cells:
            page = f.prov.page
            if page is not None and page - 1 in words_by_page:
                conf = word_confidence(words_by_page[page - 1], f.prov.bbox)
                f = replace(f, prov=replace(f.prov, confidence=conf))
            cells.append(f)
        out.append(replace(ln, cells=tuple(cells)))
    return out
