"""The per-report cell store: every table cell of every audited report, kept next to the state.

One small JSON document per object (``<state>.cells/<aa>/<sha1 of the key>.json``), written by the
batch that audited it, deleted with it. It is what cross-year rules read for last year's cells and
what the site draws a report's tables from, without loading every finding or parsing again. Lookups
by (normalised body, year) go through the state's report list (``body``, ``year`` per report).

A document::

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
from typing import Any

from flows.storage import StorageError, Store
from parsers.model import Cell, Report
from parsers.names import normalise

SCHEMA = "nianbao-cells/1"


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


def write_cells(store: Store, state_key: str, object_key: str, etag: str | None, reports: list[Report]) -> None:
    data = json.dumps(cells_doc(object_key, etag, reports), ensure_ascii=False, separators=(",", ":"),
                      default=str).encode("utf-8")
    store.put(cells_key(state_key, object_key), data, "application/json; charset=utf-8")


def read_cells(store: Store, state_key: str, object_key: str) -> dict[str, Any] | None:
    """The object's cell document, or None when there is none (or it cannot be used)."""
    key = cells_key(state_key, object_key)
    try:
        if store.head(key) is None:
            return None
        data, _ = store.get(key)
        doc = json.loads(data)
    except (StorageError, ValueError):
        return None
    return doc if isinstance(doc, dict) and doc.get("schema") == SCHEMA else None


def delete_cells(store: Store, state_key: str, object_keys: list[str]) -> None:
    keys = [cells_key(state_key, k) for k in object_keys]
    if keys:  # an orphan cell document is harmless: nothing in the state points at it
        with contextlib.suppress(StorageError):
            store.delete(keys)
