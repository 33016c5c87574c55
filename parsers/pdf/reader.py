"""PDF reports: pdfplumber text and ruled tables into ``Line``s, then the shared assembler.

``pdf_to_lines`` produces narrative paragraphs (one Fragment each, in reading order, headings on
their own line) and one structured Line per table row (one Fragment per printed cell, blanks kept,
merged-cell continuations not repeated). Every Fragment carries the page and bounding box it was
read from, so a failing cell can be cropped from the page (``parsers.pdf.crop``).

Files that cannot be read raise ``ParseError`` (corrupt, encrypted with a password, too many pages,
too slow). Pages whose text cannot be trusted (image scans, fonts without a ToUnicode map) are read
by OCR (``parsers.pdf.ocr.reader``) when tesseract is installed, every such cell flagged ``ocr`` with a
confidence below 1; without OCR the report's tables are ``unreadable`` with the reason, never numbers.

Borderless tables are rebuilt from word positions (``parsers.pdf.borderless``). A ruled row broken
across a page (its wrapped label split, its numbers on one of the two parts) is joined back into one
row (``join_split_row``); so is a borderless row whose label part ends one page with every cell blank
and whose numbers start the next (``join_borderless_split``), or, when the parts cannot be tied, that
row is left unread (its label alone, so it is reported incomplete, with a note), never read as blanks.
"""

from __future__ import annotations

import functools
import io
import os
import time
from dataclasses import dataclass, field, replace
from typing import Any

from parsers.assemble import lines_to_reports
from parsers.lines import Fragment, Line, parse_number
from parsers.model import UNREADABLE, ParseError, ParseNote, Provenance, Report
from parsers.pdf.borderless import BorderlessRow, split_words
from parsers.pdf.layout_text import MARK, row_label_kind
from parsers.pdf.ocr.reader import line_chars, ocr_available, ocr_pages, reread_rows, with_confidence
from parsers.pdf.page_tables import borderless_tables
from parsers.pdf.tables import PdfCell, PdfTable, cell_text, find_ruled_tables
from parsers.pdf.text import (
    Paragraph,
    TextLine,
    body_margins,
    fragment_text,
    is_page_furniture,
    join_wrapped,
    lines_to_paragraphs,
)


@dataclass(frozen=True, slots=True)
class PdfSettings:
    """Limits and options of the PDF reader."""

    max_pages: int = 400
    max_seconds: float = 120.0
    max_bytes: int = 200 * 1024 * 1024
    # Share of characters that may be "(cid:N)" glyph ids before the text is declared unreadable.
    max_cid_share: float = 0.01
    # Fewer non-blank characters per page than this (on average) means there is no text layer.
    min_chars_per_page: float = 20.0
    # OCR of pages without a text layer when tesseract is installed; NIANBAO_PDF_OCR=0 turns it off.
    ocr: bool = field(default_factory=lambda: os.environ.get("NIANBAO_PDF_OCR", "1").strip().lower()
                      not in ("0", "false", "no", "off"))
    ocr_lang: str = "chi_sim"
    ocr_dpi: int = 300

    def __post_init__(self) -> None:
        if self.max_pages < 1 or self.max_seconds <= 0 or self.max_bytes < 1:
            raise ValueError("PdfSettings limits must be positive")
        if not 0 <= self.max_cid_share <= 1:
            raise ValueError("max_cid_share must be between 0 and 1")


DEFAULT_SETTINGS = PdfSettings()


@dataclass(slots=True)
class PdfExtraction:
    lines: list[Line]
    pages: int
    unreadable: str | None = None  # reason the text layer cannot be trusted
    ocr: bool = False  # some lines come from OCR
    ocr_pages: set[int] = field(default_factory=set)  # 1-based pages read by OCR
    notes: list[str] = field(default_factory=list)


