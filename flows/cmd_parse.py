"""nianbao parse FILE... [--json]: read reports into the canonical model and show what was found.

Exit status: 0 when every file parsed, 2 when any file could not be read or a folder holds no report
files (the others are still printed).
"""

from __future__ import annotations

import argparse
import json
import sys

from flows.inputs import NO_REPORTS, parse_inputs
from parsers.layout import SECTION_KEYS, T3_COLS
from parsers.model import PRESENT, Report

HELP = "parse report files (text, HTML, DOCX, PDF) into the canonical model"
_NUMERALS = "一二三四五六"
_TABLE_NAMES = {"table2": "table 二", "table3": "table 三", "table4": "table 四"}


def register(p: argparse.ArgumentParser) -> None:
    p.add_argument("paths", nargs="+", metavar="PATH", help="report files or folders")
    p.add_argument("--json", action="store_true", help="print a JSON array, one object per report")
    p.add_argument("--cells", action="store_true", help="with --json: add printed text and provenance per cell")


def run(args: argparse.Namespace) -> int:
    reports, errors = parse_inputs(args.paths)
    if args.json:
        json.dump([r.to_dict(cells=args.cells) for r in reports], sys.stdout, ensure_ascii=False, indent=1)
        sys.stdout.write("\n")
    else:
        counts: dict[str, int] = {}
        for r in reports:
            counts[r.source] = counts.get(r.source, 0) + 1
        for r in reports:
            print(summarize(r, counts[r.source]))
        print(f"{len(reports)} report(s) from {len({r.source for r in reports})} file(s); "
              f"{sum(1 for e in errors if e.reason != NO_REPORTS)} file(s) could not be read")
    for e in errors:
        print(f"error: {e}", file=sys.stderr)
    return 2 if errors else 0


def summarize(r: Report, of: int = 1) -> str:
    """A few readable lines about one parsed report."""
    where = f" [report {r.report_index + 1} of {of}]" if of > 1 else ""
    sig = ", ".join(f"{k}={v}" for k, v in r.format_signals.items())
    keys = {s.key for s in r.sections}
    secs = " ".join(_NUMERALS[i] if k in keys else "·" for i, k in enumerate(SECTION_KEYS))
    out = [f"{r.source}{where}",
           f"  body: {r.body or '?'}   year: {r.year or '?'}   format: {r.format}" + (f" ({sig})" if sig else ""),
           f"  sections: {secs}"]
    t2, t3, t4 = r.table2, r.table3, r.table4
    parts = []
    parts.append(f"table 二 {t2.status}" + (f" ({len(t2.rows)} rows)" if t2.status == PRESENT else
                                            f" ({t2.reason})" if t2.reason else ""))
    if t3.status == PRESENT:
        placed = sum(1 for x in t3.rows.values() if x.placed_by_position)
        extra = f", {placed} placed by position" if placed else ""
        parts.append(f"table 三 present ({len(t3.rows)} rows{extra})")
    else:
        parts.append(f"table 三 {t3.status}" + (f" ({t3.reason})" if t3.reason else ""))
    if t4.status == PRESENT:
        parts.append(f"table 四 present ({len(t4.readings)} readings of 15 cells)" if len(t4.readings) > 1
                     else f"table 四 present ({len(t4.cells)} cells)")
    else:
        parts.append(f"table 四 {t4.status}" + (f" ({t4.reason})" if t4.reason else ""))
    out.append("  " + "   ".join(parts))
    for t, c in r.reading().items():
        total = sum(c.values())
        how = ", ".join(f"{v} {k.replace('_', ' ')}" for k, v in c.items() if v)
        out.append(f"  read {_TABLE_NAMES[t]}: {how or 'nothing'}" + (f" of {total} cells" if total else ""))
    if t3.status == PRESENT:
        for key in ("NEW", "CARRY", "R_TOTAL", "FWD"):
            row = t3.rows.get(key)
            if row is not None and row.ambiguous:
                out.append(f"    {key:<8} {len(row.readings)} readings of {row.run.raw if row.run else 'a run of digits'}")
            elif row is not None and row.cells:
                vals = " ".join(_fmt(row.cells[c].value) if c in row.cells else "?" for c in T3_COLS)
                out.append(f"    {key:<8} {vals}")
    placed = [n.row for n in r.notes if n.code in ("row_placed_by_position", "row_label_lost") and n.row]
    if placed:
        out.append(f"  note: row labels lost, rows placed by statutory order: {', '.join(placed)}")
    runs = sum(1 for n in r.notes if n.code == "run_together")
    if runs:
        out.append(f"  note: {runs} row(s) printed as runs of digits, each with exactly one reading")
    for n in r.notes:
        if n.code not in ("row_placed_by_position", "row_label_lost", "run_together"):
            where = f"table 三 {n.row}: " if n.table == "table3" and n.row and n.row not in n.message else ""
            out.append(f"  note: {where}{n.message}")
    return "\n".join(out)


def _fmt(v: object) -> str:
    return "·" if v is None else str(v)
