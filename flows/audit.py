"""The Prefect flow: list → plan → audit batches (in parallel) → merge → publish → artifacts.

Tasks are thin wrappers over ``flows.pipeline``; only I/O steps retry. Batches, not single reports,
are the unit of work (thousands of mapped tasks make Prefect slow and fragile). Data findings end as a
completed run named ``Findings``; only pipeline faults fail the run.
"""

from __future__ import annotations

import contextlib
import dataclasses
import os
import re
import time
from collections.abc import Callable
from typing import Any

from prefect import flow, get_run_logger, task
from prefect.artifacts import (
    create_markdown_artifact,
    create_progress_artifact,
    create_table_artifact,
    update_progress_artifact,
)
from prefect.cache_policies import NO_CACHE
from prefect.futures import as_completed
from prefect.states import Completed
from prefect.task_runners import ThreadPoolTaskRunner
from prefect.utilities.annotations import quote

from flows import lease
from flows import pipeline as p
from flows.config import AuditSettings, audit_settings, s3_settings
from flows.memory import release_memory
from flows.state import ERROR, FAILED, NOT_CHECKED, PASSED, WARNED, AuditState

# Set by the CLI to draw progress on a terminal: callback(event, **counts).
PROGRESS: Callable[..., None] | None = None
MAX_ARTIFACT_ROWS = 500


class EmptySource(RuntimeError):
    """The source holds no report objects: an empty folder or a misspelt prefix. The flow run fails
    (a scheduled job must not look like success) and nothing is published or saved."""


def _progress(event: str, **kw: Any) -> None:
    if PROGRESS is not None:
        PROGRESS(event, **kw)


def artifact_key(*parts: str) -> str:
    """Artifact keys must be lowercase letters, digits and dashes."""
    return re.sub(r"-+", "-", re.sub(r"[^a-z0-9-]", "-", "-".join(parts).lower())).strip("-")[:100]


# ------------------------------------------------------------------------------------------ tasks
# The state and the year index go to tasks wrapped in ``quote``: Prefect would otherwise walk every
# entry, report and finding of them looking for futures (seconds per task on 10,000 objects).
# Storage calls retry inside (call_with_retries); task retries are for lost workers and crashes.
@task(name="plan-run", cache_policy=NO_CACHE)
def plan_run(settings: AuditSettings, run_id: str | None = None) -> tuple[p.Plan, AuditState]:
    stores = p.open_stores(settings)
    t0 = time.perf_counter()
    state, note = p.load(settings, stores)  # the note becomes the plan's full-audit reason (logged)
    # an interrupted run's finished batches are not audited again (not with --full / --reset-state)
    resumed = p.resume(stores, state) if not (settings.full or settings.reset_state) else {}
    t1 = time.perf_counter()
    plan = p.plan_run(settings, stores, state, run_id=run_id, state_note=note, resumed=resumed)
    plan.seconds["state_load"] = t1 - t0
    return plan, state


@task(name="audit-batch", retries=1, retry_delay_seconds=2, cache_policy=NO_CACHE)
def audit_batch(settings: AuditSettings, run_id: str, index: int, infos: list,
                years: dict | None = None) -> p.BatchOutcome:
    return p.audit_batch(settings, run_id, index, infos, years)


@task(name="publish-findings", cache_policy=NO_CACHE)
def publish(settings: AuditSettings, state: AuditState, summary: p.RunSummary,
            unchanged_since: str | None = None) -> p.RunSummary:
    return p.publish(settings, p.open_stores(settings), state, summary, unchanged_since=unchanged_since)


@task(name="send-alerts", cache_policy=NO_CACHE)
def send_alerts(settings: AuditSettings, alerts: Any, state: AuditState, run_id: str) -> Any:
    from flows.alerts.dispatch import alert_step

    return alert_step(settings, alerts, state, run_id)


def alert_artifacts(settings: AuditSettings, report: Any) -> None:
    """Who was told what (channels redacted), what could not be delivered, and reports with no owner."""
    slug = artifact_key("nianbao", settings.source.slug())
    rows = [d.to_dict() for d in report.deliveries][:MAX_ARTIFACT_ROWS]
    if rows:
        create_table_artifact(key=artifact_key(slug, "alerts"), table=rows,
                              description=f"Owner alerts of this run ({report.count('sent')} sent, "
                                          f"{report.count('undelivered') + report.count('skipped')} undelivered)")
    if report.unowned:
        create_table_artifact(key=artifact_key(slug, "unowned"), table=report.unowned[:MAX_ARTIFACT_ROWS],
                              description=f"{len(report.unowned)} reports with findings and no owner in the registry")