class _Deadline:
    def __init__(self, source: str, seconds: float):
        self.source = source
        self.seconds = seconds
        self.t0 = time.monotonic()

    def check(self, where: str) -> None:
        if time.monotonic() - self.t0 > self.seconds:
            raise ParseError(self.source, f"PDF took longer than the {self.seconds:g} s limit ({where})")


# ------------------------------------------------------------------ public API
def pdf_to_lines(data: bytes, source: str, settings: PdfSettings = DEFAULT_SETTINGS) -> list[Line]:
    """The Lines of a PDF report (empty when its text layer is unreadable)."""
    return extract_pdf(data, source, settings).lines


def parse_pdf(data: bytes, source: str, settings: PdfSettings = DEFAULT_SETTINGS) -> list[Report]:
    """Parse a PDF into reports. Raises ParseError for files that cannot be opened or read at all."""

    ex = extract_pdf(data, source, settings)
    if ex.unreadable and not ex.lines:
        return [unreadable_report(source, ex.unreadable)]
    reports = lines_to_reports(ex.lines, source, "pdf")
    for r in reports:
        r.notes.extend(ParseNote(code="pdf_note", message=m) for m in ex.notes)
    if ex.ocr:
        reports = [_mark_ocr(r, ex.ocr_pages, ex.unreadable or "scanned pages") for r in reports]
    return reports


def unreadable_report(source: str, reason: str) -> Report:
    """A report whose three tables are ``unreadable`` with ``reason``: it can never pass a rule."""
    rep = Report(source=source, source_kind="pdf")
    for t in (rep.table2, rep.table3, rep.table4):
        t.status = UNREADABLE
        t.reason = reason
    rep.notes.append(ParseNote(code="pdf_unreadable", message=reason))
    return rep


def _mark_ocr(rep: Report, pages: set[int], why: str) -> Report:
    """Flag every cell read from an OCR'd page (and every cell without a page) as low-confidence OCR."""
    def fix(c: Any) -> Any:
        if c.prov is not None and c.prov.page is not None and c.prov.page not in pages:
            return c
        prov = c.prov
        if prov is not None and (prov.confidence is None or prov.confidence >= 1):
            prov = replace(prov, confidence=0.5)
        return replace(c, flags=c.flags | {"ocr"}, prov=prov)

    for row in [*rep.table3.rows.values(), *rep.table3.extra_rows]:
        row.cells = {k: fix(c) for k, c in row.cells.items()}
    rep.table4.cells = {k: fix(c) for k, c in rep.table4.cells.items()}
    rep.table2.rows = {r: {k: fix(c) for k, c in cols.items()} for r, cols in rep.table2.rows.items()}
    rep.table2.extra_rows = {r: {k: fix(c) for k, c in cols.items()} for r, cols in rep.table2.extra_rows.items()}
    pg = ", ".join(str(p) for p in sorted(pages))
    rep.notes.append(ParseNote(code="ocr", message=f"pages {pg} read by OCR ({why}); their cells are "
                               "low-confidence and flagged 'ocr'"))
    return rep


# ------------------------------------------------------------------ extraction
def _no_debug(*args: Any, **kw: Any) -> None:
    return None


@functools.cache
def load_pdfplumber() -> Any:
    """pdfplumber, with pdfminer's debug logging turned into a no-op unless pdfminer logs at DEBUG:
    its tokenizer and interpreter call ``log.debug`` some 30,000 times a page, ~10 % of a PDF's
    parsing when every call is discarded."""
    import logging
    import sys

    import pdfplumber

    if not logging.getLogger("pdfminer").isEnabledFor(logging.DEBUG):
        for name, module in list(sys.modules.items()):
            log = getattr(module, "log", None) if name.startswith("pdfminer.") else None
            if isinstance(log, logging.Logger):
                log.debug = _no_debug  # type: ignore[method-assign]
    return pdfplumber


