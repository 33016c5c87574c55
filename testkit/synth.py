"""Deterministic synthetic reports that satisfy every statutory rule.

Used by the renderer tests (render → parse → compare), the rule recall tests (mutate one known cell,
expect exactly that rule to fire), the benchmarks and the demo. Values are drawn from a seeded RNG,
so the same seed always gives the same report.
"""

from __future__ import annotations

import random
from decimal import Decimal

from parsers.layout import (
    GEN_2019,
    GEN_2021,
    SECTION_KEYS,
    SECTION_TITLES,
    T3_APPL,
    T4_GROUPS,
    t2_blocks,
    t3_result_rows,
    t3_rows,
)
from parsers.model import PRESENT, Cell, Report, Row, Section, Table2, Table3, Table4

BODIES = (
    "示例市人民政府办公室", "示例县教育局", "示例区财政局", "示例镇人民政府", "示例街道办事处",
    "示例市生态环境局", "示例县自然资源局", "示例区卫生健康委员会", "示例乡人民政府", "示例市统计局",
)


def _cell(v: int | Decimal | None, raw: str | None = None) -> Cell:
    return Cell(value=v, raw=str(v) if raw is None else raw)


def make_report(seed: int, generation: str | None = None, *, year: int | None = None,
                scale: int = 30, zero_share: float = 0.5, prose: bool = False, body: str | None = None,
                previous: Report | None = None) -> Report:
    """A consistent report. ``scale`` bounds the request counts; ``zero_share`` is the share of
    applicant columns left at zero (as in most real reports). ``prose``: the overview states numbers
    that agree with the tables (requests, results, reviews) and a total with its itemisation.
    ``previous``: last year's report of the same body, which this one agrees with across years (table
    三 carries over what it carried forward; 现行有效 follows from its count)."""
    rng = random.Random(seed)
    gen = generation or rng.choice((GEN_2019, GEN_2021))
    if year is None:
        year = rng.choice((2019, 2020)) if gen == GEN_2019 else rng.randint(2021, 2025)
    body = body or rng.choice(BODIES)
    rep = Report(source=f"synthetic/{seed}", body=body, year=year, format=gen,
                 title=f"{body}{year}年政府信息公开工作年度报告")
    rep.format_signals = {"synthetic": gen}
    rep.sections = [Section(key=k, number=i + 1, title=SECTION_TITLES[k],
                            text=f"{SECTION_TITLES[k]}的说明文字。" if k not in ("proactive", "requests", "review") else "")
                    for i, k in enumerate(SECTION_KEYS)]
    rep.table2 = _table2(rng, gen, previous)
    carried = ({c: int(x.number()) for c, x in previous.table3.rows["FWD"].cells.items()}
               if previous is not None and "FWD" in previous.table3.rows else None)
    rep.table3 = _table3(rng, gen, scale, zero_share, carried)
    rep.table4 = _table4(rng)
    if prose:
        rep.sections[0] = Section(key="overview", number=1, title=SECTION_TITLES["overview"],
                                  text=overview_text(rng, rep))
    return rep


def _tot(rep: Report, *rows: str) -> int:
    return int(sum(rep.table3.value(r, "TOT") or 0 for r in rows if r in rep.table3.rows))


def overview_text(rng: random.Random, rep: Report) -> str:
    """An overview whose numbers agree with the tables, in the phrasings real reports use."""
    y = rep.year
    new, done, fwd, carry = (_tot(rep, k) for k in ("NEW", "R_TOTAL", "FWD", "CARRY"))
    deny = _tot(rep, *(k for k in rep.table3.rows if k.startswith("R_DENY")))
    unable = _tot(rep, *(k for k in rep.table3.rows if k.startswith("R_UNABLE")))
    notproc = _tot(rep, *(k for k in rep.table3.rows if k.startswith("R_NOTPROC")))
    rev = int(rep.table4.cells["REV_TOTAL"].value or 0)
    lit = int((rep.table4.cells["LIT_D_TOTAL"].value or 0) + (rep.table4.cells["LIT_R_TOTAL"].value or 0))
    a, b, c = rng.randint(20, 400), rng.randint(5, 120), rng.randint(0, 60)
    out = [rng.choice((f"{y}年，本机关共收到政府信息公开申请{new}件，办结{done}件，结转下年度继续办理{fwd}件。",
                       f"{y}年共新收政府信息公开申请{new}件，上年结转{carry}件，全年答复{done}件。",
                       f"全年共受理政府信息公开申请{new + carry}件（含上年结转{carry}件）。")),
           f"其中予以公开{_tot(rep, 'R_OPEN')}件，部分公开{_tot(rep, 'R_PARTIAL')}件，不予公开{deny}件，"
           f"无法提供{unable}件，不予处理{notproc}件。",
           (f"{y}年未发生因政府信息公开引发的行政复议和行政诉讼。" if rev == 0 and lit == 0 else
            f"{y}年发生政府信息公开行政复议案件{rev}件，行政诉讼案件{lit}件。"),
           rng.choice((f"{y}年共主动公开政府信息{a + b + c}条，其中通过门户网站发布{a}条，政务新媒体发布{b}条，"
                       f"公开栏发布{c}条。",
                       f"全年累计主动公开政府信息{a + b + c}条，其中网站发布{a}余条，微信公众号发布{b}条。",
                       f"{y}年共发布政府信息{a + b}条，主要包括政策文件{a // 2}条、工作动态{b}条。"))]
    return "".join(out)


