"""Read table 四 (administrative review and litigation): 15 numbers in a fixed order."""

from __future__ import annotations

import re

from parsers.labels import t4_group
from parsers.layout import T4_GROUPS, T4_KEYS, T4_OUTCOMES
from parsers.lines import MAX_READINGS, Fragment, Line, is_stream_value, parse_number, run_digits, split_run
from parsers.model import MISSING, PRESENT, UNREADABLE, Cell, ParseNote, Table4

_NEXT_SECTION = re.compile(r"^[五六七八九十]、")


def _by_group(values: list[Fragment], groups: list[str | None], notes: list[ParseNote]) -> list[Fragment]:
    """Table 四 printed as three five-column tables, each under a heading naming its group
    (行政复议 / 未经复议直接起诉 / 复议后起诉), in whatever order: the values in statutory order. The
    values as printed unless every value sits under exactly one group heading, five per group."""
    width = len(T4_OUTCOMES)
    per: dict[str, list[Fragment]] = {}
    for f, g in zip(values, groups, strict=True):
        if g is None:
            return values
        per.setdefault(g, []).append(f)
    for vals in per.values():
        while len(vals) > width and not vals[-1].text:
            vals.pop()
    order = [g for g, _ in T4_GROUPS]
    if sorted(per) != sorted(order) or any(len(v) != width for v in per.values()):
        return values
    printed = list(per)
    if printed != order:
        notes.append(ParseNote("t4_group_order", f"table 四 prints its groups in the order {', '.join(printed)}; "
                               "read by their headings", "table4"))
    return [f for g in order for f in per[g]]


def read_table4(lines: list[Line]) -> tuple[Table4, list[ParseNote]]:
    notes: list[ParseNote] = []
    values: list[Fragment] = []
    groups: list[str | None] = []  # the group heading each value was printed under
    group: str | None = None
    saw_header = False
    for line in lines:
        cells = [c for c in line.cells]
        nums = [c for c in cells if c.text == "" or parse_number(c.raw) is not None]
        labels = [c for c in cells if c.text and parse_number(c.raw) is None]
        if any(w in c.text for c in labels for w in ("结果维持", "尚未审结", "复议后起诉", "未经复议")):
            saw_header = True
        elif values and labels and _NEXT_SECTION.match(labels[0].text):
            break  # a section of its own after the table (e.g. 五、信息处理费收取情况 with its numbers)
        named = {g for g in (t4_group(c.text) for c in labels) if g}
        if named:  # 行政复议 | 行政诉讼 names one group; 未经复议直接起诉 | 复议后起诉 none in particular
            group = named.pop() if len(named) == 1 else None
        n_before = len(values)
        if line.structured:
            if not labels and (any(c.text for c in nums) or (saw_header and len(nums) >= len(T4_KEYS))):
                values.extend(nums)  # a row of 15 blank cells is a row of zeros printed blank
            elif labels:
                # a labeled value row (e.g. "数量 | 0 | 0 …"): take the cells after the last label;
                # all blank counts when it is a full row under the header (zeros printed blank)
                last = max(i for i, c in enumerate(cells) if c.text and parse_number(c.raw) is None)
                after = cells[last + 1:]
                if any(c.text for c in after) or (saw_header and len(after) >= len(T4_KEYS)):
                    values.extend(after)
        elif nums and cells[0].text and is_stream_value(cells[0]):
            values.extend(nums)
        groups.extend([group] * (len(values) - n_before))
    values = _by_group(values, groups, notes)
    n = len(T4_KEYS)
    while len(values) > n and not values[-1].text:
        values.pop()
    if not values:
        if saw_header:
            return Table4(status=UNREADABLE, reason="table 四 heading found but no numbers could be read"), notes
        return Table4(status=MISSING, reason="no table 四 in the report"), notes
    t = Table4(status=PRESENT)
    if len(values) == 1 and run_digits(values[0].raw):
        src = values[0]
        readings = split_run(src.raw, n)[0]
        if len(readings) == 1:
            t.cells = {k: Cell(v, src.raw, src.prov, None, frozenset({"run_together"}))
                       for k, v in zip(T4_KEYS, readings[0], strict=True)}
            notes.append(ParseNote("run_together", f"digits {src.raw!r} split into 15 numbers", "table4"))
        elif len(readings) > MAX_READINGS:
            t.incomplete = True
            notes.append(ParseNote("row_unreadable", f"digits {src.raw!r} have more than {MAX_READINGS} readings "
                                   "as 15 numbers; too many to check", "table4"))
        elif readings:
            t.readings = tuple(dict(zip(T4_KEYS, r, strict=True)) for r in readings)
            t.run = Cell(None, src.raw, src.prov, None, frozenset({"run_together"}))
            notes.append(ParseNote("row_ambiguous", f"digits {src.raw!r} have {len(readings)} readings as 15 "
                                   "numbers", "table4"))
        else:
            t.incomplete = True
            notes.append(ParseNote("row_unreadable", f"digits {src.raw!r} cannot be 15 numbers", "table4"))
        return t, notes
    if len(values) != n:
        t.incomplete = True
        t.notes.append(f"{len(values)} of {n} numbers")
        notes.append(ParseNote("row_incomplete", f"table 四 has {len(values)} of {n} numbers; not guessing "
                               "which are missing", "table4"))
        if len(values) < 1:
            t.status = UNREADABLE
        return t, notes
    for k, f in zip(T4_KEYS, values, strict=True):
        pn = parse_number(f.raw)
        t.cells[k] = (Cell(pn.value, f.raw, f.prov, pn.unit, pn.flags) if pn is not None
                      else Cell(None, f.raw, f.prov, None, frozenset({"unparsable"})))
    return t, notes
