"""Numbers the prose of a report states, for the TXT-* rules: claims about its own tables, and totals
with their itemisations ("共…646条，其中…550余条…130条").

Precision first (statutory-format.md §7.6): a claim is kept only when its subject is this report's
own year and body — a sentence naming another year, a comparison (同比, 较上年), a share (占, %), a
sub-unit (下属, 各乡镇) or an approximate number (约, 近) is not compared. A key stated twice with
different values is dropped. Traditional characters and Chinese numerals (一百二十三) are read.
"""

from __future__ import annotations

import re

from parsers.lines import to_simplified
from parsers.model import ProseClaim, ProseSum, Report

_CN_DIGITS = {"零": 0, "〇": 0, "一": 1, "二": 2, "两": 2, "三": 3, "四": 4, "五": 5, "六": 6, "七": 7, "八": 8, "九": 9}
_CN_UNITS = {"十": 10, "百": 100, "千": 1000, "万": 10000}
NUM = r"(\d{1,7}|[零〇一二两三四五六七八九十百千万]{1,9})"
UNIT = r"(件|条|个|宗|起|人次|份)"
_SENTENCE = re.compile(r"[^。；;！!？?\n]+[。；;！!？?]?")
_YEAR = re.compile(r"((?:19|20)\d{2})年")
_OTHER_SUBJECT = re.compile(r"上年|去年|上一年|同比|比上|较上|环比|占|%|％|百分|下属|各(?:乡镇|街道|部门|单位|区县|县区)|"
                            r"平均|人均|以上|以下|以内|左右|约|近|累计至今|历年")


def cn_number(text: str) -> int | None:
    """Arabic digits or a Chinese numeral below 一亿 (一百二十三 → 123, 十五 → 15, 两千零五 → 2005)."""
    if text.isdigit():
        return int(text)
    total = section = number = 0
    for ch in text:
        if ch in _CN_DIGITS:
            number = _CN_DIGITS[ch]
        elif ch in _CN_UNITS:
            unit = _CN_UNITS[ch]
            if unit == 10000:
                total += (section + number) * unit
                section = number = 0
            else:
                section += (number or 1) * unit
                number = 0
        else:
            return None
    return total + section + number


# Frequent traditional forms: text without any of them needs no conversion (the parser has simplified
# what it read already; zhconv over every section would cost more than the rest of this module).
_TRADITIONAL = re.compile("[開條請處於爲為國會進時發與這個們來後過對當還應關數與報諮詢務審電現應結轉辦]")


def _text(rep: Report, keys: tuple[str | None, ...] | None = None) -> list[str]:
    parts = [s.text for s in rep.sections if keys is None or s.key in keys]
    if keys is None and rep.preamble:
        parts.insert(0, rep.preamble)
    return [(to_simplified(p) if _TRADITIONAL.search(p) else p).replace(" ", "").replace("\u3000", "")
            for p in parts]


def _sentences(text: str) -> list[str]:
    return [s for s in _SENTENCE.findall(text) if s.strip()]


def _own_year(sentence: str, year: int | None) -> bool:
    years = {int(y) for y in _YEAR.findall(sentence)}
    return year is not None and not (years - {year, year + 1})


