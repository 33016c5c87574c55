"""Turn a document's lines into canonical reports.

``lines_to_reports`` splits a document holding several reports, then for each report finds the
title (body and year), the six sections, the regions of tables 二/三/四, reads the tables and decides
the format generation from the tables' own signals and the year.
"""

from __future__ import annotations

import itertools
import re
from collections import Counter
from dataclasses import dataclass

from parsers.flat import explode_lines
from parsers.labels import is_note, match_section, match_t3, t2_item
from parsers.layout import GEN_2019, GEN_2021, GEN_PRE2019, GEN_UNKNOWN
from parsers.lines import Fragment, Line, normalize_text
from parsers.meta import split_meta
from parsers.model import MISSING, PRESENT, UNREADABLE, ParseError, ParseNote, Report, Section
from parsers.narrative import narrow_readings
from parsers.prose import read_prose
from parsers.read_t2 import read_table2
from parsers.read_t3 import read_table3
from parsers.read_t4 import read_table4

_TITLE = re.compile(
    r"(?P<year>(?:19|20)\d{2})年(?:度)?(?P<mid>.{0,14}?)(?:政府)?(?:信息公开|政务公开)(?:工作)?(?:年度)?(?:报告|年报)"
)
_CHROME = re.compile(r"^(?:【[^】]*】|\[[^\]]*\]|字号[::]?|大中小|当前位置.*|首页|正文|打印|关闭)+")
_ORG_SUFFIX = re.compile(
    r"(?:人民政府办公室|人民政府办公厅|人民政府|政府办公室|办公室|办公厅|街道办事处|街道|管委会|委员会|"
    r"[局厅委办署院镇乡所站队处中心馆会])$"
)
_COMMENT_LINE = re.compile(r"^\s*(?://|<!--|#(?!#)\s|>|-->|\*\s)")
_BODY_TAIL = re.compile(r"(?:关于(?:报送|印发|公布|发布)?|的)$")
_DATE_LINE = re.compile(r"^(?:19|20)\d{2}年\d{1,2}月\d{1,2}日$")
_YEAR = re.compile(r"((?:19|20)\d{2})年")
_PERIOD = re.compile(r"((?:19|20)\d{2})年1月1日")
_SUBJECT = re.compile(
    r"(?:^|[,，。:：\s])([\u4e00-\u9fff]{2,16}?(?:人民政府办公室|人民政府|政府办公室|街道办事处|"
    r"[局委镇乡]))(?:高度重视|认真|按照|坚持|始终|严格|积极|紧紧|全面|深入|共|以|进一步|围绕|切实|不断|持续)"
)


@dataclass(slots=True)
class _Regions:
    t2: tuple[int, int] | None = None
    t3: tuple[int, int] | None = None
    t4: tuple[int, int] | None = None


def _clean(lines: list[Line]) -> list[Line]:
    return [ln for ln in lines if any(c.text for c in ln.cells) or ln.structured]


def _squash(text: str) -> str:
    return re.sub(r"\s+", "", text)


def _title_at(lines: list[Line], i: int) -> tuple[re.Match[str], int] | None:
    """A report title on line i (possibly continued on line i+1). Returns the match and lines used."""
    if lines[i].structured:
        return None
    one = _squash(lines[i].text)
    if len(one) > 80:
        return None
    m = _TITLE.search(one)
    if m and m.start() <= 40:
        return m, 1
    if i + 1 < len(lines) and not lines[i + 1].structured:
        nxt = _squash(lines[i + 1].text)
        if _TITLE.search(nxt):
            return None  # the next line is a title on its own
        two = one + nxt
        if len(two) <= 90:
            m = _TITLE.search(two)
            if m and m.start() <= 40 and m.end() > len(one):
                return m, 2
    return None


def _heading(line: Line) -> tuple[str, int, str] | None:
    """A section heading: a paragraph, or a table row whose only non-empty cell is the heading."""
    if not line.structured:
        return match_section(line.first.text)
    texts = [c.text for c in line.cells if c.text]
    return match_section(texts[0]) if len(texts) == 1 else None


