"""``nianbao audit`` killed with SIGKILL (real subprocesses, ``NIANBAO_KILL_AT`` fault checkpoints):
while publishing (``latest/`` is the old complete run or the new one), while writing the state (the
old document or the new one, and it loads), and the next normal run recovers; and a killed CLI leaves
no temporary Prefect server behind."""

from __future__ import annotations

import io
import json
import os
import shutil
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

import pytest

from flows.cli import main
from flows.config import Location
from flows.state import load_state
from flows.storage import LocalStore, read_latest
from tests.flows.conftest import seed_files
from tests.flows.statedoc import state_doc

ROOT = Path(__file__).resolve().parents[2]
GONE = "003_9002a04dfcdfa5cd.txt"  # removed from the source before the killed run: its findings go
NAMES = ("findings.json", "findings.parquet", "objects.parquet")
# checkpoint -> which run latest/ and the state hold after the kill
POINTS = {"run-written": ("old", "old"), "latest-partial": ("old", "old"), "state-before": ("new", "old"),
          "state-tmp": ("new", "old"), "state-saved": ("new", "new")}


def cli_env(**extra: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("PREFECT_", "NIANBAO_"))}
    env.update(PYTHONPATH=str(ROOT), PREFECT_LOGGING_LEVEL="WARNING", GX_ANALYTICS_ENABLED="false", **extra)
    return env


def out_args(src: Path, d: Path) -> list[str]:
    return ["audit", str(src), "--state", str(d / "state.json"), "--docs", str(d / "docs"),
            "--findings", str(d / "findings"), "-q"]


@pytest.fixture(scope="module")
def baseline(prefect_harness, tmp_path_factory):
    """One real audit of the seeds (the 'old' run), then one report removed from the source."""
    base = tmp_path_factory.mktemp("kill")
    src = base / "reports"
    src.mkdir()
    for k, v in seed_files().items():
        (src / k).write_bytes(v)
    out = base / "out"
    mp = pytest.MonkeyPatch()
    mp.setenv("NIANBAO_HOME", str(base / "home"))
    try:
        assert main(out_args(src, out)) == 1
    finally:
        mp.undo()
    old_state = state_doc(out / "state.json")
    (src / GONE).unlink()
    expected = {f["id"] for k, e in old_state["objects"].items() if k != GONE for f in e["findings"]}
    assert expected and {f["id"] for f in old_state["objects"][GONE]["findings"]}
    return src, out, old_state, expected


def latest(findings: Path) -> tuple[str, dict]:
    """The latest run as a reader sees it: every file from one run (``read_latest``)."""
    store = LocalStore(Location("file", None, str(findings)))
    got = {n: read_latest(store, n) for n in NAMES}
    runs = {r for r, _ in got.values()}
    assert len(runs) == 1, runs
    import pyarrow.parquet as pq

    doc = json.loads(got["findings.json"][1])
    objects = pq.read_table(io.BytesIO(got["objects.parquet"][1])).column("object_key").to_pylist()
    assert sorted(objects) == sorted(o["object_key"] for o in doc["objects"])  # the same run's files
    assert pq.read_table(io.BytesIO(got["findings.parquet"][1])).num_rows == len(doc["findings"])
    return runs.pop(), doc


