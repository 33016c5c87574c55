"""The audit's steps as plain functions (the Prefect flow in ``flows.audit`` only chains them).

plan_run     list the source, load the state, decide what to audit
audit_batch  fetch (with retries), parse and validate one batch; build and upload its Data Docs
merge_state  fold batch outcomes into the state (new, changed, deleted, unreadable, fetch errors: an
             object that could not be fetched keeps its last good result, marked stale)
check_fetches  a run where most fetches failed is a failed run: nothing published, the state kept
publish      findings JSON + Parquet under runs/<run-id>/ then latest/; the docs index; save the state
"""

from __future__ import annotations

import contextlib
import json
import tempfile
import threading
import time
import uuid
from concurrent.futures import ThreadPoolExecutor
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

from flows import lease
from flows.config import AuditSettings, Location
from flows.faults import checkpoint
from flows.jsonbytes import compact
from flows.memory import release_memory
from flows.state import (
    ERROR,
    FAILED,
    NOT_CHECKED,
    PASSED,
    REPORT_ORDER,
    UNREADABLE,
    WARNED,
    AuditState,
    ObjectEntry,
    StateDamaged,
    StateError,
    engine_fingerprint,
    gc_shards,
    load_state,
    move_aside,
    save_state,
    where,
)
from flows.storage import (
    MANIFEST,
    ObjectInfo,
    StorageError,
    Store,
    list_sources,
    open_store,
    publish_run,
    upload_tree,
)

FETCH_THREADS = 8
PDF_UNIT_BYTES = 20_000  # a PDF counts as one unit of a batch per this many bytes (Plan.batches)
MAX_FAILING = 200
SITES = "sites/"


def new_run_id() -> str:
    """Sortable and unique: 20261123T020000Z-1a2b3c."""
    return time.strftime("%Y%m%dT%H%M%SZ", time.gmtime()) + "-" + uuid.uuid4().hex[:6]


def now() -> str:
    return time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime())


# ------------------------------------------------------------------------------------------ stores
@dataclass(slots=True)
class Stores:
    source: Store
    state: Store
    state_key: str
    findings: Store
    docs: Store


def open_stores(s: AuditSettings) -> Stores:
    client = None
    if "s3" in (s.source.kind, s.state.kind, s.findings.kind, s.docs.kind):
        from flows.storage import make_s3_client

        client = make_s3_client(s.s3)
    state_parent, _, state_key = s.state.prefix.rpartition("/")
    if s.state.kind == "s3":
        state_loc = Location("s3", s.state.bucket, state_parent + "/" if state_parent else "")
    else:
        state_loc = Location("file", None, state_parent or "/")
    state_store = open_store(state_loc, s.s3, s.retry, client=client)
    return Stores(
        source=open_store(s.source, s.s3, s.retry, client=client),
        state=state_store, state_key=state_key,
        findings=open_store(s.findings, s.s3, s.retry, client=client),
        docs=open_store(s.docs, s.s3, s.retry, client=client, public_base=s.docs_base_url),
    )


