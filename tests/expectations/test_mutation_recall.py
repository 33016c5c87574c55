"""Every rule fires on its own mutation and stays silent on clean generated reports.

Prints recall and false alarms per rule (visible with -q too)."""

from __future__ import annotations

import random

from expectations.catalog import implemented_rules
from testkit.mutate import mutate
from testkit.synth import make_report

PER_RULE = 25
CLEAN = 200


def test_recall_and_false_alarms(check, capsys):
    rng = random.Random(2024)
    clean = []
    for i in range(CLEAN):
        rep = make_report(5000 + i, ("2019", "2021")[i % 2])
        rep.source = f"clean/{i}"
        clean.append(rep)
    mutated: dict[str, list] = {}
    # within-report rules; the cross-year and prose rules have their own corpus (test_crossyear_prose.py):
    # these synthetic reports share body names without being one body's consecutive years
    rules = [r for r in implemented_rules() if r.kind == "within_report"]
    for rule in rules:
        reps = []
        for i, base in enumerate(clean):
            out = mutate(base, rule.id, rng)
            if out is None:
                continue
            out[0].source = f"mutated/{rule.slug}/{i}"
            reps.append(out[0])
            if len(reps) >= PER_RULE:
                break
        mutated[rule.id] = reps
    result = check(clean + [r for reps in mutated.values() for r in reps])
    fired: dict[str, set[str]] = {}
    for f in result.findings:
        if f.status in ("violated", "unverifiable") and f.kind == "within_report":
            fired.setdefault(f.report_id, set()).add(f.rule)
    lines = [f"{'rule':<22} {'sev':<5} {'mutated':>7} {'recall':>7} {'false alarms':>13}"]
    problems = []
    for rule in rules:
        reps = mutated[rule.id]
        hit = sum(rule.id in fired.get(r.report_id, ()) for r in reps)
        fa = sum(rule.id in fired.get(r.report_id, ()) for r in clean)
        recall = hit / len(reps) if reps else 0.0
        lines.append(f"{rule.id:<22} {rule.severity:<5} {len(reps):>7} {recall:>7.2f} {fa:>6}/{len(clean)}")
        if len(reps) < 10 or recall < 1.0:
            problems.append(f"{rule.id}: recall {recall:.2f} on {len(reps)} mutations")
        if fa and rule.severity == "fail":
            problems.append(f"{rule.id}: {fa} false alarms on clean reports")
        if fa > len(clean) * 0.05:
            problems.append(f"{rule.id} ({rule.severity}): {fa} false alarms on clean reports")
    with capsys.disabled():
        print("\nmutation recall / false alarms per rule\n" + "\n".join(lines))
    assert not problems, problems