@task(name="create-artifacts", cache_policy=NO_CACHE)
def create_artifacts(settings: AuditSettings, state: AuditState, summary: p.RunSummary) -> None:
    stores = p.open_stores(settings)
    rows = []
    for key, e in state.entries():
        if e.status in (FAILED, NOT_CHECKED, WARNED):
            for r in e.reports:
                if r.get("status") != PASSED:
                    page = r.get("docs_page")
                    n = sum(1 for f in e.findings if f.get("report_id") == r["report_id"])
                    rows.append({"object": key, "report": r.get("report_index"), "status": r.get("status"),
                                 "body": r.get("body") or "", "year": r.get("year"), "findings": n,
                                 "page": stores.docs.url(page) if page else ""})
        elif e.status != PASSED:
            rows.append({"object": key, "report": "", "status": e.status, "body": "", "year": "", "findings": 0,
                         "page": f"{e.status}: {e.reason}"})
    slug = artifact_key("nianbao", settings.source.slug())
    total = len(rows)
    create_table_artifact(key=artifact_key(slug, "failing"), table=rows[:MAX_ARTIFACT_ROWS],
                          description=f"Failing and unreadable reports of {settings.source.uri}"
                                      + (f" (first {MAX_ARTIFACT_ROWS} of {total})" if total > MAX_ARTIFACT_ROWS else ""))
    create_markdown_artifact(key=artifact_key(slug, "summary"), markdown=summary_markdown(summary),
                             description=f"Audit run {summary.run_id}")


def summary_markdown(s: p.RunSummary) -> str:
    lines = [f"# Audit of `{s.source}`", "", f"Run `{s.run_id}` in {s.seconds:.1f} s.", "",
             "| | |", "|---|---|",
             f"| objects listed | {s.listed} |", f"| audited this run (new or changed) | {s.audited} |",
             f"| unchanged (skipped) | {s.unchanged} |", f"| deleted (left the index) | {s.deleted} |",
             f"| reports parsed / validated | {s.reports_parsed} / {s.reports_validated} |",
             f"| objects with failing reports | {s.failed} |",
             f"| objects the rules could not fully check | {s.not_checked} |",
             f"| objects with warnings only | {s.warned} |", f"| unreadable objects | {s.unreadable} |",
             f"| fetch or engine errors | {s.errors} |"]
    if s.full_reason:
        lines.append(f"| full re-audit because | {s.full_reason} |")
    lines += ["", "## Findings per rule", ""]
    lines += (["| rule | findings |", "|---|---|"] + [f"| {k} | {v} |" for k, v in s.findings_per_rule.items()]
              if s.findings_per_rule else ["No findings."])
    lines += ["", f"Data Docs: {s.docs_url}", "", f"Findings: `{s.findings_uri}`"]
    for d in s.docs_errors:
        lines.append(f"\n**{d}**")
    return "\n".join(lines)


# ------------------------------------------------------------------------------------------ progress
class RunProgress:
    """A Prefect progress artifact (percent of this run's objects audited), updated after a batch at
    most every ``EVERY`` seconds (each update is an API call whose event the server stores, and the
    server used a fifth of a core through a 100,000-object run of 2,000 batches), and at the end.
    Progress is a view: an API error here is logged and never fails the run."""

    EVERY = 2.0

    def __init__(self, settings: AuditSettings, plan: p.Plan):
        self.last = 0.0
        self.todo = len(plan.todo)
        self.what = f"{settings.source.uri}: {plan.listed} objects listed, {self.todo} to audit"
        self.id: Any = None
        try:
            self.id = create_progress_artifact(
                0.0 if self.todo else 100.0, key=artifact_key("nianbao", settings.source.slug(), "progress"),
                description=self.what)
        except Exception as e:
            get_run_logger().debug("progress artifact not created: %s", e)

    def update(self, done: int, failing: int, final: bool = False) -> None:
        if self.id is None or not self.todo:
            return
        now = time.monotonic()
        if not final and now - self.last < self.EVERY:
            return
        self.last = now
        try:
            update_progress_artifact(self.id, 100.0 if final else min(100.0, 100.0 * done / self.todo),
                                     description=f"{self.what}; {done} audited, {failing} failing")
        except Exception as e:
            get_run_logger().debug("progress artifact not updated: %s", e)


