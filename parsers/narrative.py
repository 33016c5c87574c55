"""Numbers the report states in its prose, and what they may settle about its tables.

Run-together digits ("15130000154") often have several readings. The only thing allowed to narrow
them is what the report states elsewhere (statutory-format.md §11; issue: "never with the arithmetic
under test"): a prose total such as "全区共收到政府信息公开申请154件，共办结148件，结转至2026年6件"
keeps the readings of table 三 whose 总计 agrees with it. When no reading agrees, nothing is narrowed
(the disagreement is a finding of its own, not a reason to pick). Precision first: a sentence naming
another year, a sub-unit or a share is not used.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

from parsers.model import Cell, ParseNote, Report

_NUM = r"(\d{1,6})\s*(?:件|条|个|宗)"
_SENTENCE = re.compile(r"[^。；;！!？?\n]+")
# (claim key, pattern); the number is group 1
_PATTERNS: tuple[tuple[str, re.Pattern[str]], ...] = (
    ("t3.NEW.TOT", re.compile(r"(?:共|全年|本年|累计|新)?(?:收到|受理|新收|接收|接到)[^，,。；]{0,16}?申请(?:共|合计)?\s*" + _NUM)),
    ("t3.R_TOTAL.TOT", re.compile(r"(?:共|全部|累计)?(?:办结|答复)[^，,。；0-9]{0,10}?" + _NUM)),
    ("t3.FWD.TOT", re.compile(r"结转(?:至|到)?(?:下一?年度?|\d{4}年度?)(?:继续办理)?[^，,。；0-9]{0,6}?" + _NUM)),
    ("t4.REV_TOTAL", re.compile(r"行政复议(?:案件)?(?:共)?\s*(\d{1,5})\s*(?:起|件|宗)")),
    ("t4.LIT_TOTAL", re.compile(r"行政诉讼(?:案件)?(?:共)?\s*(\d{1,5})\s*(?:起|件|宗)")),
)
# Table 二's 行政规范性文件 row (2021 format) as the overview states it: "制发行政规范性文件9件，按程序确认
# 失效或废止文件7件，现行有效行政规范性文件共253件"
_NORM = r"(?:行政)?规范性文件"
_T2_PATTERNS: tuple[tuple[str, re.Pattern[str]], ...] = (
    ("t2.NORM.ISSUED", re.compile(r"(?:制发|制定|出台|印发)(?:了)?" + _NORM + r"(?:共)?\s*(\d{1,5})\s*件")),
    ("t2.NORM.REPEALED", re.compile(r"(?:废止|失效或废止|废止或失效)(?:了)?(?:的)?(?:" + _NORM + r"|文件)(?:共)?\s*(\d{1,5})\s*件")),
    ("t2.NORM.VALID", re.compile(r"现行有效(?:的)?" + _NORM + r"(?:共)?\s*(\d{1,5})\s*件")),
)
_OTHER_SUBJECT = re.compile(r"上年|去年|同比|比上|较上|其中|占|%|％|下属|各(?:乡镇|街道|部门|单位)")
_YEAR = re.compile(r"((?:19|20)\d{2})年")


@dataclass(frozen=True, slots=True)
class Claim:
    key: str  # t3.<row>.<col> or t4.<key> (t4.LIT_TOTAL: both lawsuit totals together)
    value: int
    sentence: str


def claims(rep: Report) -> list[Claim]:
    """Totals the overview and the requests/review sections state about this report's year."""
    out: list[Claim] = []
    seen: set[str] = set()
    texts = [(s.text, _PATTERNS) for s in rep.sections if s.key in ("overview", "requests", "review")]
    texts += [(s.text, _T2_PATTERNS) for s in rep.sections if s.key in ("overview", "proactive")]
    for text, patterns in texts:
        for sent in _SENTENCE.findall(text.replace(" ", "")):
            years = {int(y) for y in _YEAR.findall(sent)}
            if rep.year is None or (years - {rep.year, rep.year + 1}):
                continue  # another year is named (or the report's year is unknown): not this table
            for key, pat in patterns:
                for clause in re.split(r"[，,]", sent):
                    m = pat.search(clause)
                    if m is None or _OTHER_SUBJECT.search(clause) or key in seen:
                        continue
                    out.append(Claim(key, int(m.group(1)), sent))
                    seen.add(key)
    return out


