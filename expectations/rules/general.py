"""The GEN-* rules on every cell of a kind: GEN-INT (counts are whole and ≥ 0), GEN-AMOUNT (amounts
≥ 0), GEN-SIGNED (no double sign), GEN-BLANK (a total is not blank while its parts are not all 0) and
GEN-ITEMS-NONNEG (2019 table 二: last year's items + change ≥ 0)."""

from __future__ import annotations

from decimal import Decimal

from expectations.cells import all_cells, cell
from expectations.instances import Instance, Term
from expectations.instances import t2_term as _t2
from expectations.rules.mutation import set2, set3, t3
from expectations.rules.registry import generator, mutates
from expectations.rules.table3 import t3_results, t3_row_totals
from expectations.rules.table4 import t4_sum_litd, t4_sum_litr, t4_sum_rev
from parsers.layout import T2_ROW_LABELS, T2_ROW_LABELS_EN, T3_APPL


def _cell_instances(kinds: tuple[str, ...], op: str, only_col: str | None = None) -> tuple[Instance, ...]:
    out = []
    for c in all_cells():
        if c.kind not in kinds or (only_col and c.col != only_col):
            continue
        out.append(Instance(c.id, c.table, c.row, c.col, c.label, c.label_en, op,
                            (Term(c.id, c.label, c.label_en),), target=c.id))
    return tuple(out)


# ---------------------------------------------------------------- GEN-INT, GEN-AMOUNT, GEN-SIGNED
@generator
def gen_int_cells() -> tuple[Instance, ...]:
    return _cell_instances(("count",), "domain")


@mutates(gen_int_cells)
def _m_int(rep, rng):
    r = rng.choice(("CARRY", "R_PARTIAL", "R_UNABLE_1"))
    c = rng.choice(T3_APPL)
    if rng.random() < 0.5:
        return set3(rep, r, c, -rng.randint(1, 3))
    return set3(rep, r, c, Decimal(t3(rep, r, c)) + Decimal("0.5"))


@generator
def gen_amount_cells() -> tuple[Instance, ...]:
    return _cell_instances(("amount",), "domain")


@mutates(gen_amount_cells)
def _m_amount(rep, rng):
    for r in ("FEE", "PROCURE"):
        if "AMOUNT" in rep.table2.rows.get(r, {}):
            return set2(rep, r, "AMOUNT", Decimal("-12.5"))
    return None


@generator
def gen_signed_cells() -> tuple[Instance, ...]:
    return _cell_instances(("signed",), "flag")


@mutates(gen_signed_cells)
def _m_signed(rep, rng):
    r = rng.choice(("LICENSE", "PENALTY", "FEE"))
    ch = rep.table2.rows.get(r, {}).get("CHANGE")
    if ch is None:
        return None
    v = int(ch.value or 0)
    return set2(rep, r, "CHANGE", v, raw=f"--{abs(v)}" if v < 0 else f"++{v}", flags=frozenset({"double_sign"}))


# ---------------------------------------------------------------- GEN-BLANK
@generator
def gen_blank_totals() -> tuple[Instance, ...]:
    """The total cells of T3-ROW, T3-RES and T4-SUM-*: blank while their parts are not all 0."""
    out = []
    for inst in (*t3_row_totals(), *t3_results(), *t4_sum_rev(), *t4_sum_litd(), *t4_sum_litr()):
        c = cell(inst.lhs[0].cell)
        out.append(Instance(f"{inst.lhs[0].cell}:{inst.variant or ''}", inst.table, c.row, c.col, c.label,
                            c.label_en, "blank", inst.lhs, inst.rhs, variant=inst.variant,
                            target=inst.lhs[0].cell))
    return tuple(out)


@mutates(gen_blank_totals)
def _m_blank(rep, rng):
    rows = [k for k, row in rep.table3.rows.items() if int(row.cells["TOT"].value or 0) > 0]
    if not rows:
        return None
    return set3(rep, rng.choice(rows), "TOT", None, raw="", flags=frozenset({"blank"}))


# ---------------------------------------------------------------- GEN-ITEMS-NONNEG
@generator
def t2_items_nonneg() -> tuple[Instance, ...]:
    """0 ≤ PREV + CHANGE, written as an empty left side."""
    return tuple(Instance(r, "table2", r, "CHANGE", T2_ROW_LABELS[r], T2_ROW_LABELS_EN[r], "le", (),
                          (_t2(r, "PREV"), _t2(r, "CHANGE")), t2gen="2019", target=f"t2.{r}.CHANGE")
                 for r in ("LICENSE", "SERVICE", "PENALTY", "COERCION", "FEE"))


@mutates(t2_items_nonneg)
def _m_items(rep, rng):
    r = rng.choice(("LICENSE", "SERVICE", "PENALTY", "COERCION", "FEE"))
    prev = rep.table2.rows.get(r, {}).get("PREV")
    return set2(rep, r, "CHANGE", -(int(prev.value or 0) + rng.randint(1, 5))) if prev else None