# ------------------------------------------------------------------------------------------ flow
def failed_batch(plan: p.Plan, index: int, infos: list, err: BaseException) -> p.BatchOutcome:
    """A batch whose task crashed after its retries: its objects are reported, the run goes on."""
    out = p.BatchOutcome(index)
    reason = f"batch failed: {type(err).__name__}: {err}"
    out.entries = [{"key": i.key, "etag": None, "size": i.size, "status": ERROR, "reason": reason,
                    "run_id": plan.run_id, "audited_at": p.now()} for i in infos]
    return out


def batch_lanes() -> int:
    """How many batches the run keeps busy at once: one per parse worker of this process (on Dask,
    as many as this machine's cores, a floor for a cluster's workers)."""
    from flows import parse_pool

    return max(1, parse_pool.workers())


def _thread_runner() -> bool | None:
    """Whether the current flow run's tasks run in threads of this process (None: no flow run)."""
    from prefect.context import FlowRunContext

    ctx = FlowRunContext.get()
    return None if ctx is None else isinstance(ctx.task_runner, ThreadPoolTaskRunner)


def quoted(value: Any) -> Any:
    """``quote(value)`` for a task submitted to the thread runner (the task gets ``value`` itself);
    other runners (Dask) get ``value`` as it is: they ship it to another process anyway."""
    return quote(value) if _thread_runner() else value


def review_marks(state: AuditState) -> list[Any]:
    return [f.get("review") for _, e in state.entries() for f in e.findings if "review" in f]


def run_audit(settings: AuditSettings, alerts: Any = None, run_id: str | None = None) -> p.RunSummary:
    """The flow body (called inside a flow run, which holds the lease of ``run_id``). ``alerts``:
    AlertSettings, or None for no alerting."""
    log = get_run_logger()
    t0 = time.perf_counter()
    plan, state = plan_run(settings, run_id)
    log.info("%s: %d objects listed, %d to audit, %d unchanged, %d deleted%s%s", settings.source.uri, plan.listed,
             len(plan.todo), len(plan.unchanged), len(plan.deleted),
             f" (full: {plan.full_reason})" if plan.full_reason else "",
             f"; {len(plan.resumed)} taken from an interrupted run's finished batches" if plan.resumed else "")
    _progress("listed", listed=plan.listed, todo=len(plan.todo), unchanged=len(plan.unchanged),
              deleted=len(plan.deleted), full_reason=plan.full_reason)
    if plan.listed == 0:
        raise EmptySource(f"no report objects found under {settings.source.uri} (an empty folder or a misspelt "
                          f"prefix?): nothing audited, nothing published")
    t_listed = time.perf_counter()
    stores = p.open_stores(settings)
    batches = plan.batches(settings.batch_size, batch_lanes())
    years = p.year_index(state) if plan.todo else {}
    progress = RunProgress(settings, plan)
    futures = {audit_batch.submit(settings, plan.run_id, i, b, quoted(years)): (i, b)
               for i, b in enumerate(batches)}
    outcomes: list[p.BatchOutcome] = []
    done = parsed = validated = failing = 0
    for fut in as_completed(list(futures)):
        i, infos = futures[fut]
        try:
            out = fut.result()
        except Exception as e:
            log.error("batch %d failed after retries: %s", i, e)
            out = failed_batch(plan, i, infos, e)
        outcomes.append(out)
        try:  # what a run killed from here on resumes from
            p.journal_batch(stores, plan.run_id, out)
        except (p.StorageError, OSError) as e:
            log.warning("batch %d not journaled (a killed run would audit it again): %s", i, e)
        done += len(infos)
        parsed += out.parsed_reports
        validated += out.validated_reports
        failing += sum(1 for e in p.packed_entries(out) if e.status == FAILED)
        log.info("batch %d/%d done: %d objects, %d reports parsed, %d validated (%.1f s)", len(outcomes),
                 len(batches), len(infos), out.parsed_reports, out.validated_reports, out.seconds)
        _progress("batch", done=done, todo=len(plan.todo), parsed=parsed, validated=validated,
                  failing=failing, listed=plan.listed, seconds=time.perf_counter() - t_listed)
        progress.update(done, failing)
    t_batches = time.perf_counter()
    outcomes.sort(key=lambda o: o.index)
    state = p.merge_state(state, plan, outcomes)
    try:
        p.check_fetches(settings, plan, outcomes)  # most fetches failed: the run fails, nothing published
    except p.SourceUnavailable:
        with contextlib.suppress(p.StorageError, OSError):
            p.drop_journals(stores, plan.run_id)
        raise
    # the index as merged: the plan's, with the entries this run merged or deleted read again
    changed = set(plan.deleted) | {e.key for o in outcomes for e in p.packed_entries(o)} | set(plan.resumed)
    years = p.year_index(state, years, changed) if plan.todo else p.year_index(state)
    again = p.cross_year_followups(state, plan, {**plan.resumed,
                                                 **{k: v for o in outcomes for k, v in o.prev_seen.items()}},
                                   after=years)
    if again:  # last year's cells arrived in another batch of this run: those pairs are validated again
        log.info("cross-year: %d objects validated again with last year's cells of this run", len(again))
        more = [audit_batch.submit(settings, plan.run_id, 100000 + i, b, quoted(years))
                for i, b in enumerate([again[k:k + settings.batch_size]
                                       for k in range(0, len(again), settings.batch_size)])]
        extra = []
        for fut in more:
            try:
                extra.append(fut.result())
            except Exception as e:  # the first round's results stand for these objects
                log.error("cross-year batch failed: %s", e)
        state = p.merge_state(state, dataclasses.replace(plan, deleted=[]), extra)
        outcomes += extra
    from flows.parse_pool import RECENT

    RECENT.clear()  # up to NIANBAO_PARSE_CACHE_MB of parsed reports, kept for the follow-up round only
    release_memory()
    reviews_changed = False
    if alerts is not None and alerts.reviews:
        from flows.alerts.reviews import annotate, load_reviews

        marks = review_marks(state)
        annotate(state, load_reviews(alerts.reviews))  # reviewed findings show as such in findings and docs
        reviews_changed = review_marks(state) != marks
    progress.update(len(plan.todo), failing, final=True)
    summary = p.summarise(state, plan, outcomes, settings)
    summary.stage_seconds["batches"] = round(t_batches - t_listed, 3)
    summary.stage_seconds["merge"] = round(time.perf_counter() - t_batches, 3)
    unchanged_since = plan.state_run if not (plan.changes or again or reviews_changed) else None
    summary = publish(settings, quote(state), summary, unchanged_since)
    t_art = time.perf_counter()
    summary.seconds = t_art - t0
    create_artifacts(settings, quote(state), summary)
    summary.stage_seconds["artifacts"] = round(time.perf_counter() - t_art, 3)
    if alerts is not None:
        report = send_alerts(settings, alerts, quote(state), plan.run_id)
        summary.alerts = report.to_dict()
        alert_artifacts(settings, report)
        log.info("alerts: %d sent, %d undelivered, %d up to date, %d reports with findings and no owner%s",
                 report.count("sent"), report.count("undelivered") + report.count("skipped"), report.up_to_date,
                 len(report.unowned), f"; error: {report.error}" if report.error else "")
    _progress("done", summary=summary)
    return summary


