"""Finding messages in Chinese and English, filled from the catalogue templates (no GX import)."""

from __future__ import annotations

from typing import Any

from expectations.catalog import Rule
from expectations.cells import TABLE_LABELS, TABLE_LABELS_EN
from expectations.instances import Instance, Term
from parsers.model import Report

MAX_TERMS = 8
GEN_NAMES = {1: "2019", 2: "2021", 3: "2019 年以前", 0: "未知"}
GEN_NAMES_EN = {1: "2019", 2: "2021", 3: "pre-2019", 0: "unknown"}
GEN_DOCS = {1: "国办公开办函〔2019〕60号", 2: "国办公开办函〔2021〕30号"}


def fmt_num(v: float | int | None) -> str:
    if v is None:
        return "空"
    fv = float(v)
    if fv.is_integer():
        return str(int(fv))
    return f"{fv:.6f}".rstrip("0").rstrip(".")


def _shown(terms: tuple[Term, ...], values: list[float]) -> tuple[list[int], int]:
    if len(terms) <= MAX_TERMS:
        return list(range(len(terms))), 0
    keep = [i for i, v in enumerate(values) if v != 0][:MAX_TERMS]
    for i in range(len(terms)):
        if len(keep) >= 2:
            break
        if i not in keep:
            keep.append(i)
    keep.sort()
    return keep, len(terms) - len(keep)


def side(terms: tuple[Term, ...], values: list[float], en: bool = False) -> str:
    """"（一）予以公开 0 + （二）部分公开 0 + …（其余 17 项均为 0）= 0"; a single term is "label value"."""
    if not terms:
        return "0"
    total = sum(t.coef * v for t, v in zip(terms, values, strict=True))
    if len(terms) == 1 and terms[0].coef == 1:
        t = terms[0]
        return f"{t.label_en if en else t.label} {fmt_num(values[0])}"
    keep, hidden = _shown(terms, values)
    text = ""
    for n, i in enumerate(keep):
        t = terms[i]
        part = f"{t.label_en if en else t.label} {fmt_num(values[i])}"
        text += (part if n == 0 else f" − {part}" if t.coef < 0 else f" + {part}")
    if hidden:
        text += f" + … ({hidden} more, all 0)" if en else f" + …（其余 {hidden} 项均为 0）"
    return f"{text} = {fmt_num(total)}"


class _Safe(dict):
    def __missing__(self, key: str) -> str:
        return "{" + key + "}"


def render(rule: Rule, values: dict[str, Any]) -> tuple[str, str]:
    return rule.message_zh.format_map(_Safe(values)), rule.message_en.format_map(_Safe(values))


def linear_values(inst: Instance, lhs: list[float], rhs: list[float]) -> dict[str, Any]:
    actual = sum(t.coef * v for t, v in zip(inst.lhs, lhs, strict=True))
    expected = sum(t.coef * v for t, v in zip(inst.rhs, rhs, strict=True))
    return {
        "where": inst.where, "where_en": inst.where_en,
        "lhs": side(inst.lhs, lhs), "lhs_en": side(inst.lhs, lhs, en=True),
        "rhs": side(inst.rhs, rhs), "rhs_en": side(inst.rhs, rhs, en=True),
        "actual": fmt_num(actual), "expected": fmt_num(expected),
        "_actual": actual, "_expected": expected,
    }


def zero_values(inst: Instance, lhs: list[float], rhs: list[float]) -> dict[str, Any]:
    nz = [(t, v) for t, v in zip(inst.rhs, rhs, strict=True) if v != 0]
    return {
        "where": inst.where, "where_en": inst.where_en,
        "lhs": side(inst.lhs, lhs), "lhs_en": side(inst.lhs, lhs, en=True),
        "detail": "、".join(f"{t.label} {fmt_num(v)}" for t, v in nz),
        "detail_en": ", ".join(f"{t.label_en} {fmt_num(v)}" for t, v in nz),
        "_actual": sum(v for _, v in nz), "_expected": 0,
    }


def body_values(body: str | None) -> dict[str, str]:
    """{body} {body_kind} {body_kind_en} for T2-REG-AUTH messages."""
    from expectations.bodies import KIND_LABELS, body_type

    zh, en = KIND_LABELS[body_type(body).kind]
    return {"body": body or "未识别", "body_en": body or "not recognised", "body_kind": zh, "body_kind_en": en}


def _sections_detail(codes: dict[str, int]) -> tuple[str, str]:
    from expectations.facts import keys_from_mask, section_names

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


def _period_detail(rep: Report) -> tuple[str, str]:
    from expectations.facts import stated_periods

    bad = [p for p in stated_periods(rep) if not (p.start == p.end == rep.year)]
    text = "、".join(f"「{p.text}」" for p in bad[:3])
    return (f"报告所述统计期限 {text} 与报告年度 {rep.year} 年不符",
            f"the stated statistics period {text} does not match the report year {rep.year}")


