"""Per-rule cases: for every implemented rule a valid, an invalid and an undecided report.

``valid``: the rule holds (no finding). ``invalid``: the rule is violated. ``undecided``: the rule
cannot be decided, so it must be reported as not_checked or unverifiable (never as a pass). A rule
that is decidable on every report names the reason in ``ALWAYS_DECIDABLE`` instead.
"""

from __future__ import annotations

import random
from collections.abc import Callable
from decimal import Decimal

from parsers.model import MISSING, UNREADABLE, Cell, Report
from testkit.mutate import _add_group_subtotal, _add_sub_column, mutate
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


# ---------------------------------------------------------------- cross-year: the case report and last year's
def _years(rid: str, kind: str, y: int, gen: str, seed: int) -> tuple[Report, Report]:
    """Last year's report and this year's, of one body named for the case (no other case pairs with it)."""
    prev, this = clean(seed, gen, year=y - 1), clean(seed + 1, gen, year=y)
    prev.body = this.body = f"案例{abs(hash((rid, kind))) % 10**6}县人民政府办公室"
    return prev, this


def _carry(rid: str, kind: str, col: str) -> Case:
    def make():
        prev, this = _years(rid, kind, 2022, "2021", 301)
        for c, cell in prev.table3.rows["FWD"].cells.items():
            this.table3.rows["CARRY"].cells[c] = cell
        if kind == "invalid":
            v = int(this.table3.value("CARRY", col) or 0) + 1
            this.table3.rows["CARRY"].cells[col] = Cell(value=v, raw=str(v))
        return (this, [prev]) if kind != "undecided" else this
    return make


def _t2_set(rep: Report, row: str, col: str, v: int) -> None:
    rep.table2.rows[row][col] = Cell(value=v, raw=str(v))


def _valid_in_force(rid: str, kind: str) -> Case:
    def make():
        prev, this = _years(rid, kind, 2023, "2021", 311)
        for r in ("REG", "NORM"):
            p, iss, rep_ = (int(x.table2.value(r, c) or 0) for x, c in ((prev, "VALID"), (this, "ISSUED"),
                                                                        (this, "REPEALED")))
            repealed = min(rep_, p + iss)
            _t2_set(this, r, "REPEALED", repealed)
            _t2_set(this, r, "VALID", p + iss - repealed + (1 if kind == "invalid" and rid == "X-T2-21-VALID" else 0))
            if kind == "invalid" and rid == "X-T2-21-REPEAL":
                _t2_set(this, r, "REPEALED", p + iss + 1)
                _t2_set(this, r, "VALID", 0)
        return (this, [prev]) if kind != "undecided" else this
    return make


def _items(kind: str) -> Case:
    def make():
        prev, this = _years("X-T2-19-ITEMS", kind, 2020, "2019", 321)
        for r in ("LICENSE", "SERVICE", "PENALTY", "COERCION", "FEE"):
            v = int(prev.table2.value(r, "PREV") or 0) + int(prev.table2.value(r, "CHANGE") or 0)
            _t2_set(this, r, "PREV", v + (1 if kind == "invalid" and r == "PENALTY" else 0))
        return (this, [prev]) if kind != "undecided" else this
    return make


# ---------------------------------------------------------------- prose: the claims as parsers/prose.py reads them
def _claim(key: str, cell: tuple[str, ...], kind: str, table: str = "table3") -> Case:
    def make():
        from parsers.model import ProseClaim

        rep = clean(331, "2021")
        if cell[0] == "t4":
            v = int(rep.table4.cells[cell[1]].value or 0)
        else:
            v = sum(int(rep.table3.value(r, "TOT") or 0) for r in cell[1:])
        rep.claims = [ProseClaim(key, v + (1 if kind == "invalid" else 0), f"正文所述 {v} 件。")]
        if kind == "undecided":
            t = getattr(rep, table)
            t.status, t.reason = UNREADABLE, "test: table could not be read"
        return rep
    return make


def _sum(verdict: str) -> Case:
    def make():
        from parsers.model import ProseSum

        rep = clean(341, "2021")
        parts = ((550, "min"), (130, "")) if verdict == "over" else ((50, ""), (150, ""), (200, ""))
        total = 646 if verdict == "over" else 400
        rep.sums = [ProseSum(total, parts, "条", "其中", "共…其中…。", verdict)]
        return rep
    return make


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


def _with_sub_column(seed: int = 101, incomplete: str | None = None) -> Case:
    def make() -> Report:
        rep = clean(seed, "2021")
        _add_sub_column(rep)
        if incomplete:
            rep.table3.rows[incomplete].incomplete = True
            rep.table3.rows[incomplete].cells = {}
        return rep
    return make


def _with_group_subtotal(seed: int = 111, incomplete: str | None = None) -> Case:
    def make() -> Report:
        rep = clean(seed, "2021")
        for group in ("R_DENY", "R_OTHER"):
            _add_group_subtotal(rep, group)
        if incomplete:
            rep.table3.rows[incomplete].incomplete = True
            rep.table3.rows[incomplete].cells = {}
        return rep
    return make