# Batches in flight (the parse pool's worker processes do their CPU work). 8 measured no faster than 4 on
# 2 cores (24 against 27 reports/s on 1,000 objects in SeaweedFS): more threads in the flow process.
BATCHES_IN_FLIGHT = int(os.environ.get("NIANBAO_BATCHES_IN_FLIGHT") or 4)


@flow(name="nianbao-audit", task_runner=ThreadPoolTaskRunner(max_workers=BATCHES_IN_FLIGHT),
      validate_parameters=True)
def audit_flow(source: str, docs: str | None = None, state: str | None = None, findings: str | None = None,
               full: bool = False, reset_state: bool = False, batch_size: int = 50, endpoint_url: str | None = None,
               s3_preset: str | None = None, addressing_style: str | None = None,
               signature_version: str | None = None, region: str | None = None,
               aws_credentials_block: str | None = None, docs_base_url: str | None = None,
               profile: str | None = None, owners: str | None = None, smtp: str | None = None,
               smtp_from: str | None = None, alerts: str | None = None, reviews: str | None = None):
    """Audit the reports under ``source`` (s3://bucket/prefix or a folder) incrementally and publish
    findings and Data Docs; with ``owners`` (a registry file) tell each owner what is new (``alerts``:
    errors,verify,unreadable,resolved). Settings not given fall back to ``NIANBAO_*`` variables."""
    from flows.alerts.dispatch import AlertSettings

    settings = audit_settings(
        source, docs=docs, state=state, findings=findings, full=full, reset_state=reset_state,
        batch_size=batch_size,
        docs_base_url=docs_base_url,
        s3=s3_settings(endpoint_url=endpoint_url, preset=s3_preset, addressing_style=addressing_style,
                       signature_version=signature_version, region=region, profile=profile,
                       credentials_block=aws_credentials_block))
    run_id = p.new_run_id()
    start_parse_workers()  # (started already when the CLI or run_settings runs the flow)
    with hold_lease(settings, run_id):  # refused here, before any work, while another run holds it
        summary = run_audit(settings, AlertSettings.resolve(owners=owners, smtp=smtp, smtp_from=smtp_from,
                                                            alerts=alerts, reviews=reviews), run_id)
    name = "Findings" if has_findings(summary) else "Completed"
    docs = f"; Data Docs NOT published: {summary.docs_errors[0]}" if summary.docs_errors else ""
    return Completed(name=name, message=f"{summary.audited} audited, {summary.failed} failing, "
                                        f"{summary.unreadable} unreadable, {summary.errors} errors{docs}", data=summary)