# (key, pattern, may follow 其中): the number is group 1
_N = NUM + r"\s*(?:件|宗)"  # requests are counted in 件
_CLAIMS: tuple[tuple[str, re.Pattern[str], bool], ...] = (
    ("t3.NEW+CARRY", re.compile(r"(?:收到|受理|新收|接收|接到)[^，,。；]{0,16}?申请[^，,。；0-9]{0,4}?"
                                r"(?:共|合计)?\s*" + _N + r"[（(]?(?:含|包括|其中)(?:上年|上一年度?)结转"), False),
    ("t3.NEW.TOT", re.compile(r"(?:共|全年|本年度?|新)?(?:收到|受理|新收|接收|接到)[^，,。；]{0,16}?申请(?:共|合计)?\s*" + _N),
     False),
    ("t3.R_TOTAL.TOT", re.compile(r"(?:共|全部|累计)?(?:办结|答复)[^，,。；0-9]{0,14}?(?:申请)?(?:共|合计)?\s*" + _N), False),
    ("t3.FWD.TOT", re.compile(r"结转(?:至|到)?(?:下一?年度?|\d{4}年度?)(?:继续办理)?[^，,。；0-9]{0,6}?" + _N), False),
    ("t3.R_OPEN.TOT", re.compile(r"(?<![及和、与])予以公开(?!及|和|与|、)[^，,。；0-9]{0,4}?" + _N), True),
    ("t3.R_PARTIAL.TOT", re.compile(r"(?<![及和、与])部分公开(?!及|和|与|、)[^，,。；0-9]{0,4}?" + _N), True),
    ("t3.R_DENY", re.compile(r"(?<![及和、与])不予公开(?!及|和|与|、)[^，,。；0-9]{0,4}?" + _N), True),
    ("t3.R_UNABLE", re.compile(r"(?<![及和、与])无法提供(?!及|和|与|、)[^，,。；0-9]{0,4}?" + _N), True),
    ("t3.R_NOTPROC", re.compile(r"(?<![及和、与])不予处理(?!及|和|与|、)[^，,。；0-9]{0,4}?" + _N), True),
    ("t4.REV_TOTAL", re.compile(r"行政复议(?:案件|申请)?(?:共)?\s*" + NUM + r"\s*(?:起|件|宗)"), False),
    ("t4.LIT", re.compile(r"行政诉讼(?:案件)?(?:共)?\s*" + NUM + r"\s*(?:起|件|宗)"), False),
)
_KEYWORDS = re.compile(r"申请|复议|诉讼|公开|处理|答复|办结|结转|提供")
_COUNTED = re.compile(r"\d|[零〇一二两三四五六七八九十百千]\s*[件起宗]|无|未|没有")  # a number, or a "none"
_INCLUDES_CARRY = re.compile(r"[（(]?(?:含|包括|其中)(?:上年|上一年度?)结转[^）)，,。]*[）)]?")
_NONE_REVIEW = re.compile(r"(?:无|没有|未发生|未收到|未出现)[^，,。；]{0,24}?行政复议")
_NONE_LAWSUIT = re.compile(r"(?:无|没有|未发生|未收到|未出现)[^，,。；]{0,24}?行政诉讼")
_NONE_REQUESTS = re.compile(r"(?:未收到|没有收到|无)(?:任何)?(?:公民、法人[^，,。；]{0,12})?政府信息公开申请"
                            r"(?![^，,。；]{0,8}(?:行政复议|行政诉讼))")


_AGENT = re.compile(r"([\u4e00-\u9fff（）()]{1,20}?(?:办公室|政府办|办|局|委员会|管委会|委|中心|部门|单位|公司|站|所|院|厅|政府))")


def _other_agent(prefix: str, body: str | None) -> bool:
    """The clause's subject is a body other than the report's ("区政府办代表区政府受理…"): a sub-unit's
    figure, not compared. 本机关, 我办, 我局 … are the report's own body."""
    if "代表" in prefix:
        return True
    m = _AGENT.search(prefix)
    if m is None:
        return False
    frag = m.group(1)
    if frag[:1] in ("我", "本") or frag.startswith(("全", "共")):
        return False
    from parsers.names import normalise

    a, b = normalise(re.sub(r"^\d{4}年(?:度)?", "", frag)), normalise(body)
    return not (a and b and (a in b or b in a))


def prose_claims(rep: Report) -> list[ProseClaim]:
    """Claims of the overview, requests and review sections about this report's tables."""
    found: dict[str, list[ProseClaim]] = {}
    for text in _text(rep, ("overview", "requests", "review")):
        for sent in _sentences(text):
            if not _KEYWORDS.search(sent) or not _own_year(sent, rep.year):
                continue
            for clause in re.split(r"[，,：:]", sent):
                if not _COUNTED.search(clause) or _OTHER_SUBJECT.search(_INCLUDES_CARRY.sub("", clause)):
                    continue
                if re.search(NUM + r"\s*(?:余|多)", clause) or re.search(r"[约近逾]|超过", clause):
                    continue  # an approximate number is not a claim
                lead_qizhong = clause.startswith("其中")
                taken: set[str] = set()
                for key, pat, after_qizhong in _CLAIMS:
                    if lead_qizhong and not after_qizhong:
                        continue
                    base = key.split("+")[0] if "+" in key else key
                    if base in taken or (key == "t3.NEW.TOT" and "t3.NEW+CARRY" in taken):
                        continue
                    m = pat.search(clause)
                    if m is None or _other_agent(clause[:m.start()], rep.body):
                        continue
                    v = cn_number(m.group(1))
                    if v is None:
                        continue
                    found.setdefault(key, []).append(ProseClaim(key, v, sent.strip()))
                    taken.add(key)
                if _NONE_REVIEW.search(clause):
                    found.setdefault("t4.REV_TOTAL", []).append(ProseClaim("t4.REV_TOTAL", 0, sent.strip()))
                    if _NONE_LAWSUIT.search(clause) or re.search(r"行政复议(?:和|及|、|或)(?:提起)?行政诉讼", clause):
                        found.setdefault("t4.LIT", []).append(ProseClaim("t4.LIT", 0, sent.strip()))
                elif _NONE_LAWSUIT.search(clause):
                    found.setdefault("t4.LIT", []).append(ProseClaim("t4.LIT", 0, sent.strip()))
                if _NONE_REQUESTS.search(clause):
                    found.setdefault("t3.NEW.TOT", []).append(ProseClaim("t3.NEW.TOT", 0, sent.strip()))
    out = []
    for _key, cs in found.items():
        if len({c.value for c in cs}) == 1:  # stated twice differently: not used
            out.append(cs[0])
    return out


