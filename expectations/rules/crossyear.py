"""Cross-year rules (statutory-format.md §7.5): X-T3-CARRY-TOT, X-T3-CARRY-COL, X-T2-21-VALID,
X-T2-21-REPEAL, X-T2-19-ITEMS. Their ``prev.*`` cells are last year's report of the same body
(``expectations/crossyear.py`` pairs them); ``gate="x:<bit>"`` names the ``frame.xyear_bits`` bit a
report needs for the rule to apply."""

from __future__ import annotations

from expectations.cells import cell
from expectations.instances import Instance, Term, col_where
from expectations.instances import t2_term as _t2
from expectations.instances import t3_term as _t3
from expectations.rules.registry import generator
from parsers.layout import T2_ROW_LABELS, T2_ROW_LABELS_EN, T3_APPL


def _prev(cid: str) -> Term:
    c = cell(f"prev.{cid}")
    return Term(c.id, c.label, c.label_en)


def _carry(cols: tuple[str, ...]) -> tuple[Instance, ...]:
    out = []
    for c in cols:
        w, we = col_where(c)
        out.append(Instance(c, "table3", "CARRY", c, w, we, "eq", (_t3("CARRY", c, "row"),),
                            (_prev(f"t3.FWD.{c}"),), target=f"t3.CARRY.{c}", gate="x:1"))
    return tuple(out)


@generator
def x_t3_carry_tot() -> tuple[Instance, ...]:
    return _carry(("TOT",))


@generator
def x_t3_carry_col() -> tuple[Instance, ...]:
    return _carry(tuple(T3_APPL))


@generator
def x_t2_21_valid() -> tuple[Instance, ...]:
    """现行有效(Y) = 现行有效(Y−1) + 本年制发(Y) − 本年废止(Y), per row."""
    return tuple(Instance(r, "table2", r, "VALID", T2_ROW_LABELS[r], T2_ROW_LABELS_EN[r], "eq", (_t2(r, "VALID"),),
                          (_prev(f"t2.{r}.VALID"), _t2(r, "ISSUED"),
                           Term(f"t2.{r}.REPEALED", "本年废止件数", "repealed this year", -1.0)),
                          t2gen="2021", target=f"t2.{r}.VALID", gate="x:2") for r in ("REG", "NORM"))


@generator
def x_t2_21_repeal() -> tuple[Instance, ...]:
    """本年废止(Y) ≤ 现行有效(Y−1) + 本年制发(Y), per row."""
    return tuple(Instance(r, "table2", r, "REPEALED", T2_ROW_LABELS[r], T2_ROW_LABELS_EN[r], "le",
                          (_t2(r, "REPEALED"),), (_prev(f"t2.{r}.VALID"), _t2(r, "ISSUED")),
                          t2gen="2021", target=f"t2.{r}.REPEALED", gate="x:2") for r in ("REG", "NORM"))


@generator
def x_t2_19_items() -> tuple[Instance, ...]:
    """上一年项目数量(2020) = 上一年项目数量(2019) + 本年增/减(2019), per row."""
    return tuple(Instance(r, "table2", r, "PREV", T2_ROW_LABELS[r], T2_ROW_LABELS_EN[r], "eq", (_t2(r, "PREV"),),
                          (_prev(f"t2.{r}.PREV"), _prev(f"t2.{r}.CHANGE")), t2gen="2019", target=f"t2.{r}.PREV",
                          gate="x:4") for r in ("LICENSE", "SERVICE", "PENALTY", "COERCION", "FEE"))
