"""Which cell is most likely wrong (after Statistics Netherlands' errorlocate, single-cell case).

When several equality rules fail in one table and one cell appears in all of them, changing that one
cell can repair them all. It is named the likely error, with the value that satisfies every failing
rule, only if: every failing rule gives the same value for it, that value is a non-negative integer,
and no passing rule also contains the cell (changing it would break that rule). When several cells
qualify, all are listed as candidates and none is singled out (no random tie-breaking).
"""

from __future__ import annotations

from collections import defaultdict
from functools import cache, lru_cache
from typing import Any

from expectations.catalog import implemented_rules
from expectations.cells import cell
from expectations.instances import Instance, instances_for

TOL = 1e-6


@lru_cache(maxsize=1)
def _eq_instances() -> tuple[tuple[str, Instance], ...]:
    out = []
    for rule in implemented_rules():
        if rule.check == "linear" and rule.severity == "fail":
            out.extend((rule.id, i) for i in instances_for(rule.instances or "") if i.op == "eq")
    return tuple(out)


def _net(inst: Instance) -> dict[str, float]:
    coef: dict[str, float] = defaultdict(float)
    for t in inst.lhs:
        coef[t.cell] += t.coef
    for t in inst.rhs:
        coef[t.cell] -= t.coef
    return coef


def locate(failing: list[tuple[str, Instance, list[float], list[float]]], variant: str | None,
           extra: int = 0) -> list[dict[str, Any]]:
    """``failing``: (rule id, instance, lhs values, rhs values) of violated equality rules of one report.
    ``variant``: the report's table 三 （六） layout (single/split); ``extra``: its local additions to table 三
    (``facts.t3_extra_bits``), so that rules on a column or row the report does not print are ignored.
    Returns likely cells (see module doc)."""
    by_table: dict[str, list[tuple[str, Instance, list[float], list[float]]]] = defaultdict(list)
    for f in failing:
        by_table[f[1].table].append(f)
    failing_keys = {(r, i.key) for r, i, _, _ in failing}
    out: list[dict[str, Any]] = []
    for _table, group in sorted(by_table.items()):
        values: dict[str, float] = {}
        for _, inst, lhs, rhs in group:
            for t, v in zip((*inst.lhs, *inst.rhs), (*lhs, *rhs), strict=True):
                values[t.cell] = v
        shared = set.intersection(*(set(_net(i).keys()) for _, i, _, _ in group))
        candidates = []
        for cid in sorted(shared):
            fixes = set()
            for _, inst, lhs, rhs in group:
                a = _net(inst)[cid]
                if abs(a) < TOL:
                    break
                resid = sum(t.coef * v for t, v in zip(inst.lhs, lhs, strict=True)) - sum(
                    t.coef * v for t, v in zip(inst.rhs, rhs, strict=True))
                fixes.add(round(values[cid] - resid / a, 6))
            else:
                if len(fixes) != 1:
                    continue
                new = fixes.pop()
                if new < 0 or abs(new - round(new)) > TOL:
                    continue
                if _breaks_passing(cid, failing_keys, variant, extra):
                    continue
                candidates.append((cid, new))
        for cid, new in candidates:
            c = cell(cid)
            out.append({"cell": cid, "table": c.table, "row": c.row, "column": c.col, "label": c.label,
                        "label_en": c.label_en, "printed": values[cid], "value": round(new),
                        "rules": sorted({r for r, i, _, _ in group}), "unique": len(candidates) == 1})
    return out


@cache
def _needs(inst: Instance) -> int:
    bits = 0
    for c in inst.cells:
        bits |= cell(c).extra
    return bits


def _breaks_passing(cid: str, failing_keys: set[tuple[str, str]], variant: str | None, extra: int) -> bool:
    for rid, inst in _eq_instances():
        if (rid, inst.key) in failing_keys or cid not in inst.cells:
            continue
        if inst.variant and variant and inst.variant != variant:
            continue
        if _needs(inst) & ~extra:
            continue  # a rule on a local column or row this report does not print
        if abs(_net(inst).get(cid, 0.0)) > TOL:
            return True
    return False
