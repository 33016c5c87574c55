"""The vectorised evaluation of one rule over a validation frame: the body of the GX metric.

It is called only from the GX metric provider (``gx_expectations.RuleOutcomes``); findings are derived
from what GX returns, never by calling this a second time.

Per (report, instance) the outcome is one of: pass, violated (under every reading), unverifiable
(violated under some readings only), not_checked (a cell it needs is not available). Instances that do
not apply to a report's layout are not counted at all.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache, lru_cache
from typing import Any

import numpy as np

from expectations.catalog import rule_by_id
from expectations.cells import cell, cell_index
from expectations.frame import GEN_CODES, VARIANT_SINGLE, VARIANT_SPLIT, FrameArrays
from expectations.instances import SINGLE, SPLIT, Instance, instances_for

TOL = 1e-6
MAX_NOT_CHECKED_CELLS = 5


@dataclass(frozen=True, slots=True)
class CompiledRule:
    rule_id: str
    op_family: str
    instances: tuple[Instance, ...]
    idx: tuple[np.ndarray, ...]  # cell indices of each instance (lhs then rhs)
    incidence: np.ndarray  # cells x instances (0/1): which cells an instance needs
    ncells: np.ndarray  # cells needed per instance
    L: np.ndarray  # cells x instances: coefficients of the left side
    R: np.ndarray  # cells x instances: coefficients of the right side
    variant: np.ndarray  # per instance: 0 any, 1 single, 2 split
    t2gen: np.ndarray  # per instance: 0 any, 1 = 2019, 2 = 2021
    extra: np.ndarray  # per instance: m_t3extra bits the report must have (local column / subtotal rows)
    gate_body: np.ndarray  # per instance: decided only when the body's type is known
    xbits: np.ndarray  # per instance: m_xapp bits a report needs (cross-year rules), 0 any
    claim: np.ndarray  # per instance: cell index of the prose claim it needs to apply at all, -1 none


def _derived_applicability(inst: Instance) -> tuple[int, int, int]:
    """(table 三 variant, table 二 generation, m_t3extra bits) an instance needs, from its cells."""
    variant = {SINGLE: VARIANT_SINGLE, SPLIT: VARIANT_SPLIT}.get(inst.variant or "", 0)
    t2gen = GEN_CODES.get(inst.t2gen or "", 0)
    extra = 0
    for cid in inst.cells:
        extra |= cell(cid).extra
    if inst.op == "zero":
        return variant, t2gen, extra
    for cid in inst.cells:
        c = cell(cid)
        if c.scope != "report":
            continue
        if c.table == "table3" and c.row == "R_OTHER":
            variant = variant or VARIANT_SINGLE
        elif c.table == "table3" and c.row in ("R_OTHER_1", "R_OTHER_2", "R_OTHER_3"):
            variant = variant or VARIANT_SPLIT
        elif c.table == "table2" and not t2gen:
            from expectations.cells import T2_GENERATIONS

            gens = T2_GENERATIONS[(c.row, c.col)]
            if len(gens) == 1:
                t2gen = GEN_CODES[gens[0]]
    return variant, t2gen, extra


@cache
def compile_rule(rule_id: str) -> CompiledRule:
    rule = rule_by_id(rule_id)
    if not rule.implemented or not rule.instances:
        raise ValueError(f"rule {rule_id} is not implemented")
    insts = instances_for(rule.instances)
    cidx = cell_index()
    n, m = len(cidx), len(insts)
    inc = np.zeros((n, m), dtype=np.int32)
    L = np.zeros((n, m))
    R = np.zeros((n, m))
    idx = []
    variant = np.zeros(m, dtype=np.int16)
    t2gen = np.zeros(m, dtype=np.int16)
    extra = np.zeros(m, dtype=np.int16)
    for j, inst in enumerate(insts):
        for t in inst.lhs:
            L[cidx[t.cell], j] += t.coef
        for t in inst.rhs:
            R[cidx[t.cell], j] += t.coef
        cells = [cidx[c] for c in inst.cells]
        idx.append(np.array(cells, dtype=np.int64))
        inc[cells, j] = 1
        variant[j], t2gen[j], extra[j] = _derived_applicability(inst)
    ops = {i.op for i in insts}
    if len(ops) != 1:
        raise ValueError(f"rule {rule_id}: instances mix ops {ops}")
    gate_body = np.array([i.gate == "body" for i in insts], dtype=bool)
    xbits = np.array([int(i.gate[2:]) if (i.gate or "").startswith("x:") else 0 for i in insts], dtype=np.int16)
    claim = np.array([cidx[i.lhs[0].cell] if i.gate == "claim" else -1 for i in insts], dtype=np.int64)
    return CompiledRule(rule_id, ops.pop(), insts, tuple(idx), inc, inc.sum(axis=0), L, R, variant, t2gen, extra,
                        gate_body, xbits, claim)


def _applicable(cr: CompiledRule, a: FrameArrays) -> np.ndarray:
    nrow = len(a.report)
    app = np.ones((nrow, len(cr.instances)), dtype=bool)
    if cr.variant.any():
        v = a.meta["m_variant"][:, None]
        app &= (cr.variant[None, :] == 0) | (v == 0) | (v == cr.variant[None, :])
    if cr.t2gen.any():
        g = a.meta["m_t2gen"][:, None]
        app &= (cr.t2gen[None, :] == 0) | (g == 0) | (g == cr.t2gen[None, :])
    if cr.extra.any():
        x = a.meta["m_t3extra"][:, None]
        app &= (x & cr.extra[None, :]) == cr.extra[None, :]
    if cr.xbits.any():
        # only reports paired with last year's: the others get their not_checked finding from the engine
        # (engine.unpaired_findings), which keeps thousands of identical entries out of the GX result
        x = a.meta["m_xapp"][:, None]
        paired = (a.meta["m_prev"] == 2)[:, None]
        app &= (cr.xbits[None, :] == 0) | (((x & cr.xbits[None, :]) != 0) & paired)
    if (cr.claim >= 0).any():
        has = np.ones((nrow, len(cr.instances)), dtype=bool)
        js = np.flatnonzero(cr.claim >= 0)
        has[:, js] = a.A[:, cr.claim[js]]
        app &= has  # a prose rule applies only where the prose states the number
    return app


def _report_level(cr: CompiledRule, a: FrameArrays) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Report-level instances: each one's ``ReportCheck`` (``expectations/rules/``) decides it from the
    frame's ``m_*`` codes."""
    from expectations.rules import resolve

    shape = (len(a.report), len(cr.instances))
    app = np.zeros(shape, dtype=bool)
    ev = np.zeros(shape, dtype=bool)
    bad = np.zeros(shape, dtype=bool)
    for j, inst in enumerate(cr.instances):
        try:
            chk, arg = resolve(inst.param)
        except KeyError:
            raise ValueError(f"{cr.rule_id}: unknown report-level check {inst.param!r}") from None
        app[:, j], ev[:, j], bad[:, j] = chk.evaluate(a.meta, arg)
    return app, ev, bad


