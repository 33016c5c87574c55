"""Helpers shared by the HTML and DOCX readers: joining wrapped cell text, simplifying a document."""

from __future__ import annotations

import re
from functools import cache, lru_cache

from parsers.lines import Fragment, Line, to_simplified
from parsers.model import Provenance

LONG_CELL = 150  # a table cell with more text than this holds running text, not a data cell
_CJK = re.compile(r"[\u2e80-\u9fff\uf900-\ufaff\uff00-\uffef\u3000-\u303f]")


def join_wrapped(pieces: list[str]) -> str:
    """Join the visual lines of one cell: CJK wraps ("商业" + "企业") without a space, others with one."""
    out = ""
    for p in pieces:
        if not out:
            out = p
        elif _CJK.match(out[-1]) or _CJK.match(p[0]):
            out += p
        else:
            out += " " + p
    return out


@lru_cache(maxsize=65536)
def cell_prov(kind: str, table: int, row: int, col: int) -> Provenance:
    """Provenance of a table cell. Shared between documents: it is immutable, and building a frozen
    dataclass per cell is a fifth of the HTML reader's time."""
    return Provenance(kind=kind, table=table, row=row, col=col)


def simplify_lines(lines: list[Line]) -> list[Line]:
    """Traditional characters to simplified in every fragment's text, only when the document has any
    (the check samples the whole text; zhconv is too slow to run on every cell of every report)."""
    texts = [f.text for ln in lines for f in ln.cells]
    if _traditional_only().isdisjoint("".join(texts)):
        return lines
    converted = to_simplified("\n".join(texts)).split("\n")  # one zhconv call for the whole document
    if len(converted) != len(texts):
        converted = [to_simplified(t) for t in texts]
    it = iter(converted)
    return [Line(tuple(Fragment(next(it), f.raw, f.prov) for f in ln.cells), ln.structured, ln.table)
            for ln in lines]


@cache
def _traditional_only() -> frozenset[str]:
    """Characters that occur only in traditional script (zhconv's own table): a set lookup per
    character instead of converting the whole document to find out whether it needs converting."""
    from zhconv import zhconv

    zhconv.getdict("zh-cn")
    return frozenset(c for c in zhconv.zhcdicts["TRADONLY"] if len(c) == 1)
