"""The intermediate form every format is reduced to before the tables are read.

A document is a list of ``Line``s. A line is one paragraph of text (one ``Fragment``) or one row of
a real table (several fragments, one per cell as printed, blanks kept). Plain text with pipes or
tabs counts as a table row too. ``parsers.assemble`` turns lines into canonical reports, so the
text, HTML, DOCX and PDF readers only have to produce lines.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from functools import lru_cache

import zhconv

from parsers.model import Number, Provenance


@dataclass(frozen=True, slots=True)
class Fragment:
    text: str  # normalised (simplified, NFKC, whitespace collapsed)
    raw: str  # as printed (stripped)
    prov: Provenance


@dataclass(frozen=True, slots=True)
class Line:
    cells: tuple[Fragment, ...]
    structured: bool = False  # a table row: positions and blank cells are meaningful
    table: int | None = None  # index of the source table, when there is one

    @property
    def text(self) -> str:
        return " ".join(c.text for c in self.cells if c.text)

    @property
    def first(self) -> Fragment:
        return self.cells[0]


# ------------------------------------------------------------------ text normalisation
_QUOTES = str.maketrans({"“": '"', "”": '"', "‘": "'", "’": "'", "「": '"', "」": '"', "『": '"', "』": '"',
                         "〝": '"', "〞": '"', "＂": '"'})
_WS = re.compile(r"\s+")
_INVISIBLE = re.compile(r"[\u200b-\u200f\u2060\ufeff\u00ad]")
# content farms annotate characters with pinyin: 政(zheng)府(fu)
_PINYIN = re.compile(r"(?<=[\u4e00-\u9fff])\((?:[a-z]{1,6}\d?)\)")
_BOOKMARK = re.compile(r"\[bookmark:[^\]]*\]")
# A handful of traditional forms that zhconv leaves alone or that matter for our labels.
_EXTRA_T2S = str.maketrans({"説": "说", "爲": "为", "綫": "线"})


@lru_cache(maxsize=1)
def _traditional_chars() -> frozenset[str]:
    """Characters that zhconv's zh-cn conversion changes on their own."""
    from zhconv import zhconv as z

    return frozenset(k for k, v in z.getdict("zh-cn").items() if len(k) == 1 and k != v)


def has_traditional(text: str) -> bool:
    """Cheap check: does the start of the text contain characters that change under simplification?
    A set test, not a conversion of the sample (that was a fifth of a text report's parse)."""
    return not _traditional_chars().isdisjoint(text[:4000])


def to_simplified(text: str) -> str:
    return zhconv.convert(text.translate(_EXTRA_T2S), "zh-cn")


@lru_cache(maxsize=131072)
def normalize_text(text: str) -> str:
    """NFKC (full-width digits and brackets to ASCII), unified quotes, collapsed whitespace."""
    t = unicodedata.normalize("NFKC", text)
    t = _BOOKMARK.sub("", _INVISIBLE.sub("", t))
    if "(" in t:
        t = _PINYIN.sub("", t)
    t = t.translate(_QUOTES).replace("\u00a0", " ").replace("\u3000", " ")
    return _WS.sub(" ", t).strip()


@lru_cache(maxsize=65536)
def label_key(text: str) -> str:
    """The form labels are compared in: normalised, no whitespace, no quotes, unified numbering."""
    t = normalize_text(text)
    t = re.sub(r"[\s\"']", "", t)
    t = t.replace("(", "(").replace(")", ")")
    t = re.sub(r"^(\d+)[、,.．]", r"\1.", t)
    return t


# ------------------------------------------------------------------ numbers
_NUM = re.compile(
    r"""^(?P<sign>[+\-−－—–]*)\s*
        (?P<num>\d[\d,，]*(?:\.\d+)?|\.\d+)\s*
        (?P<unit>万元|元|件|项|条|个|次|人次)?$""",
    re.X,
)
_PAREN_NEG = re.compile(r"^\((?P<num>\d[\d,]*(?:\.\d+)?)\)$")
BLANK_TOKENS = {"", "/", "-", "—", "–", "－", "−", "——", "--", "无", "空", "×", "x", "X", "\\"}


@dataclass(frozen=True, slots=True)
class ParsedNumber:
    value: Number | None
    unit: str | None
    flags: frozenset[str]


