"""Faults injected by hand into the audit (issue 13): each one reproduced here with real runs on local
folders or the moto server."""

from __future__ import annotations

import json
import os
import stat

import pytest

from flows.cli import main
from tests.flows.conftest import seed_files
from tests.flows.statedoc import state_doc


@pytest.fixture
def quiet_env(monkeypatch, tmp_path):
    monkeypatch.setenv("PREFECT_LOGGING_LEVEL", "WARNING")
    monkeypatch.setenv("NIANBAO_HOME", str(tmp_path / "home"))


@pytest.fixture
def umask_022():
    old = os.umask(0o022)
    yield
    os.umask(old)


def modes(root):
    return {p: stat.S_IMODE(p.stat().st_mode) for p in root.rglob("*")}


# ------------------------------------------------------------------ 1. files readable by a web server
def test_local_outputs_follow_the_umask(prefect_harness, quiet_env, umask_022, src, tmp_path, capsys):
    docs, findings, state = tmp_path / "site", tmp_path / "findings", tmp_path / "st" / "state.json"
    code = main(["audit", str(src), "--docs", str(docs), "--findings", str(findings), "--state", str(state), "-q"])
    assert code == 1, capsys.readouterr()
    written = {**modes(docs), **modes(findings), **modes(state.parent)}
    assert any(p.name == "index.html" for p in written) and any("latest" in p.parts for p in written)
    assert any(p.suffix == ".html" and "sites" in p.parts for p in written)
    bad = {str(p): oct(m) for p, m in written.items() if m != (0o755 if p.is_dir() else 0o644)}
    assert not bad


def test_local_store_put_uses_a_stricter_umask_too(tmp_path):
    from flows.config import Location
    from flows.storage import LocalStore

    old = os.umask(0o027)
    try:
        LocalStore(Location("file", None, str(tmp_path))).put("a/b.json", b"{}")
    finally:
        os.umask(old)
    assert stat.S_IMODE((tmp_path / "a" / "b.json").stat().st_mode) == 0o640
    assert stat.S_IMODE((tmp_path / "a").stat().st_mode) == 0o750


# ------------------------------------------------------------------ 2. a mistyped --state
def test_a_missing_state_is_said_in_one_line(prefect_harness, quiet_env, src, tmp_path, capsys):
    state = tmp_path / "stat.json"  # mistyped
    assert main(["audit", str(src), "--docs", str(tmp_path / "d"), "--state", str(state), "-q"]) == 1
    err = [x for x in capsys.readouterr().err.splitlines() if x.startswith("nianbao audit:")]
    assert len(err) == 1 and str(state) in err[0] and "new state" in err[0] and "every object is audited" in err[0]
    assert state.is_file()
    # the next run finds it: nothing said
    assert main(["audit", str(src), "--docs", str(tmp_path / "d"), "--state", str(state), "-q"]) == 1
    assert "nianbao audit:" not in capsys.readouterr().err


def test_the_flow_says_why_everything_is_audited(prefect_harness, src, tmp_path):
    from flows.audit import audit_flow

    state = tmp_path / "s" / "state.json"
    s = audit_flow(source=str(src), docs=str(tmp_path / "d"), state=str(state), findings=str(tmp_path / "f"))
    s = s.data if hasattr(s, "data") else s
    assert "no state at" in s.full_reason and str(state) in s.full_reason


# ------------------------------------------------------------------ 3. a damaged state document
DAMAGED = {
    "not json": b"{\"schema\": \"nianbao-audit-state/1\", \"obj",
    "a list": b"[1, 2, 3]",
    "objects a list": json.dumps({"schema": "nianbao-audit-state/1", "source": "SRC", "objects": []}).encode(),
    "entry missing keys": json.dumps({"schema": "nianbao-audit-state/1", "source": "SRC",
                                      "objects": {"a.txt": {"size": 3}}}).encode(),
    "entry not an object": json.dumps({"schema": "nianbao-audit-state/1", "source": "SRC",
                                       "objects": {"a.txt": "passed"}}).encode(),
}


@pytest.mark.parametrize("what", list(DAMAGED))
def test_a_damaged_state_is_one_line_and_exit_2(quiet_env, src, tmp_path, capsys, what):
    state = tmp_path / "state.json"
    state.write_bytes(DAMAGED[what].replace(b"SRC", str(src).encode()))
    code = main(["audit", str(src), "--docs", str(tmp_path / "d"), "--state", str(state)])
    out = capsys.readouterr()
    assert code == 2
    lines = [x for x in out.err.splitlines() if x.strip()]
    assert len(lines) == 1, lines
    assert str(state) in lines[0] and "damaged state document" in lines[0] and "--reset-state" in lines[0]
    assert "Traceback" not in out.err + out.out and "AttributeError" not in lines[0]
    assert not (tmp_path / "d").exists()  # nothing ran


