"""Run the suite: one GX validation per batch of reports, then derive findings from its result."""

from __future__ import annotations

import logging
import os
import time
from typing import Any

import numpy as np

from expectations.catalog import Rule, implemented_rules, rule_by_id
from expectations.cells import GROUP_SUBTOTALS, TABLE_LABELS, TABLE_LABELS_EN, cell
from expectations.facts import group_subtotal_rows, t3_extra_bits
from expectations.findings import (
    FAIL,
    INFO,
    NOT_CHECKED,
    PASS,
    UNREADABLE_REPORT,
    UNVERIFIABLE,
    VIOLATED,
    WARN,
    CheckResult,
    Finding,
    ReportResult,
    RuleSummary,
    finding_id,
)
from expectations.frame import (
    VARIANT_SINGLE,
    VARIANT_SPLIT,
    FrameIndex,
    _variant,
    reports_to_frame,
)
from expectations.instances import SINGLE, SPLIT, Instance, instances_for
from expectations.locate import locate
from expectations.messages import body_values, linear_values, render, report_values, zero_values
from parsers.model import PRESENT, Cell, Report

os.environ.setdefault("GX_ANALYTICS_ENABLED", "false")
log = logging.getLogger(__name__)

_STATE: dict[str, Any] = {}


def _validation_definition():
    """An ephemeral GX context with the suite; built once per process."""
    if "vd" in _STATE:
        return _STATE["vd"]
    import great_expectations as gx
    from great_expectations.data_context.types.base import ProgressBarsConfig

    from expectations.suite import SUITE_NAME, assert_count, build_suite

    for name in ("great_expectations", "great_expectations.expectations.registry"):
        logging.getLogger(name).setLevel(logging.ERROR)
    _no_fingerprint()
    ctx = gx.get_context(mode="ephemeral")
    ctx.variables.progress_bars = ProgressBarsConfig(globally=False)
    ds = ctx.data_sources.add_pandas("nianbao_reports")
    bd = ds.add_dataframe_asset("reports").add_batch_definition_whole_dataframe("batch")
    ctx.suites.add(build_suite())
    suite = ctx.suites.get(SUITE_NAME)
    assert_count(suite)
    vd = ctx.validation_definitions.add(gx.ValidationDefinition(name="nianbao_check", data=bd, suite=suite))
    _STATE.update(ctx=ctx, vd=vd)
    return vd


def _run(vd, df):
    """One validation of the suite over the batch frame, by GX's validator. Not ``ValidationDefinition.run``:
    that also checks the suite against the context's store and serialises the whole result into the
    (ephemeral, never read) validation-results store, a third of a batch's validation time. The
    result's meta is what ``run`` would set."""
    import datetime

    from great_expectations.constants import DATAFRAME_REPLACEMENT_STR
    from great_expectations.core.run_identifier import RunIdentifier
    from great_expectations.validator.v1_validator import Validator

    validator = Validator(batch_definition=vd.batch_definition, batch_parameters={"dataframe": df},
                          result_format="SUMMARY")
    res = validator.validate_expectation_suite(vd.suite)
    run_id = RunIdentifier(run_time=datetime.datetime.now(datetime.UTC))
    res.meta.update(validation_id=vd.id, checkpoint_id=None, run_id=run_id, validation_time=run_id.run_time,
                    batch_parameters={"dataframe": DATAFRAME_REPLACEMENT_STR})
    return res


def _no_fingerprint() -> None:
    """GX fingerprints a pandas batch (an md5 over every column) when it is under ``HASH_THRESHOLD``
    bytes; the fingerprint is shown only in the page block ``expectations.docs`` drops, and cost a
    quarter of a batch's validation. Batches are identified by their reports instead."""
    import great_expectations.execution_engine.pandas_execution_engine as pe

    pe.HASH_THRESHOLD = 0


def gx_context():
    _validation_definition()
    return _STATE["ctx"]


