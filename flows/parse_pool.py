"""Parsing in worker processes: the parsers are pure (bytes in, ``Report`` list out) and CPU-bound, so
they run in a ``ProcessPoolExecutor`` instead of threads under the GIL.

One pool per process (``get_pool``), created on first use with one worker per core
(``NIANBAO_PARSE_WORKERS`` overrides; ``0`` parses in the calling thread) and reused by every batch
and every flow run of that process; batches running in parallel share it. In a Dask worker (whose
processes are the parallelism already), in a daemonic process or where a pool cannot be made, objects
are parsed in the calling thread. Workers are never forked from the flow process (it has many
threads: a fork could copy a held lock): they are forked from a fork server, a fresh process that
imported what they need once (``flows.worker_imports``: ~4 s of CPU each worker would otherwise
spend), or spawned where there is none (``NIANBAO_WORKER_START=spawn``). A script that runs the flow
needs the usual ``if __name__ == "__main__":`` guard. Workers take the environment of the process
that starts them and exit when it dies (a killed ``nianbao audit`` leaves no parser behind; the fork
server ends with them, or once it has imported their modules when the run was killed before).

The pool is one single-process executor per worker ("lanes", ``Lanes``). An audit batch keeps to one
lane (``batch_lane``): its worker keeps the reports it parsed in memory and validates them there, so
reports never cross processes (pickling a report out and in was ~2.8 ms, a quarter of a worker's
time per object). Callers without a lane (``submit``) go to the least busy lane.

A worker returns a ``Parsed``, never an exception (``ParseError`` does not pickle): the reports
(pickled once, in the worker; or kept there, ``held``) or the reason the object is unreadable, and
the seconds spent.
"""

from __future__ import annotations

import atexit
import contextlib
import gc
import multiprocessing
import os
import pickle
import threading
import time
from collections.abc import Iterator
from concurrent.futures import Future, ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from dataclasses import dataclass, field
from typing import Any

ENV = "NIANBAO_PARSE_WORKERS"


@dataclass(slots=True)
class Parsed:
    key: str
    reports: list[Any] = field(default_factory=list)  # parsers.model.Report
    error: str | None = None  # why the object is unreadable (ParseError reason or a parser bug)
    seconds: float = 0.0  # parse time in the worker
    pid: int = 0  # the process that parsed it
    blob: bytes | None = None  # the reports pickled (how a worker sends them back)
    # What the flow process needs of the reports without unpickling them (``describe``): per report its
    # id, index, body, normalised body, year, format and title; and the cell-store JSON of its reports.
    meta: list[dict[str, Any]] = field(default_factory=list)
    cells: bytes | None = None
    held: str | None = None  # the batch token its worker keeps the reports under (``parse_held``)

    def unpack(self) -> Parsed:
        if self.blob is not None and not self.reports:
            self.reports = pickle.loads(self.blob)
        return self

    @property
    def size(self) -> int:
        return len(self.blob or b"") + len(self.cells or b"")


def describe(reports: list[Any]) -> tuple[list[dict[str, Any]], bytes]:
    """(meta, cells JSON) of parsed reports: what the flow process keeps of them (``Parsed.meta``,
    ``Parsed.cells``) without the reports themselves."""
    from flows.cells import report_cells
    from flows.jsonbytes import compact
    from parsers.names import normalise

    meta = [{"report_id": r.report_id, "report_index": r.report_index, "body": r.body,
             "body_norm": normalise(r.body) if r.body else None, "year": r.year, "format": r.format,
             "title": r.title} for r in reports]
    return meta, compact([report_cells(r) for r in reports])


def parse_packed(data: bytes, key: str) -> Parsed:
    """``parse_result`` with the reports pickled once, in the worker, and described (``describe``):
    the flow process never unpickles them (the worker validating the batch does)."""
    out = parse_result(data, key)
    if out.reports:
        out.blob = pickle.dumps(out.reports, protocol=pickle.HIGHEST_PROTOCOL)
        out.reports = []
    return out


