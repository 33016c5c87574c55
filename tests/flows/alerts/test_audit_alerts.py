"""`nianbao audit --owners --smtp` end to end: a real Prefect flow run, a real SMTP server, the Data Docs
page each digest links to exists, an unchanged rerun sends nothing; `nianbao alerts preview` and
`nianbao review` on the same audit."""

from __future__ import annotations

import json
import re
from pathlib import Path
from urllib.parse import unquote, urlparse

from flows.cli import main
from tests.flows.conftest import seed_files
from tests.flows.statedoc import state_doc

OWNERS = "body,aliases,region,emails,webhooks\n*,,,gkb@example.gov.cn,\n"


def test_audit_sends_digests_with_docs_links_and_not_twice(prefect_harness, monkeypatch, tmp_path, capsys,
                                                            smtp_sink):
    monkeypatch.setenv("NIANBAO_HOME", str(tmp_path / "home"))
    monkeypatch.setenv("PREFECT_LOGGING_LEVEL", "WARNING")
    src = tmp_path / "reports"
    src.mkdir()
    for k, v in seed_files().items():
        (src / k).write_bytes(v)
    owners = tmp_path / "owners.csv"
    owners.write_text(OWNERS, encoding="utf-8")
    docs = tmp_path / "docs"
    args = ["audit", str(src), "--docs", str(docs), "--owners", str(owners), "--smtp", smtp_sink.url,
            "--smtp-from", "audit@example.gov.cn", "-q"]
    assert main(args) == 1
    out = capsys.readouterr().out
    assert "alerts      1 digests sent · 0 undelivered" in out
    assert len(smtp_sink.envelopes) == 1
    mail = smtp_sink.messages()[0]
    assert smtp_sink.envelopes[0].rcpt_tos == ["gkb@example.gov.cn"]
    assert mail["Subject"].startswith("【年报核查】（全部未匹配报告的兜底联系人）：") and "处错误" in mail["Subject"]
    text = mail.get_body(("plain",)).get_content()
    links = re.findall(r"file://\S+", text)
    assert links and all(Path(unquote(urlparse(u).path)).is_file() for u in links)
    assert "可能出错的单元格" in text
    # the same sources again: nothing new, nothing sent
    assert main(args) == 1
    assert "alerts      0 digests sent · 0 undelivered · 1 channels up to date" in capsys.readouterr().out
    assert len(smtp_sink.envelopes) == 1
    # preview prints everything current with --all, and nothing new without it
    assert main(["alerts", "preview", str(src), "--owners", str(owners), "--docs", str(docs)]) == 0
    assert "0 digests would be sent" in capsys.readouterr().out
    assert main(["alerts", "preview", str(src), "--owners", str(owners), "--docs", str(docs), "--all"]) == 1
    assert "Subject: 【年报核查】" in capsys.readouterr().out
    # a reviewer dismisses one finding: it shows as dismissed in the findings after the next run
    state = state_doc(next((tmp_path / "home" / "audits").rglob("state.json")))
    fid = next(f["id"] for e in state["objects"].values() for f in e["findings"]
               if f["severity"] == "fail" and f["status"] == "violated")
    reviews = tmp_path / "reviews.yaml"
    assert main(["review", fid, "--dismiss", "--reason", "原文另有说明", "--by", "王芳", "--reviews", str(reviews),
                 "--source", str(src)]) == 0
    assert main([*args, "--reviews", str(reviews), "--full"]) == 1
    capsys.readouterr()
    latest = json.loads(next((tmp_path / "home" / "audits").rglob("latest/findings.json")).read_text(encoding="utf-8"))
    marked = [f for f in latest["findings"] if f["id"] == fid]
    assert marked and marked[0]["review"]["decision"] == "dismissed" and marked[0]["review"]["by"] == "王芳"
    index = (docs / "index.html").read_text(encoding="utf-8")
    assert "Reviewed findings" in index and fid in index and "原文另有说明" in index and "(1 dismissed)" in index


def test_registry_errors_stop_before_any_work(monkeypatch, tmp_path, capsys):
    monkeypatch.setenv("NIANBAO_HOME", str(tmp_path / "home"))
    src = tmp_path / "reports"
    src.mkdir()
    (src / "a.txt").write_text("x", encoding="utf-8")
    bad = tmp_path / "owners.csv"
    bad.write_text("body,aliases,region,emails,webhooks\n东阿县教育局,,,not-mail,\n", encoding="utf-8")
    assert main(["audit", str(src), "--owners", str(bad)]) == 2
    err = capsys.readouterr().err
    assert f"{bad}: row 2: 'not-mail' is not an email address" in err and "Traceback" not in err
    assert main(["audit", str(src), "--smtp", "smtp://127.0.0.1:25"]) == 2
    assert "need an owners registry" in capsys.readouterr().err
    good = tmp_path / "good.csv"
    good.write_text(OWNERS, encoding="utf-8")
    assert main(["audit", str(src), "--owners", str(good), "--smtp", "smtp://u:hunter2@127.0.0.1:25"]) == 2
    err = capsys.readouterr().err
    assert "NIANBAO_SMTP_PASSWORD" in err and "hunter2" not in err
    assert main(["audit", str(src), "--owners", str(good), "--alerts", "errors,everything"]) == 2
    assert "everything not among errors, verify, unreadable, resolved" in capsys.readouterr().err


def test_automation_needs_a_prefect_server(monkeypatch, capsys):
    monkeypatch.delenv("PREFECT_API_URL", raising=False)
    assert main(["alerts", "automation", "--notify", "https://example.invalid/hook?key=SECRET"]) == 2
    err = capsys.readouterr().err
    assert "PREFECT_API_URL is not set" in err and "SECRET" not in err
