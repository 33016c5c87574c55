"""Crawler page text: a whole article on one line, the tables flattened into the running text.

Crawlers store an article's text with every table cell concatenated and no separator: labels run
into their digits, digits into the next label, and the next label's ordinal sticks to the digits
(``…属于国家秘密00000002.其他法律行政法规禁止公开0000000…``). ``explode_lines`` turns such a paragraph
back into the ``Line``s the table readers understand: section headings on their own lines, and in
the table zones one line per label with the run of digits that follows it as one value fragment.
The run is split into cells later (``parsers.lines.split_run``), where every split is kept as a
reading; nothing here decides how many numbers a run holds.
"""

from __future__ import annotations

import re

from parsers.labels import match_section
from parsers.lines import Fragment, Line, normalize_text
from parsers.model import Provenance

_MIN_LEN = 120
_MIN_TABLE_LEN = 30
_TABLE_START = re.compile(r"第二十条第|勾稽|钩稽|申请人情况|本年新收政府信息公开申请|结果维持\s*结果纠正")
_SECTION_START = re.compile(r"(?<![一二三四五六七八九十])([一二三四五六])、")
_HEAD_END = re.compile(r"(?:情况|事项|措施|举措|问题|计划|方向|说明)")
_HEAD_STOP = re.compile(r"[，,。;；:：!！?？(（\d]")
# a run of table numbers: digits with stray spaces, signs, decimal points, a unit after it
_NUM = re.compile(r"[+\-−]?\d(?:[\d .\-−+]*\d)?(?:万元|元)?")
_PROSE_NUM_AFTER = re.compile(r"^(?:年|月|日|件|条|个|次|人|项|余|多|%|％|篇|期|批|万|亿|家|名|起|份|天|小时)")
_ORDINAL_AFTER = re.compile(r"^[.、．][\u4e00-\u9fff]")
_YEAR_TAIL = re.compile(r"(?:19|20)\d\d$")
# where a label starts inside a run of label text
_MARK = re.compile(r"第二十条第\(?[一二三四五六七八九十]+\)?项|\([一二三四五六七八九十]+\)|[一二三四五六七八九十]、|\d[.、]|信息内容")
_T2_LABEL = re.compile(r"行政规范性文件|规范性文件|规章|行政许可|其他对外管理服务事项|行政处罚|行政强制|"
                       r"行政事业性收费|政府集中采购")
_LATER_PART = re.compile(r"\s*[五六七八九十]、")
_BRACKETED = re.compile(r"\([^()]*\)")


def _is_flat(text: str) -> bool:
    """A paragraph holding a flattened table, or a section heading run into its text."""
    if _TABLE_START.search(text) and (len(text) >= _MIN_LEN or (
            len(text) >= _MIN_TABLE_LEN and sum(ch.isdigit() for ch in text) >= 7)):
        return True  # a whole article, or one table per line ("…总计000000000000000")
    if "、" not in text:
        return False
    cuts = _heading_cuts(text)
    return len(cuts) >= 2 or any((a == 0 and b < len(text)) or (a > 0 and text[a - 1] in "。；;!！")
                                 for a, b in cuts)


def _heading_cuts(text: str) -> list[tuple[int, int]]:
    """(start, end) of the section headings inside a paragraph (not the table rows 一、本年新收…)."""
    cuts: list[tuple[int, int]] = []
    for m in _SECTION_START.finditer(text):
        s = m.start()
        window = text[s:s + 40]
        stop = _HEAD_STOP.search(window, 2)
        window = window[:stop.start()] if stop else window
        ends = [e.end() for e in _HEAD_END.finditer(window)]
        end = None
        for e in reversed(ends):
            if match_section(window[:e]) is not None:
                end = e
                break
        if end is None:
            continue
        nxt = text[s + end:s + end + 3]
        if _SECTION_START.match(nxt) or nxt[:1] in "、；;,，":
            continue  # a list of section names in the preamble, not a heading
        cuts.append((s, s + end))
    return cuts


def _tokens(text: str) -> list[tuple[str, str]]:
    """('t', text) and ('n', number run) tokens; ordinals and years moved to the text they belong to."""
    out: list[tuple[str, str]] = []
    pos = 0
    for m in _NUM.finditer(text):
        if m.start() > pos:
            out.append(("t", text[pos:m.start()]))
        run = m.group()
        after = text[m.end():m.end() + 2]
        if _ORDINAL_AFTER.match(after) and not run.endswith("元"):
            # the next label's ordinal: "00000002.其他法律…" -> run "0000000", label "2.其他法律…"
            out.extend([("n", run[:-1])] if run[:-1].strip() else [])
            out.append(("t", run[-1]))
        elif _PROSE_NUM_AFTER.match(after):
            digits = run.rstrip()
            year = _YEAR_TAIL.search(digits.replace(" ", "")) if after.startswith("年") else None
            if year and len(digits.replace(" ", "")) > 4:
                head = digits[:len(digits) - 4].rstrip()
                if head:
                    out.append(("n", head))  # "收费02025年，…": the value 0, then prose
                out.append(("t", digits[-4:]))
            else:
                out.append(("t", run))
        else:
            out.append(("n", run))
        pos = m.end()
    if pos < len(text):
        out.append(("t", text[pos:]))
    merged: list[tuple[str, str]] = []
    for kind, s in out:
        if merged and kind == "t" and merged[-1][0] == "t":
            merged[-1] = ("t", merged[-1][1] + s)
        else:
            merged.append((kind, s))
    return merged


