"""Plan and delivery against real receivers (aiosmtpd, an HTTP robot): one digest per owner and channel,
no duplicates, retried when a channel was down, one bad channel never blocks the others, a kill -9
between delivery and its record loses nothing."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from flows.alerts.dispatch import AlertSettings, run_alerts
from flows.alerts.ledger import AlertStore
from flows.alerts.reviews import load_reviews
from flows.config import Location
from flows.state import AuditState, ObjectEntry
from flows.storage import LocalStore

ROOT = Path(__file__).resolve().parents[3]
OWNERS = """body,aliases,region,emails,webhooks,lang
东阿县人民政府办公室,,,gk@donga.gov.cn,{hook},zh
阳谷县人民政府办公室,,,yg@yanggu.gov.cn,,en
莘县人民政府办公室,,,bad@shenxian.gov.cn,,zh
"""


def finding(fid: str, body: str, *, rule: str = "T3-BAL", read: str = "exact", printed: int = 1,
            status: str = "violated", severity: str = "fail", key: str = "a.txt") -> dict:
    cell = {"cell": "t3.R_TOTAL.NAT", "table": "table3", "row": "R_TOTAL", "column": "NAT", "value": printed,
            "raw": str(printed), "label": "表三「（七）总计」·自然人", "label_en": "table 三 results total / natural persons",
            "read": read}
    return {"id": fid, "source": key, "report_index": 0, "report_id": f"{key}#0", "body": body, "year": 2023,
            "rule": rule, "kind": "within_report", "severity": severity, "status": status, "table": "table3",
            "row": None, "column": "NAT", "instance": "NAT", "expected": 0, "actual": printed,
            "message_zh": f"表三「自然人」列：新收 0 + 结转 0 = 0 ≠ （七）总计 {printed}",
            "message_en": f"Table 三, column natural persons: 0 + 0 = 0 ≠ results total {printed}",
            "cells": [cell], "readings": [], "read": read,
            "likely": {"cell": "t3.R_TOTAL.NAT", "label": cell["label"], "label_en": cell["label_en"],
                       "printed": printed, "value": 0, "unique": True}}


def entry(key: str, body: str, findings: list[dict], *, status: str = "failed", etag: str = "e1",
          report_status: str | None = None, summary: dict | None = None) -> ObjectEntry:
    rid = f"{key}#0"
    for f in findings:
        f.update(source=key, report_id=rid, body=body)
    return ObjectEntry(key, etag, 10, status, reports=[
        {"report_id": rid, "report_index": 0, "body": body, "year": 2023, "format": "2021", "title": None,
         "status": report_status or status, "summary": summary or {}, "docs_page": f"sites/r1/b00000/{key}.html"}],
        findings=findings)


def make_state() -> AuditState:
    st = AuditState(source="s3://reports/")
    st.objects["donga.txt"] = entry("donga.txt", "东阿县人民政府办公室", [
        finding("f1", ""), finding("f2", "", rule="T3-RES", read="by_position"),
        finding("f3", "", rule="T3-ROW", status="unverifiable"),  # holds under some reading: never sent
        finding("f4", "", rule="T3-HEUR", severity="warn")])  # a warning: never sent
    st.objects["yanggu.txt"] = entry("yanggu.txt", "阳谷县人民政府办公室", [finding("g1", "")])
    st.objects["shen.txt"] = entry("shen.txt", "莘县人民政府办公室", [finding("s1", "")])
    st.objects["scan.pdf"] = entry("scan.pdf", "阳谷县人民政府办公室", [], status="unreadable",
                                   summary={"read_limited": ["table3: 40 unread"]})
    st.objects["nobody.txt"] = entry("nobody.txt", "某某乡人民政府", [finding("n1", "")])
    return st


@pytest.fixture
def setup(tmp_path, smtp_sink, robot):
    owners = tmp_path / "owners.csv"
    owners.write_text(OWNERS.format(hook=robot.wecom("${DONGA_KEY}")), encoding="utf-8")
    os.environ["DONGA_KEY"] = "SECRET-ROBOT-KEY"
    settings = AlertSettings(owners=str(owners), smtp_url=smtp_sink.url, smtp_from="audit@example.gov.cn",
                             attempts=2, backoff=0.0)
    store = LocalStore(Location("file", None, str(tmp_path / "state")))
    yield settings, store, tmp_path
    os.environ.pop("DONGA_KEY", None)


def run(settings, store, state, run_id="r1", **kw):
    return run_alerts(state, settings, AlertStore(store, "state.json", run_id),
                      link=lambda page: f"http://docs.example/{page}", **kw)


def test_one_digest_per_owner_and_channel_three_kinds_apart(setup, smtp_sink, robot):
    settings, store, tmp = setup
    report = run(settings, store, make_state())
    assert report.error is None
    assert sorted((d.owner, d.status) for d in report.deliveries) == [
        ("东阿县人民政府办公室", "sent"), ("东阿县人民政府办公室", "sent"), ("莘县人民政府办公室", "sent"),
        ("阳谷县人民政府办公室", "sent")]
    # the report with no owner is listed, never dropped
    assert [u["body"] for u in report.unowned] == ["某某乡人民政府"]
    donga = smtp_sink.to("gk@donga.gov.cn")
    assert len(donga) == 1
    m = donga[0]
    assert m["Subject"] == "【年报核查】东阿县人民政府办公室：1 处错误、1 处需核对"
    text = m.get_body(("plain",)).get_content()
    errors, verify = text.index("错误（数字按原文准确读取"), text.index("需核对（数字按位置")
    assert errors < text.index("[T3-BAL]") < verify < text.index("[T3-RES]")
    assert "可能出错的单元格：表三「（七）总计」·自然人，印为 1，按其他数字应为 0" in text
    assert "http://docs.example/sites/r1/b00000/donga.txt.html" in text
    assert "T3-ROW" not in text and "T3-HEUR" not in text  # unverifiable and warnings are not sent
    assert "http://docs.example/sites/r1/b00000/donga.txt.html" in m.get_body(("html",)).get_content()
    # the robot got the same digest as markdown; its key is nowhere in what we keep or report
    assert len(robot.posts) == 1 and "[T3-BAL]" not in robot.texts()[0] and "［T3-BAL］" in robot.texts()[0]
    kept = "".join(p.read_text(encoding="utf-8") for p in (tmp / "state").rglob("*") if p.is_file())
    assert "SECRET-ROBOT-KEY" not in kept + json.dumps(report.to_dict(), ensure_ascii=False)
    # English where the owner asks; the unreadable scan is not sent by default (kinds errors, verify)
    yg = smtp_sink.to("yg@yanggu.gov.cn")[0]
    assert yg["Subject"] == "[Annual report audit] 阳谷县人民政府办公室: 1 errors"
    assert "scan.pdf" not in yg.get_body(("plain",)).get_content()


def test_unchanged_rerun_sends_nothing_new_and_changed_findings_are_sent(setup, smtp_sink, robot):
    settings, store, _ = setup
    state = make_state()
    run(settings, store, state)
    n_mail, n_posts = len(smtp_sink.envelopes), len(robot.posts)
    again = run(settings, store, state, "r2")
    assert again.deliveries == [] and again.up_to_date == 4
    assert (len(smtp_sink.envelopes), len(robot.posts)) == (n_mail, n_posts)
    # the same run id again (a rerun of the run) does not send twice either
    assert run(settings, store, state, "r1").deliveries == []
    # a cell that changes, and a new finding, are sent; the others stay quiet
    state.objects["yanggu.txt"].findings[0].update(actual=2, cells=[dict(state.objects["yanggu.txt"].findings[0]["cells"][0], value=2)])
    state.objects["shen.txt"].findings.append(dict(finding("s2", "莘县人民政府办公室", rule="T4-SUM-REV", key="shen.txt")))
    third = run(settings, store, state, "r3")
    assert sorted(d.owner for d in third.deliveries) == ["莘县人民政府办公室", "阳谷县人民政府办公室"]
    shen = smtp_sink.to("bad@shenxian.gov.cn")[-1].get_body(("plain",)).get_content()
    assert "【新】[T4-SUM-REV]" in shen and "【新】[T3-BAL]" not in shen  # what is new is marked


def test_channel_down_is_retried_next_run_and_does_not_block_others(setup, smtp_sink, robot):
    settings, store, _ = setup
    robot.down = True
    smtp_sink.refuse = {"bad@shenxian.gov.cn"}
    first = run(settings, store, make_state())
    status = {(d.owner, d.channel.split(":")[0]): d for d in first.deliveries}
    assert status[("东阿县人民政府办公室", "wecom+http")].status == "undelivered"
    assert "SECRET-ROBOT-KEY" not in status[("东阿县人民政府办公室", "wecom+http")].error
    assert status[("东阿县人民政府办公室", "wecom+http")].attempts == 2
    assert status[("莘县人民政府办公室", "bad@shenxian.gov.cn")].status == "undelivered"
    assert "bad@shenxian.gov.cn" in status[("莘县人民政府办公室", "bad@shenxian.gov.cn")].error
    assert status[("阳谷县人民政府办公室", "yg@yanggu.gov.cn")].status == "sent"
    assert status[("东阿县人民政府办公室", "gk@donga.gov.cn")].status == "sent"
    # next run: the receiver is back, the address fixed: only what was not delivered goes out
    robot.down = False
    smtp_sink.refuse = set()
    second = run(settings, store, make_state(), "r2")
    assert sorted((d.owner, d.status) for d in second.deliveries) == [
        ("东阿县人民政府办公室", "sent"), ("莘县人民政府办公室", "sent")]
    assert len(robot.posts) == 1 and len(smtp_sink.to("bad@shenxian.gov.cn")) == 1


def test_dismissed_findings_are_not_sent_until_their_cells_change(setup, smtp_sink):
    settings, store, tmp = setup
    state = make_state()
    reviews = load_reviews(tmp / "reviews.yaml")
    reviews.add(state.objects["yanggu.txt"].findings[0], "dismissed", "上年口径，原文已说明", "王芳")
    reviews.save()
    report = run(settings, store, state, reviews=load_reviews(tmp / "reviews.yaml"))
    assert "阳谷县人民政府办公室" not in [d.owner for d in report.deliveries]
    state.objects["yanggu.txt"].findings[0]["actual"] = 5  # the finding changed: the review no longer holds
    again = run(settings, store, state, "r2", reviews=load_reviews(tmp / "reviews.yaml"))
    assert [d.owner for d in again.deliveries] == ["阳谷县人民政府办公室"]


def test_resolved_note_and_unreadable_kind(setup, smtp_sink, tmp_path):
    _settings, store, _ = setup
    owners = tmp_path / "owners2.csv"
    owners.write_text("body,aliases,region,emails,webhooks,kinds\n"
                      "阳谷县人民政府办公室,,,yg@yanggu.gov.cn,,errors;verify;unreadable;resolved\n", encoding="utf-8")
    s2 = AlertSettings(owners=str(owners), smtp_url=smtp_sink.url, smtp_from="audit@example.gov.cn", backoff=0)
    state = make_state()
    run(s2, store, state)
    text = smtp_sink.to("yg@yanggu.gov.cn")[0].get_body(("plain",)).get_content()
    assert "无法读取（不是贵单位的错误）" in text and "table3: 40 unread" in text and "OCR" in text
    # the failing report is republished clean: a resolved note
    state.objects["yanggu.txt"] = entry("yanggu.txt", "阳谷县人民政府办公室", [], status="passed", etag="e2")
    note = run(s2, store, state, "r2")
    assert [(d.resolved, d.reports) for d in note.deliveries] == [(1, 0)]
    assert smtp_sink.to("yg@yanggu.gov.cn")[-1]["Subject"] == "【年报核查】阳谷县人民政府办公室：1 份报告的问题已更正"
    assert run(s2, store, state, "r3").deliveries == []


KILLED = """
import sys, json
sys.path.insert(0, {root!r})
from tests.flows.alerts.test_dispatch import make_state, run
from flows.alerts.dispatch import AlertSettings
from flows.config import Location
from flows.storage import LocalStore
s = AlertSettings(owners={owners!r}, smtp_url={smtp!r}, smtp_from="audit@example.gov.cn", attempts=1, backoff=0)
run(s, LocalStore(Location("file", None, {state!r})), make_state(), {run_id!r})
"""


def test_kill_9_between_delivery_and_record_loses_nothing(setup, smtp_sink):
    settings, store, tmp = setup
    code = KILLED.format(root=str(ROOT), owners=settings.owners, smtp=smtp_sink.url, state=str(tmp / "state"),
                         run_id="r1")
    env = dict(os.environ, NIANBAO_KILL_AT="alert-sent")
    p = subprocess.run([sys.executable, "-c", code], env=env, cwd=ROOT, capture_output=True, timeout=120)
    assert p.returncode == -9, p.stderr.decode()[-2000:]
    assert len(smtp_sink.envelopes) == 1  # the first digest went out, then the process died
    first = smtp_sink.envelopes[0].rcpt_tos
    p = subprocess.run([sys.executable, "-c", code.replace("'r1'", "'r2'")], cwd=ROOT, capture_output=True,
                       timeout=120, env={k: v for k, v in os.environ.items() if k != "NIANBAO_KILL_AT"})
    assert p.returncode == 0, p.stderr.decode()[-2000:]
    got = [tuple(e.rcpt_tos) for e in smtp_sink.envelopes]
    # every owner got its digest; the one in the window got it at most twice
    for who in (["gk@donga.gov.cn"], ["yg@yanggu.gov.cn"], ["bad@shenxian.gov.cn"]):
        n = got.count(tuple(who))
        assert n == (2 if who == first else 1), got
    # and the run after that sends nothing
    assert run(settings, store, make_state(), "r3").deliveries == []
