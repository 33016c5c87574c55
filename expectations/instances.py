"""Rule instances: where exactly a rule applies (per column, per row, per cell), as data.

Each catalogue entry names an instance generator here. An instance is one concrete check, e.g. T3-ROW
on row （一）予以公开, or T3-BAL in column 自然人. Instances are static (the same for every report);
whether one applies to a report depends on the report's layout variant (table 三 （六） as one row or
three sub-rows) and, for table 二, on the generation its blocks were printed in.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from functools import cache

from expectations.cells import (
    GROUP_ROWS,
    GROUP_SUBTOTALS,
    ORG_COLS,
    T3_ROW_KEYS,
    cell,
    t3_col_label,
    t3_row_short,
    t3_row_short_en,
)
from parsers.layout import (
    T2_ROW_LABELS,
    T2_ROW_LABELS_EN,
    T3_APPL,
    T3_COLS,
    T4_KEYS,
    T4_LABELS,
    T4_LABELS_EN,
    t3_result_rows,
)

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


def _t3(row: str, col: str, by: str) -> Term:
    """A table 三 term labelled by its row (``by="row"``) or its column (``by="col"``)."""
    if by == "row":
        return Term(f"t3.{row}.{col}", t3_row_short(row), t3_row_short_en(row))
    zh, en = t3_col_label(col)
    return Term(f"t3.{row}.{col}", zh, en)


def _col_where(col: str) -> tuple[str, str]:
    return t3_col_label(col)


def t3_balance() -> tuple[Instance, ...]:
    out = []
    for c in T3_COLS:
        w, we = _col_where(c)
        out.append(Instance(c, "table3", None, c, w, we, "eq",
                            (_t3("NEW", c, "row"), _t3("CARRY", c, "row")),
                            (_t3("R_TOTAL", c, "row"), _t3("FWD", c, "row")), target=f"t3.R_TOTAL.{c}"))
    return tuple(out)


def t3_results() -> tuple[Instance, ...]:
    out = []
    for variant, present in ((SPLIT, set(OTHER_SPLIT)), (SINGLE, {"R_OTHER"})):
        rows = t3_result_rows(present)
        for c in T3_COLS:
            w, we = _col_where(c)
            out.append(Instance(f"{c}:{variant}", "table3", "R_TOTAL", c, w, we, "eq",
                                (_t3("R_TOTAL", c, "row"),), tuple(_t3(r, c, "row") for r in rows),
                                variant=variant, target=f"t3.R_TOTAL.{c}"))
    return tuple(out)


def t3_row_totals() -> tuple[Instance, ...]:
    out = []
    for r in T3_ROW_KEYS:
        variant = SINGLE if r == "R_OTHER" else SPLIT if r in OTHER_SPLIT else None
        out.append(Instance(r, "table3", r, "TOT", t3_row_short(r), t3_row_short_en(r), "eq",
                            (_t3(r, "TOT", "col"),), tuple(_t3(r, c, "col") for c in T3_APPL),
                            variant=variant, target=f"t3.{r}.TOT"))
    return tuple(out)


def t3_bounds() -> tuple[Instance, ...]:
    out = []
    for part in ("R_TOTAL", "FWD"):
        for c in T3_COLS:
            w, we = _col_where(c)
            out.append(Instance(f"{part}:{c}", "table3", part, c, w, we, "le", (_t3(part, c, "row"),),
                                (_t3("NEW", c, "row"), _t3("CARRY", c, "row")), target=f"t3.{part}.{c}"))
    return tuple(out)


def t3_zero() -> tuple[Instance, ...]:
    """lhs: the cells whose sum being 0 triggers the rule; rhs: the cells that must then be 0."""
    must = [k for k in T3_ROW_KEYS if k.startswith("R_")] + ["FWD"]
    out = []
    for c in T3_COLS:
        w, we = _col_where(c)
        out.append(Instance(c, "table3", None, c, w, we, "zero",
                            (_t3("NEW", c, "row"), _t3("CARRY", c, "row")),
                            tuple(_t3(r, c, "row") for r in must)))
    return tuple(out)


def t3_heur_fwd() -> tuple[Instance, ...]:
    return (Instance("TOT", "table3", "FWD", "TOT", "总计", "total", "le", (_t3("FWD", "TOT", "row"),),
                     (_t3("NEW", "TOT", "row"),), target="t3.FWD.TOT"),)


def t3_heur_other() -> tuple[Instance, ...]:
    total = Term("t3.R_TOTAL.TOT", "20% ×（七）总计", "20 % × results total", 0.2)
    return (
        Instance("TOT:single", "table3", "R_OTHER", "TOT", "总计", "total", "le",
                 (_t3("R_OTHER", "TOT", "row"),), (total,), variant=SINGLE, target="t3.R_OTHER.TOT"),
        Instance("TOT:split", "table3", "R_OTHER_3", "TOT", "总计", "total", "le",
                 (_t3("R_OTHER_3", "TOT", "row"),), (total,), variant=SPLIT, target="t3.R_OTHER_3.TOT"),
    )


def t3_orgsub() -> tuple[Instance, ...]:
    """The added 法人或其他组织小计 column = the five organisation columns, in every row it is printed."""
    out = []
    for r in (*T3_ROW_KEYS, *GROUP_SUBTOTALS):
        variant = SINGLE if r == "R_OTHER" else SPLIT if r in OTHER_SPLIT else None
        out.append(Instance(r, "table3", r, "SUB", t3_row_short(r), t3_row_short_en(r), "eq",
                            (_t3(r, "SUB", "col"),), tuple(_t3(r, c, "col") for c in ORG_COLS),
                            variant=variant, target=f"t3.{r}.SUB"))
    return tuple(out)


def t3_groupsub() -> tuple[Instance, ...]:
    """An added subtotal row of （三）/（四）/（五）/（六） = the sum of its sub-rows, in every column."""
    out = []
    for gkey, (group, _) in GROUP_SUBTOTALS.items():
        for c in (*T3_COLS, "SUB"):
            w, we = _col_where(c)
            out.append(Instance(f"{gkey}:{c}", "table3", gkey, c, w, we, "eq", (_t3(gkey, c, "row"),),
                                tuple(_t3(r, c, "row") for r in GROUP_ROWS[group]), target=f"t3.{gkey}.{c}"))
    return tuple(out)


def t4_heur_rev2lit() -> tuple[Instance, ...]:
    return (Instance("LIT_R", "table4", None, "LIT_R_TOTAL", "复议后起诉", "lawsuits after review", "le",
                     (Term("t4.LIT_R_TOTAL", "复议后起诉·总计", "lawsuits after review, total"),),
                     (Term("t4.REV_TOTAL", "行政复议·总计", "reviews, total"),), target="t4.LIT_R_TOTAL"),)


def _t4_sum(group: str) -> tuple[Instance, ...]:
    parts = [f"{group}_{o}" for o in ("MAINTAIN", "CORRECT", "OTHER", "PENDING")]
    total = f"{group}_TOTAL"
    assert total in T4_KEYS and all(p in T4_KEYS for p in parts)
    gl, gle = T4_LABELS[total].rsplit("·", 1)[0], T4_LABELS_EN[total].rsplit(" ", 1)[0]
    return (Instance(group, "table4", None, total, f"「{gl}」", gle, "eq",
                     (Term(f"t4.{total}", T4_LABELS[total].split("·")[-1], "total"),),
                     tuple(Term(f"t4.{k}", T4_LABELS[k].split("·")[-1], T4_LABELS_EN[k].rsplit(" ", 1)[-1])
                           for k in parts), target=f"t4.{total}"),)


def t4_sum_rev() -> tuple[Instance, ...]:
    return _t4_sum("REV")


def t4_sum_litd() -> tuple[Instance, ...]:
    return _t4_sum("LIT_D")


def t4_sum_litr() -> tuple[Instance, ...]:
    return _t4_sum("LIT_R")


def _t2(row: str, col: str) -> Term:
    c = cell(f"t2.{row}.{col}")
    from parsers.layout import T2_COL_LABELS, T2_COL_LABELS_EN

    return Term(c.id, T2_COL_LABELS[col], T2_COL_LABELS_EN[col])


def _t2_le(rows: tuple[str, ...], small: str, big: str, gen: str) -> tuple[Instance, ...]:
    return tuple(Instance(r, "table2", r, small, T2_ROW_LABELS[r], T2_ROW_LABELS_EN[r], "le",
                          (_t2(r, small),), (_t2(r, big),), t2gen=gen, target=f"t2.{r}.{small}")
                 for r in rows)


def t2_19_pub_le_tot() -> tuple[Instance, ...]:
    return _t2_le(("REG", "NORM"), "PUBLISHED", "TOTAL", "2019")


def t2_19_new() -> tuple[Instance, ...]:
    return _t2_le(("REG", "NORM"), "PUBLISHED", "MADE", "2019")


def t2_21_valid_ge_new() -> tuple[Instance, ...]:
    return _t2_le(("REG", "NORM"), "ISSUED", "VALID", "2021")


def t2_items_nonneg() -> tuple[Instance, ...]:
    """0 ≤ PREV + CHANGE, written as an empty left side."""
    return tuple(Instance(r, "table2", r, "CHANGE", T2_ROW_LABELS[r], T2_ROW_LABELS_EN[r], "le", (),
                          (_t2(r, "PREV"), _t2(r, "CHANGE")), t2gen="2019", target=f"t2.{r}.CHANGE")
                 for r in ("LICENSE", "SERVICE", "PENALTY", "COERCION", "FEE"))


def t2_21_repeal() -> tuple[Instance, ...]:
    """0 ≤ 本年废止件数 and 0 ≤ 现行有效件数 (the within-report part of T2-21-REPEAL)."""
    return tuple(Instance(f"{r}:{c}", "table2", r, c, T2_ROW_LABELS[r], T2_ROW_LABELS_EN[r], "le", (), (_t2(r, c),),
                          t2gen="2021", target=f"t2.{r}.{c}")
                 for r in ("REG", "NORM") for c in ("REPEALED", "VALID"))


def t2_reg_auth() -> tuple[Instance, ...]:
    """Every 规章 cell ≤ 0 (i.e. 0, blank or "/"), decided only for bodies whose type is known."""
    from expectations.cells import T2_GENERATIONS

    out = []
    for (r, c), gens in T2_GENERATIONS.items():
        if r == "REG":
            out.append(Instance(c, "table2", r, c, T2_ROW_LABELS[r], T2_ROW_LABELS_EN[r], "le", (_t2(r, c),), (),
                                t2gen=gens[0], target=f"t2.{r}.{c}", gate="body"))
    return tuple(out)


def _cell_instances(kinds: tuple[str, ...], op: str, only_col: str | None = None) -> tuple[Instance, ...]:
    from expectations.cells import all_cells

    out = []
    for c in all_cells():
        if c.kind not in kinds or (only_col and c.col != only_col):
            continue
        out.append(Instance(c.id, c.table, c.row, c.col, c.label, c.label_en, op,
                            (Term(c.id, c.label, c.label_en),), target=c.id))
    return tuple(out)


def gen_int_cells() -> tuple[Instance, ...]:
    return _cell_instances(("count",), "domain")


def gen_amount_cells() -> tuple[Instance, ...]:
    return _cell_instances(("amount",), "domain")


def gen_signed_cells() -> tuple[Instance, ...]:
    return _cell_instances(("signed",), "flag")


def gen_blank_totals() -> tuple[Instance, ...]:
    """The total cells of T3-ROW, T3-RES and T4-SUM-*: blank while their parts are not all 0."""
    out = []
    for inst in (*t3_row_totals(), *t3_results(), *t4_sum_rev(), *t4_sum_litd(), *t4_sum_litr()):
        c = cell(inst.lhs[0].cell)
        out.append(Instance(f"{inst.lhs[0].cell}:{inst.variant or ''}", inst.table, c.row, c.col, c.label,
                            c.label_en, "blank", inst.lhs, inst.rhs, variant=inst.variant,
                            target=inst.lhs[0].cell))
    return tuple(out)


def fmt_tables() -> tuple[Instance, ...]:
    return tuple(Instance(t, "report", None, None, lab, lab_en, "report", param=f"table:{t}")
                 for t, lab, lab_en in (("table2", "表二", "Table 二"), ("table3", "表三", "Table 三"),
                                        ("table4", "表四", "Table 四")))


def fmt_gen() -> tuple[Instance, ...]:
    return (Instance("format", "report", None, None, "格式版本", "format generation", "report", param="gen"),)


def t3_fmt_split() -> tuple[Instance, ...]:
    return (Instance("R_OTHER", "table3", "R_OTHER", None, "（六）其他处理", "(6) other handling", "report",
                     param="split"),)


def fmt_note() -> tuple[Instance, ...]:
    return (Instance("note", "table3", None, None, "勾稽关系说明", "arithmetic note", "report", param="note"),)


def t2_localrow() -> tuple[Instance, ...]:
    return (Instance("extra", "table2", None, None, "本地行", "local rows", "report", param="localrow"),)


def fmt_sections() -> tuple[Instance, ...]:
    return (Instance("sections", "report", None, None, "报告结构", "report structure", "report", param="sections"),)


def fmt_sections_heading() -> tuple[Instance, ...]:
    return (Instance("headings", "report", None, None, "部分标题", "section headings", "report", param="headings"),)


def fmt_labels() -> tuple[Instance, ...]:
    return (Instance("t3layout", "table3", None, None, "表三行列", "table 三 rows and columns", "report",
                     param="labels"),)


def fmt_period() -> tuple[Instance, ...]:
    return (Instance("period", "report", None, None, "统计期限", "statistics period", "report", param="period"),)


# ---------------------------------------------------------------- cross-year (statutory-format.md §7.5)
def _prev(cid: str) -> Term:
    c = cell(f"prev.{cid}")
    return Term(c.id, c.label, c.label_en)


def _carry(cols: tuple[str, ...]) -> tuple[Instance, ...]:
    out = []
    for c in cols:
        w, we = _col_where(c)
        out.append(Instance(c, "table3", "CARRY", c, w, we, "eq", (_t3("CARRY", c, "row"),),
                            (_prev(f"t3.FWD.{c}"),), target=f"t3.CARRY.{c}", gate="x:1"))
    return tuple(out)


def x_t3_carry_tot() -> tuple[Instance, ...]:
    return _carry(("TOT",))


def x_t3_carry_col() -> tuple[Instance, ...]:
    return _carry(tuple(T3_APPL))


def x_t2_21_valid() -> tuple[Instance, ...]:
    """现行有效(Y) = 现行有效(Y−1) + 本年制发(Y) − 本年废止(Y), per row."""
    return tuple(Instance(r, "table2", r, "VALID", T2_ROW_LABELS[r], T2_ROW_LABELS_EN[r], "eq", (_t2(r, "VALID"),),
                          (_prev(f"t2.{r}.VALID"), _t2(r, "ISSUED"),
                           Term(f"t2.{r}.REPEALED", "本年废止件数", "repealed this year", -1.0)),
                          t2gen="2021", target=f"t2.{r}.VALID", gate="x:2") for r in ("REG", "NORM"))


def x_t2_21_repeal() -> tuple[Instance, ...]:
    """本年废止(Y) ≤ 现行有效(Y−1) + 本年制发(Y), per row."""
    return tuple(Instance(r, "table2", r, "REPEALED", T2_ROW_LABELS[r], T2_ROW_LABELS_EN[r], "le",
                          (_t2(r, "REPEALED"),), (_prev(f"t2.{r}.VALID"), _t2(r, "ISSUED")),
                          t2gen="2021", target=f"t2.{r}.REPEALED", gate="x:2") for r in ("REG", "NORM"))


def x_t2_19_items() -> tuple[Instance, ...]:
    """上一年项目数量(2020) = 上一年项目数量(2019) + 本年增/减(2019), per row."""
    return tuple(Instance(r, "table2", r, "PREV", T2_ROW_LABELS[r], T2_ROW_LABELS_EN[r], "eq", (_t2(r, "PREV"),),
                          (_prev(f"t2.{r}.PREV"), _prev(f"t2.{r}.CHANGE")), t2gen="2019", target=f"t2.{r}.PREV",
                          gate="x:4") for r in ("LICENSE", "SERVICE", "PENALTY", "COERCION", "FEE"))


# ---------------------------------------------------------------- prose against the tables (parsers/prose.py)
def _txt(key: str) -> Term:
    c = cell(f"txt.{key}")
    return Term(c.id, c.label, c.label_en)


def _claim(key: str, table: str, row: str | None, col: str | None, terms: tuple[Term, ...]) -> Instance:
    c = cell(f"txt.{key}")
    return Instance(key, table, row, col, c.label.removeprefix("正文所述"), c.label_en.split(": ", 1)[-1], "eq",
                    (_txt(key),), terms, target=terms[0].cell if len(terms) == 1 else None, gate="claim")


def txt_t3_recv() -> tuple[Instance, ...]:
    return (_claim("t3.NEW.TOT", "table3", "NEW", "TOT", (_t3("NEW", "TOT", "row"),)),
            _claim("t3.NEW+CARRY", "table3", "NEW", "TOT", (_t3("NEW", "TOT", "row"), _t3("CARRY", "TOT", "row"))))


def txt_t3_done() -> tuple[Instance, ...]:
    return (_claim("t3.R_TOTAL.TOT", "table3", "R_TOTAL", "TOT", (_t3("R_TOTAL", "TOT", "row"),)),
            _claim("t3.FWD.TOT", "table3", "FWD", "TOT", (_t3("FWD", "TOT", "row"),)))


def txt_t3_cat() -> tuple[Instance, ...]:
    out = [_claim("t3.R_OPEN.TOT", "table3", "R_OPEN", "TOT", (_t3("R_OPEN", "TOT", "row"),)),
           _claim("t3.R_PARTIAL.TOT", "table3", "R_PARTIAL", "TOT", (_t3("R_PARTIAL", "TOT", "row"),))]
    for group in ("R_DENY", "R_UNABLE", "R_NOTPROC"):
        out.append(_claim(f"t3.{group}", "table3", group, "TOT",
                          tuple(_t3(r, "TOT", "row") for r in GROUP_ROWS[group])))
    return tuple(out)


def txt_t4() -> tuple[Instance, ...]:
    return (_claim("t4.REV_TOTAL", "table4", None, "REV_TOTAL",
                   (Term("t4.REV_TOTAL", "表四行政复议总计", "table 四 reviews, total"),)),
            _claim("t4.LIT", "table4", None, "LIT_TOTAL",
                   (Term("t4.LIT_D_TOTAL", "表四未经复议直接起诉总计", "table 四 lawsuits without review, total"),
                    Term("t4.LIT_R_TOTAL", "表四复议后起诉总计", "table 四 lawsuits after review, total"))))


def txt_sum() -> tuple[Instance, ...]:
    from expectations.frame import MAX_SUMS

    return tuple(Instance(f"sum{k}", "report", None, None, "正文数字", "numbers in the text", "report",
                          param=f"txtsum:{k}") for k in range(MAX_SUMS))


GENERATORS: dict[str, Callable[[], tuple[Instance, ...]]] = {
    f.__name__: f
    for f in (t3_balance, t3_results, t3_row_totals, t3_bounds, t3_zero, t3_heur_fwd, t3_heur_other,
              t4_sum_rev, t4_sum_litd, t4_sum_litr, t2_19_pub_le_tot, t2_19_new, t2_21_valid_ge_new,
              t2_items_nonneg, gen_int_cells, gen_amount_cells, gen_signed_cells, gen_blank_totals,
              fmt_tables, fmt_gen, t3_fmt_split, fmt_note, t2_localrow, t3_orgsub, t3_groupsub,
              t4_heur_rev2lit, t2_21_repeal, t2_reg_auth, fmt_sections, fmt_sections_heading, fmt_labels,
              fmt_period, x_t3_carry_tot, x_t3_carry_col, x_t2_21_valid, x_t2_21_repeal, x_t2_19_items,
              txt_t3_recv, txt_t3_done, txt_t3_cat, txt_t4, txt_sum)
}


@cache
def instances_for(generator: str) -> tuple[Instance, ...]:
    try:
        return GENERATORS[generator]()
    except KeyError:
        raise KeyError(f"unknown instance generator {generator!r} (see expectations/instances.py)") from None