def validate(reports: list[Report], chunk_size: int = 20000, previous: list | None = None) -> CheckResult:
    """``previous``: per report, last year's cells (expectations.crossyear.pair)."""
    t0 = time.perf_counter()
    vd = _validation_definition()
    t_setup = time.perf_counter() - t0
    findings: list[Finding] = []
    stats: dict[str, dict[str, int]] = {r.id: dict.fromkeys(("items", "passes", "violations", "unverifiable",
                                                               "not_checked"), 0) for r in implemented_rules()}
    failing_reports: dict[str, set[str]] = {r.id: set() for r in implemented_rules()}
    gx_results = []
    t_frame = t_gx = t_derive = 0.0
    for start in range(0, max(len(reports), 1), chunk_size):
        chunk = reports[start:start + chunk_size]
        if not chunk:
            break
        t1 = time.perf_counter()
        prev_chunk = previous[start:start + chunk_size] if previous is not None else None
        df, index = reports_to_frame(chunk, prev_chunk)
        index.previous = list(prev_chunk) if prev_chunk is not None else [None] * len(chunk)
        t2 = time.perf_counter()
        res = _run(vd, df)
        t3 = time.perf_counter()
        gx_results.append(res)
        from expectations.frame import _CACHE

        _CACHE.clear()
        for evr in res.results:
            rid = evr.expectation_config.kwargs["rule_id"]
            ov = evr.result["observed_value"]
            for k in stats[rid]:
                stats[rid][k] += int(ov[k])
            for f in _entries_to_findings(rule_by_id(rid), evr.result["details"]["entries"], chunk, index):
                findings.append(f)
                if f.status in (VIOLATED, UNVERIFIABLE):
                    failing_reports[rid].add(f.report_id)
        for f in unpaired_findings(chunk, index):
            findings.append(f)
            stats[f.rule]["items"] += 1
            stats[f.rule]["not_checked"] += 1
        t_derive += time.perf_counter() - t3
        t_frame += t2 - t1
        t_gx += t3 - t2
    t4 = time.perf_counter()
    pos = {r.report_id: i for i, r in enumerate(reports)}
    order = {r.id: i for i, r in enumerate(implemented_rules())}
    findings.sort(key=lambda f: (pos.get(f.report_id, 0), order.get(f.rule, 0), f.status == NOT_CHECKED))
    report_results = _report_results(reports, findings)
    summaries = [RuleSummary(rule=r.id, severity=r.severity, kind=r.kind, items=stats[r.id]["items"],
                             passes=stats[r.id]["passes"], fails=stats[r.id]["violations"],
                             unverifiable=stats[r.id]["unverifiable"], not_evaluated=stats[r.id]["not_checked"],
                             reports_failing=len(failing_reports[r.id])) for r in implemented_rules()]
    t_derive += time.perf_counter() - t4
    return CheckResult(findings=findings, report_results=report_results, rule_summaries=summaries,
                       timings={"setup": t_setup, "frame": t_frame, "gx": t_gx, "derive": t_derive,
                                "total": time.perf_counter() - t0},
                       gx_results=gx_results)


# ---------------------------------------------------------------- findings from the GX result
def _source_cell(rep: Report, cid: str):
    c = cell(cid)
    if c.scope != "report":
        return None
    try:
        if c.table == "table3" and c.row in GROUP_SUBTOTALS:
            return group_subtotal_rows(rep)[c.row].cells.get(c.col or "")
        if c.table == "table3":
            return rep.table3.rows[c.row].cells.get(c.col)  # type: ignore[index]
        if c.table == "table4":
            return rep.table4.cells.get(c.col or "")
        return rep.table2.rows[c.row].get(c.col or "")  # type: ignore[index]
    except KeyError:
        return None


def _cells_of(rep: Report, inst: Instance, values: list[float] | None, prev: Any = None) -> list[dict[str, Any]]:
    out = []
    claims = {c.key: c for c in rep.claims}
    for k, t in enumerate((*inst.lhs, *inst.rhs)):
        c = cell(t.cell)
        src = _source_cell(rep, t.cell)
        d: dict[str, Any] = {"cell": t.cell, "table": c.table, "row": c.row, "column": c.col, "label": c.label,
                             "label_en": c.label_en, "value": values[k] if values else None,
                             "raw": src.raw if src else None, "blank": bool(src is not None and src.value is None)}
        if src is not None and src.prov is not None:
            d["prov"] = src.prov.to_dict()
        d["read"] = _read_mode(rep, c, src)
        if c.scope == "prev" and prev is not None:
            d["read"] = prev.cells.get(t.cell.removeprefix("prev."), (None, "exact"))[1]
            d.update(scope="prev", year=prev.year, report=prev.report_id)
        elif c.scope == "text":
            claim = claims.get(t.cell.removeprefix("txt."))
            d.update(scope="text", read="exact", raw=claim.sentence if claim else None)
        out.append(d)
    return out