def _town(seed: int = 121, gen: str = "2021", reg: str | None = None) -> Case:
    """A township report; ``reg``: how its 规章 row is printed ("/" = not applicable)."""
    def make() -> Report:
        rep = clean(seed, gen)
        rep.body = "示例镇人民政府"
        if reg is not None:
            for col in rep.table2.rows["REG"]:
                rep.table2.rows["REG"][col] = Cell(value=None, raw=reg, flags=frozenset({"not_applicable"}))
        return rep
    return make


def _body_unknown_with_rules() -> Report:
    rep = clean(131, "2021")
    rep.body = "示例市人民政府"  # a 设区的市 or a 县级市: cannot be told from the name
    rep.table2.rows["REG"]["VALID"] = Cell(value=12, raw="12")
    return rep


def _province_with_rules() -> Report:
    rep = _body_unknown_with_rules()
    rep.body = "示例省人民政府"
    return rep


def _format_unknown() -> Report:
    rep = clean(141, "2021")
    rep.year, rep.format = None, "unknown"
    return rep


def _period(seed: int, year_offset: int, year: int | None = 2023) -> Case:
    def make() -> Report:
        rep = clean(seed, "2021", year=2023)
        rep.sections[-1].text += (f"本报告所列数据统计期限为{2023 + year_offset}年1 月1 日起，"
                                  f"至{2023 + year_offset}年12月31日止。")
        rep.year = year
        return rep
    return make


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
    "T3-ORGSUB": {"valid": _with_sub_column(), "invalid": _broken("T3-ORGSUB"),
                  "undecided": _with_sub_column(incomplete="R_OPEN")},
    "T3-GROUPSUB": {"valid": _with_group_subtotal(), "invalid": _broken("T3-GROUPSUB"),
                    "undecided": _with_group_subtotal(incomplete="R_DENY_4")},
    "T4-HEUR-REV2LIT": {"valid": _valid_2021(), "invalid": _broken("T4-HEUR-REV2LIT"),
                        "undecided": _table_gone("table4")},
    "T2-21-REPEAL": {"valid": _valid_2021(), "invalid": _broken("T2-21-REPEAL"), "undecided": _table_gone("table2")},
    "T2-REG-AUTH": {"valid": _town(reg="/"), "invalid": _broken("T2-REG-AUTH"), "undecided": _body_unknown_with_rules},
    "FMT-SECTIONS": {"valid": _valid_2019(), "invalid": _broken("FMT-SECTIONS"), "undecided": _format_unknown},
    "FMT-SECTIONS-HEADING": {"valid": _valid_2019(), "invalid": _broken("FMT-SECTIONS-HEADING"),
                             "undecided": _format_unknown},
    "FMT-LABELS": {"valid": _valid_2021(), "invalid": _broken("FMT-LABELS"), "undecided": _table_gone("table3")},
    "FMT-PERIOD": {"valid": _period(161, 0), "invalid": _period(162, -1), "undecided": _period(163, 0, year=None)},
    **{rid: {k: _carry(rid, k, col) for k in ("valid", "invalid", "undecided")}
       for rid, col in (("X-T3-CARRY-TOT", "TOT"), ("X-T3-CARRY-COL", "NAT"))},
    **{rid: {k: _valid_in_force(rid, k) for k in ("valid", "invalid", "undecided")}
       for rid in ("X-T2-21-VALID", "X-T2-21-REPEAL")},
    "X-T2-19-ITEMS": {k: _items(k) for k in ("valid", "invalid", "undecided")},
    "TXT-T3-RECV": {k: _claim("t3.NEW.TOT", ("t3", "NEW"), k) for k in ("valid", "invalid", "undecided")},
    "TXT-T3-DONE": {k: _claim("t3.R_TOTAL.TOT", ("t3", "R_TOTAL"), k) for k in ("valid", "invalid", "undecided")},
    "TXT-T3-CAT": {k: _claim("t3.R_UNABLE", ("t3", "R_UNABLE_1", "R_UNABLE_2", "R_UNABLE_3"), k)
                   for k in ("valid", "invalid", "undecided")},
    "TXT-T4": {k: _claim("t4.REV_TOTAL", ("t4", "REV_TOTAL"), k, "table4") for k in ("valid", "invalid", "undecided")},
    "TXT-SUM": {"valid": _sum("ok"), "invalid": _sum("over")},
}

# Further valid cases: the rule holds (or does not apply) although the report looks close to a violation.
EXTRA_VALID: dict[str, list[Case]] = {
    "T2-REG-AUTH": [_town(reg=None, seed=122), _province_with_rules],  # 规章 0 in a town; 规章 in a province
    "T3-ORGSUB": [_valid_2021()],  # no subtotal column printed: not applicable
    "T3-GROUPSUB": [_valid_2019()],
    "FMT-PERIOD": [_valid_2021()],  # no period stated: not counted
}

ALWAYS_DECIDABLE = {
    "TXT-SUM": "the prose is its own evidence: a total and its parts, once read, always decide the rule",
    "FMT-TABLES": "a table's presence is always known: missing and unreadable tables are what it reports",
}
