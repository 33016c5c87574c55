"""Read table 三 (requests received and handled) from the lines of its region.

Steps: ``lines_to_raw_rows`` collects rows as printed (a label, or none when it was lost, and the value
cells that follow); ``split_raw_rows`` handles rows that ran together; ``align_rows`` gives every row
its statutory key, placing unlabeled rows by the statutory order between labeled anchors;
``raw_rows_to_table`` builds the canonical ``Table3`` with one ``Cell`` per printed value.
"""

from __future__ import annotations

import itertools
from dataclasses import dataclass, field

from parsers.labels import is_note, is_t3_header_text, match_t3, t3_columns_from_header
from parsers.layout import (
    GEN_2019,
    GEN_2021,
    T3_COLS,
    T3_GROUP_SUBROWS,
    T3_ROWS_2019,
    T3_ROWS_2021,
    T3_ROWS_BY_KEY,
)
from parsers.lines import MAX_READINGS, Fragment, Line, is_stream_value, parse_number, run_digits, split_run
from parsers.model import MISSING, PRESENT, UNREADABLE, Cell, ParseNote, Provenance, Row, Table3

_GROUP_OF = {k: g for g, ks in T3_GROUP_SUBROWS.items() for k in ks}


@dataclass(slots=True)
class RawRow:
    key: str | None  # statutory row key when the label was recognised
    group: str | None  # group label printed on this row (（三）不予公开 …) when any
    label: str
    label_prov: Provenance | None
    values: list[Fragment] = field(default_factory=list)
    structured: bool = False
    placed_by_position: bool = False
    extra: bool = False  # outside the statutory layout (e.g. a group subtotal)
    bare: bool = False  # the values were printed on a line without any label


def displaced_labels(lines: list[Line]) -> tuple[bool, int]:
    """Whether table 三 prints its rows of numbers without labels and its labels as loose lines
    between them (a PDF converted to markdown), and how many lone numbers stand between them. There
    no row prints a label beside its numbers, and a lone number is a page number or a fragment: it
    is not a cell of any row."""
    bare = 0
    for line in lines:
        if not line.structured:
            continue
        texts = [c for c in line.cells if c.text]
        nums = sum(1 for c in texts if parse_number(c.raw) is not None)
        if nums and nums == len(texts):
            bare += len(line.cells) >= len(T3_COLS)
        elif nums:
            return False, 0  # a row printed with its label
    if bare < 3:
        return False, 0
    return True, sum(1 for line in lines if not line.structured and is_stream_value(line.first))


