"""Break one rule of a consistent report by changing one known cell (or one layout fact).

Used by the recall tests and the benchmark: ``mutate(report, rule_id, rng)`` returns a changed deep
copy and a description of the change, or None when the rule cannot be broken in this report (e.g. a
2019-only rule on a 2021 report).
"""

from __future__ import annotations

import copy
import random
from collections.abc import Callable
from dataclasses import dataclass
from decimal import Decimal

from expectations.bodies import NO_POWER, body_type
from expectations.cells import GROUP_ROWS, GROUP_SUBTOTALS, ORG_COLS
from parsers.layout import T3_APPL, T3_GROUP_LABELS, T3_ROWS_BY_KEY
from parsers.model import MISSING, Cell, Report, Row


@dataclass(frozen=True, slots=True)
class Mutation:
    rule: str
    cell: str  # cell id (or a layout fact such as "table4" / "year")
    before: object
    after: object


def _t3(rep: Report, row: str, col: str) -> int:
    return int(rep.table3.rows[row].cells[col].value or 0)


def _set3(rep: Report, row: str, col: str, v: int | Decimal | None, raw: str | None = None,
          flags: frozenset[str] = frozenset()) -> Mutation:
    old = rep.table3.rows[row].cells[col]
    rep.table3.rows[row].cells[col] = Cell(value=v, raw=str(v) if raw is None else raw, prov=old.prov, flags=flags)
    return Mutation("", f"t3.{row}.{col}", old.value, v)


def _set2(rep: Report, row: str, col: str, v, raw: str | None = None, flags: frozenset[str] = frozenset()):
    if row not in rep.table2.rows or col not in rep.table2.rows[row]:
        return None
    old = rep.table2.rows[row][col]
    rep.table2.rows[row][col] = Cell(value=v, raw=str(v) if raw is None else raw, flags=flags)
    return Mutation("", f"t2.{row}.{col}", old.value, v)


def _set4(rep: Report, key: str, v: int) -> Mutation:
    old = rep.table4.cells[key]
    rep.table4.cells[key] = Cell(value=v, raw=str(v))
    return Mutation("", f"t4.{key}", old.value, v)


def _other_rows(rep: Report) -> list[str]:
    return [k for k in ("R_OTHER", "R_OTHER_1", "R_OTHER_2", "R_OTHER_3") if k in rep.table3.rows]


def _m_bal(rep, rng):
    c = rng.choice(T3_APPL)
    return _set3(rep, "NEW", c, _t3(rep, "NEW", c) + rng.randint(1, 5))


def _m_res(rep, rng):
    c = rng.choice(T3_APPL)
    return _set3(rep, "R_OPEN", c, _t3(rep, "R_OPEN", c) + rng.randint(1, 5))


def _m_row(rep, rng):
    r = rng.choice(["NEW", "R_OPEN", "R_PARTIAL", "R_TOTAL", "FWD"])
    return _set3(rep, r, "TOT", _t3(rep, r, "TOT") + rng.choice((-1, 1)) * rng.randint(1, 3) if
                 _t3(rep, r, "TOT") > 3 else _t3(rep, r, "TOT") + rng.randint(1, 3))


def _m_bound(rep, rng):
    c = rng.choice(T3_COLS_ALL)
    return _set3(rep, "R_TOTAL", c, _t3(rep, "NEW", c) + _t3(rep, "CARRY", c) + rng.randint(1, 5))


def _m_zero(rep, rng):
    cols = [c for c in T3_APPL if _t3(rep, "NEW", c) + _t3(rep, "CARRY", c) == 0]
    if not cols:
        return None
    return _set3(rep, "R_OPEN", rng.choice(cols), rng.randint(1, 5))


def _m_heur_fwd(rep, rng):
    return _set3(rep, "FWD", "TOT", _t3(rep, "NEW", "TOT") + rng.randint(1, 5))


def _m_heur_other(rep, rng):
    row = "R_OTHER" if "R_OTHER" in rep.table3.rows else "R_OTHER_3"
    return _set3(rep, row, "TOT", _t3(rep, "R_TOTAL", "TOT") + 1)


