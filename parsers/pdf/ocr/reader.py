"""OCR fallback for pages without a usable text layer (image-only scans, fonts without ToUnicode).

Each page is rendered with pypdfium2 at ``PdfSettings.ocr_dpi`` (grayscale) and binarised (Otsu).

- Ruled tables are found in the image (``parsers.pdf.ocr.grid``: rule segments, pdfplumber's cell
  building) and every cell is cut out and read on its own (``parsers.pdf.ocr.cells``: chi_sim for
  labels, a digits-only eng model at two scales for numbers). A number both scales do not agree on,
  or read with low confidence, comes back as ``UNREADABLE_TEXT``, never as a guessed number.
- The rest of the page (tables whitened out, remaining rules erased) is read by ``tesseract`` as hOCR
  with character boxes; the characters become pseudo-characters in PDF points, so the normal text
  path rebuilds lines, paragraphs and borderless tables from them. Number cells of borderless
  tables are then re-read one by one like ruled cells (``parsers.pdf.ocr.cells``).

Every Fragment gets ``Provenance.confidence`` below 1 (tesseract's confidence, capped at 0.95) and
``parsers.pdf.reader`` flags every cell of the report ``ocr``: an OCR'd report can never pass silently.
All tesseract processes run single-threaded, two at a time (one per core).
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
from dataclasses import dataclass, field, replace
from functools import lru_cache
from typing import Any

import numpy as np

from parsers.lines import Line
from parsers.model import ParseError
from parsers.pdf.borderless import BorderlessRow
from parsers.pdf.ocr.cells import UNREADABLE_TEXT, CellRead, clean_number, ink_box, read_crops
from parsers.pdf.ocr.grid import GridTable, dark_runs, find_grid_tables, otsu_threshold
from parsers.pdf.ocr.lexicon import snap_label
from parsers.pdf.tables import PdfCell, PdfTable

MAX_CONFIDENCE = 0.95  # an OCR'd cell is never as trustworthy as a text layer


@lru_cache(maxsize=8)
def ocr_available(lang: str = "chi_sim") -> bool:
    """The tesseract binary is installed with the trained data for ``lang`` and for ``eng`` (table
    numbers are read by eng's digits; eng ships with the tesseract-ocr package)."""
    exe = shutil.which("tesseract")
    if exe is None:
        return False
    try:
        res = subprocess.run([exe, "--list-langs"], capture_output=True, text=True, timeout=30)
    except (OSError, subprocess.SubprocessError):
        return False
    langs = {ln.strip() for ln in (res.stdout + res.stderr).splitlines()}
    return all(part in langs for part in {*lang.split("+"), "eng"})


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


# chi_sim reads the full-width brackets of "（一）" as angle brackets, which reports do not print
_OCR_BRACKETS = str.maketrans({"〈": "（", "〉": "）"})
_CHAR = re.compile(r"x_bboxes (\d+) (\d+) (\d+) (\d+); x_conf ([\d.]+)'>([^<]*)<")


def parse_hocr(hocr: str, scale: float) -> list[OcrWord]:
    """Characters of tesseract's hOCR output (``hocr_char_boxes``), boxes from pixels to points.

    Character boxes, not words: chi_sim glues digits of neighbouring columns into one word, so the
    text path splits them itself by the gaps between characters.
    """
    out: list[OcrWord] = []
    for m in _CHAR.finditer(hocr):
        x0, top, x1, bottom = (int(m.group(k)) for k in range(1, 5))
        text = html.unescape(m.group(6)).strip().translate(_OCR_BRACKETS)
        if not text or x1 <= x0 or bottom <= top:
            continue
        if text in "|_[]丨" and (bottom - top) > 3 * (x1 - x0):
            continue  # what is left of a table rule
        out.append(OcrWord(text, x0 / scale, top / scale, x1 / scale, bottom / scale, float(m.group(5))))
    return out


def ocr_png(png: bytes, lang: str, dpi: int, timeout: float) -> str:
    """tesseract's hOCR with character boxes for one page image (single-threaded: jobs run side by side)."""
    env = {**os.environ, "OMP_THREAD_LIMIT": "1"}
    res = subprocess.run(["tesseract", "-", "-", "-l", lang, "--psm", "6", "--dpi", str(dpi),
                          "-c", "hocr_char_boxes=1", "hocr"],
                         input=png, capture_output=True, timeout=timeout, env=env)
    if res.returncode != 0:
        raise RuntimeError(res.stderr.decode(errors="replace").strip()[:300])
    return res.stdout.decode("utf-8", errors="replace")


def render_gray(data: bytes, page: int, dpi: int) -> tuple[Any, float]:
    """Page ``page`` (0-based) as a grayscale uint8 array at ``dpi`` and the scale (pixels per point).

    Call from one thread at a time: pdfium is not thread-safe.
    """
    import pypdfium2 as pdfium

    doc = pdfium.PdfDocument(data)
    try:
        scale = dpi / 72.0
        img = doc[page].render(scale=scale, grayscale=True).to_pil().convert("L")
        return np.asarray(img), scale
    finally:
        doc.close()


def remove_rules(img: Any, dpi: int) -> Any:
    """Erase table rules (dark runs longer than ~0.4 inch) so tesseract reads only the text in the grid."""
    from PIL import Image


    g = np.asarray(img)
    dark = g < 160
    length = max(20, int(dpi * 0.4))
    h = dark_runs(dark, length)
    v = dark_runs(dark.T, length)
    if not h and not v:
        return img
    out = g.copy()
    for y, a, b in h:
        out[y, a:b] = 255
    for x, a, b in v:
        out[a:b, x] = 255
    return Image.fromarray(out)


@dataclass(slots=True)
class OcrPage:
    """What OCR read on one page: words outside ruled tables, and the ruled tables cell by cell."""

    words: list[OcrWord]
    tables: list[PdfTable] = field(default_factory=list)
    cells: int = 0  # cells read one by one
    unreadable: int = 0  # number cells that could not be read with confidence


def _page_png(gray: Any, dark: Any, tables: list[GridTable], scale: float, dpi: int) -> bytes:
    """The page for full-page OCR: ruled tables whitened out (their cells are read one by one), other
    rules erased."""
    from PIL import Image

    g = np.array(gray, dtype=np.uint8) if tables else gray
    for t in tables:
        x0, top, x1, bottom = (round(v * scale) for v in t.bbox)
        m = max(2, round(2 * scale))
        g[max(0, top - m):bottom + m, max(0, x0 - m):x1 + m] = 255
    img = remove_rules(Image.fromarray(g), dpi)
    buf = io.BytesIO()
    img.save(buf, format="PNG")
    return buf.getvalue()


def _cell_box(bbox: tuple[float, float, float, float], scale: float, shape: tuple[int, ...]
              ) -> tuple[int, int, int, int]:
    """A cell's pixel box, inset from its rules by a point."""
    inset = 1.0
    x0 = max(0, round((bbox[0] + inset) * scale))
    y0 = max(0, round((bbox[1] + inset) * scale))
    x1 = min(shape[1], round((bbox[2] - inset) * scale))
    y1 = min(shape[0], round((bbox[3] - inset) * scale))
    return x0, y0, max(x0, x1), max(y0, y1)


def _conf(c: float) -> float:
    return round(min(MAX_CONFIDENCE, max(0.0, c / 100.0)), 3)


def _pdf_tables(grid: list[GridTable], reads: list[CellRead], page_no: int) -> list[PdfTable]:
    out: list[PdfTable] = []
    k = 0
    for t in grid:
        pt = PdfTable(page=page_no, bbox=t.bbox)
        for row in t.rows:
            cells = []
            for c in row:
                r = reads[k]
                k += 1
                cells.append(PdfCell(r.text, c.bbox, c.row, c.col, c.rowspan, c.colspan, _conf(r.conf)))
            pt.rows.append(cells)
        out.append(pt)
    return out


def _guard(source: str, seconds: float, what: str, fn: Callable[..., Any], *args: Any) -> Any:
    """Run one OCR step; tesseract failures and timeouts become a ParseError naming the file."""
    try:
        return fn(*args)
    except subprocess.TimeoutExpired as e:
        raise ParseError(source, f"OCR of {what} took longer than {seconds:g} s") from e
    except (OSError, RuntimeError) as e:
        raise ParseError(source, f"OCR of {what} failed ({e})") from e


def _workers() -> int:
    return max(1, min(2, os.cpu_count() or 1))


def ocr_pages(data: bytes, pages: Iterable[int], source: str, lang: str, dpi: int,
              check: Callable[[str], None], seconds: float) -> dict[int, OcrPage]:
    """What OCR reads on the given 0-based pages.

    Pages are rendered one after the other in this thread (pdfium is not thread-safe); each page is
    then handled by a page task while the next one renders (at most two pages in flight), and every
    tesseract process (full page, cell batches) runs on a pool of two workers, one per core.
    """

    timeout = max(5.0, seconds)

    def page_task(i: int, gray: Any, scale: float, pool: ThreadPoolExecutor) -> OcrPage:
        ink = otsu_threshold(gray)
        dark = gray < ink
        grid = find_grid_tables(gray, scale, ink)
        png = _page_png(gray, dark, grid, scale, dpi)
        full = pool.submit(_guard, source, seconds, f"page {i + 1}", ocr_png, png, lang, dpi, timeout)
        crops = [(gray[y0:y1, x0:x1], dark[y0:y1, x0:x1]) for t in grid for row in t.rows for c in row
                 for x0, y0, x1, y1 in [_cell_box(c.bbox, scale, gray.shape)]]
        reads = _guard(source, seconds, f"the table cells of page {i + 1}", read_crops, crops, scale, timeout, pool,
                       lang)
        words = parse_hocr(full.result(), scale)
        return OcrPage(words, _pdf_tables(grid, reads, i + 1), len(reads),
                       sum(1 for r in reads if r.kind == "unreadable"))

    out: dict[int, OcrPage] = {}
    with ThreadPoolExecutor(max_workers=_workers()) as pool, ThreadPoolExecutor(max_workers=2) as tasks:
        flight: list[tuple[int, Any]] = []
        for i in pages:
            check(f"OCR of page {i + 1}")
            while len(flight) >= 2:
                j, f = flight.pop(0)
                out[j] = f.result()
            try:
                gray, scale = render_gray(data, i, dpi)
            except Exception as e:  # pdfium raises its own error types for damaged pages
                raise ParseError(source, f"page {i + 1} cannot be rendered for OCR ({type(e).__name__}: {e})") from e
            flight.append((i, tasks.submit(page_task, i, gray, scale, pool)))
        for j, f in flight:
            out[j] = f.result()
    return out


def reread_rows(data: bytes, rows_by_page: dict[int, list[BorderlessRow]], source: str, lang: str, dpi: int,
                seconds: float) -> tuple[dict[int, list[BorderlessRow]], int, int]:
    """Borderless table rows (0-based page -> rows built from the full-page OCR) with every value cell
    read again from the page image on its own, like a ruled cell.

    The value cells of a block are the cells right of its label area (the leftmost number); each is
    cut out over its column and line (``borderless_value_boxes``), so a number the full-page OCR
    missed (a blank cell) or misread is read by the digits model. A cell with no ink on its own line
    is blank; one that is not a clean, confident number, or whose ink another cell of the row also
    read, becomes ``UNREADABLE_TEXT``. Returns the rows, the number of cells read and of those
    unreadable.
    """

    timeout = max(5.0, seconds)
    out: dict[int, list[BorderlessRow]] = {}
    n_cells = n_bad = 0
    with ThreadPoolExecutor(max_workers=_workers()) as pool:
        for i, rows in rows_by_page.items():
            targets = borderless_value_boxes(rows)
            if not targets:
                out[i] = rows
                continue
            try:
                gray, scale = render_gray(data, i, dpi)
            except Exception as e:
                raise ParseError(source, f"page {i + 1} cannot be rendered for OCR ({type(e).__name__}: {e})") from e
            dark = gray < otsu_threshold(gray)
            crops = []
            origins = []
            min_pixels = max(4, int((0.8 * scale) ** 2))
            for ri, _c, box in targets:
                x0, y0, x1, y1 = (round(v * scale) for v in box)
                x0, y0 = max(0, x0), max(0, y0)
                d = dark[y0:y1, x0:x1]
                # no ink on the row's own line: a blank cell (what the margins catch is the rows around)
                core = dark[round(rows[ri].top * scale):round(rows[ri].bottom * scale), x0:x1]
                if ink_box(core, min_pixels) is None:
                    d = np.zeros_like(d)
                crops.append((gray[y0:y1, x0:x1], d))
                origins.append((x0, y0))
            reads = _guard(source, seconds, f"the table cells of page {i + 1}", read_crops, crops, scale, timeout,
                           pool, lang, True)
            reads = _unique_ink(targets, crops, origins, reads)
            new = [BorderlessRow(r.top, r.bottom, list(r.cells), r.block) for r in rows]
            values = {(ri, ci) for ri, ci, _box in targets}
            for ri, r in enumerate(new):  # label cells: the statutory wording when it is clear
                r.cells = [(snap_label(t) if t and (ri, ci) not in values else t, bb)
                           for ci, (t, bb) in enumerate(r.cells)]
            for (ri, ci, _box), rd in zip(targets, reads, strict=True):
                _text, bbox = new[ri].cells[ci]
                if rd.kind == "label":
                    continue  # words, not a number: keep what the page OCR read
                new[ri].cells[ci] = (rd.text, bbox)
                n_cells += 1
                n_bad += rd.text == UNREADABLE_TEXT
            out[i] = new
    return out, n_cells, n_bad


def _unique_ink(targets: list[tuple[int, int, Any]], crops: list[tuple[Any, Any]], origins: list[tuple[int, int]],
                reads: list[CellRead]) -> list[CellRead]:
    """Numbers of one row read from the same ink (two cells' crops over one printed number, when the
    columns of a borderless block are misplaced) are unreadable, both of them: never a number twice."""

    boxes: dict[int, tuple[int, int, int, int]] = {}
    for k, ((_g, d), (ox, oy), rd) in enumerate(zip(crops, origins, reads, strict=True)):
        ib = ink_box(d, 1) if rd.kind == "number" else None
        if ib is not None:
            boxes[k] = (ib[0] + ox, ib[1] + oy, ib[2] + ox, ib[3] + oy)
    out = list(reads)
    for a, ba in boxes.items():
        for b, bb in boxes.items():
            if a < b and targets[a][0] == targets[b][0] and ba[0] < bb[2] and bb[0] < ba[2] \
                    and ba[1] < bb[3] and bb[1] < ba[3]:
                for k in (a, b):
                    out[k] = CellRead(UNREADABLE_TEXT, 0.0, "unreadable", guess=reads[k].text)
    return out


def borderless_value_boxes(rows: list[BorderlessRow]) -> list[tuple[int, int, tuple[float, float, float, float]]]:
    """(row index, cell index, crop box in points) of every value cell of the borderless rows of a page.

    Per block: the label area ends at the leftmost cell holding a clean number; the cells right of it
    are clustered into columns by their x-extent; a cell's crop spans its column widened by half a
    line height (never past half-way to a neighbouring column or into the labels), and its line's
    height plus a third above and below. The reader refuses a crop whose ink touches its edge.
    """

    out: list[tuple[int, int, tuple[float, float, float, float]]] = []
    blocks: dict[int, list[int]] = {}
    for ri, r in enumerate(rows):
        blocks.setdefault(r.block, []).append(ri)
    for members in blocks.values():
        xs = [bb[0] for ri in members for t, bb in rows[ri].cells if t and clean_number(t) is not None]
        if not xs:
            continue
        edge = min(xs) - 1.0
        cells = [(ri, ci, bb) for ri in members for ci, (_t, bb) in enumerate(rows[ri].cells)
                 if (bb[0] + bb[2]) / 2 >= edge]
        cols: list[list[float]] = []
        for _ri, _ci, bb in sorted(cells, key=lambda c: c[2][0]):
            if cols and bb[0] <= cols[-1][1]:
                cols[-1][1] = max(cols[-1][1], bb[2])
            else:
                cols.append([bb[0], bb[2]])
        label_right = max((bb[2] for ri in members for _t, bb in rows[ri].cells if (bb[0] + bb[2]) / 2 < edge),
                          default=edge - 10.0)
        for ri, ci, bb in cells:
            k = next(n for n, (a, b) in enumerate(cols) if a <= (bb[0] + bb[2]) / 2 <= b)
            a, b = cols[k]
            r = rows[ri]
            h = max(1.0, r.bottom - r.top)
            left = max(a - h / 2, (cols[k - 1][1] + a) / 2 if k > 0 else label_right + 1.0)
            right = min(b + h / 2, (b + cols[k + 1][0]) / 2) if k + 1 < len(cols) else b + h / 2
            out.append((ri, ci, (left, r.top - h / 3, right, r.bottom + h / 3)))
    return out


_CJK_CHAR = re.compile(r"[\u3400-\u9fff\uf900-\ufaff\u3000-\u303f\uff00-\uffef]")


def line_chars(words: list[OcrWord]) -> list[dict[str, Any]]:
    """OCR character boxes as pdfplumber-like chars, with one top, bottom and size per printed line.

    Tesseract's boxes hug the glyphs ("一" is a flat box, "性" a narrow one), so characters are
    clustered into lines by their vertical centre and each gets its line's median box; a CJK
    character is widened to a full em (its advance in print), so the gaps inside a CJK word do not
    look like column gaps to the text path.
    """
    from statistics import median

    from pdfplumber.utils import cluster_objects

    chars = [w.as_char() for w in words]
    if not chars:
        return []
    h = median(c["bottom"] - c["top"] for c in chars)
    out: list[dict[str, Any]] = []
    for cl in cluster_objects(chars, lambda c: (c["top"] + c["bottom"]) / 2, max(1.0, 0.35 * h)):
        tall = [c for c in cl if c["bottom"] - c["top"] > 0.5 * h] or cl
        top = median(c["top"] for c in tall)
        bottom = median(c["bottom"] for c in tall)
        size = bottom - top
        for c in cl:
            x0, x1 = c["x0"], c["x1"]
            if _CJK_CHAR.match(c["text"]) and x1 - x0 < size:
                mid = (x0 + x1) / 2
                x0, x1 = mid - size / 2, mid + size / 2
            out.append({**c, "x0": x0, "x1": x1, "top": top, "bottom": bottom, "size": size})
    return out


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


def with_confidence(lines: list[Line], words_by_page: dict[int, OcrPage]) -> list[Line]:
    """Lines whose every Fragment from an OCR'd page (1-based ``prov.page``) carries a confidence < 1
    (cells read one by one keep their own)."""
    out: list[Line] = []
    for ln in lines:
        cells = []
        for f in ln.cells:
            page = f.prov.page
            if page is not None and page - 1 in words_by_page and (
                    f.prov.confidence is None or f.prov.confidence >= 1):
                conf = word_confidence(words_by_page[page - 1].words, f.prov.bbox)
                f = replace(f, prov=replace(f.prov, confidence=conf))
            cells.append(f)
        out.append(replace(ln, cells=tuple(cells)))
    return out