def lines_to_raw_rows(lines: list[Line], displaced: bool = False) -> tuple[list[RawRow], list[str], bool]:
    """Rows as printed, the header texts (those above the first row of numbers: a header repeated
    further down, right or wrong, does not decide the columns), and whether the 勾稽 note was seen.
    ``displaced``: lone numbers between the rows are not read (see ``displaced_labels``)."""
    rows: list[RawRow] = []
    header: list[str] = []
    has_note = False
    data_seen = False
    cur: RawRow | None = None
    group_ctx: str | None = None
    for line in lines:
        if line.structured:
            cells = list(line.cells)
            label_idx = [i for i, c in enumerate(cells) if c.text and parse_number(c.raw) is None]
            for i in label_idx:
                if is_note(cells[i].text):
                    has_note = True
            last_label = label_idx[-1] if label_idx else -1
            after = cells[last_label + 1:]  # a statutory row keeps all-blank cells (zeros printed blank)
            values = after if any(v.text for v in after) else []
            matches = [(i, match_t3(cells[i].text)) for i in label_idx]
            row_m = [(i, m) for i, m in matches if m is not None and m.kind == "row"]
            grp_m = [(i, m) for i, m in matches if m is not None and m.kind == "group" and m.key != "RESULTS"]
            if grp_m:
                group_ctx = grp_m[-1][1].key
            if row_m:
                i, m = row_m[-1]
                vals = after if i == last_label else values
                if m.remainder and not vals:
                    vals = [Fragment(m.remainder, m.remainder, cells[i].prov)]
                if cur is not None and cur.key == m.key and not cur.structured and not cur.values:
                    # the label printed twice: as the heading of a small table and in its row
                    cur.label, cur.label_prov, cur.values, cur.structured = cells[i].raw, cells[i].prov, list(vals), True
                else:
                    cur = RawRow(m.key, group_ctx if m.key in _GROUP_OF else None, cells[i].raw, cells[i].prov,
                                 list(vals), structured=True)
                    rows.append(cur)
            elif grp_m and (values or (grp_m[-1][0] == last_label and len(after) >= 2)):
                i, m = grp_m[-1]
                cur = RawRow(None, m.key, cells[i].raw, cells[i].prov, list(after), structured=True)
                rows.append(cur)
            elif not label_idx and values:
                if cur is not None and cur.key is not None and not cur.structured and not cur.values:
                    cur.values = list(values)  # the label wrapped over lines above its numbers
                    cur.structured = cur.bare = True
                else:
                    cur = RawRow(None, None, "", None, list(values), structured=True, bare=True)
                    rows.append(cur)
            elif label_idx and values:
                # a labeled row we don't know: a local extra row
                cur = RawRow(None, None, cells[last_label].raw, cells[last_label].prov, list(values),
                             structured=True, extra=True)
                rows.append(cur)
            elif label_idx and not data_seen:
                header.extend(cells[i].text for i in label_idx)
            data_seen = data_seen or bool(values)
            continue
        frag = line.first
        if not frag.text:
            continue
        if is_stream_value(frag):
            if displaced:
                continue
            data_seen = True
            if cur is None or cur.structured:
                cur = RawRow(None, None, "", None)
                rows.append(cur)
            cur.values.append(frag)
            continue
        if is_note(frag.text):
            has_note = True
            rest = frag.text.rsplit(")", 1)[-1] if ")" in frag.text else ""
            if rest and not rows and is_t3_header_text(rest):
                header.append(rest)  # crawler text: the header words run on after the note
            continue
        m = match_t3(frag.text)
        if m is None:
            if not rows and is_t3_header_text(frag.text):
                header.append(frag.text)
            elif displaced and cur is not None and not cur.structured:
                cur = None  # a loose line that may be the next row's label: the label above anchors nothing
            continue
        if m.kind == "group":
            if m.key != "RESULTS":
                group_ctx = m.key
                cur = RawRow(None, m.key, frag.raw, frag.prov)
                rows.append(cur)
            continue
        cur = RawRow(m.key, group_ctx if m.key in _GROUP_OF else None, frag.raw, frag.prov)
        if m.remainder:
            cur.values.append(Fragment(m.remainder, m.remainder, frag.prov))
        rows.append(cur)
    # group label rows without values were only context
    rows = [r for r in rows if r.key is not None or r.values or r.extra]
    return rows, header, has_note


def stream_out_of_row_order(rows: list[RawRow], ncols: int) -> bool:
    """One-cell-per-line text is read in row order: a label, then its cells. Text extracted from a PDF
    in reading order may interleave columns instead (all labels, then the numbers column by column).
    Then labels appear out of the statutory order, or several labels follow each other with no cells
    while elsewhere long runs of numbers pile up. Numbers from such a stream must not be trusted."""
    stream = [r for r in rows if not r.structured]
    order = {r.key: i for i, r in enumerate(T3_ROWS_2021)}
    order["R_OTHER"] = order["R_OTHER_1"]
    last = -1
    for r in stream:
        if r.key is None or r.key not in order:
            continue
        if order[r.key] < last:
            return True
        last = order[r.key]
    empty_run = best_empty_run = 0
    for r in stream:
        empty_run = empty_run + 1 if (r.key is not None and not r.values) else 0
        best_empty_run = max(best_empty_run, empty_run)
    return best_empty_run >= 2 and any(len(r.values) > ncols for r in stream)