@lru_cache(maxsize=131072)
def parse_number(raw: str) -> ParsedNumber | None:
    """Read one printed cell. None when the text is not a number or a blank marker at all."""
    t = normalize_text(raw).replace(" ", "")
    if t == "?":  # a cell OCR could not read: a value position with no trustworthy value
        return ParsedNumber(None, None, frozenset({"unparsable", "unreadable"}))
    if t in BLANK_TOKENS:
        if t == "":
            return ParsedNumber(None, None, frozenset({"blank"}))
        if t in {"/", "\\"}:
            return ParsedNumber(None, None, frozenset({"not_applicable"}))
        if t in {"无", "空", "×", "x", "X"}:
            return ParsedNumber(None, None, frozenset({"blank", "word"}))
        return ParsedNumber(None, None, frozenset({"dash"}))
    m = _PAREN_NEG.match(t)
    if m:
        v = _to_number(m.group("num"))
        return ParsedNumber(-v, None, frozenset({"paren_negative"})) if v is not None else None
    m = _NUM.match(t)
    if not m:
        return None
    v = _to_number(m.group("num"))
    if v is None:
        return None
    flags: set[str] = set()
    sign = m.group("sign")
    neg_count = sum(1 for ch in sign if ch in "-−－—–")
    if "+" in sign:
        flags.add("plus_sign")
    if neg_count >= 2 or len(sign) >= 2:
        flags.add("double_sign")
    if neg_count:
        v = -v
    unit = m.group("unit")
    if unit:
        flags.add("unit_in_cell")
    if unit in {"件", "项", "条", "个", "次", "人次"}:
        unit = None
    return ParsedNumber(v, unit, frozenset(flags))


def _to_number(s: str) -> Number | None:
    s = s.replace(",", "").replace("，", "")
    try:
        if "." in s:
            return Decimal(s)
        return int(s)
    except (InvalidOperation, ValueError):
        return None


def is_stream_value(f: Fragment) -> bool:
    """A one-cell line that is a table value (a number, a dash or "/", not a word like 无)."""
    if not f.text:
        return False
    pn = parse_number(f.raw)
    return pn is not None and "word" not in pn.flags


MAX_READINGS = 256


def digit_splits(digits: str, n: int, limit: int = MAX_READINGS + 1) -> list[tuple[int, ...]]:
    """Every way to cut a run of digits into ``n`` non-negative integers without leading zeros
    ("6000017" -> 6 0 0 0 0 1 7); see ``split_run`` for runs with spaces, signs and decimals."""
    if not digits.isdigit():
        return []
    return [tuple(int(v) for v in r) for r in _split_compact(digits, n, set(), limit)]


_RUN_PIECE = re.compile(r"^[+\-−]?(?:0|[1-9]\d*)(?:\.\d+)?$")
_RUN_UNIT = re.compile(r"(万元|元)$")


def run_digits(raw: str) -> bool:
    """A printed run of several numbers with nothing between them (and maybe stray spaces):
    "0000000", "10 0 0 0 01", "1-10", "547.9659万元"."""
    t = _RUN_UNIT.sub("", normalize_text(raw)).replace(" ", "")
    return len(t) >= 2 and bool(re.fullmatch(r"[+\-−]?\d[\d.+\-−]*", t))


def split_run(raw: str, n: int, limit: int = MAX_READINGS + 1) -> tuple[list[tuple[Number, ...]], str | None]:
    """Every way to read a printed run as ``n`` numbers without leading zeros, and the unit printed
    after it. Spaces and signs in the run are cell boundaries when some reading respects them all
    (a crawler joins cells, it does not split a number); otherwise they are ignored. A decimal point
    stays inside one number, and only the last number may have one (counts are whole; an amount
    column comes last). Stops after ``limit`` readings (callers treat more than one as ambiguous,
    more than ``MAX_READINGS`` as unreadable)."""
    t = normalize_text(raw)
    unit_m = _RUN_UNIT.search(t)
    unit = unit_m.group(1) if unit_m else None
    t = _RUN_UNIT.sub("", t).strip()
    compact = t.replace(" ", "")
    forced: set[int] = set()
    k = 0
    for ch in t:
        if ch == " ":
            forced.add(k)
            continue
        if ch in "+-−" and k > 0:
            forced.add(k)
        k += 1
    forced.discard(0)
    forced.discard(len(compact))
    readings = _split_compact(compact, n, forced, limit)
    if not readings and forced:
        sign_cuts = {i for i in forced if compact[i] in "+-−"}
        readings = _split_compact(compact, n, sign_cuts, limit)
    return readings, unit


def _split_compact(s: str, n: int, forced: set[int], limit: int) -> list[tuple[Number, ...]]:
    out: list[tuple[Number, ...]] = []
    L = len(s)
    nxt_forced = sorted(forced)

    def rec(pos: int, k: int, acc: list[Number]) -> None:
        if len(out) >= limit:
            return
        if k == 0:
            if pos == L:
                out.append(tuple(acc))
            return
        if L - pos < k:
            return
        bound = next((f for f in nxt_forced if f > pos), L)
        for end in range(pos + 1, bound + 1):
            piece = s[pos:end]
            if "." in piece and k > 1:
                continue  # only the last cell of a run may be an amount with decimals
            if not _RUN_PIECE.match(piece):
                if piece.lstrip("+-−").startswith("0") and len(piece.lstrip("+-−")) > 1 and "." not in piece:
                    break  # a leading zero only grows longer
                continue
            v = _to_number(piece.replace("−", "-").lstrip("+"))
            if v is None:
                continue
            rec(end, k - 1, [*acc, v])

    rec(0, n, [])
    return out
