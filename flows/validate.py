"""The one place the audit flow meets the rules package (``expectations``).

``validate_reports`` runs one validation over a batch of reports and returns plain JSON per report
(status, findings with stable ids); ``build_docs`` writes the Data Docs site of the failures. A crash
of the rule engine on a batch is isolated report by report, so one odd report cannot hide the others.
"""

from __future__ import annotations

import logging
import os
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from expectations.findings import CheckResult, Finding, ReportResult
from parsers.model import Report

# One validation at a time per process: the engine keeps one GX context per process and the rules'
# frame arrays in a module-level cache (``expectations.frame``), neither safe to share between threads
# validating at once (process-based Dask workers each have their own lock). What the lock covers is
# kept to the GX validation itself: parsing runs in worker processes, last year's cells are read from
# the cell store before the lock is taken (``_warm``), and Data Docs are rendered outside it. The
# seconds spent waiting for it and holding it are in ``Validation.waited`` / ``Validation.held``.
_GX_LOCK = threading.Lock()


class _BelowWarning(logging.Filter):
    def filter(self, record: logging.LogRecord) -> bool:
        return record.levelno >= logging.WARNING


def quiet_libraries() -> None:
    """Keep Great Expectations' info logs ("Created temporary directory ... for ephemeral docs site")
    and its analytics out of the command's output, even when a host (Prefect, pytest) configured
    logging at INFO. GX sets that module's logger to INFO when it is imported, so a level set here
    would be undone: a filter stays."""
    os.environ.setdefault("GX_ANALYTICS_ENABLED", "false")
    for name in ("great_expectations", "posthog"):
        logging.getLogger(name).setLevel(logging.WARNING)
    for name in ("great_expectations.data_context.types.base",
                 "great_expectations.core.expectation_diagnostics.expectation_doctor"):
        logger = logging.getLogger(name)
        if not any(isinstance(f, _BelowWarning) for f in logger.filters):
            logger.addFilter(_BelowWarning())



@dataclass(slots=True)
class Validation:
    """The rules' typed results for one batch, by report id: ``results`` (the verdict of each report
    that validated), ``findings`` (its findings), ``errors`` (report id -> rule-engine failure, for
    reports that could not be validated). ``result`` is the ``CheckResult`` the Data Docs are built from.
    The flow stores them in the state as JSON (``ReportResult.to_dict``, ``Finding.to_dict``)."""

    results: dict[str, ReportResult] = field(default_factory=dict)
    findings: dict[str, list[Finding]] = field(default_factory=dict)
    errors: dict[str, str] = field(default_factory=dict)
    result: CheckResult | None = None
    waited: float = 0.0  # seconds waiting for the process's GX lock (another batch validating)
    held: float = 0.0  # seconds validating under it
    docs_index: str | None = None  # the batch's Data Docs built by a worker process (``held_in_worker``)
    docs_error: str | None = None
    docs_seconds: float = 0.0

    @property
    def reports(self) -> dict[str, dict[str, Any]]:
        """The results as the state stores them (report id -> ``ReportResult.to_dict()``)."""
        return {rid: rr.to_dict() for rid, rr in self.results.items()}

    def add(self, result: CheckResult) -> None:
        self.result = result
        for rr in result.report_results:
            self.results[rr.report_id] = rr
        for f in result.findings:
            self.findings.setdefault(f.report_id, []).append(f)


def validate_reports(reports: list[Report], lookup: Any = None) -> Validation:
    """Validate a batch in one go. If the rule engine breaks, each report is retried alone and the
    ones that still break are recorded in ``errors`` (never raised, never counted as passing).
    ``lookup(normalised body, year)``: last year's reports from the cell store (cross-year rules)."""
    out = Validation()
    if not reports:
        return out
    try:
        from expectations import check_reports
    except Exception as e:  # the rules package itself is broken: every report is an error
        out.errors = {r.report_id: f"rule engine unavailable: {type(e).__name__}: {e}" for r in reports}
        return out
    quiet_libraries()
    _warm(reports, lookup)
    t0 = time.perf_counter()
    with _GX_LOCK:
        t1 = time.perf_counter()
        out.waited = t1 - t0
        try:
            return _validate(check_reports, reports, lookup, out)
        finally:
            out.held = time.perf_counter() - t1


class Recorded(dict):
    """A lookup that answers what ``lookups_of`` recorded: what a worker process validating a batch
    is given instead of the cell store. Values are the candidate objects' cell entries, undecoded where
    the store kept them so (``flows.cells.split_shard``): the worker decodes them, not the flow process."""

    def __call__(self, body: str, year: int) -> list[dict[str, Any]]:
        from flows.cells import reports_of

        got = self.get((body, year), [])
        if any(isinstance(g, str) for g in got):  # decoded once, on first use
            got = self[(body, year)] = [{"reports": reports_of(g, body, year)} for g in got]
        return [d for g in got for d in reports_of(g, body, year)]


def lookups_of(meta: list[dict[str, Any]], lookup: Any) -> Recorded:
    """Every answer of ``lookup`` the cross-year pairing (``expectations.crossyear.pair``) of a batch
    will ask for, read here once, from the batch's report descriptions (``parse_pool.describe``): last
    year of each (normalised body, year) of the batch (``lookup.raw`` when it has it)."""
    have = {(m.get("body_norm") or "", m["year"]) for m in meta if m.get("body") and m.get("year") is not None}
    ask = getattr(lookup, "raw", None) or (lambda body, year: [{"reports": lookup(body, year)}])
    return Recorded({(body, year - 1): ask(body, year - 1) for body, year in sorted(have)})


