"""The report-level format rules: FMT-TABLES, FMT-GEN, FMT-NOTE, FMT-SECTIONS, FMT-SECTIONS-HEADING,
FMT-LABELS, FMT-PERIOD, T3-FMT-SPLIT and T2-LOCALROW.

Each is one instance (or one per table) with op ``report`` and a ``param`` naming its ``ReportCheck``:
``evaluate(meta, arg)`` decides it from the frame's ``m_*`` codes (``frame.META``, computed by
``facts.py``), ``detail(codes, report, arg)`` fills the ``{detail}`` of its message.
"""

from __future__ import annotations

import numpy as np

from expectations.cells import TABLE_LABELS, TABLE_LABELS_EN
from expectations.facts import (
    SECTION_TABLE,
    keys_from_mask,
    section_names,
    stated_periods,
    t3_layout_deviations,
)
from expectations.frame import STATUS_CODES, VARIANT_SINGLE, VARIANT_SPLIT
from expectations.instances import Instance
from expectations.rules.mutation import T3_COLS_ALL, Mutation, add_sub_column
from expectations.rules.registry import generator, mutates, no_detail, report_check
from parsers.layout import T3_ROWS_BY_KEY
from parsers.model import MISSING, UNREADABLE, Cell, Row

GEN_NAMES = {1: "2019", 2: "2021", 3: "2019 年以前", 0: "未知"}
GEN_NAMES_EN = {1: "2019", 2: "2021", 3: "pre-2019", 0: "unknown"}
GEN_DOCS = {1: "国办公开办函〔2019〕60号", 2: "国办公开办函〔2021〕30号"}


def _fmt_applicable(m) -> np.ndarray:
    return m["m_fmt_applicable"] == 1


def _one(kind: str, table: str, row: str | None, where: str, where_en: str, param: str) -> tuple[Instance, ...]:
    return (Instance(kind, table, row, None, where, where_en, "report", param=param),)


# ---------------------------------------------------------------- FMT-TABLES
@generator
def fmt_tables() -> tuple[Instance, ...]:
    return tuple(Instance(t, "report", None, None, lab, lab_en, "report", param=f"table:{t}")
                 for t, lab, lab_en in (("table2", "表二", "Table 二"), ("table3", "表三", "Table 三"),
                                        ("table4", "表四", "Table 四")))


def _tables_eval(m, table):
    # only a verified absence fails; a table that is there but unreadable is the reader's limit
    st = m[f"m_st_{table}"]
    return _fmt_applicable(m), st != STATUS_CODES[UNREADABLE], st == STATUS_CODES[MISSING]


def _tables_detail(codes, rep, table):
    reason = getattr(rep, table).reason
    st = codes.get(f"m_st_{table}", 1)
    why = f"（{reason}）" if reason else ""
    zh = ("缺失" if st == 1 else "无法读取") + why + "，相关规则未检查"
    en = ("is missing" if st == 1 else "is unreadable") + (f" ({reason})" if reason else "") + \
        "; the rules that need it were not checked"
    return zh, en


report_check("table", _tables_eval, _tables_detail)


@mutates(fmt_tables)
def _m_tables(rep, rng):
    t = rng.choice(("table2", "table3", "table4"))
    tab = getattr(rep, t)
    tab.status = MISSING
    tab.reason = "mutated: table removed"
    return Mutation("", t, "present", MISSING)


# ---------------------------------------------------------------- FMT-GEN
@generator
def fmt_gen() -> tuple[Instance, ...]:
    return _one("format", "report", None, "格式版本", "format generation", "gen")


def _gen_eval(m, arg):
    t2 = m["m_t2gen"]
    bad = (m["m_gen"] != m["m_ygen"]) | ((t2 != 0) & np.isin(m["m_gen"], (1, 2)) & (t2 != m["m_gen"]))
    return np.ones(len(m["m_gen"]), dtype=bool), (m["m_gen"] != 0) & (m["m_ygen"] != 0), bad


def _gen_detail(codes, rep, arg):
    year = rep.year
    g, yg, t2 = codes.get("m_gen", 0), codes.get("m_ygen", 0), codes.get("m_t2gen", 0)
    if g != yg:
        return (f"{year} 年度报告应使用 {GEN_NAMES[yg]} 年格式"
                f"{'（' + GEN_DOCS[yg] + '）' if yg in GEN_DOCS else ''}，实际识别为 {GEN_NAMES[g]} 年格式",
                f"a report for {year} must use the {GEN_NAMES_EN[yg]} format; "
                f"it was recognised as the {GEN_NAMES_EN[g]} format")
    return (f"表二按 {GEN_NAMES[t2]} 年格式填写，而表三等按 {GEN_NAMES[g]} 年格式（格式信号不一致）",
            f"table 二 follows the {GEN_NAMES_EN[t2]} format while the report follows the "
            f"{GEN_NAMES_EN[g]} format (mixed signals)")


