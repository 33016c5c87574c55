"""The site's page data: statuses per report, grouping, regions, changes; pure functions."""

from __future__ import annotations

from flows.site.model import (
    RegionResolver,
    changes,
    from_state,
    group_findings,
    previous_view,
    rule_stats,
    site_status,
    status_counts,
    where,
)
from flows.state import AuditState, ObjectEntry
from tests.flows.site.synth import finding, make_state, report


def _state() -> AuditState:
    st = AuditState(source="s3://b/", last_run_id="r2")
    rows = [("a.txt", "failed", [finding("a.txt#0", "东阿县人民政府办公室", 2023, "T3-ROW", 0)]),
            ("b.txt", "failed", [finding("b.txt#0", "阳谷县教育局", 2023, "T3-RES", 0, read="by_position")]),
            ("c.txt", "unreadable", []), ("d.txt", "not_checked", []), ("e.txt", "passed", []),
            ("f.txt", "passed", [])]
    for key, status, fs in rows:
        st.objects[key] = ObjectEntry(key, "e", 1, status, reports=[report(key, "东阿县人民政府办公室", 2023, status, fs)],
                                      findings=fs)
    st.objects["g.png"] = ObjectEntry("g.png", "e", 1, "unreadable", reason="not a report")
    st.objects["h.txt"] = ObjectEntry("h.txt", None, 1, "error", reason="cannot fetch")
    return st


def test_counts_are_per_report_and_per_status_files_apart():
    data = from_state(_state())
    c = status_counts(data.reports)
    assert (c["fail"], c["verify"], c["unreadable"], c["not_checked"], c["pass"]) == (1, 1, 1, 1, 2)
    assert len(data.reports) == 6 and sum(c.values()) == 6
    assert sorted(f.object_key for f in data.files) == ["g.png", "h.txt"]  # files, never counted as reports


def test_verify_and_dismissed_statuses():
    exact = finding("x#0", "b", 2023, "T3-ROW", 0)
    pos = finding("x#0", "b", 2023, "T3-ROW", 1, read="ocr")
    assert site_status("failed", [exact, pos]) == "fail"
    assert site_status("failed", [pos]) == "verify"
    gone = dict(exact, review={"decision": "dismissed", "by": "王芳", "reason": "原文另有说明"})
    assert site_status("failed", [gone]) == "dismissed"
    assert site_status("warned", []) == "warn" and site_status("unverifiable", []) == "unreadable"


def test_pre2019_not_checked_lines_become_one_group():
    fs = [dict(finding("x#0", "b", 2018, f"R{i}", i), status="not_checked",
               message_zh=f"R{i} 未检查（7 处）：表三缺失（no statutory table: a pre-2019 narrative report）",
               message_en=f"R{i} not checked (7 instances): table 三 is missing") for i in range(21)]
    fs.append(finding("x#0", "b", 2018, "T3-ROW", 99))
    fs += [dict(finding("x#0", "b", 2018, "T2-X", k), status="unverifiable") for k in range(3)]
    groups = group_findings(fs)
    kinds = [g.kind for g in groups]
    assert kinds == ["violated", "unverifiable", "not_checked"]
    nc = groups[-1]
    assert len(nc.findings) == 21 and len(nc.rules) == 21 and nc.message_zh.startswith("未检查：表三缺失")
    assert len(groups[1].findings) == 3


def test_location_names_table_row_column_and_pdf_page_never_a_line():
    text = finding("x#0", "b", 2023, "T3-ROW", 0)
    pdf = finding("x#0", "b", 2023, "T3-ROW", 0, page=4)
    assert where(text) == "表三「（一）予以公开」·总计" and "line" not in where(text)
    assert where(pdf) == "表三「（一）予以公开」·总计（第 4 页）"


def test_region_from_the_body_name_the_registry_or_unknown():
    from flows.alerts.owners import parse_owners

    r = RegionResolver()
    assert r("东阿县人民政府办公室").path == ("山东省", "聊城市", "东阿县")
    assert r("东阿县人民政府办公室").how == "name"
    assert r("北京市海淀区教育委员会").path == ("北京市", "海淀区")  # a city that is its own province: said once
    assert r("下达河乡").path == () and r("下达河乡").label == "未知地区"
    reg = parse_owners("body,aliases,region,emails,webhooks\n,,平潭综合实验区,a@b.cn,\n")
    got = RegionResolver(reg)("平潭综合实验区财政金融局")
    assert got.how == "owners" and got.province == "福建省"
    assert RegionResolver(reg)("<script>alert(1)</script>").path == ()


def test_changes_since_the_previous_run():
    data = from_state(_state())
    prev_doc = {"run": {"run_id": "r1"},
                "objects": [{"object_key": k} for k in ("b.txt", "c.txt", "d.txt", "e.txt")],
                "findings": [finding("e.txt#0", "x", 2023, "T3-ROW", 0), finding("c.txt#0", "x", 2023, "T3-ROW", 0)]}
    ch = changes(data, previous_view(prev_doc))
    assert ch.previous_run == "r1"
    assert sorted(ch.new_failures) == ["a.txt#0", "b.txt#0"]  # b was not failing before (verify counts)
    assert sorted(ch.fixed) == ["c.txt#0", "e.txt#0"]
    assert sorted(ch.new_reports) == ["a.txt#0", "f.txt#0"]


def test_rule_stats_count_reports_not_findings():
    st = make_state(600, fail_rate=0.1, seed=3)
    data = from_state(st)
    stats = rule_stats(data.reports)
    bad = sum(1 for r in data.reports if "T3-ROW" in r.fail_rules)
    assert stats["T3-ROW"].violated == bad
    assert stats["T3-ROW"].checked == len(data.reports)  # every synthetic report evaluated every rule
    assert sum(y[1] for y in stats["T3-ROW"].by_year.values()) == bad
    assert "T4-REV" in stats and stats["T4-REV"].not_checked == 0
