"""Table 三 arithmetic: T3-BAL, T3-RES, T3-ROW, T3-BOUND, T3-ZERO, T3-HEUR-FWD, T3-HEUR-OTHER, and the
local additions T3-ORGSUB (法人或其他组织小计 column) and T3-GROUPSUB (group subtotal rows)."""

from __future__ import annotations

from expectations.cells import (
    GROUP_ROWS,
    GROUP_SUBTOTALS,
    ORG_COLS,
    T3_ROW_KEYS,
    t3_row_short,
    t3_row_short_en,
)
from expectations.instances import OTHER_SPLIT, SINGLE, SPLIT, Instance, Term, col_where
from expectations.instances import t3_term as _t3
from expectations.rules.mutation import (
    T3_COLS_ALL,
    Mutation,
    add_group_subtotal,
    add_sub_column,
    set3,
    t3,
)
from expectations.rules.registry import generator, mutates
from parsers.layout import T3_APPL, T3_COLS, t3_result_rows
from parsers.model import Cell


# ---------------------------------------------------------------- T3-BAL
@generator
def t3_balance() -> tuple[Instance, ...]:
    out = []
    for c in T3_COLS:
        w, we = col_where(c)
        out.append(Instance(c, "table3", None, c, w, we, "eq",
                            (_t3("NEW", c, "row"), _t3("CARRY", c, "row")),
                            (_t3("R_TOTAL", c, "row"), _t3("FWD", c, "row")), target=f"t3.R_TOTAL.{c}"))
    return tuple(out)


@mutates(t3_balance)
def _m_bal(rep, rng):
    c = rng.choice(T3_APPL)
    return set3(rep, "NEW", c, t3(rep, "NEW", c) + rng.randint(1, 5))


# ---------------------------------------------------------------- T3-RES
@generator
def t3_results() -> tuple[Instance, ...]:
    out = []
    for variant, present in ((SPLIT, set(OTHER_SPLIT)), (SINGLE, {"R_OTHER"})):
        rows = t3_result_rows(present)
        for c in T3_COLS:
            w, we = col_where(c)
            out.append(Instance(f"{c}:{variant}", "table3", "R_TOTAL", c, w, we, "eq",
                                (_t3("R_TOTAL", c, "row"),), tuple(_t3(r, c, "row") for r in rows),
                                variant=variant, target=f"t3.R_TOTAL.{c}"))
    return tuple(out)


@mutates(t3_results)
def _m_res(rep, rng):
    c = rng.choice(T3_APPL)
    return set3(rep, "R_OPEN", c, t3(rep, "R_OPEN", c) + rng.randint(1, 5))


# ---------------------------------------------------------------- T3-ROW
@generator
def t3_row_totals() -> tuple[Instance, ...]:
    out = []
    for r in T3_ROW_KEYS:
        variant = SINGLE if r == "R_OTHER" else SPLIT if r in OTHER_SPLIT else None
        out.append(Instance(r, "table3", r, "TOT", t3_row_short(r), t3_row_short_en(r), "eq",
                            (_t3(r, "TOT", "col"),), tuple(_t3(r, c, "col") for c in T3_APPL),
                            variant=variant, target=f"t3.{r}.TOT"))
    return tuple(out)


@mutates(t3_row_totals)
def _m_row(rep, rng):
    r = rng.choice(["NEW", "R_OPEN", "R_PARTIAL", "R_TOTAL", "FWD"])
    return set3(rep, r, "TOT", t3(rep, r, "TOT") + rng.choice((-1, 1)) * rng.randint(1, 3) if
                t3(rep, r, "TOT") > 3 else t3(rep, r, "TOT") + rng.randint(1, 3))


# ---------------------------------------------------------------- T3-BOUND
@generator
def t3_bounds() -> tuple[Instance, ...]:
    out = []
    for part in ("R_TOTAL", "FWD"):
        for c in T3_COLS:
            w, we = col_where(c)
            out.append(Instance(f"{part}:{c}", "table3", part, c, w, we, "le", (_t3(part, c, "row"),),
                                (_t3("NEW", c, "row"), _t3("CARRY", c, "row")), target=f"t3.{part}.{c}"))
    return tuple(out)


@mutates(t3_bounds)
def _m_bound(rep, rng):
    c = rng.choice(T3_COLS_ALL)
    return set3(rep, "R_TOTAL", c, t3(rep, "NEW", c) + t3(rep, "CARRY", c) + rng.randint(1, 5))


# ---------------------------------------------------------------- T3-ZERO
@generator
def t3_zero() -> tuple[Instance, ...]:
    """lhs: the cells whose sum being 0 triggers the rule; rhs: the cells that must then be 0."""
    must = [k for k in T3_ROW_KEYS if k.startswith("R_")] + ["FWD"]
    out = []
    for c in T3_COLS:
        w, we = col_where(c)
        out.append(Instance(c, "table3", None, c, w, we, "zero",
                            (_t3("NEW", c, "row"), _t3("CARRY", c, "row")),
                            tuple(_t3(r, c, "row") for r in must)))
    return tuple(out)