report_check("gen", _gen_eval, _gen_detail)


@mutates(fmt_gen)
def _m_gen(rep, rng):
    before = rep.year
    rep.year = 2022 if rep.format == "2019" else 2020
    if rep.title and before:
        rep.title = rep.title.replace(str(before), str(rep.year))
    return Mutation("", "year", before, rep.year)


# ---------------------------------------------------------------- T3-FMT-SPLIT
@generator
def t3_fmt_split() -> tuple[Instance, ...]:
    return _one("R_OTHER", "table3", "R_OTHER", "（六）其他处理", "(6) other handling", "split")


def _split_eval(m, arg):
    bad = ((m["m_gen"] == 2) & (m["m_variant"] == VARIANT_SINGLE)) | (
        (m["m_gen"] == 1) & (m["m_variant"] == VARIANT_SPLIT))
    return np.isin(m["m_gen"], (1, 2)), (m["m_st_table3"] == 0) & (m["m_variant"] != 0), bad


def _split_detail(codes, rep, arg):
    if codes.get("m_gen") == 2:
        return ("2021 年格式应将（六）其他处理分为 3 个子行，本报告印为 1 行（本地偏差；（七）总计按该行计算）",
                "the 2021 format splits (6) other handling into 3 sub-rows; this report prints one "
                "row (a local deviation; the results total is checked against that row)")
    return ("2019 年格式的（六）其他处理为 1 行，本报告印为 3 个子行",
            "the 2019 format prints (6) other handling as one row; this report prints 3 sub-rows")


report_check("split", _split_eval, _split_detail)


@mutates(t3_fmt_split)
def _m_fmt_split(rep, rng):
    rows = rep.table3.rows
    if "R_OTHER_1" in rows:
        subs = [rows.pop(k) for k in ("R_OTHER_1", "R_OTHER_2", "R_OTHER_3")]
        cells = {c: Cell(value=sum(int(s.cells[c].value or 0) for s in subs),
                         raw=str(sum(int(s.cells[c].value or 0) for s in subs))) for c in subs[0].cells}
        new = Row(key="R_OTHER", label=T3_ROWS_BY_KEY["R_OTHER"].label, cells=cells)
    else:
        old = rows.pop("R_OTHER")
        new = None
        for k in ("R_OTHER_1", "R_OTHER_2", "R_OTHER_3"):
            cells = old.cells if k == "R_OTHER_1" else {c: Cell(value=0, raw="0") for c in old.cells}
            rows[k] = Row(key=k, label=T3_ROWS_BY_KEY[k].label, cells=dict(cells))
    if new is not None:
        rows["R_OTHER"] = new
    return Mutation("", "t3.R_OTHER", "layout", "layout")


# ---------------------------------------------------------------- FMT-NOTE
@generator
def fmt_note() -> tuple[Instance, ...]:
    return _one("note", "table3", None, "勾稽关系说明", "arithmetic note", "note")


def _note_eval(m, arg):
    return _fmt_applicable(m), m["m_st_table3"] == 0, m["m_note"] == 0


report_check("note", _note_eval, no_detail)


@mutates(fmt_note)
def _m_note(rep, rng):
    rep.table3.has_note = False
    return Mutation("", "t3.note", True, False)


# ---------------------------------------------------------------- T2-LOCALROW
@generator
def t2_localrow() -> tuple[Instance, ...]:
    return _one("extra", "table2", None, "本地行", "local rows", "localrow")


def _localrow_eval(m, arg):
    return _fmt_applicable(m), m["m_st_table2"] == 0, m["m_t2extra"] > 0


def _localrow_detail(codes, rep, arg):
    return "、".join(rep.table2.extra_rows), ", ".join(rep.table2.extra_rows)


report_check("localrow", _localrow_eval, _localrow_detail)


@mutates(t2_localrow)
def _m_localrow(rep, rng):
    rep.table2.extra_rows["其他主动公开文件"] = {"MADE": Cell(value=3, raw="3")}
    return Mutation("", "t2.extra", None, "其他主动公开文件")


# ---------------------------------------------------------------- FMT-SECTIONS, FMT-SECTIONS-HEADING
def _sections_decided(m) -> np.ndarray:
    # which sections a report needs depends on its generation: unknown year and format -> undecided
    return np.isin(m["m_gen"], (1, 2)) | np.isin(m["m_ygen"], (1, 2))


@generator
def fmt_sections() -> tuple[Instance, ...]:
    return _one("sections", "report", None, "报告结构", "report structure", "sections")


def _sections_eval(m, arg):
    return _fmt_applicable(m), _sections_decided(m), (m["m_sec_missing"] != 0) | (m["m_sec_order"] != 0)


