"""Borderless tables: rows and cells rebuilt from word positions.

pdfplumber's text strategy splits CJK words and numbers, so the page is read as words (runs of
characters without a gap) and the table is rebuilt in four steps, per page:

1. Blocks. A *value line* has a number among at least two gap-separated runs. A block is a run of
   value lines with the label-only lines between and around them (wrapped labels, rows whose zeros
   print blank), cut at section headings, header lines and changes of font size. Under a header
   whose leaves sit over the number columns, every label-only line at row spacing between the
   header and the block, or just below it, is a row, even in a block of one value line.
2. Columns. The x-projection of the numbers of the value lines: overlapping intervals are one data
   column; everything left of the first data column is the label area. Columns printed all blank
   come from the header (``pdf_header_grid``): its leaves away from the numbers, kept when their
   words name a statutory data column or sit one column pitch beyond the numbers.
3. Labels. Label words stacked in one column at line spacing (not row spacing) are one wrapped cell,
   even when the row's numbers are centred between its lines.
4. Rows. One per value line; a label cell joins the value line it sits on or whose centre it shares;
   a label far from every value line is a row of its own with blank values (zeros printed blank).

Tables without a single number (all zeros printed blank) are found by ``parsers.pdf.blank_tables``.
Works on ``Word``s so the OCR path (``parsers.pdf.ocr.reader``) rebuilds its tables the same way.
"""

from __future__ import annotations

import itertools
import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from statistics import median
from typing import Any

from parsers.labels import match_section, t2_item
from parsers.lines import parse_number
from parsers.pdf.header_grid import aligned, header_leaves, is_data_header, is_label_header
from parsers.pdf.tables import cell_text
from parsers.pdf.text import join_wrapped

BBox = tuple[float, float, float, float]
_NUMBERING = re.compile(r"^[(（]?(?:[一二三四五六七八九十]{1,3}|\d{1,2})[)）、.．]?$")
PROSE_END = "。；;！？"


@dataclass(frozen=True, slots=True)
class Word:
    text: str
    x0: float
    top: float
    x1: float
    bottom: float
    size: float

    @property
    def cx(self) -> float:
        return (self.x0 + self.x1) / 2

    @property
    def cy(self) -> float:
        return (self.top + self.bottom) / 2

    @property
    def bbox(self) -> BBox:
        return (self.x0, self.top, self.x1, self.bottom)


def is_number(text: str) -> bool:
    return parse_number(text) is not None


def split_words(chars: Sequence[dict[str, Any]], gap: float = 0.6) -> tuple[Word, ...]:
    """Characters of one printed line as words: split where the gap exceeds ``gap`` × font size.

    A bare numbering token ("（二）", "1.") stays with the text after it.
    """

    cs = sorted(chars, key=lambda c: c["x0"])
    if not cs:
        return ()
    groups: list[list[dict[str, Any]]] = [[cs[0]]]
    for c in cs[1:]:
        if c["x0"] - groups[-1][-1]["x1"] > gap * max(c["size"], 1.0):
            groups.append([c])
        else:
            groups[-1].append(c)
    words = [Word(cell_text(g), min(c["x0"] for c in g), min(c["top"] for c in g), max(c["x1"] for c in g),
                  max(c["bottom"] for c in g), max(c["size"] for c in g)) for g in groups]
    return tuple(merge_numbering(words))


def merge_numbering(words: list[Word]) -> list[Word]:
    out: list[Word] = []
    for w in words:
        prev = out[-1] if out else None
        if (prev is not None and _NUMBERING.match(prev.text) and not is_number(w.text)
                and not is_number(prev.text) and w.x0 - prev.x1 < 2.5 * w.size):
            out[-1] = Word(prev.text + w.text, prev.x0, min(prev.top, w.top), w.x1, max(prev.bottom, w.bottom),
                           max(prev.size, w.size))
        else:
            out.append(w)
    return out


class LineLike:
    """What the block finder needs of a printed line (``pdf_text.TextLine`` satisfies it)."""

    words: tuple[Word, ...]
    top: float
    bottom: float
    size: float
    text: str
    is_row: bool


@dataclass(slots=True)
class BorderlessRow:
    top: float
    bottom: float
    cells: list[tuple[str, BBox]]  # printed order; "" is a blank cell
    block: int