def test_kill_9_while_publishing_and_saving_the_state(prefect_harness, baseline, tmp_path):
    from prefect.settings import PREFECT_API_URL

    src, out, old_state, expected = baseline
    old_run = old_state["last_run_id"]
    procs = {}
    for point in POINTS:  # all at once: each on its own copy of the outputs
        d = tmp_path / point
        shutil.copytree(out, d)
        procs[point] = subprocess.Popen([sys.executable, "-m", "flows.cli", *out_args(src, d)], cwd=ROOT,
                                        env=cli_env(NIANBAO_KILL_AT=point, NIANBAO_HOME=str(d / "home"),
                                                    PREFECT_API_URL=PREFECT_API_URL.value(),
                                                    # the baseline's: parsers edited meanwhile must not
                                                    # turn the killed run into a full re-audit
                                                    NIANBAO_ENGINE_FINGERPRINT=old_state["engine"]),
                                        stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    for point, p in procs.items():
        _, err = p.communicate(timeout=120)
        assert p.returncode == -signal.SIGKILL, (point, p.returncode, err.decode()[-2000:])
    for point, (want_latest, want_state) in POINTS.items():
        d = tmp_path / point
        new_run = next(r.name for r in (d / "findings" / "runs").iterdir() if r.name != old_run)
        run, doc = latest(d / "findings")
        keys = {o["object_key"] for o in doc["objects"]}
        if want_latest == "old":
            assert run == old_run and GONE in keys, point
        else:
            assert run == new_run and GONE not in keys and {f["id"] for f in doc["findings"]} == expected, point
        st = load_state(LocalStore(Location("file", None, str(d))), "state.json", str(src))
        assert st.last_run_id == (old_run if want_state == "old" else new_run), point
        assert (GONE in st.objects) == (want_state == "old"), point
        lock = json.loads((d / "state.json.lock").read_text(encoding="utf-8"))
        assert lock["run_id"] == new_run  # left by the killed run: its pid is dead, so it is taken over
        # the next normal run recovers: the same findings as a clean run
        assert main(out_args(src, d)) == 1, point
        run, doc = latest(d / "findings")
        st = load_state(LocalStore(Location("file", None, str(d))), "state.json", str(src))
        assert st.last_run_id == run and set(st.objects) == {k for k in seed_files() if k != GONE}, point
        assert {f["id"] for f in doc["findings"]} == expected == {f["id"] for f in st.findings()}, point
        assert not (d / "state.json.lock").exists(), point
        for _, r in st.reports():
            if r.get("docs_page"):
                assert (d / "docs" / r["docs_page"]).is_file(), point


# ------------------------------------------------------------------ the temporary Prefect server
def children(pid: int) -> list[int]:
    out = []
    for p in Path("/proc").iterdir():
        if p.name.isdigit():
            try:
                stat = (p / "stat").read_text().rsplit(")", 1)[1].split()
            except OSError:
                continue
            if int(stat[1]) == pid:
                out.append(int(p.name))
    return out


def cmdline(pid: int) -> list[str]:
    try:
        return Path(f"/proc/{pid}/cmdline").read_bytes().decode(errors="replace").split("\0")
    except OSError:
        return []


def with_marker(marker: str) -> list[int]:
    """Processes whose environment holds ``marker`` (our NIANBAO_HOME)."""
    found = []
    for p in Path("/proc").iterdir():
        if p.name.isdigit() and int(p.name) != os.getpid():
            try:
                if marker.encode() in (p / "environ").read_bytes():
                    found.append(int(p.name))
            except OSError:
                continue
    return found


def listening(port: int) -> bool:
    with socket.socket() as s:
        s.settimeout(1)
        return s.connect_ex(("127.0.0.1", port)) == 0


def healthy(port: int) -> bool:
    import urllib.request

    try:
        with urllib.request.urlopen(f"http://127.0.0.1:{port}/api/health", timeout=1) as r:
            return r.status == 200
    except OSError:
        return False


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="PR_SET_PDEATHSIG is Linux")
def test_a_killed_audit_leaves_no_prefect_server(prefect_harness, tmp_path):
    """Without PREFECT_API_URL the CLI starts a temporary server; SIGKILL the CLI once it answers.
    (Its database is the test harness's, already migrated: a new one takes ~10 s more to boot.)"""
    from prefect.settings import get_current_settings

    src = tmp_path / "reports"
    src.mkdir()
    name, data = next(iter(seed_files().items()))
    (src / name).write_bytes(data)
    home = tmp_path / "home-marker"
    db = get_current_settings().server.database.connection_url.get_secret_value()
    log = (tmp_path / "cli.log").open("wb")
    p = subprocess.Popen([sys.executable, "-m", "flows.cli", *out_args(src, tmp_path / "out")], cwd=ROOT,
                         env=cli_env(NIANBAO_HOME=str(home), PREFECT_API_DATABASE_CONNECTION_URL=db),
                         stdout=log, stderr=subprocess.STDOUT)
    server = port = None
    try:
        deadline = time.monotonic() + 90
        while p.poll() is None and time.monotonic() < deadline and not (port and healthy(port)):
            for c in children(p.pid):
                cmd = cmdline(c)
                if "uvicorn" in cmd and "--port" in cmd:
                    server, port = c, int(cmd[cmd.index("--port") + 1])
            time.sleep(0.05)
        assert p.poll() is None, (tmp_path / "cli.log").read_text(errors="replace")[-2000:]
        assert server is not None and port is not None, "the CLI started no Prefect server of its own"
        os.kill(p.pid, signal.SIGKILL)
        assert p.wait(timeout=10) == -signal.SIGKILL
        t = time.monotonic()
        # the server, and every process of the run (parse workers; their fork server ends once it has
        # imported their modules, ~3 s at most, when the run was killed before)
        while time.monotonic() - t < 20 and (Path(f"/proc/{server}").exists() or listening(port)
                                             or with_marker(str(home))):
            time.sleep(0.1)
        left = with_marker(str(home))
        assert not left, [cmdline(x) for x in left]
        assert not listening(port)
    finally:
        log.close()
        if p.poll() is None:
            p.kill()
        for pid in with_marker(str(home)):  # never leave one behind, even when the test fails
            os.kill(pid, signal.SIGKILL)


def test_a_killed_first_run_resumes_from_its_finished_batches(prefect_harness, baseline, tmp_path, capsys):
    """kill -9 right after the first finished batch was journaled: the next run takes that batch's
    objects from the journal instead of auditing them again, and ends with a clean run's findings;
    the journals are gone once the state is saved."""
    src, _, _, expected = baseline
    d = tmp_path / "out"
    args = [*out_args(src, d), "--batch-size", "1"]
    p = subprocess.run([sys.executable, "-m", "flows.cli", *args], cwd=ROOT, capture_output=True, timeout=180,
                       env=cli_env(NIANBAO_KILL_AT="batch-journaled", NIANBAO_HOME=str(tmp_path / "home")))
    assert p.returncode == -signal.SIGKILL, p.stderr.decode()[-2000:]
    journals = list((d / "state.json.batches").rglob("*.json"))
    assert len(journals) == 1 and not (d / "state.json").exists()
    killed = json.loads(journals[0].read_text(encoding="utf-8"))
    (done,) = [e["key"] for e in killed["entries"]]
    capsys.readouterr()
    assert main(args) == 1
    out = capsys.readouterr().out
    n = len(seed_files()) - 1
    assert f"{n} listed · {n - 1} audited · 1 unchanged" in out and "1 of the unchanged resumed" in out
    st = load_state(LocalStore(Location("file", None, str(d))), "state.json", str(src))
    assert st.objects[done].run_id == killed["run_id"] != st.last_run_id  # taken from the journal
    assert {f["id"] for f in st.findings()} == expected
    run, doc = latest(d / "findings")
    assert run == st.last_run_id and {f["id"] for f in doc["findings"]} == expected
    assert not list((d / "state.json.batches").rglob("*.json"))