def _cells_level(cr: CompiledRule, a: FrameArrays) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    app = _applicable(cr, a)
    avail_count = a.A.astype(np.int32) @ cr.incidence
    ev = avail_count == cr.ncells[None, :]
    op = cr.op_family
    if op in ("eq", "le"):
        lhs = a.V @ cr.L
        rhs = a.V @ cr.R
        bad = np.abs(lhs - rhs) > TOL if op == "eq" else (lhs - rhs) > TOL
    elif op == "domain":
        cols = np.array([i[0] for i in cr.idx])
        v = a.V[:, cols]
        blank = a.B[:, cols]
        kinds = [cell(i.target or "").kind for i in cr.instances]
        need_int = np.array([k == "count" for k in kinds])
        bad = ~blank & ((v < -TOL) | (need_int[None, :] & (np.abs(v - np.round(v)) > TOL)))
    elif op == "flag":
        cols = np.array([i[0] for i in cr.idx])
        bad = a.F[:, cols]
    elif op == "blank":
        tcols = np.array([i[0] for i in cr.idx])
        nonzero_parts = (np.abs(a.V) > TOL).astype(np.int32) @ cr.R.astype(bool).astype(np.int32)
        bad = a.B[:, tcols] & (nonzero_parts > 0)
    elif op == "zero":
        trig = a.V @ cr.L
        trig_ev = (a.A.astype(np.int32) @ (cr.L != 0).astype(np.int32)) == (cr.L != 0).sum(axis=0)[None, :]
        ev = trig_ev
        nonzero = (a.A & (np.abs(a.V) > TOL)).astype(np.int32) @ (cr.R != 0).astype(np.int32)
        bad = (np.abs(trig) <= TOL) & (nonzero > 0)
    else:
        raise ValueError(f"{cr.rule_id}: unknown op {op!r}")
    if cr.gate_body.any():
        # T2-REG-AUTH: a 规章 cell of 0 satisfies the rule whatever the body; a non-zero one is a violation
        # for a body without rule-making power, fine for one that may have it, and undecided otherwise.
        body = a.meta["m_body"][:, None]
        g = cr.gate_body[None, :]
        nonzero = bad.copy()
        ev = ev & ~(g & nonzero & (body == 0))
        bad = bad & (~g | (body == 1))
    return app, ev, bad


