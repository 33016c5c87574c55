"""A PDF page's text lines split into running text and borderless table rows.

Kept apart from ``borderless`` (table blocks with numbers) and ``blank_tables`` (tables that print
no number), which both feed it: that ends the import circle between those two modules.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from parsers.pdf.blank_tables import BareTable, bare_rows, bare_tables, continued_rows
from parsers.pdf.borderless import (
    BorderlessRow,
    blank_rows,
    block_rows,
    find_blocks,
    header_lines,
    stack_labels,
)


def borderless_tables(lines: Sequence[Any], carry: list[tuple[float, float]] | None = None
                      ) -> tuple[list[Any], list[BorderlessRow], list[tuple[float, float]] | None]:
    """Split a page's text lines (top to bottom) into running text and borderless table rows.

    ``carry``: the columns of the last table on the previous page, for a table continued at the top
    of this page without its header. Returns the text lines, the rows and the columns to carry on.
    """
    blocks = find_blocks(lines)
    bare = bare_tables(lines, blocks)
    inside = {k for a, b in blocks for k in range(a, b + 1)} | {k for t in bare for k in range(t.first, t.last + 1)}
    cont = continued_rows(lines, carry, inside) if carry else 0
    inside |= set(range(cont))
    order: list[tuple[int, tuple[int, int] | BareTable]] = [(a, (a, b)) for a, b in blocks]
    order.extend((t.head[0], t) for t in bare)
    order.sort(key=lambda x: x[0])
    rows: list[BorderlessRow] = []
    last_cols: list[tuple[float, float]] | None = None
    if cont and carry:
        labels = stack_labels([(w, None) for ln in lines[:cont] for w in ln.words])
        rows.extend(blank_rows(labels, carry, len(order)))
        last_cols = carry
    prev_end = cont
    for n, (_, item) in enumerate(order):
        if isinstance(item, BareTable):
            rows.extend(bare_rows(lines, item, n))
            last_cols = item.cols
            prev_end = max(item.head[1], item.last) + 1
            continue
        a, b = item
        header = header_lines(lines, a, prev_end)
        first = a == cont  # the first thing on the page, or right after the carried blank rows
        got, last_cols = block_rows(lines[a:b + 1], n, header, carry if first and not header else None)
        rows.extend(got)
        prev_end = b + 1
    return [ln for k, ln in enumerate(lines) if k not in inside], rows, last_cols