@dataclass(slots=True)
class _Label:
    words: list[Word] = field(default_factory=list)
    on_value: int | None = None  # index of the value line it sits on

    @property
    def text(self) -> str:

        return join_wrapped([w.text for w in self.words])

    @property
    def bbox(self) -> BBox:
        return (min(w.x0 for w in self.words), min(w.top for w in self.words),
                max(w.x1 for w in self.words), max(w.bottom for w in self.words))

    @property
    def cy(self) -> float:
        b = self.bbox
        return (b[1] + b[3]) / 2


def is_heading(ln: Any) -> bool:

    t = ln.text.strip()
    return bool(match_section(t) or t2_item(t))


def _label_split(ln: Any) -> int:
    """Index of the first data word of a value line: the first number after its last label word."""
    last = -1
    for i, w in enumerate(ln.words):
        if not is_number(w.text):
            last = i
    return last + 1


def data_columns(value_lines: Sequence[Any]) -> list[tuple[float, float]]:
    """Data columns from the x-projection of the numbers of the value lines."""
    ivs = sorted((w.x0, w.x1) for ln in value_lines for w in ln.words[_label_split(ln):])
    cols: list[list[float]] = []
    for x0, x1 in ivs:
        if cols and x0 <= cols[-1][1] + 0.5:
            cols[-1][1] = max(cols[-1][1], x1)
        else:
            cols.append([x0, x1])
    return [(a, b) for a, b in cols]


def _col_of(cols: list[tuple[float, float]], w: Word) -> int:
    for i, (a, b) in enumerate(cols):
        if a - 0.5 <= w.cx <= b + 0.5:
            return i
    return min(range(len(cols)), key=lambda i: abs((cols[i][0] + cols[i][1]) / 2 - w.cx))


def find_blocks(lines: Sequence[Any]) -> list[tuple[int, int]]:
    """(first, last) line index of every borderless table block; ``lines`` sorted top to bottom."""
    blocks: list[tuple[int, int]] = []
    n = len(lines)
    i = 0
    while i < n:
        if not lines[i].is_row:
            i += 1
            continue
        size = lines[i].size
        end = i
        j = i + 1
        while j < n:
            ln = lines[j]
            if abs(ln.size - size) > 0.6 or ln.top - lines[j - 1].bottom > 3 * size:
                break
            if ln.is_row:
                end = j
            elif is_heading(ln) or ln.text.rstrip()[-1:] in PROSE_END:
                break
            j += 1
        blocks.extend(_split_block(lines, i, end))
        i = end + 1
    return [_extend(lines, a, b, blocks) for a, b in blocks]


def _split_block(lines: Sequence[Any], a: int, b: int) -> list[tuple[int, int]]:
    """Cut a block at label-only lines reaching into the data area (the header of a next table)."""
    cols = data_columns([ln for ln in lines[a:b + 1] if ln.is_row])
    if not cols:
        return []
    right = cols[0][0]
    for k in range(a + 1, b):
        ln = lines[k]
        if not ln.is_row and any(w.x1 > right + 0.5 * ln.size for w in ln.words):
            nxt = next((m for m in range(k + 1, b + 1) if lines[m].is_row), b)
            prv = max(m for m in range(a, k) if lines[m].is_row)
            return _split_block(lines, a, prv) + _split_block(lines, nxt, b)
    return [(a, b)]


def _extend(lines: Sequence[Any], a: int, b: int, blocks: list[tuple[int, int]]) -> tuple[int, int]:
    """Take in label-only lines just above and below the block: wrapped labels and blank rows.

    Lines at row spacing join a block of two or more rows, or any block printed under a header whose
    leaves sit over its number columns (a known grid: a label there is a row printed blank).
    """
    core = [ln for ln in lines[a:b + 1] if ln.is_row]
    cols = data_columns(core)
    right = cols[0][0] if cols else 0.0
    size = lines[a].size
    taken = {k for x, y in blocks for k in range(x, y + 1)}

    def fits(k: int, gap: float, loose: bool) -> bool:
        ln = lines[k]
        if k in taken or ln.is_row or abs(ln.size - size) > 0.6 or is_heading(ln):
            return False
        if ln.text.rstrip()[-1:] in PROSE_END or any(w.x1 > right + 0.5 * ln.size for w in ln.words):
            return False
        return gap <= (1.5 * size if loose else 0.6 * size)

    def grow(loose: bool) -> tuple[int, int]:
        x, y = a, b
        while x > 0 and fits(x - 1, lines[x].top - lines[x - 1].bottom, loose):
            x -= 1
        while y + 1 < len(lines) and fits(y + 1, lines[y + 1].top - lines[y].bottom, loose):
            y += 1
        return x, y

    if len(core) >= 2 and len(cols) >= 2:
        return grow(True)
    x, y = grow(True)
    head = header_lines(lines, x, 0, taken)
    if head and head[-1].bottom < lines[x].top and _header_grid_fits(head, lines[x:y + 1], cols):
        return x, y
    return grow(False)


