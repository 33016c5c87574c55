"""The per-report cell store: every table cell of every audited report, kept next to the state.

One JSON shard per audited batch (``<state>.cells/<run id>/b<batch>.json``, ``nianbao-cells/2``),
holding the cells of that batch's objects; each state entry names its shard (``ObjectEntry.cells``).
Shards are immutable (a re-audited object goes into a new shard), so a reader may cache them for
good; a shard no entry names any more is deleted after the state is saved (``gc``). It is what
cross-year rules read for last year's cells and what the site draws a report's tables from, without
loading every finding or parsing again. Lookups by (normalised body, year) go through the state's
report list (``body``, ``year`` per report).

One shard per batch, not one document per object: a PUT per object was most of the flow process's
time on a first audit (the store's request cost, under the GIL), and a lookup reads its neighbours'
cells with the same GET. States written before shards name no shard: their objects' documents
(``nianbao-cells/1``, ``<state>.cells/<aa>/<sha1 of the key>.json``) are still read, and deleted by
``gc`` once their object is audited again.

A shard is ``{"schema": "nianbao-cells/2", "objects": {KEY: {"etag": …, "reports": [REPORT, …]}}}``,
written one object per line: a reader splits it by lines and decodes only the objects it is asked for
(a cross-year lookup wants one object of ~50, and decoding whole shards was most of the flow process's
time on a multi-year first audit). Shards written as one line are still read, decoded whole.
An object's document (what ``read_cells`` returns, in either layout)::

    {"schema": "nianbao-cells/1", "object": "reports/a.pdf", "etag": "…",
     "reports": [{"report_id": "reports/a.pdf#0", "report_index": 0, "body": "…", "body_norm": "…",
                  "year": 2023, "format": "2021", "source_kind": "pdf",
                  "tables": {"table2": {"status": "present", "rows": {"REG": {"ISSUED": CELL, …}}},
                             "table3": {"status": …, "columns": [...], "rows": {"NEW": {"NAT": CELL, …}},
                                        "labels": {"NEW": "一、本年新收政府信息公开申请数量"},
                                        "by_position": ["R_OPEN"], "ambiguous": {"NEW": [{…}, …]}},
                             "table4": {"status": …, "cells": {"REV_MAINTAIN": CELL, …}}}}]}

where CELL is ``{"value": 3, "raw": "3", "read": "exact"|"by_position"|"ocr", "prov": {…}}``.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import threading
from collections import OrderedDict
from collections.abc import Iterable
from typing import Any

from flows.storage import StorageError, Store
from parsers.model import Cell, Report
from parsers.names import normalise

SCHEMA = "nianbao-cells/1"
SHARD_SCHEMA = "nianbao-cells/2"


def cells_prefix(state_key: str) -> str:
    return f"{state_key}.cells/"


def cells_key(state_key: str, object_key: str) -> str:
    h = hashlib.sha1(object_key.encode("utf-8")).hexdigest()
    return f"{cells_prefix(state_key)}{h[:2]}/{h}.json"


def _cell(c: Cell, by_position: bool) -> dict[str, Any]:
    d = c.to_dict()
    d["read"] = "ocr" if "ocr" in c.flags else "by_position" if by_position else "exact"
    return d


def report_cells(r: Report) -> dict[str, Any]:
    t2, t3, t4 = r.table2, r.table3, r.table4
    placed = [k for k, row in t3.rows.items() if row.placed_by_position]
    return {
        "report_id": r.report_id, "report_index": r.report_index, "body": r.body, "body_norm": normalise(r.body),
        "year": r.year, "format": r.format, "source_kind": r.source_kind, "title": r.title,
        "tables": {
            "table2": {"status": t2.status, "amount_unit": t2.amount_unit,
                       "rows": {k: {c: _cell(x, False) for c, x in cols.items()} for k, cols in t2.rows.items()},
                       "ambiguous": {k: [dict(x) for x in v] for k, v in t2.readings.items() if len(v) > 1}},
            "table3": {"status": t3.status, "columns": list(t3.columns),
                       "rows": {k: {c: _cell(x, row.placed_by_position) for c, x in row.cells.items()}
                                for k, row in t3.rows.items()},
                       "labels": {k: row.label for k, row in t3.rows.items()},
                       "by_position": placed,
                       "ambiguous": {k: [dict(x) for x in row.readings] for k, row in t3.rows.items() if row.ambiguous}},
            "table4": {"status": t4.status, "cells": {k: _cell(x, False) for k, x in t4.cells.items()},
                       "ambiguous": [dict(x) for x in t4.readings] if len(t4.readings) > 1 else []},
        },
    }


def cells_doc(object_key: str, etag: str | None, reports: list[Report]) -> dict[str, Any]:
    return {"schema": SCHEMA, "object": object_key, "etag": etag, "reports": [report_cells(r) for r in reports]}


def shard_name(run_id: str, index: int) -> str:
    return f"{run_id}/b{index:05d}"


def shard_key(state_key: str, shard: str) -> str:
    return f"{cells_prefix(state_key)}{shard}.json"


_SHARD_HEAD = b'{"schema":"' + SHARD_SCHEMA.encode() + b'","objects":{'


def shard_bytes(objects: Iterable[tuple[str, str | None, bytes]]) -> bytes:
    """A shard from (object key, ETag, the JSON list of its reports' cells as ``parse_pool.describe``
    made it): joined as bytes, the cells are not decoded again. One object per line (JSON escapes every
    newline inside strings, so the only raw newlines are these)."""
    parts = [json.dumps(k, ensure_ascii=False).encode("utf-8") + b':{"etag":' + json.dumps(etag).encode()
             + b',"reports":' + cells + b"}" for k, etag, cells in objects]
    return _SHARD_HEAD + b"\n" + b",\n".join(parts) + b"\n}}"


_KEY = json.JSONDecoder()


def split_shard(data: bytes) -> dict[str, str | dict[str, Any]] | None:
    """A shard's objects by key: each the undecoded JSON text of ``{"etag": …, "reports": […]}`` when
    the shard is written one object per line, else (an older one-line shard) decoded whole. None when
    it is not a shard."""
    lines = data.split(b"\n")
    if len(lines) >= 3 and lines[0] == _SHARD_HEAD and lines[-1] == b"}}":
        out: dict[str, str | dict[str, Any]] = {}
        for line in lines[1:-1]:
            text = line.decode("utf-8").removesuffix(",")
            key, end = _KEY.raw_decode(text)
            if not isinstance(key, str) or text[end:end + 1] != ":":
                raise ValueError("not a shard line")
            out[key] = text[end + 1:]
        return out
    doc = json.loads(data)
    objs = doc.get("objects") if isinstance(doc, dict) and doc.get("schema") == SHARD_SCHEMA else None
    return objs if isinstance(objs, dict) else None


def object_doc(raw: str | dict[str, Any] | None) -> dict[str, Any] | None:
    """One object's ``{"etag", "reports"}`` of a shard (``split_shard``), decoded."""
    if isinstance(raw, str):
        try:
            raw = json.loads(raw)
        except ValueError:
            return None
    return raw if isinstance(raw, dict) else None