def _m_fmt_split(rep, rng):
    rows = rep.table3.rows
    if "R_OTHER_1" in rows:
        subs = [rows.pop(k) for k in ("R_OTHER_1", "R_OTHER_2", "R_OTHER_3")]
        cells = {c: Cell(value=sum(int(s.cells[c].value or 0) for s in subs),
                         raw=str(sum(int(s.cells[c].value or 0) for s in subs))) for c in subs[0].cells}
        new = Row(key="R_OTHER", label=T3_ROWS_BY_KEY["R_OTHER"].label, cells=cells)
    else:
        old = rows.pop("R_OTHER")
        new = None
        for k in ("R_OTHER_1", "R_OTHER_2", "R_OTHER_3"):
            cells = old.cells if k == "R_OTHER_1" else {c: Cell(value=0, raw="0") for c in old.cells}
            rows[k] = Row(key=k, label=T3_ROWS_BY_KEY[k].label, cells=dict(cells))
    if new is not None:
        rows["R_OTHER"] = new
    return Mutation("", "t3.R_OTHER", "layout", "layout")


def _t4_total(group):
    def m(rep, rng):
        key = f"{group}_TOTAL"
        return _set4(rep, key, int(rep.table4.cells[key].value or 0) + rng.randint(1, 4))
    return m


def _m_t2_pub(rep, rng):
    r = rng.choice(("REG", "NORM"))
    tot = rep.table2.rows.get(r, {}).get("TOTAL")
    return _set2(rep, r, "PUBLISHED", int(tot.value or 0) + rng.randint(1, 5)) if tot else None


def _m_t2_new(rep, rng):
    r = rng.choice(("REG", "NORM"))
    made = rep.table2.rows.get(r, {}).get("MADE")
    return _set2(rep, r, "PUBLISHED", int(made.value or 0) + rng.randint(1, 5)) if made else None


def _m_t2_valid(rep, rng):
    r = rng.choice(("REG", "NORM"))
    valid = rep.table2.rows.get(r, {}).get("VALID")
    return _set2(rep, r, "ISSUED", int(valid.value or 0) + rng.randint(1, 5)) if valid else None


def _m_localrow(rep, rng):
    rep.table2.extra_rows["其他主动公开文件"] = {"MADE": Cell(value=3, raw="3")}
    return Mutation("", "t2.extra", None, "其他主动公开文件")


def _m_int(rep, rng):
    r = rng.choice(("CARRY", "R_PARTIAL", "R_UNABLE_1"))
    c = rng.choice(T3_APPL)
    if rng.random() < 0.5:
        return _set3(rep, r, c, -rng.randint(1, 3))
    return _set3(rep, r, c, Decimal(_t3(rep, r, c)) + Decimal("0.5"))


def _m_amount(rep, rng):
    for r in ("FEE", "PROCURE"):
        if "AMOUNT" in rep.table2.rows.get(r, {}):
            return _set2(rep, r, "AMOUNT", Decimal("-12.5"))
    return None


def _m_items(rep, rng):
    r = rng.choice(("LICENSE", "SERVICE", "PENALTY", "COERCION", "FEE"))
    prev = rep.table2.rows.get(r, {}).get("PREV")
    return _set2(rep, r, "CHANGE", -(int(prev.value or 0) + rng.randint(1, 5))) if prev else None


def _m_blank(rep, rng):
    rows = [k for k, row in rep.table3.rows.items() if int(row.cells["TOT"].value or 0) > 0]
    if not rows:
        return None
    return _set3(rep, rng.choice(rows), "TOT", None, raw="", flags=frozenset({"blank"}))


def _m_signed(rep, rng):
    r = rng.choice(("LICENSE", "PENALTY", "FEE"))
    ch = rep.table2.rows.get(r, {}).get("CHANGE")
    if ch is None:
        return None
    v = int(ch.value or 0)
    return _set2(rep, r, "CHANGE", v, raw=f"--{abs(v)}" if v < 0 else f"++{v}", flags=frozenset({"double_sign"}))


