"""The canonical report model: what every parser produces and every rule reads.

A report holds the three statutory tables. Every cell keeps its value, the text that was printed
and where that text came from, so that a finding can point at the cell an owner has to fix.
"""

from __future__ import annotations

from dataclasses import dataclass, field, fields
from decimal import Decimal
from typing import Any

from parsers.layout import GEN_UNKNOWN, T3_COLS, T4_KEYS

# Table status values. Neither `missing` nor `unreadable` may ever count as passing.
PRESENT = "present"
MISSING = "missing"
UNREADABLE = "unreadable"

Number = int | Decimal


@dataclass(frozen=True, slots=True)
class Provenance:
    """Where a cell's text came from.

    text: ``line`` (1-based line of the decoded file); HTML/DOCX table cells: ``table``, ``row``, ``col``
    (0-based indices of the source table and its grid after expanding spans); HTML paragraphs: ``line``
    is the source line, DOCX paragraphs: ``line`` is the paragraph number; PDF: ``page`` (1-based) and
    ``bbox`` (x0, top, x1, bottom in PDF points).
    """

    kind: str  # text | html | docx | pdf
    line: int | None = None
    table: int | None = None
    row: int | None = None
    col: int | None = None
    page: int | None = None
    bbox: tuple[float, float, float, float] | None = None
    confidence: float | None = None  # < 1.0 for OCR

    def to_dict(self) -> dict[str, Any]:
        d: dict[str, Any] = {"kind": self.kind}
        for k in ("line", "table", "row", "col", "page", "confidence"):
            v = getattr(self, k)
            if v is not None:
                d[k] = v
        if self.bbox is not None:
            d["bbox"] = [round(x, 2) for x in self.bbox]
        return d

    def describe(self) -> str:
        if self.kind == "pdf" and self.page is not None:
            return f"page {self.page}"
        if self.line is not None:
            return f"line {self.line}"
        if self.table is not None:
            return f"table {self.table + 1} row {(self.row or 0) + 1} cell {(self.col or 0) + 1}"
        return self.kind


@dataclass(frozen=True, slots=True)
class Cell:
    """One printed cell.

    ``value`` is None when nothing numeric was printed (blank, "/", "—", "无"); ``raw`` is the text as
    printed. ``flags`` records what the parser noticed: ``blank``, ``not_applicable`` ("/"),
    ``dash`` ("-", "—"), ``double_sign`` ("--253"), ``plus_sign``, ``unit_in_cell``, ``unparsable``,
    ``ocr``.
    """

    value: Number | None
    raw: str
    prov: Provenance | None = None
    unit: str | None = None
    flags: frozenset[str] = frozenset()

    @property
    def is_blank(self) -> bool:
        return self.value is None

    def number(self) -> Number:
        """The value arithmetic uses: a blank, dash or "/" reads as 0, as printed."""
        return 0 if self.value is None else self.value

    def to_dict(self) -> dict[str, Any]:
        d: dict[str, Any] = {"value": _jsonable(self.value), "raw": self.raw}
        if self.unit:
            d["unit"] = self.unit
        if self.flags:
            d["flags"] = sorted(self.flags)
        if self.prov is not None:
            d["prov"] = self.prov.to_dict()
        return d


@dataclass(slots=True)
class Row:
    """A data row of table 三 (keyed by the statutory row key)."""

    key: str
    label: str  # as printed ("" when the label was lost)
    cells: dict[str, Cell] = field(default_factory=dict)  # column key -> cell
    label_prov: Provenance | None = None
    group: str | None = None  # for extra rows: the group whose subtotal this is (R_DENY, R_UNABLE, …)
    placed_by_position: bool = False  # the label was lost; the row was placed by statutory order
    incomplete: bool = False  # fewer cells than columns were printed
    # Run-together digits with several valid splits: every remaining reading, each a column->int map.
    readings: tuple[dict[str, int], ...] = ()
    run: Cell | None = None  # the printed run of digits the readings come from (raw text, provenance)

    @property
    def ambiguous(self) -> bool:
        return len(self.readings) > 1