def extract_pdf(data: bytes, source: str, settings: PdfSettings = DEFAULT_SETTINGS) -> PdfExtraction:
    """Open the PDF within the limits and turn its pages into Lines."""
    pdfplumber = load_pdfplumber()

    if len(data) > settings.max_bytes:
        raise ParseError(source, f"PDF is {len(data) / 1e6:.0f} MB, over the {settings.max_bytes / 1e6:.0f} MB limit")
    deadline = _Deadline(source, settings.max_seconds)
    try:
        pdf = pdfplumber.open(io.BytesIO(data), password="")
    except Exception as e:  # pdfplumber wraps pdfminer's many error types in PdfminerException
        raise ParseError(source, _open_error(e)) from e
    try:
        try:
            n = len(pdf.pages)
        except Exception as e:
            raise ParseError(source, f"PDF page tree is damaged ({type(e).__name__}: {e})") from e
        if n == 0:
            raise ParseError(source, "PDF has no pages")
        if n > settings.max_pages:
            raise ParseError(source, f"PDF has {n} pages, over the {settings.max_pages}-page limit")
        return _extract_pages(pdf, n, source, settings, deadline, data)
    finally:
        pdf.close()


def _open_error(e: BaseException) -> str:
    """A clear reason for a PDF that does not open, looking through pdfplumber's wrapper."""
    from pdfminer.pdfdocument import PDFEncryptionError, PDFPasswordIncorrect

    chain: list[BaseException] = []
    cur: BaseException | None = e
    while cur is not None and len(chain) < 5:
        chain.append(cur)
        inner = cur.args[0] if cur.args and isinstance(cur.args[0], BaseException) else None
        cur = inner or cur.__cause__ or cur.__context__
    if any(isinstance(x, PDFPasswordIncorrect) for x in chain):
        return "PDF is encrypted and needs a password to open"
    if any(isinstance(x, PDFEncryptionError) for x in chain):
        return f"PDF uses an unsupported encryption ({chain[-1]})"
    last = chain[-1]
    return f"PDF is damaged or not a PDF ({type(last).__name__}: {last})"


@dataclass(slots=True)
class _PageContent:
    page: int
    height: float
    text_lines: list[TextLine]
    tables: list[PdfTable]
    rows: list[BorderlessRow] = field(default_factory=list)


def _extract_pages(pdf: Any, n: int, source: str, settings: PdfSettings, deadline: _Deadline,
                   data: bytes) -> PdfExtraction:
    contents: list[_PageContent] = []
    total_chars = 0
    cid_chars = 0
    pua_chars = 0
    textless: list[int] = []  # 0-based pages with images and (almost) no text: scanned pages
    carry: list[tuple[float, float]] | None = None  # columns of a borderless table running on
    for i in range(n):
        deadline.check(f"page {i + 1} of {n}")
        try:
            page = pdf.pages[i]
            chars = [c for c in page.chars if not c["text"].isspace()]
            if len(chars) < settings.min_chars_per_page and page.images:
                textless.append(i)
        except ParseError:
            raise
        except Exception as e:
            raise ParseError(source, f"PDF page {i + 1} is damaged ({type(e).__name__}: {e})") from e
        total_chars += len(chars)
        cid_chars += sum(1 for c in chars if c["text"].startswith("(cid:"))
        pua_chars += sum(1 for c in chars if len(c["text"]) == 1 and 0xE000 <= ord(c["text"]) <= 0xF8FF)
        try:
            tables = find_ruled_tables(page, i + 1)
            lines, rows, carry = borderless_tables(_text_lines(float(page.height), i + 1, tables, chars), carry)
        except Exception as e:
            raise ParseError(source, f"PDF page {i + 1} could not be read ({type(e).__name__}: {e})") from e
        contents.append(_PageContent(i + 1, float(page.height), lines, tables, rows))
        page.close()
    reason = _unreadable_reason(total_chars, cid_chars, pua_chars, n, settings)
    targets = list(range(n)) if reason else textless
    notes: list[str] = []
    if targets:
        why = _ocr_unavailable(settings)
        if why is None:
            return _ocr_extraction(data, source, settings, deadline, contents, targets, reason)
        if reason:
            return PdfExtraction(lines=[], pages=n, unreadable=f"{reason}; {why}")
        notes.append(f"pages {', '.join(str(i + 1) for i in targets)} have no text layer (scanned); {why}")
    lines = contents_to_lines(contents, notes)
    return PdfExtraction(lines=lines, pages=n, notes=notes)


