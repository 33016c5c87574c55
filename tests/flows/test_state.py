from __future__ import annotations

import json

import pytest

from flows.config import Location, RetryPolicy, audit_settings
from flows.pipeline import open_stores, plan_run, prune_runs
from flows.state import AuditState, ObjectEntry, StateError, engine_fingerprint, load_state, save_state
from flows.storage import LocalStore, ObjectInfo


def info(key, etag="e1", size=10):
    return ObjectInfo(key, etag, size)


def test_diff_new_changed_unchanged_deleted_and_full():
    st = AuditState(source="s3://b/p/")
    st.objects = {"a": ObjectEntry("a", "e1", 10, "passed"), "b": ObjectEntry("b", "e1", 10, "failed"),
                  "gone": ObjectEntry("gone", "e1", 10, "passed"), "err": ObjectEntry("err", None, 10, "error")}
    todo, same, deleted = st.diff([info("a"), info("b", "e2"), info("new"), info("err")])
    assert [t.key for t in todo] == ["b", "new", "err"] and same == ["a"] and deleted == ["gone"]
    todo, same, _ = st.diff([info("a")], full=True)
    assert [t.key for t in todo] == ["a"] and same == []


def test_state_roundtrip_versioned_and_bound_to_its_source(tmp_path):
    store = LocalStore(Location.parse(str(tmp_path)))
    st = AuditState(source="s3://b/p/", engine="x")
    st.objects["年报/甲.txt"] = ObjectEntry("年报/甲.txt", "e", 3, "failed", reports=[
        {"report_id": "年报/甲.txt#0", "body": "甲局", "year": 2022}], findings=[{"id": "f1", "rule": "T3-ROW"}])
    save_state(store, "state.json", st)
    back = load_state(store, "state.json", "s3://b/p/")
    assert back.objects["年报/甲.txt"].finding_ids == ["f1"]
    assert back.find_reports("甲局", 2022)[0][0] == "年报/甲.txt" and back.find_reports("甲局", 2021) == []
    with pytest.raises(StateError):
        load_state(store, "state.json", "s3://other/")
    doc = json.loads((tmp_path / "state.json").read_text(encoding="utf-8"))
    doc["schema"] = "nianbao-audit-state/99"
    (tmp_path / "state.json").write_text(json.dumps(doc), encoding="utf-8")
    with pytest.raises(StateError, match="schema"):
        load_state(store, "state.json", "s3://b/p/")


def test_changed_engine_means_full_audit(tmp_path, monkeypatch):
    monkeypatch.setenv("NIANBAO_HOME", str(tmp_path / "home"))
    src = tmp_path / "src"
    src.mkdir()
    (src / "a.txt").write_text("x", encoding="utf-8")
    s = audit_settings(str(src), retry=RetryPolicy(attempts=1))
    stores = open_stores(s)
    st = AuditState(source=s.source.uri, engine=engine_fingerprint())
    a = next(iter(stores.source.list()))
    st.objects["a.txt"] = ObjectEntry("a.txt", a.etag, a.size, "passed")
    assert plan_run(s, stores, st).todo == []
    st.engine = "an-older-engine"
    plan = plan_run(s, stores, st)
    assert [o.key for o in plan.todo] == ["a.txt"] and "changed" in plan.full_reason


def test_prune_keeps_newest_runs(tmp_path):
    store = LocalStore(Location.parse(str(tmp_path)))
    for r in ("20260101T000000Z-a", "20260102T000000Z-b", "20260103T000000Z-c"):
        store.put(f"runs/{r}/findings.json", b"{}")
    assert prune_runs(store, 2) == 1
    assert sorted({o.key.split("/")[1] for o in store.list("runs/")}) == ["20260102T000000Z-b", "20260103T000000Z-c"]