# ------------------------------------------------------------------------------------------ plan
@dataclass(slots=True)
class Plan:
    run_id: str
    listed: int
    todo: list[ObjectInfo]
    unchanged: list[str]
    deleted: list[str]
    full_reason: str | None  # why everything is audited again, if it is
    seconds: dict[str, float] = field(default_factory=dict)  # list, state_load (wall)
    state_run: str | None = None  # the run that last saved the state (before this one)
    # objects an interrupted run audited (its batch journals, ``resume``) and this run does not audit
    # again: key -> the cross-year candidates its batch saw (``BatchOutcome.prev_seen``)
    resumed: dict[str, list[Any]] = field(default_factory=dict)

    @property
    def changes(self) -> bool:
        """Whether this run audits or drops anything (else the state stays as the last run saved it)."""
        return bool(self.todo or self.deleted or self.full_reason or self.resumed)

    def batches(self, size: int, lanes: int = 1) -> list[list[ObjectInfo]]:
        """The objects to audit in batches of at most ``size`` units of work: a text, HTML or Word object
        is one unit; a PDF one per ``PDF_UNIT_BYTES`` (its pages are laid out and read: ~20 times a text
        report's parse for a five-page report), so PDF batches are smaller and the validation and Data
        Docs of one batch overlap the parsing of the next. The batches are of even size, and at least
        ``lanes`` (the parse workers, each of which takes a batch) when there are that many objects: 33
        objects make two batches of 17 and 16 for two workers, not one of 33 that keeps one idle."""
        weights = [max(1, (i.size or 0) // PDF_UNIT_BYTES) if i.key.lower().endswith(".pdf") else 1
                   for i in self.todo]
        n = max(-(-sum(weights) // max(1, size)), min(max(1, lanes), len(self.todo)))
        size = min(size, -(-sum(weights) // n)) if weights else size
        out: list[list[ObjectInfo]] = []
        cur: list[ObjectInfo] = []
        units = 0
        for info, w in zip(self.todo, weights, strict=True):
            if cur and units + w > size:
                out.append(cur)
                cur, units = [], 0
            cur.append(info)
            units += w
        if cur:
            out.append(cur)
        return out


def plan_run(s: AuditSettings, stores: Stores, state: AuditState, run_id: str | None = None,
             state_note: str | None = None, resumed: dict[str, list[Any]] | None = None) -> Plan:
    """``state_note`` (from ``load``) says why the state is new: every object is audited then, except
    the ``resumed`` ones (``resume``: audited by an interrupted run with these parsers and rules) whose
    object has not changed since."""
    t0 = time.perf_counter()
    listed = list(list_sources(stores.source))
    reason = None
    if s.full:
        reason = "--full" + (f"; {state_note}" if state_note else "")
    elif state_note:
        reason = state_note
    elif state.engine is not None and state.engine != engine_fingerprint():
        reason = "the parsers or rules changed since the last run"
    todo, same, deleted = state.diff(listed, full=reason is not None)
    kept: dict[str, list[Any]] = {}
    if resumed:
        again = []
        for i in todo:
            if i.key in resumed and state.is_current(i):
                kept[i.key] = resumed[i.key]
                same.append(i.key)
            else:
                again.append(i)
        todo = again
    return Plan(run_id or new_run_id(), len(listed), todo, same, deleted, reason,
                seconds={"list": time.perf_counter() - t0}, state_run=state.last_run_id, resumed=kept)


# ------------------------------------------------------------------------------------------ batches
@dataclass(slots=True)
class BatchOutcome:
    index: int
    entries: list[dict[str, Any]] = field(default_factory=list)  # ObjectEntry JSON with "key"
    fetched: int = 0
    parsed_reports: int = 0
    validated_reports: int = 0
    docs_prefix: str | None = None
    docs_error: str | None = None
    seconds: float = 0.0
    timings: dict[str, float] = field(default_factory=dict)  # fetch, parse, validate, docs (seconds)
    # object key -> the (object, cell shard) pairs its reports' cross-year lookups were answered from:
    # what ``cross_year_followups`` compares with the candidates known once every batch is done
    prev_seen: dict[str, list[tuple[str, str | None]]] = field(default_factory=dict)
    # ``entries`` as packed ObjectEntry (``packed_entries``): what the flow keeps of a finished batch
    packed: list[ObjectEntry] | None = None


def packed_entries(o: BatchOutcome) -> list[ObjectEntry]:
    """The batch's entries, packed once (the JSON dicts dropped): a first run over 100,000 objects
    keeps every batch's outcome until the merge, ~1/30 of their decoded size."""
    if o.packed is None:
        o.packed = [ObjectEntry.from_dict(d["key"], d).pack() for d in o.entries]
        o.entries = []
    return o.packed


def fetch_and_parse(store: Store, infos: list[ObjectInfo], timings: dict[str, float] | None = None,
                    run_id: str | None = None, lane: Any = None,
                    keep: dict[str, bytes] | None = None) -> list[tuple[ObjectInfo, ObjectInfo | None, str | None, Any]]:
    """(listed info, fetched info, fetch error or None, ``parse_pool.Parsed`` or None) per object, in
    order. GETs run in a thread pool; each object's bytes go to the parse pool (worker processes) as
    soon as they arrive, so fetching and parsing overlap: to the batch's ``lane``
    (``parse_pool.batch_lane``) when given, whose worker keeps the reports. ``timings``: fetch (until
    the last byte), parse (the parsing left after it), parse_cpu (worker seconds). ``keep``: filled with
    the bytes by key. Objects ``run_id`` fetched before at the same ETag (``parse_pool.RECENT``) are not
    fetched again."""
    from flows import parse_pool

    t0 = time.perf_counter()
    send = parse_pool.submit if lane is None else lane.submit

    def one(info: ObjectInfo):
        hit = parse_pool.RECENT.get(run_id, info.key, info.etag) if run_id else None
        if hit is not None:  # fetched earlier in this run (the cross-year follow-up round): same bytes
            got, data = hit
        else:
            try:
                data, got = store.get(info.key)
            except StorageError as e:
                return info, None, e.reason, None, None
            if run_id:
                parse_pool.RECENT.put(run_id, info.key, got, data)
        return info, got, None, data, send(data, info.key)
    if len(infos) <= 1:
        started = [one(i) for i in infos]
    else:
        with ThreadPoolExecutor(min(FETCH_THREADS, len(infos))) as pool:
            started = list(pool.map(one, infos))
    t1 = time.perf_counter()
    out = []
    for info, got, err, data, fut in started:
        parsed = None if fut is None else parse_pool.result_of(fut, data, info.key, unpack=False)
        if keep is not None and data is not None:
            keep[info.key] = data
        out.append((info, got, err, parsed))
    if timings is not None:
        timings["fetch"] = t1 - t0
        timings["parse"] = time.perf_counter() - t1
        timings["parse_cpu"] = sum(p.seconds for *_, p in out if p is not None)
    return out


def audit_batch(s: AuditSettings, run_id: str, index: int, infos: list[ObjectInfo],
                years: dict[str, list[tuple[str, str | None]]] | None = None) -> BatchOutcome:
    """Fetch, parse and validate one batch of objects. Never raises for a bad object: each comes
    back as an entry with its status and reason. ``years`` (``year_index``): where the cell store
    holds each body's reports, for the cross-year rules.

    The flow process handles the reports only as the parse workers described them (``Parsed.meta``
    and ``Parsed.cells``): the worker that parsed the batch (its lane) keeps the reports and validates
    them."""
    from flows import parse_pool

    with parse_pool.batch_lane(f"{run_id}/{index}/{uuid.uuid4().hex[:12]}") as lane:
        return _audit_batch(s, run_id, index, infos, years, lane)


def _audit_batch(s: AuditSettings, run_id: str, index: int, infos: list[ObjectInfo],
                 years: dict[str, list[tuple[str, str | None]]] | None, lane: Any) -> BatchOutcome:
    from flows import validate as v

    t0 = time.perf_counter()
    checkpoint("batch")
    stores = open_stores(s)
    out = BatchOutcome(index)
    entries: dict[str, ObjectEntry] = {}
    parsed_by_key: dict[str, Any] = {}  # key -> parse_pool.Parsed of the objects that were read
    data_of: dict[str, bytes] = {}  # to parse here again if the worker holding the reports died
    for info, got, err, parsed in fetch_and_parse(stores.source, infos, out.timings, run_id, lane, data_of):
        if got is None:
            entries[info.key] = ObjectEntry(info.key, None, info.size, ERROR, audited_at=now(), run_id=run_id,
                                            reason=f"{FETCH_FAILED}{err}")
            continue
        out.fetched += 1
        e = ObjectEntry(info.key, got.etag, got.size, PASSED, version_id=got.version_id,
                        last_modified=got.last_modified or info.last_modified, audited_at=now(), run_id=run_id)
        entries[info.key] = e
        if parsed.error is not None:
            e.status, e.reason = UNREADABLE, parsed.error
        else:
            parsed_by_key[info.key] = parsed
            out.parsed_reports += len(parsed.meta)
    keep_cells(stores, run_id, index, entries, parsed_by_key)
    LIVE.add(run_id, [(year_key_norm(m["body_norm"], m["year"]), k, entries[k].cells)
                      for k, p in parsed_by_key.items() if entries[k].cells for m in p.meta
                      if m.get("body") and m.get("year")])
    t1 = time.perf_counter()
    out.timings["cells"] = t1 - t0 - out.timings["fetch"] - out.timings["parse"]
    lookup = cell_lookup(stores, years or {}, run_id)
    tmp = tempfile.TemporaryDirectory(prefix="nianbao-docs-")
    try:
        val = validate_batch(list(parsed_by_key.values()), lookup, tmp.name, lane, data_of)
        t2 = time.perf_counter()
        out.timings["validate"] = t2 - t1
        out.timings["validate_wait"] = val.waited  # for the GX lock, while another batch validated
        _entries_of(v, val, entries, parsed_by_key, out)
        for k, p in parsed_by_key.items():
            out.prev_seen[k] = sorted({c for m in p.meta if m.get("body") and m.get("year")
                                       for c in lookup.seen.get((m["body_norm"], m["year"] - 1), [])},
                                      key=lambda c: (c[0], c[1] or ""))
        if val.docs_error:
            out.docs_error = val.docs_error
        elif v.has_docs(val):
            _docs_of(v, val, stores, run_id, index, entries, out, tmp.name)
    finally:
        tmp.cleanup()
    out.entries = [dict(e.to_dict(), key=k) for k, e in entries.items()]
    out.seconds = time.perf_counter() - t0
    out.timings["docs"] = time.perf_counter() - t2 + val.docs_seconds
    return out


def validate_batch(parsed: list[Any], lookup: Any, docs_dir: str, lane: Any = None,
                   data_of: dict[str, bytes] | None = None) -> Any:
    """``flows.validate.Validation`` of a batch (``parse_pool.Parsed`` per object): in the worker
    process that parsed and holds its reports (``lane``; last year's cells read here first; the
    worker writes the Data Docs under ``docs_dir``), else here under the process's GX lock. A worker
    that dies costs only the move: the batch is validated here then, its reports parsed again from
    ``data_of`` where a worker held them."""
    from concurrent.futures.process import BrokenProcessPool

    from flows import parse_pool
    from flows import validate as v

    fut = None
    if lane is not None and parsed and all(p.held == lane.token or p.blob is not None for p in parsed):
        try:
            table = v.lookups_of([m for p in parsed for m in p.meta], lookup) if lookup is not None else None
            fut = lane.validate(parsed, table, docs_dir)
        except Exception:  # the pairing meets the same error validating here, and says so there
            fut = None
    if fut is not None:
        try:
            return fut.result()
        except BrokenProcessPool:
            parse_pool.reset_pool(fut)
        except parse_pool.HeldGone:
            pass
    for p in parsed:
        if p.held and not p.reports and p.blob is None:  # the reports stayed in a worker: parse again
            p.reports = parse_pool.parse_result((data_of or {})[p.key], p.key).reports
    return v.validate_reports([r for p in parsed for r in p.unpack().reports], lookup=lookup)


def _entries_of(v: Any, val: Any, entries: dict[str, ObjectEntry], parsed_by_key: dict[str, Any],
                out: BatchOutcome) -> None:
    out.validated_reports = len(val.results)
    for key, parsed in parsed_by_key.items():
        e = entries[key]
        for m in parsed.meta:
            rid = m["report_id"]
            result = val.results.get(rid)
            status = "error" if rid in val.errors else v.report_status(result)
            e.reports.append({"report_id": rid, "report_index": m["report_index"], "body": m["body"],
                              "year": m["year"], "format": m["format"], "title": m["title"], "status": status,
                              "error": val.errors.get(rid), "summary": result.to_dict() if result else None})
            e.findings.extend(f.to_dict() for f in val.findings.get(rid, []))
        if any(r["status"] == "error" for r in e.reports):
            e.status, e.etag = ERROR, None  # audit again next run
            e.reason = "; ".join(r["error"] for r in e.reports if r.get("error"))
        elif e.reports:
            e.status = next(st for st in REPORT_ORDER if any(r["status"] == st for r in e.reports))
            if e.status == UNREADABLE:  # read, but printed cells were not: the reader's limit, said so
                e.reason = "; ".join(f"#{r['report_index']} not fully read: " + "; ".join(lim)
                                     for r in e.reports if (lim := (r.get("summary") or {}).get("read_limited")))


def _docs_of(v: Any, val: Any, stores: Stores, run_id: str, index: int, entries: dict[str, ObjectEntry],
             out: BatchOutcome, tmp: str) -> None:
    """Upload the batch's Data Docs (built by the worker, or here) and point each report at its page."""
    prefix = f"{SITES}{run_id}/b{index:05d}/"
    try:
        index_html = Path(val.docs_index) if val.docs_index else v.build_docs(val, Path(tmp) / "site")
        site = index_html.parent
        upload_tree(stores.docs, site, prefix)
        pages = page_map(site, val)
        out.docs_prefix = prefix
        for e in entries.values():
            for r in e.reports:
                if r["status"] != "passed":
                    r["docs_page"] = prefix + pages.get(r["report_id"], "index.html")
    except Exception as ex:  # docs are a view; the findings stand without them
        out.docs_error = f"Data Docs failed: {type(ex).__name__}: {ex}"


def year_key(body: str | None, year: int | None) -> str:
    from parsers.names import normalise

    return year_key_norm(normalise(body), year)


def year_key_norm(body_norm: str | None, year: int | None) -> str:
    return f"{body_norm}|{year}"


class LiveYears:
    """``year_index`` entries of the reports this run has stored cells for so far, in this process:
    a batch validating a body's 2022 report finds the 2021 report that an earlier batch of the same run
    stored, instead of leaving the pair to the follow-up round (on a first audit of a multi-year corpus
    that round re-validated most reports). Batches in other processes (Dask) see only their own."""

    def __init__(self) -> None:
        self.run: str | None = None
        self._index: dict[str, dict[str, str | None]] = {}
        self._lock = threading.Lock()

    def add(self, run_id: str, rows: list[tuple[str, str, str | None]]) -> None:
        with self._lock:
            if run_id != self.run:
                self.run, self._index = run_id, {}
            for yk, key, shard in rows:
                self._index.setdefault(yk, {})[key] = shard

    def get(self, run_id: str | None, yk: str) -> list[tuple[str, str | None]]:
        with self._lock:
            return list(self._index.get(yk, {}).items()) if run_id is not None and run_id == self.run else []


LIVE = LiveYears()


def year_index(state: AuditState, base: dict[str, list[tuple[str, str | None]]] | None = None,
               changed: set[str] | None = None) -> dict[str, list[tuple[str, str | None]]]:
    """(normalised body, year) -> (object key, cell-store shard) of the objects holding such a report:
    where cross-year rules look. With ``base`` (the index before) and ``changed`` (the keys merged or
    deleted since), only those entries are read again."""
    if base is not None and changed is not None:
        out = {yk: kept for yk, v in base.items() if (kept := [c for c in v if c[0] not in changed])}
        keys: Any = (k for k in changed if k in state.objects)
    else:
        out, keys = {}, list(state.objects)
    for key in keys:
        e = state.objects[key]
        with e.visit():
            for r in e.reports:
                if r.get("body") and r.get("year"):
                    out.setdefault(year_key(r["body"], r["year"]), []).append((key, e.cells))
    for v in out.values():  # the same order however it was built
        v.sort(key=lambda c: (c[0], c[1] or ""))
    return out


def cell_lookup(stores: Stores, years: dict[str, list[tuple[str, str | None]]], run_id: str | None = None) -> Any:
    """``lookup(normalised body, year)`` for ``expectations.check_reports``: the cell-store documents of
    that body's reports of that year, as the state at the start of the run (``years``) or, for objects
    this run audited already, this run (``LIVE``) stored them. Each shard is read once per process
    (``flows.cells.SHARDS``). ``lookup.raw(body, year)``: the candidate objects' entries undecoded (what
    a worker validating the batch is sent, ``flows.validate.lookups_of``)."""
    from flows.cells import object_doc, object_json, read_cells, reports_of

    seen: dict[tuple[str, int], list[tuple[str, str | None]]] = {}
    decoded: dict[tuple[str, str | None], Any] = {}  # what ``lookup`` decoded, per object and shard

    def candidates(body: str, year: int) -> list[tuple[tuple[str, str | None], Any]]:
        yk = year_key_norm(body, year)
        where = dict(years.get(yk, []))
        where.update(LIVE.get(run_id, yk))  # this run's cells of an object supersede the older ones
        seen[(body, year)] = list(where.items())
        out = []
        for key, shard in where.items():
            got = object_json(stores.state, stores.state_key, key, shard) if shard else \
                read_cells(stores.state, stores.state_key, key)
            if got is not None:
                out.append(((key, shard), got))
        return out

    def raw(body: str, year: int) -> list[Any]:
        return [got for _, got in candidates(body, year)]

    def lookup(body: str, year: int) -> list[dict[str, Any]]:
        out = []
        for at, got in candidates(body, year):
            if at not in decoded:
                decoded[at] = object_doc(got)
            out += reports_of(decoded[at], body, year)
        return out
    lookup.seen = seen  # type: ignore[attr-defined]  # what it was asked and answered from
    lookup.raw = raw  # type: ignore[attr-defined]
    return lookup


def cross_year_followups(state: AuditState, plan: Plan, seen: dict[str, list[tuple[str, str | None]]],
                         after: dict[str, list[tuple[str, str | None]]] | None = None) -> list[ObjectInfo]:
    """Objects to validate again now that every batch of the run stored its cells: audited reports
    whose batch did not see every candidate for last year as it now stands (``seen``: the (object,
    shard) pairs each object's cross-year lookups were answered from, ``BatchOutcome.prev_seen``): one
    audited in a batch that finished later, or changed this run after the old cells were read; and
    unchanged reports whose last year was audited this run. The answer then does not depend on how
    the objects fell into batches."""
    audited = {i.key for i in plan.todo} | set(plan.resumed)
    after = year_index(state) if after is None else after
    again: set[str] = set()
    for key, e in state.entries(sort=False):
        if key not in audited or e.stale:
            continue
        saw = {tuple(c) for c in seen.get(key, [])}
        for r in e.reports:
            b, y = r.get("body"), r.get("year")
            if not (b and y):
                continue
            want = {c for c in after.get(year_key(b, y - 1), []) if c[0] != key}
            if not want <= saw:
                again.add(key)
            again.update(k for k, _ in after.get(year_key(b, y + 1), []) if k != key and k not in audited)
    infos = []
    for k in sorted(again):
        e = state.objects.get(k)
        if e is not None and e.etag:
            infos.append(ObjectInfo(k, e.etag, e.size, e.last_modified, e.version_id))
    return infos


def keep_cells(stores: Stores, run_id: str, index: int, entries: dict[str, ObjectEntry],
               parsed_by_key: dict[str, Any]) -> None:
    """The batch's cells go to the cell store (flows.cells) next to the state, as one shard: what
    cross-year rules and the site read later. A store error costs only those later uses (said in the
    entries)."""
    from flows.cells import shard_name, write_shard

    objs = [(k, entries[k].etag, p.cells) for k, p in parsed_by_key.items() if p.cells is not None]
    if not objs:
        return
    shard = shard_name(run_id, index)
    try:
        write_shard(stores.state, stores.state_key, shard, objs)
    except (StorageError, OSError) as e:
        for k, _, _ in objs:
            entries[k].reason = f"cells not stored: {_reason(e)}"
        return
    for k, _, _ in objs:
        entries[k].cells = shard


def gc_cells(stores: Stores, state: AuditState) -> int:
    """Cell shards and documents the saved state no longer names (objects gone or audited again)."""
    from flows.cells import gc

    shards = {e.cells for e in state.objects.values() if e.cells}
    legacy = {k for k, e in state.objects.items() if not e.cells}
    return gc(stores.state, stores.state_key, shards, legacy)


def page_map(site: Path, val: Any) -> dict[str, str]:
    """report id -> page of that report within the site: the rules package's own naming
    (``expectations.docs.page_name``) when the page exists, else the page that names the report."""
    import html as _html

    out: dict[str, str] = {}
    try:
        from expectations.docs import page_name
    except ImportError:
        page_name = None
    wanted = set(val.results)
    if page_name is not None:
        for rid in list(wanted):
            rel = f"reports/{page_name(rid)}"
            if (site / rel).is_file():
                out[rid] = rel
                wanted.discard(rid)
    if wanted:
        for p in sorted(site.rglob("*.html")):
            if p.name == "index.html" and p.parent == site:
                continue
            text = p.read_text(encoding="utf-8", errors="replace")
            for rid in list(wanted):
                if _html.escape(rid) in text:
                    out[rid] = p.relative_to(site).as_posix()
                    wanted.discard(rid)
    return out


# ------------------------------------------------------------------------------------------ merge
@dataclass(slots=True)
class RunSummary:
    run_id: str
    source: str
    listed: int = 0
    audited: int = 0  # objects fetched and parsed this run (or tried)
    resumed: int = 0  # objects an interrupted run audited, taken from its batch journals
    unchanged: int = 0
    deleted: int = 0
    reports_parsed: int = 0
    reports_validated: int = 0
    failed: int = 0  # objects (all of the source, not only this run) with a failing report
    not_checked: int = 0  # objects with a report the rules could not check (no statutory tables...)
    warned: int = 0  # objects whose worst finding is a warning
    unreadable: int = 0
    errors: int = 0
    stale: int = 0  # objects that could not be fetched (this run or before): last good result kept
    fetch_failed: int = 0  # objects of this run that could not be fetched
    findings_per_rule: dict[str, int] = field(default_factory=dict)
    full_reason: str | None = None
    docs_url: str | None = None
    findings_uri: str | None = None
    seconds: float = 0.0
    docs_errors: list[str] = field(default_factory=list)
    failing: list[str] = field(default_factory=list)  # first MAX_FAILING lines: object, report, page
    batch_seconds: dict[str, float] = field(default_factory=dict)  # summed over batches: fetch, parse, ...
    # wall seconds of the flow's stages: list, state_load, batches, merge, publish, site, state, cleanup
    stage_seconds: dict[str, float] = field(default_factory=dict)
    alerts: dict[str, Any] | None = None  # AlertReport.to_dict() when owners were alerted
    published: str | None = None  # nothing changed: the findings, site and state of this run stand
    state_written: dict[str, int] | None = None  # flows.state.save_state: shards, written, bytes

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


def not_obtained(e: ObjectEntry) -> bool:
    """An entry of this run for an object that could not be fetched (or whose batch crashed): an
    error with no report read."""
    return e.status == ERROR and not e.reports


def has_result(e: ObjectEntry) -> bool:
    """An entry worth keeping when its object cannot be fetched: it was read at least once."""
    return not not_obtained(e)


def merge_state(state: AuditState, plan: Plan, outcomes: list[BatchOutcome]) -> AuditState:
    """Fold this run's entries into the state. An object that could not be fetched keeps its last good
    result (reports, findings, docs pages) with ``stale`` set, so it is fetched again next run; only
    an object never read before becomes an ``error`` entry."""
    for k in plan.deleted:
        state.objects.pop(k, None)
    for o in outcomes:
        for new in packed_entries(o):
            key = new.key
            old = state.objects.get(key)
            if not_obtained(new) and old is not None and has_result(old):
                old.stale = {"reason": new.reason, "at": new.audited_at or now(), "run_id": new.run_id,
                             "since": (old.stale or {}).get("since") or new.audited_at or now()}
                continue
            state.objects[key] = new
    state.engine = engine_fingerprint()
    state.last_run_id = plan.run_id
    return state


# ------------------------------------------------------------------------------------------ publish
def count_rules(state: AuditState) -> dict[str, int]:
    counts: dict[str, int] = {}
    for f in state.findings():
        rule = str(f.get("rule") or f.get("rule_id") or "?")
        counts[rule] = counts.get(rule, 0) + 1
    return dict(sorted(counts.items()))


def summarise(state: AuditState, plan: Plan, outcomes: list[BatchOutcome], s: AuditSettings) -> RunSummary:
    st = [e.status for e in state.objects.values()]
    return RunSummary(
        run_id=plan.run_id, source=s.source.uri, listed=plan.listed, audited=len(plan.todo), resumed=len(plan.resumed),
        unchanged=len(plan.unchanged), deleted=len(plan.deleted),
        reports_parsed=sum(o.parsed_reports for o in outcomes),
        reports_validated=sum(o.validated_reports for o in outcomes),
        failed=st.count(FAILED), not_checked=st.count(NOT_CHECKED), warned=st.count(WARNED), unreadable=st.count(UNREADABLE), errors=st.count(ERROR),
        stale=sum(1 for e in state.objects.values() if e.stale),
        fetch_failed=fetch_failures(outcomes)[0],
        findings_per_rule=count_rules(state), full_reason=plan.full_reason,
        docs_errors=[o.docs_error for o in outcomes if o.docs_error],
        batch_seconds={k: round(sum(o.timings.get(k, 0.0) for o in outcomes), 2)
                       for k in ("fetch", "parse", "parse_cpu", "cells", "validate", "validate_wait",
                                 "docs")},
        stage_seconds={k: round(v, 3) for k, v in plan.seconds.items()})


class SourceUnavailable(RuntimeError):
    """Most of the objects this run tried could not be fetched: the source (or the way to it) is down.
    The run fails; nothing is published and the state is not written, so the last good results stay."""


FETCH_FAILED = "cannot fetch: "  # the reason of an entry whose object could not be fetched


def fetch_failures(outcomes: list[BatchOutcome]) -> tuple[int, list[tuple[str, str]]]:
    """(objects of this run that could not be fetched, first few (key, reason)). A crashed batch is
    not counted here (its objects keep their last results, stale, like any object not obtained)."""
    lost = [(e.key, str(e.reason or "")) for o in outcomes for e in packed_entries(o)
            if not_obtained(e) and str(e.reason or "").startswith(FETCH_FAILED)]
    return len(lost), lost[:3]


def check_fetches(s: AuditSettings, plan: Plan, outcomes: list[BatchOutcome]) -> None:
    """Raise ``SourceUnavailable`` when more than half of the objects tried could not be fetched (the
    only object of a one-object run included): publishing that would replace good results by errors."""
    tried = len(plan.todo)
    n, first = fetch_failures(outcomes)
    if tried and n * 2 > tried:
        eg = "; ".join(f"{k}: {r}" for k, r in first[:1])
        raise SourceUnavailable(f"{n} of {tried} objects could not be fetched from {s.source.uri} (e.g. {eg}): "
                                f"nothing published, the state {s.state.uri} is unchanged; run again when the "
                                f"source is reachable")


# In the findings store: the last run whose findings and site were both written in full.
PUBLISHED = "latest/published.json"


def findings_uri(s: AuditSettings) -> str:
    return s.findings.uri + "latest/findings.json" if s.findings.kind == "s3" else \
        str(Path(s.findings.prefix) / "latest" / "findings.json")


def published(stores: Stores, run_id: str) -> dict[str, Any] | None:
    """The publication record of ``run_id`` when the latest findings and the site are that run's (both
    written in full), else None."""
    try:
        rec = json.loads(stores.findings.get(PUBLISHED)[0])
        manifest = json.loads(stores.findings.get("latest/" + MANIFEST)[0])
    except (StorageError, OSError, ValueError):
        return None
    if not (isinstance(rec, dict) and isinstance(manifest, dict)):
        return None
    return rec if rec.get("run_id") == run_id == manifest.get("run_id") else None


def publish(s: AuditSettings, stores: Stores, state: AuditState, summary: RunSummary,
            after_run_written: Any = None, unchanged_since: str | None = None) -> RunSummary:
    """Findings (run prefix, then latest/), docs index, then the state, then docs clean-up.

    The state is saved last: a crash before it only means the next run audits the same changes again.
    A run whose lease was broken or taken over meanwhile publishes nothing (``lease.LeaseLost``).

    ``unchanged_since``: this run changed nothing in the state saved by that run (nothing audited,
    nothing deleted, no review mark changed). When that run's findings and site were published in full
    (``published``), nothing is written again: findings, site and state stay as they are. Otherwise
    (its site failed, or a crash came between two steps) everything is published as usual."""
    lease.verify(summary.run_id)
    clock = Clock(summary.stage_seconds)
    rec = published(stores, unchanged_since) if unchanged_since else None
    if rec is not None:
        summary.findings_uri = findings_uri(s)
        summary.docs_url = rec.get("docs_url")
        summary.failing = failing_lines(state, stores.docs)
        summary.published = unchanged_since
        clock.lap("publish")
        return summary
    from flows.exports import write_findings_files

    with tempfile.TemporaryDirectory(prefix="nianbao-findings-") as tmp:
        paths = write_findings_files(state, summary.to_dict(), Path(tmp))
        types = {"json": "application/json; charset=utf-8", "parquet": "application/vnd.apache.parquet"}
        publish_run(stores.findings, summary.run_id,
                    {name: (path, types[name.rsplit(".", 1)[1]]) for name, path in paths.items()}, after_run_written)
    release_memory()
    clock.lap("publish")
    summary.findings_uri = findings_uri(s)
    try:  # the docs are a view: failing to write them must not cost the state (every later run would
        # audit everything again and fail the same way)
        from flows.site import build_site_from_state

        built = build_site_from_state(state, stores.docs, state_store=stores.state, state_key=stores.state_key,
                                      findings=stores.findings, source=stores.source, run_id=summary.run_id)
        summary.docs_url = built.url
        summary.stage_seconds.update({f"site_{k}": round(v, 3) for k, v in built.timings.items()})
    except Exception as e:
        summary.docs_errors.append(f"Data Docs index not written to {s.docs.uri}: {_reason(e)}")
    release_memory()
    summary.failing = failing_lines(state, stores.docs)
    clock.lap("site")
    lease.verify(summary.run_id)
    saved = save_state(stores.state, stores.state_key, state)
    summary.state_written = saved
    clock.lap("state")
    if not summary.docs_errors:  # what lets a later run that changes nothing skip all of the above
        with contextlib.suppress(StorageError, OSError):  # if not, the next unchanged run publishes again
            stores.findings.put(PUBLISHED, json.dumps({"run_id": summary.run_id, "docs_url": summary.docs_url,
                                                       "at": now()}).encode("utf-8"),
                                "application/json; charset=utf-8", cache_control="no-cache")
    # orphans only cost space (nothing points at them); the next run tries again; one failing does not
    # keep the other from running
    with contextlib.suppress(StorageError, OSError):
        drop_journals(stores)
    with contextlib.suppress(StorageError, OSError):
        gc_cells(stores, state)
    with contextlib.suppress(StorageError, OSError):
        gc_shards(stores.state, stores.state_key, state)
    if not summary.docs_errors:
        try:
            gc_sites(stores.docs, state)
        except Exception as e:
            summary.docs_errors.append(f"old Data Docs sites not cleaned up in {s.docs.uri}: {_reason(e)}")
    prune_runs(stores.findings, keep_runs())
    clock.lap("cleanup")
    return summary


class Clock:
    """Wall seconds of consecutive stages into ``into`` (added to what is there)."""

    def __init__(self, into: dict[str, float]):
        self.into = into
        self.t = time.perf_counter()

    def lap(self, name: str) -> None:
        t = time.perf_counter()
        self.into[name] = round(self.into.get(name, 0.0) + t - self.t, 3)
        self.t = t


def _reason(e: BaseException) -> str:
    return e.reason if isinstance(e, StorageError) else f"{type(e).__name__}: {e}"


def keep_runs() -> int:
    import os

    return max(1, int(os.environ.get("NIANBAO_KEEP_RUNS") or 30))


def prune_runs(findings: Store, keep: int) -> int:
    """Keep the newest ``keep`` run prefixes (run ids sort by time); latest/ is never touched."""
    by_run: dict[str, list[str]] = {}
    for o in findings.list("runs/"):
        by_run.setdefault(o.key.split("/")[1], []).append(o.key)
    old = sorted(by_run)[:-keep]
    keys = [k for r in old for k in by_run[r]]
    if keys:
        try:
            findings.delete(keys)
        except StorageError:
            return 0
    return len(old)


def failing_lines(state: AuditState, docs: Store, limit: int = MAX_FAILING) -> list[str]:
    out = []
    for key, e in state.entries():
        if e.stale:
            out.append(f"{key}: stale: could not be fetched since {e.stale.get('since')} ({e.stale.get('reason')}); "
                       f"its last result ({e.status}) is kept and it is fetched again next run")
        if e.status in (FAILED, NOT_CHECKED, WARNED) or (e.status == UNREADABLE and e.reports):
            for r in e.reports:
                if r.get("status") != PASSED:
                    n = sum(1 for f in e.findings if f.get("report_id") == r["report_id"])
                    page = docs.url(r["docs_page"]) if r.get("docs_page") else "(no page)"
                    out.append(f"{key} #{r.get('report_index')} {r.get('body') or '?'} {r.get('year') or '?'}: "
                               f"{r['status']}, {n} findings  {page}")
        elif e.status in (UNREADABLE, ERROR):
            out.append(f"{key}: {e.status}: {e.reason}")
        if len(out) >= limit:
            break
    return out[:limit]


def site_of(key: str) -> str:
    """``sites/<run>/<batch>/...`` -> ``sites/<run>/<batch>/``."""
    return "/".join(key.split("/")[:3]) + "/"


def gc_sites(docs: Store, state: AuditState) -> int:
    """Delete run sites no state entry links to any more (fixed, deleted or re-audited reports)."""
    used = {site_of(r["docs_page"]) for _, r in state.reports() if r.get("docs_page")}
    stale = [o.key for o in docs.list(SITES) if site_of(o.key) not in used]
    if stale:
        try:
            docs.delete(stale)
        except StorageError:
            return 0
    return len(stale)


# ------------------------------------------------------------------------------------------ resume
JOURNAL_SCHEMA = "nianbao-batch/1"


def journal_prefix(state_key: str) -> str:
    return f"{state_key}.batches/"


def journal_batch(stores: Stores, run_id: str, out: BatchOutcome) -> None:
    """Keep a finished batch's outcome next to the state (``<state>.batches/<run>/b<index>.json``)
    until the state is saved: a run killed before that is resumed from them (``resume``) instead of
    auditing those objects again."""
    doc = {"schema": JOURNAL_SCHEMA, "run_id": run_id, "index": out.index, "engine": engine_fingerprint(),
           "entries": out.entries, "prev_seen": out.prev_seen}
    stores.state.put(f"{journal_prefix(stores.state_key)}{run_id}/b{out.index:06d}.json",
                     compact(doc),
                     "application/json; charset=utf-8")
    checkpoint("batch-journaled")


def resume(stores: Stores, state: AuditState) -> dict[str, list[Any]]:
    """Fold the batch journals of interrupted runs (made with these parsers and rules) into ``state``;
    returns key -> cross-year candidates seen, for the objects taken from them. Runs only under the
    lease, so their writers are gone. Journals that cannot be read are skipped (those objects are
    audited again)."""
    docs = []
    for info in stores.state.list(journal_prefix(stores.state_key)):
        try:
            doc = json.loads(stores.state.get(info.key)[0])
        except (StorageError, OSError, ValueError):
            continue
        if (isinstance(doc, dict) and doc.get("schema") == JOURNAL_SCHEMA and doc.get("run_id") != state.last_run_id
                and doc.get("engine") == engine_fingerprint() and isinstance(doc.get("entries"), list)):
            docs.append(doc)
    out: dict[str, list[Any]] = {}
    for doc in sorted(docs, key=lambda d: (str(d.get("run_id")), int(d.get("index") or 0))):
        seen = doc.get("prev_seen") or {}
        for d in doc["entries"]:
            if not isinstance(d, dict) or not isinstance(d.get("key"), str):
                continue
            d = dict(d)
            key = d.pop("key")
            try:
                e = ObjectEntry.from_dict(key, d)
            except TypeError:
                continue
            if e.status == ERROR or not e.etag:
                continue  # not obtained, or the engine failed on it: audited again
            state.objects[key] = e.pack()
            out[key] = [tuple(c) for c in seen.get(key, [])]
    return out


def drop_journals(stores: Stores, run_id: str | None = None) -> None:
    """After the state is saved: every journal is folded in it (or was unusable). With ``run_id``:
    that run's only (a run that failed as a whole leaves nothing to resume)."""
    keys = [i.key for i in stores.state.list(journal_prefix(stores.state_key) + (f"{run_id}/" if run_id else ""))]
    if keys:
        stores.state.delete(keys)


def load(s: AuditSettings, stores: Stores) -> tuple[AuditState, str | None]:
    """(state, why it is new or None). With ``reset_state`` an existing document is moved aside
    (``<name>.damaged-<time>`` when it could not be read) and a new state started."""
    url = where(stores.state, stores.state_key)
    exists = stores.state.head(stores.state_key) is not None
    if exists and s.reset_state:
        try:
            load_state(stores.state, stores.state_key, s.source.uri)
            damaged = False
        except StateDamaged:
            damaged = True
        except StateError:  # another source's state, an unknown schema: kept too
            damaged = False
        kept = move_aside(stores.state, stores.state_key, damaged)
        return AuditState(source=s.source.uri), (f"--reset-state: a new state is created at {url} (the old one "
                                                 f"is kept as {where(stores.state, kept)})")
    if not exists:
        return AuditState(source=s.source.uri), f"no state at {url} yet: a new state is created there"
    return load_state(stores.state, stores.state_key, s.source.uri), None