def _values(a: FrameArrays, row: int, idx: np.ndarray) -> list[float | int]:
    out = []
    for v in a.V[row, idx]:
        fv = float(v)
        out.append(int(fv) if fv.is_integer() else round(fv, 6))
    return out


def evaluate_rule(rule_id: str, a: FrameArrays) -> dict[str, Any]:
    """Outcomes of one rule for every report in the frame (JSON-serialisable)."""
    cr = compile_rule(rule_id)
    nrep = len(a.starts)
    res: dict[str, Any] = {"rule": rule_id, "reports": int(nrep), "items": 0, "passes": 0, "violations": 0,
                           "unverifiable": 0, "not_checked": 0, "entries": []}
    if nrep == 0:
        return res
    if cr.op_family == "report":
        app, ev, bad = _report_level(cr, a)
    else:
        app, ev, bad = _cells_level(cr, a)
    ev &= app
    bad &= ev
    starts = a.starts
    n_app = np.add.reduceat(app.astype(np.int32), starts, axis=0)
    n_ev = np.add.reduceat(ev.astype(np.int32), starts, axis=0)
    n_bad = np.add.reduceat(bad.astype(np.int32), starts, axis=0)
    applies = n_app > 0
    not_checked = applies & (n_ev == 0)
    violated = (n_ev > 0) & (n_bad == n_ev)
    unverifiable = (n_bad > 0) & (n_bad < n_ev)
    if cr.op_family != "report" and a.U.any():
        # failing under every combination evaluated proves nothing where not all could be evaluated
        for r, j in zip(*np.nonzero(violated), strict=True):
            if a.U[starts[r], cr.idx[j]].any():
                violated[r, j] = False
                unverifiable[r, j] = True
    res["items"] = int(applies.sum())
    res["violations"] = int(violated.sum())
    res["unverifiable"] = int(unverifiable.sum())
    res["not_checked"] = int(not_checked.sum())
    res["passes"] = res["items"] - res["violations"] - res["unverifiable"] - res["not_checked"]
    entries = res["entries"]
    ends = np.r_[starts[1:], len(a.report)]
    for r, j in zip(*np.nonzero(violated | unverifiable), strict=True):
        rows = range(starts[r], ends[r])
        status = "violated" if violated[r, j] else "unverifiable"
        e: dict[str, Any] = {"report": int(a.report_ids[r]), "instance": int(j), "status": status}
        inst = cr.instances[j]
        nl = len(inst.lhs)
        by = []
        for row in rows:
            if not ev[row, j]:
                continue
            vals = _values(a, row, cr.idx[j])
            by.append({"reading": int(row - starts[r]), "violated": bool(bad[row, j]),
                       "lhs": vals[:nl], "rhs": vals[nl:]})
        first = next(b for b in by if b["violated"])
        e["lhs"], e["rhs"] = first["lhs"], first["rhs"]
        if len(by) > 1:
            e["readings"] = by
        if inst.op == "report":
            e["codes"] = {k: int(v[starts[r]]) for k, v in a.meta.items()}
        entries.append(e)
    for r in np.flatnonzero(not_checked.any(axis=1)):
        row = starts[r]
        js = np.flatnonzero(not_checked[r])
        missing: list[str] = []
        if cr.op_family != "report":
            for j in js:
                for ci in cr.idx[j]:
                    if not a.A[row, ci]:
                        cid = cell_index_inv()[int(ci)]
                        if cid not in missing:
                            missing.append(cid)
                if len(missing) >= MAX_NOT_CHECKED_CELLS:
                    break
        entries.append({"report": int(a.report_ids[r]), "status": "not_checked",
                        "instances": [int(j) for j in js[:50]], "count": len(js),
                        "missing": missing[:MAX_NOT_CHECKED_CELLS],
                        "codes": {k: int(v[row]) for k, v in a.meta.items()}})
    return res


@lru_cache(maxsize=1)
def cell_index_inv() -> dict[int, str]:
    return {i: c for c, i in cell_index().items()}
