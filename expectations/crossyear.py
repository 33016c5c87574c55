"""Pair each report with last year's report of the same body, for the cross-year rules (X-*).

Last year's report is looked for among the reports validated together (the same file, the same batch)
and, through ``lookup``, in the cell store of earlier runs (flows/cells.py). The body is compared by its
normalised name (parsers.names: 东阿县人民政府办公室 = 东阿县政府办公室). Exactly one candidate is a
pair; none, or several that disagree, leave the cross-year rules ``not_checked`` with that reason.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from expectations.cells import PREV_CELLS
from parsers.model import PRESENT, Report
from parsers.names import normalise

NONE_FOUND, PAIRED, SEVERAL = 1, 2, 3  # m_prev codes (0: the rules do not apply)


@dataclass(slots=True)
class Previous:
    """Last year's cells for one report: cell id (without ``prev.``) -> (value or None if blank, read mode)."""

    status: int  # NONE_FOUND | PAIRED | SEVERAL
    year: int | None = None
    report_id: str | None = None
    cells: dict[str, tuple[float | None, str]] = field(default_factory=dict)
    candidates: int = 0


Lookup = Callable[[str, int], list[dict[str, Any]]]  # (normalised body, year) -> cell-store report docs


def cells_of_report(rep: Report) -> dict[str, tuple[float | None, str]]:
    """The PREV_CELLS of a parsed report (an ambiguous row gives nothing: it cannot be compared)."""
    out: dict[str, tuple[float | None, str]] = {}
    if rep.table3.status == PRESENT:
        row = rep.table3.rows.get("FWD")
        if row is not None and not row.incomplete and not row.ambiguous:
            read = "by_position" if row.placed_by_position else "exact"
            for col, c in row.cells.items():
                out[f"t3.FWD.{col}"] = (None if c.value is None else float(c.value), "ocr" if "ocr" in c.flags else read)
    if rep.table2.status == PRESENT:
        for r, cols in rep.table2.rows.items():
            if r in rep.table2.readings:
                continue
            for col, c in cols.items():
                if f"t2.{r}.{col}" in PREV_CELLS:
                    out[f"t2.{r}.{col}"] = (None if c.value is None else float(c.value),
                                            "ocr" if "ocr" in c.flags else "exact")
    return {k: v for k, v in out.items() if k in PREV_CELLS}


def cells_of_doc(d: dict[str, Any]) -> dict[str, tuple[float | None, str]]:
    """The PREV_CELLS of a cell-store report document (flows/cells.py)."""
    out: dict[str, tuple[float | None, str]] = {}
    t3 = d.get("tables", {}).get("table3", {})
    if t3.get("status") == PRESENT and "FWD" not in (t3.get("ambiguous") or {}):
        for col, c in (t3.get("rows", {}).get("FWD") or {}).items():
            out[f"t3.FWD.{col}"] = (c.get("value"), c.get("read", "exact"))
    t2 = d.get("tables", {}).get("table2", {})
    if t2.get("status") == PRESENT:
        for r, cols in (t2.get("rows") or {}).items():
            if r in (t2.get("ambiguous") or {}):
                continue
            for col, c in cols.items():
                out[f"t2.{r}.{col}"] = (c.get("value"), c.get("read", "exact"))
    return {k: (None if v is None else float(v), m) for k, (v, m) in out.items() if k in PREV_CELLS}


def pair(reports: list[Report], lookup: Lookup | None = None) -> list[Previous | None]:
    """Last year's cells for each report (None when it has no year or body to pair on)."""
    index: dict[tuple[str, int], list[Report]] = {}
    for r in reports:
        if r.year is not None and r.body:
            index.setdefault((normalise(r.body), r.year), []).append(r)
    out: list[Previous | None] = []
    memo: dict[int, dict[str, tuple[float | None, str]]] = {}  # per candidate report, computed once
    keys: dict[int, tuple] = {}

    def cells_of(c: Report) -> dict[str, tuple[float | None, str]]:
        if id(c) not in memo:
            memo[id(c)] = cells_of_report(c)
            keys[id(memo[id(c)])] = tuple(sorted(memo[id(c)].items()))
        return memo[id(c)]

    for r in reports:
        if r.year is None or not r.body:
            out.append(None)
            continue
        key = (normalise(r.body), r.year - 1)
        found: list[tuple[str, dict[str, tuple[float | None, str]]]] = [
            (c.report_id, cells_of(c)) for c in index.get(key, []) if c is not r]
        if lookup is not None:  # the store's candidates too: the answer must not depend on the batching
            seen = {rid for rid, _ in found}  # a report of this batch is taken as parsed now
            found += [(rid, cells_of_doc(d)) for d in lookup(*key) if (rid := str(d.get("report_id"))) not in seen]
        if not found:
            out.append(Previous(NONE_FOUND, r.year - 1))
            continue
        distinct = {keys.get(id(cells)) or tuple(sorted(cells.items())) for _, cells in found}
        if len(distinct) > 1:  # two different reports of that year (a correction, two scopes): undecided
            out.append(Previous(SEVERAL, r.year - 1, candidates=len(found)))
            continue
        rid, cells = found[0]
        out.append(Previous(PAIRED, r.year - 1, rid, cells, len(found)))
    return out