def narrow_readings(rep: Report) -> None:
    """Keep the readings of ambiguous rows (tables 二, 三, 四) that agree with what the prose states (never
    all gone)."""
    t3 = rep.table3
    if not any(r.ambiguous for r in t3.rows.values()) and len(rep.table4.readings) < 2 and not rep.table2.readings:
        return
    by_key = {c.key: c for c in claims(rep)}
    t2 = rep.table2
    for key, readings in list(t2.readings.items()):
        stated = [c for c in by_key.values() if c.key.startswith(f"t2.{key}.")]
        keep2 = tuple(r for r in readings if all(r.get(c.key.rsplit(".", 1)[1]) == c.value for c in stated))
        why = ": " + "; ".join(map(repr, dict.fromkeys(c.sentence for c in stated)))
        got = _narrow(rep, readings, keep2 if stated else (), f"table 二 row {key}", why, "table2", key, t2.runs.get(key))
        if got is not None:
            cells, t2.readings[key] = got
            if cells:
                t2.rows[key] = cells
                del t2.readings[key]
    for key in ("NEW", "R_TOTAL", "FWD"):
        row = t3.rows.get(key)
        claim = by_key.get(f"t3.{key}.TOT")
        if row is None or claim is None or not row.ambiguous:
            continue
        keep = tuple(r for r in row.readings if r.get("TOT") == claim.value)
        got = _narrow(rep, row.readings, keep, f"row {key}", f" ({claim.value}): {claim.sentence!r}", "table3", key,
                      row.run)
        if got is not None:
            cells, row.readings = got
            row.cells = cells or row.cells
    t4 = rep.table4
    rev, lit = by_key.get("t4.REV_TOTAL"), by_key.get("t4.LIT_TOTAL")
    if len(t4.readings) > 1 and (rev or lit):
        keep4 = tuple(r for r in t4.readings
                      if (rev is None or r.get("REV_TOTAL") == rev.value)
                      and (lit is None or r.get("LIT_D_TOTAL", 0) + r.get("LIT_R_TOTAL", 0) == lit.value))
        got = _narrow(rep, t4.readings, keep4, "table 四", f": {(rev or lit).sentence!r}", "table4", None,  # type: ignore[union-attr]
                      t4.run)
        if got is not None:
            cells, t4.readings = got
            t4.cells = cells or t4.cells


def _narrow(rep: Report, readings: tuple[dict[str, Any], ...], keep: tuple[dict[str, Any], ...], where: str, why: str,
            table: str, key: str | None, run: Cell | None) -> tuple[dict[str, Cell], tuple[dict[str, Any], ...]] | None:
    """None when ``keep`` narrows nothing (no reading left, or all of them); else the note is added and
    (the settled cells when one reading is left, else {}; the readings left: none once settled)."""
    if not keep or len(keep) == len(readings):
        return None
    rep.notes.append(ParseNote("readings_narrowed", f"{where}: {len(readings)} readings narrowed to {len(keep)} "
                               f"by the prose{why}", table, key))
    return (_settled(keep[0], run), ()) if len(keep) == 1 else ({}, keep)


def _settled(reading: dict[str, int], run: Cell | None) -> dict[str, Cell]:
    """The cells of the one reading left, each keeping the printed run it comes from."""
    return {k: Cell(v, run.raw if run else "", run.prov if run else None, None,
                    frozenset({"run_together", "narrowed_by_prose"})) for k, v in reading.items()}