def _ocr_unavailable(settings: PdfSettings) -> str | None:
    """Why OCR cannot run, or None when it can."""

    if not settings.ocr:
        return "OCR is turned off (NIANBAO_PDF_OCR=0)"
    if not ocr_available(settings.ocr_lang):
        return (f"OCR not available (the tesseract binary with {settings.ocr_lang} and eng data is not installed: "
                "apt-get install tesseract-ocr tesseract-ocr-chi-sim)")
    return None


def _ocr_extraction(data: bytes, source: str, settings: PdfSettings, deadline: _Deadline,
                    contents: list[_PageContent], targets: list[int], reason: str | None) -> PdfExtraction:
    """Replace the given pages' content by what tesseract reads on their images."""

    left = max(1.0, settings.max_seconds - (time.monotonic() - deadline.t0))
    read = ocr_pages(data, targets, source, settings.ocr_lang, settings.ocr_dpi, deadline.check, left)
    carry: list[tuple[float, float]] | None = None
    for i in targets:
        chars = line_chars(read[i].words)
        pc = contents[i]
        lines, rows, carry = borderless_tables(_text_lines(pc.height, i + 1, read[i].tables, chars), carry)
        contents[i] = _PageContent(i + 1, pc.height, lines, read[i].tables, rows)
    rows_by_page = {i: contents[i].rows for i in targets if contents[i].rows}
    n_again = n_again_bad = 0
    if rows_by_page:  # borderless value cells: read again one by one from the page image
        left = max(1.0, settings.max_seconds - (time.monotonic() - deadline.t0))
        again, n_again, n_again_bad = reread_rows(data, rows_by_page, source, settings.ocr_lang,
                                                   settings.ocr_dpi, left)
        for i, rows in again.items():
            contents[i].rows = rows
    split_notes: list[str] = []
    lines = with_confidence(contents_to_lines(contents, split_notes), read)
    n_words = sum(len(r.words) for r in read.values())
    n_cells = sum(r.cells for r in read.values()) + n_again
    if not n_words and not n_cells:
        return PdfExtraction(lines=[], pages=len(contents),
                             unreadable=f"{reason or 'scanned pages'}; OCR found no text on the page images")
    bad = sum(r.unreadable for r in read.values()) + n_again_bad
    return PdfExtraction(lines=lines, pages=len(contents), unreadable=reason, ocr=True,
                         ocr_pages={i + 1 for i in targets},
                         notes=[f"OCR of pages {', '.join(str(i + 1) for i in targets)}: {n_words} words, "
                                f"{n_cells} table cells read one by one, {bad} numbers unreadable "
                                "(left out, not guessed)", *split_notes])


def _unreadable_reason(total: int, cid: int, pua: int, pages: int, s: PdfSettings) -> str | None:
    if total < s.min_chars_per_page * pages and total - cid < 200:
        return ("PDF has no text layer (image-only scan or outlined text); "
                "its tables cannot be read without OCR")
    if cid > max(0, s.max_cid_share * total):
        return (f"PDF fonts have no ToUnicode map: {cid} of {total} characters extract as (cid:N) glyph ids, "
                "so numbers and labels cannot be read")
    if pua > 0.05 * total:
        return f"PDF text uses private-use code points ({pua} of {total} characters); it cannot be read"
    return None


def _inside_any(c: dict[str, Any], boxes: list[tuple[float, float, float, float]]) -> bool:
    cx = (c["x0"] + c["x1"]) / 2
    cy = (c["top"] + c["bottom"]) / 2
    return any(b[0] - 1 <= cx <= b[2] + 1 and b[1] - 1 <= cy <= b[3] + 1 for b in boxes)