def parse_result(data: bytes, key: str) -> Parsed:
    """Parse one object (in a worker process or inline); a bad object comes back with ``error``."""
    from parsers import ParseError, parse_bytes

    t0 = time.perf_counter()
    out = Parsed(key, pid=os.getpid())
    try:
        out.reports = parse_bytes(data, key)
        if out.reports:
            out.meta, out.cells = describe(out.reports)
    except ParseError as pe:
        out.error = pe.reason
    except Exception as ex:  # a parser bug must not stop the other objects
        out.error = f"internal parser error: {type(ex).__name__}: {ex}"
    out.seconds = time.perf_counter() - t0
    return out


# In a worker: the reports of the batches it parsed and has yet to validate, by batch token, oldest
# first. A batch abandoned between parsing and validating (its task failed) is dropped after
# ``MAX_HELD`` newer ones.
_HELD: dict[str, dict[str, list[Any]]] = {}
MAX_HELD = 16


class HeldGone(LookupError):
    """The worker no longer holds a batch's reports (it was restarted, or the batch was evicted)."""


def parse_held(data: bytes, key: str, token: str) -> Parsed:
    """``parse_result`` that keeps the reports in this worker under the batch ``token`` (returned
    described, without them): the batch is validated here from memory (``take_held``)."""
    out = parse_result(data, key)
    if out.reports:
        if token not in _HELD:
            _HELD[token] = {}
            while len(_HELD) > MAX_HELD:
                del _HELD[next(iter(_HELD))]
        _HELD[token][key] = out.reports
        out.reports, out.held = [], token
    return out


def take_held(token: str, items: list[tuple[str, bytes | None]]) -> list[Any]:
    """The reports of ``items`` in order: (key, None) those this worker holds under ``token`` (then
    forgotten here), (key, pickled reports) those another worker parsed."""
    held = _HELD.pop(token, {})
    if any(b is None and k not in held for k, b in items):
        raise HeldGone(f"reports of batch {token} are not held in process {os.getpid()}")
    return [r for k, b in items for r in (held[k] if b is None else pickle.loads(b))]


def _watch_parent(parent: int, ppid: int) -> None:
    """Exit once the process that made the pool is gone: this process's parent changed (a spawned
    worker's parent is that process) or that process is dead. A forked worker's parent is the fork
    server, which outlives it: the workers hold its liveness pipe."""
    while True:
        time.sleep(0.5)
        if os.getppid() != ppid or not _alive(parent):
            os._exit(0)


def _alive(pid: int) -> bool:
    """Whether ``pid`` runs: it exists and is not a zombie (killed, not yet reaped by its parent)."""
    try:
        os.kill(pid, 0)
    except (ProcessLookupError, PermissionError):  # gone, or the pid was taken by another user's process
        return False
    try:
        with open(f"/proc/{pid}/stat", "rb") as f:
            return f.read().rsplit(b")", 1)[1].split()[0] != b"Z"
    except (OSError, IndexError):  # no /proc: what kill(0) said
        return True


def _init_worker(parent: int, gx: bool = False, env: dict[str, str] | None = None) -> None:
    """In each worker: take the pool process's environment, import the parsers once
    (``parsers.warm``; done already when forked from the fork server), and exit as soon as the pool's
    process is gone; with ``gx``, build the GX context for the batches' validations in the background
    meanwhile."""
    if env is not None and env != os.environ:
        os.environ.clear()
        os.environ.update(env)
    threading.Thread(target=_watch_parent, args=(parent, os.getppid()), daemon=True,
                     name="nianbao-parent-watch").start()
    import parsers

    parsers.warm()  # here, not in the thread below: two threads importing the same modules at once

    if gx:
        threading.Thread(target=_warm_and_freeze, daemon=True, name="nianbao-gx-warm").start()
    else:
        gc.freeze()


def _warm_and_freeze() -> None:
    """Build the GX context, ready the Data Docs pages and start the chart renderer, then move
    everything the imports and the context made out of the garbage collector's sight (``gc.freeze``):
    its full collections otherwise walk that graph again and again while reports are parsed and
    validated (measured: 2.0 of 12 ms a report in a worker, 0.3 after)."""
    from flows.site.charts import warm_renderer
    from flows.validate import warm

    warm(docs=True)
    warm_renderer()  # the site's charts are drawn here (``charts.render_later``)
    gc.freeze()


def validate_in_workers() -> bool:
    """Whether batches are validated (and their Data Docs built) in the pool's workers too
    (``NIANBAO_VALIDATE_IN_WORKERS``, default on): the flow process then only fetches and writes."""
    return os.environ.get("NIANBAO_VALIDATE_IN_WORKERS", "1") != "0"


