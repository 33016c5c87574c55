"""Row labels wrapped around their numbers in ``pdftotext -layout`` text.

A ruled table prints a long row label on several lines inside its cell, and the cells of the row are
centred vertically (or top-aligned). ``pdftotext -layout`` writes each printed line as a text line, so
the numbers of such a row stand on one line and the pieces of its label on the lines above and below:

    2.申请人逾期未按收费通知要
    求缴纳费用、行政机关不再处          0    0    0    0    0    0    0
    理其政府信息公开申请

``join_wrapped_labels`` gives every such numbers line its whole label, taken from the lines around it
by column, and blanks the pieces it moved (line numbers stay as they were, so provenance is kept):

    2.申请人逾期未按收费通知要求缴纳费用、行政机关不再处理其政府信息公开申请   0    0 …

How the pieces are put together, within a block of table lines (numbers lines and the label-only
lines between them; a header or paragraph line that reaches into the number columns ends a block):

- a label-area piece starting with a statutory numbering mark (一、 （一） 1.) starts a label and ends
  every label above it whose columns it overlaps; a piece without a mark continues the open label
  whose columns it overlaps, unless that label is already complete and has its numbers (then it
  starts a new one: table 二's labels carry no mark);
- at the top of a page (pdftotext ends pages with a form feed) columns do not line up with the page
  before: there a piece without a mark continues the one label left open above the break that has
  no numbers yet, when the two stay a statutory row label (a row broken across the page);
- a label owns the numbers line its lines surround, or, when none does, the numbers line right
  below or above it, when that line has no other claimant. Only labels recognised as a statutory
  row (table 三, table 二) own anything: a label that cannot be recognised, or two labels that could
  own the same line, change nothing, and the rows are read as before (placed by statutory order).

Text that is not laid out in columns (one cell per line, rows flattened with single spaces, pipes,
tabs, prose) has no numbers lines in this sense and comes back unchanged.
"""

from __future__ import annotations

import bisect
import re
from dataclasses import dataclass, field

from parsers.labels import match_t2_row, match_t3
from parsers.pdf.text import join_wrapped

# a number cell as pdftotext prints it: 1,234  -5  +10  12.5  /  —
_NUM = r"(?:[+\-−—]*\d[\d,，.]*%?|/|—|－)"
# the numbers of a row: after two spaces, or one space after CJK text (narrow columns)
_NUMBERS = re.compile(rf"(?:(?<=\s\s)|(?<=[\u2e80-\u9fff\uff00-\uffef”」] )|^\s*){_NUM}(?:\s+{_NUM})*\s*$")
# a numbering mark starting a label; "（三" counts too (a narrow column wraps "（三）" itself)
MARK = re.compile(r"^(?:[一二三四五六七八九十]{1,2}[、.．]|[（(][一二三四五六七八九十]{1,2}(?:[)）]|$)|\d{1,2}[.、．](?=\D))")
_GAP = re.compile(r"\s{2,}")
_PAGE = re.compile(r"^\s*(?:[-—–]\s*\d{1,4}\s*[-—–]|第\s*\d{1,4}\s*页.*|\d{1,4}\s*/\s*\d{1,4}|\d{1,4})\s*$")
_MAX_LABEL_LINES = 8  # a label-only line further than this from any numbers line is not in a table


@dataclass(slots=True)
class _Piece:
    line: int  # index into the text lines
    start: int  # column (character index) of the first character
    end: int  # column after the last character
    text: str

    def overlaps(self, lo: int, hi: int) -> bool:
        return min(self.end, hi) - max(self.start, lo) >= 1


@dataclass(slots=True)
class _Label:
    pieces: list[_Piece] = field(default_factory=list)

    @property
    def text(self) -> str:
        return join_wrapped([p.text for p in self.pieces])

    @property
    def lo(self) -> int:
        return min(p.start for p in self.pieces)

    @property
    def hi(self) -> int:
        return max(p.end for p in self.pieces)

    @property
    def first(self) -> int:
        return self.pieces[0].line

    @property
    def last(self) -> int:
        return self.pieces[-1].line


def _numbers_start(line: str) -> tuple[int, int] | None:
    """Column where the trailing run of numbers of a layout table row begins, and how many numbers
    it holds; None when the line does not end with numbers set apart from any text before them."""
    if "\t" in line or "|" in line or "。" in line:
        return None
    m = _NUMBERS.search(line)
    if m is None:
        return None
    start = m.start() + len(m.group()) - len(m.group().lstrip())
    return start, len(line[start:].split())


def _numbers_lines(lines: list[str]) -> dict[int, int]:
    """Start column of the numbers of every numbers line. A line holding a single number counts
    only when set in from the margin (layout text) with label text, not numbers, around it: one
    cell per line, as crawled pages print tables, is left alone."""
    found = {i: r for i, ln in enumerate(lines) if (r := _numbers_start(ln)) is not None}
    out: dict[int, int] = {}
    for i, (start, count) in found.items():
        if count >= 2:
            out[i] = start
            continue
        if start < 3 or not lines[i][:start].endswith("  "):
            continue
        if start >= 12:
            out[i] = start
            continue
        above = next((j for j in range(i - 1, max(-1, i - 4), -1) if lines[j].strip()), None)
        below = next((j for j in range(i + 1, min(len(lines), i + 4)) if lines[j].strip()), None)
        if above is not None and below is not None and above not in found and below not in found:
            out[i] = start
    return out


