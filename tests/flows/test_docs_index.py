from __future__ import annotations

from flows.docs_index import build_index
from flows.pipeline import RunSummary
from flows.state import AuditState, ObjectEntry


def test_index_escapes_untrusted_text_and_links_pages():
    st = AuditState(source="s3://b/")
    st.objects["<script>alert(1)</script>.txt"] = ObjectEntry("<script>alert(1)</script>.txt", "e", 1, "unreadable",
                                                              reason="bad <b>bytes</b>")
    st.objects["年报/甲.txt"] = ObjectEntry("年报/甲.txt", "e", 1, "failed", reports=[
        {"report_id": "年报/甲.txt#0", "report_index": 0, "body": "<img src=x onerror=alert(1)>", "year": 2023,
         "format": "2021", "status": "failed", "docs_page": "sites/r1/b00000/reports/ab.html"}],
        findings=[{"id": "f1", "report_id": "年报/甲.txt#0", "rule": "T3-ROW", "severity": "fail",
                   "status": "violated", "read": "exact"}])
    summary = RunSummary(run_id="r1", source="s3://b/", failed=1, unreadable=1, findings_per_rule={"T3-ROW": 1})
    page = build_index(st, summary).decode("utf-8")
    assert "<script>alert" not in page and "<img" not in page and "<b>bytes" not in page
    assert "&lt;script&gt;alert(1)&lt;/script&gt;.txt" in page and "bad &lt;b&gt;bytes&lt;/b&gt;" in page
    assert 'href="site/r/' in page and "T3-ROW" in page  # the report's evidence page, and the rule
    assert '<meta charset="utf-8">' in page and "http" not in page.split("<body>")[0].replace("http-equiv", "")