def split_reports(lines: list[Line]) -> list[list[Line]]:
    """Several reports in one file: a new report starts at a later 一、总体情况 (with its title and
    preamble just before it) once the current report has reached its later sections."""
    starts = [0]
    seen_late = False
    for i, ln in enumerate(lines):
        h = _heading(ln)
        if h is None:
            continue
        key = h[0]
        if key in ("review", "problems", "other"):
            seen_late = True
        elif key == "overview" and seen_late:
            start = i
            for j in range(i - 1, max(starts[-1], i - 10), -1):
                if _heading(lines[j]) is not None:
                    break
                if _title_at(lines, j):
                    start = j
                    if j > 0 and _is_org_line(lines[j - 1]) and _TITLE.match(_squash(lines[j].text)):
                        start = j - 1
                    break
            starts.append(start)
            seen_late = False
    bounds = [*starts, len(lines)]
    return [lines[a:b] for a, b in itertools.pairwise(bounds) if b > a]


def _strip_chrome(text: str) -> str:
    t = _squash(text)
    prev = None
    while prev != t:
        prev = t
        t = _CHROME.sub("", t)
    return t


def _is_org_line(line: Line) -> bool:
    if line.structured:
        return False
    t = _strip_chrome(line.text)
    return 2 <= len(t) <= 24 and bool(_ORG_SUFFIX.search(t)) and "。" not in t


def find_title(lines: list[Line]) -> tuple[str | None, int | None, str | None]:
    """(title, year, body) from the first lines of a report, before its first section."""
    limit = len(lines)
    for i, ln in enumerate(lines):
        if _heading(ln) is not None:
            limit = i
            break
    content = 0
    for i in range(limit):
        if _COMMENT_LINE.match(lines[i].text):
            continue  # converter comments and markup above the title do not count
        content += 1
        if content > 40:
            break
        r = _title_at(lines, i)
        if r is None:
            continue
        m, used = r
        text = "".join(_squash(lines[k].text) for k in range(i, i + used))
        body = _strip_chrome(text[: m.start()])
        mid = _strip_chrome(m.group("mid"))
        if not body and len(mid) >= 2 and not mid.startswith(("政府", "信息")):
            body = mid  # year first: "2019年上海市人民政府办公厅政府信息公开工作年度报告"
        if not body and i > 0 and _is_org_line(lines[i - 1]):
            body = _strip_chrome(lines[i - 1].text)
        title = _strip_chrome(text)
        body = _BODY_TAIL.sub("", body)  # "…管理局关于报送2020年度…的函"
        return title, int(m.group("year")), (body or None)
    return None, None, None


def infer_year(text: str) -> int | None:
    m = _PERIOD.search(text)
    if m:
        return int(m.group(1))
    m = _TITLE.search(_squash(text))
    if m:
        return int(m.group("year"))
    years = Counter(int(y) for y in _YEAR.findall(text) if 2000 <= int(y) <= 2040)
    if years:
        return years.most_common(1)[0][0]
    return None


def infer_body(lines: list[Line]) -> str | None:
    # a signature: an organisation name followed by a date, near the end
    tail = [ln for ln in lines[-30:] if not ln.structured]
    for a, b in itertools.pairwise(tail):
        if _DATE_LINE.match(_squash(b.text)) and _is_org_line(a):
            return _strip_chrome(a.text)
    head = " ".join(ln.text for ln in lines[:60] if not ln.structured)[:4000]
    m = _SUBJECT.search(head)
    return m.group(1) if m else None


def find_sections(lines: list[Line]) -> list[Section]:
    """The six sections in printed order (a section printed out of order is kept where it stands)."""
    heads: list[tuple[int, tuple[str, int, str]]] = []
    used: set[str] = set()
    for i, ln in enumerate(lines):
        h = _heading(ln)
        if h is None or h[0] in used:
            continue
        heads.append((i, h))
        used.add(h[0])
    sections: list[Section] = []
    for n, (i, (key, num, title)) in enumerate(heads):
        end = heads[n + 1][0] if n + 1 < len(heads) else len(lines)
        body = "\n".join(ln.text for ln in lines[i + 1:end] if not ln.structured and ln.text)
        prov = lines[i].first.prov
        sections.append(Section(key=key, number=num, title=title, text=body, line=prov.line))
    return sections