def _table2(rng: random.Random, gen: str, previous: Report | None = None) -> Table2:
    t = Table2(status=PRESENT, generation=gen)
    for block in t2_blocks(gen):
        t.items_seen = (*t.items_seen, block.item)
        for rkey, _ in block.rows:
            cols: dict[str, Cell] = {}
            if rkey == "REG":
                # 规章 are issued only by bodies with rule-making power (provincial and larger-city
                # governments); the sample bodies have none, so the row is all zero.
                vals = {ckey: 0 for ckey, _ in block.columns}
            elif block.item == "1" and gen == GEN_2021:
                issued = rng.randint(0, 10)
                repealed = rng.randint(0, 5)
                valid = issued + rng.randint(0, 60)
                last = previous.table2.rows.get(rkey, {}).get("VALID") if previous is not None else None
                if last is not None and last.value is not None:
                    repealed = min(repealed, int(last.value))
                    valid = int(last.value) + issued - repealed
                vals = {"ISSUED": issued, "REPEALED": repealed, "VALID": valid}
            elif block.item == "1":
                made = rng.randint(0, 10)
                pub = rng.randint(0, made)
                vals = {"MADE": made, "PUBLISHED": pub, "TOTAL": pub + rng.randint(0, 300)}
            elif block.item == "8" and gen == GEN_2021:
                vals = {"AMOUNT": Decimal(rng.randint(0, 200000)) / 10}
            elif block.item == "9":
                vals = {"COUNT": rng.randint(0, 20), "AMOUNT": Decimal(rng.randint(0, 50000)) / 10}
            else:
                vals = {}
                for ckey, _ in block.columns:
                    if ckey == "PREV":
                        vals[ckey] = rng.randint(0, 300)
                        last = previous.table2.rows.get(rkey, {}) if previous is not None else {}
                        if last.get("PREV") is not None and last.get("CHANGE") is not None:
                            vals[ckey] = int(last["PREV"].number() + last["CHANGE"].number())
                    elif ckey == "CHANGE":
                        vals[ckey] = rng.randint(-min(10, vals.get("PREV", 0)), 10)
                    else:
                        vals[ckey] = rng.randint(0, 500)
            for ckey, _ in block.columns:
                v = vals[ckey]
                cols[ckey] = _cell(v, (f"+{v}" if ckey == "CHANGE" and v > 0 and rng.random() < 0.3 else None))
            t.rows[rkey] = cols
    t.amount_unit = "万元"
    t.amount_unit_source = "header" if gen == GEN_2021 else None
    if gen == GEN_2019:
        t.amount_unit = None
    return t


def _table3(rng: random.Random, gen: str, scale: int, zero_share: float,
            carried: dict[str, int] | None = None) -> Table3:
    rows_def = t3_rows(gen)
    keys = [r.key for r in rows_def]
    result_keys = t3_result_rows(set(keys))
    grid: dict[str, dict[str, int]] = {k: {} for k in keys}
    for col in T3_APPL:
        active = col == "NAT" or rng.random() > zero_share
        new = rng.randint(0, scale) if active else 0
        carry = rng.randint(0, max(1, scale // 5)) if active and rng.random() < 0.4 else 0
        if carried is not None:
            carry = carried.get(col, 0)
        avail = new + carry
        fwd = rng.randint(0, avail // 3) if avail else 0
        done = avail - fwd
        parts = dict.fromkeys(result_keys, 0)
        weights = [5.0 if k == "R_OPEN" else 2.0 if k in ("R_PARTIAL", "R_UNABLE_1") else 0.3 for k in result_keys]
        for _ in range(done):
            parts[rng.choices(result_keys, weights)[0]] += 1
        grid["NEW"][col] = new
        grid["CARRY"][col] = carry
        grid["FWD"][col] = fwd
        grid["R_TOTAL"][col] = done
        for k in result_keys:
            grid[k][col] = parts[k]
    t = Table3(status=PRESENT, has_note=True)
    for rd in rows_def:
        cells = {c: _cell(grid[rd.key][c]) for c in T3_APPL}
        cells["TOT"] = _cell(sum(grid[rd.key].values()))
        t.rows[rd.key] = Row(key=rd.key, label=rd.label, cells=cells)
    return t


def _table4(rng: random.Random) -> Table4:
    t = Table4(status=PRESENT)
    rev_total = 0
    for g, _ in T4_GROUPS:
        parts = [rng.choice((0, 0, 0, rng.randint(0, 6))) for _ in range(4)]
        if g == "REV":
            rev_total = sum(parts)
        elif g == "LIT_R":  # lawsuits after review normally follow this year's reviews
            while sum(parts) > rev_total:
                i = max(range(4), key=lambda k: parts[k])
                parts[i] -= 1
        for name, v in zip(("MAINTAIN", "CORRECT", "OTHER", "PENDING"), parts, strict=True):
            t.cells[f"{g}_{name}"] = _cell(v)
        t.cells[f"{g}_TOTAL"] = _cell(sum(parts))
    return t


def make_series(seed: int, body: str, years: range, **kw) -> list[Report]:
    """One body's reports over consecutive ``years``, each agreeing with the year before (2021 format
    from 2021, 2019 format before)."""
    out: list[Report] = []
    for k, y in enumerate(years):
        out.append(make_report(seed * 100 + k, GEN_2021 if y >= 2021 else GEN_2019, year=y, body=body,
                               previous=out[-1] if out else None, **kw))
    return out


def make_corpus(n: int, seed: int = 0, **kw) -> list[Report]:
    """``n`` reports with seeds ``seed .. seed+n-1`` (generation alternates with the RNG)."""
    reps = []
    for i in range(n):
        r = make_report(seed + i, **kw)
        r.source = f"synthetic/report-{seed + i:06d}"
        reps.append(r)
    return reps