def row_label_kind(text: str) -> str | None:
    """'row' for a recognised table 三 or 二 row label, 'other' for （六）其他处理 (a row in the 2019
    format, a group label in the 2021 one), 'group' for another table 三 group label, else None."""
    m = match_t3(text)
    if m is not None and m.score >= 80:
        if m.kind == "row":
            return "row"
        return "other" if m.key == "R_OTHER" else "group"
    if match_t2_row(text) is not None:
        return "row"
    return None


def _complete(text: str) -> bool:
    """A whole statutory label (not one cut short)."""
    m = match_t3(text)
    return (m is not None and m.score >= 95) or match_t2_row(text) is not None


def _pieces(line: str, no: int, end: int, open_labels: list[_Label]) -> list[_Piece]:
    """The label-area pieces of a line: runs of text set apart by two or more spaces; a single space
    splits too where a numbering mark follows it, or where the text after it continues a label above
    that the text before it does not reach."""
    out: list[_Piece] = []
    area = line[:end]
    pos = 0
    for tok in [*_GAP.split(area)]:
        if not tok.strip():
            pos += len(tok)
            continue
        start = area.index(tok, pos)
        pos = start + len(tok)
        lead = len(tok) - len(tok.lstrip())
        tok_start, tok = start + lead, tok.strip()
        cut = tok_start
        for i, ch in enumerate(tok):
            if ch != " " or i == 0:
                continue
            right = tok[i + 1:]
            col = tok_start + i + 1
            left_lo = cut
            splits = bool(MARK.match(right)) or any(
                min(lab.hi, col + len(right)) - max(lab.lo, col) >= 1 and not (lab.lo <= left_lo < lab.hi)
                for lab in open_labels)
            if splits:
                out.append(_Piece(no, cut, tok_start + i, line[cut:tok_start + i].strip()))
                cut = col
        out.append(_Piece(no, cut, tok_start + len(tok), line[cut:tok_start + len(tok)].strip()))
    return [p for p in out if p.text]


def _pages(ends: list[str]) -> list[int]:
    """The page of every line (pdftotext ends each page with a form feed)."""
    out, page = [], 0
    for e in ends:
        out.append(page)
        page += e.endswith("\f")
    return out


def _page_furniture(lines: list[str], ends: list[str]) -> tuple[set[int], set[int]]:
    """Page numbers, and the first line of each page after the first. pdftotext ends each page with a
    form feed; a bare number counts as a page number only as the last line of a page or the first."""
    furniture: set[int] = set()
    tops: set[int] = set()
    filled = [i for i, ln in enumerate(lines) if ln.strip()]
    breaks = [i + 1 for i, e in enumerate(ends) if e.endswith("\f")]
    for b in breaks:
        k = bisect.bisect_left(filled, b)
        around = filled[max(0, k - 1):k + 1]
        furniture.update(i for i in around if _PAGE.match(lines[i]))
        nxt = next((i for i in filled[k:k + 2] if i not in furniture), None)
        if nxt is not None:
            tops.add(nxt)
    for i in filled:
        if _PAGE.match(lines[i]) and not lines[i].strip().isdigit():
            furniture.add(i)
    return furniture, tops


def _blocks(lines: list[str], nums: dict[int, int], furniture: set[int], pages: list[int]) -> list[list[int]]:
    """Runs of table lines: numbers lines and the label-only lines near them on the same page (left of
    their numbers); blank lines and page numbers are passed over, any other line ends a run."""
    order = sorted(nums)
    blocks: list[list[int]] = []
    cur: list[int] = []
    for i, line in enumerate(lines):
        if not line.strip() or i in furniture:
            continue
        lo = bisect.bisect_left(order, i - _MAX_LABEL_LINES)
        hi = bisect.bisect_right(order, i + _MAX_LABEL_LINES)
        near = [j for j in order[lo:hi] if pages[j] == pages[i]]
        label_only = (near and len(line.rstrip()) <= min(nums[j] for j in near) - 1
                      and len(line.strip()) <= 40 and "。" not in line)
        if i in nums or label_only:
            cur.append(i)
        else:
            if cur:
                blocks.append(cur)
            cur = []
    if cur:
        blocks.append(cur)
    return [b for b in blocks if any(i in nums for i in b)]


def join_wrapped_labels(text: str) -> list[str]:
    """``text.splitlines()``, with each wrapped row label moved, whole, onto its numbers line (see the
    module docstring). Lines that need no change are as they were."""
    with_ends = text.splitlines(keepends=True)
    lines = text.splitlines()
    if "   " not in text:
        return lines
    ends = [w[len(ln):] for w, ln in zip(with_ends, lines, strict=True)]
    furniture, tops = _page_furniture(lines, ends)
    nums = {i: s for i, s in _numbers_lines(lines).items() if i not in furniture}
    if not nums:
        return lines
    out = list(lines)
    for block in _blocks(lines, nums, furniture, _pages(ends)):
        _join_block(lines, out, block, nums, tops)
    return out


