"""The run's findings files (``findings.json``, ``findings.parquet``, ``objects.parquet``), written
from the state in one streaming pass into a folder: one decoded entry at a time, Parquet in row
groups, so 100,000 objects never sit in memory as one document.

``findings.json`` keeps its shape ({"run", "objects", "findings"}) with one object or finding per
line. Parquet columns are fixed (the ``Finding`` fields, then the object's key and run); nested
values (cells, readings, likely, review) are JSON text; numbers stay numbers.
"""

from __future__ import annotations

import json
import shutil
from pathlib import Path
from typing import Any

from expectations.findings import Finding
from flows.state import AuditState, ObjectEntry

FINDING_COLUMNS = ("object_key", "run_id", *Finding.__slots__, "review")
OBJECT_COLUMNS = ("object_key", "status", "reason", "etag", "size", "reports", "findings", "run_id", "audited_at",
                  "stale")
INTS = {"report_index", "year", "size", "reports", "findings"}
FLOATS = {"expected", "actual"}
ROW_GROUP = 20_000


def _dumps(v: Any) -> str:
    return json.dumps(v, ensure_ascii=False, default=str)


def object_row(key: str, e: ObjectEntry) -> dict[str, Any]:
    return {"object_key": key, "status": e.status, "reason": e.reason, "etag": e.etag, "size": e.size,
            "reports": len(e.reports), "findings": len(e.findings), "run_id": e.run_id, "audited_at": e.audited_at,
            "stale": (f"since {e.stale.get('since')}: {e.stale.get('reason')}" if e.stale else None)}


def finding_row(key: str, e: ObjectEntry, f: dict[str, Any]) -> dict[str, Any]:
    row = {"object_key": key, "run_id": e.run_id}
    row.update({k: (_dumps(v) if isinstance(v, (dict, list)) else v) for k, v in f.items()})
    return row


class ParquetOut:
    """Rows into a Parquet file of fixed columns, a row group at a time."""

    def __init__(self, path: Path, columns: tuple[str, ...]):
        import pyarrow as pa

        self.pa = pa
        self.path, self.columns, self.rows = path, columns, []
        self.schema = pa.schema([(c, pa.int64() if c in INTS else pa.float64() if c in FLOATS else pa.string())
                                 for c in columns])
        self.writer: Any = None

    def add(self, row: dict[str, Any]) -> None:
        self.rows.append(row)
        if len(self.rows) >= ROW_GROUP:
            self.flush()

    @staticmethod
    def _cell(c: str, v: Any) -> Any:
        if v is None:
            return None
        if c in INTS:
            return int(v) if isinstance(v, (int, float)) and not isinstance(v, bool) else None
        if c in FLOATS:
            return float(v) if isinstance(v, (int, float)) and not isinstance(v, bool) else None
        return v if isinstance(v, str) else _dumps(v) if isinstance(v, (dict, list)) else str(v)

    def flush(self) -> None:
        import pyarrow.parquet as pq

        if self.writer is None:
            self.writer = pq.ParquetWriter(str(self.path), self.schema)
        if self.rows:
            cols = {c: [self._cell(c, r.get(c)) for r in self.rows] for c in self.columns}
            self.writer.write_table(self.pa.table(cols, schema=self.schema))
            self.rows = []

    def close(self) -> None:
        self.flush()
        self.writer.close()


def write_findings_files(state: AuditState, run: dict[str, Any], folder: Path) -> dict[str, Path]:
    """The three files in ``folder`` (one pass over the state); name -> path."""
    folder.mkdir(parents=True, exist_ok=True)
    fj, tmp = folder / "findings.json", folder / "findings.part"
    fp, op = ParquetOut(folder / "findings.parquet", FINDING_COLUMNS), ParquetOut(folder / "objects.parquet",
                                                                                 OBJECT_COLUMNS)
    with fj.open("wb") as doc, tmp.open("wb") as part:
        doc.write(b'{"run": ' + _dumps(run).encode("utf-8") + b',\n"objects": [')
        first_o = first_f = True
        for key, e in state.entries():
            row = object_row(key, e)
            op.add(row)
            doc.write((b"\n" if first_o else b",\n") + _dumps(row).encode("utf-8"))
            first_o = False
            for f in e.findings:
                fp.add(finding_row(key, e, f))
                part.write((b"\n" if first_f else b",\n") + _dumps(dict(f, object_key=key)).encode("utf-8"))
                first_f = False
        doc.write(b"\n],\n\"findings\": [")
    with fj.open("ab") as doc, tmp.open("rb") as part:
        shutil.copyfileobj(part, doc, 1 << 20)
        doc.write(b"\n]}\n")
    tmp.unlink()
    fp.close()
    op.close()
    return {"findings.json": fj, "findings.parquet": folder / "findings.parquet",
            "objects.parquet": folder / "objects.parquet"}
