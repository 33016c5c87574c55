"""The cell store (flows.cells): one immutable shard per batch, read by object; documents of states
written before shards still read; what the saved state no longer names is deleted."""

from __future__ import annotations

import json

from flows import cells
from flows.config import Location
from flows.parse_pool import describe
from flows.storage import LocalStore
from parsers import parse_bytes
from tests.flows.conftest import seed_files


def test_shard_round_trip_and_gc(tmp_path) -> None:
    store = LocalStore(Location("file", None, str(tmp_path)))
    files = dict(list(seed_files().items())[:3])
    parsed = {k: parse_bytes(v, k) for k, v in files.items()}
    objs = [(k, f"etag-{i}", describe(rs)[1]) for i, (k, rs) in enumerate(parsed.items())]
    cells.write_shard(store, "state.json", "run1/b00000", objs)
    for i, (k, rs) in enumerate(parsed.items()):
        doc = cells.read_cells(store, "state.json", k, "run1/b00000")
        assert doc is not None and doc["etag"] == f"etag-{i}"
        assert doc["reports"] == json.loads(json.dumps(cells.cells_doc(k, None, rs)["reports"], default=str))
    assert cells.read_cells(store, "state.json", "not-there.txt", "run1/b00000") is None
    assert cells.read_cells(store, "state.json", next(iter(parsed)), "run0/b00009") is None  # no such shard

    # a document of a state written before shards is read while its entry names no shard
    legacy, gone = "old.txt", "deleted.txt"
    for k in (legacy, gone):
        store.put(cells.cells_key("state.json", k), json.dumps(cells.cells_doc(k, "e", [])).encode())
    assert cells.read_cells(store, "state.json", legacy) == cells.cells_doc(legacy, "e", [])
    cells.write_shard(store, "state.json", "run0/b00001", objs[:1])  # replaced by run1's shard
    deleted = cells.gc(store, "state.json", {"run1/b00000"}, {legacy})
    left = {i.key for i in store.list("state.json.cells/")}
    assert deleted == 2
    assert left == {cells.shard_key("state.json", "run1/b00000"), cells.cells_key("state.json", legacy)}


def test_shards_are_cached_by_location_not_by_store_object(tmp_path) -> None:
    """Every batch opens its own stores: a shard read through one is served to the next from memory."""
    loc = Location("file", None, str(tmp_path))
    k, v = next(iter(seed_files().items()))
    cells.write_shard(LocalStore(loc), "state.json", "run2/b00000", [(k, "e", describe(parse_bytes(v, k))[1])])
    assert cells.read_cells(LocalStore(loc), "state.json", k, "run2/b00000") is not None
    (tmp_path / cells.shard_key("state.json", "run2/b00000")).unlink()  # shards are immutable: never re-read
    assert cells.read_cells(LocalStore(loc), "state.json", k, "run2/b00000") is not None


def test_shard_is_one_json_document_read_object_by_object(tmp_path) -> None:
    """A shard is valid JSON as a whole and one object per line; objects are decoded only when asked
    for; a shard written on one line (before lines) is still read."""
    files = dict(list(seed_files().items())[:3])
    objs = [(k, f"e{i}", describe(parse_bytes(v, k))[1]) for i, (k, v) in enumerate(files.items())]
    data = cells.shard_bytes(objs)
    whole = json.loads(data)
    assert whole["schema"] == cells.SHARD_SCHEMA and list(whole["objects"]) == list(files)
    assert data.count(b"\n") == len(objs) + 1
    split = cells.split_shard(data)
    assert all(isinstance(v, str) for v in split.values())  # not decoded yet
    assert {k: cells.object_doc(v) for k, v in split.items()} == whole["objects"]
    one_line = json.dumps(whole, ensure_ascii=False).encode("utf-8")
    assert cells.split_shard(one_line) == whole["objects"]
    k = next(iter(files))
    body, year = whole["objects"][k]["reports"][0]["body_norm"], whole["objects"][k]["reports"][0]["year"]
    assert cells.reports_of(split[k], body, year) == whole["objects"][k]["reports"][:1]
    assert cells.reports_of(split[k], body, year + 1) == []
    store = LocalStore(Location("file", None, str(tmp_path)))
    store.put(cells.shard_key("state.json", "old/b00000"), one_line)
    assert cells.read_cells(store, "state.json", k, "old/b00000")["etag"] == "e0"
