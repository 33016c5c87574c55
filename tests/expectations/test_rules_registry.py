"""The rule families' registry (expectations/rules/) is wired to the catalogue: every implemented rule
resolves to a registered generator, every report-level instance to a check with an evaluator and a
detail function, every mutator to a generator the catalogue uses."""

from __future__ import annotations

import numpy as np

from expectations.catalog import implemented_rules, load_catalog
from expectations.frame import META
from expectations.instances import GENERATORS, instances_for
from expectations.rules import MUTATORS, REPORT_CHECKS, resolve

# the evaluator families whose instances carry this op (catalog.CHECKS)
CHECK_OPS = {"linear": {"eq", "le"}, "authority": {"le"}, "zero_implies": {"zero"}, "domain": {"domain"},
             "flag": {"flag"}, "blank_total": {"blank"}, "report": {"report"}}


def test_every_implemented_rule_resolves_to_a_registered_generator():
    for r in implemented_rules():
        assert r.instances in GENERATORS, f"{r.id}: generator {r.instances!r} is not registered"
        ops = {i.op for i in instances_for(r.instances)}
        assert ops and ops <= CHECK_OPS[r.check or ""], f"{r.id}: check {r.check} but instance ops {ops}"


def test_generators_are_used_once_and_only_by_the_catalogue():
    used = [r.instances for r in load_catalog() if r.instances]
    assert len(used) == len(set(used)), "two rules share a generator"
    assert set(GENERATORS) == {r.instances for r in implemented_rules()}, "a registered generator no rule uses"


def test_every_report_level_param_has_an_evaluator_and_a_detail():
    meta = {m: np.zeros(3, dtype=np.int16) for m in META}
    seen = set()
    for r in implemented_rules():
        for inst in instances_for(r.instances or ""):
            if inst.op != "report":
                assert inst.param is None, f"{r.id}: a cell-level instance with a param"
                continue
            chk, arg = resolve(inst.param)
            seen.add(chk.name)
            assert callable(chk.evaluate) and callable(chk.detail), inst.param
            out = chk.evaluate(meta, arg)
            assert len(out) == 3 and all(np.asarray(x).shape == (3,) for x in out), inst.param
    assert seen == set(REPORT_CHECKS), f"report-level checks no rule uses: {set(REPORT_CHECKS) - seen}"


def test_mutators_belong_to_catalogue_generators():
    assert set(MUTATORS) <= set(GENERATORS)
    within = {r.instances for r in implemented_rules() if r.kind == "within_report"}
    assert within <= set(MUTATORS), f"within-report rules without a mutator: {within - set(MUTATORS)}"
