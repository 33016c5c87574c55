"""Snap OCR'd table labels to the statutory wording.

chi_sim misreads a character or two of most 9-point labels ("第二一条第〈一)项", "行政强便"). The
assembler matches table 二 labels exactly, so such a label loses its row. A label cell read by OCR is
replaced by the statutory label it is clearly closest to: similar enough, and clearly closer than to
any other label (so "1.属于国家秘密" can never become "1.本机关不掌握相关政府信息"). Anything less
clear is left as read. Only labels are snapped, never numbers.
"""

from __future__ import annotations

import re
from difflib import SequenceMatcher
from functools import lru_cache

from parsers.layout import (
    SECTION_TITLES,
    T2_BLOCKS_2019,
    T2_BLOCKS_2021,
    T2_COL_LABELS,
    T2_ROW_LABELS,
    T3_COL_LABELS,
    T3_GROUP_LABELS,
    T3_NOTE,
    T3_ROWS_2019,
    T3_ROWS_2021,
    T4_GROUPS,
    T4_OUTCOMES,
)
from parsers.pdf.text import fragment_text

MIN_RATIO = 0.6  # similarity (difflib ratio) to the best label
MIN_MARGIN = 0.15  # ... and how much closer it must be than to the second-best label
# OCR confusions of brackets that are never meant (full-width brackets are what the tables print)
_BRACKETS = str.maketrans({"〈": "（", "〉": "）", "《": "（", "》": "）", "[": "（", "]": "）", "{": "（", "}": "）"})


@lru_cache(maxsize=1)
def vocabulary() -> tuple[str, ...]:
    """Every label the statutory tables print (normalised like a Fragment's text)."""
    items = "一二三四五六七八九十"
    words: set[str] = {f"第二十条第（{x}）项" for x in items}
    words.update(T2_ROW_LABELS.values())
    words.update(T2_COL_LABELS.values())
    for blk in (*T2_BLOCKS_2019, *T2_BLOCKS_2021):
        words.update(h for _, h in blk.columns)
        words.update(label for _, label in blk.rows)
    words.update({"信息内容", "行政规范性文件", "本年收费金额（单位：万元）"})
    for r in (*T3_ROWS_2019, *T3_ROWS_2021):
        words.add(r.label)
        words.update(r.aliases)
    words.update(T3_GROUP_LABELS)
    words.update(T3_COL_LABELS.values())
    words.update({T3_NOTE, "申请人情况", "法人或其他组织", "法人或其他组织小计", "小计"})
    words.update(g for _, g in T4_GROUPS)
    words.update({"行政诉讼", "未经复议直接起诉", "复议后起诉"})
    words.update(label for _, label, _ in T4_OUTCOMES)
    words.update(SECTION_TITLES.values())
    return tuple(sorted({fragment_text(w) for w in words}))


# "第二十条第（五）项" as OCR reads it: 十 as 一 or +, brackets as anything
_T2_ITEM = re.compile(r"^第二\S?条第\W?([一二三四五六七八九十])\W?项$")


def snap_label(text: str) -> str:
    """The statutory label ``text`` is an OCR reading of, or ``text`` (brackets fixed) when unclear."""
    t = fragment_text(text.translate(_BRACKETS))
    if not t:
        return text
    m = _T2_ITEM.match(t)
    if m:
        return fragment_text(f"第二十条第（{m.group(1)}）项")
    vocab = vocabulary()
    if t in vocab:
        return t
    scored = sorted(((SequenceMatcher(None, t, w, autojunk=False).ratio(), w) for w in vocab), reverse=True)
    best, label = scored[0]
    second = scored[1][0] if len(scored) > 1 else 0.0
    if best >= MIN_RATIO and best - second >= MIN_MARGIN:
        return label
    return t