@dataclass(slots=True)
class Table3:
    status: str = MISSING
    reason: str | None = None
    rows: dict[str, Row] = field(default_factory=dict)
    columns: tuple[str, ...] = T3_COLS  # data columns as printed, in order (may include "SUB")
    has_note: bool = False  # the 勾稽 note is printed
    extra_rows: list[Row] = field(default_factory=list)  # rows outside the statutory layout
    notes: list[str] = field(default_factory=list)

    def value(self, row: str, col: str) -> Number | None:
        r = self.rows.get(row)
        c = r.cells.get(col) if r else None
        return c.value if c else None


@dataclass(slots=True)
class Table4:
    status: str = MISSING
    reason: str | None = None
    cells: dict[str, Cell] = field(default_factory=dict)  # T4 key -> cell
    readings: tuple[dict[str, int], ...] = ()  # run-together digits with several splits
    run: Cell | None = None  # the printed run of digits the readings come from
    incomplete: bool = False
    notes: list[str] = field(default_factory=list)


@dataclass(slots=True)
class Table2:
    """Table 二: rows keyed by statutory row key, each a column-key -> cell map.

    ``extra_rows`` keeps local additions (e.g. Hubei's 其他主动公开文件) with their printed label.
    """

    status: str = MISSING
    reason: str | None = None
    generation: str | None = None  # which block layout the headers matched
    rows: dict[str, dict[str, Cell]] = field(default_factory=dict)
    extra_rows: dict[str, dict[str, Cell]] = field(default_factory=dict)
    # rows printed as runs of digits with several splits: row key -> every reading (column -> value)
    readings: dict[str, tuple[dict[str, Number], ...]] = field(default_factory=dict)
    runs: dict[str, Cell] = field(default_factory=dict)  # row key -> the printed run of a row in ``readings``
    amount_unit: str | None = None  # unit of the AMOUNT column (万元 / 元), None if unknown
    amount_unit_source: str | None = None  # header | cell | assumed
    items_seen: tuple[str, ...] = ()  # 第二十条第（X）项 blocks printed
    notes: list[str] = field(default_factory=list)

    def value(self, row: str, col: str) -> Number | None:
        c = self.rows.get(row, {}).get(col)
        return c.value if c else None


@dataclass(slots=True)
class Section:
    key: str | None  # overview | proactive | requests | review | problems | other | None
    number: int  # 1..6 as printed
    title: str
    text: str
    line: int | None = None


@dataclass(frozen=True, slots=True)
class ProseClaim:
    """A number the prose states about this report's own tables (parsers.prose).

    ``key``: what it speaks of (``t3.NEW.TOT``, ``t3.R_DENY`` for a whole result group, ``t4.LIT`` for
    both lawsuit totals, ``t3.NEW+CARRY`` ...); ``value`` as stated (exact: no 余/多/约/近)."""

    key: str
    value: int
    sentence: str


@dataclass(frozen=True, slots=True)
class ProseSum:
    """A total and its itemisation in one passage ("共…646条，其中…550余条…130条"), with its verdict:
    ``over`` (the parts, at least, exceed the total), ``under`` (three or more exact parts of an
    itemisation that must be complete add up to less), ``ok``."""

    total: int
    parts: tuple[tuple[int, str], ...]  # (value, bound): bound "" exact, "min" for 余/多/逾/超过
    unit: str
    marker: str  # 其中 | 分别 | 在…中 | 包括 (包括 lists are partial: only "over" counts)
    sentence: str
    verdict: str

    @property
    def parts_min(self) -> int:
        return sum(v for v, _ in self.parts)


@dataclass(slots=True)
class ParseNote:
    """Something the parser noticed that a user should see (not a rule finding)."""

    code: str  # e.g. row_placed_by_position, row_incomplete, row_ambiguous, double_sign
    message: str
    table: str | None = None
    row: str | None = None
    column: str | None = None

    def to_dict(self) -> dict[str, Any]:
        return {k: v for k, v in (("code", self.code), ("message", self.message), ("table", self.table),
                                  ("row", self.row), ("column", self.column)) if v is not None}


