"""Parsing in worker processes (flows.parse_pool): same reports as parsing inline, a parser that kills
its worker costs only its own object, and the batch fetch overlaps fetching with parsing."""

from __future__ import annotations

import os
import pickle
import time
from pathlib import Path
from typing import Any

import pytest

from flows import parse_pool
from flows.config import Location
from flows.storage import LocalStore, ObjectInfo
from parsers import parse_bytes
from tests.flows.conftest import seed_files


def _same(a, b) -> bool:
    return a == b and pickle.loads(pickle.dumps(a)) == b


def test_pool_parses_in_other_processes_like_inline() -> None:
    files = dict(list(seed_files().items())[:6])
    futs = {k: parse_pool.submit(v, k) for k, v in files.items()}
    for k, v in files.items():
        got = parse_pool.result_of(futs[k], v, k)
        assert got.error is None and got.key == k and got.seconds > 0
        assert got.pid != os.getpid()  # a worker process parsed it, not a thread of this one
        assert _same(got.reports, parse_bytes(v, k))


def test_unreadable_object_comes_back_with_its_reason() -> None:
    got = parse_pool.result_of(parse_pool.submit(b"\x00\x01 not a report", "x.bin"), b"", "x.bin")
    assert got.reports == [] and got.error


def test_inline_when_disabled(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv(parse_pool.ENV, "0")
    k, v = next(iter(seed_files().items()))
    got = parse_pool.result_of(parse_pool.submit(v, k), v, k)
    assert got.pid == os.getpid() and got.error is None and got.reports


def test_dead_worker_costs_only_its_object() -> None:
    k, v = next(iter(seed_files().items()))
    pool = parse_pool.get_pool()
    assert pool is not None
    dead = pool.submit(os._exit, 3)  # a worker dies (a crashing parser, the OOM killer): its lane breaks
    lane, broken = dead.lane, dead.executor
    got = parse_pool.result_of(dead, v, k)  # the object is parsed again in a process of its own
    assert got.error is None and _same(got.reports, parse_bytes(v, k))
    assert pool.executor(lane) is not broken  # the lane has a new worker
    again = parse_pool.result_of(pool.submit(parse_pool.parse_packed, v, k, lane=lane), v, k)
    assert again.error is None and _same(again.reports, parse_bytes(v, k))


def test_batches_starting_together_take_different_lanes() -> None:
    pool = parse_pool.Lanes(2, gx=False)  # executors start their worker on the first call: none here
    try:
        a = parse_pool.BatchLane(pool, "a")
        b = parse_pool.BatchLane(pool, "b")
        assert {a.lane, b.lane} == {0, 1}
        pool.release(a.lane)
        assert parse_pool.BatchLane(pool, "c").lane == a.lane
    finally:
        pool.shutdown()


def test_a_lone_call_goes_to_the_lane_with_the_shortest_queue() -> None:
    """A PDF (a call of no batch) runs where the fewest calls wait, even on a lane that more batches
    keep to: their objects may all be parsed already."""
    pool = parse_pool.Lanes(2, gx=False)
    try:
        for token in "abc":
            parse_pool.BatchLane(pool, token)  # lanes 0 and 1, then 0 again: two batches on lane 0
        pool._calls[:] = [0, 3]
        assert pool.least_busy() == 0
        assert pool.least_busy(reserve=True) == 1  # a new batch still goes where fewer batches are
        pool._calls[:] = [2, 2]
        assert pool.least_busy() == 0  # equal queues and, after the reserve, equal batches: the first lane
    finally:
        pool.shutdown()


def test_an_idle_lane_takes_objects_of_a_busy_one() -> None:
    import time

    pool = parse_pool.Lanes(2, gx=False)
    try:
        assert pool.idle_other(0) is None  # nothing waits on lane 0
        busy = pool.submit(time.sleep, 3, lane=0)
        assert pool.idle_other(0) == 1 and pool.idle_other(1) is None
        busy.result()  # the count drops in the future's done callback, just after the result is set
        deadline = time.monotonic() + 5
        while pool.idle_other(0) is not None and time.monotonic() < deadline:
            time.sleep(0.01)
        assert pool.idle_other(0) is None
    finally:
        pool.shutdown()


def _held_batch(files: dict[str, bytes], token: str) -> tuple[Any, list[Any], dict[str, bytes]]:
    from flows.pipeline import fetch_and_parse

    pool = parse_pool.get_pool()
    assert pool is not None
    lane = parse_pool.BatchLane(pool, token)
    data_of: dict[str, bytes] = {}
    store = _Dict(files)
    out = fetch_and_parse(store, [ObjectInfo(k, "e", len(b)) for k, b in files.items()], None, None, lane, data_of)
    return lane, [p for *_, p in out], data_of


class _Dict:
    def __init__(self, files: dict[str, bytes]):
        self.files = files

    def get(self, key: str):
        return self.files[key], ObjectInfo(key, "e", len(self.files[key]))


def test_batch_validated_from_memory_where_it_was_parsed(tmp_path) -> None:
    """A batch's lane: its worker keeps the reports it parsed (nothing pickled comes back) and
    validates them there, with the same verdicts and findings as here, last year's cells given as the
    lookups recorded here, and writes the Data Docs; the next ask finds the reports gone."""
    from flows import validate as v
    from flows.pipeline import validate_batch

    files = dict(list(seed_files().items())[:6])
    lane, parsed, data_of = _held_batch(files, "t-held")
    asked: list[tuple[str, int]] = []

    def lookup(body: str, year: int) -> list:
        asked.append((body, year))
        return []

    try:
        held = [p for p in parsed if p.held == "t-held"]
        assert held and all(p.blob is None and not p.reports and p.meta and p.cells for p in held)
        assert len({p.pid for p in held}) == 1 and held[0].pid != os.getpid()
        # what another (idle) worker parsed comes back pickled
        assert all(p.blob and not p.reports and p.held is None for p in parsed if p not in held)
        here = v.validate_reports([r for k, b in files.items() for r in parse_bytes(b, k)], lookup=lookup)
        asked.clear()
        there = validate_batch(parsed, lookup, str(tmp_path), lane, data_of)
        assert there.result is None and here.result is not None  # the GX results stayed in the worker
        assert {k: r.status for k, r in there.results.items()} == {k: r.status for k, r in here.results.items()}
        assert {k: [f.id for f in fs] for k, fs in there.findings.items()} == \
            {k: [f.id for f in fs] for k, fs in here.findings.items()}
        assert asked and set(asked) <= set(v.lookups_of([m for p in parsed for m in p.meta], lookup))
        if v.has_docs(here):
            assert there.docs_index and (tmp_path / "site" / "index.html").is_file()
        with pytest.raises(parse_pool.HeldGone):
            lane.validate(parsed, None, None).result()
    finally:
        lane.pool.release(lane.lane)


def test_worker_holding_a_batch_dies_and_the_batch_is_validated_here(tmp_path) -> None:
    from flows import validate as v
    from flows.pipeline import validate_batch

    files = dict(list(seed_files().items())[:4])
    lane, parsed, data_of = _held_batch(files, "t-dead")
    try:
        dead = lane.pool.submit(os._exit, 3, lane=lane.lane)  # the worker holding the reports dies
        with pytest.raises(parse_pool.BrokenProcessPool):
            dead.result()
        parse_pool.reset_pool(dead)
        here = v.validate_reports([r for k, b in files.items() for r in parse_bytes(b, k)], lookup=None)
        there = validate_batch(parsed, None, str(tmp_path), lane, data_of)
        assert there.result is not None  # parsed again and validated in this process
        assert {k: [f.id for f in fs] for k, fs in there.findings.items()} == \
            {k: [f.id for f in fs] for k, fs in here.findings.items()}
    finally:
        lane.pool.release(lane.lane)


def test_fetch_and_parse_keeps_order_and_fetch_errors(tmp_path) -> None:
    from flows.pipeline import fetch_and_parse

    files = dict(list(seed_files().items())[:5])
    for k, v in files.items():
        (tmp_path / k).write_bytes(v)
    store = LocalStore(Location("file", None, str(tmp_path)))
    infos = [ObjectInfo(k, "e", len(v)) for k, v in files.items()] + [ObjectInfo("gone.txt", "e", 1)]
    timings: dict[str, float] = {}
    out = fetch_and_parse(store, infos, timings)
    assert [i.key for i, *_ in out] == [i.key for i in infos]
    for (info, got, err, parsed), v in zip(out[:-1], files.values(), strict=True):
        assert got is not None and err is None and _same(parsed.unpack().reports, parse_bytes(v, info.key))
    info, got, err, parsed = out[-1]
    assert got is None and parsed is None and "cannot read" in err
    assert set(timings) == {"fetch", "parse", "parse_cpu"}


def test_recent_parses_are_per_run_bounded_and_cleared():
    from flows.parse_pool import Recent
    from flows.storage import ObjectInfo

    rec = Recent(limit_bytes=250)
    for i in range(5):
        rec.put("r1", f"k{i}", ObjectInfo(f"k{i}", "e", 1), b"x" * 100)
    assert rec.get("r1", "k4", "e") is not None and rec.get("r1", "k0", "e") is None  # oldest out
    assert rec.get("r2", "k4", "e") is None and rec.get("r1", "k4", "other-etag") is None
    rec.clear()
    assert rec.get("r1", "k4", "e") is None and rec.size == 0


def test_prestart_starts_every_worker() -> None:
    """The workers start before the first object arrives (they import the parsers and build GX
    meanwhile). In a fresh interpreter: this one's pool may be off or already started by earlier
    tests."""
    import subprocess
    import sys

    script = (
        "import time, psutil\n"
        "from flows import parse_pool\n"
        "if __name__ == '__main__':\n"
        "    parse_pool.prestart(); parse_pool.prestart()\n"
        "    pool = parse_pool.get_pool()\n"
        "    deadline = time.monotonic() + 60\n"
        "    while time.monotonic() < deadline:\n"
        "        kids = [p for lane in pool._lanes for p in list(lane._processes.values()) if p.is_alive()]\n"
        "        if len(kids) >= parse_pool.workers(): break\n"
        "        time.sleep(0.1)\n"
        "    print(pool is not None, len(kids), parse_pool.workers())\n"
    )
    env = {k: v for k, v in os.environ.items() if k != "NIANBAO_PARSE_WORKERS"}
    r = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, timeout=120, env=env,
                       cwd=str(Path(__file__).resolve().parents[2]))
    assert r.returncode == 0, r.stderr[-2000:]
    made, kids, n = r.stdout.split()
    assert made == "True" and int(kids) == int(n) >= 1