def held_in_worker(token: str, items: list[tuple[str, bytes | None]], table: Recorded | None,
                   docs_dir: str | None) -> Validation:
    """Run in a worker process (``flows.parse_pool``): validate the batch whose reports this worker
    parsed and holds, (key, None) items (``parse_pool.parse_held``), or that come pickled, with last
    year's cells in ``table``, and write its Data Docs under ``docs_dir``. The GX results stay here:
    the flow process gets the typed results, the findings and the path of the docs. Raises
    ``parse_pool.HeldGone`` when the reports are not here."""
    from flows.parse_pool import take_held

    val = validate_reports(take_held(token, items), lookup=table)
    share_docs_view()
    if docs_dir and has_docs(val):
        t = time.perf_counter()
        try:
            val.docs_index = str(build_docs(val, Path(docs_dir) / "site"))
        except Exception as e:  # docs are a view; the findings stand without them
            val.docs_error = f"Data Docs failed: {type(e).__name__}: {e}"
        val.docs_seconds = time.perf_counter() - t
    val.result = None
    return val


def share_docs_view() -> None:
    """One GX page view (and so one Jinja environment, its templates compiled once) for every batch's
    Data Docs in this process: ``expectations.docs`` makes a ``DefaultJinjaPageView`` per batch, and
    compiling its templates again was two thirds of the time of a batch's docs."""
    import great_expectations.render.view as gv

    base = gv.DefaultJinjaPageView
    if getattr(base, "_nianbao_shared", None) is not None:
        return
    shared = base()
    shared.env.auto_reload = False  # GX's templates are package files: no stat() per template use

    class SharedView(base):  # type: ignore[misc, valid-type]
        _nianbao_shared = shared

        def __new__(cls, *args: Any, **kw: Any) -> Any:
            return shared if not args and not kw else super().__new__(cls)

    gv.DefaultJinjaPageView = SharedView


def warm(docs: bool = False) -> None:
    """Build this process's GX context ahead of its first validation (a parse worker, in a thread);
    with ``docs``, also import GX's page renderer and compile its page templates (~0.25 s a process
    the first Data Docs would otherwise wait for)."""
    quiet_libraries()
    with _GX_LOCK:
        from expectations.engine import _validation_definition

        _validation_definition()
        quiet_libraries()
    if docs:
        from great_expectations.render.renderer import ValidationResultsPageRenderer  # noqa: F401
        from great_expectations.render.view import DefaultJinjaPageView

        share_docs_view()
        env = DefaultJinjaPageView().env
        for name in env.list_templates(extensions=["j2"]):
            env.get_template(name)


def _warm(reports: list[Report], lookup: Any) -> None:
    """Ask ``lookup`` (a caching cell-store reader) now for everything the cross-year pairing will ask
    it under the GX lock, so that no store request waits inside it. Only an optimisation: any error
    here is left to the validation itself."""
    if lookup is None:
        return
    try:
        from expectations.crossyear import pair

        pair(list(reports), lookup)
    except Exception:
        pass


def _validate(check_reports: Any, reports: list[Report], lookup: Any, out: Validation) -> Validation:
    """Under the GX lock: the batch in one go, else each report alone to isolate the one that breaks
    the engine."""
    try:
        out.add(check_reports(reports, lookup=lookup))
        quiet_libraries()  # importing GX the first time resets its loggers
        return out
    except Exception as e:
        if len(reports) == 1:
            out.errors[reports[0].report_id] = f"rule engine error: {type(e).__name__}: {e}"
            return out
    # Isolate the report that breaks the engine; validate the others together.
    good: list[Report] = []
    for r in reports:
        try:
            check_reports([r])
            good.append(r)
        except Exception as e:
            out.errors[r.report_id] = f"rule engine error: {type(e).__name__}: {e}"
    if good:
        out.add(check_reports(good, lookup=lookup))
    return out


def report_status(result: ReportResult | dict[str, Any] | None, findings: list[Any] = ()) -> str:
    """passed | failed | unreadable | warned | not_checked, from the rules' own verdict for the report
    (a ``ReportResult``, or its JSON as the state keeps it).

    A report the rules could not check is never a pass; ``info`` findings alone are a pass."""
    raw = result.status if isinstance(result, ReportResult) else (result or {}).get("status", "")
    st = str(raw).lower()
    if st in ("pass", "info"):
        return "passed"
    if st in ("unreadable", "unverifiable"):
        return "unreadable"  # printed cells not read, or readings leaving a rule undecided: never failed
    if st == "warn":
        return "warned"
    if st == "not_checked":
        return "not_checked"
    if st == "fail":
        return "failed"
    if result is None:
        return "not_checked"  # the engine said nothing about this report
    return "failed"


def has_docs(validation: Validation) -> bool:
    if validation.docs_index is not None:
        return True
    return validation.result is not None and any(report_status(rr) != "passed"
                                                  for rr in validation.results.values())


def build_docs(validation: Validation, out_dir: Path) -> Path:
    """Data Docs of the batch: rendering the validation results needs no GX context (no lock)."""
    from expectations import build_data_docs

    return build_data_docs(validation.result, out_dir)
