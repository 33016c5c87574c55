"""Report-level facts the structural rules read, computed from a canonical report (pure, no GX).

The frame stores them as small integer codes (``m_*`` columns); the messages call the same functions
again for the few reports that have a finding, to name sections, rows and periods.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass

from expectations.cells import EXTRA_SUB, GROUP_SUBTOTALS
from parsers.labels import SECTION_WORDS, match_t3
from parsers.layout import SECTION_KEYS, SECTION_TITLES
from parsers.model import MISSING, PRESENT, Report, Row

# Sections whose content is a statutory table: the table can be present while the heading is lost.
SECTION_TABLE = {"proactive": "table2", "requests": "table3", "review": "table4"}
SECTION_BIT = {k: 1 << i for i, k in enumerate(SECTION_KEYS)}
# a top-level numbered part ("五、信息处理费收取情况"), not table 三's rows 一、本年新收… / 四、结转…
_NUMBERED = re.compile(r"(?<![一二三四五六七八九十第])([一二三四五六七八九])、(?!本年|上年|结转)")


@dataclass(frozen=True, slots=True)
class SectionFacts:
    missing: tuple[str, ...]  # no heading and (for 二/三/四) no table either
    headless: tuple[str, ...]  # no heading, but the section's table is there
    out_of_order: tuple[str, ...]  # printed after a section that comes later in §2

    @staticmethod
    def mask(keys: tuple[str, ...]) -> int:
        return sum(SECTION_BIT[k] for k in keys)


def section_facts(rep: Report) -> SectionFacts:
    """A section counts as missing only when verifiably absent: no heading, no table of its own, none
    of its title's words, no heading numbered as it is ("五、存在的不足和改进措施") and no numbered part
    the reader did not recognise anywhere in the report's sections (a heading the reader did not recognise is not evidence of absence: it is
    ``headless``)."""
    printed = [s.key for s in rep.sections if s.key in SECTION_BIT]
    missing, headless = [], []
    body = ""
    numbered: set[str] = set()
    other_parts: set[str] = set()
    for key in SECTION_KEYS:
        if key in printed:
            continue
        table = SECTION_TABLE.get(key)
        if table and getattr(rep, table).status != MISSING:
            headless.append(key)
            continue
        if not body:
            body = "".join(s.text for s in rep.sections).replace(" ", "")
            numbered = set(_NUMBERED.findall(body))
            # a numbered part the reader did not recognise may be this section under another title
            other_parts = numbered - {"一二三四五六七八九"[s.number - 1] for s in rep.sections if 1 <= s.number <= 9}
        own = "一二三四五六"[SECTION_KEYS.index(key)]
        if any(w in body for w in SECTION_WORDS[key]) or own in numbered or other_parts:
            headless.append(key)  # its words, its number, or an unrecognised part: not verifiably absent
        else:
            missing.append(key)
    return SectionFacts(tuple(missing), tuple(headless), _out_of_order(printed))


def _out_of_order(printed: list[str]) -> tuple[str, ...]:
    """The sections outside a longest run in statutory order (the fewest sections to move)."""
    pos = [SECTION_KEYS.index(k) for k in printed]
    best: list[list[int]] = []  # best[i]: longest increasing index chain ending at i
    for i, p in enumerate(pos):
        prev = max((best[j] for j in range(i) if pos[j] < p), key=len, default=[])
        best.append([*prev, i])
    keep = set(max(best, key=len, default=[]))
    return tuple(k for i, k in enumerate(printed) if i not in keep)


def keys_from_mask(mask: int) -> tuple[str, ...]:
    return tuple(k for k in SECTION_KEYS if mask & SECTION_BIT[k])


def section_names(keys: tuple[str, ...], en: bool = False) -> str:
    if en:
        return ", ".join(f"{SECTION_KEYS.index(k) + 1} “{SECTION_TITLES[k]}”" for k in keys)
    return "、".join(f"「{SECTION_TITLES[k]}」" for k in keys)


# ---------------------------------------------------------------- statistics period (FMT-PERIOD)
_PERIOD = re.compile(
    r"(?P<y1>(?:19|20)\d{2})年(?:度)?1月1日[起从自,，、]{0,3}(?:至|到|—|-|－|~|～)+"
    r"(?:(?P<y2>(?:19|20)\d{2})年)?12月31日"
)


@dataclass(frozen=True, slots=True)
class Period:
    start: int
    end: int  # the year of 12月31日 (the start year when not printed)
    text: str


def _period_texts(rep: Report) -> list[str]:
    # The preamble (where most reports state the period) is read when the model carries it.
    texts = [getattr(rep, "preamble", None) or ""]
    texts += [s.text for s in rep.sections]
    return [t for t in texts if t]


def stated_periods(rep: Report) -> list[Period]:
    """Every statement "YYYY年1月1日（起）至（YYYY年）12月31日" in the report's text."""
    out = []
    for text in _period_texts(rep):
        if "12" not in text and "１２" not in text:
            continue
        flat = re.sub(r"\s+", "", unicodedata.normalize("NFKC", text))
        for m in _PERIOD.finditer(flat):
            y1 = int(m.group("y1"))
            out.append(Period(y1, int(m.group("y2") or y1), m.group(0)))
    return out


