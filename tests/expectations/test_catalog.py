"""The catalogue: loads without GX, is well-formed, and docs/rules.md is generated from it."""

from __future__ import annotations

import subprocess
import sys

import pytest

from expectations.catalog import CatalogError, implemented_rules, load_catalog, parse_catalog
from expectations.instances import instances_for
from expectations.rules_doc import DOC_PATH, render_rules_md


def test_catalog_has_the_statutory_rules():
    ids = {r.id for r in load_catalog()}
    for rid in ("T3-BAL", "T3-RES", "T3-ROW", "T3-BOUND", "T3-ZERO", "T4-SUM-REV", "T4-SUM-LITD", "T4-SUM-LITR",
                "GEN-INT", "GEN-BLANK", "GEN-ITEMS-NONNEG", "FMT-GEN", "FMT-TABLES", "T3-FMT-SPLIT"):
        assert rid in ids
    kinds = {r.kind for r in load_catalog()}
    assert {"within_report", "cross_year", "narrative"} <= kinds  # later issues plug into the same catalogue


def test_severities():
    sev = {r.id: r.severity for r in load_catalog()}
    assert sev["T3-BAL"] == sev["T3-ROW"] == sev["FMT-TABLES"] == "fail"
    assert sev["T3-FMT-SPLIT"] == "warn"  # hongze-2024 prints （六） as one row: a local deviation
    assert sev["T3-HEUR-OTHER"] == "warn"
    # the within-report rules of §7 added in the second pass
    assert sev["T3-ORGSUB"] == sev["T3-GROUPSUB"] == sev["T2-21-REPEAL"] == sev["FMT-SECTIONS"] == "fail"
    assert sev["T2-REG-AUTH"] == sev["FMT-LABELS"] == sev["FMT-SECTIONS-HEADING"] == "warn"
    assert sev["T4-HEUR-REV2LIT"] == sev["FMT-PERIOD"] == "info"
    rules = {r.id: r for r in load_catalog()}
    assert rules["X-T2-21-REPEAL"].implemented and rules["X-T2-21-REPEAL"].kind == "cross_year"
    assert sev["X-T3-CARRY-TOT"] == "fail" and sev["X-T3-CARRY-COL"] == sev["X-T2-21-VALID"] == "warn"
    assert all(r.severity == "warn" for r in rules.values() if r.kind == "narrative")  # quiet enough to keep on
    assert "FMT-SECTIONS-HEADING" in rules["FMT-SECTIONS"].description  # the split is explained


def test_every_implemented_rule_has_instances():
    for r in implemented_rules():
        assert instances_for(r.instances), r.id


def test_instances_per_column_and_row():
    cols = {i.column for i in instances_for("t3_balance")}
    assert cols == {"NAT", "BIZ", "RES", "NGO", "LAW", "OTH", "TOT"}
    rows = {i.row for i in instances_for("t3_row_totals")}
    assert {"NEW", "CARRY", "R_OPEN", "R_TOTAL", "FWD", "R_OTHER", "R_OTHER_3"} <= rows


def test_malformed_catalogue_is_rejected():
    with pytest.raises(CatalogError, match="T9-X"):
        parse_catalog("rules:\n- {id: T9-X, kind: within_report, table: table3, severity: fatal, generations: ['2019'],"
                      " formula: f, title: {zh: a, en: b}, message: {zh: a, en: b}, check: linear, instances: t3_zero}\n")
    with pytest.raises(CatalogError, match="duplicate"):
        entry = ("- {id: A, kind: narrative, table: table3, severity: warn, generations: ['2019'], formula: f, "
                 "title: {zh: a, en: b}, message: {zh: a, en: b}, implemented: false}\n")
        parse_catalog("rules:\n" + entry + entry)


def test_rules_md_is_current():
    assert DOC_PATH.read_text(encoding="utf-8") == render_rules_md(), \
        "docs/rules.md is stale: run `python -m expectations.rules_doc`"
    text = DOC_PATH.read_text(encoding="utf-8")
    for r in load_catalog():
        assert f"`{r.id}`" in text


def test_catalogue_and_api_do_not_import_gx():
    code = ("import sys, expectations, expectations.catalog, expectations.findings, expectations.messages;"
            "expectations.catalog.load_catalog(); "
            "assert 'great_expectations' not in sys.modules, 'GX imported'")
    subprocess.run([sys.executable, "-c", code], check=True)