def split_raw_rows(rows: list[RawRow], ncols: int) -> list[RawRow]:
    """Unstructured rows with a multiple of ``ncols`` values hold rows whose labels were lost."""
    out: list[RawRow] = []
    for r in rows:
        n = len(r.values)
        if not r.structured and n > ncols and n % ncols == 0:
            out.append(RawRow(r.key, r.group, r.label, r.label_prov, r.values[:ncols], False, extra=r.extra))
            for k in range(ncols, n, ncols):
                out.append(RawRow(None, None, "", None, r.values[k:k + ncols], False))
        else:
            out.append(r)
    return out


def _sequence(rows: list[RawRow], gen_hint: str | None) -> tuple[str, ...]:
    keys = {r.key for r in rows if r.key}
    if keys & {"R_OTHER_1", "R_OTHER_2", "R_OTHER_3"}:
        return tuple(r.key for r in T3_ROWS_2021)
    if "R_OTHER" in keys or any(r.key is None and r.group == "R_OTHER" for r in rows):
        return tuple(r.key for r in T3_ROWS_2019)  # （六）其他处理 printed as one data row
    base = T3_ROWS_2019 if gen_hint == GEN_2019 else T3_ROWS_2021
    return tuple(r.key for r in base)


def resolve_group_rows(rows: list[RawRow], notes: list[ParseNote]) -> None:
    """A group label carrying values is either its first sub-row with the label lost (when that
    sub-row is otherwise absent), the single 2019-style （六） row, or a local subtotal row."""
    present = {r.key for r in rows if r.key}
    for r in list(rows):
        if r.key is not None or r.group is None or r.extra:
            continue
        subs = T3_GROUP_SUBROWS.get(r.group, ())
        printed = [k for k in subs if k in present]
        if not any(v.text for v in r.values) and not (r.group == "R_OTHER" and not printed):
            rows.remove(r)  # a group header row with empty cells beside its sub-rows
            continue
        if r.group == "R_OTHER" and not printed:
            r.key = "R_OTHER"
        elif subs and subs[0] not in present and printed:
            r.key = subs[0]
            r.placed_by_position = True
            present.add(r.key)
            notes.append(ParseNote("row_label_lost", f"row {T3_ROWS_BY_KEY[r.key].label} was printed under its "
                                   f"group label {r.label!r}; placed by statutory order", "table3", r.key))
        else:
            r.extra = True
            notes.append(ParseNote("group_subtotal_row", f"group row {r.label!r} carries its own numbers "
                                   "(a local subtotal, not part of the statutory layout)", "table3"))


