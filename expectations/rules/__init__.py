"""The rule families: one module per family holds everything a rule is made of besides its catalogue
entry — its instance generator, its report-level evaluation and message detail (for ``check: report``
rules) and the mutator that breaks it in the recall tests.

Layout::

    registry.py    GENERATORS (name -> generator), REPORT_CHECKS (param -> ReportCheck), MUTATORS
                   (generator name -> mutator); the ``@generator``, ``report_check`` and ``@mutates``
                   registration helpers
    mutation.py    what mutators share (``Mutation``, cell setters, adding a local column / subtotal row)
    table3.py      T3-BAL, T3-RES, T3-ROW, T3-BOUND, T3-ZERO, T3-HEUR-*, T3-ORGSUB, T3-GROUPSUB
    table4.py      T4-SUM-*, T4-HEUR-REV2LIT
    table2.py      T2-19-*, T2-21-VALID≥NEW, T2-21-REPEAL, T2-REG-AUTH
    general.py     GEN-INT, GEN-AMOUNT, GEN-SIGNED, GEN-BLANK, GEN-ITEMS-NONNEG
    structure.py   the report-level FMT-* rules, T3-FMT-SPLIT, T2-LOCALROW
    crossyear.py   X-*
    prose.py       TXT-*

The catalogue (``catalog.yaml``) stays the one place that names a rule's id, its evaluator family
(``check``) and its generator (``instances``); the modules never name rule ids. The generic evaluators
per ``check`` (linear, zero_implies, domain, flag, blank_total) are in ``evaluate.py``, their message
placeholders in ``messages.py``.

Adding a rule:

1. In the family's module, write the generator and register it: ``@generator def t3_new_rule() ->
   tuple[Instance, ...]`` (``Instance``/``Term`` and the term helpers are in ``expectations.instances``).
   For a linear/domain/... rule that is all the engine needs.
2. For a report-level rule (``check: report``), give its instances ``op="report"`` and
   ``param="<name>"`` (or ``"<name>:<arg>"``) and register ``report_check("<name>", evaluate, detail)``:
   ``evaluate(meta, arg) -> (applies, decided, bad)`` from the frame's ``m_*`` arrays (one boolean per
   frame row) and ``detail(codes, report, arg) -> (zh, en)`` for the message's ``{detail}``. A new fact
   needs its ``m_*`` column in ``frame.META`` (computed in ``facts.py``).
3. Register its mutator next to it: ``@mutates(t3_new_rule) def _m_new(rep, rng) -> Mutation | None``.
4. Add the YAML entry (``check``, ``instances: t3_new_rule``, messages) to ``catalog.yaml`` and a case in
   ``tests/expectations/rule_cases.py``; ``tests/expectations/test_rules_registry.py`` checks the wiring.
"""

from __future__ import annotations

# importing a family registers its generators, report-level checks and mutators
from expectations.rules import crossyear, general, prose, structure, table2, table3, table4  # noqa: F401
from expectations.rules.registry import (
    GENERATORS,
    MUTATORS,
    REPORT_CHECKS,
    ReportCheck,
    generator,
    mutates,
    report_check,
    resolve,
)

__all__ = ["GENERATORS", "MUTATORS", "REPORT_CHECKS", "ReportCheck", "generator", "mutates", "report_check",
           "resolve"]