PERIOD_NONE, PERIOD_OK, PERIOD_BAD = 0, 1, 2


def period_code(rep: Report) -> int:
    periods = stated_periods(rep)
    if not periods:
        return PERIOD_NONE
    if rep.year is None:
        return PERIOD_OK  # undecidable: the frame's year code is 0 and the rule reports not_checked
    return PERIOD_OK if all(p.start == p.end == rep.year for p in periods) else PERIOD_BAD


# ---------------------------------------------------------------- table 三 local additions
def is_group_subtotal(row: Row) -> bool:
    """An extra row printed with a group label (（三）不予公开 …) and its own numbers. A repeated or
    out-of-order sub-row also carries its group, but its label is a statutory row label."""
    if row.group is None:
        return False
    m = match_t3(row.label) if row.label else None
    return m is None or m.kind == "group"


def group_subtotal_rows(rep: Report) -> dict[str, Row]:
    """Frame row key (GS_DENY …) -> the first subtotal row printed for that group."""
    if rep.table3.status != PRESENT:
        return {}
    by_group = {g: k for k, (g, _) in GROUP_SUBTOTALS.items()}
    out: dict[str, Row] = {}
    for row in rep.table3.extra_rows:
        key = by_group.get(row.group or "")
        if key and key not in out and is_group_subtotal(row):
            out[key] = row
    return out


def has_sub_column(rep: Report) -> bool:
    return rep.table3.status == PRESENT and "SUB" in rep.table3.columns


def t3_extra_bits(rep: Report) -> int:
    bits = EXTRA_SUB if has_sub_column(rep) else 0
    for key in group_subtotal_rows(rep):
        bits |= GROUP_SUBTOTALS[key][1]
    return bits


def t3_local_rows(rep: Report) -> list[str]:
    """Labels of table 三 rows outside the statutory layout that are not group subtotals (local rows,
    repeated rows), and of rows whose printed label was not recognised (placed by statutory order)."""
    if rep.table3.status != PRESENT:
        return []
    out = [r.label or "（无标签）" for r in rep.table3.extra_rows if not is_group_subtotal(r)]
    for r in rep.table3.rows.values():
        if r.placed_by_position and r.label and match_t3(r.label) is None:
            out.append(r.label)
    return out


def t3_layout_deviations(rep: Report) -> tuple[list[str], list[str]]:
    """(zh, en) descriptions of everything in table 三 outside the statutory layout (FMT-LABELS)."""
    from expectations.cells import t3_row_short, t3_row_short_en

    zh, en = [], []
    if has_sub_column(rep):
        zh.append("增加了「法人或其他组织小计」列")
        en.append("an added column “法人或其他组织小计”")
    for key in group_subtotal_rows(rep):
        zh.append(f"增加了小计行「{t3_row_short(key)}」")
        en.append(f"an added subtotal row ({t3_row_short_en(key)})")
    for label in t3_local_rows(rep):
        zh.append(f"非法定行「{label}」")
        en.append(f"a row outside the statutory layout “{label}”")
    return zh, en