def _segments(chars: list[dict[str, Any]]) -> tuple[tuple[str, tuple[float, float, float, float]], ...]:
    """Split a printed line where the gap between characters is wider than two characters.

    Justified prose never has such gaps; the columns of a borderless table do. Numbers and CJK
    words stay whole, unlike pdfplumber's text strategy.
    """

    cs = sorted(chars, key=lambda c: c["x0"])
    groups: list[list[dict[str, Any]]] = [[cs[0]]]
    for c in cs[1:]:
        if c["x0"] - groups[-1][-1]["x1"] > 2.0 * max(c["size"], 1.0):
            groups.append([c])
        else:
            groups[-1].append(c)
    return tuple((cell_text(g), (min(c["x0"] for c in g), min(c["top"] for c in g), max(c["x1"] for c in g),
                                 max(c["bottom"] for c in g))) for g in groups)


def _text_lines(height: float, page_no: int, tables: list[PdfTable], chars: list[dict[str, Any]]) -> list[TextLine]:
    """Running-text lines outside the tables, top to bottom, without page numbers."""
    from pdfplumber.utils import cluster_objects

    boxes = [t.bbox for t in tables]
    free = [c for c in chars if not _inside_any(c, boxes) and c.get("upright", True)]
    out: list[TextLine] = []
    clusters = cluster_objects(free, lambda c: (c["top"] + c["bottom"]) / 2, 2.5)

    for cl in clusters:
        text = cell_text(cl)
        if not text:
            continue
        tl = TextLine(text=text, x0=min(c["x0"] for c in cl), top=min(c["top"] for c in cl),
                      x1=max(c["x1"] for c in cl), bottom=max(c["bottom"] for c in cl),
                      size=max(c["size"] for c in cl), page=page_no, segments=_segments(cl),
                      words=split_words(cl))
        out.append(tl)
    out.sort(key=lambda t: (t.top, t.x0))
    return [t for t in out if not (is_page_furniture(t.text) and (t.top > 0.85 * height or t.bottom < 0.15 * height))]


# ------------------------------------------------------------------ reading order
def contents_to_lines(contents: list[_PageContent], notes: list[str] | None = None) -> list[Line]:
    """Paragraphs and table rows of every page, in reading order. ``notes`` collects what could not be
    read (a borderless row broken across a page that cannot be joined back)."""
    all_text = [tl for pc in contents for tl in pc.text_lines]
    margins = body_margins(all_text)
    # Interleave text lines and tables by position; remember which text lines follow a table.
    items: list[tuple[int, float, int, Any]] = []  # (page, top, kind 0=text 1=table 2=row, obj)
    for pc in contents:
        items.extend((pc.page, tl.top, 0, tl) for tl in pc.text_lines)
        items.extend((pc.page, t.bbox[1], 1, t) for t in pc.tables)
        items.extend((pc.page, r.top, 2, r) for r in pc.rows)
    items.sort(key=lambda x: (x[0], x[1], x[2]))
    out: list[Line] = []
    pending: list[TextLine] = []
    table_idx = -1
    header: list[tuple[str, ...]] = []
    last_table: PdfTable | None = None
    last_block: tuple[int, int] | None = None  # (page, block) of the borderless row just emitted
    text_since_table = True

    def flush() -> None:
        if pending:
            for para in lines_to_paragraphs(pending, margins, set()):
                out.append(_paragraph_line(para))
            pending.clear()

    for page, _top, kind, obj in items:
        if kind == 2:
            flush()
            block = (page, obj.block)
            # a block continues the table above when nothing but page furniture came in between
            continues = last_block is not None and (block == last_block or (
                not text_since_table and page == last_block[0] + 1))
            if not continues:
                table_idx += 1
            line = _borderless_line(obj, page, table_idx)
            prev = out[-1] if out and out[-1].structured and out[-1].table == table_idx else None
            if continues and prev is not None and page == last_block[0] + 1 and _line_page(prev) == page - 1:
                joined, unread = join_borderless_split(prev, line)
                if joined is not None:
                    out[-1] = joined
                    last_block = block
                    continue
                if unread is not None:
                    out[-1] = unread
                    if notes is not None:
                        notes.append(f"table row {prev.cells[_label_at(prev.cells) or 0].raw!r} at the foot of "
                                     f"page {page - 1} prints no number there and the numbers at the top of "
                                     f"page {page} cannot be tied to it; the row is left unread")
            out.append(line)
            last_block = block
            last_table = None
            text_since_table = False
            continue
        if kind == 0:
            if is_page_furniture(obj.text):
                continue
            pending.append(obj)
            text_since_table = True
            last_block = None
            continue
        last_block = None
        flush()
        t: PdfTable = obj
        continues = (last_table is not None and not text_since_table and page == last_table.page + 1)
        if not continues:
            table_idx += 1
            header = _header_rows(t)
        else:
            t = _drop_repeated_header(t, header)
        rows = _table_lines(t, table_idx, continuation=continues)
        if continues and rows and out and out[-1].structured and out[-1].table == table_idx:
            joined = join_split_row(out[-1], rows[0])
            if joined is not None:
                out[-1] = joined
                rows = rows[1:]
        out.extend(rows)
        last_table = t
        text_since_table = False
    flush()
    return out


