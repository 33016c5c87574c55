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
    T3_ROWS_2019,
    T3_ROWS_2021,
    T3_ROWS_BY_KEY,
    T4_KEYS,
    T4_LABELS,
    T4_LABELS_EN,
)

TABLE_LABELS = {"table2": "表二", "table3": "表三", "table4": "表四"}
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


def t3_row_short(key: str) -> str:
    """（二）部分公开（区分处理的…） -> （二）部分公开; sub-rows get their group: （三）1.属于国家秘密."""
    rd = T3_ROWS_BY_KEY[key]
    label = re.sub(r"（[^（）]*）$", "", rd.label) if rd.label.startswith("（") else rd.label
    if rd.group:
        m = re.match(r"（.）", rd.group)
        label = f"{m.group(0) if m else rd.group}{label}"
    return label


def t3_row_short_en(key: str) -> str:
    return T3_ROWS_BY_KEY[key].en


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
    for rk in T3_ROW_KEYS:
        for ck in T3_COLS:
            cells.append(CellDef(
                f"t3.{rk}.{ck}", "table3", rk, ck, "count",
                f"表三「{t3_row_short(rk)}」·{T3_COL_LABELS[ck]}",
                f"table 三 “{t3_row_short_en(rk)}” / {T3_COL_LABELS_EN[ck]}",
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
    return tuple(cells)


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
