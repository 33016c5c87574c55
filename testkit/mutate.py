"""Break one rule of a consistent report by changing one known cell (or one layout fact).

Used by the recall tests and the benchmark: ``mutate(report, rule_id, rng)`` returns a changed deep
copy and a description of the change, or None when the rule cannot be broken in this report (e.g. a
2019-only rule on a 2021 report) or by changing one report at all (the cross-year and prose rules, which
have no mutator: their recall tests build pairs of years and prose in tests/expectations).

The mutators live with their rule family in ``expectations/rules/`` (registered by generator name with
``@mutates``); ``MUTATORS`` maps each catalogue rule to the mutator of its generator.
"""

from __future__ import annotations

import copy
import random
from collections.abc import Callable

from expectations.catalog import implemented_rules
from expectations.rules import MUTATORS as _BY_GENERATOR
from expectations.rules.mutation import Mutation
from expectations.rules.mutation import add_group_subtotal as _add_group_subtotal
from expectations.rules.mutation import add_sub_column as _add_sub_column
from parsers.model import Report

__all__ = ["MUTATORS", "Mutation", "_add_group_subtotal", "_add_sub_column", "mutate"]

MUTATORS: dict[str, Callable[[Report, random.Random], Mutation | None]] = {
    r.id: _BY_GENERATOR[r.instances] for r in implemented_rules() if r.instances in _BY_GENERATOR
}

_IMPLEMENTED = {r.id for r in implemented_rules()}


def mutate(report: Report, rule_id: str, rng: random.Random) -> tuple[Report, Mutation] | None:
    """A deep copy of ``report`` with ``rule_id`` broken, or None if the rule cannot be broken here."""
    fn = MUTATORS.get(rule_id)
    if fn is None:
        if rule_id in _IMPLEMENTED:
            return None
        raise KeyError(rule_id)
    rep = copy.deepcopy(report)
    m = fn(rep, rng)
    if m is None:
        return None
    return rep, Mutation(rule_id, m.cell, m.before, m.after)