def _m_tables(rep, rng):
    t = rng.choice(("table2", "table3", "table4"))
    tab = getattr(rep, t)
    tab.status = MISSING
    tab.reason = "mutated: table removed"
    return Mutation("", t, "present", MISSING)


def _m_gen(rep, rng):
    before = rep.year
    rep.year = 2022 if rep.format == "2019" else 2020
    if rep.title and before:
        rep.title = rep.title.replace(str(before), str(rep.year))
    return Mutation("", "year", before, rep.year)


def _m_note(rep, rng):
    rep.table3.has_note = False
    return Mutation("", "t3.note", True, False)


def _add_sub_column(rep: Report) -> None:
    """Print the 法人或其他组织小计 column (consistent: the sum of the five organisation columns)."""
    t3 = rep.table3
    t3.columns = (*T3_APPL, "SUB", "TOT")
    for row in t3.rows.values():
        if row.cells:
            v = sum(int(row.cells[c].value or 0) for c in ORG_COLS)
            row.cells = {**{c: row.cells[c] for c in T3_APPL}, "SUB": Cell(value=v, raw=str(v)),
                         "TOT": row.cells["TOT"]}


def _add_group_subtotal(rep: Report, group: str) -> Row:
    """Print a consistent subtotal row for ``group`` (R_DENY …) among table 三's extra rows."""
    subs = [rep.table3.rows[k] for k in GROUP_ROWS[group]]
    cols = subs[0].cells.keys()
    cells = {c: Cell(value=sum(int(s.cells[c].value or 0) for s in subs),
                     raw=str(sum(int(s.cells[c].value or 0) for s in subs))) for c in cols}
    label = next(lab for lab, g in T3_GROUP_LABELS.items() if g == group)
    row = Row(key="", label=label, cells=cells, group=group)
    rep.table3.extra_rows.append(row)
    return row


def _m_orgsub(rep, rng):
    _add_sub_column(rep)
    r = rng.choice(["NEW", "R_OPEN", "R_UNABLE_1", "R_TOTAL", "FWD"])
    old = int(rep.table3.rows[r].cells["SUB"].value or 0)
    return _set3(rep, r, "SUB", old + rng.randint(1, 4) if old < 3 or rng.random() < 0.5 else old - 1)


def _m_groupsub(rep, rng):
    groups = ["R_DENY", "R_UNABLE", "R_NOTPROC"] + (["R_OTHER"] if "R_OTHER_1" in rep.table3.rows else [])
    group = rng.choice(groups)
    row = _add_group_subtotal(rep, group)
    col = rng.choice((*T3_APPL, "TOT"))
    old = row.cells[col]
    v = int(old.value or 0) + rng.randint(1, 3)
    row.cells[col] = Cell(value=v, raw=str(v))
    gkey = next(k for k, (g, _) in GROUP_SUBTOTALS.items() if g == group)
    return Mutation("", f"t3.{gkey}.{col}", old.value, v)


def _m_rev2lit(rep, rng):
    """More lawsuits after review than reviews, keeping 复议后起诉's own sum consistent."""
    cells = rep.table4.cells
    k = int(cells["REV_TOTAL"].value or 0) - int(cells["LIT_R_TOTAL"].value or 0) + rng.randint(1, 3)
    if k <= 0:
        return None
    before = cells["LIT_R_TOTAL"].value
    for key in ("LIT_R_MAINTAIN", "LIT_R_TOTAL"):
        _set4(rep, key, int(cells[key].value or 0) + k)
    return Mutation("", "t4.LIT_R_TOTAL", before, int(cells["LIT_R_TOTAL"].value or 0))


def _m_repeal(rep, rng):
    r, c = rng.choice(("REG", "NORM")), rng.choice(("REPEALED", "VALID"))
    if c not in rep.table2.rows.get(r, {}):
        return None
    return _set2(rep, r, c, -rng.randint(1, 5))


