"""Per-rule cases: for every implemented rule a valid, an invalid and an undecided report.

``valid``: the rule holds (no finding). ``invalid``: the rule is violated. ``undecided``: the rule
cannot be decided, so it must be reported as not_checked or unverifiable (never as a pass). A rule
that is decidable on every report names the reason in ``ALWAYS_DECIDABLE`` instead.
"""

from __future__ import annotations

import random
from collections.abc import Callable
from decimal import Decimal

from expectations.mutate import mutate
from parsers.model import MISSING, UNREADABLE, Cell, Report
from tests.expectations.conftest import clean

Case = Callable[[], Report]


def _broken(rule: str, gen: str = "2021", seed: int = 5) -> Case:
    def make() -> Report:
        for s in range(seed, seed + 50):
            out = mutate(clean(s, gen), rule, random.Random(s))
            if out is not None:
                out[0].source = f"invalid/{rule}/{s}"
                return out[0]
        raise AssertionError(f"no mutation for {rule}")
    return make


def _table_gone(table: str, gen: str = "2021", status: str = UNREADABLE) -> Case:
    def make() -> Report:
        rep = clean(21, gen)
        t = getattr(rep, table)
        t.status, t.reason = status, "test: table could not be read"
        rep.source = f"undecided/{table}/{gen}"
        return rep
    return make


def _ambiguous_row_total() -> Report:
    """Row （一）予以公开 printed as run-together digits with two readings; only one satisfies T3-ROW."""
    rep = clean(31, "2021")
    row = rep.table3.rows["R_OPEN"]
    vals = {c: int(x.value or 0) for c, x in row.cells.items()}
    other = dict(vals)
    other["NAT"] = vals["NAT"] + 10  # a different split of the same digits
    row.readings = (vals, other)
    rep.source = "undecided/ambiguous"
    return rep


def _no_year() -> Report:
    rep = clean(41, "2021")
    rep.year = None
    rep.source = "undecided/no-year"
    return rep


def _incomplete_fwd() -> Report:
    rep = clean(51, "2019")
    rep.table3.rows["FWD"].incomplete = True
    rep.source = "undecided/incomplete-fwd"
    return rep


def _zero_col_unreadable() -> Report:
    rep = clean(61, "2019")
    c = rep.table3.rows["NEW"].cells["NAT"]
    rep.table3.rows["NEW"].cells["NAT"] = Cell(value=None, raw="1 2", flags=frozenset({"unparsable"}), prov=c.prov)
    rep.source = "undecided/unparsable"
    return rep


def _amount_unparsable() -> Report:
    rep = clean(71, "2021")
    rep.table2.rows["FEE"]["AMOUNT"] = Cell(value=None, raw="约十万", flags=frozenset({"unparsable"}))
    rep.source = "undecided/amount"
    return rep


def _valid_2019(seed: int = 7) -> Case:
    return lambda: clean(seed, "2019")


def _valid_2021(seed: int = 7) -> Case:
    return lambda: clean(seed, "2021")


def _valid_hongze_like() -> Report:
    """2021 format with （六） printed as one row (the hongze-2024 deviation): T3-RES still holds."""
    out = mutate(clean(81, "2021"), "T3-FMT-SPLIT", random.Random(1))
    assert out is not None
    return out[0]


def _valid_blank_zero_total() -> Report:
    rep = clean(91, "2021")
    row = next(r for r in rep.table3.rows.values() if all(int(c.value or 0) == 0 for c in r.cells.values()))
    row.cells["TOT"] = Cell(value=None, raw="", flags=frozenset({"blank"}))
    return rep


def _valid_amount_decimal() -> Report:
    rep = clean(92, "2021")
    rep.table2.rows["FEE"]["AMOUNT"] = Cell(value=Decimal("96171.6"), raw="96171.6")
    return rep


CASES: dict[str, dict[str, Case]] = {
    "T3-BAL": {"valid": _valid_2019(), "invalid": _broken("T3-BAL"), "undecided": _incomplete_fwd},
    "T3-RES": {"valid": _valid_hongze_like, "invalid": _broken("T3-RES"), "undecided": _table_gone("table3")},
    "T3-ROW": {"valid": _valid_2021(), "invalid": _broken("T3-ROW"), "undecided": _ambiguous_row_total},
    "T3-BOUND": {"valid": _valid_2021(), "invalid": _broken("T3-BOUND"), "undecided": _incomplete_fwd},
    "T3-ZERO": {"valid": _valid_2019(), "invalid": _broken("T3-ZERO"), "undecided": _zero_col_unreadable},
    "T3-HEUR-FWD": {"valid": _valid_2021(), "invalid": _broken("T3-HEUR-FWD"), "undecided": _incomplete_fwd},
    "T3-HEUR-OTHER": {"valid": _valid_2021(), "invalid": _broken("T3-HEUR-OTHER"),
                      "undecided": _table_gone("table3", status=MISSING)},
    "T3-FMT-SPLIT": {"valid": _valid_2019(), "invalid": _broken("T3-FMT-SPLIT"), "undecided": _table_gone("table3")},
    "T4-SUM-REV": {"valid": _valid_2021(), "invalid": _broken("T4-SUM-REV"), "undecided": _table_gone("table4")},
    "T4-SUM-LITD": {"valid": _valid_2021(), "invalid": _broken("T4-SUM-LITD"), "undecided": _table_gone("table4")},
    "T4-SUM-LITR": {"valid": _valid_2021(), "invalid": _broken("T4-SUM-LITR"), "undecided": _table_gone("table4")},
    "T2-19-PUB≤TOT": {"valid": _valid_2019(), "invalid": _broken("T2-19-PUB≤TOT", "2019"),
                      "undecided": _table_gone("table2", "2019")},
    "T2-19-NEW": {"valid": _valid_2019(), "invalid": _broken("T2-19-NEW", "2019"),
                  "undecided": _table_gone("table2", "2019")},
    "T2-21-VALID≥NEW": {"valid": _valid_2021(), "invalid": _broken("T2-21-VALID≥NEW"),
                        "undecided": _table_gone("table2")},
    "T2-LOCALROW": {"valid": _valid_2019(), "invalid": _broken("T2-LOCALROW"), "undecided": _table_gone("table2")},
    "GEN-INT": {"valid": _valid_2021(), "invalid": _broken("GEN-INT"), "undecided": _table_gone("table4")},
    "GEN-AMOUNT": {"valid": _valid_amount_decimal, "invalid": _broken("GEN-AMOUNT"), "undecided": _amount_unparsable},
    "GEN-ITEMS-NONNEG": {"valid": _valid_2019(), "invalid": _broken("GEN-ITEMS-NONNEG", "2019"),
                         "undecided": _table_gone("table2", "2019")},
    "GEN-BLANK": {"valid": _valid_blank_zero_total, "invalid": _broken("GEN-BLANK"), "undecided": _incomplete_fwd},
    "GEN-SIGNED": {"valid": _valid_2019(), "invalid": _broken("GEN-SIGNED", "2019"),
                   "undecided": _table_gone("table2", "2019")},
    "FMT-TABLES": {"valid": _valid_2021(), "invalid": _broken("FMT-TABLES")},
    "FMT-GEN": {"valid": _valid_2019(), "invalid": _broken("FMT-GEN"), "undecided": _no_year},
    "FMT-NOTE": {"valid": _valid_2021(), "invalid": _broken("FMT-NOTE"), "undecided": _table_gone("table3")},
}

ALWAYS_DECIDABLE = {
    "FMT-TABLES": "a table's presence is always known: missing and unreadable tables are what it reports",
}
