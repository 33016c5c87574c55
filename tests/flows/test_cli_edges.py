"""The edges a new user hits first: each gets one clear line and the right exit status, before any
work starts (issue 13). Real runs of the ``nianbao`` console script where timing or output noise
matters, ``main()`` otherwise."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
import tomllib
from pathlib import Path

import pytest

from flows.cli import main
from tests.flows.conftest import SEEDS, seed_files

ROOT = Path(__file__).resolve().parents[2]
EXE = Path(sys.executable).with_name("nianbao")


def nianbao(*args: str, env: dict[str, str] | None = None, cwd: Path | None = None,
            timeout: float = 120) -> tuple[subprocess.CompletedProcess, float]:
    t0 = time.perf_counter()
    r = subprocess.run([str(EXE), *args], capture_output=True, text=True, timeout=timeout, env=env,
                       cwd=cwd or ROOT)
    return r, time.perf_counter() - t0


def no_traceback(r: subprocess.CompletedProcess) -> None:
    assert "Traceback" not in r.stderr + r.stdout


def one_line(text: str) -> str:
    lines = [x for x in text.splitlines() if x.strip()]
    assert len(lines) == 1, lines
    return lines[0]


@pytest.fixture
def a_file(tmp_path) -> Path:
    p = tmp_path / "docs.html"
    p.write_text("not a folder", encoding="utf-8")
    return p


# ------------------------------------------------------------------ 1. --docs pointing at a file
@pytest.mark.parametrize("command", ["check", "audit"])
def test_docs_pointing_at_a_file_stops_before_any_work(command, a_file, tmp_path):
    env = dict(os.environ, NIANBAO_HOME=str(tmp_path / "home"))
    r, seconds = nianbao(command, str(SEEDS), "--docs", str(a_file), env=env)
    assert r.returncode == 2
    no_traceback(r)
    assert one_line(r.stderr).endswith(f"--docs {a_file}: is a file, not a folder")
    assert r.stdout == ""
    assert seconds < 3, seconds  # no GX import, no Prefect server, no parsing
    assert a_file.read_text(encoding="utf-8") == "not a folder"
    # a folder below a file is refused the same way
    r, _ = nianbao(command, str(SEEDS), "--docs", str(a_file / "site"), env=env)
    assert r.returncode == 2 and "is a file, not a folder" in one_line(r.stderr)


# ------------------------------------------------------------------ 2. S3 without credentials
def no_credentials_env(tmp_path: Path) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("AWS_", "NIANBAO_"))}
    env.update(HOME=str(tmp_path), AWS_SHARED_CREDENTIALS_FILE=str(tmp_path / "none-credentials"),
               AWS_CONFIG_FILE=str(tmp_path / "none-config"), AWS_EC2_METADATA_DISABLED="true",
               NIANBAO_HOME=str(tmp_path / "home"))
    return env


def test_s3_without_credentials_says_what_is_missing(tmp_path, moto_endpoint):
    env = no_credentials_env(tmp_path)
    r, seconds = nianbao("audit", "s3://reports/2024/", "--endpoint-url", moto_endpoint, env=env)
    assert r.returncode == 2
    no_traceback(r)
    line = one_line(r.stderr)
    assert "no S3 credentials found for s3://reports/2024/" in line
    for how in ("AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY", "--profile", "--aws-credentials-block",
                "--endpoint-url"):
        assert how in line
    assert seconds < 5, seconds
    assert not (tmp_path / "home" / "prefect").exists() or not any((tmp_path / "home" / "prefect").iterdir())
    # a profile that does not exist is named, nothing else printed
    r, _ = nianbao("audit", "s3://reports/2024/", "--profile", "no-such-profile", env=env)
    assert r.returncode == 2
    no_traceback(r)
    assert "'no-such-profile' not found" in one_line(r.stderr)


def test_credentials_found_are_never_printed(tmp_path, moto_endpoint):
    env = no_credentials_env(tmp_path)
    env.update(AWS_ACCESS_KEY_ID="AKIDSECRETSHOULDNOTSHOW", AWS_SECRET_ACCESS_KEY="very-secret-value-42",
               AWS_DEFAULT_REGION="us-east-1")
    # moto accepts any key: the bucket does not exist, which is said in one line
    r, _ = nianbao("audit", "s3://no-such-bucket-here/x/", "--endpoint-url", moto_endpoint, env=env)
    assert r.returncode == 2
    no_traceback(r)
    line = one_line(r.stderr)
    assert "cannot list s3://no-such-bucket-here/x/" in line and "NoSuchBucket" in line
    assert "very-secret-value-42" not in r.stdout + r.stderr


# ------------------------------------------------------------------ 3. empty folder, empty prefix
def test_audit_of_an_empty_folder_is_not_a_success(tmp_path):
    empty = tmp_path / "reports"
    empty.mkdir()
    (empty / "README.md").write_text("reports go here", encoding="utf-8")  # skipped: not a report
    docs = tmp_path / "docs"
    r, seconds = nianbao("audit", str(empty), "--docs", str(docs),
                         env=dict(os.environ, NIANBAO_HOME=str(tmp_path / "home")))
    assert r.returncode == 3
    no_traceback(r)
    line = one_line(r.stderr)
    assert line.startswith("nianbao audit: warning: no report objects found under") and str(empty) in line
    assert not docs.exists()  # nothing published
    assert seconds < 5, seconds


def test_audit_of_an_empty_prefix_is_not_a_success(moto_endpoint, bucket, tmp_path, monkeypatch, capsys):
    client, name = bucket
    client.put_object(Bucket=name, Key="2024/report.txt", Body=next(iter(seed_files().values())))
    monkeypatch.setenv("NIANBAO_HOME", str(tmp_path / "home"))
    code = main(["audit", f"s3://{name}/2042/", "--endpoint-url", moto_endpoint, "--docs", f"s3://{name}/docs/"])
    err = capsys.readouterr().err
    assert code == 3
    assert f"no report objects found under s3://{name}/2042/" in one_line(err)
    assert "Contents" not in client.list_objects_v2(Bucket=name, Prefix="docs/")


def test_the_flow_itself_fails_on_an_empty_prefix(prefect_harness, moto_endpoint, bucket):
    """A scheduled deployment does not go through the CLI: its run must fail, not publish."""
    from flows.audit import EmptySource, audit_flow

    client, name = bucket
    with pytest.raises(EmptySource, match="no report objects found"):
        audit_flow(source=f"s3://{name}/misspelt/", docs=f"s3://{name}/docs/", endpoint_url=moto_endpoint)
    assert client.list_objects_v2(Bucket=name).get("KeyCount", 0) == 0  # no state, no findings, no site


@pytest.mark.parametrize("command", ["check", "parse"])
def test_check_and_parse_of_an_empty_folder(command, tmp_path):
    empty = tmp_path / "空"
    empty.mkdir()
    r, seconds = nianbao(command, str(empty))
    assert r.returncode == 2
    no_traceback(r)
    assert one_line(r.stderr) == f"error: no report files found in {empty}"
    assert seconds < 3, seconds


# ------------------------------------------------------------------ 4. inputs checked before GX
def test_check_of_a_missing_path_fails_fast(tmp_path):
    missing = tmp_path / "no-such-folder"
    r, seconds = nianbao("check", str(missing))
    assert r.returncode == 2
    no_traceback(r)
    assert one_line(r.stderr) == f"error: {missing}: no such file or folder"
    assert r.stdout == ""  # nothing was checked
    print(f"check of a missing path: {seconds:.2f} s")
    assert seconds < 3, seconds


def test_check_goes_on_with_the_other_paths(tmp_path):
    """A missing path beside real ones: the others are checked, the missing one named, exit 2."""
    missing = tmp_path / "no-such-folder"
    r, _ = nianbao("check", str(SEEDS / "003_9002a04dfcdfa5cd.txt"), str(missing))
    assert r.returncode == 2
    no_traceback(r)
    assert "息陬镇人民政府" in r.stdout
    assert f"error: {missing}: no such file or folder" in r.stderr


def test_check_does_not_import_gx_for_a_usage_error(tmp_path):
    code = (f"import sys; from flows.cli import main; rc = main(['check', {str(tmp_path / 'x')!r}]); "
            "print(rc, any(m.startswith('great_expectations') for m in sys.modules))")
    r = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, cwd=ROOT, timeout=60)
    assert r.stdout.split() == ["2", "False"]


# ------------------------------------------------------------------ 5. --version
def test_version():
    r, _ = nianbao("--version")
    want = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["project"]["version"]
    assert r.returncode == 0
    assert r.stdout.strip() == f"nianbao {want}"


def test_version_falls_back_to_pyproject(monkeypatch):
    from importlib import metadata

    from flows import cli

    def missing(name):
        raise metadata.PackageNotFoundError(name)

    monkeypatch.setattr(metadata, "version", missing)
    want = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["project"]["version"]
    assert cli.version() == want


# ------------------------------------------------------------------ 6. integers in --json
def test_json_expected_and_actual_are_integers_for_integer_cells(capsys):
    assert main(["check", "--json", str(SEEDS)]) == 1
    doc = json.loads(capsys.readouterr().out)
    violated = [f for f in doc["findings"] if f["status"] == "violated"]
    n = 0
    for f in violated:
        assert all(isinstance(c["value"], int) for c in f["cells"] if c.get("value") is not None)
        if f["expected"] is not None:  # FMT-* rules compare no numbers
            assert type(f["expected"]) is int and type(f["actual"]) is int, (f["rule"], f["expected"], f["actual"])
            n += 1
        if f.get("likely"):
            assert type(f["likely"]["value"]) is int
    assert n >= 4


def test_json_keeps_decimals_of_amounts():
    from flows.cmd_check import integral_numbers

    doc = {"findings": [
        {"expected": 12.0, "actual": 3.0, "cells": [{"value": 3}, {"value": 9}, {"value": None}],
         "likely": {"printed": 3.0, "value": 12.0}},
        {"expected": 12.5, "actual": 3.0, "cells": [{"value": 3.0}, {"value": 9.5}],
         "likely": {"printed": 3.0, "value": 3.5}},
        {"expected": 4.0, "actual": 3.0, "cells": [{"value": 4.0}, {"value": 3}]},
    ]}
    a, b, c = integral_numbers(doc)["findings"]
    assert (type(a["expected"]), type(a["actual"]), type(a["likely"]["value"])) == (int, int, int)
    assert (b["expected"], type(b["actual"]), type(b["likely"]["printed"])) == (12.5, float, float)
    assert type(c["expected"]) is float  # a cell printed "4.00" is an amount: its decimals stay


# ------------------------------------------------------------------ 7. no library noise
def test_check_output_has_no_library_noise(tmp_path):
    r, _ = nianbao("check", "../shared/seeds/", "--docs", str(tmp_path / "docs"), cwd=ROOT)
    assert r.returncode == 1
    both = r.stdout + r.stderr
    for noise in ("Created temporary directory", "great_expectations", "Traceback", "Warning", "INFO"):
        assert noise not in both, noise
    assert r.stderr == ""
    assert r.stdout.splitlines()[-1] == f"Data Docs: {tmp_path / 'docs' / 'index.html'}"


def test_gx_info_logs_are_silenced_in_process(capsys, caplog, tmp_path):
    """pytest and Prefect configure logging at INFO: the GX line must not reach their handlers."""
    import logging

    caplog.set_level(logging.INFO)
    assert main(["check", str(SEEDS), "--docs", str(tmp_path / "d")]) == 1
    assert not [r for r in caplog.records if r.name.startswith("great_expectations") and r.levelno < logging.WARNING]


def test_gx_info_logs_are_silenced_even_when_logging_is_configured(tmp_path):
    """A host that configures logging at INFO (as Prefect does) still gets no GX lines."""
    code = ("import logging, sys; logging.basicConfig(level=logging.INFO); from flows.cli import main; "
            f"sys.exit(main(['check', {str(SEEDS)!r}, '--docs', {str(tmp_path / 'd')!r}]))")
    r = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, cwd=ROOT, timeout=120)
    assert r.returncode == 1
    assert "Created temporary directory" not in r.stdout + r.stderr
    assert "great_expectations" not in r.stderr


# ------------------------------------------------------------------ 8. make demo's last lines
def test_demo_ends_with_the_local_copy(tmp_path, monkeypatch, capsys, moto_endpoint):
    """The demo, with moto standing in for SeaweedFS and a canned audit: after the server stops, the
    last line is the file:// copy and the S3 address is labelled as valid only while it ran."""
    import contextlib
    import uuid

    import boto3

    from flows import audit
    from flows.pipeline import RunSummary
    from testkit import demo, seaweed

    tag = uuid.uuid4().hex[:8]
    monkeypatch.setattr(demo, "REPORTS_BUCKET", f"reports-{tag}")
    monkeypatch.setattr(demo, "DOCS_BUCKET", f"docs-{tag}")
    monkeypatch.setenv("NIANBAO_HOME", str(tmp_path / "home"))
    stopped = []

    class FakeWeed:
        endpoint_url = moto_endpoint

        def __init__(self, **kw):
            pass

        def client(self):
            return boto3.client("s3", endpoint_url=moto_endpoint, region_name="us-east-1")

        def credentials_env(self):
            return {}

        def __enter__(self):
            return self

        def __exit__(self, *exc):
            stopped.append(True)

    def fake_run(settings, alerts=None):
        assert alerts and alerts["owners"].endswith("owners.csv") and alerts["smtp"].startswith("smtp://")
        c = FakeWeed().client()
        c.put_object(Bucket=demo.DOCS_BUCKET, Key="index.html", Body=b"<html></html>", ContentType="text/html",
                     ACL="public-read")
        return RunSummary(run_id="r", source=settings.source.uri,
                          docs_url=f"{moto_endpoint}/{demo.DOCS_BUCKET}/index.html")

    monkeypatch.setattr(seaweed, "SeaweedServer", FakeWeed)
    monkeypatch.setattr(audit, "run_settings", fake_run)
    monkeypatch.setattr(demo, "sample_objects", lambda n, notes: {"seeds/a.txt": b"x"})
    with contextlib.suppress(SystemExit):
        assert demo.main(["--synthetic", "0"]) == 0
    out = capsys.readouterr().out.strip().splitlines()
    assert stopped
    local = (tmp_path / "home" / "demo" / "docs" / "index.html").resolve()
    assert local.read_bytes() == b"<html></html>"
    assert out[-1].endswith(local.as_uri()) and "local copy" in out[-1]
    assert "valid only while the demo runs" in out[-2] and moto_endpoint in out[-2]
    stop_at = next(i for i, x in enumerate(out) if x.startswith("SeaweedFS stopped"))
    assert all(moto_endpoint not in x or "valid only while" in x for x in out[stop_at:])
