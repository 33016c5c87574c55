"""Read table 二 (proactive disclosure): stacked blocks "第二十条第（X）项", each with its own header."""

from __future__ import annotations

from dataclasses import dataclass, field

from parsers.labels import is_t2_header_text, match_t2_row, t2_header_generation, t2_item
from parsers.layout import GEN_2019, GEN_2021, T2Block, t2_blocks
from parsers.lines import (
    MAX_READINGS,
    Fragment,
    Line,
    is_stream_value,
    label_key,
    parse_number,
    run_digits,
    split_run,
)
from parsers.model import MISSING, PRESENT, UNREADABLE, Cell, Number, ParseNote, Table2


@dataclass(slots=True)
class _RawRow:
    key: str | None
    label: str
    values: list[Fragment] = field(default_factory=list)
    structured: bool = False


@dataclass(slots=True)
class _RawBlock:
    item: str
    header: list[str] = field(default_factory=list)
    rows: list[_RawRow] = field(default_factory=list)


def _cell(f: Fragment) -> Cell:
    pn = parse_number(f.raw)
    if pn is None:
        return Cell(None, f.raw, f.prov, None, frozenset({"unparsable"}))
    return Cell(pn.value, f.raw, f.prov, pn.unit, pn.flags)


def _run_cells(src: Fragment, cols: list[str], r: _RawRow, notes: list[ParseNote]
               ) -> tuple[dict[str, Cell], tuple[dict[str, Number], ...]]:
    """A row printed as one run of digits ("5845546" for three cells): its cells when the run has
    exactly one reading, else every reading (the rules evaluate all of them; never guessed)."""
    readings, unit = split_run(src.raw, len(cols), MAX_READINGS + 1)
    if len(readings) == 1:
        notes.append(ParseNote("run_together", f"digits {src.raw!r} split into {list(readings[0])}", "table2", r.key))
        return {c: Cell(v, src.raw, src.prov, unit if i == len(cols) - 1 else None, frozenset({"run_together"}))
                for i, (c, v) in enumerate(zip(cols, readings[0], strict=True))}, ()
    if 1 < len(readings) <= MAX_READINGS:
        notes.append(ParseNote("row_ambiguous", f"table 二 row {r.label!r}: digits {src.raw!r} have {len(readings)} "
                               f"readings as {len(cols)} numbers", "table2", r.key))
        return {}, tuple(dict(zip(cols, rd, strict=True)) for rd in readings)
    what = f"have more than {MAX_READINGS} readings" if readings else "cannot be read"
    # no reading at all: fewer digits than cells, a sign of cells printed blank (see assemble)
    notes.append(ParseNote("row_unreadable" if readings else "run_too_short", f"table 二 row {r.label!r}: digits {src.raw!r} {what} as "
                           f"{len(cols)} numbers; not read", "table2", r.key))
    return {}, ()


def lines_to_blocks(lines: list[Line]) -> list[_RawBlock]:
    blocks: list[_RawBlock] = []
    cur_row: _RawRow | None = None
    for line in lines:
        cells = list(line.cells)
        labels = [(i, c) for i, c in enumerate(cells) if c.text and parse_number(c.raw) is None and not run_digits(c.raw)]
        item = next((t2_item(c.text) for _, c in labels if t2_item(c.text)), None)
        if item:
            blocks.append(_RawBlock(item))
            cur_row = None
            continue
        if not blocks:
            continue
        blk = blocks[-1]
        if line.structured:
            last = labels[-1][0] if labels else -1
            values = cells[last + 1:]
            has_values = any(v.text for v in values)
            row_key = match_t2_row(labels[-1][1].text) if labels else None
            if labels and not has_values and row_key is None:
                if any(is_t2_header_text(c.text) for _, c in labels) or not blk.rows:
                    blk.header.extend(c.text for _, c in labels)
                continue
            if labels:
                lab = labels[-1][1]
                cur_row = _RawRow(row_key, lab.raw, list(values), True)
                blk.rows.append(cur_row)
            elif has_values:
                if cur_row is not None and cur_row.key is not None and not cur_row.values:
                    cur_row.values = list(values)  # label and numbers on separate lines
                    cur_row.structured = True
                else:
                    cur_row = _RawRow(None, "", list(values), True)
                    blk.rows.append(cur_row)
            continue
        frag = line.first
        if not frag.text:
            continue
        if is_stream_value(frag):
            if cur_row is not None and not cur_row.structured:
                cur_row.values.append(frag)
            continue
        key = match_t2_row(frag.text)
        if key is not None:
            cur_row = _RawRow(key, frag.raw)
            blk.rows.append(cur_row)
        elif not blk.rows or is_t2_header_text(frag.text):
            blk.header.append(frag.text)
        elif len(label_key(frag.text)) <= 30:
            cur_row = _RawRow(None, frag.raw)  # a local extra row (e.g. 其他主动公开文件)
            blk.rows.append(cur_row)
    return blocks