def _sections_detail(codes, rep, arg):
    zh, en = [], []
    missing = keys_from_mask(codes.get("m_sec_missing", 0))
    late = keys_from_mask(codes.get("m_sec_order", 0))
    if missing:
        zh.append("缺少" + section_names(missing))
        en.append("missing: " + section_names(missing, en=True))
    if late:
        zh.append(section_names(late) + "的位置不符合规定的顺序")
        en.append("out of order: " + section_names(late, en=True))
    return "；".join(zh), "; ".join(en)


report_check("sections", _sections_eval, _sections_detail)


@mutates(fmt_sections)
def _m_sections(rep, rng):
    if rng.random() < 0.7:
        key = rng.choice(("overview", "problems", "other"))
        rep.sections = [s for s in rep.sections if s.key != key]
        return Mutation("", f"section.{key}", "present", "missing")
    i, j = sorted(rng.sample(range(len(rep.sections)), 2))
    rep.sections[i], rep.sections[j] = rep.sections[j], rep.sections[i]
    return Mutation("", "sections", "in order", f"{rep.sections[i].key}<->{rep.sections[j].key}")


@generator
def fmt_sections_heading() -> tuple[Instance, ...]:
    return _one("headings", "report", None, "部分标题", "section headings", "headings")


def _headings_eval(m, arg):
    return _fmt_applicable(m), _sections_decided(m), m["m_sec_headless"] != 0


def _headings_detail(codes, rep, arg):
    keys = keys_from_mask(codes.get("m_sec_headless", 0))
    with_table = [k for k in keys if k in SECTION_TABLE]
    others = [k for k in keys if k not in SECTION_TABLE]
    zh, en = [], []
    if with_table:
        tables = "、".join(TABLE_LABELS[SECTION_TABLE[k]] for k in with_table)
        zh.append(f"未印部分标题{section_names(tuple(with_table))}（{tables}已列出）")
        en.append(f"section heading not printed: {section_names(tuple(with_table), en=True)} (its table is "
                  f"there: {', '.join(TABLE_LABELS_EN[SECTION_TABLE[k]] for k in with_table)})")
    if others:
        zh.append(f"未识别部分标题{section_names(tuple(others))}（其标题用语或编号见于正文，请核对标题）")
        en.append(f"section heading not recognised: {section_names(tuple(others), en=True)} (its words or "
                  "its number appear in the text; check the heading)")
    return "；".join(zh), "; ".join(en)


report_check("headings", _headings_eval, _headings_detail)


@mutates(fmt_sections_heading)
def _m_heading(rep, rng):
    key = rng.choice(("proactive", "requests", "review"))
    rep.sections = [s for s in rep.sections if s.key != key]
    return Mutation("", f"section.{key}", "heading", "no heading")


# ---------------------------------------------------------------- FMT-LABELS
@generator
def fmt_labels() -> tuple[Instance, ...]:
    return _one("t3layout", "table3", None, "表三行列", "table 三 rows and columns", "labels")


def _labels_eval(m, arg):
    return _fmt_applicable(m), m["m_st_table3"] == 0, (m["m_t3extra"] != 0) | (m["m_t3local"] > 0)


def _labels_detail(codes, rep, arg):
    zh, en = t3_layout_deviations(rep)
    return "；".join(zh), "; ".join(en)


report_check("labels", _labels_eval, _labels_detail)


@mutates(fmt_labels)
def _m_labels(rep, rng):
    if rng.random() < 0.5:
        add_sub_column(rep)
        return Mutation("", "t3.SUB", None, "法人或其他组织小计")
    cells = {c: Cell(value=0, raw="0") for c in T3_COLS_ALL}
    rep.table3.extra_rows.append(Row(key="", label="其中：网上申请", cells=cells))
    return Mutation("", "t3.extra", None, "其中：网上申请")


# ---------------------------------------------------------------- FMT-PERIOD
@generator
def fmt_period() -> tuple[Instance, ...]:
    return _one("period", "report", None, "统计期限", "statistics period", "period")


def _period_eval(m, arg):
    # only when a period is stated
    return _fmt_applicable(m) & (m["m_period"] != 0), m["m_ygen"] != 0, m["m_period"] == 2


def _period_detail(codes, rep, arg):
    bad = [p for p in stated_periods(rep) if not (p.start == p.end == rep.year)]
    text = "、".join(f"「{p.text}」" for p in bad[:3])
    return (f"报告所述统计期限 {text} 与报告年度 {rep.year} 年不符",
            f"the stated statistics period {text} does not match the report year {rep.year}")


report_check("period", _period_eval, _period_detail)


@mutates(fmt_period)
def _m_period(rep, rng):
    if rep.year is None or not rep.sections:
        return None
    y = rep.year - rng.randint(1, 2)
    sec = rep.sections[-1]
    sec.text += f"本报告所列数据统计期限为{y}年1月1日至{y}年12月31日。"
    return Mutation("", "period", rep.year, y)