_READ_ORDER = {"exact": 0, "readings": 1, "by_position": 2, "ocr": 3}
_VERIFY = {"by_position": ("（该格按表格位置读取，行标签缺失，请核对原文）",
                           " (read by position: the row label was lost; verify the reading)"),
           "ocr": ("（该格经 OCR 识别，请核对原文）", " (read by OCR; verify the reading)")}


def _read_mode(rep: Report, c: Any, src: Cell | None) -> str:
    """How a cell was read: exact, by_position (row label lost), ocr, readings (run-together digits)."""
    if src is not None and "ocr" in src.flags:
        return "ocr"
    if c.scope != "report":
        return "exact"
    if c.table == "table3":
        row = rep.table3.rows.get(c.row or "")
        if row is not None and row.placed_by_position:
            return "by_position"
        if row is not None and row.ambiguous:
            return "readings"
    if c.table == "table4" and len(rep.table4.readings) > 1:
        return "readings"
    if c.table == "table2" and (c.row or "") in rep.table2.readings:
        return "readings"
    return "exact"


def finding_read(cells: list[dict[str, Any]]) -> str:
    """The least trustworthy way any cell of a finding was read."""
    return max((c.get("read", "exact") for c in cells), key=lambda m: _READ_ORDER.get(m, 0), default="exact")


def _readings_text(index: FrameIndex, k: int, j: int) -> dict[str, dict[str, int]]:
    return index.readings[k][j] if j < len(index.readings[k]) else {}


def _distinct_readings(evaluated: list[dict[str, Any]], index: FrameIndex, k: int,
                       inst: Instance) -> list[dict[str, Any]]:
    """One entry per distinct outcome of the rule's own cells over the combinations of readings it was
    evaluated under: its values (lhs, rhs), whether it fails, how many combinations give it
    (``combinations``) and the first of them, as the cells this rule reads (``rows``: source -> column
    -> value). Every combination with every ambiguous row of the report was kept before: 290 KB a
    finding and 6 MB a state entry on a real report with five ambiguous rows."""
    read: dict[str, set[str]] = {}  # source ("t3.<row>", "t2.<row>", "t4") -> the columns this rule reads
    for c in inst.cells:
        src, _, col = c.rpartition(".") if c.startswith(("t2.", "t3.")) else c.partition(".")
        read.setdefault(src, set()).add(col)
    out: dict[tuple[tuple[Any, ...], tuple[Any, ...]], dict[str, Any]] = {}
    for r in evaluated:
        key = (tuple(r["lhs"]), tuple(r["rhs"]))
        if key in out:
            out[key]["combinations"] += 1
            continue
        rows = {src: {c: v for c, v in vals.items() if c in read[src]}
                for src, vals in _readings_text(index, k, r["reading"]).items() if src in read}
        out[key] = dict(r, rows=rows, combinations=1)
    return list(out.values())