def _damage_shard(state, how: str) -> None:
    import gzip

    shard = next(state.parent.glob("state.json.objects/*.jsonl.gz"))
    if how == "shard missing":
        shard.unlink()
    elif how == "shard altered":
        text = gzip.decompress(shard.read_bytes()).replace(b'"passed"', b'"failed"', 1)
        shard.write_bytes(gzip.compress(text))
    elif how == "shard not gzip":
        shard.write_bytes(b"not gzip")
    elif how == "shard line not JSON":
        text = gzip.decompress(shard.read_bytes())
        shard.write_bytes(gzip.compress(text[:-20] + b"\n"))
    elif how == "manifest without shards":
        doc = json.loads(state.read_text(encoding="utf-8"))
        del doc["shards"]
        state.write_text(json.dumps(doc), encoding="utf-8")


@pytest.mark.parametrize("how", ["shard missing", "shard altered", "shard not gzip", "shard line not JSON",
                                 "manifest without shards"])
def test_a_damaged_sharded_state_is_one_line_and_exit_2(quiet_env, src, tmp_path, capsys, how):
    from flows.config import Location
    from flows.state import AuditState, ObjectEntry, save_state
    from flows.storage import LocalStore

    state = tmp_path / "state.json"
    st = AuditState(source=str(src))
    for k in seed_files():
        st.objects[k] = ObjectEntry(k, "e1", 3, "passed", reports=[{"report_id": f"{k}#0", "body": "甲局"}])
    save_state(LocalStore(Location("file", None, str(tmp_path))), "state.json", st)
    assert set(state_doc(state)["objects"]) == set(seed_files())  # readable before the damage
    _damage_shard(state, how)
    code = main(["audit", str(src), "--docs", str(tmp_path / "d"), "--state", str(state)])
    out = capsys.readouterr()
    lines = [x for x in out.err.splitlines() if x.strip()]
    assert code == 2 and len(lines) == 1, lines
    assert str(state) in lines[0] and "damaged state document" in lines[0] and "--reset-state" in lines[0]
    assert ("shard" in lines[0]) and "Traceback" not in out.err + out.out
    assert not (tmp_path / "d").exists()


def test_reset_state_keeps_the_damaged_document_and_starts_over(prefect_harness, quiet_env, src, tmp_path, capsys):
    state = tmp_path / "state.json"
    state.write_bytes(DAMAGED["a list"])
    code = main(["audit", str(src), "--docs", str(tmp_path / "d"), "--state", str(state), "--reset-state"])
    out = capsys.readouterr()
    assert code == 1, out
    kept = list(tmp_path.glob("state.json.damaged-*"))
    assert len(kept) == 1 and kept[0].read_bytes() == DAMAGED["a list"]
    assert "--reset-state" in out.err and kept[0].name in out.err
    doc = state_doc(state)
    assert doc["source"] == str(src) and set(doc["objects"]) == set(seed_files())
    assert main(["audit", str(src), "--docs", str(tmp_path / "d"), "--state", str(state)]) == 1
    assert f"0 to audit, {len(seed_files())} unchanged" in capsys.readouterr().err


def test_the_flow_names_the_file_of_a_wrong_shape(prefect_harness, src, tmp_path):
    from flows.audit import audit_flow
    from flows.state import StateDamaged

    state = tmp_path / "state.json"
    state.write_bytes(DAMAGED["objects a list"].replace(b"SRC", str(src).encode()))
    with pytest.raises(StateDamaged, match=r"state\.json: damaged state document"):
        audit_flow(source=str(src), docs=str(tmp_path / "d"), state=str(state), findings=str(tmp_path / "f"))
    audit_flow(source=str(src), docs=str(tmp_path / "d"), state=str(state), findings=str(tmp_path / "f"),
               reset_state=True)
    assert len(list(tmp_path.glob("state.json.damaged-*"))) == 1
    assert state_doc(state)["objects"]


# ------------------------------------------------------------------ 4. docs destination not writable
def test_root_ignores_a_read_only_folder(tmp_path):
    """Why the tests below break the docs destination another way: as root, chmod 0555 stops nothing."""
    d = tmp_path / "ro"
    d.mkdir()
    d.chmod(0o555)
    try:
        writable = os.access(d, os.W_OK)
    finally:
        d.chmod(0o755)
    assert writable == (os.geteuid() == 0)