def _join_block(lines: list[str], out: list[str], block: list[int], nums: dict[int, int], tops: set[int]) -> None:
    labels: list[_Label] = []
    open_labels: list[_Label] = []
    by_line: dict[int, list[_Piece]] = {}
    for i in block:
        by_line[i] = _pieces(lines[i], i, nums.get(i, len(lines[i])), open_labels)
        for p in by_line[i]:
            over = [lab for lab in open_labels if p.overlaps(lab.lo, lab.hi)]
            if MARK.match(p.text):
                for lab in over:
                    open_labels.remove(lab)
                target = None
            else:
                target = max(over, key=lambda lab: min(p.end, lab.hi) - max(p.start, lab.lo), default=None)
                if i in tops:
                    target = _across_page(open_labels, p, nums, i) or target
            if target is not None and _complete(target.text) and any(target.first <= j < i for j in nums) \
                    and not p.text.startswith(("（", "(")):
                open_labels.remove(target)  # table 二's labels carry no mark: a complete one is done
                target = None
            if target is None:
                lab = _Label([p])
                labels.append(lab)
                open_labels.append(lab)
            else:
                target.pieces.append(p)
    owners = _owners(labels, block, nums, by_line)
    owners = {n: lab for n, lab in owners.items() if not (len(lab.pieces) == 1 and lab.pieces[0].line == n)}
    if not owners:
        return
    moved = {id(p) for lab in owners.values() for p in lab.pieces}
    for i in block:
        mine = [p for p in by_line[i] if id(p) in moved]
        if not mine and i not in owners:
            continue
        if i in nums:
            kept = [p.text for p in by_line[i] if id(p) not in moved]
            if i in owners:
                kept.append(owners[i].text)
            out[i] = "  ".join(kept) + "    " + lines[i][nums[i]:].strip()
            continue
        row = lines[i]
        for p in mine:
            row = row[:p.start] + " " * (p.end - p.start) + row[p.end:]
        out[i] = row.rstrip()


def _across_page(open_labels: list[_Label], p: _Piece, nums: dict[int, int], i: int) -> _Label | None:
    """At the top of a page, columns do not line up with the page before (pdftotext sets each page
    out by itself): a piece continues the one label left open above the break that has no numbers
    yet and that stays a statutory row label (whole, or its beginning) with the piece added."""
    cands = [lab for lab in open_labels if not any(lab.first <= j < i for j in nums)
             and row_label_kind(join_wrapped([*(q.text for q in lab.pieces), p.text])) in ("row", "other")]
    return cands[0] if len(cands) == 1 else None


def _owners(labels: list[_Label], block: list[int], nums: dict[int, int],
            by_line: dict[int, list[_Piece]]) -> dict[int, _Label]:
    """The numbers line each recognised row label owns: the one its lines surround, else the nearest
    one above or below that it alone can own (nothing of another label in its columns between)."""
    num_lines = [i for i in block if i in nums]
    inside: dict[int, list[_Label]] = {n: [] for n in num_lines}
    claims: dict[int, list[_Label]] = {n: [] for n in num_lines}
    claimed: dict[int, list[int]] = {}

    def clear(lab: _Label, lo: int, hi: int) -> bool:
        """No piece of another label in the label's columns on lines lo..hi."""
        return not any(p.overlaps(lab.lo, lab.hi) and p not in lab.pieces
                       for j in range(lo, hi + 1) for p in by_line.get(j, ()))

    kinds = {id(lab): row_label_kind(lab.text) for lab in labels}
    for lab in labels:
        if kinds[id(lab)] not in ("row", "other"):
            continue
        within = [n for n in num_lines if lab.first <= n <= lab.last]
        if len(within) == 1:
            inside[within[0]].append(lab)
            continue
        if within:
            continue  # a label over two rows of numbers: not put together right
        above = [n for n in num_lines if n < lab.first]
        below = [n for n in num_lines if n > lab.last]
        claimed[id(lab)] = []
        if below and clear(lab, lab.last + 1, below[0]):
            claims[below[0]].append(lab)
            claimed[id(lab)].append(below[0])
        if above and clear(lab, above[-1], lab.first - 1):
            claims[above[-1]].append(lab)
            claimed[id(lab)].append(above[-1])

    def best(labs: list[_Label], n: int) -> list[_Label]:
        """True rows first; （六）其他处理 only where no unrecognised label has text on the line."""
        rows = [lab for lab in labs if kinds[id(lab)] == "row"]
        if rows or not labs:
            return rows
        return labs if all(kinds[id(lab)] is not None for p in by_line[n] for lab in labels
                           if p in lab.pieces) else []

    owners: dict[int, _Label] = {}
    for n in num_lines:
        labs = best(inside[n], n)
        if len(labs) == 1:
            owners[n] = labs[0]
    for n in num_lines:
        if n in owners or inside[n]:
            continue
        labs = best(claims[n], n)
        if len(labs) == 1 and len(claimed[id(labs[0])]) == 1:
            owners[n] = labs[0]
    return owners