def _block_def(gen: str, item: str) -> T2Block | None:
    return next((b for b in t2_blocks(gen) if b.item == item), None)


def read_table2(lines: list[Line], gen_hint: str | None, found_region: bool
                ) -> tuple[Table2, list[ParseNote], dict[str, str]]:
    notes: list[ParseNote] = []
    signals: dict[str, str] = {}
    blocks = lines_to_blocks(lines)
    if not blocks:
        if found_region:
            return (Table2(status=UNREADABLE, reason="table 二 heading found but no block could be read"),
                    notes, signals)
        return Table2(status=MISSING, reason="no table 二 in the report"), notes, signals
    header_all = " ".join(" ".join(b.header) for b in blocks)
    gen = t2_header_generation(header_all)
    if gen:
        signals["t2_headers"] = gen
    items = tuple(b.item for b in blocks)
    if "9" in items:
        signals["t2_item9"] = GEN_2019
    if gen is None:
        gen = signals.get("t2_item9")
    if gen is None:
        five = next((b for b in blocks if b.item in ("5", "6")), None)
        counts = {len([v for v in r.values if v.text]) for r in five.rows} if five else set()
        gen = GEN_2019 if 3 in counts or 2 in counts else GEN_2021 if counts == {1} else None
    if gen is None:
        gen = gen_hint if gen_hint in (GEN_2019, GEN_2021) else GEN_2021
    t = Table2(status=PRESENT, generation=gen, items_seen=items)
    for b in blocks:
        bdef = _block_def(gen, b.item)
        if bdef is None:
            notes.append(ParseNote("t2_unknown_block", f"block 第二十条第（{b.item}）项 is not in the {gen} format",
                                   "table2"))
            continue
        cols = [c for c, _ in bdef.columns]
        row_keys = {k for k, _ in bdef.rows}
        for r in b.rows:
            vals = list(r.values)
            while len(vals) > len(cols) and not vals[-1].text:
                vals.pop()
            readings: tuple[dict[str, Number], ...] = ()
            if len(vals) == 1 and len(cols) > 1 and run_digits(vals[0].raw):
                cells, readings = _run_cells(vals[0], cols, r, notes)
            elif len(vals) != len(cols):
                notes.append(ParseNote("row_incomplete", f"table 二 row {r.label!r} has {len(vals)} of "
                                       f"{len(cols)} cells", "table2", r.key))
                cells = {}
            else:
                cells = {c: _cell(v) for c, v in zip(cols, vals, strict=True)}
            if r.key in row_keys and r.key not in t.rows:
                t.rows[r.key] = cells
                if readings:
                    t.readings[r.key] = readings
                    t.runs[r.key] = Cell(None, vals[0].raw, vals[0].prov, None, frozenset({"run_together"}))
            else:
                label = r.label or f"unlabeled row in block {b.item}"
                t.extra_rows[label] = cells
                notes.append(ParseNote("t2_local_row", f"row {label!r} is outside the statutory layout of block "
                                       f"第二十条第（{b.item}）项", "table2"))
        if "AMOUNT" in cols:
            head = label_key(" ".join(b.header))
            if "万元" in head:
                t.amount_unit, t.amount_unit_source = "万元", "header"
            elif "元" in head.replace("金额", ""):
                t.amount_unit, t.amount_unit_source = "元", "header"
            else:
                units = {c.unit for cs in (t.rows.get(k, {}) for k in row_keys) for c in cs.values() if c.unit}
                if len(units) == 1:
                    t.amount_unit, t.amount_unit_source = units.pop(), "cell"
    if gen == GEN_2021 and t.amount_unit is None and "8" in items:
        t.amount_unit, t.amount_unit_source = "万元", "format"
    if not t.rows and not t.extra_rows:
        t.status = UNREADABLE
        t.reason = "table 二 blocks found but no row could be read"
    return t, notes, signals
