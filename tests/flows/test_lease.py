"""The lease on the state document (flows.lease): one audit of a source at a time, on a local folder
and on a real (moto) S3 server; a lock of a process killed with SIGKILL is taken over."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest

from flows import lease
from flows.config import Location, RetryPolicy, S3Settings
from flows.storage import LocalStore, open_store

ROOT = Path(__file__).resolve().parents[2]


def local(tmp_path) -> LocalStore:
    return LocalStore(Location("file", None, str(tmp_path)))


def s3_store(endpoint: str, bucket: str):
    return open_store(Location("s3", bucket, "_nianbao/x/"), S3Settings(endpoint_url=endpoint, addressing_style="path"),
                      RetryPolicy(attempts=2, base_delay=0.01, max_delay=0.02))


@pytest.fixture(params=["local", "s3"])
def store(request, tmp_path):
    if request.param == "local":
        return local(tmp_path)
    _, name = request.getfixturevalue("bucket")
    return s3_store(request.getfixturevalue("moto_endpoint"), name)


def test_second_run_is_refused_naming_the_holder_and_released_after(store):
    a = lease.acquire(store, "state.json", "run-a")
    with pytest.raises(lease.LeaseHeld) as e:
        lease.acquire(store, "state.json", "run-b")
    msg = str(e.value)
    assert "state.json.lock" in msg and "run-a" in msg and f"pid {os.getpid()}" in msg and "--break-lease" in msg
    assert a.holder.started in msg
    url, holder = lease.inspect(store, "state.json")
    assert holder.run_id == "run-a" and url.endswith("state.json.lock")
    assert a.release()
    assert lease.inspect(store, "state.json")[1] is None
    lease.acquire(store, "state.json", "run-b").release()


def test_an_expired_lease_is_taken_over_with_a_note(store):
    lease.acquire(store, "state.json", "run-old", ttl=1)  # never released: a run that vanished
    time.sleep(1.1)
    notes = []
    b = lease.acquire(store, "state.json", "run-new", note=notes.append)
    assert len(notes) == 1 and "run-old" in notes[0] and "expired" in notes[0]
    assert lease.inspect(store, "state.json")[1].run_id == "run-new"
    b.release()


def test_renewal_keeps_it_and_a_broken_lease_is_lost(store):
    a = lease.acquire(store, "state.json", "run-a", ttl=2)
    first = a.holder.expires
    time.sleep(1.05)
    a.renew()
    assert a.holder.expires > first and lease.inspect(store, "state.json")[1].expires == a.holder.expires
    a.verify()
    assert lease.break_lease(store, "state.json").run_id == "run-a"  # --break-lease by another run
    b = lease.acquire(store, "state.json", "run-b")
    with pytest.raises(lease.LeaseLost, match="run-b"):
        a.verify()
    with pytest.raises(lease.LeaseLost):
        lease.verify("run-a")
    assert not a.release()  # never removes the lock of the run that holds it now
    assert lease.inspect(store, "state.json")[1].run_id == "run-b"
    b.release()


def test_heartbeat_renews_in_the_background(tmp_path):
    st = local(tmp_path)
    a = lease.acquire(st, "state.json", "run-a", ttl=30).start_heartbeat(interval=0.1)
    first = a.holder.expires
    deadline = time.monotonic() + 10
    while lease.inspect(st, "state.json")[1].expires == first and time.monotonic() < deadline:
        time.sleep(0.1)
    holder = lease.inspect(st, "state.json")[1]
    assert holder.run_id == "run-a" and holder.expires > first and holder.renewed > a.holder.started
    with pytest.raises(lease.LeaseHeld):
        lease.acquire(st, "state.json", "run-b")
    a.release()
    assert not (tmp_path / "state.json.lock").exists()


def test_only_one_of_many_racing_runs_gets_it(store):
    won, refused, errors = [], [], []

    def one(i):
        try:
            won.append(lease.acquire(store, "state.json", f"run-{i}"))
        except lease.LeaseHeld:
            refused.append(i)
        except Exception as e:  # reported below, never swallowed
            errors.append(e)
    threads = [threading.Thread(target=one, args=(i,)) for i in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert not errors and len(won) == 1 and len(refused) == 7
    assert lease.inspect(store, "state.json")[1].run_id == won[0].run_id
    won[0].release()


HOLD = """
import sys, time
from flows.config import Location
from flows.storage import LocalStore
from flows import lease
lease.acquire(LocalStore(Location("file", None, sys.argv[1])), "state.json", "run-killed")
print("held", flush=True)
time.sleep(120)
"""


def test_the_lock_of_a_process_killed_with_sigkill_is_taken_over(tmp_path):
    p = subprocess.Popen([sys.executable, "-c", HOLD, str(tmp_path)], cwd=ROOT, stdout=subprocess.PIPE, text=True)
    try:
        assert p.stdout.readline().strip() == "held"
        with pytest.raises(lease.LeaseHeld, match=f"pid {p.pid}"):  # alive: refused
            lease.acquire(local(tmp_path), "state.json", "run-b")
        os.kill(p.pid, signal.SIGKILL)
        p.wait(timeout=10)
    finally:
        if p.poll() is None:
            p.kill()
    doc = json.loads((tmp_path / "state.json.lock").read_text())
    assert doc["pid"] == p.pid and doc["run_id"] == "run-killed"  # the lock outlived its process
    notes = []
    b = lease.acquire(local(tmp_path), "state.json", "run-b", note=notes.append)
    assert notes and f"process {p.pid}" in notes[0] and "gone" in notes[0]
    b.release()


# ------------------------------------------------------------------ the CLI and the flow
def test_cli_refuses_before_any_work_while_another_run_holds_it(src, tmp_path, capsys, monkeypatch):
    from flows.cli import main

    monkeypatch.setenv("NIANBAO_HOME", str(tmp_path / "home"))
    state = tmp_path / "state.json"
    held = lease.acquire(local(tmp_path), "state.json", "run-cron")
    try:
        code = main(["audit", str(src), "--docs", str(tmp_path / "d"), "--state", str(state),
                     "--findings", str(tmp_path / "f")])
    finally:
        held.release()
    out = capsys.readouterr()
    lines = [x for x in out.err.splitlines() if x.strip() and "no state at" not in x]
    assert code == 2 and len(lines) == 1, out
    assert str(state) + ".lock" in lines[0] and "run-cron" in lines[0] and f"pid {os.getpid()}" in lines[0]
    assert "--break-lease" in lines[0] and held.holder.started in lines[0]
    assert not (tmp_path / "d").exists() and not (tmp_path / "f").exists() and not state.exists()


def test_flow_refuses_too_and_break_lease_runs(prefect_harness, src, tmp_path, capsys, monkeypatch):
    """A deployment run has no CLI: the flow takes the lease itself; --break-lease removes a live one."""
    from flows.audit import audit_flow
    from flows.cli import main

    monkeypatch.setenv("NIANBAO_HOME", str(tmp_path / "home"))
    state = tmp_path / "state.json"
    held = lease.acquire(local(tmp_path), "state.json", "run-manual")
    with pytest.raises(lease.LeaseHeld, match="run-manual"):
        audit_flow(source=str(src), docs=str(tmp_path / "d"), state=str(state), findings=str(tmp_path / "f"))
    assert not (tmp_path / "d").exists() and not state.exists()
    code = main(["audit", str(src), "--docs", str(tmp_path / "d"), "--state", str(state),
                 "--findings", str(tmp_path / "f"), "--break-lease", "-q"])
    err = capsys.readouterr().err
    assert code == 1, err
    assert "--break-lease: removed" in err and "run-manual" in err
    assert state.is_file() and not (tmp_path / "state.json.lock").exists()  # released at the end
    with pytest.raises(lease.LeaseLost):
        held.verify()
    assert not held.release()