def report_values(inst: Instance, codes: dict[str, int], rep: Report) -> dict[str, Any]:
    """Placeholders of a report-level finding, from the frame codes and the report itself."""
    p = inst.param or ""
    year = rep.year
    table = p.split(":")[1] if p.startswith("table:") else None
    reason = getattr(rep, table).reason if table else None
    v: dict[str, Any] = {"where": inst.where, "where_en": inst.where_en, "detail": "", "detail_en": ""}
    if p.startswith("table:"):
        st = codes.get(f"m_st_{p.split(':')[1]}", 1)
        why = f"（{reason}）" if reason else ""
        v["detail"] = ("缺失" if st == 1 else "无法读取") + why + "，相关规则未检查"
        v["detail_en"] = ("is missing" if st == 1 else "is unreadable") + (f" ({reason})" if reason else "") + \
            "; the rules that need it were not checked"
    elif p == "gen":
        g, yg, t2 = codes.get("m_gen", 0), codes.get("m_ygen", 0), codes.get("m_t2gen", 0)
        if g != yg:
            v["detail"] = (f"{year} 年度报告应使用 {GEN_NAMES[yg]} 年格式"
                           f"{'（' + GEN_DOCS[yg] + '）' if yg in GEN_DOCS else ''}，实际识别为 {GEN_NAMES[g]} 年格式")
            v["detail_en"] = (f"a report for {year} must use the {GEN_NAMES_EN[yg]} format; "
                              f"it was recognised as the {GEN_NAMES_EN[g]} format")
        else:
            v["detail"] = f"表二按 {GEN_NAMES[t2]} 年格式填写，而表三等按 {GEN_NAMES[g]} 年格式（格式信号不一致）"
            v["detail_en"] = (f"table 二 follows the {GEN_NAMES_EN[t2]} format while the report follows the "
                              f"{GEN_NAMES_EN[g]} format (mixed signals)")
    elif p == "split":
        if codes.get("m_gen") == 2:
            v["detail"] = "2021 年格式应将（六）其他处理分为 3 个子行，本报告印为 1 行（本地偏差；（七）总计按该行计算）"
            v["detail_en"] = ("the 2021 format splits (6) other handling into 3 sub-rows; this report prints one "
                              "row (a local deviation; the results total is checked against that row)")
        else:
            v["detail"] = "2019 年格式的（六）其他处理为 1 行，本报告印为 3 个子行"
            v["detail_en"] = "the 2019 format prints (6) other handling as one row; this report prints 3 sub-rows"
    elif p.startswith("txtsum:"):
        k = int(p.split(":")[1])
        sm = rep.sums[k] if k < len(rep.sums) else None
        if sm is not None:
            parts = " + ".join(f"{v}{'余' if b == 'min' else ''}" for v, b in sm.parts)
            parts_en = " + ".join(f"{v}{'+' if b == 'min' else ''}" for v, b in sm.parts)
            least = "至少 " if any(b == "min" for _, b in sm.parts) else ""
            if sm.verdict == "over":
                v["detail"] = (f"正文总数 {sm.total}{sm.unit}，而分项 {parts} = {least}{sm.parts_min}{sm.unit}，超过总数；"
                               f"原文：「{sm.sentence}」")
                v["detail_en"] = (f"the text gives a total of {sm.total} but its parts {parts_en} = "
                                  f"{'at least ' if least else ''}{sm.parts_min}, more than the total; the text says: “{sm.sentence}”")
            else:
                v["detail"] = (f"正文总数 {sm.total}{sm.unit}，而所列分项 {parts} = {sm.parts_min}{sm.unit}，与总数不符；"
                               f"原文：「{sm.sentence}」")
                v["detail_en"] = (f"the text gives a total of {sm.total} but the parts it lists, {parts_en}, add up to "
                                  f"{sm.parts_min}; the text says: “{sm.sentence}”")
    elif p == "localrow":
        v["detail"] = "、".join(rep.table2.extra_rows)
        v["detail_en"] = ", ".join(rep.table2.extra_rows)
    elif p == "sections":
        v["detail"], v["detail_en"] = _sections_detail(codes)
    elif p == "headings":
        from expectations.facts import SECTION_TABLE, keys_from_mask, section_names

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
        v["detail"], v["detail_en"] = "；".join(zh), "; ".join(en)
    elif p == "labels":
        from expectations.facts import t3_layout_deviations

        zh, en = t3_layout_deviations(rep)
        v["detail"], v["detail_en"] = "；".join(zh), "; ".join(en)
    elif p == "period":
        v["detail"], v["detail_en"] = _period_detail(rep)
    return v


def observed_lines(rule_id: str | None, result: dict[str, Any]) -> list[str]:
    """Lines for the Data Docs "observed value" cell: the findings of one report if attached, else counts."""
    details = result.get("details") or {}
    findings = details.get("findings")
    if findings:
        lines = []
        for f in findings:
            likely = f.get("likely")
            lines.append(f["message_zh"])
            lines.append(f["message_en"])
            if likely:
                lines.append(f"→ 可能出错的单元格 / likely wrong cell: {likely['label']}，"
                             f"印为 {fmt_num(likely['printed'])}，应为 {fmt_num(likely['value'])}")
        return lines
    ov = result.get("observed_value") or {}
    if isinstance(ov, dict) and "items" in ov:
        return [f"{ov.get('violations', 0)} 处违反 / violated, {ov.get('unverifiable', 0)} 处无法确定 / "
                f"unverifiable, {ov.get('not_checked', 0)} 份未检查 / not checked, "
                f"{ov.get('passes', 0)} 处通过 / passed"]
    return [str(ov)]
