"""Canonical reports -> one wide DataFrame keyed by report (and by reading), the batch GX validates.

Columns:
  ``report``, ``reading``      the report's position in the batch and the reading of its ambiguous rows
  ``m_*``                      report-level facts (generation codes, table statuses, layout variant, ...)
  ``v:<cell>``                 the value arithmetic uses (blank, "-", "/" read as 0, as printed)
  ``k:<cell>``                 what is known of the cell, bits (``KIND_*``): 1 available (table present, row
                               printed and complete, value parsed), 2 printed blank (or "-", "—", "/",
                               "无"), 4 flagged double sign ("--253"), 8 ambiguous and undecidable (too
                               many combinations)

Two columns per cell, not one per fact: GX walks every column of the frame once per validation
(``DataFrame.memory_usage`` before fingerprinting), which was most of a validation's fixed cost.

A report whose table 三 has rows with several readings of run-together digits gets one frame row per
combination of readings that some rule needs (``_reading_combos``), so every rule is evaluated under
every remaining reading of the cells it reads.
"""

from __future__ import annotations

import itertools
from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from expectations.bodies import body_type
from expectations.cells import all_cells, cell_index
from expectations.facts import (
    SectionFacts,
    group_subtotal_rows,
    period_code,
    section_facts,
    t3_extra_bits,
    t3_local_rows,
)
from parsers.layout import GEN_2019, GEN_2021, GEN_PRE2019
from parsers.model import MISSING, PRESENT, UNREADABLE, Cell, Report

GEN_CODES = {GEN_2019: 1, GEN_2021: 2, GEN_PRE2019: 3}
STATUS_CODES = {PRESENT: 0, MISSING: 1, UNREADABLE: 2}
VARIANT_NONE, VARIANT_SINGLE, VARIANT_SPLIT = 0, 1, 2
KIND_AVAILABLE, KIND_BLANK, KIND_DOUBLE_SIGN, KIND_UNDECIDABLE = 1, 2, 4, 8
MAX_COLUMN_COMBOS = 512  # combinations of one table-三 column's ambiguous values evaluated per report

META = ("m_gen", "m_ygen", "m_t2gen", "m_variant", "m_st_table2", "m_st_table3", "m_st_table4",
        "m_note", "m_t2extra", "m_fmt_applicable",
        "m_t3extra",  # bits: 1 法人或其他组织小计 column, 2/4/8/16 subtotal row of （三）/（四）/（五）/（六）
        "m_t3local",  # table 三 rows outside the statutory layout (facts.t3_local_rows)
        "m_body",  # publishing body: 0 unknown, 1 no rule-making power, 2 may have it (bodies.body_type)
        "m_sec_missing", "m_sec_headless", "m_sec_order",  # section bit masks (facts.section_facts)
        "m_period",  # statistics period: 0 not stated, 1 matches the year, 2 does not
        "m_xapp",  # cross-year rules that apply (bits): 1 table 三 carry-over, 2 表二 2021 in force, 4 表二 2019 items
        "m_prev",  # last year's report: 0 not looked for, 1 none found, 2 paired, 3 several (crossyear.py)
        "m_txtn", "m_txtbad")  # prose totals with an itemisation: how many, and which disagree (bits)
MAX_SUMS = 8


def xyear_bits(rep: Report) -> int:
    """Which cross-year rules apply to a report of this year (statutory-format.md §7.5): the carry-over
    from 2020 on (2019 reports follow pre-format years), 现行有效 from 2022 (2021 was the first year of the
    2021 table 二), the 2019 table 二 items for 2020 only."""
    y = rep.year
    if y is None or rep.format == GEN_PRE2019 or y < 2020:
        return 0
    bits = 1
    if y >= 2022:
        bits |= 2
    if y == 2020:
        bits |= 4
    return bits


def value_columns() -> list[str]:
    return [f"v:{c.id}" for c in all_cells()]


def year_generation(year: int | None) -> int:
    if year is None:
        return 0
    if year < 2019:
        return GEN_CODES[GEN_PRE2019]
    return GEN_CODES[GEN_2019] if year <= 2020 else GEN_CODES[GEN_2021]