def align_rows(rows: list[RawRow], seq: tuple[str, ...], notes: list[ParseNote]) -> None:
    """Give unlabeled rows the statutory keys missing between labeled anchors, in order."""
    pos = {k: i for i, k in enumerate(seq)}
    # rows whose label was not recognised may still sit exactly in a gap of the statutory order
    unknown = [r for r in rows if r.extra and r.key is None and r.group is None and r.values]
    for r in unknown:
        r.extra = False
    body = [r for r in rows if not r.extra]
    last = -1
    for r in body:  # anchors must increase; a repeated or out-of-order label is set aside
        if r.key is not None:
            p = pos.get(r.key)
            if p is None or p <= last:
                notes.append(ParseNote("row_out_of_order", f"row {r.label!r} repeats or is out of the "
                                       "statutory order; ignored", "table3", r.key))
                r.key = None
                r.extra = True
                continue
            last = p
    body = [r for r in rows if not r.extra]
    anchors = [i for i, r in enumerate(body) if r.key is not None]
    bounds = [-1, *anchors, len(body)]
    for a, b in itertools.pairwise(bounds):
        gap_rows = body[a + 1:b]
        if not gap_rows:
            continue
        lo = pos[body[a].key] + 1 if a >= 0 else 0
        hi = pos[body[b].key] if b < len(body) else len(seq)
        free = list(seq[lo:hi])
        if a < 0 and b < len(body) and len(gap_rows) < len(free):
            free = free[len(free) - len(gap_rows):]  # rows just before the first anchor
        elif b >= len(body) and a >= 0 and len(gap_rows) < len(free):
            free = free[:len(gap_rows)]  # rows just after the last anchor
        if len(gap_rows) == len(free):
            for r, k in zip(gap_rows, free, strict=True):
                r.key = k
                r.placed_by_position = True
                what = f"label {r.label!r} not recognised" if r.label else "row label lost"
                notes.append(ParseNote("row_placed_by_position", f"{what}; placed as "
                                       f"{T3_ROWS_BY_KEY[k].label} by statutory order", "table3", k))
        else:
            for r in gap_rows:
                r.extra = True
            labeled = [r.label for r in gap_rows if r.label]
            if len(labeled) < len(gap_rows):
                notes.append(ParseNote("rows_unplaced", f"{len(gap_rows)} row(s) without recognised labels cannot "
                                       f"be placed among {len(free)} missing statutory row(s); left out", "table3"))
            for lab in labeled:
                notes.append(ParseNote("t3_local_row", f"row {lab!r} is outside the statutory layout", "table3"))


def _cell(f: Fragment, unit_flags: frozenset[str] = frozenset()) -> Cell:
    pn = parse_number(f.raw)
    if pn is None:
        return Cell(None, f.raw, f.prov, None, frozenset({"unparsable"}) | unit_flags)
    return Cell(pn.value, f.raw, f.prov, pn.unit, pn.flags | unit_flags)


def raw_rows_to_table(rows: list[RawRow], columns: tuple[str, ...], notes: list[ParseNote],
                      run_orders: tuple[tuple[str, ...], ...] = ()) -> Table3:
    """``run_orders``: the column orders a row printed as a run of digits may follow (default: ``columns``)."""
    run_orders = run_orders or (columns,)
    t = Table3(status=PRESENT, columns=columns)
    n = len(columns)
    blanks = _blank_cells_printed(rows, n)
    if blanks:
        notes.append(ParseNote("runs_with_blank_cells", f"{blanks}: cells printed blank leave no digit in a run, "
                               "so no row printed as a run of digits can be split; those rows are not read",
                               "table3"))
    for r in rows:
        row = Row(key=r.key or "", label=r.label, label_prov=r.label_prov, placed_by_position=r.placed_by_position,
                  group=r.group if (r.extra or not r.key) else None)
        vals = list(r.values)
        if len(vals) > n:
            while len(vals) > n and not vals[-1].text:
                vals.pop()
        if len(vals) == 1 and n > 1 and run_digits(vals[0].raw) and blanks:
            row.incomplete = True
        elif len(vals) == 1 and n > 1 and run_digits(vals[0].raw):
            splits = split_run(vals[0].raw, n)[0]
            # every column order still possible (an added 小计 column whose place is not settled)
            readings = list({tuple(sorted(m.items())): m for m in
                             (dict(zip(order, rd, strict=True)) for order in run_orders for rd in splits)}.values())
            src = vals[0]
            if len(readings) == 1:
                row.cells = {c: Cell(readings[0][c], src.raw, src.prov, None, frozenset({"run_together"}))
                             for c in columns}
                notes.append(ParseNote("run_together", f"digits {src.raw!r} split into {splits[0]}", "table3",
                                       r.key))
            elif len(readings) > MAX_READINGS:
                row.incomplete = True
                notes.append(ParseNote("row_unreadable", f"digits {src.raw!r} have more than {MAX_READINGS} "
                                       f"readings as {n} numbers; too many to check", "table3", r.key))
            elif readings:
                row.readings = tuple(readings)
                row.run = Cell(None, src.raw, src.prov, None, frozenset({"run_together"}))
                notes.append(ParseNote("row_ambiguous", f"digits {src.raw!r} have {len(readings)} readings as "
                                       f"{n} numbers", "table3", r.key))
            else:
                row.incomplete = True
                notes.append(ParseNote("row_unreadable", f"digits {src.raw!r} cannot be {n} numbers", "table3",
                                       r.key))
        elif len(vals) == n:
            row.cells = {c: _cell(v) for c, v in zip(columns, vals, strict=True)}
        else:
            row.incomplete = True
            notes.append(ParseNote("row_incomplete", f"row {r.label or r.key!r} has {len(vals)} of {n} cells; "
                                   "not guessing which is missing", "table3", r.key))
        if r.extra or not r.key:
            t.extra_rows.append(row)
        else:
            t.rows[r.key] = row
    return t


