"""The source store down mid-run, with the state, findings and docs elsewhere (local folders): real
runs against the moto server behind the fault-injecting proxy (503 SlowDown on every GET of a key)."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest

from flows.cli import main
from tests.flows.conftest import seed_files
from tests.flows.statedoc import state_doc


@pytest.fixture(scope="module")
def baseline(prefect_harness, moto_endpoint, tmp_path_factory):
    """One healthy audit of the seeds in a moto bucket (state, findings, docs in local folders),
    shared by the tests below: each works on its own copy of the outputs."""
    import uuid

    import boto3

    name = "t-" + uuid.uuid4().hex[:12]
    client = boto3.client("s3", endpoint_url=moto_endpoint, region_name="us-east-1")
    client.create_bucket(Bucket=name)
    for k, v in seed_files().items():
        client.put_object(Bucket=name, Key=f"reports/{k}", Body=v)
    base = tmp_path_factory.mktemp("source-down")
    mp = pytest.MonkeyPatch()
    mp.setenv("NIANBAO_HOME", str(base / "home"))
    try:
        assert main(cli_args(name, moto_endpoint, base / "out")) == 1
    finally:
        mp.undo()
    return name, base / "out"


def cli_args(bucket: str, endpoint: str, out: Path) -> list[str]:
    return ["audit", f"s3://{bucket}/reports/", "--endpoint-url", endpoint, "--addressing-style", "path",
            "--state", str(out / "state.json"), "--docs", str(out / "docs"), "--findings", str(out / "findings"), "-q"]


@pytest.fixture
def setup(baseline, fault_proxy, tmp_path, monkeypatch):
    """The baseline's outputs, copied; the source now read through the fault proxy."""
    monkeypatch.setenv("PREFECT_LOGGING_LEVEL", "WARNING")
    monkeypatch.setenv("NIANBAO_HOME", str(tmp_path / "home"))
    name, base_out = baseline
    out = tmp_path / "out"
    shutil.copytree(base_out, out)
    return cli_args(name, fault_proxy.endpoint, out), out / "state.json", out / "docs", out / "findings", fault_proxy


def snapshot(*roots):
    """Every file under the roots with its bytes."""
    return {str(p): p.read_bytes() for r in roots for p in sorted(r.rglob("*")) if p.is_file()}


def latest_ids(findings):
    doc = json.loads((findings / "latest" / "findings.json").read_text(encoding="utf-8"))
    return {f["id"] for f in doc["findings"]}, doc


def test_source_down_fails_the_run_and_keeps_everything(setup, capsys):
    args, state, _docs, findings, proxy = setup
    before = snapshot(state.parent)
    ids, _ = latest_ids(findings)
    assert ids and any("sites" in k for k in before)
    for k in seed_files():
        proxy.fail[f"reports/{k}"] = -1  # every GET of a report fails (listing still works)
    capsys.readouterr()
    assert main([*args, "--full"]) == 2
    out = capsys.readouterr()
    lines = [x for x in out.err.splitlines() if x.startswith("nianbao audit:")]
    n = len(seed_files())
    assert len(lines) == 1 and f"{n} of {n} objects could not be fetched" in lines[0], out.err
    assert "nothing published" in lines[0] and str(state) in lines[0]
    assert snapshot(state.parent) == before  # state, findings (latest and runs) and docs pages untouched
    assert not (state.parent / "state.json.lock").exists()  # the lease is released by a failed run too


def test_one_object_down_keeps_its_last_result_stale_and_is_fetched_again(setup, capsys):
    args, state, docs, findings, proxy = setup
    old = state_doc(state)
    down = "003_9002a04dfcdfa5cd.txt"  # has failing reports: findings and a docs page to keep
    e_old = old["objects"][down]
    assert e_old["findings"] and any(r.get("docs_page") for r in e_old["reports"])
    proxy.fail[f"reports/{down}"] = -1
    capsys.readouterr()
    assert main([*args, "--full"]) == 1
    out = capsys.readouterr()
    assert "stale       1 objects could not be fetched" in out.out
    new = state_doc(state)
    e = new["objects"][down]
    assert e["stale"] and "SlowDown" in e["stale"]["reason"] and e["stale"]["run_id"] == new["last_run_id"]
    assert {k: v for k, v in e.items() if k != "stale"} == {k: v for k, v in e_old.items() if k != "stale"}
    others = [k for k in new["objects"] if k != down]
    assert all(new["objects"][k]["run_id"] == new["last_run_id"] != old["last_run_id"] for k in others)
    assert all(not new["objects"][k].get("stale") for k in others)
    ids, doc = latest_ids(findings)
    assert {f["id"] for f in e_old["findings"]} <= ids  # its findings are still published
    assert next(o for o in doc["objects"] if o["object_key"] == down)["stale"]
    for r in e["reports"]:  # and its docs pages were not collected as garbage
        if r.get("docs_page"):
            assert (docs / r["docs_page"]).is_file()
    # the next healthy run fetches it again (and only it)
    proxy.fail.clear()
    gets = proxy.gets[f"reports/{down}"]
    assert main(args) == 1
    assert f"1 audited · {len(seed_files()) - 1} unchanged" in capsys.readouterr().out
    assert proxy.gets[f"reports/{down}"] == gets + 1
    healed = state_doc(state)["objects"][down]
    assert healed["stale"] is None and healed["run_id"] != e_old["run_id"]
    assert {f["id"] for f in healed["findings"]} == {f["id"] for f in e_old["findings"]}


def test_old_state_documents_without_the_field_load(tmp_path):
    from flows.config import Location
    from flows.state import SCHEMA_V1, load_state
    from flows.storage import LocalStore, ObjectInfo

    doc = {"schema": SCHEMA_V1, "source": "SRC", "objects": {"a.txt": {"etag": "e1", "size": 3, "status": "passed"}}}
    (tmp_path / "state.json").write_text(json.dumps(doc), encoding="utf-8")
    st = load_state(LocalStore(Location("file", None, str(tmp_path))), "state.json", "SRC")
    assert st.objects["a.txt"].stale is None and st.is_current(ObjectInfo("a.txt", "e1", 3))
    st.objects["a.txt"].stale = {"reason": "x", "at": "t", "since": "t", "run_id": "r"}
    assert not st.is_current(ObjectInfo("a.txt", "e1", 3))  # a stale entry is fetched again
