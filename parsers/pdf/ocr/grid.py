"""Ruled tables in a page image: rule segments found with numpy, cells built like pdfplumber's.

A scanned page has no vector rules, so the grid is found in the binarised image: dark runs longer
than a cell edge are rule pixels; they become line segments in PDF points, and pdfplumber's own
edge merging, intersection and cell-building functions turn them into tables with merged cells,
exactly as for a text PDF (``parsers.pdf.tables``). A vertical segment counts only when both its
ends meet a horizontal rule (a glyph stroke inside a cell never does).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from parsers.pdf.tables import grid_cell_spans

BBox = tuple[float, float, float, float]

SNAP = 1.5  # points: the pixel rows of one printed rule (rules close together stay apart)
INTERSECT = 3.0  # points, as pdf_tables.TABLE_SETTINGS
MIN_H = 18.0  # points: shorter dark runs are glyph strokes ("一" of a 16-point title is ~15 pt)
MIN_V = 9.0  # points: a row is at least this tall; strokes are kept out by the end-point test


@dataclass(slots=True)
class GridCell:
    bbox: BBox  # points, top-left origin
    row: int
    col: int
    rowspan: int = 1
    colspan: int = 1


@dataclass(slots=True)
class GridTable:
    bbox: BBox
    rows: list[list[GridCell]]


def otsu_threshold(gray: Any) -> int:
    """Otsu's threshold of a uint8 image (the grey level that best separates ink from paper)."""
    import numpy as np

    # every other pixel of every other row: the same histogram shape at a quarter of the cost
    hist = np.bincount(np.asarray(gray, dtype=np.uint8)[::2, ::2].ravel(), minlength=256).astype(np.float64)
    total = hist.sum()
    if total == 0:
        return 128
    levels = np.arange(256, dtype=np.float64)
    w0 = np.cumsum(hist)
    m0 = np.cumsum(hist * levels)
    w1 = total - w0
    mt = m0[-1]
    with np.errstate(divide="ignore", invalid="ignore"):
        between = (mt * w0 / total - m0) ** 2 / (w0 * w1)
    between = np.nan_to_num(between[:-1])
    t = int(np.argmax(between))
    # a page of paper only (or ink only) has no useful split: keep a conservative mid-grey
    return t if 40 <= t <= 220 else 160


def dark_runs(dark: Any, length: int) -> list[tuple[int, int, int]]:
    """(row, start, end-exclusive) of every horizontal run of ink at least ``length`` pixels long."""
    import numpy as np

    m = np.ascontiguousarray(dark, dtype=np.int8)
    pad = np.zeros((m.shape[0], 1), np.int8)
    d = np.diff(np.concatenate([pad, m, pad], axis=1), axis=1)
    starts = np.argwhere(d == 1)  # row-major order: starts and ends pair up
    ends = np.argwhere(d == -1)[:, 1]
    keep = (ends - starts[:, 1]) >= length
    return [(int(r), int(a), int(b)) for (r, a), b in zip(starts[keep], ends[keep], strict=True)]


def rule_edges(dark: Any, scale: float) -> list[dict[str, Any]]:
    """Rule segments of a binarised page (``scale`` pixels per point) as pdfplumber edges in points,
    merged and filtered."""
    from pdfplumber.table import merge_edges

    edges: list[dict[str, Any]] = []
    for y, x0, x1 in dark_runs(dark, max(8, int(MIN_H * scale))):
        top = (y + 0.5) / scale
        edges.append({"x0": x0 / scale, "x1": x1 / scale, "top": top, "bottom": top, "width": (x1 - x0) / scale,
                      "height": 0.0, "orientation": "h", "object_type": "line"})
    for x, y0, y1 in dark_runs(dark.T, max(6, int(MIN_V * scale))):
        left = (x + 0.5) / scale
        edges.append({"x0": left, "x1": left, "top": y0 / scale, "bottom": y1 / scale, "width": 0.0,
                      "height": (y1 - y0) / scale, "orientation": "v", "object_type": "line"})
    if not edges:
        return []
    edges = merge_edges(edges, SNAP, SNAP, SNAP, SNAP)
    hs = [e for e in edges if e["orientation"] == "h" and e["x1"] - e["x0"] >= MIN_H]
    tol = SNAP + 1.0

    def meets(x: float, y: float) -> bool:
        return any(abs(h["top"] - y) <= tol and h["x0"] - tol <= x <= h["x1"] + tol for h in hs)

    vs = [e for e in edges if e["orientation"] == "v" and e["bottom"] - e["top"] >= MIN_V
          and meets(e["x0"], e["top"]) and meets(e["x0"], e["bottom"])]
    return hs + vs


def grid_tables(edges: list[dict[str, Any]]) -> list[GridTable]:
    """Tables of the rule segments, rows of printed cells in reading order (merged cells once)."""
    from pdfplumber.table import Table, cells_to_tables, edges_to_intersections, intersections_to_cells


    if not edges:
        return []
    inter = edges_to_intersections(edges, INTERSECT, INTERSECT)
    cells = intersections_to_cells(inter)
    out: list[GridTable] = []
    for group in cells_to_tables(cells):
        t = Table(None, group)  # type: ignore[arg-type]  # the page is only used by extract()
        rows: list[list[GridCell]] = []
        multi = False
        for ri, spans in enumerate(grid_cell_spans(t.rows)):
            row = [GridCell(bb, ri, ci, rowspan, colspan) for ci, bb, rowspan, colspan in spans]
            multi = multi or len(row) >= 2
            rows.append(row)
        if multi:
            out.append(GridTable(tuple(float(v) for v in t.bbox), rows))  # type: ignore[arg-type]
    out.sort(key=lambda g: g.bbox[1])
    return out


def rule_threshold(gray: Any, ink: int) -> float:
    """Grey level below which a pixel may belong to a rule: half-way between the ink threshold and
    the paper. Thin grey rules (LibreOffice prints 0.5-point grey borders) come out of a scan lighter
    than text; only long runs count as rules, so the lenient level picks up no text or noise."""
    import numpy as np

    paper = float(np.median(np.asarray(gray)[::4, ::4]))
    return min(245.0, (ink + paper) / 2) if paper > ink else float(ink)


def find_grid_tables(gray: Any, scale: float, ink: int | None = None) -> list[GridTable]:
    """Every ruled table in a grayscale page image, in points (``ink``: the page's ink threshold)."""
    t = otsu_threshold(gray) if ink is None else ink
    return grid_tables(rule_edges(gray < rule_threshold(gray, t), scale))