def reports_of(raw: str | dict[str, Any] | None, body_norm: str, year: int) -> list[dict[str, Any]]:
    """The cell documents of one object's reports of that (normalised) body and year."""
    doc = object_doc(raw) or {}
    return [d for d in doc.get("reports") or [] if isinstance(d, dict)
            and d.get("body_norm") == body_norm and d.get("year") == year]


def write_shard(store: Store, state_key: str, shard: str, objects: Iterable[tuple[str, str | None, bytes]]) -> None:
    store.put(shard_key(state_key, shard), shard_bytes(objects), "application/json; charset=utf-8")


class _ShardCache:
    """Shards read lately in this process (immutable: never stale), bounded by bytes read."""

    def __init__(self, limit: int = 64_000_000):
        self.limit, self.size = limit, 0
        self._items: OrderedDict[tuple[Any, str], tuple[dict[str, Any] | None, int]] = OrderedDict()
        self._lock = threading.Lock()

    def get(self, store: Store, key: str) -> dict[str, str | dict[str, Any]] | None:
        # by where the store points (a Location value), not by object: every batch opens its own stores
        ident = (getattr(store, "location", None) or id(store), key)
        with self._lock:
            hit = self._items.get(ident)
            if hit is not None:
                self._items.move_to_end(ident)
                return hit[0]
        try:
            data, _ = store.get(key)
            objs = split_shard(data)
        except (StorageError, ValueError):
            return None  # not cached: a store that failed now may answer next time
        with self._lock:
            self._items[ident] = (objs, len(data))
            self.size += len(data)
            while self.size > self.limit and len(self._items) > 1:
                self.size -= self._items.popitem(last=False)[1][1]
        return objs


SHARDS = _ShardCache()


def read_cells(store: Store, state_key: str, object_key: str, shard: str | None = None) -> dict[str, Any] | None:
    """The object's cell document (from its ``shard``, or the per-object document of states written
    before shards), or None when there is none (or it cannot be used)."""
    if shard:
        got = object_doc(object_json(store, state_key, object_key, shard))
        if got is None:
            return None
        return {"schema": SCHEMA, "object": object_key, "etag": got.get("etag"), "reports": got.get("reports") or []}
    key = cells_key(state_key, object_key)
    try:
        if store.head(key) is None:
            return None
        data, _ = store.get(key)
        doc = json.loads(data)
    except (StorageError, ValueError):
        return None
    return doc if isinstance(doc, dict) and doc.get("schema") == SCHEMA else None


def object_json(store: Store, state_key: str, object_key: str, shard: str) -> str | dict[str, Any] | None:
    """The object's entry in its shard, undecoded where the shard allows (``split_shard``)."""
    return (SHARDS.get(store, shard_key(state_key, shard)) or {}).get(object_key)


def gc(store: Store, state_key: str, shards: set[str], legacy: set[str]) -> int:
    """Delete the shards no entry of the saved state names (``shards``) and the per-object documents
    of older states whose object is gone or now has a shard (``legacy``: the objects still without
    one). Called after the state is saved: a crash before leaves only orphans, harmless (nothing points
    at them), deleted next time. Returns how many were deleted."""
    prefix = cells_prefix(state_key)
    wanted = {shard_key(state_key, s) for s in shards} | {cells_key(state_key, k) for k in legacy}
    gone = [i.key for i in store.list(prefix) if i.key not in wanted]
    if gone:
        with contextlib.suppress(StorageError):
            store.delete(gone)
    return len(gone)