_LOCK = threading.Lock()
_POOL: Lanes | None = None
_POOL_PID: int | None = None
_DISABLED: str | None = None  # why this process parses inline
_PRESTARTED: Lanes | None = None  # the pool ``prestart`` has started the workers of


def workers() -> int:
    raw = os.environ.get(ENV)
    if raw not in (None, ""):
        return max(0, int(raw))
    return os.cpu_count() or 1


def _in_dask_worker() -> bool:
    import sys

    if "distributed" not in sys.modules:
        return False
    try:
        from distributed import get_worker

        get_worker()
        return True
    except Exception:
        return False


# How workers start: "forkserver" (default where the platform has it) forks each from a server process
# that imported what they need once (``flows.worker_imports``); "spawn" starts each from scratch.
START_ENV = "NIANBAO_WORKER_START"
PRELOAD = ["flows.worker_imports"]


def _start_context() -> Any:
    method = os.environ.get(START_ENV) or "forkserver"
    if method not in multiprocessing.get_all_start_methods() or method == "fork":
        method = "spawn"
    ctx = multiprocessing.get_context(method)
    if method == "forkserver":
        ctx.set_forkserver_preload(PRELOAD)
    return ctx


def _executor(gx: bool) -> ProcessPoolExecutor:
    # the environment goes along: a forked worker would otherwise have the fork server's, as of its start
    return ProcessPoolExecutor(1, mp_context=_start_context(), initializer=_init_worker,
                               initargs=(os.getpid(), gx, dict(os.environ)))


class Lanes:
    """The pool: ``n`` single-process executors. ``submit`` without a lane goes to the lane with the
    fewest calls outstanding; a lane whose process died is replaced (``reset``), the others go on."""

    def __init__(self, n: int, gx: bool):
        self.gx = gx
        self._lanes = [_executor(gx) for _ in range(n)]
        self._calls = [0] * n  # calls outstanding per lane
        self._batches = [0] * n  # batches keeping to each lane (``BatchLane``)
        self._lock = threading.Lock()

    def __len__(self) -> int:
        return len(self._lanes)

    def least_busy(self, reserve: bool = False) -> int:
        """``reserve``: the lane with the fewest batches (then calls) outstanding, counting one more
        batch on it until ``release``; else the lane with the fewest calls waiting (then batches): a
        lone call (a PDF) goes where it runs soonest, whatever batches keep to that lane."""
        with self._lock:
            if reserve:
                i = min(range(len(self._lanes)), key=lambda j: (self._batches[j], self._calls[j]))
                self._batches[i] += 1
            else:
                i = min(range(len(self._lanes)), key=lambda j: (self._calls[j], self._batches[j]))
            return i

    def release(self, lane: int) -> None:
        with self._lock:
            self._batches[lane] -= 1

    def idle_other(self, lane: int) -> int | None:
        """Another lane with nothing to do while ``lane`` has calls waiting, or None."""
        with self._lock:
            if self._calls[lane] == 0:
                return None
            return next((j for j in range(len(self._lanes)) if j != lane and self._calls[j] == 0), None)

    def executor(self, lane: int) -> ProcessPoolExecutor:
        return self._lanes[lane]

    def submit(self, fn: Any, *args: Any, lane: int | None = None) -> Future:
        """``fn(*args)`` on lane ``lane`` (the least busy when None); a lane found broken is replaced
        and the call goes to its new worker."""
        i = self.least_busy() if lane is None else lane
        with self._lock:
            ex = self._lanes[i]
            self._calls[i] += 1
        try:
            try:
                fut = ex.submit(fn, *args)
            except BrokenProcessPool:
                self.reset(i, ex)
                ex = self._lanes[i]
                fut = ex.submit(fn, *args)
        except BaseException:
            self._done(i)
            raise
        fut.lane, fut.executor = i, ex  # type: ignore[attr-defined]  # which lane to reset if it broke
        fut.add_done_callback(lambda _f: self._done(i))
        return fut

    def _done(self, i: int) -> None:
        with self._lock:
            self._calls[i] -= 1

    def reset(self, lane: int | None = None, executor: ProcessPoolExecutor | None = None) -> None:
        """Replace lane ``lane`` (every lane when None) unless it was replaced already since
        ``executor`` (the one a broken future ran on) served it."""
        with self._lock:
            old = []
            for i in range(len(self._lanes)) if lane is None else [lane]:
                if executor is None or self._lanes[i] is executor:
                    old.append(self._lanes[i])
                    self._lanes[i] = _executor(self.gx)
        for ex in old:
            ex.shutdown(wait=False, cancel_futures=True)

    def shutdown(self, wait: bool = True) -> None:
        for ex in self._lanes:
            ex.shutdown(wait=wait, cancel_futures=True)


