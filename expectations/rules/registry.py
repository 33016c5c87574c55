"""The registry the rule families fill (see ``expectations/rules/__init__.py``): instance generators
by name, report-level checks by param name, mutators by generator name. No GX, no rule logic here."""

from __future__ import annotations

import random
from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import numpy as np

if TYPE_CHECKING:
    from expectations.instances import Instance
    from parsers.model import Report

Generator = Callable[[], "tuple[Instance, ...]"]
Meta = dict[str, np.ndarray]
# (applies, decided, bad): one boolean per frame row
Evaluator = Callable[[Meta, str], tuple[np.ndarray, np.ndarray, np.ndarray]]
Detail = Callable[[dict[str, int], "Report", str], tuple[str, str]]
Mutator = Callable[["Report", random.Random], Any]

GENERATORS: dict[str, Generator] = {}
REPORT_CHECKS: dict[str, ReportCheck] = {}
MUTATORS: dict[str, Mutator] = {}  # generator name -> a mutator that breaks the rule using that generator


@dataclass(frozen=True, slots=True)
class ReportCheck:
    """A report-level check (``Instance.param`` ``name`` or ``name:arg``): whether it applies, is decided
    and is violated, from the frame's ``m_*`` codes; and the ``{detail}`` of its message."""

    name: str
    evaluate: Evaluator  # (meta, arg) -> (applies, decided, bad)
    detail: Detail  # (codes of the report, report, arg) -> (zh, en)


def generator(fn: Generator) -> Generator:
    """Register an instance generator under its function name (the catalogue's ``instances``)."""
    if fn.__name__ in GENERATORS:
        raise ValueError(f"instance generator {fn.__name__!r} registered twice")
    GENERATORS[fn.__name__] = fn
    return fn


def report_check(name: str, evaluate: Evaluator, detail: Detail) -> ReportCheck:
    if name in REPORT_CHECKS:
        raise ValueError(f"report-level check {name!r} registered twice")
    REPORT_CHECKS[name] = chk = ReportCheck(name, evaluate, detail)
    return chk


def no_detail(codes: dict[str, int], rep: Report, arg: str) -> tuple[str, str]:
    return "", ""


def resolve(param: str | None) -> tuple[ReportCheck, str]:
    """The check of a report-level instance and the argument after ``:`` ("table:table2" -> table)."""
    name, _, arg = (param or "").partition(":")
    try:
        return REPORT_CHECKS[name], arg
    except KeyError:
        raise KeyError(f"unknown report-level check {param!r} (see expectations/rules/)") from None


def mutates(gen: Generator) -> Callable[[Mutator], Mutator]:
    """Register the decorated function as the mutator of the rule(s) whose instances ``gen`` makes."""
    def deco(fn: Mutator) -> Mutator:
        if gen.__name__ in MUTATORS:
            raise ValueError(f"mutator for {gen.__name__!r} registered twice")
        MUTATORS[gen.__name__] = fn
        return fn
    return deco
