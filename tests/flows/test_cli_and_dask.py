from __future__ import annotations

import pytest

from flows.cli import main
from tests.flows.conftest import seed_files
from tests.flows.statedoc import state_doc


@pytest.fixture
def quiet_env(monkeypatch, tmp_path):
    for k in ("PREFECT_LOGGING_LEVEL", "PREFECT_SERVER_EPHEMERAL_STARTUP_TIMEOUT_SECONDS",
              "PREFECT_SERVER_ANALYTICS_ENABLED", "GX_ANALYTICS_ENABLED"):
        monkeypatch.setenv(k, "WARNING" if k == "PREFECT_LOGGING_LEVEL" else "90" if "TIMEOUT" in k else "false")
    monkeypatch.setenv("NIANBAO_HOME", str(tmp_path / "home"))


def test_cli_on_a_local_folder(prefect_harness, quiet_env, tmp_path, capsys):
    src = tmp_path / "报告"
    src.mkdir()
    for k, v in seed_files().items():
        (src / k).write_bytes(v)
    (src / "空文件.txt").write_bytes(b"")
    docs = tmp_path / "docs"
    code = main(["audit", str(src), "--docs", str(docs), "--batch-size", "2"])
    out = capsys.readouterr()
    assert code == 1  # the seeds contain failing reports; the empty file is unreadable
    assert "listed 6 objects: 6 to audit" in out.err and "audited 6/6 objects" in out.err
    assert f"Data Docs   {(docs / 'index.html').as_uri()}" in out.out
    assert "空文件.txt: unreadable: the file is empty" in out.out
    index = (docs / "index.html").read_text(encoding="utf-8")
    assert "空文件.txt" in index
    # every failing report links to a page that exists
    state = state_doc(next((tmp_path / "home" / "audits").rglob("state.json")))
    pages = [r["docs_page"] for e in state["objects"].values() for r in e["reports"] if r["status"] != "passed"]
    assert pages and all((docs / p).is_file() for p in pages)
    assert main(["audit", str(src), "--docs", str(docs)]) == 1
    assert "0 to audit, 6 unchanged" in capsys.readouterr().err


def test_cli_usage_errors(quiet_env, tmp_path, capsys):
    assert main(["audit", str(tmp_path / "missing")]) == 2
    assert "no such folder" in capsys.readouterr().err
    assert main(["audit", "ftp://x/y"]) == 2


@pytest.mark.slow  # ~20 s of cluster start-up; `make test-all` runs it (bench_flow measures Dask too)
def test_batches_on_a_dask_local_cluster(prefect_harness, moto_endpoint, bucket):
    from prefect_dask import DaskTaskRunner

    from flows.audit import audit_flow

    client, name = bucket
    files = dict(list(seed_files().items())[:3])
    for k, v in files.items():
        client.put_object(Bucket=name, Key=f"in/{k}", Body=v)
    # one worker process keeps the test cheap on 2 cores; batches still cross a process boundary
    runner = DaskTaskRunner(cluster_class="distributed.LocalCluster",
                            cluster_kwargs={"n_workers": 1, "threads_per_worker": 2, "processes": True,
                                            "dashboard_address": None})
    s = audit_flow.with_options(task_runner=runner)(source=f"s3://{name}/in/", docs=f"s3://{name}/docs/",
                                                   endpoint_url=moto_endpoint, batch_size=2)
    assert (s.audited, s.errors) == (len(files), 0)
    assert s.reports_validated == s.reports_parsed >= len(files)