@mutates(t3_zero)
def _m_zero(rep, rng):
    cols = [c for c in T3_APPL if t3(rep, "NEW", c) + t3(rep, "CARRY", c) == 0]
    if not cols:
        return None
    return set3(rep, "R_OPEN", rng.choice(cols), rng.randint(1, 5))


# ---------------------------------------------------------------- T3-HEUR-FWD, T3-HEUR-OTHER
@generator
def t3_heur_fwd() -> tuple[Instance, ...]:
    return (Instance("TOT", "table3", "FWD", "TOT", "总计", "total", "le", (_t3("FWD", "TOT", "row"),),
                     (_t3("NEW", "TOT", "row"),), target="t3.FWD.TOT"),)


@mutates(t3_heur_fwd)
def _m_heur_fwd(rep, rng):
    return set3(rep, "FWD", "TOT", t3(rep, "NEW", "TOT") + rng.randint(1, 5))


@generator
def t3_heur_other() -> tuple[Instance, ...]:
    total = Term("t3.R_TOTAL.TOT", "20% ×（七）总计", "20 % × results total", 0.2)
    return (
        Instance("TOT:single", "table3", "R_OTHER", "TOT", "总计", "total", "le",
                 (_t3("R_OTHER", "TOT", "row"),), (total,), variant=SINGLE, target="t3.R_OTHER.TOT"),
        Instance("TOT:split", "table3", "R_OTHER_3", "TOT", "总计", "total", "le",
                 (_t3("R_OTHER_3", "TOT", "row"),), (total,), variant=SPLIT, target="t3.R_OTHER_3.TOT"),
    )


@mutates(t3_heur_other)
def _m_heur_other(rep, rng):
    row = "R_OTHER" if "R_OTHER" in rep.table3.rows else "R_OTHER_3"
    return set3(rep, row, "TOT", t3(rep, "R_TOTAL", "TOT") + 1)


# ---------------------------------------------------------------- T3-ORGSUB
@generator
def t3_orgsub() -> tuple[Instance, ...]:
    """The added 法人或其他组织小计 column = the five organisation columns, in every row it is printed."""
    out = []
    for r in (*T3_ROW_KEYS, *GROUP_SUBTOTALS):
        variant = SINGLE if r == "R_OTHER" else SPLIT if r in OTHER_SPLIT else None
        out.append(Instance(r, "table3", r, "SUB", t3_row_short(r), t3_row_short_en(r), "eq",
                            (_t3(r, "SUB", "col"),), tuple(_t3(r, c, "col") for c in ORG_COLS),
                            variant=variant, target=f"t3.{r}.SUB"))
    return tuple(out)


@mutates(t3_orgsub)
def _m_orgsub(rep, rng):
    add_sub_column(rep)
    r = rng.choice(["NEW", "R_OPEN", "R_UNABLE_1", "R_TOTAL", "FWD"])
    old = int(rep.table3.rows[r].cells["SUB"].value or 0)
    return set3(rep, r, "SUB", old + rng.randint(1, 4) if old < 3 or rng.random() < 0.5 else old - 1)


# ---------------------------------------------------------------- T3-GROUPSUB
@generator
def t3_groupsub() -> tuple[Instance, ...]:
    """An added subtotal row of （三）/（四）/（五）/（六） = the sum of its sub-rows, in every column."""
    out = []
    for gkey, (group, _) in GROUP_SUBTOTALS.items():
        for c in (*T3_COLS, "SUB"):
            w, we = col_where(c)
            out.append(Instance(f"{gkey}:{c}", "table3", gkey, c, w, we, "eq", (_t3(gkey, c, "row"),),
                                tuple(_t3(r, c, "row") for r in GROUP_ROWS[group]), target=f"t3.{gkey}.{c}"))
    return tuple(out)


@mutates(t3_groupsub)
def _m_groupsub(rep, rng):
    groups = ["R_DENY", "R_UNABLE", "R_NOTPROC"] + (["R_OTHER"] if "R_OTHER_1" in rep.table3.rows else [])
    group = rng.choice(groups)
    row = add_group_subtotal(rep, group)
    col = rng.choice((*T3_APPL, "TOT"))
    old = row.cells[col]
    v = int(old.value or 0) + rng.randint(1, 3)
    row.cells[col] = Cell(value=v, raw=str(v))
    gkey = next(k for k, (g, _) in GROUP_SUBTOTALS.items() if g == group)
    return Mutation("", f"t3.{gkey}.{col}", old.value, v)
