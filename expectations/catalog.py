"""Load the rule catalogue (``catalog.yaml``) into typed, frozen ``Rule`` objects.

This module must not import Great Expectations: the CLI, the docs generator and the flows read the
catalogue without paying for GX's import.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Any

import yaml

CATALOG_PATH = Path(__file__).with_name("catalog.yaml")

KINDS = ("within_report", "cross_year", "narrative")
SEVERITIES = ("fail", "warn", "info")
CHECKS = ("linear", "domain", "blank_total", "flag", "zero_implies", "report", "authority")
TABLES = ("table2", "table3", "table4", "report", "any")
GENERATIONS = ("2019", "2021")

_REQUIRED = ("id", "kind", "table", "severity", "generations", "formula", "title", "message")
_OPTIONAL = ("basis", "check", "instances", "implemented", "confidence", "description")


class CatalogError(ValueError):
    """The catalogue file is malformed (names the rule and the problem)."""


@dataclass(frozen=True, slots=True)
class Rule:
    id: str
    kind: str
    table: str
    severity: str
    generations: tuple[str, ...]
    formula: str
    title_zh: str
    title_en: str
    message_zh: str
    message_en: str
    basis: str = ""
    check: str | None = None
    instances: str | None = None
    implemented: bool = True
    description: str = ""  # why the rule is shaped as it is (severity, scope, what is left to other rules)

    @property
    def slug(self) -> str:
        """An ASCII identifier usable in file names and GX meta (ids may contain ≤/≥)."""
        return self.id.replace("≤", "-LE-").replace("≥", "-GE-").replace("--", "-").strip("-")

    def to_dict(self) -> dict[str, Any]:
        return {
            "id": self.id, "kind": self.kind, "table": self.table, "severity": self.severity,
            "generations": list(self.generations), "formula": self.formula, "basis": self.basis,
            "title_zh": self.title_zh, "title_en": self.title_en,
            "message_zh": self.message_zh, "message_en": self.message_en,
            "check": self.check, "instances": self.instances, "implemented": self.implemented,
            "description": self.description,
        }


def _rule_from_entry(e: dict[str, Any]) -> Rule:
    rid = e.get("id", "<no id>")
    missing = [k for k in _REQUIRED if k not in e]
    if missing:
        raise CatalogError(f"rule {rid}: missing {', '.join(missing)}")
    unknown = set(e) - set(_REQUIRED) - set(_OPTIONAL)
    if unknown:
        raise CatalogError(f"rule {rid}: unknown keys {sorted(unknown)}")
    implemented = bool(e.get("implemented", True))
    checks = {
        "kind": (e["kind"], KINDS),
        "severity": (e["severity"], SEVERITIES),
        "table": (e["table"], TABLES),
    }
    if implemented:
        checks["check"] = (e.get("check"), CHECKS)
        if not e.get("instances"):
            raise CatalogError(f"rule {rid}: an implemented rule needs 'instances'")
    for key, (value, allowed) in checks.items():
        if value not in allowed:
            raise CatalogError(f"rule {rid}: {key} {value!r} not in {allowed}")
    gens = tuple(str(g) for g in e["generations"])
    if not gens or any(g not in GENERATIONS for g in gens):
        raise CatalogError(f"rule {rid}: generations {gens} must be a non-empty subset of {GENERATIONS}")
    for key in ("title", "message"):
        if not isinstance(e[key], dict) or not {"zh", "en"} <= set(e[key]):
            raise CatalogError(f"rule {rid}: {key} needs zh and en")
    return Rule(
        id=rid, kind=e["kind"], table=e["table"], severity=e["severity"], generations=gens,
        formula=str(e["formula"]), title_zh=e["title"]["zh"], title_en=e["title"]["en"],
        message_zh=e["message"]["zh"], message_en=e["message"]["en"], basis=e.get("basis", ""),
        check=e.get("check"), instances=e.get("instances"), implemented=implemented,
        description=" ".join(str(e.get("description", "")).split()),
    )


def parse_catalog(text: str) -> tuple[Rule, ...]:
    data = yaml.safe_load(text)
    if not isinstance(data, dict) or not isinstance(data.get("rules"), list):
        raise CatalogError("the catalogue needs a top-level 'rules' list")
    rules = tuple(_rule_from_entry(e) for e in data["rules"])
    ids = [r.id for r in rules]
    dup = {i for i in ids if ids.count(i) > 1}
    if dup:
        raise CatalogError(f"duplicate rule ids: {sorted(dup)}")
    return rules


@lru_cache(maxsize=1)
def load_catalog() -> tuple[Rule, ...]:
    """Every rule of the catalogue, in file order (implemented and planned)."""
    return parse_catalog(CATALOG_PATH.read_text(encoding="utf-8"))


def implemented_rules() -> tuple[Rule, ...]:
    return tuple(r for r in load_catalog() if r.implemented)


def rule_by_id(rule_id: str) -> Rule:
    for r in load_catalog():
        if r.id == rule_id:
            return r
    raise KeyError(rule_id)
