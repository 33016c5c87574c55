"""Every cell a rule can read, in one fixed order: the columns of the validation frame.

A cell id is ``t3.<row>.<col>``, ``t4.<key>`` or ``t2.<row>.<col>`` using the keys of
``parsers.layout``. Labels are short forms of the statutory labels, for messages.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache

from parsers.layout import (
    T2_BLOCKS_2019,
    T2_BLOCKS_2021,
    T2_COL_LABELS,
    T2_COL_LABELS_EN,
    T2_ROW_LABELS,
    T2_ROW_LABELS_EN,
    T3_COL_LABELS,
    T3_COL_LABELS_EN,
    T3_COLS,
    T3_GROUP_LABELS,
    T3_GROUP_SUBROWS,
    T3_ROWS_2019,
    T3_ROWS_2021,
    T3_ROWS_BY_KEY,
    T4_KEYS,
    T4_LABELS,
    T4_LABELS_EN,
)

TABLE_LABELS = {"table2": "表二", "table3": "表三", "table4": "表四"}
SUB_LABEL, SUB_LABEL_EN = "法人或其他组织小计", "legal persons and other organisations, subtotal"
ORG_COLS = ("BIZ", "RES", "NGO", "LAW", "OTH")  # the five 法人或其他组织 columns summed by SUB
# Local additions to table 三 the rules can read (bits of the frame's m_t3extra): the 法人或其他组织小计
# column and the subtotal rows of the groups （三）–（六）, keyed GS_<group>.
EXTRA_SUB = 1
GROUP_SUBTOTALS: dict[str, tuple[str, int]] = {  # frame row key -> (parser group, bit)
    "GS_DENY": ("R_DENY", 2), "GS_UNABLE": ("R_UNABLE", 4), "GS_NOTPROC": ("R_NOTPROC", 8),
    "GS_OTHER": ("R_OTHER", 16),
}
GROUP_ROWS: dict[str, tuple[str, ...]] = dict(T3_GROUP_SUBROWS)  # parser group -> its statutory sub-rows
TABLE_LABELS_EN = {"table2": "table 二", "table3": "table 三", "table4": "table 四"}
TABLE_PREFIX = {"t2": "table2", "t3": "table3", "t4": "table4"}


@dataclass(frozen=True, slots=True)
class CellDef:
    id: str
    table: str  # table2 | table3 | table4
    row: str | None
    col: str | None
    kind: str  # count | signed | amount
    label: str  # e.g. 表三「（一）予以公开」·总计
    label_en: str
    extra: int = 0  # m_t3extra bits a report needs for this cell to exist (local column / subtotal row)
    scope: str = "report"  # report: printed in this report's table | prev: last year's report | text: the prose


def _group_label(group: str) -> str:
    return next(lab for lab, g in T3_GROUP_LABELS.items() if g == group)


def t3_row_short(key: str) -> str:
    """（二）部分公开（区分处理的…） -> （二）部分公开; sub-rows get their group: （三）1.属于国家秘密;
    a group subtotal row: （三）不予公开（小计）."""
    if key in GROUP_SUBTOTALS:
        return f"{_group_label(GROUP_SUBTOTALS[key][0])}（小计）"
    rd = T3_ROWS_BY_KEY[key]
    label = re.sub(r"（[^（）]*）$", "", rd.label) if rd.label.startswith("（") else rd.label
    if rd.group:
        m = re.match(r"（.）", rd.group)
        label = f"{m.group(0) if m else rd.group}{label}"
    return label


def t3_row_short_en(key: str) -> str:
    if key in GROUP_SUBTOTALS:
        group = GROUP_SUBTOTALS[key][0]
        first = T3_ROWS_BY_KEY[GROUP_ROWS[group][0]].en.split(":")[0]
        return f"{first} (subtotal row)"
    return T3_ROWS_BY_KEY[key].en


def t3_col_label(col: str) -> tuple[str, str]:
    if col == "SUB":
        return SUB_LABEL, SUB_LABEL_EN
    return T3_COL_LABELS[col], T3_COL_LABELS_EN[col]


T3_ROW_KEYS: tuple[str, ...] = tuple(dict.fromkeys(r.key for r in (*T3_ROWS_2019, *T3_ROWS_2021)))


def _t2_cells() -> list[tuple[str, str, str]]:
    seen: dict[tuple[str, str], str] = {}
    for block in (*T2_BLOCKS_2019, *T2_BLOCKS_2021):
        for rkey, _ in block.rows:
            for ckey, _ in block.columns:
                kind = "signed" if ckey == "CHANGE" else "amount" if ckey == "AMOUNT" else "count"
                seen.setdefault((rkey, ckey), kind)
    return [(r, c, k) for (r, c), k in seen.items()]


@lru_cache(maxsize=1)
def all_cells() -> tuple[CellDef, ...]:
    cells: list[CellDef] = []
    for rk in (*T3_ROW_KEYS, *GROUP_SUBTOTALS):
        row_bit = GROUP_SUBTOTALS[rk][1] if rk in GROUP_SUBTOTALS else 0
        for ck in (*T3_COLS, "SUB"):
            zh, en = t3_col_label(ck)
            cells.append(CellDef(
                f"t3.{rk}.{ck}", "table3", rk, ck, "count",
                f"表三「{t3_row_short(rk)}」·{zh}", f"table 三 “{t3_row_short_en(rk)}” / {en}",
                row_bit | (EXTRA_SUB if ck == "SUB" else 0),
            ))
    for k in T4_KEYS:
        cells.append(CellDef(f"t4.{k}", "table4", None, k, "count", f"表四「{T4_LABELS[k]}」",
                             f"table 四 “{T4_LABELS_EN[k]}”"))
    for rk, ck, kind in _t2_cells():
        cells.append(CellDef(
            f"t2.{rk}.{ck}", "table2", rk, ck, kind,
            f"表二「{T2_ROW_LABELS[rk]}」·{T2_COL_LABELS[ck]}",
            f"table 二 “{T2_ROW_LABELS_EN[rk]}” / {T2_COL_LABELS_EN[ck]}",
        ))
    by_id = {c.id: c for c in cells}
    for cid in PREV_CELLS:  # last year's report, for the cross-year rules
        c = by_id[cid]
        cells.append(CellDef(f"prev.{cid}", c.table, c.row, c.col, "prev", f"上年报告{c.label}",
                             f"last year's report: {c.label_en}", scope="prev"))
    for key, (zh, en) in TEXT_CLAIMS.items():  # what the prose states (parsers.prose), for the TXT rules
        cells.append(CellDef(f"txt.{key}", "table4" if key.startswith("t4") else "table3", None, None, "text",
                             f"正文所述{zh}", f"stated in the text: {en}", scope="text"))
    return tuple(cells)


# Cells of last year's report the cross-year rules read (expectations/crossyear.py fills them).
PREV_CELLS: tuple[str, ...] = (
    *(f"t3.FWD.{c}" for c in T3_COLS),
    "t2.REG.VALID", "t2.NORM.VALID",
    *(f"t2.{r}.{c}" for r in ("LICENSE", "SERVICE", "PENALTY", "COERCION", "FEE") for c in ("PREV", "CHANGE")),
)
# Prose claims (parsers.prose keys) -> label; the TXT rules compare each with the table cells it names.
TEXT_CLAIMS: dict[str, tuple[str, str]] = {
    "t3.NEW.TOT": ("收到申请数", "requests received"),
    "t3.NEW+CARRY": ("收到申请数（含上年结转）", "requests received incl. carried over"),
    "t3.R_TOTAL.TOT": ("办结（答复）数", "requests answered"),
    "t3.FWD.TOT": ("结转下年度数", "carried into next year"),
    "t3.R_OPEN.TOT": ("予以公开数", "disclosed"),
    "t3.R_PARTIAL.TOT": ("部分公开数", "partly disclosed"),
    "t3.R_DENY": ("不予公开数", "not disclosed"),
    "t3.R_UNABLE": ("无法提供数", "unable to provide"),
    "t3.R_NOTPROC": ("不予处理数", "not processed"),
    "t4.REV_TOTAL": ("行政复议数", "administrative reviews"),
    "t4.LIT": ("行政诉讼数", "lawsuits"),
}


@lru_cache(maxsize=1)
def cell_index() -> dict[str, int]:
    return {c.id: i for i, c in enumerate(all_cells())}


def cell(cell_id: str) -> CellDef:
    return all_cells()[cell_index()[cell_id]]


def _t2_generations() -> dict[tuple[str, str], tuple[str, ...]]:
    out: dict[tuple[str, str], tuple[str, ...]] = {}
    for gen, blocks in (("2019", T2_BLOCKS_2019), ("2021", T2_BLOCKS_2021)):
        for block in blocks:
            for rkey, _ in block.rows:
                for ckey, _ in block.columns:
                    out[(rkey, ckey)] = (*out.get((rkey, ckey), ()), gen)
    return out


T2_GENERATIONS: dict[tuple[str, str], tuple[str, ...]] = _t2_generations()
