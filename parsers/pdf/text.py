"""Text helpers for the PDF reader: joining wrapped lines, page furniture, paragraph breaks.

Kept free of pdfplumber so the rules can be tested on plain strings and boxes.
"""

from __future__ import annotations

import itertools
import re
from dataclasses import dataclass, field

from parsers.lines import normalize_text, parse_number, to_simplified

_CJK = r"\u2e80-\u9fff\uf900-\ufaff\u3000-\u303f\uff00-\uffef"
_SPACE_BETWEEN_CJK = re.compile(rf"(?<=[{_CJK}])[ \t]+(?=[{_CJK}])")
_SPACE_CJK_DIGIT = re.compile(rf"(?<=[{_CJK}])[ \t]+(?=[0-9])|(?<=[0-9])[ \t]+(?=[{_CJK}])")
_PAGE_NUMBER = re.compile(
    r"^[-—–_·.\s]*(第\s*)?\d{1,4}(\s*页)?(\s*[/／]\s*\d{1,4})?(\s*共\s*\d{1,4}\s*页)?[-—–_·.\s]*$"
    r"|^(page|p\.)\s*\d{1,4}(\s*(of|/)\s*\d{1,4})?$",
    re.I,
)
# A line that starts a heading or a numbered paragraph: 一、 （一） 1. 1、
_HEADING = re.compile(r"^\s*(?:[一二三四五六七八九十]{1,3}[、.．]|[（(][一二三四五六七八九十]{1,3}[)）]|\d{1,2}[、．])")


def join_wrapped(lines: list[str]) -> str:
    """Join the lines of one wrapped cell or paragraph as printed.

    CJK text and numbers wrap anywhere, so lines join without a separator ("社会保障和就业支" + "出",
    "1,234" + "5"); only two Latin words get a space between them.
    """
    out = ""
    for ln in lines:
        ln = ln.strip()
        if not ln:
            continue
        if out and out[-1].isascii() and out[-1].isalpha() and ln[0].isascii() and ln[0].isalpha():
            out += " "
        out += ln
    return out


def clean_cjk_spacing(text: str) -> str:
    """Remove the gaps justification puts between CJK characters ("只计这一情 形" -> "只计这一情形")."""
    return _SPACE_BETWEEN_CJK.sub("", text)


def fragment_text(raw: str) -> str:
    """The normalised text of a Fragment (simplified, NFKC, CJK gaps removed)."""
    t = clean_cjk_spacing(raw)
    if any(ord(ch) > 0x2E7F for ch in t):
        t = to_simplified(t)
    return normalize_text(t)


def is_page_furniture(text: str) -> bool:
    """Page numbers such as "- 3 -", "第 3 页", "3/5"."""
    t = text.strip()
    return bool(t) and len(t) <= 24 and bool(_PAGE_NUMBER.match(t))


def looks_like_heading(text: str) -> bool:
    return bool(_HEADING.match(text))


@dataclass(slots=True)
class TextLine:
    """One printed line of running text (outside tables)."""

    text: str
    x0: float
    top: float
    x1: float
    bottom: float
    size: float
    page: int
    # Gap-separated runs of text with their boxes; more than one on a line with a number makes the
    # line a row of a borderless table.
    segments: tuple[tuple[str, tuple[float, float, float, float]], ...] = ()
    # Runs of characters without a gap (``pdf_borderless.Word``), for rebuilding borderless tables.
    words: tuple = ()

    @property
    def is_row(self) -> bool:

        return len(self.segments) >= 2 and any(parse_number(t) is not None for t, _ in self.segments)


@dataclass(slots=True)
class Paragraph:
    lines: list[TextLine] = field(default_factory=list)

    @property
    def raw(self) -> str:
        return join_wrapped([ln.text for ln in self.lines])

    @property
    def page(self) -> int:
        return self.lines[0].page

    def bbox(self) -> tuple[float, float, float, float]:
        same = [ln for ln in self.lines if ln.page == self.page]
        return (min(ln.x0 for ln in same), min(ln.top for ln in same),
                max(ln.x1 for ln in same), max(ln.bottom for ln in same))


@dataclass(frozen=True, slots=True)
class Margins:
    left: float
    right: float
    pitch: float  # usual distance between the tops of consecutive lines of a paragraph


def body_margins(lines: list[TextLine]) -> Margins:
    """Left and right edge of the text block and the usual line pitch, by majority vote."""
    if not lines:
        return Margins(0.0, 0.0, 0.0)
    lefts: dict[int, int] = {}
    for ln in lines:
        lefts[round(ln.x0)] = lefts.get(round(ln.x0), 0) + 1
    left = float(min(k for k, v in lefts.items() if v >= max(lefts.values()) * 0.5))
    rights = sorted(ln.x1 for ln in lines)
    right = rights[int(len(rights) * 0.9)] if len(rights) > 2 else rights[-1]
    pitches: dict[int, int] = {}
    for a, b in itertools.pairwise(lines):
        if a.page == b.page and 0 < b.top - a.top < 4 * a.size:
            p = round(b.top - a.top)
            pitches[p] = pitches.get(p, 0) + 1
    pitch = float(max(pitches, key=lambda k: pitches[k])) if pitches else lines[0].size * 1.5
    return Margins(left, right, pitch)


def _centered(ln: TextLine, m: Margins) -> bool:
    lgap, rgap = ln.x0 - m.left, m.right - ln.x1
    return lgap > 2 * ln.size and rgap > 2 * ln.size and abs(lgap - rgap) < 2 * ln.size


def lines_to_paragraphs(lines: list[TextLine], m: Margins, breaks: set[int]) -> list[Paragraph]:
    """Merge the printed lines of a paragraph.

    A line starts a new paragraph when it is indented, follows a short line, follows a large vertical
    gap, changes font size, or starts with a heading number. Consecutive centred lines (a two-line
    title) stay together. ``breaks`` holds indices of lines that must start a paragraph (a table
    came in between).
    """
    paras: list[Paragraph] = []
    for i, ln in enumerate(lines):
        if not paras or i in breaks:
            paras.append(Paragraph([ln]))
            continue
        prev = paras[-1].lines[-1]
        size = max(ln.size, 1.0)
        if _centered(ln, m) and _centered(prev, m) and abs(prev.size - ln.size) < 0.5 and ln.page == prev.page \
                and ln.top - prev.bottom < 1.5 * size:
            paras[-1].lines.append(ln)
            continue
        new = (
            ln.x0 - m.left > 1.2 * size
            or prev.x1 < m.right - 1.5 * size
            or abs(prev.size - ln.size) > 0.6
            or (ln.page == prev.page and ln.top - prev.top > max(m.pitch, size) * 1.6)
            or (looks_like_heading(ln.text) and prev.text.rstrip()[-1:] in "。；;:：！？")
            or _centered(ln, m)
        )
        if new:
            paras.append(Paragraph([ln]))
        else:
            paras[-1].lines.append(ln)
    return paras
