"""Build the GX expectation suite from the catalogue, and load saved suites safely.

GX drops expectations whose type is not registered (it only logs "Could not add expectation"), so a
suite made only of custom expectations would load empty and validate as a success. Everything here
imports ``expectations.gx_expectations`` first and asserts the expectation count after loading.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import great_expectations as gx

from expectations import gx_expectations  # noqa: F401  (registers the custom expectations)
from expectations.catalog import implemented_rules
from expectations.gx_expectations import EXPECTATION_FOR_CHECK

SUITE_NAME = "nianbao_statutory_rules"
GX_SEVERITY = {"fail": "critical", "warn": "warning", "info": "info"}


class SuiteLoadError(RuntimeError):
    """A suite lost expectations on load (unregistered custom expectation types)."""


def expectation_count() -> int:
    return len(implemented_rules())


def make_expectations() -> list[Any]:
    out = []
    for rule in implemented_rules():
        cls = EXPECTATION_FOR_CHECK[rule.check or ""]
        out.append(cls(rule_id=rule.id, severity=GX_SEVERITY[rule.severity],
                       meta={"rule_id": rule.id, "severity": rule.severity, "kind": rule.kind,
                             "table": rule.table, "title_zh": rule.title_zh, "title_en": rule.title_en}))
    return out


def build_suite(name: str = SUITE_NAME) -> gx.ExpectationSuite:
    suite = gx.ExpectationSuite(name=name)
    for e in make_expectations():
        suite.add_expectation(e)
    assert_count(suite)
    return suite


def assert_count(suite: gx.ExpectationSuite) -> None:
    n, want = len(suite.expectations), expectation_count()
    if n != want:
        raise SuiteLoadError(f"suite {suite.name!r} has {n} expectations, the catalogue has {want} implemented "
                             "rules: custom expectations were dropped (import expectations.gx_expectations first)")


def save_suite(suite: gx.ExpectationSuite, path: Path) -> Path:
    path.write_text(json.dumps(suite.to_json_dict(), ensure_ascii=False, indent=1), encoding="utf-8")
    return path


def load_suite(path: Path) -> gx.ExpectationSuite:
    """Load a suite saved with ``save_suite``; raises SuiteLoadError if GX dropped any expectation."""
    data = json.loads(path.read_text(encoding="utf-8"))
    suite = gx.ExpectationSuite(**data)
    assert_count(suite)
    return suite
