"""Render → parse → compare: the cell-level accuracy of a parser on synthetic reports."""

from __future__ import annotations

from dataclasses import dataclass, field

from parsers.layout import T3_COLS, T4_KEYS, t2_blocks, t3_rows
from parsers.model import Cell, Report


@dataclass
class Score:
    cells: int = 0
    correct: int = 0
    reports: int = 0
    reports_ok: int = 0
    mismatches: list[str] = field(default_factory=list)

    @property
    def accuracy(self) -> float:
        return self.correct / self.cells if self.cells else 0.0

    def add(self, other: Score) -> None:
        self.cells += other.cells
        self.correct += other.correct
        self.reports += other.reports
        self.reports_ok += other.reports_ok
        self.mismatches.extend(other.mismatches)


def expected_cells(rep: Report) -> dict[str, Cell | None]:
    """Every statutory cell of tables 二/三/四, keyed "t2/ROW/COL", "t3/ROW/COL", "t4/KEY"."""
    out: dict[str, Cell | None] = {}
    for block in t2_blocks(rep.format):
        for rkey, _ in block.rows:
            for ckey, _ in block.columns:
                out[f"t2/{rkey}/{ckey}"] = rep.table2.rows.get(rkey, {}).get(ckey)
    for rd in t3_rows(rep.format):
        row = rep.table3.rows.get(rd.key)
        for c in T3_COLS:
            out[f"t3/{rd.key}/{c}"] = row.cells.get(c) if row else None
    for k in T4_KEYS:
        out[f"t4/{k}"] = rep.table4.cells.get(k)
    return out


def compare(expected: Report, got: Report, *, blank_is_zero: bool = False) -> Score:
    """Cell values of tables 二/三/四 plus year, body and format. ``blank_is_zero`` for styles that
    print 0 as a blank or "/" (the parser then reads no value, which arithmetic treats as 0)."""
    s = Score(reports=1)
    want = expected_cells(expected)
    have = expected_cells(got)
    for key, cell in want.items():
        s.cells += 1
        h = have.get(key)
        w_val = cell.value if cell else None
        h_val = h.value if h else None
        if blank_is_zero:
            w_val = 0 if w_val is None else w_val
            h_val = 0 if h_val is None else h_val
        if h is not None and w_val == h_val:
            s.correct += 1
        else:
            s.mismatches.append(f"{expected.source} {key}: expected {w_val!r}, got {h_val!r}"
                                f" (raw {h.raw if h else None!r})")
    for attr in ("year", "body", "format"):
        if getattr(expected, attr) != getattr(got, attr):
            s.mismatches.append(f"{expected.source} {attr}: expected {getattr(expected, attr)!r}, "
                                f"got {getattr(got, attr)!r}")
    s.reports_ok = int(not s.mismatches)
    return s
