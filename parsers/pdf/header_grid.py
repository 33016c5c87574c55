"""Column grids of borderless tables from their header words.

In a borderless table whose zeros print blank, a column (or the whole table) can hold no number at
all; only the header shows where its cells are. The header's *leaves* (bottom-level header cells:
words not spanning two or more columns below them, words stacked in one column joined, e.g.
"商业"/"企业") are matched against the statutory column headers of tables 二, 三 and 四, so a header
column is known to be a data column by its words, not only by its distance from the numbers.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from functools import lru_cache
from typing import Any

from parsers.layout import T2_BLOCKS_2019, T2_BLOCKS_2021, T3_COL_LABELS, T4_OUTCOMES
from parsers.lines import label_key
from parsers.pdf.text import fragment_text, join_wrapped

Span = tuple[float, float]


@dataclass(frozen=True, slots=True)
class Leaf:
    """One bottom-level header cell: its words joined top to bottom and their union box."""

    text: str
    x0: float
    top: float
    x1: float
    bottom: float

    @property
    def cx(self) -> float:
        return (self.x0 + self.x1) / 2


@lru_cache(maxsize=1)
def _vocabulary() -> tuple[frozenset[str], frozenset[str]]:

    data = {label_key(h) for b in (*T2_BLOCKS_2019, *T2_BLOCKS_2021) for _, h in b.columns}
    data |= {label_key(h) for h in T3_COL_LABELS.values()}
    data |= {label_key(o) for _, o, _ in T4_OUTCOMES}
    data |= {label_key(h) for h in ("小计", "本年增减", "本年收费金额", "本年收费金额(单位:元)")}
    labels = {label_key(h) for h in ("信息内容", "项目", "申请人情况", "内容", "事项")}
    return frozenset(data), frozenset(labels)


def _key(text: str) -> str:

    return label_key(fragment_text(text))


def is_data_header(text: str) -> bool:
    """A statutory data-column header of table 二, 三 or 四 ("本年新制作数量", "自然人", "结果维持")."""
    return _key(text) in _vocabulary()[0]


def is_label_header(text: str) -> bool:
    """The header of a label column ("信息内容"): never a data column."""
    return _key(text) in _vocabulary()[1]


def header_leaves(words: Sequence[Any]) -> list[Leaf]:
    """The leaves of a header, left to right; ``words`` are ``pdf_borderless.Word``s.

    Words overlapping in x at line spacing are one wrapped header cell; a cell with another cell
    below it (overlapping in x, a header row further down) spans columns and is not a leaf.
    """

    cells: list[list[Any]] = []
    for w in sorted(words, key=lambda w: (w.top, w.x0)):
        home = next((c for c in cells if c[-1].x0 < w.x1 and w.x0 < c[-1].x1
                     and -0.3 * w.size < w.top - c[-1].bottom <= 0.6 * w.size), None)
        if home is None:
            cells.append([w])
        else:
            home.append(w)
    boxes = [(min(w.x0 for w in c), min(w.top for w in c), max(w.x1 for w in c), max(w.bottom for w in c))
             for c in cells]
    out = []
    for i, (c, (x0, top, x1, bottom)) in enumerate(zip(cells, boxes, strict=True)):
        if any(o[1] > bottom - 1 and o[0] < x1 and x0 < o[2] for j, o in enumerate(boxes) if j != i):
            continue
        out.append(Leaf(join_wrapped([w.text for w in c]), x0, top, x1, bottom))
    return sorted(out, key=lambda lf: lf.x0)


def aligned(leaves: Sequence[Leaf], cols: Sequence[Span]) -> bool:
    """Every number column sits under its own leaf (the header is printed on the body's columns)."""
    owners = []
    for a, b in cols:
        mid = (a + b) / 2
        hit = [i for i, lf in enumerate(leaves) if lf.x0 - 1 <= mid <= lf.x1 + 1]
        if len(hit) != 1:
            return False
        owners.append(hit[0])
    return len(set(owners)) == len(owners)


def blank_grid(leaves: Sequence[Leaf]) -> list[Span] | None:
    """The data columns of a header with no number under it, or None when they cannot be placed.

    Every leaf right of the first statutory data header must itself be one (a word the vocabulary
    does not know could be a column or a note: no guessing); leaves left of it are the label header.
    """
    known = [i for i, lf in enumerate(leaves) if is_data_header(lf.text)]
    if not known:
        return None
    first = known[0]
    if any(not is_data_header(lf.text) for lf in leaves[first:]):
        return None
    return [(lf.x0, lf.x1) for lf in leaves[first:]]