def _borderless_line(row: BorderlessRow, page: int, table_idx: int) -> Line:
    frags = tuple(Fragment(text=fragment_text(t), raw=t, prov=Provenance(kind="pdf", table=table_idx, page=page,
                                                                         bbox=bb, confidence=None))
                  for t, bb in row.cells)
    return Line(cells=frags, structured=True, table=table_idx)


def _row_key(row: list[PdfCell]) -> tuple[str, ...]:
    return tuple(fragment_text(c.raw) for c in row)


def _header_rows(t: PdfTable) -> list[tuple[str, ...]]:
    """The leading rows of a table that hold no number: its header."""
    out = []
    for row in t.rows[:6]:
        if any(c.raw.strip() and parse_number(c.raw) is not None for c in row):
            break
        out.append(_row_key(row))
    return out


def _drop_repeated_header(t: PdfTable, header: list[tuple[str, ...]]) -> PdfTable:
    """A continuation that repeats the table's header rows: keep only the new rows."""
    n = 0
    while n < len(header) and n < len(t.rows) and _row_key(t.rows[n]) == header[n]:
        n += 1
    if n == 0:
        return t
    return PdfTable(page=t.page, bbox=t.bbox, rows=t.rows[n:], ruled=t.ruled)


def _same_column(a: Fragment, b: Fragment) -> bool:
    if a.prov.bbox is None or b.prov.bbox is None:
        return False
    return abs(a.prov.bbox[0] - b.prov.bbox[0]) <= 2 and abs(a.prov.bbox[2] - b.prov.bbox[2]) <= 2


def _label_at(cells: tuple[Fragment, ...]) -> int | None:
    """Index of the row label: the last cell holding text that is not a number."""
    idx = [i for i, c in enumerate(cells) if c.text and parse_number(c.raw) is None]
    return idx[-1] if idx else None


