"""Finding messages in Chinese and English, filled from the catalogue templates (no GX import)."""

from __future__ import annotations

from typing import Any

from expectations.catalog import Rule
from expectations.instances import Instance, Term
from parsers.model import Report

MAX_TERMS = 8


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


def report_values(inst: Instance, codes: dict[str, int], rep: Report) -> dict[str, Any]:
    """Placeholders of a report-level finding: ``{detail}`` comes from the instance's ``ReportCheck``
    (``expectations/rules/``), from the frame codes and the report itself."""
    from expectations.rules import resolve

    chk, arg = resolve(inst.param)
    zh, en = chk.detail(codes, rep, arg)
    return {"where": inst.where, "where_en": inst.where_en, "detail": zh, "detail_en": en}


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
