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


def _entry(k, status="passed", n=1):
    return ObjectEntry(k, f"e-{k}", 10, status, reports=[{"report_id": f"{k}#0", "body": "甲局", "year": 2022}],
                       findings=[{"id": f"{k}-{i}", "rule": "T3-ROW", "message_zh": "表三「合计」"} for i in range(n)])


def test_sharded_save_writes_only_changed_shards_and_gc_drops_the_old(tmp_path, monkeypatch):
    from flows import state as state_mod
    from flows.state import gc_shards, read_document

    monkeypatch.setattr(state_mod, "SHARD_OBJECTS", 10)  # 50 objects -> 8 shards
    store = LocalStore(Location.parse(str(tmp_path)))
    st = AuditState(source="SRC")
    for i in range(50):
        st.objects[f"k{i:03d}"] = _entry(f"k{i:03d}")
    first = save_state(store, "state.json", st)
    assert first["shards"] == first["written"] == 8
    back = load_state(store, "state.json", "SRC")
    assert back.to_dict()["objects"] == st.to_dict()["objects"]
    back.objects["k007"].findings = [{"id": "new", "rule": "T3-BAL"}]
    again = save_state(store, "state.json", back)
    assert again["written"] == 1 and again["shards"] == 8
    assert len(list((tmp_path / "state.json.objects").iterdir())) == 9 and gc_shards(store, "state.json", back) == 1
    doc = read_document(store, "state.json")
    assert doc["objects"]["k007"]["findings"] == [{"id": "new", "rule": "T3-BAL"}]
    assert doc["objects"]["k008"] == st.objects["k008"].to_dict()
    for i in range(50, 200):  # more objects -> more shards, all written again
        back.objects[f"k{i:03d}"] = _entry(f"k{i:03d}")
    grown = save_state(store, "state.json", back)
    assert grown["shards"] == grown["written"] == 32
    assert len(load_state(store, "state.json", "SRC").objects) == 200


def test_a_schema_1_state_is_read_and_saved_as_shards(tmp_path):
    from flows.state import SCHEMA, SCHEMA_V1

    store = LocalStore(Location.parse(str(tmp_path)))
    old = {"schema": SCHEMA_V1, "source": "SRC", "engine": "x", "objects": {"a": _entry("a", "failed", 2).to_dict()}}
    (tmp_path / "state.json").write_text(json.dumps(old, ensure_ascii=False), encoding="utf-8")
    st = load_state(store, "state.json", "SRC")
    assert st.objects["a"].finding_ids == ["a-0", "a-1"] and st.engine == "x"
    save_state(store, "state.json", st)
    doc = json.loads((tmp_path / "state.json").read_text(encoding="utf-8"))
    assert doc["schema"] == SCHEMA and doc["count"] == 1 and "objects" not in doc
    assert load_state(store, "state.json", "SRC").objects["a"] == st.objects["a"]


def test_entries_are_packed_and_a_pass_keeps_only_what_it_writes():
    st = AuditState(source="SRC", objects={k: _entry(k).pack() for k in ("a", "b")})
    assert not st.objects["a"].is_open
    for _, e in st.entries():  # a reading pass: opened, then released
        assert e.findings[0]["rule"] == "T3-ROW"
        e.findings[0]["rule"] = "changed while reading"
    assert not st.objects["a"].is_open and st.objects["a"].findings[0]["rule"] == "T3-ROW"
    st.objects["a"].release()
    for _, e in st.entries(write=True):  # a writing pass keeps its changes
        e.findings[0]["review"] = {"decision": "dismissed"}
    assert not st.objects["b"].is_open and st.objects["b"].findings[0]["review"] == {"decision": "dismissed"}
    assert [f["id"] for f in st.findings()] == ["a-0", "b-0"]


def test_the_year_index_of_changed_entries_equals_a_full_one():
    from flows.pipeline import year_index

    st = AuditState(source="SRC")
    for i in range(30):
        st.objects[f"k{i}"] = ObjectEntry(f"k{i}", "e", 1, "passed", cells=f"s{i % 4}", reports=[
            {"report_id": f"k{i}#0", "body": f"甲{i % 5}局", "year": 2020 + i % 3}]).pack()
    before = year_index(st)
    st.objects["k3"] = ObjectEntry("k3", "e2", 1, "passed", cells="new", reports=[
        {"report_id": "k3#0", "body": "乙局", "year": 2024}]).pack()
    del st.objects["k4"]
    st.objects["k99"] = ObjectEntry("k99", "e", 1, "passed", reports=[{"report_id": "k99#0", "body": "甲1局",
                                                                         "year": 2021}]).pack()
    assert year_index(st, before, {"k3", "k4", "k99"}) == year_index(st) != before
    assert not any(e.is_open for e in st.objects.values())
