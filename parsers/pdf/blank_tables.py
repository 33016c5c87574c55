"""Borderless tables that print no number at all: found by their header words or carried grid.

With zeros printed blank, a whole table (table 四 of an office without cases), a block of table 二
or the part of table 三 continued on the next page can print labels and a header but not a single
number, so ``pdf_borderless.find_blocks`` (which starts from lines holding numbers) never sees it.
Here such a table is placed by its header alone, when every header cell right of the labels is a
statutory data-column header (``pdf_header_grid``), or by the grid carried from the previous page
when its labels are statutory row labels. Each label is then a row of blank cells (the assembler
reads blank as 0 and flags it "blank"), boxed by its column span and the label's line.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from parsers.labels import match_t2_row, match_t3
from parsers.pdf.borderless import PROSE_END, BorderlessRow, blank_rows, is_heading, stack_labels
from parsers.pdf.header_grid import blank_grid, header_leaves, is_data_header


@dataclass(frozen=True, slots=True)
class BareTable:
    """A table printed without a single number: header lines ``head`` and label rows ``first..last``
    (none when ``first > last``) under the header's statutory columns ``cols``."""

    head: tuple[int, int]
    first: int
    last: int
    cols: list[tuple[float, float]]
    label_column: bool  # the header has a label column (rows are named by labels)


def bare_tables(lines: Sequence[Any], blocks: list[tuple[int, int]]) -> list[BareTable]:
    """Tables whose every value printed blank, found by their header words alone.

    A run of label-only lines at line or row spacing whose header leaves right of the labels are all
    statutory data-column headers (``pdf_header_grid.blank_grid``). A run that is the header of the
    block just below it is not one.
    """

    taken = {k for a, b in blocks for k in range(a, b + 1)}
    out: list[BareTable] = []
    k = 0
    while k < len(lines):
        ln = lines[k]
        if k in taken or ln.is_row or is_heading(ln) or ln.text.rstrip()[-1:] in PROSE_END:
            k += 1
            continue
        end = k
        while end + 1 < len(lines):
            nxt = lines[end + 1]
            if (end + 1 in taken or nxt.is_row or is_heading(nxt) or nxt.text.rstrip()[-1:] in PROSE_END
                    or abs(nxt.size - ln.size) > 0.6 or nxt.top - lines[end].bottom > 1.5 * ln.size):
                break
            end += 1
        start, k = k, end + 1
        if end + 1 in taken and lines[end + 1].top - lines[end].bottom <= 3 * ln.size:
            continue  # the header of the block below
        known = [lf for lf in header_leaves([w for m in range(start, end + 1) for w in lines[m].words])
                 if is_data_header(lf.text)]
        if not known or not any(len(lines[m].words) >= 2 for m in range(start, end + 1)):
            continue
        right = min(lf.x0 for lf in known) - 0.5 * ln.size
        head_end = max(m for m in range(start, end + 1) if any(w.x1 > right for w in lines[m].words))
        label_x1 = [w.x1 for m in range(head_end + 1, end + 1) for w in lines[m].words]
        label_right = max(label_x1, default=float("-inf"))
        head_words = [w for m in range(start, head_end + 1) for w in lines[m].words]
        cols = blank_grid(header_leaves([w for w in head_words if w.x0 > label_right]))
        if cols is None:
            continue
        has_labels = any(w.x1 <= cols[0][0] for w in head_words)
        out.append(BareTable((start, head_end), head_end + 1, end, cols, has_labels))
    return out


def bare_rows(lines: Sequence[Any], t: BareTable, block: int) -> list[BorderlessRow]:
    """The blank rows of a table printed without numbers.

    Labels below the header name one row each. A header without a label column over no label is a
    table of one row (table 四); its row sits under the header, so it is only read when something
    follows on the page (a row cut off by the page break could still print on the next page).
    """
    if t.first <= t.last:
        words = [(w, None) for ln in lines[t.first:t.last + 1] for w in ln.words]
        return blank_rows(stack_labels(words), t.cols, block)
    if t.label_column or t.last + 1 >= len(lines):
        return []
    head = lines[t.head[1]]
    size = head.size
    gap_end = lines[t.last + 1].top
    cy = min((head.bottom + gap_end) / 2, head.bottom + 1.5 * size)
    top, bottom = cy - size / 2, cy + size / 2
    if top < head.bottom:
        return []
    return [BorderlessRow(top, bottom, [("", (a, top, b, bottom)) for a, b in t.cols], block)]


def continued_rows(lines: Sequence[Any], carry: list[tuple[float, float]], taken: set[int]) -> int:
    """How many lines at the top of a page are rows, printed blank, of the table carried over.

    Label-only lines at row spacing left of the carried columns, before anything else on the page,
    whose labels are (mostly) statutory row labels of table 二 or 三: a table cut by the page break
    whose continuation holds no number.
    """

    end = 0
    while end < len(lines):
        ln = lines[end]
        if (end in taken or ln.is_row or is_heading(ln) or ln.text.rstrip()[-1:] in PROSE_END
                or any(w.x1 > carry[0][0] for w in ln.words)
                or (end and (abs(ln.size - lines[0].size) > 0.6 or ln.top - lines[end - 1].bottom > 1.5 * ln.size))):
            break
        end += 1
    if not end:
        return 0
    labels = stack_labels([(w, None) for ln in lines[:end] for w in ln.words])
    known = sum(1 for lb in labels if match_t3(lb.text) or match_t2_row(lb.text))
    return end if 2 * known >= len(labels) else 0