def test_workers_take_the_current_environment_and_die_with_the_pools_process() -> None:
    """Workers are forked from a fork server that imported their modules once (``flows.worker_imports``):
    a worker started after an environment change still sees it (as a spawned one would), and every
    worker exits once the process that made the pool is killed (nothing is left parsing)."""
    import signal
    import subprocess
    import sys

    import psutil

    script = (
        "import os\n"
        "from flows import parse_pool\n"
        "if __name__ == '__main__':\n"
        "    pool = parse_pool.get_pool()\n"
        "    print(pool.submit(os.getenv, 'NIANBAO_PROBE', lane=0).result(120))\n"
        "    os.environ['NIANBAO_PROBE'] = 'set later'\n"
        "    parse_pool.reset_pool()\n"
        "    print(pool.submit(os.getenv, 'NIANBAO_PROBE', lane=0).result(120))\n"
        "    print(' '.join(str(pool.submit(os.getpid, lane=i).result(120)) for i in range(len(pool))), flush=True)\n"
        "    os.kill(os.getpid(), 9)\n"
    )
    env = {k: v for k, v in os.environ.items() if k not in ("NIANBAO_PARSE_WORKERS", "NIANBAO_PROBE")}
    env["NIANBAO_PARSE_WORKERS"] = "2"
    r = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, timeout=180, env=env,
                       cwd=str(Path(__file__).resolve().parents[2]))
    assert r.returncode == -signal.SIGKILL, r.stderr[-2000:]
    before, after, pids = r.stdout.splitlines()
    assert (before, after) == ("None", "set later")
    workers = [int(x) for x in pids.split()]
    assert len(set(workers)) == 2
    deadline = time.monotonic() + 15
    while time.monotonic() < deadline and any(psutil.pid_exists(p) and psutil.Process(p).status() != "zombie"
                                              for p in workers):
        time.sleep(0.2)
    assert not [p for p in workers if psutil.pid_exists(p) and psutil.Process(p).status() != "zombie"]