@dataclass(slots=True)
class Report:
    source: str
    report_index: int = 0
    source_kind: str = "text"  # text | html | docx | pdf
    body: str | None = None
    year: int | None = None
    format: str = GEN_UNKNOWN
    format_signals: dict[str, str] = field(default_factory=dict)  # signal -> generation it points to
    title: str | None = None
    preamble: str = ""  # text between the title and the first section (legal basis, period, contact)
    sections: list[Section] = field(default_factory=list)
    table2: Table2 = field(default_factory=Table2)
    table3: Table3 = field(default_factory=Table3)
    table4: Table4 = field(default_factory=Table4)
    notes: list[ParseNote] = field(default_factory=list)
    meta: dict[str, str] = field(default_factory=dict)  # crawler/converter header (标题, 发布时间, 原文链接 …)
    claims: list[ProseClaim] = field(default_factory=list)  # what the prose states about the tables
    sums: list[ProseSum] = field(default_factory=list)  # totals and their itemisations in the prose

    @property
    def report_id(self) -> str:
        return f"{self.source}#{self.report_index}"

    def reading(self) -> dict[str, dict[str, int]]:
        """How each table was read, in cells: ``exact`` (labels matched, one value), ``by_position``
        (row label lost, placed by statutory order), ``ocr``, ``ambiguous`` (run-together digits with
        several readings) and ``unread`` (a statutory cell printed but not read: row incomplete,
        unplaced or unreadable). A user sees at a glance how far to trust a report's findings."""
        out: dict[str, dict[str, int]] = {}
        t3 = self.table3
        if t3.status != MISSING:
            c = dict.fromkeys(READ_MODES, 0)
            ncol = len(t3.columns)
            if t3.status == PRESENT:
                for row in t3.rows.values():
                    if row.ambiguous:
                        c["ambiguous"] += ncol
                    elif row.incomplete or not row.cells:
                        c["unread"] += ncol
                    else:
                        for cell in row.cells.values():
                            c[_how(cell, row.placed_by_position)] += 1
                expected = 23 if "R_OTHER" in t3.rows else 25
                c["unread"] += max(0, expected - len(t3.rows)) * ncol
            else:
                c["unread"] = 25 * ncol
            out["table3"] = c
        t4 = self.table4
        if t4.status != MISSING:
            c = dict.fromkeys(READ_MODES, 0)
            if len(t4.readings) > 1:
                c["ambiguous"] = len(T4_KEYS)
            elif t4.status != PRESENT or t4.incomplete:
                c["unread"] = len(T4_KEYS)
            else:
                for cell in t4.cells.values():
                    c[_how(cell, False)] += 1
            out["table4"] = c
        t2 = self.table2
        if t2.status != MISSING:
            c = dict.fromkeys(READ_MODES, 0)
            unread_rows = {n.row for n in self.notes if n.table == "table2"
                           and n.code in ("row_ambiguous", "row_unreadable", "run_too_short", "row_incomplete")}
            for key, cells in t2.rows.items():
                if key in t2.readings:
                    c["ambiguous"] += len(t2.readings[key][0])
                elif not cells:
                    c["unread"] += 1
                for cell in cells.values():
                    c[_how(cell, False)] += 1
            if t2.status != PRESENT:
                c["unread"] += 1
            elif not t2.rows and unread_rows:
                c["unread"] += len(unread_rows)
            out["table2"] = c
        return out

    def read_limited(self, reading: dict[str, dict[str, int]] | None = None) -> list[str]:
        """What the reader could not read although it is printed (empty when every printed table was
        read cell by cell): the report's findings are then incomplete, through no fault of its own.
        ``reading``: ``self.reading()`` when the caller has it already."""
        out: list[str] = []
        for t, counts in (reading if reading is not None else self.reading()).items():
            if counts["unread"] or counts["ambiguous"]:
                what = []
                if counts["unread"]:
                    what.append(f"{counts['unread']} unread")
                if counts["ambiguous"]:
                    what.append(f"{counts['ambiguous']} ambiguous")
                out.append(f"{t}: {', '.join(what)}")
        return out

    def section_text(self, key: str) -> str | None:
        for s in self.sections:
            if s.key == key:
                return s.text
        return None

    # ------------------------------------------------------------ serialisation
    def to_dict(self, cells: bool = False) -> dict[str, Any]:
        """The JSON form of ``nianbao parse --json``. ``cells=True`` adds raw text and provenance."""
        t3 = self.table3
        t2 = self.table2
        t4 = self.table4
        d: dict[str, Any] = {
            "source": self.source,
            "report_index": self.report_index,
            "source_kind": self.source_kind,
            "body": self.body,
            "year": self.year,
            "format": self.format,
            "format_signals": dict(self.format_signals),
            "title": self.title,
            "preamble_chars": len(self.preamble),
            "status": {"table2": t2.status, "table3": t3.status, "table4": t4.status},
            "reasons": {k: v for k, v in (("table2", t2.reason), ("table3", t3.reason),
                                          ("table4", t4.reason)) if v},
            "table2": {r: {c: _jsonable(cell.value) for c, cell in cols.items()} for r, cols in t2.rows.items()},
            "table2_amount_unit": t2.amount_unit,
            "table3": {k: {c: _jsonable(cell.value) for c, cell in row.cells.items()} for k, row in t3.rows.items()},
            "table4": {k: _jsonable(c.value) for k, c in t4.cells.items()},
            "sections": [{"key": s.key, "number": s.number, "title": s.title, "chars": len(s.text)}
                         for s in self.sections],
            "notes": [n.to_dict() for n in self.notes],
        }
        d["reading"] = self.reading()
        if self.claims:
            d["claims"] = [{"key": c.key, "value": c.value, "sentence": c.sentence} for c in self.claims]
        if self.sums:
            d["sums"] = [{"total": x.total, "parts": [list(p) for p in x.parts], "unit": x.unit, "marker": x.marker,
                          "verdict": x.verdict, "sentence": x.sentence} for x in self.sums]
        if self.meta:
            d["meta"] = dict(self.meta)
        placed = [k for k, r in t3.rows.items() if r.placed_by_position]
        if placed:
            d["table3_rows_placed_by_position"] = placed
        amb = {k: [dict(x) for x in r.readings] for k, r in t3.rows.items() if r.ambiguous}
        if amb:
            d["table3_ambiguous_rows"] = amb
        if t2.extra_rows:
            d["table2_extra_rows"] = {r: {c: _jsonable(cell.value) for c, cell in cols.items()}
                                      for r, cols in t2.extra_rows.items()}
        if t3.extra_rows:
            d["table3_extra_rows"] = [{"label": r.label, "group": r.group,
                                       "cells": {c: _jsonable(x.value) for c, x in r.cells.items()}}
                                      for r in t3.extra_rows]
        if cells:
            d["cells"] = {
                "table2": {r: {c: cell.to_dict() for c, cell in cols.items()} for r, cols in t2.rows.items()},
                "table3": {k: {c: cell.to_dict() for c, cell in row.cells.items()} for k, row in t3.rows.items()},
                "table4": {k: c.to_dict() for k, c in t4.cells.items()},
            }
        return d