def get_pool() -> Lanes | None:
    """This process's parse pool, or None when parsing runs in the calling thread."""
    global _POOL, _POOL_PID, _DISABLED
    n = workers()
    if n == 0:
        return None
    with _LOCK:
        if _POOL is not None and os.getpid() == _POOL_PID:
            return _POOL
        if _DISABLED is not None:
            return None
        if multiprocessing.current_process().daemon:  # a daemonic process may not have children
            _DISABLED = "daemonic process"
            return None
        if _in_dask_worker():  # the cluster's worker processes are the parallelism already
            _DISABLED = "Dask worker"
            return None
        try:
            _POOL = Lanes(n, validate_in_workers())
        except (OSError, ValueError, NotImplementedError) as e:
            _DISABLED = f"{type(e).__name__}: {e}"
            return None
        _POOL_PID = os.getpid()
        return _POOL


def running_pool() -> Lanes | None:
    """This process's pool if it has been started (never starts one)."""
    with _LOCK:
        return _POOL if _POOL is not None and os.getpid() == _POOL_PID else None


def reset_pool(fut: Future | None = None) -> None:
    """Replace the lane a broken future ran on (a worker died), or every lane; the next calls go to
    a new worker."""
    with _LOCK:
        pool = _POOL if os.getpid() == _POOL_PID else None
    if pool is not None:
        pool.reset(getattr(fut, "lane", None), getattr(fut, "executor", None))


def shutdown() -> None:
    global _POOL
    with _LOCK:
        if _POOL is not None and os.getpid() == _POOL_PID:
            _POOL.shutdown(wait=True)
        _POOL = None


atexit.register(shutdown)


def prestart() -> None:
    """Start the pool's workers now (they import the parsers and build the GX context as they start),
    so that a run's first batches do not wait for them: called as soon as a run is known, e.g. while
    the Prefect server boots. Does nothing where parsing runs in the calling thread."""
    global _PRESTARTED
    pool = get_pool()
    if pool is None or pool is _PRESTARTED:
        return
    _PRESTARTED = pool

    def start() -> None:
        try:
            for i in range(len(pool)):  # an executor spawns its worker on its first call
                pool.submit(os.getpid, lane=i)
        except (BrokenProcessPool, RuntimeError):
            reset_pool()

    # in a thread: the first worker waits for the fork server to import the workers' modules (~3 s),
    # which the caller spends on its own imports meanwhile (the CLI: the site's, while Prefect boots)
    threading.Thread(target=start, daemon=True, name="nianbao-prestart").start()


def submit(data: bytes, key: str) -> Future:
    """A future of ``Parsed`` for one object: in the pool, or already done when parsing inline."""
    pool = get_pool()
    if pool is not None:
        try:
            return pool.submit(parse_packed, data, key)
        except (BrokenProcessPool, RuntimeError):  # broken again at once, or shut down meanwhile: here
            pass
    f: Future = Future()
    f.set_result(parse_result(data, key))
    return f