def _header_grid_fits(header: Sequence[Any], body: Sequence[Any], cols: list[tuple[float, float]]) -> bool:
    """The header's last line reaches over the number columns and each number column has its own leaf."""

    last = header[-1]
    if not any(w.x1 > cols[0][0] for w in last.words):
        return False
    label_x1 = [w.x1 for ln in body for w in (ln.words[:_label_split(ln)] if ln.is_row else ln.words)]
    label_right = max(label_x1, default=float("-inf"))
    return aligned(header_leaves([w for ln in header for w in ln.words if w.x0 > label_right]), cols)


def header_columns(header: Sequence[Any], label_right: float,
                   cols: list[tuple[float, float]]) -> list[tuple[float, float]]:
    """Columns that only the header shows: every value in them printed blank.

    The header's leaves (``pdf_header_grid``) right of the labels, away from the number columns, add
    a column each, provided every number column sits under its own leaf.
    """

    leaves = header_leaves([w for ln in header for w in ln.words if w.x0 > label_right])
    # a header printed off the columns (spans that differ from the body's) cannot place blank columns
    if not aligned(leaves, cols):
        return cols
    size = max((w.size for ln in header for w in ln.words), default=1.0)
    extra = [lf for lf in leaves
             if not any(a - 0.5 * size <= lf.cx <= b + 0.5 * size or (lf.x0 < b and a < lf.x1) for a, b in cols)]
    if not extra:
        return cols
    # A leaf left of every number column is the labels' own header ("信息内容") unless its words name
    # a data column, or it sits one column pitch from the first number column (a first column
    # printed all blank) with another header word left of it.
    centres = [(a + b) / 2 for a, b in cols]
    pitch = median([y - x for x, y in itertools.pairwise(centres)]) if len(cols) >= 2 else None
    all_words = [w for ln in header for w in ln.words]

    def keep(lf: Any) -> bool:
        if is_label_header(lf.text):
            return False
        if lf.x1 > cols[0][0] or label_right == float("-inf") or is_data_header(lf.text):
            return True
        return (pitch is not None and centres[0] - lf.cx <= 1.25 * pitch
                and any(w.x1 <= lf.x0 for w in all_words))

    return sorted([*cols, *((lf.x0, lf.x1) for lf in extra if keep(lf))])


