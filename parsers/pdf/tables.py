"""Ruled tables: pdfplumber's ``lines`` strategy, with the clean-up real PDFs need.

- Only stroked paths and thin filled rectangles count as rules. WPS and Word put filled white or
  shaded rectangles behind paragraphs and cells; taken as edges they turn paragraphs into tables.
- A merged cell is one printed cell: pdfplumber returns ``None`` for the grid positions it covers,
  and those are not repeated.
- Text wrapped inside a cell is joined without a newline (see ``pdf_text.join_wrapped``), which also
  rebuilds vertical one-character-per-line labels.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from parsers.pdf.text import join_wrapped

BBox = tuple[float, float, float, float]

TABLE_SETTINGS: dict[str, Any] = {
    "vertical_strategy": "lines",
    "horizontal_strategy": "lines",
    "snap_tolerance": 3,
    "join_tolerance": 3,
    "intersection_tolerance": 3,
    "text_x_tolerance": 1.5,
    "text_y_tolerance": 2,
}


@dataclass(slots=True)
class PdfCell:
    raw: str
    bbox: BBox
    row: int
    col: int
    rowspan: int = 1
    colspan: int = 1
    confidence: float | None = None


@dataclass(slots=True)
class PdfTable:
    page: int
    bbox: BBox
    rows: list[list[PdfCell]] = field(default_factory=list)
    ruled: bool = True


def rect_is_rule(obj: dict[str, Any]) -> bool:
    """Keep stroked rectangles and hairline fills (rules drawn as filled boxes), drop backgrounds."""
    if obj.get("object_type") != "rect":
        return True
    if obj.get("stroke"):
        return True
    return min(float(obj["width"]), float(obj["height"])) <= 2.0


def cell_text(chars: list[dict[str, Any]]) -> str:
    """The text of one cell from its characters: lines by baseline, joined as printed."""
    if not chars:
        return ""
    chars = sorted(chars, key=lambda c: (round(c["top"], 0), c["x0"]))
    lines: list[list[dict[str, Any]]] = []
    for ch in chars:
        if lines and abs(ch["top"] - lines[-1][0]["top"]) <= max(2.0, 0.35 * ch["size"]):
            lines[-1].append(ch)
        else:
            lines.append([ch])
    out: list[str] = []
    for ln in lines:
        ln.sort(key=lambda c: c["x0"])
        s = ""
        prev = None
        for ch in ln:
            if prev is not None and ch["x0"] - prev["x1"] > 0.6 * max(ch["size"], 1.0) and not ch["text"].isspace():
                s += " "
            s += ch["text"]
            prev = ch
        out.append(s)
    return join_wrapped(out)


def _chars_in(chars: list[dict[str, Any]], bbox: BBox) -> list[dict[str, Any]]:
    x0, top, x1, bottom = bbox
    res = []
    for c in chars:
        cx = (c["x0"] + c["x1"]) / 2
        cy = (c["top"] + c["bottom"]) / 2
        if x0 <= cx <= x1 and top <= cy <= bottom:
            res.append(c)
    return res


def find_ruled_tables(page: Any, page_no: int) -> list[PdfTable]:
    """Every ruled table on a pdfplumber page, with printed cells in reading order."""
    rules = page.filter(rect_is_rule)
    found = rules.find_tables(TABLE_SETTINGS)
    tables: list[PdfTable] = []
    chars = [c for c in page.chars if not c["text"].isspace()]
    for t in found:
        tb = _table_from_pdfplumber(t, chars, page_no)
        if tb is not None:
            tables.append(tb)
    tables.sort(key=lambda t: t.bbox[1])
    return tables


def grid_cell_spans(grid_rows: list[Any]) -> list[list[tuple[int, tuple[float, float, float, float], int, int]]]:
    """Per pdfplumber table row: (column index, bbox, rowspan, colspan) of each printed cell; the
    cells a merge covers come back from pdfplumber as None and are left out."""
    row_bottoms = [r.bbox[3] for r in grid_rows]
    col_rights = sorted({round(c[2], 1) for r in grid_rows for c in r.cells if c is not None})
    out = []
    for ri, r in enumerate(grid_rows):
        row = []
        for ci, cb in enumerate(r.cells):
            if cb is None:
                continue
            bb = (float(cb[0]), float(cb[1]), float(cb[2]), float(cb[3]))
            rowspan = 1 + sum(1 for b in row_bottoms[ri + 1:] if b <= bb[3] + 1)
            colspan = max(1, sum(1 for x in col_rights if bb[0] + 1 < x <= bb[2] + 1))
            row.append((ci, bb, rowspan, colspan))
        out.append(row)
    return out


def _table_from_pdfplumber(t: Any, chars: list[dict[str, Any]], page_no: int) -> PdfTable | None:
    x0, top, x1, bottom = t.bbox
    inside = [c for c in chars if x0 - 1 <= c["x0"] and c["x1"] <= x1 + 1 and top - 1 <= c["top"]
              and c["bottom"] <= bottom + 1]
    grid_rows = t.rows
    out = PdfTable(page=page_no, bbox=t.bbox)
    multi = False
    for ri, (r, spans) in enumerate(zip(grid_rows, grid_cell_spans(grid_rows), strict=True)):
        # chars of this row band only, to keep the per-cell search small
        rt, rb = r.bbox[1], max(cb[3] for cb in r.cells if cb is not None) if any(r.cells) else r.bbox[3]
        band = [c for c in inside if c["bottom"] > rt and c["top"] < rb]
        cells = [PdfCell(cell_text(_chars_in(band, bb)), bb, ri, ci, rowspan, colspan)
                 for ci, bb, rowspan, colspan in spans]
        if len(cells) >= 2:
            multi = True
        out.rows.append(cells)
    if not multi:  # a framed paragraph or text box, not a table
        return None
    return out