def _entries_to_findings(rule: Rule, entries: list[dict[str, Any]], chunk: list[Report],
                         index: FrameIndex) -> list[Finding]:
    insts = instances_for(rule.instances or "")
    out = []
    for e in entries:
        rep = chunk[e["report"]]
        if e["status"] == NOT_CHECKED:
            out.append(_not_checked_finding(rule, rep, e, insts))
            continue
        inst = insts[e["instance"]]
        lhs, rhs = e.get("lhs", []), e.get("rhs", [])
        values: dict[str, Any]
        expected = actual = None
        prev = index.previous[e["report"]] if index.previous else None
        if inst.op in ("eq", "le"):
            values = linear_values(inst, lhs, rhs)
            actual, expected = values["_actual"], values["_expected"]
            if inst.gate == "body":
                values.update(body_values(rep.body))
            if inst.gate == "claim":
                claim = next((c for c in rep.claims if f"txt.{c.key}" == inst.lhs[0].cell), None)
                values["sentence"] = claim.sentence if claim else ""
            if prev is not None:
                values["prev_year"] = prev.year
        elif inst.op == "zero":
            values = zero_values(inst, lhs, rhs)
            actual, expected = values["_actual"], 0
        elif inst.op == "blank":
            values = linear_values(inst, lhs, rhs)
            src = _source_cell(rep, inst.lhs[0].cell)
            values.update(cell=inst.lhs[0].label and cell(inst.lhs[0].cell).label,
                          cell_en=cell(inst.lhs[0].cell).label_en, raw=src.raw if src else "")
            actual, expected = None, values["_expected"]
        elif inst.op in ("domain", "flag"):
            src = _source_cell(rep, inst.lhs[0].cell)
            c = cell(inst.lhs[0].cell)
            actual = lhs[0] if lhs else None
            values = {"cell": c.label, "cell_en": c.label_en, "raw": src.raw if src else "",
                      "actual": actual}
        else:  # report level
            values = report_values(inst, e.get("codes", {}), rep)
        zh, en = render(rule, values)
        readings: list[dict[str, Any]] = []
        if e.get("readings"):
            readings = _distinct_readings(e["readings"], index, e["report"], inst)
            distinct = {(tuple(r["lhs"]), tuple(r["rhs"])): r["violated"] for r in readings}
            n_ok = sum(1 for bad in distinct.values() if not bad)
            if len(distinct) < 2:
                readings = []  # the ambiguous digits are elsewhere: this rule's cells have one reading
            elif e["status"] == UNVERIFIABLE:
                zh += f"（数字连写有 {len(distinct)} 种读法，其中 {n_ok} 种成立，无法确定）"
                en += f" (run-together digits: {len(distinct)} readings, the rule holds under {n_ok}; unverifiable)"
            else:
                zh += f"（数字连写的全部 {len(distinct)} 种读法下均不成立）"
                en += f" (fails under all {len(distinct)} readings of run-together digits)"
        cells = _cells_of(rep, inst, [*lhs, *rhs], prev) if inst.op != "report" else []
        read = finding_read(cells)
        if read in _VERIFY:
            zh += _VERIFY[read][0]
            en += _VERIFY[read][1]
        out.append(Finding(
            id=finding_id(rep.report_id, rule.id, inst.table, inst.row, inst.column, inst.key),
            source=rep.source, report_index=rep.report_index, report_id=rep.report_id, body=rep.body,
            year=rep.year, rule=rule.id, kind=rule.kind, severity=rule.severity, status=e["status"],
            table=inst.table, row=inst.row, column=inst.column, instance=inst.key,
            expected=expected, actual=actual, message_zh=zh, message_en=en,
            cells=cells, readings=readings, read=read,
        ))
    return out


def unpaired_findings(chunk: list[Report], index: FrameIndex) -> list[Finding]:
    """not_checked findings of the cross-year rules for reports with no (or no single) report of last
    year: decided by the pairing, not by the arithmetic, so they do not pass through GX."""
    from expectations.crossyear import NONE_FOUND, SEVERAL
    from expectations.frame import xyear_bits

    rules = [(r, np.bitwise_or.reduce([int((i.gate or "x:0")[2:]) for i in instances_for(r.instances or "")]))
             for r in implemented_rules() if r.kind == "cross_year"]
    out = []
    for k, rep in enumerate(chunk):
        prev = index.previous[k] if index.previous else None
        if prev is None or prev.status not in (NONE_FOUND, SEVERAL):
            continue
        bits = xyear_bits(rep)
        for rule, need in rules:
            if bits & int(need):
                e = {"count": 1, "missing": [], "codes": {"m_prev": prev.status}}
                f = _not_checked_finding(rule, rep, e, ())
                # the instance says why (flows: a report with no previous year is validated again once
                # last year's report of this run is stored)
                f.instance = "no-previous" if prev.status == NONE_FOUND else "several-previous"
                out.append(f)
    return out


def _cross_year_reason(rep: Report, codes: dict[str, Any], missing: list[str]) -> tuple[str, str] | None:
    """Why a cross-year rule could not run: no report of last year, several, or cells missing in it."""
    from expectations.crossyear import NONE_FOUND, SEVERAL

    py = (rep.year or 0) - 1
    body = rep.body or "?"
    if codes.get("m_prev") == NONE_FOUND:
        return (f"未找到「{body}」{py} 年度的报告（按机关名称匹配），跨年度规则未检查",
                f"no {py} report of “{body}” found (matched by body name): the cross-year rule was not checked")
    if codes.get("m_prev") == SEVERAL:
        return (f"找到「{body}」{py} 年度的多份不同报告，无法确定与哪一份比较",
                f"several different {py} reports of “{body}”: which one to compare with is not decided")
    if any(c.startswith("prev.") for c in missing):
        return (f"{py} 年度报告中缺少或无法读取所需单元格（{'、'.join(cell(c).label for c in missing if c.startswith('prev.'))}）",
                f"the {py} report lacks or could not be read in the cells needed")
    return None


