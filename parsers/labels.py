"""Recognise the printed labels of the statutory tables and of the report's sections.

Labels are compared after ``label_key`` (NFKC, no whitespace, no quotes). A printed label matches an
official one when it is equal, carries a bracketed local note after it, was cut short, or has the
row's numbers run into it ("（一）予以公开3000003"). Numbering ("（一）", "1.", "一、") must agree when
both sides have it and the rest is short.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from difflib import SequenceMatcher
from functools import lru_cache

from parsers.layout import (
    T2_ROW_LABELS,
    T3_GROUP_LABELS,
    T3_ROWS_2019,
    T3_ROWS_2021,
)
from parsers.lines import label_key

_NUM_PREFIX = re.compile(r"^(?:([一二三四五六七八九十]+)、|\(([一二三四五六七八九十]+)\)|(\d{1,2})\.)")
_CN_NUM = {"一": 1, "二": 2, "三": 3, "四": 4, "五": 5, "六": 6, "七": 7, "八": 8, "九": 9, "十": 10}


def split_number(key: str) -> tuple[str | None, str]:
    """'(一)予以公开' -> ('(一)', '予以公开'); '1.属于国家秘密' -> ('1', '属于国家秘密')."""
    m = _NUM_PREFIX.match(key)
    if not m:
        return None, key
    if m.group(1):
        num = m.group(1) + "、"
    elif m.group(2):
        num = f"({m.group(2)})"
    else:
        num = m.group(3)
    return num, key[m.end():]


@dataclass(frozen=True, slots=True)
class LabelMatch:
    kind: str  # row | group
    key: str  # row key, or group key (RESULTS, R_DENY, ...)
    score: int
    remainder: str  # text after the label (digits run into it), "" if none


@dataclass(frozen=True, slots=True)
class _Official:
    kind: str
    key: str
    num: str | None
    core: str


def _t3_officials() -> tuple[_Official, ...]:
    out: list[_Official] = []
    seen: set[str] = set()
    for rd in (*T3_ROWS_2019, *T3_ROWS_2021):
        if rd.key in seen:
            continue
        seen.add(rd.key)
        if rd.key == "R_OTHER":
            continue  # printed like the 2021 group label; resolved by position (see read_t3)
        num, core = split_number(label_key(rd.label))
        out.append(_Official("row", rd.key, num, core))
    for label, gkey in T3_GROUP_LABELS.items():
        num, core = split_number(label_key(label))
        out.append(_Official("group", gkey, num, core))
    return tuple(out)


_T3_OFFICIAL = _t3_officials()
_BRACKET_NOTE = re.compile(r"^\([^()]*\)?$")  # one local note after the label, e.g. (含…)
_DIGITS = re.compile(r"^[\d\s,]+$")


def _score(num: str | None, core: str, off: _Official) -> tuple[int, str] | None:
    if not core:
        return None
    remainder = ""
    if core == off.core:
        score = 100
    elif core.startswith(off.core):
        rest = core[len(off.core):]
        if _BRACKET_NOTE.match(rest):
            score = 90
        elif _DIGITS.match(rest):
            score = 85
            remainder = rest
        else:
            return None
    elif off.core.startswith(core) and len(core) >= min(4, len(off.core)) and len(core) * 2 >= len(off.core):
        score = 80
    else:
        # local rewordings keep the start: "本年新收政府信息公开申请数" / "结转下年度继续办理的申请"
        common = 0
        for a, b in zip(core, off.core, strict=False):
            if a != b:
                break
            common += 1
        if common >= 6 and common * 3 >= len(off.core) * 2 and len(core) <= len(off.core) + 12:
            score = 70
        elif (num is not None and num == off.num and len(off.core) >= 4
              and SequenceMatcher(None, core, off.core).ratio() >= 0.75):
            score = 65  # a typo or a dropped character ("其他法律行政止公开"), same numbering
        else:
            return None
    if num is not None and off.num is not None and num != off.num:
        if len(off.core) <= 4:
            return None
        score -= 30
    if num is None and off.num is not None and len(off.core) <= 2:
        return None  # a bare "其他" is the column header, not row 3.其他
    return score, remainder


_ANY_NUMBER = re.compile(r"[一二三四五六七八九十]+、|\([一二三四五六七八九十]+\)|\d{1,2}\.(?=\D)")


@lru_cache(maxsize=32768)
def match_t3(text: str) -> LabelMatch | None:
    """Best table-三 row or group label for a printed cell, or None.

    Labels glued behind other text (a vertical group label's characters, or the group label itself,
    as text extraction from PDFs produces: "本(三)不予公开1.属于国家秘密") are found by trying the text
    from each numbering mark on, last mark first."""
    key = label_key(text)
    if not key or len(key) > 80 or "。" in key:
        return None
    m = _match_t3_key(key)
    if m is not None:
        return m
    for mark in reversed(list(_ANY_NUMBER.finditer(key))):
        if mark.start() == 0:
            continue
        m = _match_t3_key(key[mark.start():])
        if m is not None and m.score >= 80:
            return m
    return None


def _match_t3_key(key: str) -> LabelMatch | None:
    num, core = split_number(key)
    best: LabelMatch | None = None
    for off in _T3_OFFICIAL:
        r = _score(num, core, off)
        if r is None:
            continue
        s, rem = r
        if num is not None and off.num == num:
            s += 5
        if best is None or s > best.score:
            best = LabelMatch(off.kind, off.key, s, rem)
    if best is None or best.score < 60:
        return None
    return best


T3_HEADER_WORDS = ("申请人情况", "自然人", "法人或其他组织", "商业企业", "科研机构", "社会公益组织",
                   "法律服务机构", "其他", "总计", "小计")
_T3_COLUMN_WORDS = (("商业企业", "BIZ"), ("科研机构", "RES"), ("社会公益组织", "NGO"),
                    ("法律服务机构", "LAW"), ("小计", "SUB"), ("其他", "OTH"))


def t3_columns_from_header(header: str) -> tuple[str, ...] | None:
    """Data columns in printed order, from the concatenated header text; None if not recognisable."""
    h = label_key(header)
    if "自然人" not in h:
        return None
    h = h.replace("法人或其他组织", "#ORG#").replace("申请人情况", "")
    found: list[tuple[int, str]] = []
    for word, key in _T3_COLUMN_WORDS:
        i = h.find(word)
        if i >= 0:
            found.append((i, key))
    found.sort()
    subs = [k for _, k in found]
    if len([k for k in subs if k != "SUB"]) < 5:
        return None  # header words split or lost (PDF text): fall back to the statutory columns
    return ("NAT", *subs, "TOT")


def is_note(text: str) -> bool:
    """The 勾稽 note of table 三 (also printed 钩稽)."""
    return "勾稽" in text or "钩稽" in text


def is_t3_header_text(text: str) -> bool:
    k = label_key(text)
    if not k:
        return False
    if is_note(k) or "申请人情况" in k:
        return True
    return (any(w in k for w in T3_HEADER_WORDS) and len(k) <= 40) or k in ("商业", "企业", "科研", "机构",
                                                                         "社会公益", "组织", "法律服务")


# ------------------------------------------------------------------ table 二
_T2_ROWS = {label_key(v): k for k, v in T2_ROW_LABELS.items()}
_T2_ROWS[label_key("行政规范性文件")] = "NORM"
_T2_ITEM = re.compile(r"第二十条第\(?([一二三四五六七八九十]+)\)?项")
_BRACKETS = re.compile(r"\([^)]*\)?$")


def t2_item(text: str) -> str | None:
    """'第二十条第（一）项' -> '1'."""
    m = _T2_ITEM.search(label_key(text))
    return str(_CN_NUM.get(m.group(1), 0)) if m else None


@lru_cache(maxsize=8192)
def match_t2_row(text: str) -> str | None:
    k = label_key(text)
    if not k:
        return None
    if k in _T2_ROWS:
        return _T2_ROWS[k]
    stripped = _BRACKETS.sub("", k)
    return _T2_ROWS.get(stripped)


T2_HEADER_HINTS_2019 = ("新制作", "新公开", "对外公开总数", "上一年项目", "增/减", "增减", "采购项目", "采购总金额")
T2_HEADER_HINTS_2021 = ("制发件数", "废止件数", "现行有效", "本年收费金额", "收费金额")


def t2_header_generation(text: str) -> str | None:
    k = label_key(text)
    has19 = any(h in k for h in T2_HEADER_HINTS_2019)
    has21 = any(h in k for h in T2_HEADER_HINTS_2021)
    if has19 and not has21:
        return "2019"
    if has21 and not has19:
        return "2021"
    return None


def is_t2_header_text(text: str) -> bool:
    k = label_key(text)
    return k.startswith("信息内容") or any(h in k for h in (*T2_HEADER_HINTS_2019, *T2_HEADER_HINTS_2021,
                                                            "处理决定数量", "数量", "金额", "件数"))


# ------------------------------------------------------------------ table 四
T4_HEADER_WORDS = ("行政复议", "行政诉讼", "结果维持", "结果纠正", "其他结果", "尚未审结", "总计",
                   "未经复议直接起诉", "复议后起诉", "结果", "维持", "纠正", "其他", "尚未", "审结", "总")


def is_t4_header_text(text: str) -> bool:
    k = label_key(text)
    return bool(k) and len(k) <= 30 and any(w in k for w in T4_HEADER_WORDS)


def t4_group(text: str) -> str | None:
    """The group of table 四 a short label names: REV (行政复议), LIT_D (行政诉讼·未经复议直接起诉) or
    LIT_R (行政诉讼·复议后起诉); None for anything else (行政诉讼 alone names both lawsuit groups)."""
    k = label_key(text)
    if not k or len(k) > 30:
        return None
    if "复议后起诉" in k:
        return "LIT_R"
    if "未经复议" in k or "直接起诉" in k:
        return "LIT_D"
    return "REV" if "行政复议" in k else None


# ------------------------------------------------------------------ sections
_SECTION_HEAD = re.compile(r"^(?:第)?([一二三四五六七八九十])(?:、|\.|,|\s|部分)\s*(.{1,60})$")
_SECTION_KEYWORDS: tuple[tuple[str, tuple[str, ...]], ...] = (
    ("overview", ("总体情况", "概述", "概况", "基本情况", "总体概况")),
    ("proactive", ("主动公开",)),
    ("requests", ("收到和处理", "依申请公开", "申请公开", "处理政府信息公开申请")),
    ("review", ("行政复议", "行政诉讼")),
    ("problems", ("存在的主要问题", "存在问题", "主要问题", "问题及改进", "问题和改进")),
    ("other", ("其他需要报告", "其他事项", "需要报告的事项")),
)


SECTION_WORDS: dict[str, tuple[str, ...]] = {
    "overview": ("总体情况",),
    "proactive": ("主动公开政府信息情况",),
    "requests": ("收到和处理政府信息公开申请",),
    "review": ("行政复议、行政诉讼情况", "行政复议和行政诉讼情况"),
    "problems": ("存在的主要问题", "问题及改进", "问题和改进"),
    "other": ("其他需要报告", "需要报告的事项"),
}  # words whose presence in a report's text means a section may be there with its heading lost


@lru_cache(maxsize=32768)
def match_section(text: str) -> tuple[str, int, str] | None:
    """('requests', 3, '三、收到和处理政府信息公开申请情况') for a section heading line, else None."""
    t = re.sub(r"\s+", "", text)
    t = re.sub(r"^\[bookmark:[^\]]*\]", "", t)
    if len(t) > 48:
        return None
    m = _SECTION_HEAD.match(label_key(t))
    if not m:
        return None
    num = _CN_NUM[m.group(1)]
    rest = m.group(2)
    if match_t3(t) is not None:  # 一、本年新收… / 四、结转下年度继续办理 are table rows
        return None
    for key, words in _SECTION_KEYWORDS:
        if any(w in rest for w in words):
            return key, num, t
    return None