def test_unwritable_docs_do_not_cost_the_state(prefect_harness, quiet_env, moto_endpoint, src, tmp_path, capsys):
    state, findings = tmp_path / "state.json", tmp_path / "findings"
    docs = "s3://no-such-docs-bucket-x1/site/"
    args = ["audit", str(src), "--docs", docs, "--state", str(state), "--findings", str(findings),
            "--endpoint-url", moto_endpoint]
    code = main(args)
    out = capsys.readouterr()
    assert code == 2, out
    assert "NoSuchBucket" in out.out and "Data Docs   NOT published" in out.out
    assert "the Data Docs could not be written" in out.err
    doc = state_doc(state)  # the state was saved
    assert set(doc["objects"]) == set(seed_files())
    assert (findings / "latest" / "findings.json").is_file()
    assert main(args) == 2  # still failing, but nothing audited again
    assert f"0 to audit, {len(seed_files())} unchanged" in capsys.readouterr().err


def test_docs_folder_that_breaks_after_the_checks(prefect_harness, quiet_env, src, tmp_path, capsys):
    """A local docs folder where nothing can be written (``sites`` and ``index.html`` are in the way)."""
    docs = tmp_path / "docs"
    docs.mkdir()
    (docs / "sites").write_text("in the way", encoding="utf-8")
    (docs / "index.html").mkdir()
    state = tmp_path / "state.json"
    args = ["audit", str(src), "--docs", str(docs), "--state", str(state), "-q"]
    assert main(args) == 2
    out = capsys.readouterr()
    assert "Data Docs index not written" in out.out and str(docs) in out.out
    assert state_doc(state)["objects"]
    (docs / "index.html").rmdir()
    (docs / "sites").unlink()
    assert main(["audit", str(src), "--docs", str(docs), "--state", str(state)]) == 1  # fixed: a normal run
    err = capsys.readouterr().err
    assert f"0 to audit, {len(seed_files())} unchanged" in err
    assert (docs / "index.html").is_file()


# ------------------------------------------------------------------ 5. latest/ half copied: the run copy
class BreaksAtLatest:
    """A store whose ``put`` fails at the n-th write into ``latest/`` (a crash between two copies)."""

    def __init__(self, store, fail_at: int):
        self.store, self.fail_at, self.latest_puts = store, fail_at, 0

    def __getattr__(self, name):
        return getattr(self.store, name)

    def put(self, key, data, *a, **kw):
        if key.startswith("latest/"):
            self.latest_puts += 1
            if self.latest_puts == self.fail_at:
                raise OSError(f"disk gone while writing {key}")
        return self.store.put(key, data, *a, **kw)


@pytest.mark.parametrize("kind", ["local", "s3"])
def test_a_half_copied_latest_reads_the_old_run_from_its_run_copy(kind, tmp_path, moto_endpoint, bucket):
    from flows.config import Location, RetryPolicy, S3Settings
    from flows.storage import LocalStore, StorageError, open_store, publish_run, read_latest

    if kind == "local":
        store = LocalStore(Location("file", None, str(tmp_path)))
    else:
        store = open_store(Location("s3", bucket[1], "findings/"),
                           S3Settings(endpoint_url=moto_endpoint, addressing_style="path"), RetryPolicy(attempts=1))
    files = lambda v: {"a.json": (f'{{"v":{v}}}'.encode(), "application/json"),  # noqa: E731
                       "b.csv": (f"v\n{v}\n".encode(), "text/csv")}
    publish_run(store, "run-1", files(1))
    with pytest.raises(OSError, match="disk gone"):  # a.json copied to latest/, b.csv not, old manifest
        publish_run(BreaksAtLatest(store, fail_at=2), "run-2", files(2))
    assert store.get("latest/a.json")[0] == b'{"v":2}'  # latest/ really holds a newer file ...
    assert read_latest(store, "a.json") == ("run-1", b'{"v":1}')  # ... a reader gets run-1's, from runs/run-1/
    assert read_latest(store, "b.csv") == ("run-1", b"v\n1\n")
    store.delete(["latest/a.json"])  # a copy lost altogether: the run copy too
    assert read_latest(store, "a.json") == ("run-1", b'{"v":1}')
    store.put("latest/a.json", b'{"v":2}')
    store.delete(["runs/run-1/a.json"])  # and when the run copy is gone as well: said, never the wrong data
    with pytest.raises(StorageError, match=r"latest/a\.json is not the copy of run run-1"):
        read_latest(store, "a.json")
    publish_run(store, "run-3", files(3))  # the next complete publish heals latest/
    assert read_latest(store, "a.json") == ("run-3", b'{"v":3}') and read_latest(store, "b.csv")[0] == "run-3"
