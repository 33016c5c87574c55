"""What the families' mutators share: the ``Mutation`` record and the cell setters.

A mutator (registered with ``registry.mutates``) breaks its rule in a deep copy of a consistent report
by changing one known cell (or one layout fact) and returns a ``Mutation`` (its ``rule`` is filled in
by ``testkit.mutate.mutate``), or None when the rule cannot be broken in that report. They serve the
recall tests and the benchmark only; the checks never call them.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from expectations.cells import GROUP_ROWS, ORG_COLS
from parsers.layout import T3_APPL, T3_GROUP_LABELS
from parsers.model import Cell, Report, Row

T3_COLS_ALL = (*T3_APPL, "TOT")


@dataclass(frozen=True, slots=True)
class Mutation:
    rule: str
    cell: str  # cell id (or a layout fact such as "table4" / "year")
    before: object
    after: object


def t3(rep: Report, row: str, col: str) -> int:
    return int(rep.table3.rows[row].cells[col].value or 0)


def set3(rep: Report, row: str, col: str, v: int | Decimal | None, raw: str | None = None,
         flags: frozenset[str] = frozenset()) -> Mutation:
    old = rep.table3.rows[row].cells[col]
    rep.table3.rows[row].cells[col] = Cell(value=v, raw=str(v) if raw is None else raw, prov=old.prov, flags=flags)
    return Mutation("", f"t3.{row}.{col}", old.value, v)


def set2(rep: Report, row: str, col: str, v, raw: str | None = None, flags: frozenset[str] = frozenset()):
    if row not in rep.table2.rows or col not in rep.table2.rows[row]:
        return None
    old = rep.table2.rows[row][col]
    rep.table2.rows[row][col] = Cell(value=v, raw=str(v) if raw is None else raw, flags=flags)
    return Mutation("", f"t2.{row}.{col}", old.value, v)


def set4(rep: Report, key: str, v: int) -> Mutation:
    old = rep.table4.cells[key]
    rep.table4.cells[key] = Cell(value=v, raw=str(v))
    return Mutation("", f"t4.{key}", old.value, v)


def add_sub_column(rep: Report) -> None:
    """Print the 法人或其他组织小计 column (consistent: the sum of the five organisation columns)."""
    t = rep.table3
    t.columns = (*T3_APPL, "SUB", "TOT")
    for row in t.rows.values():
        if row.cells:
            v = sum(int(row.cells[c].value or 0) for c in ORG_COLS)
            row.cells = {**{c: row.cells[c] for c in T3_APPL}, "SUB": Cell(value=v, raw=str(v)),
                         "TOT": row.cells["TOT"]}


def add_group_subtotal(rep: Report, group: str) -> Row:
    """Print a consistent subtotal row for ``group`` (R_DENY …) among table 三's extra rows."""
    subs = [rep.table3.rows[k] for k in GROUP_ROWS[group]]
    cols = subs[0].cells.keys()
    cells = {c: Cell(value=sum(int(s.cells[c].value or 0) for s in subs),
                     raw=str(sum(int(s.cells[c].value or 0) for s in subs))) for c in cols}
    label = next(lab for lab, g in T3_GROUP_LABELS.items() if g == group)
    row = Row(key="", label=label, cells=cells, group=group)
    rep.table3.extra_rows.append(row)
    return row