READ_MODES = ("exact", "by_position", "ocr", "ambiguous", "unread")


def _how(cell: Cell, by_position: bool) -> str:
    if "ocr" in cell.flags:
        return "ocr"
    return "by_position" if by_position else "exact"


def _jsonable(v: Number | None) -> int | float | str | None:
    if isinstance(v, Decimal):
        return int(v) if v == v.to_integral_value() else float(v)
    return v


def _positional_reduce(self: Any) -> tuple[Any, tuple[Any, ...]]:
    return type(self), tuple(getattr(self, n) for n in _FIELDS[type(self)])


# Pickled as a constructor call with the fields in order: a report crosses processes twice (parse worker
# -> flow -> validating worker), and the default for slotted dataclasses (``__getstate__`` walking
# ``dataclasses.fields`` per object, ~400 cells and provenances a report) was ~2.4 ms a report.
_FIELDS: dict[type, tuple[str, ...]] = {}
for _cls in (Provenance, Cell, Row, Table3, Table4, Table2, Section, ProseClaim, ProseSum, ParseNote, Report):
    _FIELDS[_cls] = tuple(f.name for f in fields(_cls))
    assert all(f.init for f in fields(_cls)), _cls
    _cls.__reduce__ = _positional_reduce  # type: ignore[method-assign, assignment]


class ParseError(Exception):
    """A file that could not be read as an annual report. The message names the file and the reason."""

    def __init__(self, source: str, reason: str):
        super().__init__(f"{source}: {reason}")
        self.source = source
        self.reason = reason


__all__ = [
    "MISSING",
    "PRESENT",
    "T3_COLS",
    "T4_KEYS",
    "UNREADABLE",
    "Cell",
    "ParseError",
    "ParseNote",
    "Provenance",
    "Report",
    "Row",
    "Section",
    "Table2",
    "Table3",
    "Table4",
]