def _is_prose(piece: str) -> bool:
    core = _BRACKETED.sub("", piece)
    return bool(re.search(r"[,;!?，。；！？]", core)) or len(core) > 240


def _label_pieces(text: str) -> list[str]:
    """Cut a run of label text where a new label starts."""
    starts = {0}
    for m in _MARK.finditer(text):
        starts.add(m.start())
    for m in _T2_LABEL.finditer(text):
        if m.start() > 0 and not text[:m.start()].endswith(("行政", "其他对外")):
            starts.add(m.start())
    cuts = sorted(starts)
    pieces = [text[a:b] for a, b in zip(cuts, [*cuts[1:], len(text)], strict=True)]
    # a bare ordinal or numbering mark glued to the label after it ("1." + "属于国家秘密")
    out: list[str] = []
    for p in pieces:
        if out and re.fullmatch(r"\s*(?:\d[.、]|\([一二三四五六七八九十]+\)|[一二三四五六七八九十]、)\s*", out[-1]):
            out[-1] += p
        else:
            out.append(p)
    return [p for p in out if p.strip()]


def _frag(text: str, prov: Provenance) -> Fragment:
    return Fragment(normalize_text(text), text.strip(), prov)


def _flush(out: list[Line], buf: list[str], prov: Provenance) -> None:
    """Prose collected so far as one paragraph line."""
    if "".join(buf).strip():
        out.append(Line((_frag("".join(buf), prov),)))
    buf.clear()


def explode_line(line: Line) -> list[Line]:
    """One flattened paragraph as headings, prose paragraphs and table lines."""
    raw = line.first.raw
    prov = line.first.prov
    text = normalize_text(raw)
    out: list[Line] = []
    cuts = _heading_cuts(text)
    bounds: list[tuple[str, int, int]] = []
    pos = 0
    for s, e in cuts:
        if s > pos:
            bounds.append(("body", pos, s))
        bounds.append(("head", s, e))
        pos = e
    if pos < len(text):
        bounds.append(("body", pos, len(text)))
    in_table = False
    for kind, s, e in bounds:
        piece = text[s:e]
        if kind == "head":
            out.append(Line((_frag(piece, prov),)))
            key = match_section(piece)
            in_table = key is not None and key[0] in ("proactive", "requests", "review") and in_table
            continue
        toks = _tokens(piece)
        prose_buf: list[str] = []
        i = 0
        while i < len(toks):
            k, t = toks[i]
            if k == "t":
                if not in_table and _TABLE_START.search(t):
                    # prose may run straight into the table: "…成效。第二十条第（一）项…"
                    m = _TABLE_START.search(t)
                    cut = max(t.rfind("。", 0, m.start()) + 1, 0)
                    if cut == 0 and m.start() > 0 and _is_prose(t[:m.start()]):
                        cut = m.start()
                    prose_buf.append(t[:cut])
                    t = t[cut:]
                    in_table = True
                if in_table and ((_is_prose(t) and not _TABLE_START.search(t)) or _LATER_PART.match(t)):
                    in_table = False  # prose again, or a numbered part after the tables (五、信息处理费…)
                if not in_table:
                    prose_buf.append(t)
                    i += 1
                    continue
                _flush(out, prose_buf, prov)
                pieces = _label_pieces(t)
                nxt_num = i + 1 < len(toks) and toks[i + 1][0] == "n"
                for j, p in enumerate(pieces):
                    last = j == len(pieces) - 1
                    if last and nxt_num:
                        out.append(Line((_frag(p, prov), _frag(toks[i + 1][1], prov)), structured=True))
                    else:
                        out.append(Line((_frag(p, prov),)))
                i += 2 if nxt_num else 1
                continue
            # a number run without a label before it
            if in_table:
                _flush(out, prose_buf, prov)
                out.append(Line((_frag(t, prov),), structured=True))
            else:
                prose_buf.append(t)
            i += 1
        _flush(out, prose_buf, prov)
    return out


def explode_lines(lines: list[Line]) -> list[Line]:
    """Every flattened paragraph exploded; other lines kept as they are."""
    flat = [not ln.structured and len(ln.cells) == 1 and len(ln.cells[0].text) > 8
            and _is_flat(ln.cells[0].text) for ln in lines]
    if not any(flat):
        return lines
    out: list[Line] = []
    for ln, is_flat in zip(lines, flat, strict=True):
        if is_flat:
            out.extend(explode_line(ln))
        else:
            out.append(ln)
    return out