def hold_lease(settings: AuditSettings, run_id: str) -> lease.Lease:
    """The lease on the state document for this run (``flows.lease``), renewed while the run lasts and
    released when it ends, failed or not. Raises ``lease.LeaseHeld`` when another live run holds it."""
    stores = p.open_stores(settings)
    held = lease.acquire(stores.state, stores.state_key, run_id, note=get_run_logger().warning)
    return held.start_heartbeat()


def has_findings(s: p.RunSummary) -> bool:
    return bool(s.failed or s.not_checked or s.unreadable or s.errors or s.stale)


def dask_task_runner() -> Any:
    """Batches on a Dask cluster: ``NIANBAO_DASK_ADDRESS`` (tcp://scheduler:8786), else a LocalCluster
    of worker processes on this machine."""
    from prefect_dask import DaskTaskRunner

    address = os.environ.get("NIANBAO_DASK_ADDRESS")
    if address:
        return DaskTaskRunner(address=address)
    n = int(os.environ.get("NIANBAO_DASK_WORKERS") or max(1, (os.cpu_count() or 2)))
    return DaskTaskRunner(cluster_class="distributed.LocalCluster",
                          cluster_kwargs={"n_workers": n, "threads_per_worker": 1, "processes": True,
                                          "dashboard_address": None})


# Same flow, batches on Dask (deployment entrypoint flows/audit.py:audit_flow_dask).
audit_flow_dask = audit_flow.with_options(name="nianbao-audit-dask", task_runner=dask_task_runner())


def flow_parameters(s: AuditSettings) -> dict[str, Any]:
    """Resolved settings as the flow's parameters (what a deployment run would be given)."""
    return {"source": s.source.uri, "docs": s.docs.uri, "state": s.state.uri, "findings": s.findings.uri,
            "full": s.full, "reset_state": s.reset_state, "batch_size": s.batch_size, "endpoint_url": s.s3.endpoint_url,
            "addressing_style": s.s3.addressing_style, "signature_version": s.s3.signature_version,
            "region": s.s3.region_name, "aws_credentials_block": s.s3.credentials_block,
            "docs_base_url": s.docs_base_url, "profile": s.s3.profile_name}


def start_parse_workers(settings: AuditSettings | None = None) -> None:
    """Start this process's parse workers now (``parse_pool.prestart``) when its batches run here, in
    threads: not on Dask, whose worker processes parse and validate. Without ``settings``, inside a
    flow run, its task runner says."""
    here = settings.task_runner != "dask" if settings is not None else _thread_runner() is not False
    if here:
        from flows import parse_pool

        parse_pool.prestart()


def prepare_run(settings: AuditSettings) -> None:
    """Before the flow, in the main thread (the CLI: while the Prefect server boots): start the parse
    workers and import what building the site needs (``flows.site.build.warm``; never from a
    background thread, and not inside the flow, where it would only move the same seconds)."""
    import threading

    start_parse_workers(settings)
    if threading.current_thread() is threading.main_thread():
        from flows.site.build import warm

        warm()


def run_settings(s: AuditSettings, alerts: dict[str, Any] | None = None) -> p.RunSummary:
    """Run the flow for resolved settings (the CLI's entry point); returns the run summary.
    ``alerts``: the alert parameters (owners, smtp, smtp_from, alerts, reviews)."""
    f = audit_flow
    prepare_run(s)  # the CLI did it while the Prefect server booted: then only checks
    if s.task_runner == "dask":
        f = audit_flow.with_options(name="nianbao-audit-dask", task_runner=dask_task_runner())
    return f(**flow_parameters(s), **(alerts or {}))