@dataclass(slots=True)
class FrameIndex:
    """What the frame does not carry: for each report, the meaning of each reading."""

    first_row: list[int] = field(default_factory=list)  # first frame row of each report
    readings: list[list[dict[str, dict[str, int]]]] = field(default_factory=list)  # per report, per reading
    uncovered: list[set[str]] = field(default_factory=list)  # ambiguous cells whose rules cannot be decided
    previous: list = field(default_factory=list)  # per report: last year's cells (crossyear.Previous) or None


def _variant(rep: Report) -> int:
    rows = rep.table3.rows
    if any(k in rows for k in ("R_OTHER_1", "R_OTHER_2", "R_OTHER_3")):
        return VARIANT_SPLIT
    if "R_OTHER" in rows:
        return VARIANT_SINGLE
    if rep.table3.status != PRESENT:
        return VARIANT_NONE
    return VARIANT_SINGLE if rep.format == GEN_2019 else VARIANT_SPLIT


def _reading_combos(rep: Report) -> tuple[list[dict[str, dict[str, int]]], set[str]]:
    """Combinations of the readings of ambiguous rows to evaluate, and the cells whose rules cannot be
    decided from them.

    Each element maps a source ("t3.<row>" or "t4") to the column->value reading used. Rules read one
    source (a row of table 三, table 四) or one column of table 三 across rows, so the combinations need
    not be the whole product: one family walks every reading of every source, and one family per
    column of table 三 takes every combination of the values the ambiguous rows can have in that
    column. A rule is violated only if it fails under all of them; a column whose combinations are
    too many to list has its ambiguous cells returned as uncovered (their rules can be unverifiable,
    never violated)."""
    sources: list[tuple[str, list[dict[str, int]]]] = []
    if rep.table3.status == PRESENT:
        for key, row in rep.table3.rows.items():
            if row.ambiguous:
                sources.append((f"t3.{key}", [dict(r) for r in row.readings]))
    if rep.table4.status == PRESENT and len(rep.table4.readings) > 1:
        sources.append(("t4", [dict(r) for r in rep.table4.readings]))
    if rep.table2.status == PRESENT:
        sources.extend((f"t2.{key}", [dict(r) for r in rs]) for key, rs in rep.table2.readings.items())
    if not sources:
        return [{}], set()
    picks: list[tuple[int, ...]] = []
    widest = max(len(rs) for _, rs in sources)
    picks.extend(tuple(j % len(rs) for _, rs in sources) for j in range(widest))
    uncovered: set[str] = set()
    t3_sources = [i for i, (src, _) in enumerate(sources) if src.startswith("t3.")]
    if len(t3_sources) > 1:
        for col in rep.table3.columns:
            options: list[list[int]] = []
            for i in t3_sources:
                first: dict[int, int] = {}
                for ri, r in enumerate(sources[i][1]):
                    first.setdefault(r.get(col, 0), ri)
                options.append(sorted(first.values()))
            size = 1
            for o in options:
                size *= len(o)
            if size <= 1:
                continue
            if size > MAX_COLUMN_COMBOS:
                uncovered.update(f"{sources[i][0]}.{col}" for i, o in zip(t3_sources, options, strict=True)
                                 if len(o) > 1)
                continue
            for prod in itertools.product(*options):
                pick = [0] * len(sources)
                for i, ri in zip(t3_sources, prod, strict=True):
                    pick[i] = ri
                picks.append(tuple(pick))
    unique = list(dict.fromkeys(picks))
    return [{src: sources[i][1][p] for i, (src, _) in enumerate(sources) for p in (pick[i],)}
            for pick in unique], uncovered


def _put(idx: int, c: Cell | None, V: np.ndarray, A: np.ndarray, B: np.ndarray, F: np.ndarray, i: int) -> None:
    if c is None or "unparsable" in c.flags:
        return
    A[i, idx] = True
    if c.value is None:
        B[i, idx] = True
    else:
        V[i, idx] = float(c.value)
    if "double_sign" in c.flags:
        F[i, idx] = True


