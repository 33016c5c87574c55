"""Rule instances: where exactly a rule applies (per column, per row, per cell), as data.

Each catalogue entry names an instance generator; the generators live with their rule family in
``expectations/rules/`` and are looked up here (``GENERATORS``, ``instances_for``). An instance is one
concrete check, e.g. T3-ROW on row （一）予以公开, or T3-BAL in column 自然人. Instances are static (the same for every report);
whether one applies to a report depends on the report's layout variant (table 三 （六） as one row or
three sub-rows) and, for table 二, on the generation its blocks were printed in.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache

from expectations.cells import cell, t3_col_label, t3_row_short, t3_row_short_en
from parsers.layout import T2_COL_LABELS, T2_COL_LABELS_EN

SPLIT, SINGLE = "split", "single"
OTHER_SPLIT = ("R_OTHER_1", "R_OTHER_2", "R_OTHER_3")


@dataclass(frozen=True, slots=True)
class Term:
    cell: str  # cell id
    label: str  # label in this instance's context (a column name for a row rule, a row name for a column rule)
    label_en: str
    coef: float = 1.0


@dataclass(frozen=True, slots=True)
class Instance:
    key: str  # stable within the rule, e.g. "R_OPEN" or "TOT" or "TOT:split"
    table: str
    row: str | None
    column: str | None
    where: str
    where_en: str
    op: str  # eq | le | zero | domain | blank | flag | report
    lhs: tuple[Term, ...] = ()
    rhs: tuple[Term, ...] = ()
    variant: str | None = None  # table 三 （六） layout this instance needs
    t2gen: str | None = None  # table 二 block generation this instance needs
    target: str | None = None  # the cell a finding points at
    param: str | None = None  # report-level check selector
    gate: str | None = None  # "body": decided only when the publishing body's type is known (T2-REG-AUTH)

    @property
    def cells(self) -> tuple[str, ...]:
        return tuple(t.cell for t in (*self.lhs, *self.rhs))


def t3_term(row: str, col: str, by: str) -> Term:
    """A table 三 term labelled by its row (``by="row"``) or its column (``by="col"``)."""
    if by == "row":
        return Term(f"t3.{row}.{col}", t3_row_short(row), t3_row_short_en(row))
    zh, en = t3_col_label(col)
    return Term(f"t3.{row}.{col}", zh, en)


def col_where(col: str) -> tuple[str, str]:
    return t3_col_label(col)


def t2_term(row: str, col: str) -> Term:
    """A table 二 term labelled by its column."""
    c = cell(f"t2.{row}.{col}")
    return Term(c.id, T2_COL_LABELS[col], T2_COL_LABELS_EN[col])


def __getattr__(name: str):
    if name == "GENERATORS":  # the registry the rule families fill (imported late: they use the types above)
        from expectations.rules import GENERATORS

        return GENERATORS
    raise AttributeError(name)


@cache
def instances_for(generator: str) -> tuple[Instance, ...]:
    from expectations.rules import GENERATORS

    try:
        return GENERATORS[generator]()
    except KeyError:
        raise KeyError(f"unknown instance generator {generator!r} (see expectations/rules/)") from None