def block_rows(lines: Sequence[Any], block: int, header: Sequence[Any] = (),
               carry: list[tuple[float, float]] | None = None
               ) -> tuple[list[BorderlessRow], list[tuple[float, float]]]:
    """The rows of one block (its lines top to bottom), each with label cells then one cell per column,
    and the block's data columns. ``header``: the lines printed above the block; ``carry``: the
    columns of the block this one continues (the same table on the previous page)."""
    value_idx = [k for k, ln in enumerate(lines) if ln.is_row]
    cols = data_columns([lines[k] for k in value_idx])
    if not cols:
        return [], []
    label_x1 = [w.x1 for ln in lines for w in (ln.words[:_label_split(ln)] if ln.is_row else ln.words)]
    label_right = max(label_x1) if label_x1 else float("-inf")  # no labels: the header is all columns
    if header:
        cols = header_columns(header, label_right, cols)
    elif carry and all(any(a < y and x < b for a, b in carry) for x, y in cols):
        cols = sorted({*cols, *(c for c in carry if not any(c[0] < y and x < c[1] for x, y in cols))})
    # value cells per value line, and the label words of every line
    values: dict[int, list[Word | None]] = {}
    label_words: list[tuple[Word, int | None]] = []
    for k, ln in enumerate(lines):
        split = _label_split(ln) if ln.is_row else len(ln.words)
        if ln.is_row:
            row: list[Word | None] = [None] * len(cols)
            for w in ln.words[split:]:
                c = _col_of(cols, w)
                if row[c] is None:
                    row[c] = w
                else:  # two runs in one column: one printed cell
                    p = row[c]
                    row[c] = Word(p.text + w.text, p.x0, min(p.top, w.top), w.x1, max(p.bottom, w.bottom), p.size)
            values[k] = row
        label_words.extend((w, k if ln.is_row else None) for w in ln.words[:split])
    labels = stack_labels(label_words)
    # rows: value lines first, then labels that sit far from every value line
    centres = {k: median([w.cy for w in values[k] if w is not None] or [lines[k].top]) for k in value_idx}
    row_labels: dict[int, list[_Label]] = {k: [] for k in value_idx}
    loose: list[_Label] = []
    for lab in labels:
        if lab.on_value is not None:
            row_labels[lab.on_value].append(lab)
            continue
        size = max(w.size for w in lab.words)
        near = min(value_idx, key=lambda k: abs(centres[k] - lab.cy))
        if abs(centres[near] - lab.cy) <= 0.5 * size:
            row_labels[near].append(lab)
        else:
            loose.append(lab)
    rows: list[BorderlessRow] = []
    for k in value_idx:
        cells = [(lab.text, lab.bbox) for lab in sorted(row_labels[k], key=lambda lb: lb.bbox[0])]
        ln = lines[k]
        for c, w in enumerate(values[k]):
            cells.append((w.text, w.bbox) if w is not None else ("", (cols[c][0], ln.top, cols[c][1], ln.bottom)))
        rows.append(BorderlessRow(ln.top, ln.bottom, cells, block))
    rows.extend(blank_rows(loose, cols, block))
    rows.sort(key=lambda r: r.top)
    return rows, cols


def blank_rows(labels: list[_Label], cols: list[tuple[float, float]], block: int) -> list[BorderlessRow]:
    """Labels side by side (one printed row) with a blank cell per column: a row of zeros printed blank.

    Each blank cell's box is its column span by the row's line box, so provenance points at the cell.
    """
    labels = sorted(labels, key=lambda lb: lb.cy)
    groups: list[list[_Label]] = []
    for lab in labels:
        if groups and abs(groups[-1][-1].cy - lab.cy) <= 0.5 * max(w.size for w in lab.words):
            groups[-1].append(lab)
        else:
            groups.append([lab])
    rows = []
    for g in groups:
        g.sort(key=lambda lb: lb.bbox[0])
        # the row's own line is its last (innermost) label's, not a group label spanning rows
        top, bottom = g[-1].bbox[1], g[-1].bbox[3]
        cells = [(lb.text, lb.bbox) for lb in g]
        cells.extend(("", (a, top, b, bottom)) for a, b in cols)
        rows.append(BorderlessRow(top, bottom, cells, block))
    return rows


def stack_labels(words: list[tuple[Word, int | None]]) -> list[_Label]:
    """Label words stacked in one column at line spacing are one wrapped cell.

    Two words that each sit on a value line belong to two rows and are never joined.
    """
    labels: list[_Label] = []
    for w, on_value in sorted(words, key=lambda x: (x[0].top, x[0].x0)):
        best = None
        for lab in labels:
            last = lab.words[-1]
            if last.x1 < w.x0 or w.x1 < last.x0:
                continue
            gap = w.top - last.bottom
            if -0.3 * w.size < gap <= 0.6 * w.size and not (on_value is not None and lab.on_value is not None):
                best = lab
        if best is None:
            labels.append(_Label([w], on_value))
        else:
            best.words.append(w)
            if on_value is not None:
                best.on_value = on_value
    return labels


def header_lines(lines: Sequence[Any], a: int, stop: int, taken: set[int] | frozenset[int] = frozenset()
                  ) -> list[Any]:
    """The lines just above block start ``a`` (not before line ``stop``, not in another block) that
    print its column header."""
    out: list[Any] = []
    size = lines[a].size
    k = a - 1
    while k >= stop and len(out) < 14:
        ln = lines[k]
        if (k in taken or is_heading(ln) or ln.text.rstrip()[-1:] in PROSE_END
                or lines[k + 1].top - ln.bottom > 3 * size):
            break
        out.append(ln)
        k -= 1
    return out[::-1]