def _blank_cells_printed(rows: list[RawRow], n: int) -> str:
    """Crawled text of a table that prints zeros as blank cells: a blank leaves nothing in the run, so
    many rows have fewer digits than cells, and the runs that happen to have enough are split wrong.
    One or two short rows are a crawler dropping a cell (the other rows are fine); from three rows
    and a third of the runs on, the table prints blanks and no run can be trusted. Returns why, or ""."""
    runs = [r.values[0].raw for r in rows if len(r.values) == 1 and run_digits(r.values[0].raw)]
    short = sum(1 for raw in runs if sum(ch.isdigit() for ch in raw) < n)
    if short >= 3 and short * 3 >= len(runs):
        return f"{short} of {len(runs)} rows printed as runs have fewer digits than the {n} cells"
    return ""


def choose_subtotal_position(rows: list[RawRow], columns: tuple[str, ...]
                             ) -> tuple[tuple[str, ...], tuple[tuple[str, ...], ...]]:
    """Where the added 法人或其他组织小计 column sits is not clear from the header text alone (a rowspan
    cell in the second header row reads before the sub-types): take the position at which the
    printed numbers satisfy subtotal = sum of the five sub-types in most rows. Returns the columns
    and the orders rows printed as runs of digits may follow: every candidate while no row settles
    it (then such rows keep a reading per order, never a guessed one)."""
    subs = [c for c in columns if c not in ("NAT", "TOT", "SUB")]
    candidates = {columns}
    for i in range(1, len(subs) + 2):
        order = [*subs]
        order.insert(i - 1, "SUB")
        candidates.add(("NAT", *order, "TOT"))

    def score(cols: tuple[str, ...]) -> int:
        ok = 0
        for r in rows:
            if len(r.values) == 1 and run_digits(r.values[0].raw):
                readings = split_run(r.values[0].raw, len(cols))[0]  # a row printed as a run of digits
                if len(readings) != 1:
                    continue
                vals = dict(zip(cols, readings[0], strict=True))
            elif len(r.values) != len(cols):
                continue
            else:
                nums = {c: parse_number(v.raw) for c, v in zip(cols, r.values, strict=True)}
                vals = {c: (n.value or 0) if n is not None else None for c, n in nums.items()}
            if None in vals.values():
                continue
            if vals["SUB"] == sum(vals[c] for c in subs) and any(vals[c] for c in subs):
                ok += 1
        return ok

    best = max(sorted(candidates), key=lambda c: (score(c), c == columns))
    chosen = best if score(best) > score(columns) else columns
    if score(chosen) == 0:
        return chosen, (chosen, *sorted(candidates - {chosen}))
    return chosen, (chosen,)