# ---------------------------------------------------------------------------------------------- sums
_AMOUNT = re.compile(r"(逾|超过)?" + NUM + r"\s*(余|多)?\s*" + UNIT)
_MARKERS = re.compile(r"其中|分别为|分别是|主要包括|包括|主要有")
_IN_PREVIOUS = re.compile(r"^(?:在|从|其中[，,]?在)?[^，,。]{0,16}(?:信息|事项|内容)中[，,]?")


def _amounts(text: str) -> list[tuple[int, str, str, int]]:
    """(value, bound, unit, position) of each number with a counting unit; bound "min" for 余/多/逾/超过,
    "approx" when 约/近 stands right before it."""
    out = []
    for m in _AMOUNT.finditer(text):
        v = cn_number(m.group(2))
        if v is None:
            continue
        before = text[max(0, m.start() - 2):m.start()]
        bound = "min" if (m.group(1) or m.group(3)) else "approx" if re.search(r"[约近]$", before) else ""
        out.append((v, bound, m.group(4), m.start()))
    return out


def _verdict(total: int, total_bound: str, parts: list[tuple[int, str]], partial: bool) -> str:
    if total_bound or any(b == "approx" for _, b in parts) or len(parts) < 2:
        return "ok"
    s = sum(v for v, _ in parts)
    if s > total:
        return "over"
    if not partial and len(parts) >= 3 and all(b == "" for _, b in parts) and s < total:
        return "under"
    return "ok"


def prose_sums(rep: Report) -> list[ProseSum]:
    """Totals followed by an itemisation (其中 / 分别为 / 包括, or a next sentence "在…信息中"), nested
    itemisations too, each with its verdict."""
    out: list[ProseSum] = []
    for text in _text(rep):
        prev_total: tuple[int, str, str, str] | None = None  # (value, bound, unit, sentence) of a 共… total
        for sent in _sentences(text):
            if "%" in sent or "％" in sent:
                prev_total = None
                continue
            amounts = _amounts(sent)
            markers = [(m.start(), m.group(0)) for m in _MARKERS.finditer(sent)]
            if _IN_PREVIOUS.match(sent) and prev_total is not None and not markers:
                value, bound, unit, first = prev_total
                parts = [(v, b) for v, b, u, _ in amounts if u == unit]
                if len(parts) >= 2 and len(parts) == len(amounts):
                    out.append(ProseSum(value, tuple(parts), unit, "在…中", f"{first.strip()}{sent.strip()}",
                                        _verdict(value, bound, parts, False)))
                prev_total = None
                continue
            # a total is the amount right before a marker; its parts are the amounts up to the next marker
            # (the amounts after a nested marker belong to the nested total, the last part before it)
            for k, (pos, word) in enumerate(markers):
                before = [a for a in amounts if a[3] < pos]
                if not before:
                    continue
                tv, tb, tu, _ = before[-1]
                end = markers[k + 1][0] if k + 1 < len(markers) else len(sent)
                parts_all = [a for a in amounts if pos < a[3] < end]
                if not parts_all or any(u != tu for _, _, u, _ in parts_all):
                    continue
                parts = [(v, b) for v, b, _, _ in parts_all]
                partial = word in ("包括", "主要包括", "主要有")
                out.append(ProseSum(tv, tuple(parts), tu, word, sent.strip(), _verdict(tv, tb, parts, partial)))
            prev_total = None
            if amounts and re.search(r"共|合计|总计", sent) and _own_year(sent, rep.year):
                v, b, u, _ = amounts[0]
                prev_total = (v, b, u, sent)
    return out


def _receipt_scope(rep: Report, claims: list[ProseClaim]) -> list[ProseClaim]:
    """"受理/收到申请 N 件" counts the requests handled in the year for some bodies (new plus carried
    over) without saying so. When the table's new requests differ from N but new plus carried over
    equal it, the claim is read that way: wording, not a contradiction."""
    new, carry = rep.table3.value("NEW", "TOT"), rep.table3.value("CARRY", "TOT")
    if new is None or not carry:
        return claims
    out = []
    for c in claims:
        if c.key == "t3.NEW.TOT" and c.value != new and c.value == new + carry:
            c = ProseClaim("t3.NEW+CARRY", c.value, c.sentence)
        out.append(c)
    return out


def read_prose(rep: Report) -> None:
    """Fill ``rep.claims`` and ``rep.sums`` (called by the assembler once the sections and tables are read)."""
    rep.claims = _receipt_scope(rep, prose_claims(rep))
    rep.sums = prose_sums(rep)