def _m_reg_auth(rep, rng):
    """A township or county body reporting 规章."""
    if body_type(rep.body).power != NO_POWER:
        rep.body = rng.choice(("示例镇人民政府", "示例县教育局", "示例街道办事处", "示例区人民政府"))
    cols = [c for c in rep.table2.rows.get("REG", {}) if c != "REPEALED"]
    if not cols:
        return None
    return _set2(rep, "REG", rng.choice(cols), rng.randint(1, 6))


def _m_sections(rep, rng):
    if rng.random() < 0.7:
        key = rng.choice(("overview", "problems", "other"))
        rep.sections = [s for s in rep.sections if s.key != key]
        return Mutation("", f"section.{key}", "present", "missing")
    i, j = sorted(rng.sample(range(len(rep.sections)), 2))
    rep.sections[i], rep.sections[j] = rep.sections[j], rep.sections[i]
    return Mutation("", "sections", "in order", f"{rep.sections[i].key}<->{rep.sections[j].key}")


def _m_heading(rep, rng):
    key = rng.choice(("proactive", "requests", "review"))
    rep.sections = [s for s in rep.sections if s.key != key]
    return Mutation("", f"section.{key}", "heading", "no heading")


def _m_labels(rep, rng):
    if rng.random() < 0.5:
        _add_sub_column(rep)
        return Mutation("", "t3.SUB", None, "法人或其他组织小计")
    cells = {c: Cell(value=0, raw="0") for c in T3_COLS_ALL}
    rep.table3.extra_rows.append(Row(key="", label="其中：网上申请", cells=cells))
    return Mutation("", "t3.extra", None, "其中：网上申请")


def _m_period(rep, rng):
    if rep.year is None or not rep.sections:
        return None
    y = rep.year - rng.randint(1, 2)
    sec = rep.sections[-1]
    sec.text += f"本报告所列数据统计期限为{y}年1月1日至{y}年12月31日。"
    return Mutation("", "period", rep.year, y)


T3_COLS_ALL = (*T3_APPL, "TOT")

MUTATORS: dict[str, Callable[[Report, random.Random], Mutation | None]] = {
    "T3-BAL": _m_bal, "T3-RES": _m_res, "T3-ROW": _m_row, "T3-BOUND": _m_bound, "T3-ZERO": _m_zero,
    "T3-HEUR-FWD": _m_heur_fwd, "T3-HEUR-OTHER": _m_heur_other, "T3-FMT-SPLIT": _m_fmt_split,
    "T4-SUM-REV": _t4_total("REV"), "T4-SUM-LITD": _t4_total("LIT_D"), "T4-SUM-LITR": _t4_total("LIT_R"),
    "T2-19-PUB≤TOT": _m_t2_pub, "T2-19-NEW": _m_t2_new, "T2-21-VALID≥NEW": _m_t2_valid,
    "T2-LOCALROW": _m_localrow, "GEN-INT": _m_int, "GEN-AMOUNT": _m_amount, "GEN-ITEMS-NONNEG": _m_items,
    "GEN-BLANK": _m_blank, "GEN-SIGNED": _m_signed, "FMT-TABLES": _m_tables, "FMT-GEN": _m_gen,
    "FMT-NOTE": _m_note, "T3-ORGSUB": _m_orgsub, "T3-GROUPSUB": _m_groupsub, "T4-HEUR-REV2LIT": _m_rev2lit,
    "T2-21-REPEAL": _m_repeal, "T2-REG-AUTH": _m_reg_auth, "FMT-SECTIONS": _m_sections,
    "FMT-SECTIONS-HEADING": _m_heading, "FMT-LABELS": _m_labels, "FMT-PERIOD": _m_period,
}



def mutate(report: Report, rule_id: str, rng: random.Random) -> tuple[Report, Mutation] | None:
    """A deep copy of ``report`` with ``rule_id`` broken, or None if the rule cannot be broken here."""
    rep = copy.deepcopy(report)
    m = MUTATORS[rule_id](rep, rng)
    if m is None:
        return None
    return rep, Mutation(rule_id, m.cell, m.before, m.after)
