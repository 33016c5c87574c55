from __future__ import annotations

import json

import pytest

from flows.config import Location, RetryPolicy, s3_settings
from flows.storage import (
    LocalStore,
    StorageError,
    content_type,
    list_sources,
    open_store,
    publish_run,
    read_latest,
    upload_tree,
)

FAST = RetryPolicy(attempts=4, base_delay=0.01, max_delay=0.02)


def s3store(endpoint, bucket, prefix=""):
    return open_store(Location("s3", bucket, prefix), s3_settings(endpoint_url=endpoint, environ={}), FAST)


def test_listing_paginates_with_chinese_keys(moto_endpoint, bucket, monkeypatch):
    from flows.storage import S3Store

    monkeypatch.setattr(S3Store, "page_size", 100)  # several pages without thousands of uploads
    client, name = bucket
    keys = [f"报告/{i:04d}-区教育局.txt" for i in range(345)]
    for k in keys:
        client.put_object(Bucket=name, Key=k, Body=b"x")
    client.put_object(Bucket=name, Key="_nianbao/state.json", Body=b"{}")  # the tool's own file
    client.put_object(Bucket=name, Key="报告/README.md", Body=b"readme")
    store = s3store(moto_endpoint, name)
    listed = [o.key for o in list_sources(store)]
    assert listed == sorted(keys)
    sub = s3store(moto_endpoint, name, "报告/")
    assert len(list(sub.list())) == 346 and next(iter(sub.list())).key == "0000-区教育局.txt"


def test_get_retries_throttling_then_reports_the_error(fault_proxy, bucket):
    client, name = bucket
    client.put_object(Bucket=name, Key="甲.txt", Body="甲".encode())
    client.put_object(Bucket=name, Key="乙.txt", Body="乙".encode())
    store = s3store(fault_proxy.endpoint, name)
    fault_proxy.fail["甲.txt"] = 2  # transient: two 503s, then fine
    fault_proxy.fail["乙.txt"] = -1  # always failing
    data, info = store.get("甲.txt")
    assert data == "甲".encode() and fault_proxy.gets["甲.txt"] == 3 and info.etag
    with pytest.raises(StorageError) as ei:
        store.get("乙.txt")
    assert fault_proxy.gets["乙.txt"] == FAST.attempts
    assert "SlowDown" in ei.value.reason and "after 4 attempts" in ei.value.reason


def test_missing_object_is_not_retried(fault_proxy, bucket):
    _, name = bucket
    store = s3store(fault_proxy.endpoint, name)
    with pytest.raises(StorageError) as ei:
        store.get("nope.txt")
    assert "NoSuchKey" in ei.value.reason and fault_proxy.gets["nope.txt"] == 1


def test_upload_tree_sets_content_types(moto_endpoint, bucket, tmp_path):
    client, name = bucket
    site = tmp_path / "site"
    (site / "validations").mkdir(parents=True)
    (site / "index.html").write_text("<p>索引</p>", encoding="utf-8")
    (site / "validations" / "页.html").write_text("<p>页</p>", encoding="utf-8")
    (site / "style.css").write_text("body{}", encoding="utf-8")
    (site / "logo.png").write_bytes(b"\x89PNG")
    keys = upload_tree(s3store(moto_endpoint, name), site, "docs/")
    assert keys[-1] == "docs/index.html"  # the index goes up last
    ct = {k: client.head_object(Bucket=name, Key=k)["ContentType"] for k in keys}
    assert ct["docs/index.html"] == "text/html; charset=utf-8"
    assert ct["docs/validations/页.html"] == "text/html; charset=utf-8"
    assert ct["docs/style.css"] == "text/css; charset=utf-8"
    assert ct["docs/logo.png"] == "image/png"
    assert content_type("x.json") == "application/json; charset=utf-8"
    # path-style address (anonymous browsing itself is tested against SeaweedFS)
    url = s3store(moto_endpoint, name).url("docs/validations/页.html")
    assert url == f"{moto_endpoint}/{name}/docs/validations/%E9%A1%B5.html"


@pytest.mark.parametrize("kind", ["s3", "local"])
def test_publish_is_consistent_when_a_crash_hits_between_run_and_latest(kind, moto_endpoint, bucket, tmp_path):
    _, name = bucket
    store = s3store(moto_endpoint, name, "findings/") if kind == "s3" else LocalStore(Location.parse(str(tmp_path)))
    publish_run(store, "run-1", {"a.json": (b'{"v":1}', "application/json"), "b.csv": (b"v\n1\n", "text/csv")})
    assert read_latest(store, "a.json") == ("run-1", b'{"v":1}')

    def crash():
        raise KeyboardInterrupt("killed")

    with pytest.raises(KeyboardInterrupt):
        publish_run(store, "run-2", {"a.json": (b'{"v":2}', "application/json"), "b.csv": (b"v\n2\n", "text/csv")},
                    after_run_written=crash)
    assert read_latest(store, "a.json") == ("run-1", b'{"v":1}')
    assert json.loads(store.get("latest/manifest.json")[0])["run_id"] == "run-1"
    # run-2's own prefix is complete (it can be inspected), latest/ still names run-1
    assert store.get("runs/run-2/a.json")[0] == b'{"v":2}'


def test_local_store_lists_skips_hidden_and_refuses_escape(tmp_path):
    (tmp_path / "a").mkdir()
    (tmp_path / "a" / "报告.txt").write_text("x", encoding="utf-8")
    (tmp_path / ".hidden").mkdir()
    (tmp_path / ".hidden" / "x.txt").write_text("x")
    (tmp_path / "README.md").write_text("x")
    store = LocalStore(Location.parse(str(tmp_path)))
    assert [o.key for o in list_sources(store)] == ["a/报告.txt"]
    with pytest.raises(StorageError):
        store.get("../etc/passwd")


@pytest.mark.parametrize("value", ["Mon, 07 Dec 2026 00:24:09 GMT", "Sun, 01 Jan 2023 23:59:59 GMT",
                                   "2026-12-07T00:24:09.000Z", "2026-12-07T00:24:09Z",
                                   "2026-12-07T00:24:09.123456+08:00", "2026-12-07T00:24:09", 1796602449,
                                   "1796602449"])
def test_http_time_parser_agrees_with_botocore(value):
    from botocore.utils import parse_timestamp

    from flows.storage import parse_http_time

    assert parse_http_time(value) == parse_timestamp(value)
    assert parse_http_time(value).utcoffset() == parse_timestamp(value).utcoffset()


def test_s3_client_sends_a_fixed_user_agent_and_reads_times(moto_endpoint, bucket):
    """The client sends one fixed User-Agent (not rebuilt per request) and the fast time parser still
    gives timezone-aware times in listings and GETs."""
    client, name = bucket
    client.put_object(Bucket=name, Key="a.txt", Body=b"x")
    store = s3store(moto_endpoint, name)
    agents = []

    def seen(request, **kw):
        ua = request.headers["User-Agent"]
        agents.append(ua.decode() if isinstance(ua, bytes) else ua)

    store.client.meta.events.register("before-send.s3", seen)
    data, info = store.get("a.txt")
    listed = list(store.list())
    assert data == b"x" and len(agents) == 2 and agents[0] == agents[1]
    assert agents[0].startswith("nianbao-audit ") and "Botocore/" in agents[0]
    head = client.head_object(Bucket=name, Key="a.txt")["LastModified"]
    assert info.last_modified == head.isoformat()
    assert listed[0].last_modified[:19] == head.isoformat()[:19] and listed[0].last_modified.endswith("+00:00")
