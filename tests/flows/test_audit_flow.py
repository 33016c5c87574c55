"""The audit flow end to end on a moto S3 server, under a real (test) Prefect server."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from flows.config import Location, RetryPolicy, s3_settings
from flows.storage import open_store, read_latest
from parsers import ParseError, parse_bytes
from tests.flows.conftest import seed_files

ROOT = Path(__file__).resolve().parents[2]
CORRUPT = b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n1 0 obj << /Type /Catalog >> garbage without xref"


def run_flow(endpoint: str, bucket: str, **kw):
    from flows.audit import audit_flow

    state = audit_flow(source=f"s3://{bucket}/reports/", docs=f"s3://{bucket}/docs/", endpoint_url=endpoint,
                       s3_preset="minio", return_state=True, **kw)
    return state, state.result()


def expected_status(data: bytes, key: str) -> str:
    """Oracle: parse and check the object directly, without the flow."""
    from expectations import check_reports

    try:
        reports = parse_bytes(data, key)
    except ParseError:
        return "unreadable"
    statuses = {r.status for r in check_reports(reports).report_results}
    for st, name in (("fail", "failed"), ("not_checked", "not_checked"), ("warn", "warned")):
        if st in statuses:
            return name
    return "passed"


def load_state_doc(client, bucket) -> dict:
    keys = [o["Key"] for o in client.list_objects_v2(Bucket=bucket, Prefix="reports/_nianbao/").get("Contents", [])]
    keys += [o["Key"] for o in client.list_objects_v2(Bucket=bucket, Prefix="_nianbao/").get("Contents", [])]
    key = next(k for k in keys if k.endswith("state.json"))
    from flows.config import Location, RetryPolicy
    from flows.state import read_document
    from flows.storage import S3Store

    return read_document(S3Store(client, Location("s3", bucket, ""), RetryPolicy(attempts=1)), key)


def findings_store(endpoint, bucket, source_uri):
    """The default findings location of ``source_uri`` (in its bucket, under _nianbao/<slug>/)."""
    loc = Location.parse(source_uri)
    return open_store(Location("s3", bucket, f"_nianbao/{loc.slug()}/findings/"),
                      s3_settings(endpoint_url=endpoint, environ={}), RetryPolicy())


def put_all(client, bucket, files: dict[str, bytes], prefix="reports/"):
    for k, v in files.items():
        client.put_object(Bucket=bucket, Key=prefix + k, Body=v)


def test_incremental_runs_changed_deleted_corrupt(prefect_harness, moto_endpoint, bucket):
    client, name = bucket
    files = {f"2023/{k}": v for k, v in seed_files().items()}
    files["2023/损坏的报告.pdf"] = CORRUPT
    put_all(client, name, files)

    state, s = run_flow(moto_endpoint, name, batch_size=3)
    assert state.is_completed() and state.name == "Findings"
    assert (s.listed, s.audited, s.unchanged, s.deleted) == (len(files), len(files), 0, 0)
    assert s.reports_parsed == sum(len(parse_bytes(v, k)) for k, v in files.items() if v is not CORRUPT)
    doc = load_state_doc(client, name)
    got = {k: e["status"] for k, e in doc["objects"].items()}
    assert got == {k: expected_status(v, k) for k, v in files.items()}
    assert got["2023/损坏的报告.pdf"] == "unreadable" and doc["objects"]["2023/损坏的报告.pdf"]["reason"]
    first_ids = {f["id"] for e in doc["objects"].values() for f in e["findings"]}
    store = findings_store(moto_endpoint, name, f"s3://{name}/reports/")
    run1, latest = read_latest(store, "findings.json")
    assert run1 == s.run_id and {f["id"] for f in json.loads(latest)["findings"]} == first_ids

    # nothing changed: nothing parsed or validated; same findings
    _, s2 = run_flow(moto_endpoint, name, batch_size=3)
    assert (s2.audited, s2.unchanged, s2.reports_parsed, s2.reports_validated) == (0, len(files), 0, 0)
    assert {f["id"] for f in json.loads(read_latest(store, "findings.json")[1])["findings"]} == first_ids

    # change one object, delete another
    changed, deleted = sorted(k for k in files if k.endswith(".txt"))[:2]
    client.put_object(Bucket=name, Key="reports/" + changed, Body=files[changed] + "\n补充说明。\n".encode())
    client.delete_object(Bucket=name, Key="reports/" + deleted)
    _, s3 = run_flow(moto_endpoint, name, batch_size=3)
    assert (s3.audited, s3.deleted, s3.unchanged) == (1, 1, len(files) - 2)
    doc3 = load_state_doc(client, name)
    assert deleted not in doc3["objects"] and doc3["objects"][changed]["run_id"] == s3.run_id
    latest3 = json.loads(read_latest(store, "findings.json")[1])
    assert all(f["object_key"] != deleted for f in latest3["findings"])
    assert deleted not in {o["object_key"] for o in latest3["objects"]}
    index = client.get_object(Bucket=name, Key="docs/index.html")
    assert index["ContentType"] == "text/html; charset=utf-8"
    assert deleted not in index["Body"].read().decode()

    # --full audits everything again
    _, s4 = run_flow(moto_endpoint, name, batch_size=50, full=True)
    assert s4.audited == len(files) - 1 and s4.full_reason == "--full"


def test_artifacts_are_created(prefect_harness, moto_endpoint, bucket):
    from prefect.client.orchestration import get_client
    from prefect.client.schemas.filters import ArtifactFilter, ArtifactFilterKey

    from flows.audit import artifact_key

    client, name = bucket
    put_all(client, name, seed_files())
    _, s = run_flow(moto_endpoint, name)
    slug = artifact_key("nianbao", Location.parse(f"s3://{name}/reports/").slug())
    with get_client(sync_client=True) as pc:
        arts = pc.read_artifacts(artifact_filter=ArtifactFilter(key=ArtifactFilterKey(any_=[
            f"{slug}-failing", f"{slug}-summary"])))
    by_key = {a.key: a for a in arts}
    table = by_key[f"{slug}-failing"]
    rows = json.loads(table.data) if isinstance(table.data, str) else table.data
    doc = load_state_doc(client, name)
    expected_rows = sum(1 for e in doc["objects"].values() for r in e["reports"] if r["status"] != "passed")
    expected_rows += sum(1 for e in doc["objects"].values() if e["status"] in ("unreadable", "error"))
    assert len(rows) == expected_rows > 0
    assert all(r["page"].startswith(f"{moto_endpoint}/{name}/docs/") for r in rows if r["status"] == "failed")
    md = by_key[f"{slug}-summary"].data
    assert f"| objects listed | {s.listed} |" in md and "Findings per rule" in md


def test_s3_error_on_one_object_is_retried_then_reported(prefect_harness, fault_proxy, bucket):
    client, name = bucket
    files = seed_files()
    put_all(client, name, files)
    flaky, broken = sorted(files)[:2]
    fault_proxy.fail["reports/" + flaky] = 2  # two 503s, then fine
    fault_proxy.fail["reports/" + broken] = -1  # always 503
    _, s = run_flow(fault_proxy.endpoint, name)
    assert s.audited == len(files) and s.errors == 1
    attempts = int(os.environ.get("NIANBAO_RETRY_ATTEMPTS", 5))
    # fetched once per attempt (a failed batch task would be retried as a whole: it must not be)
    assert fault_proxy.gets["reports/" + broken] == attempts
    assert fault_proxy.gets["reports/" + flaky] == 3
    doc = load_state_doc(client, name)
    assert doc["objects"][broken]["status"] == "error" and "SlowDown" in doc["objects"][broken]["reason"]
    assert doc["objects"][flaky]["status"] == expected_status(files[flaky], flaky)
    assert any(broken in line and "SlowDown" in line for line in s.failing)
    # the store recovers: the next run audits exactly the object that could not be fetched
    fault_proxy.fail.clear()
    _, s2 = run_flow(fault_proxy.endpoint, name)
    assert (s2.audited, s2.errors) == (1, 0)
    assert load_state_doc(client, name)["objects"][broken]["status"] == expected_status(files[broken], broken)


@pytest.mark.slow  # 60 s; tests/flows/test_kill.py kills the audit at every publish and state checkpoint
def test_killed_run_leaves_latest_intact(prefect_harness, moto_endpoint, bucket, tmp_path):
    from prefect.settings import PREFECT_API_URL

    client, name = bucket
    files = {f"{i:02d}/{k}": v for i in range(3) for k, v in seed_files().items()}
    put_all(client, name, files)
    _, s1 = run_flow(moto_endpoint, name)
    store = findings_store(moto_endpoint, name, f"s3://{name}/reports/")
    before = read_latest(store, "findings.json")
    manifest_before = store.get("latest/manifest.json")[0]
    state_before = load_state_doc(client, name)
    for k in files:  # every object changes
        client.put_object(Bucket=name, Key="reports/" + k, Body=files[k] + b"\n")
    env = dict(os.environ, PREFECT_API_URL=PREFECT_API_URL.value(), NIANBAO_HOME=str(tmp_path),
               PYTHONPATH=str(ROOT))
    proc = subprocess.Popen([sys.executable, "-m", "flows.cli", "audit", f"s3://{name}/reports/",
                             "--docs", f"s3://{name}/docs/", "--endpoint-url", moto_endpoint, "--batch-size", "1"],
                            cwd=tmp_path, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    try:
        deadline = time.monotonic() + 90
        line = ""
        while time.monotonic() < deadline:
            line = proc.stderr.readline()
            if line.startswith("audited ") or not line:
                break
        assert line.startswith("audited "), "the run never reached its first batch"
        proc.send_signal(signal.SIGKILL)
        proc.wait(10)
    finally:
        if proc.poll() is None:
            proc.kill()
        proc.stdout.close()
        proc.stderr.close()
    assert store.get("latest/manifest.json")[0] == manifest_before
    assert read_latest(store, "findings.json") == before
    assert load_state_doc(client, name) == state_before
    # the next run picks the work up again and publishes a new latest/
    _, s3 = run_flow(moto_endpoint, name)
    assert s3.audited == len(files)
    assert read_latest(store, "findings.json")[0] == s3.run_id != s1.run_id
