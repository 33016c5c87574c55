"""Table 二 arithmetic: T2-19-PUB≤TOT, T2-19-NEW, T2-21-VALID≥NEW, T2-21-REPEAL and T2-REG-AUTH (规章 only
from bodies that may make them). T2-LOCALROW is a report-level check (``rules/structure.py``)."""

from __future__ import annotations

from expectations.bodies import NO_POWER, body_type
from expectations.cells import T2_GENERATIONS
from expectations.instances import Instance
from expectations.instances import t2_term as _t2
from expectations.rules.mutation import set2
from expectations.rules.registry import generator, mutates
from parsers.layout import T2_ROW_LABELS, T2_ROW_LABELS_EN


def _t2_le(rows: tuple[str, ...], small: str, big: str, gen: str) -> tuple[Instance, ...]:
    return tuple(Instance(r, "table2", r, small, T2_ROW_LABELS[r], T2_ROW_LABELS_EN[r], "le",
                          (_t2(r, small),), (_t2(r, big),), t2gen=gen, target=f"t2.{r}.{small}")
                 for r in rows)


# ---------------------------------------------------------------- T2-19-PUB≤TOT, T2-19-NEW
@generator
def t2_19_pub_le_tot() -> tuple[Instance, ...]:
    return _t2_le(("REG", "NORM"), "PUBLISHED", "TOTAL", "2019")


@mutates(t2_19_pub_le_tot)
def _m_t2_pub(rep, rng):
    r = rng.choice(("REG", "NORM"))
    tot = rep.table2.rows.get(r, {}).get("TOTAL")
    return set2(rep, r, "PUBLISHED", int(tot.value or 0) + rng.randint(1, 5)) if tot else None


@generator
def t2_19_new() -> tuple[Instance, ...]:
    return _t2_le(("REG", "NORM"), "PUBLISHED", "MADE", "2019")


@mutates(t2_19_new)
def _m_t2_new(rep, rng):
    r = rng.choice(("REG", "NORM"))
    made = rep.table2.rows.get(r, {}).get("MADE")
    return set2(rep, r, "PUBLISHED", int(made.value or 0) + rng.randint(1, 5)) if made else None


# ---------------------------------------------------------------- T2-21-VALID≥NEW, T2-21-REPEAL
@generator
def t2_21_valid_ge_new() -> tuple[Instance, ...]:
    return _t2_le(("REG", "NORM"), "ISSUED", "VALID", "2021")


@mutates(t2_21_valid_ge_new)
def _m_t2_valid(rep, rng):
    r = rng.choice(("REG", "NORM"))
    valid = rep.table2.rows.get(r, {}).get("VALID")
    return set2(rep, r, "ISSUED", int(valid.value or 0) + rng.randint(1, 5)) if valid else None


@generator
def t2_21_repeal() -> tuple[Instance, ...]:
    """0 ≤ 本年废止件数 and 0 ≤ 现行有效件数 (the within-report part of T2-21-REPEAL)."""
    return tuple(Instance(f"{r}:{c}", "table2", r, c, T2_ROW_LABELS[r], T2_ROW_LABELS_EN[r], "le", (), (_t2(r, c),),
                          t2gen="2021", target=f"t2.{r}.{c}")
                 for r in ("REG", "NORM") for c in ("REPEALED", "VALID"))


@mutates(t2_21_repeal)
def _m_repeal(rep, rng):
    r, c = rng.choice(("REG", "NORM")), rng.choice(("REPEALED", "VALID"))
    if c not in rep.table2.rows.get(r, {}):
        return None
    return set2(rep, r, c, -rng.randint(1, 5))


# ---------------------------------------------------------------- T2-REG-AUTH
@generator
def t2_reg_auth() -> tuple[Instance, ...]:
    """Every 规章 cell ≤ 0 (i.e. 0, blank or "/"), decided only for bodies whose type is known."""
    out = []
    for (r, c), gens in T2_GENERATIONS.items():
        if r == "REG":
            out.append(Instance(c, "table2", r, c, T2_ROW_LABELS[r], T2_ROW_LABELS_EN[r], "le", (_t2(r, c),), (),
                                t2gen=gens[0], target=f"t2.{r}.{c}", gate="body"))
    return tuple(out)


@mutates(t2_reg_auth)
def _m_reg_auth(rep, rng):
    """A township or county body reporting 规章."""
    if body_type(rep.body).power != NO_POWER:
        rep.body = rng.choice(("示例镇人民政府", "示例县教育局", "示例街道办事处", "示例区人民政府"))
    cols = [c for c in rep.table2.rows.get("REG", {}) if c != "REPEALED"]
    if not cols:
        return None
    return set2(rep, "REG", rng.choice(cols), rng.randint(1, 6))
