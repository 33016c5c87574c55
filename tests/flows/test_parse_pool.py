"""Parsing in worker processes (flows.parse_pool): same reports as parsing inline, a parser that kills
its worker costs only its own object, and the batch fetch overlaps fetching with parsing."""

from __future__ import annotations

import os
import pickle
from pathlib import Path

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
    dead = pool.submit(os._exit, 3)  # a worker dies (a crashing parser, the OOM killer): the pool breaks
    got = parse_pool.result_of(dead, v, k)  # the object is parsed again in a process of its own
    assert got.error is None and _same(got.reports, parse_bytes(v, k))
    again = parse_pool.result_of(parse_pool.submit(v, k), v, k)  # and a new pool serves the next ones
    assert again.error is None and parse_pool.get_pool() is not pool


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


def test_batch_validated_in_a_worker_like_here(tmp_path) -> None:
    """The batch's validation and Data Docs move to a worker process: same verdicts and findings as
    validating in this process, last year's cells given as the lookups recorded here."""
    from flows import validate as v
    from flows.pipeline import validate_batch

    files = dict(list(seed_files().items())[:6])
    parsed = [parse_pool.result_of(parse_pool.submit(b, k), b, k) for k, b in files.items()]
    reports = [r for p in parsed for r in p.reports]
    asked: list[tuple[str, int]] = []

    def lookup(body: str, year: int) -> list:
        asked.append((body, year))
        return []

    here = v.validate_reports(reports, lookup=lookup)
    packed = [parse_pool.result_of(parse_pool.submit(b, k), b, k, unpack=False) for k, b in files.items()]
    assert all(p.blob and not p.reports and p.meta and p.cells for p in packed)  # nothing unpickled here
    there = validate_batch(packed, lookup, str(tmp_path))
    assert there.result is None and here.result is not None  # the GX results stayed in the worker
    assert {k: r.status for k, r in there.results.items()} == {k: r.status for k, r in here.results.items()}
    assert {k: [f.id for f in fs] for k, fs in there.findings.items()} == \
        {k: [f.id for f in fs] for k, fs in here.findings.items()}
    assert asked and set(asked) <= set(v.lookups_of([m for p in packed for m in p.meta], lookup))
    if v.has_docs(here):
        assert there.docs_index and (tmp_path / "site" / "index.html").is_file()


def test_recent_parses_are_per_run_bounded_and_cleared():
    from flows.parse_pool import Parsed, Recent
    from flows.storage import ObjectInfo

    rec = Recent(limit_bytes=250)
    for i in range(5):
        rec.put("r1", f"k{i}", ObjectInfo(f"k{i}", "e", 1), Parsed(f"k{i}", blob=b"x" * 100))
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
        "        kids = [p for p in psutil.Process().children() if 'spawn_main' in ' '.join(p.cmdline())]\n"
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