def reports_to_frame(reports: list[Report], previous: list | None = None) -> tuple[pd.DataFrame, FrameIndex]:
    """``previous``: per report, last year's cells (``crossyear.pair``) or None."""
    cidx = cell_index()
    ncell = len(cidx)
    index = FrameIndex()
    combos_all = []
    n = 0
    for rep in reports:
        combos, uncov = _reading_combos(rep)
        index.first_row.append(n)
        index.readings.append(combos)
        index.uncovered.append(uncov)
        combos_all.append(combos)
        n += len(combos)
    V = np.zeros((n, ncell), dtype=np.float64)
    A = np.zeros((n, ncell), dtype=bool)
    B = np.zeros((n, ncell), dtype=bool)
    F = np.zeros((n, ncell), dtype=bool)
    U = np.zeros((n, ncell), dtype=bool)
    meta = np.zeros((n, len(META)), dtype=np.int16)
    rep_col = np.zeros(n, dtype=np.int32)
    reading_col = np.zeros(n, dtype=np.int16)

    for k, rep in enumerate(reports):
        i0 = index.first_row[k]
        i = i0
        # base row: every printed cell
        t3, t4, t2 = rep.table3, rep.table4, rep.table2
        if t3.status == PRESENT:
            # statutory rows and added group subtotal rows share the t3.<row>.<col> cell names
            for rkey, row in itertools.chain(t3.rows.items(), group_subtotal_rows(rep).items()):
                if row.incomplete:
                    continue
                for ckey, c in row.cells.items():
                    idx = cidx.get(f"t3.{rkey}.{ckey}")
                    if idx is not None:
                        _put(idx, c, V, A, B, F, i)
        if t4.status == PRESENT and not t4.incomplete:
            for key, c in t4.cells.items():
                idx = cidx.get(f"t4.{key}")
                if idx is not None:
                    _put(idx, c, V, A, B, F, i)
        if t2.status == PRESENT:
            for rkey, cols in t2.rows.items():
                for ckey, c in cols.items():
                    idx = cidx.get(f"t2.{rkey}.{ckey}")
                    if idx is not None:
                        _put(idx, c, V, A, B, F, i)
        prev = previous[k] if previous is not None else None
        if prev is not None:
            for cid, (val, _read) in prev.cells.items():
                idx = cidx.get(f"prev.{cid}")
                if idx is not None:
                    A[i, idx] = True
                    if val is None:
                        B[i, idx] = True
                    else:
                        V[i, idx] = val
        for claim in rep.claims:
            idx = cidx.get(f"txt.{claim.key}")
            if idx is not None:
                A[i, idx] = True
                V[i, idx] = float(claim.value)
        sums = rep.sums[:MAX_SUMS]
        txtbad = sum(1 << j for j, s in enumerate(sums) if s.verdict != "ok")
        ygen = year_generation(rep.year)
        fmt_app = 0 if (ygen == GEN_CODES[GEN_PRE2019] or rep.format == GEN_PRE2019) else 1
        sec = section_facts(rep)
        meta[i] = (GEN_CODES.get(rep.format, 0), ygen, GEN_CODES.get(t2.generation or "", 0), _variant(rep),
                   STATUS_CODES.get(t2.status, 1), STATUS_CODES.get(t3.status, 1), STATUS_CODES.get(t4.status, 1),
                   1 if t3.has_note else 0, len(t2.extra_rows), fmt_app,
                   t3_extra_bits(rep), len(t3_local_rows(rep)), body_type(rep.body).code,
                   SectionFacts.mask(sec.missing), SectionFacts.mask(sec.headless), SectionFacts.mask(sec.out_of_order),
                   period_code(rep), xyear_bits(rep), prev.status if prev is not None else 0,
                   len(sums), txtbad)
        for cid in index.uncovered[k]:
            idx = cidx.get(cid)
            if idx is not None:
                U[i0:i0 + len(combos_all[k]), idx] = True
        rep_col[i] = k
        combos = combos_all[k]
        # further readings: copy the base row, then apply each reading's values
        for j in range(1, len(combos)):
            r = i0 + j
            V[r], A[r], B[r], F[r], meta[r] = V[i0], A[i0], B[i0], F[i0], meta[i0]
            rep_col[r] = k
            reading_col[r] = j
        for j, combo in enumerate(combos):
            r = i0 + j
            for src, reading in combo.items():
                for ckey, val in reading.items():
                    idx = cidx.get(f"{src}.{ckey}" if src != "t4" else f"t4.{ckey}")
                    if idx is not None:
                        V[r, idx] = float(val)
                        A[r, idx] = True
                        B[r, idx] = False

    names = [c.id for c in all_cells()]
    parts = [
        pd.DataFrame({"report": rep_col, "reading": reading_col}),
        pd.DataFrame(meta, columns=list(META)),
        pd.DataFrame(V, columns=[f"v:{x}" for x in names]),
        pd.DataFrame(A * np.uint8(KIND_AVAILABLE) | B * np.uint8(KIND_BLANK) | F * np.uint8(KIND_DOUBLE_SIGN)
                     | U * np.uint8(KIND_UNDECIDABLE), columns=[f"k:{x}" for x in names]),
    ]
    return BatchFrame(pd.concat(parts, axis=1)), index


