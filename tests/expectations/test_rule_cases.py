"""Every implemented rule: valid / invalid / undecided cases, checked in one GX validation."""

from __future__ import annotations

import pytest

from expectations.catalog import implemented_rules, rule_by_id
from tests.expectations.conftest import statuses
from tests.expectations.rule_cases import ALWAYS_DECIDABLE, CASES, EXTRA_VALID

RULE_IDS = [r.id for r in implemented_rules()]


def test_every_rule_has_cases():
    missing = [r for r in RULE_IDS if r not in CASES]
    assert not missing, f"rules without test cases: {missing}"
    for rid in RULE_IDS:
        kinds = set(CASES[rid])
        assert {"valid", "invalid"} <= kinds, f"{rid}: needs valid and invalid cases"
        assert "undecided" in kinds or rid in ALWAYS_DECIDABLE, f"{rid}: needs an undecided case"
    assert not set(CASES) - set(RULE_IDS), "cases for unknown rules"


@pytest.fixture(scope="module")
def outcomes(check):
    built = {}
    companions = []  # last year's reports the cross-year cases pair with (validated in the same batch)
    for rid, kinds in CASES.items():
        for kind, make in kinds.items():
            rep = make()
            if isinstance(rep, tuple):
                rep, extra = rep
                for k, x in enumerate(extra):
                    x.source = f"cases/{rid}/{kind}/previous-{k}"
                companions += extra
            rep.source = f"cases/{rid}/{kind}"
            built[(rid, kind)] = rep
    for rid, makers in EXTRA_VALID.items():
        for k, make in enumerate(makers):
            rep = make()
            rep.source = f"cases/{rid}/valid-{k}"
            built[(rid, f"valid-{k}")] = rep
    return built, check([*built.values(), *companions])


@pytest.mark.parametrize("rid", RULE_IDS)
def test_valid(rid, outcomes):
    reports, result = outcomes
    rep = reports[(rid, "valid")]
    assert statuses(result, rep, rid) == set(), [f.message_en for f in result.findings_for(rep.report_id)]


@pytest.mark.parametrize("rid", sorted(EXTRA_VALID))
def test_extra_valid(rid, outcomes):
    reports, result = outcomes
    for k in range(len(EXTRA_VALID[rid])):
        rep = reports[(rid, f"valid-{k}")]
        assert statuses(result, rep, rid) == set(), (k, [f.message_en for f in result.findings_for(rep.report_id)])


@pytest.mark.parametrize("rid", RULE_IDS)
def test_invalid(rid, outcomes):
    reports, result = outcomes
    st = statuses(result, reports[(rid, "invalid")], rid)
    assert "violated" in st


@pytest.mark.parametrize("rid", [r for r in RULE_IDS if r not in ALWAYS_DECIDABLE])
def test_undecided(rid, outcomes):
    reports, result = outcomes
    rep = reports[(rid, "undecided")]
    st = statuses(result, rep, rid)
    assert st and st <= {"not_checked", "unverifiable"}, (st, [f.message_en for f in result.findings_for(rep.report_id)])
    rr = next(r for r in result.report_results if r.report_id == rep.report_id)
    if rule_by_id(rid).kind == "within_report":
        assert rr.status != "pass"
    else:  # last year's report or the prose is not this report's table: said in the finding, not its status
        assert all("not checked" in f.message_en for f in result.findings_for(rep.report_id)
                   if f.rule == rid and f.status == "not_checked")