def join_split_row(prev: Line, cont: Line) -> Line | None:
    """One row of a ruled table broken across a page (Word lets rows break): the first lines of its
    wrapped label at the foot of one page, the rest at the top of the next, and its numbers on one of
    the two parts, the other part's cells empty. Both parts as one row, or None when ``cont`` is not
    the rest of ``prev``.

    Joined only when every cell at the top of the page lines up with a cell of the row above it, at
    most one part prints any number, the label text at the top of the page carries no numbering mark
    and is no row label of its own, and the two pieces of the row label together are a recognised row
    label. A group label cell broken with the row (its text running on) is joined the same way; the
    running-on text of a group label begun rows above is left out. Anything else stays as printed."""
    pl, cl = _label_at(prev.cells), _label_at(cont.cells)
    if pl is None or cl is None:
        return None
    match: dict[int, int] = {}  # cont cell -> prev cell in the same column
    for j, c in enumerate(cont.cells):
        i = next((i for i, p in enumerate(prev.cells) if _same_column(p, c)), None)
        if i is None:
            if c.text and (j >= cl or parse_number(c.raw) is not None):
                return None
            continue  # an empty box, or a group label begun rows above running on: not this row's
        match[j] = i
    if match.get(cl) != pl or len(prev.cells) - pl != len(cont.cells) - cl:
        return None
    if any(match.get(cl + k) != pl + k for k in range(1, len(cont.cells) - cl)):
        return None
    piece = cont.cells[cl]
    if MARK.match(piece.text) or row_label_kind(piece.raw):
        return None
    pv, cv = prev.cells[pl + 1:], cont.cells[cl + 1:]
    if not pv or (any(c.text for c in pv) and any(c.text for c in cv)):
        return None  # numbers on both parts: two rows
    cells = list(prev.cells)
    for j, i in match.items():
        c = cont.cells[j]
        if j > cl or not c.text:
            continue
        if parse_number(c.raw) is not None or parse_number(cells[i].raw) is not None:
            return None
        raw = join_wrapped([cells[i].raw, c.raw])
        cells[i] = Fragment(text=fragment_text(raw), raw=raw, prov=cells[i].prov)
    if row_label_kind(cells[pl].raw) not in ("row", "other"):
        return None
    if any(c.text for c in cv):
        cells[pl + 1:] = cv
    return Line(cells=tuple(cells), structured=True, table=prev.table)


def _line_page(line: Line) -> int | None:
    return line.cells[-1].prov.page if line.cells else None


def _x_span(f: Fragment) -> tuple[float, float] | None:
    return (f.prov.bbox[0], f.prov.bbox[2]) if f.prov.bbox is not None else None


def _gap(x: float, span: tuple[float, float]) -> float:
    return max(span[0] - x, x - span[1], 0.0)


def join_borderless_split(prev: Line, cont: Line) -> tuple[Line | None, Line | None]:
    """One row of a borderless table broken across a page with its numbers below the break: at the foot
    of one page its label (or the first lines of it) with every cell blank, at the top of the next its
    numbers, alone or beside the rest of the label (or the rest of the label with every cell blank:
    a row printed blank, broken across the page). Returns ``(joined, None)`` when the two parts are
    one row; ``(None, unread)`` when the parts look like one broken row but cannot be tied together
    (``unread``: ``prev`` with its label only, so the row is reported incomplete rather than read as
    blanks); ``(None, None)`` when ``cont`` is a row of its own and ``prev`` stays as printed.

    ``cont`` continues ``prev`` only when it carries a number (or the rest of the label), no label of its own (no numbering mark,
    no recognised row label: nothing else claims its numbers) and no label cell but the rest of
    ``prev``'s label. Joined when, besides, it has one cell per column of ``prev`` and each lines up
    (its centre inside that column, nearer to it than to any other), the label piece sits in ``prev``'s
    label column, and the whole label is a recognised row label."""
    pl = _label_at(prev.cells)
    if pl is None:
        return None, None
    pv = prev.cells[pl + 1:]
    if not pv or any(c.text for c in pv):
        return None, None  # prev prints numbers (or nothing after its label): a row of its own
    cl = _label_at(cont.cells)
    labels = [i for i, c in enumerate(cont.cells) if c.text and parse_number(c.raw) is None]
    values = cont.cells[cl + 1:] if cl is not None else cont.cells
    numbers = any(c.text and parse_number(c.raw) is not None for c in values)
    piece = cont.cells[cl] if cl is not None else None
    if piece is not None and (MARK.match(piece.text) or row_label_kind(piece.raw)):
        return None, None  # a row label of its own: its numbers are its own
    if not numbers and (piece is None or any(c.text for c in values)):
        return None, None
    # numbers below the break and the parts cannot be tied: the row is not read (never as blanks);
    # a label broken across the page with no number on either part stays as printed
    unread = Line(cells=prev.cells[:pl + 1], structured=True, table=prev.table) if numbers else None
    if len(labels) > 1 or len(values) != len(pv):
        return None, unread
    spans = [_x_span(c) for c in pv]
    if any(s is None for s in spans):
        return None, unread
    for j, c in enumerate(values):
        s = _x_span(c)
        if s is None:
            return None, unread
        cx = (s[0] + s[1]) / 2
        gaps = [_gap(cx, sp) for sp in spans if sp is not None]
        if gaps[j] > 1.0 or any(g <= gaps[j] for k, g in enumerate(gaps) if k != j):
            return None, unread
    cells = list(prev.cells)
    if piece is not None:
        ls, ps = _x_span(prev.cells[pl]), _x_span(piece)
        if ls is None or ps is None or (abs(ls[0] - ps[0]) > 2 and abs((ls[0] + ls[1]) - (ps[0] + ps[1])) > 4):
            return None, unread
        if any(_x_span(c) is not None and _overlap(_x_span(c), ps) > 0 for c in prev.cells[:pl]):
            return None, unread  # the piece reaches into a group label's column
        raw = join_wrapped([prev.cells[pl].raw, piece.raw])
        cells[pl] = Fragment(text=fragment_text(raw), raw=raw, prov=prev.cells[pl].prov)
    if row_label_kind(cells[pl].raw) not in ("row", "other"):
        return None, unread
    cells[pl + 1:] = values
    return Line(cells=tuple(cells), structured=True, table=prev.table), None