def find_regions(lines: list[Line]) -> _Regions:
    """Line ranges of the three tables, from section headings and the tables' own first lines."""
    n = len(lines)
    head_at: dict[str, int] = {}
    for i, ln in enumerate(lines):
        h = _heading(ln)
        if h is not None and h[0] not in head_at:
            head_at[h[0]] = i
    t2_start = next((i for i, ln in enumerate(lines) if any(t2_item(c.text) for c in ln.cells if c.text)), None)
    t3_start = None
    search_from = t2_start if t2_start is not None else 0
    for i in range(search_from, n):
        ln = lines[i]
        txt = ln.text
        if is_note(txt) or "申请人情况" in txt:
            t3_start = i
            break
        h = _heading(ln)
        if h is not None and h[0] == "requests" and t2_start is not None:
            t3_start = i
            break
    if t3_start is None and "requests" in head_at:
        # a requests section with table rows but no header
        i0 = head_at["requests"]
        for i in range(i0, min(n, i0 + 40)):
            if any(match_t3(c.text) for c in lines[i].cells if c.text):
                t3_start = i0
                break
    t4_start = None
    from_i = t3_start if t3_start is not None else (t2_start or 0)
    for i in range(from_i, n):
        h = _heading(lines[i])
        if h is not None and h[0] == "review":
            t4_start = i
            break
    end_at = n
    for key in ("problems", "other"):
        if key in head_at and (t4_start is None or head_at[key] > t4_start):
            end_at = min(end_at, head_at[key])
    r = _Regions()
    if t2_start is not None:
        r.t2 = (t2_start, t3_start if t3_start is not None else (t4_start or end_at))
    if t3_start is not None:
        r.t3 = (t3_start, t4_start if t4_start is not None else end_at)
    if t4_start is not None:
        r.t4 = (t4_start, end_at)
    return r


def _distrust_runs_beside_blanks(rep: Report) -> None:
    """A page that prints zeros as blank cells loses them when its cells run together: once table 三
    shows it (see read_t3), or a row of table 二 printed as a run has fewer digits than cells, the runs
    of the other tables cannot be split either. They are left unread, never read into wrong numbers."""
    t2_short = any(n.table == "table2" and n.code == "run_too_short" for n in rep.notes)
    if not (t2_short or any(n.code == "runs_with_blank_cells" for n in rep.notes)):
        return
    t4 = rep.table4
    if t4.readings or any("run_together" in c.flags for c in t4.cells.values()):
        t4.cells, t4.readings, t4.run, t4.incomplete = {}, (), None, True
        rep.notes.append(ParseNote("runs_with_blank_cells", "table 四 printed as a run of digits on a page that "
                                   "prints blank cells: not read", "table4"))
    t2 = rep.table2
    for key, cells in t2.rows.items():
        if key in t2.readings or any("run_together" in c.flags for c in cells.values()):
            t2.rows[key] = {}
            t2.readings.pop(key, None)
            rep.notes.append(ParseNote("runs_with_blank_cells", f"table 二 row {key} printed as a run of digits "
                                       "on a page that prints blank cells: not read", "table2", key))


_TABLE_WORDS = {
    "table2": ("第二十条第", "本年制发件数", "本年新制作数量", "处理决定数量"),
    "table3": ("本年新收政府信息公开申请", "上年结转政府信息公开申请", "结转下年度继续办理", "申请人情况"),
    "table4": ("结果维持", "尚未审结", "复议后起诉", "未经复议直接起诉"),
}


def _unverified_absence(rep: Report, lines: list[Line]) -> None:
    """A table is ``missing`` only when none of its own words is printed anywhere in the report; one
    whose words are there but that could not be read is ``unreadable`` (the reader's limit)."""
    text = ""
    for t, words in _TABLE_WORDS.items():
        table = getattr(rep, t)
        if table.status != MISSING:
            continue
        if not text:
            text = "".join(ln.text for ln in lines).replace(" ", "")
        found = next((w for w in words if w in text), None)
        if found:
            table.status = UNREADABLE
            table.reason = f"the table's words are printed ({found}) but no table could be read from them"