class BatchFrame(pd.DataFrame):
    """The batch frame GX validates. GX asks a pandas batch for its ``memory_usage`` once per
    validation, only to decide whether to fingerprint it (off: ``engine._no_fingerprint``); pandas
    answers column by column, 12 ms for these ~650 columns, a fifth of a 50-report validation. Here
    the shallow answer comes from the column types."""

    @property
    def _constructor(self) -> type[pd.DataFrame]:
        return pd.DataFrame  # what pandas derives from it is a plain frame

    def memory_usage(self, index: bool = True, deep: bool = False) -> pd.Series:
        if deep:
            return super().memory_usage(index=index, deep=deep)
        sizes = {name: np.dtype(dt).itemsize * len(self) if isinstance(dt, np.dtype) else 8 * len(self)
                 for name, dt in self.dtypes.items()}
        if index:
            sizes = {"Index": self.index.memory_usage(), **sizes}
        return pd.Series(sizes, dtype=np.int64)


@dataclass(frozen=True, slots=True)
class FrameArrays:
    """The frame as numpy arrays (what the GX metrics compute on)."""

    report: np.ndarray
    V: np.ndarray
    A: np.ndarray
    B: np.ndarray
    F: np.ndarray
    U: np.ndarray  # an ambiguous cell whose combinations with other rows could not all be evaluated
    meta: dict[str, np.ndarray]
    starts: np.ndarray  # first row of each report present in the frame
    report_ids: np.ndarray  # the report number of each start


_CACHE: dict[str, object] = {}


def frame_arrays(df: pd.DataFrame) -> FrameArrays:
    """Arrays of ``df`` (cached for the frame object currently being validated)."""
    if _CACHE.get("df") is df:
        return _CACHE["arrays"]  # type: ignore[return-value]
    names = [c.id for c in all_cells()]
    rep = df["report"].to_numpy()
    change = np.flatnonzero(np.r_[True, rep[1:] != rep[:-1]]) if len(rep) else np.zeros(0, dtype=np.int64)
    K = df[[f"k:{x}" for x in names]].to_numpy(dtype=np.uint8)
    arrays = FrameArrays(
        report=rep,
        V=df[[f"v:{x}" for x in names]].to_numpy(dtype=np.float64),
        A=(K & KIND_AVAILABLE) != 0,
        B=(K & KIND_BLANK) != 0,
        F=(K & KIND_DOUBLE_SIGN) != 0,
        U=(K & KIND_UNDECIDABLE) != 0,
        meta={m: df[m].to_numpy() for m in META},
        starts=change,
        report_ids=rep[change] if len(rep) else rep,
    )
    _CACHE["df"] = df
    _CACHE["arrays"] = arrays
    return arrays