def _not_checked_finding(rule: Rule, rep: Report, e: dict[str, Any], insts: tuple[Instance, ...]) -> Finding:
    codes = e.get("codes", {})
    missing = e.get("missing", [])
    if rule.kind == "cross_year" and (why := _cross_year_reason(rep, codes, missing)) is not None:
        n = e.get("count", 1)
        return Finding(
            id=finding_id(rep.report_id, rule.id, rule.table, None, None, "not_checked"),
            source=rep.source, report_index=rep.report_index, report_id=rep.report_id, body=rep.body,
            year=rep.year, rule=rule.id, kind=rule.kind, severity=rule.severity, status=NOT_CHECKED,
            table=rule.table, row=None, column=None, instance="*", expected=None, actual=None,
            message_zh=f"{rule.id} 未检查（{n} 处）：{why[0]}", message_en=f"{rule.id} not checked ({n}): {why[1]}",
            cells=[{"cell": c, "label": cell(c).label, "label_en": cell(c).label_en} for c in missing])
    tables = sorted({cell(c).table for c in missing}) or ([rule.table] if rule.table.startswith("table") else [])
    if rule.table == "any":
        tables = sorted(set(tables) | {t for t in ("table2", "table3", "table4") if codes.get(f"m_st_{t}", 0)})
    zh_parts, en_parts = [], []
    for t in tables:
        st = codes.get(f"m_st_{t}", 0)
        if st:
            word = ("缺失", "is missing") if st == 1 else ("无法读取", "is unreadable")
            reason = getattr(rep, t).reason
            zh_parts.append(f"{TABLE_LABELS[t]}{word[0]}" + (f"（{reason}）" if reason else ""))
            en_parts.append(f"{TABLE_LABELS_EN[t]} {word[1]}" + (f" ({reason})" if reason else ""))
    if not zh_parts and missing:
        labels = [cell(c) for c in missing]
        incomplete = sorted({c.row for c in labels if c.table == "table3" and c.row in rep.table3.rows
                             and rep.table3.rows[c.row].incomplete})
        zh_parts.append("缺少单元格 " + "、".join(c.label for c in labels)
                        + ("（该行印出的单元格不完整，不猜测缺失的是哪一格）" if incomplete else ""))
        en_parts.append("cells not available: " + "; ".join(c.label_en for c in labels)
                        + (" (the row was printed incomplete; the missing cell is not guessed)" if incomplete else ""))
    if any(i.gate == "body" for i in insts) and codes.get("m_body", 0) == 0:
        zh_parts.append(f"无法判断发布机关的类型（机关名称：{rep.body or '未识别'}），规章行不为 0")
        en_parts.append(f"body type unknown (body: {rep.body or 'not recognised'}) while the 规章 row is not 0")
    if not zh_parts:
        zh_parts.append("无法确定格式版本或报告年度")
        en_parts.append("the format generation or the report year could not be determined")
    n = e.get("count", 1)
    zh = f"{rule.id} 未检查（{n} 处）：" + "；".join(zh_parts)
    en = f"{rule.id} not checked ({n} instance{'s' if n != 1 else ''}): " + "; ".join(en_parts)
    table = tables[0] if len(tables) == 1 else rule.table
    return Finding(
        id=finding_id(rep.report_id, rule.id, table, None, None, "not_checked"),
        source=rep.source, report_index=rep.report_index, report_id=rep.report_id, body=rep.body, year=rep.year,
        rule=rule.id, kind=rule.kind, severity=rule.severity, status=NOT_CHECKED, table=table, row=None,
        column=None, instance="*", expected=None, actual=None, message_zh=zh, message_en=en,
        cells=[{"cell": c, "label": cell(c).label, "label_en": cell(c).label_en} for c in missing],
    )