def _overlap(a: tuple[float, float] | None, b: tuple[float, float]) -> float:
    return 0.0 if a is None else min(a[1], b[1]) - max(a[0], b[0])


def _paragraph_line(para: Paragraph) -> Line:
    raw = para.raw
    prov = Provenance(kind="pdf", page=para.page, bbox=para.bbox())
    return Line(cells=(Fragment(text=fragment_text(raw), raw=raw, prov=prov),), structured=False)


def _data_x0(t: PdfTable) -> float | None:
    """Left edge of the number columns: the leftmost cell holding a number."""
    xs = [c.bbox[0] for row in t.rows for c in row if c.raw.strip() and parse_number(c.raw) is not None]
    return min(xs) if xs else None


def _table_lines(t: PdfTable, table_idx: int, continuation: bool) -> list[Line]:
    lines: list[Line] = []
    data_x0 = _data_x0(t)
    for ri, row in enumerate(t.rows):
        cells = list(row)
        if continuation and ri == 0:
            # A merged label cell cut by the page break prints as an empty box at the top of the
            # next page: it continues the span above, it is not a printed blank.
            while cells and not cells[0].raw.strip() and cells[0].rowspan > 1:
                cells.pop(0)
        if data_x0 is not None:
            # An empty box after a label, still among the label columns (e.g. "（六）其他处理"
            # printed as one row of a three-level label area), is layout, not a value.
            kept: list[PdfCell] = []
            for c in cells:
                after_label = any(k.raw.strip() and parse_number(k.raw) is None for k in kept)
                if c.raw.strip() or not after_label or c.bbox[2] > data_x0 + 1:
                    kept.append(c)
            cells = kept
        if len(cells) < 2 and not any(c.raw.strip() for c in cells):
            continue  # an empty box (a span cut by a page break, a spacer), not a row of values
        frags = tuple(
            Fragment(text=fragment_text(c.raw), raw=c.raw,
                     prov=Provenance(kind="pdf", table=table_idx, row=c.row, col=c.col, page=t.page,
                                     bbox=c.bbox, confidence=c.confidence))
            for c in cells
        )
        lines.append(Line(cells=frags, structured=True, table=table_idx))
    return lines