class BatchLane:
    """One audit batch's lane: its objects are parsed in one worker, which keeps their reports
    (``parse_held``) and validates them from memory (``validate``). An object arriving while that
    worker is busy and another idle is parsed there and sent back pickled (a batch alone in the pool,
    or the last ones of a run, still use every core); so is every PDF (its parse dwarfs the pickling,
    and a batch's PDFs spread over the lanes)."""

    def __init__(self, pool: Lanes, token: str):
        self.pool, self.token = pool, token
        self.lane = pool.least_busy(reserve=True)  # batches starting together spread over the lanes

    def submit(self, data: bytes, key: str) -> Future:
        try:
            if b"%PDF-" in data[:1024]:  # ~0.4 s of layout a report: sent back pickled (~3 ms), spread
                return self.pool.submit(parse_packed, data, key)  # over the lanes one by one
            other = self.pool.idle_other(self.lane)
            if other is not None:
                return self.pool.submit(parse_packed, data, key, lane=other)
            return self.pool.submit(parse_held, data, key, self.token, lane=self.lane)
        except (BrokenProcessPool, RuntimeError):  # broken again at once, or shut down meanwhile
            return submit(data, key)

    def validate(self, parsed: list[Parsed], table: Any, docs_dir: str | None) -> Future:
        """``flows.validate.held_in_worker`` on this lane for objects it holds or that come pickled;
        the result raises ``HeldGone`` when the worker no longer has the reports, ``BrokenProcessPool``
        when it died."""
        from flows.validate import held_in_worker

        items = [(p.key, None if p.held == self.token else p.blob) for p in parsed]
        lane = self.lane if any(b is None for _, b in items) else None  # nothing held: the least busy
        return self.pool.submit(held_in_worker, self.token, items, table, docs_dir, lane=lane)


@contextlib.contextmanager
def batch_lane(token: str) -> Iterator[BatchLane | None]:
    """A lane for a batch while it runs, when its validation runs in the pool's workers, else None."""
    pool = get_pool() if validate_in_workers() else None
    if pool is None:
        yield None
        return
    lane = BatchLane(pool, token)
    try:
        yield lane
    finally:
        pool.release(lane.lane)


def result_of(fut: Future, data: bytes, key: str, unpack: bool = True) -> Parsed:
    """The ``Parsed`` of ``fut`` (with its reports unpickled unless ``unpack`` is false). When the pool
    broke under it (a worker died: a crashing parser, the OOM killer), the object is parsed once more
    alone in a process of its own; if that dies too the object is unreadable, and the other objects of
    the batch are not lost."""
    try:
        got = fut.result()
        return got.unpack() if unpack else got
    except BrokenProcessPool:
        pass
    reset_pool(fut)
    try:  # alone, in a pool of its own: another object that kills its worker cannot take this one along
        with _executor(gx=False) as alone:
            got = alone.submit(parse_packed, data, key).result()
            return got.unpack() if unpack else got
    except BrokenProcessPool:
        return Parsed(key, error="internal parser error: the parser process died reading this file")


# ------------------------------------------------------------------------------------------ recently parsed
class Recent:
    """The objects fetched lately in this process by the current run, by (key, ETag): the fetched
    ``ObjectInfo`` and the bytes. The cross-year follow-up round of a run validates objects of its first
    round again: they are not fetched twice (parsed again: their reports stayed in the worker that
    validated them). Another run starts empty (a ``--full`` rerun fetches everything). Bounded by bytes
    (``NIANBAO_PARSE_CACHE_MB``, default 256; 0 turns it off), least recently used first out."""

    def __init__(self, limit_bytes: int | None = None):
        if limit_bytes is None:
            limit_bytes = int(float(os.environ.get("NIANBAO_PARSE_CACHE_MB") or 256) * 1e6)
        self.limit = limit_bytes
        self.size = 0
        self.run: str | None = None
        self._items: dict[tuple[str, str], tuple[Any, bytes]] = {}
        self._lock = threading.Lock()

    def put(self, run: str, key: str, got: Any, data: bytes) -> None:
        if self.limit <= 0 or got is None or got.etag is None:
            return
        with self._lock:
            if run != self.run:
                self._items.clear()
                self.size, self.run = 0, run
            old = self._items.pop((key, got.etag), None)
            if old is not None:
                self.size -= len(old[1])
            self._items[(key, got.etag)] = (got, data)
            self.size += len(data)
            while self.size > self.limit and self._items:
                self.size -= len(self._items.pop(next(iter(self._items)))[1])

    def clear(self) -> None:
        """Forget everything (the run's last validation round is over: publishing needs none of it)."""
        with self._lock:
            self._items.clear()
            self.size, self.run = 0, None

    def get(self, run: str, key: str, etag: str | None) -> tuple[Any, bytes] | None:
        """(fetched info, bytes) of ``key`` at ``etag`` fetched earlier by ``run``, or None."""
        if etag is None or run != self.run:
            return None
        with self._lock:
            hit = self._items.pop((key, etag), None)
            if hit is None:
                return None
            self._items[(key, etag)] = hit  # most recently used last
        return hit


RECENT = Recent()