# ---------------------------------------------------------------- per-report results
_ORDER = {FAIL: 4, WARN: 3, INFO: 2}


def _report_results(reports: list[Report], findings: list[Finding]) -> list[ReportResult]:
    by_report: dict[str, list[Finding]] = {}
    for f in findings:
        by_report.setdefault(f.report_id, []).append(f)
    insts_by_rule = {r.id: {i.key: i for i in instances_for(r.instances or "")} for r in implemented_rules()}
    out = []
    for rep in reports:
        fs = by_report.get(rep.report_id, [])
        likely = _likely(rep, fs, insts_by_rule)
        counts = {"fail": 0, "warn": 0, "info": 0, "unverifiable": 0, "not_checked": 0}
        rules: dict[str, str] = {}
        worst = PASS
        for f in fs:
            if f.status == VIOLATED:
                counts[f.severity] += 1
                if _ORDER[f.severity] > _ORDER.get(worst, 0):
                    worst = f.severity
            elif f.status == NOT_CHECKED and f.kind != "within_report":
                continue  # last year's report or a prose claim is not this report's table: listed, not counted
            else:
                counts[f.status] += 1
            prev = rules.get(f.rule)
            if prev != VIOLATED:
                rules[f.rule] = f.status if prev is None or f.status == VIOLATED else prev
        tables = {}
        for t in ("table2", "table3", "table4"):
            st = getattr(rep, t).status
            tf = [f for f in fs if (f.table == t or any(c.get("table") == t for c in f.cells))
                  and not (f.status == NOT_CHECKED and f.kind != "within_report")]
            check = PASS
            if st != PRESENT:
                check = NOT_CHECKED
            else:
                for f in tf:
                    if f.status == VIOLATED and _ORDER[f.severity] > _ORDER.get(check, 0):
                        check = f.severity
                    elif f.status in (UNVERIFIABLE, NOT_CHECKED) and check == PASS:
                        check = f.status
            tables[t] = {"status": st, "check": check}
        # what the reader could not read is never the report's failure, and never a pass either
        reading = rep.reading()
        limited = rep.read_limited(reading)
        unread = any(c["unread"] for c in reading.values())
        if worst != FAIL and (unread or counts["unverifiable"]):
            worst = UNREADABLE_REPORT  # printed cells not read, or readings that leave a rule undecided
        # any rule that could not run keeps the report from passing (never a silent pass)
        elif worst == PASS and (counts["not_checked"] or any(v["check"] == NOT_CHECKED for v in tables.values())):
            worst = NOT_CHECKED
        elif worst == PASS and counts["unverifiable"]:
            worst = UNVERIFIABLE
        out.append(ReportResult(
            source=rep.source, report_index=rep.report_index, report_id=rep.report_id, body=rep.body,
            year=rep.year, format=rep.format, status=worst, tables=tables, counts=counts, rules=rules,
            likely_cells=likely, notes=[n.to_dict() for n in rep.notes], reading=reading,
            read_limited=limited))
    return out


def _likely(rep: Report, fs: list[Finding], insts_by_rule: dict[str, dict[str, Instance]]) -> list[dict[str, Any]]:
    failing = []
    for f in fs:
        if f.status != VIOLATED or f.severity != FAIL or f.readings or f.kind != "within_report":
            continue
        inst = insts_by_rule.get(f.rule, {}).get(f.instance)
        if inst is None or inst.op != "eq":
            continue
        vals = [c["value"] for c in f.cells]
        failing.append((f.rule, inst, vals[:len(inst.lhs)], vals[len(inst.lhs):]))
    if not failing:
        return []
    v = _variant(rep)
    variant = SINGLE if v == VARIANT_SINGLE else SPLIT if v == VARIANT_SPLIT else None
    likely = locate(failing, variant, t3_extra_bits(rep))
    modes = {c["cell"]: c.get("read", "exact") for f in fs for c in f.cells}
    for d in likely:
        if modes.get(d["cell"]) in _VERIFY:
            d["read"] = modes[d["cell"]]
            d["verify"] = True  # read by position or OCR: the owner must check the reading first
    unique = {d["cell"]: d for d in likely if d["unique"]}
    for f in fs:
        for c in f.cells:
            if c["cell"] in unique and f.status == VIOLATED:
                f.likely = unique[c["cell"]]
    return likely