def decide_format(signals: dict[str, str], year: int | None, any_table: bool) -> str:
    weights = {"t2_headers": 2, "t2_item9": 1, "t3_other": 1}
    votes: Counter[str] = Counter()
    for k, w in weights.items():
        if k in signals:
            votes[signals[k]] += w
    if votes:
        top = votes.most_common()
        if len(top) == 1 or top[0][1] > top[1][1]:
            return top[0][0]
        if year is not None:
            return GEN_2019 if year <= 2020 else GEN_2021
        return top[0][0]
    if year is not None and year < 2019:
        return GEN_PRE2019
    if any_table and year is not None:
        return GEN_2019 if year <= 2020 else GEN_2021
    return GEN_UNKNOWN


def build_report(lines: list[Line], source: str, index: int, kind: str) -> Report:
    title, year, body = find_title(lines)
    all_text = "\n".join(ln.text for ln in lines if not ln.structured)
    if year is None:
        year = infer_year(all_text)
    if body is None:
        body = infer_body(lines)
    rep = Report(source=source, report_index=index, source_kind=kind, body=body, year=year, title=title)
    rep.sections = find_sections(lines)
    first = next((i for i, ln in enumerate(lines) if _heading(ln) is not None), len(lines))
    rep.preamble = "\n".join(ln.text for ln in lines[:first] if not ln.structured and ln.text)
    regions = find_regions(lines)
    year_gen = None if year is None else (GEN_2019 if year <= 2020 else GEN_2021) if year >= 2019 else GEN_PRE2019

    t2_lines = lines[regions.t2[0]:regions.t2[1]] if regions.t2 else []
    rep.table2, n2, sig2 = read_table2(t2_lines, year_gen, regions.t2 is not None)
    rep.notes.extend(n2)
    signals = dict(sig2)
    hint = signals.get("t2_headers") or signals.get("t2_item9") or year_gen

    t3_lines = lines[regions.t3[0]:regions.t3[1]] if regions.t3 else []
    rep.table3, n3 = read_table3(t3_lines, hint, regions.t3 is not None)
    rep.notes.extend(n3)
    t3_keys = set(rep.table3.rows)
    if t3_keys & {"R_OTHER_1", "R_OTHER_2", "R_OTHER_3"}:
        signals["t3_other"] = GEN_2021
    elif "R_OTHER" in t3_keys:
        signals["t3_other"] = GEN_2019

    t4_lines = lines[regions.t4[0]:regions.t4[1]] if regions.t4 else []
    rep.table4, n4 = read_table4(t4_lines)
    rep.notes.extend(n4)

    _distrust_runs_beside_blanks(rep)
    narrow_readings(rep)
    _unverified_absence(rep, lines)
    if year_gen is not None:
        signals["year"] = year_gen
    any_table = PRESENT in (rep.table2.status, rep.table3.status, rep.table4.status)
    rep.format = decide_format(signals, year, any_table)
    rep.format_signals = signals
    if rep.format == GEN_PRE2019:
        for t in (rep.table2, rep.table3, rep.table4):
            if t.status == MISSING:
                t.reason = "no statutory table: a pre-2019 narrative report"
    read_prose(rep)
    return rep


def _looks_like_report(rep: Report) -> bool:
    """A report title, a statutory table (read or not) or the statutory headings make a report."""
    if any(t.status != MISSING for t in (rep.table2, rep.table3, rep.table4)):
        return True
    if rep.title is not None:
        return True
    return len({s.key for s in rep.sections}) >= 2


def lines_to_reports(lines: list[Line], source: str, kind: str) -> list[Report]:
    """Canonical reports from a document's lines; ParseError if no report is found in them."""
    lines = _clean(lines)
    if not lines:
        raise ParseError(source, "no text found in the document")
    lines, meta = split_meta(lines)
    lines = explode_lines(lines)
    if meta.get("title") and lines:
        title, _, _ = find_title(lines)
        if title is None:  # the article prints no title of its own: the page's title stands in
            prov = lines[0].first.prov
            lines = [Line((Fragment(normalize_text(meta["title"]), meta["title"], prov),)), *lines]
    reports = [build_report(seg, source, i, kind) for i, seg in enumerate(split_reports(lines))]
    for r in reports:
        r.meta = dict(meta)
    reports = [r for r in reports if _looks_like_report(r)]
    if not reports:
        raise ParseError(source, "not an annual report on government information disclosure "
                         "(no statutory tables, report title or section headings found)")
    for i, r in enumerate(reports):
        r.report_index = i
    return reports

