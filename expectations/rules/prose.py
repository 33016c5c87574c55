"""Prose against the tables (``parsers/prose.py``): TXT-T3-RECV, TXT-T3-DONE, TXT-T3-CAT, TXT-T4 (a number
the text states = the table's cells; ``gate="claim"``: applies only where the text states it) and the
report-level TXT-SUM (a total in the text = the parts it lists)."""

from __future__ import annotations

import numpy as np

from expectations.cells import GROUP_ROWS, cell
from expectations.frame import MAX_SUMS
from expectations.instances import Instance, Term
from expectations.instances import t3_term as _t3
from expectations.rules.registry import generator, report_check


def _txt(key: str) -> Term:
    c = cell(f"txt.{key}")
    return Term(c.id, c.label, c.label_en)


def _claim(key: str, table: str, row: str | None, col: str | None, terms: tuple[Term, ...]) -> Instance:
    c = cell(f"txt.{key}")
    return Instance(key, table, row, col, c.label.removeprefix("正文所述"), c.label_en.split(": ", 1)[-1], "eq",
                    (_txt(key),), terms, target=terms[0].cell if len(terms) == 1 else None, gate="claim")


@generator
def txt_t3_recv() -> tuple[Instance, ...]:
    return (_claim("t3.NEW.TOT", "table3", "NEW", "TOT", (_t3("NEW", "TOT", "row"),)),
            _claim("t3.NEW+CARRY", "table3", "NEW", "TOT", (_t3("NEW", "TOT", "row"), _t3("CARRY", "TOT", "row"))))


@generator
def txt_t3_done() -> tuple[Instance, ...]:
    return (_claim("t3.R_TOTAL.TOT", "table3", "R_TOTAL", "TOT", (_t3("R_TOTAL", "TOT", "row"),)),
            _claim("t3.FWD.TOT", "table3", "FWD", "TOT", (_t3("FWD", "TOT", "row"),)))


@generator
def txt_t3_cat() -> tuple[Instance, ...]:
    out = [_claim("t3.R_OPEN.TOT", "table3", "R_OPEN", "TOT", (_t3("R_OPEN", "TOT", "row"),)),
           _claim("t3.R_PARTIAL.TOT", "table3", "R_PARTIAL", "TOT", (_t3("R_PARTIAL", "TOT", "row"),))]
    for group in ("R_DENY", "R_UNABLE", "R_NOTPROC"):
        out.append(_claim(f"t3.{group}", "table3", group, "TOT",
                          tuple(_t3(r, "TOT", "row") for r in GROUP_ROWS[group])))
    return tuple(out)


@generator
def txt_t4() -> tuple[Instance, ...]:
    return (_claim("t4.REV_TOTAL", "table4", None, "REV_TOTAL",
                   (Term("t4.REV_TOTAL", "表四行政复议总计", "table 四 reviews, total"),)),
            _claim("t4.LIT", "table4", None, "LIT_TOTAL",
                   (Term("t4.LIT_D_TOTAL", "表四未经复议直接起诉总计", "table 四 lawsuits without review, total"),
                    Term("t4.LIT_R_TOTAL", "表四复议后起诉总计", "table 四 lawsuits after review, total"))))


# ---------------------------------------------------------------- TXT-SUM (report level, one per prose total)
@generator
def txt_sum() -> tuple[Instance, ...]:
    return tuple(Instance(f"sum{k}", "report", None, None, "正文数字", "numbers in the text", "report",
                          param=f"txtsum:{k}") for k in range(MAX_SUMS))


def _sum_eval(m, arg):
    k = int(arg)
    return m["m_txtn"] > k, np.ones(len(m["m_txtn"]), dtype=bool), (m["m_txtbad"] & (1 << k)) != 0


def _sum_detail(codes, rep, arg):
    k = int(arg)
    sm = rep.sums[k] if k < len(rep.sums) else None
    if sm is None:
        return "", ""
    parts = " + ".join(f"{v}{'余' if b == 'min' else ''}" for v, b in sm.parts)
    parts_en = " + ".join(f"{v}{'+' if b == 'min' else ''}" for v, b in sm.parts)
    least = "至少 " if any(b == "min" for _, b in sm.parts) else ""
    if sm.verdict == "over":
        return (f"正文总数 {sm.total}{sm.unit}，而分项 {parts} = {least}{sm.parts_min}{sm.unit}，超过总数；"
                f"原文：「{sm.sentence}」",
                f"the text gives a total of {sm.total} but its parts {parts_en} = "
                f"{'at least ' if least else ''}{sm.parts_min}, more than the total; the text says: “{sm.sentence}”")
    return (f"正文总数 {sm.total}{sm.unit}，而所列分项 {parts} = {sm.parts_min}{sm.unit}，与总数不符；"
            f"原文：「{sm.sentence}」",
            f"the text gives a total of {sm.total} but the parts it lists, {parts_en}, add up to "
            f"{sm.parts_min}; the text says: “{sm.sentence}”")


report_check("txtsum", _sum_eval, _sum_detail)
