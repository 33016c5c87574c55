"""Table 四 arithmetic: T4-SUM-REV, T4-SUM-LITD, T4-SUM-LITR (a group's total = its four outcomes) and
T4-HEUR-REV2LIT (lawsuits after review do not exceed reviews)."""

from __future__ import annotations

from expectations.instances import Instance, Term
from expectations.rules.mutation import Mutation, set4
from expectations.rules.registry import generator, mutates
from parsers.layout import T4_KEYS, T4_LABELS, T4_LABELS_EN


def _t4_sum(group: str) -> tuple[Instance, ...]:
    parts = [f"{group}_{o}" for o in ("MAINTAIN", "CORRECT", "OTHER", "PENDING")]
    total = f"{group}_TOTAL"
    assert total in T4_KEYS and all(p in T4_KEYS for p in parts)
    gl, gle = T4_LABELS[total].rsplit("·", 1)[0], T4_LABELS_EN[total].rsplit(" ", 1)[0]
    return (Instance(group, "table4", None, total, f"「{gl}」", gle, "eq",
                     (Term(f"t4.{total}", T4_LABELS[total].split("·")[-1], "total"),),
                     tuple(Term(f"t4.{k}", T4_LABELS[k].split("·")[-1], T4_LABELS_EN[k].rsplit(" ", 1)[-1])
                           for k in parts), target=f"t4.{total}"),)


def _t4_total(group):
    def m(rep, rng):
        key = f"{group}_TOTAL"
        return set4(rep, key, int(rep.table4.cells[key].value or 0) + rng.randint(1, 4))
    return m


@generator
def t4_sum_rev() -> tuple[Instance, ...]:
    return _t4_sum("REV")


@generator
def t4_sum_litd() -> tuple[Instance, ...]:
    return _t4_sum("LIT_D")


@generator
def t4_sum_litr() -> tuple[Instance, ...]:
    return _t4_sum("LIT_R")


mutates(t4_sum_rev)(_t4_total("REV"))
mutates(t4_sum_litd)(_t4_total("LIT_D"))
mutates(t4_sum_litr)(_t4_total("LIT_R"))


@generator
def t4_heur_rev2lit() -> tuple[Instance, ...]:
    return (Instance("LIT_R", "table4", None, "LIT_R_TOTAL", "复议后起诉", "lawsuits after review", "le",
                     (Term("t4.LIT_R_TOTAL", "复议后起诉·总计", "lawsuits after review, total"),),
                     (Term("t4.REV_TOTAL", "行政复议·总计", "reviews, total"),), target="t4.LIT_R_TOTAL"),)


@mutates(t4_heur_rev2lit)
def _m_rev2lit(rep, rng):
    """More lawsuits after review than reviews, keeping 复议后起诉's own sum consistent."""
    cells = rep.table4.cells
    k = int(cells["REV_TOTAL"].value or 0) - int(cells["LIT_R_TOTAL"].value or 0) + rng.randint(1, 3)
    if k <= 0:
        return None
    before = cells["LIT_R_TOTAL"].value
    for key in ("LIT_R_MAINTAIN", "LIT_R_TOTAL"):
        set4(rep, key, int(cells[key].value or 0) + k)
    return Mutation("", "t4.LIT_R_TOTAL", before, int(cells["LIT_R_TOTAL"].value or 0))