def place_displaced_rows(rows: list[RawRow], ncols: int, gen_hint: str | None,
                         notes: list[ParseNote]) -> list[RawRow]:
    """Rows of numbers printed without labels, the labels as loose lines around them. When there are
    exactly as many rows of ``ncols`` numbers as the layout has rows, they are the layout's rows in
    statutory order. Otherwise a loose label anchors the row printed right after it only when the
    labels are printed above their rows: the first row of numbers follows its label and no label is
    left over after the last one (labels printed below their rows with the first row lost look the
    same as labels above with the last row lost: then neither is assumed). When they are not, no
    label anchors anything and the rows are kept apart. Never guessed."""
    seq = _sequence(rows, gen_hint)
    full = [r for r in rows if r.bare and len(r.values) == ncols]
    if len(full) == len(seq) and sum(1 for r in rows if r.values) == len(full):
        agree = 0
        for r, k in zip(full, seq, strict=True):
            if r.key == k:
                agree += 1
            else:
                r.label, r.label_prov = "", None
            r.key, r.group, r.extra, r.placed_by_position = k, None, False, True
        gen = GEN_2019 if "R_OTHER" in seq else GEN_2021
        notes.append(ParseNote("rows_placed_by_order", f"table 三 prints its {len(full)} rows of numbers without "
                               f"their labels (the labels are loose lines between them); as many as the {gen} "
                               f"layout has rows, so they were placed in statutory order ({agree} agree with "
                               "the label printed just above them)", "table3"))
        return full
    with_values = [i for i, r in enumerate(rows) if r.values]
    above = bool(with_values) and rows[with_values[0]].key is not None and not any(
        r.key is not None and not r.values for r in rows[with_values[-1] + 1:])
    if with_values and not above:
        for r in rows:
            if r.values:
                r.key, r.label, r.label_prov, r.extra = None, "", None, True
        notes.append(ParseNote("rows_unplaced", f"table 三 prints {len(full)} rows of {ncols} numbers without their "
                               f"labels, not the {len(seq)} rows of the layout, and its loose labels are not clearly "
                               "printed above their rows; no row can be placed without guessing", "table3"))
        return [r for r in rows if r.values]
    return rows


def read_table3(lines: list[Line], gen_hint: str | None, found_region: bool) -> tuple[Table3, list[ParseNote]]:
    notes: list[ParseNote] = []
    displaced, lone = displaced_labels(lines)
    raw, header, has_note = lines_to_raw_rows(lines, displaced)
    if displaced and lone:
        notes.append(ParseNote("stray_number", f"{lone} number(s) alone on a line between the rows of table 三 "
                               "(page numbers) were not read as cells", "table3"))
    columns = t3_columns_from_header(" ".join(header)) or T3_COLS
    if "SUB" in columns:
        notes.append(ParseNote("local_column", "table 三 has an added 法人或其他组织小计 column", "table3"))
    if stream_out_of_row_order(raw, len(columns)):
        for r in raw:
            if not r.structured:
                r.values = []
        notes.append(ParseNote("stream_not_row_order", "table 三 text interleaves its columns (labels and numbers "
                               "are not in row order, as in PDF text extracted in reading order); its cells are "
                               "not read", "table3"))
    raw = split_raw_rows(raw, len(columns))
    run_orders: tuple[tuple[str, ...], ...] = ()
    if "SUB" in columns:
        columns, run_orders = choose_subtotal_position(raw, columns)
    if not any(r.key for r in raw) and not raw:
        if found_region:
            return Table3(status=UNREADABLE, reason="table 三 heading found but no rows could be read",
                          has_note=has_note), notes
        return Table3(status=MISSING, reason="no table 三 in the report"), notes
    if displaced:
        raw = place_displaced_rows(raw, len(columns), gen_hint, notes)
    resolve_group_rows(raw, notes)
    seq = _sequence(raw, gen_hint)
    align_rows(raw, seq, notes)
    t = raw_rows_to_table(raw, columns, notes, run_orders)
    t.has_note = has_note
    if not t.rows:
        t.status = UNREADABLE
        t.reason = "no row of table 三 could be matched to the statutory layout"
    return t, notes
