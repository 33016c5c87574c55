"""The run's findings files, written streaming from the state."""

from __future__ import annotations

import json

import pyarrow.parquet as pq

from flows.exports import ROW_GROUP, write_findings_files
from flows.state import AuditState, ObjectEntry


def _state(n: int) -> AuditState:
    st = AuditState(source="SRC")
    for i in range(n):
        k = f"年报/{i:05d}.txt"
        fs = [{"id": f"{i}-{j}", "rule": "T3-ROW", "report_id": f"{k}#0", "report_index": 0, "year": 2022,
               "expected": 3, "actual": 2.5 if j else None, "cells": [{"cell": "t3.NEW.TOT", "value": 3}],
               "message_zh": "=合计 ≠ 3"} for j in range(i % 3)]
        st.objects[k] = ObjectEntry(k, f"e{i}", 10, "failed" if fs else "passed", run_id="r1",
                                    reports=[{"report_id": f"{k}#0"}], findings=fs).pack()
    return st


def test_findings_files_hold_every_object_and_finding(tmp_path):
    st = _state(ROW_GROUP + 5)  # more than one Parquet row group
    paths = write_findings_files(st, {"run_id": "r1"}, tmp_path)
    doc = json.loads(paths["findings.json"].read_text(encoding="utf-8"))
    n_findings = sum(i % 3 for i in range(ROW_GROUP + 5))
    assert doc["run"] == {"run_id": "r1"} and len(doc["objects"]) == ROW_GROUP + 5
    assert len(doc["findings"]) == n_findings and doc["findings"][0]["object_key"] == "年报/00001.txt"
    assert doc["objects"][2] == {"object_key": "年报/00002.txt", "status": "failed", "reason": None, "etag": "e2",
                                 "size": 10, "reports": 1, "findings": 2, "run_id": "r1", "audited_at": None,
                                 "stale": None}
    t = pq.read_table(paths["findings.parquet"])
    assert t.num_rows == n_findings and pq.ParquetFile(paths["findings.parquet"]).num_row_groups == 2
    row = t.slice(2, 1).to_pylist()[0]  # object 2, its second finding
    assert (row["expected"], row["actual"], row["year"]) == (3.0, 2.5, 2022)
    assert json.loads(row["cells"]) == [{"cell": "t3.NEW.TOT", "value": 3}] and row["object_key"] == "年报/00002.txt"
    assert pq.read_table(paths["objects.parquet"]).column("findings").to_pylist()[:3] == [0, 1, 2]
    assert not (tmp_path / "findings.part").exists()
    assert not any(e.is_open for e in st.objects.values())  # one entry open at a time, none left open


def test_no_findings_still_gives_valid_files(tmp_path):
    paths = write_findings_files(_state(1), {}, tmp_path)
    assert json.loads(paths["findings.json"].read_text(encoding="utf-8"))["findings"] == []
    assert pq.read_table(paths["findings.parquet"]).num_rows == 0
