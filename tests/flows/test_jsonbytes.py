from __future__ import annotations

import dataclasses
import datetime
import json
from pathlib import Path

from flows.cells import report_cells
from flows.jsonbytes import compact
from parsers import parse_bytes

SEEDS = Path(__file__).resolve().parents[2].parent / "shared" / "seeds"


def reference(obj) -> bytes:
    return json.dumps(obj, ensure_ascii=False, separators=(",", ":"), default=str).encode("utf-8")


def test_the_cells_of_real_reports_are_the_bytes_json_writes():
    reports = [r for p in sorted(SEEDS.glob("*.txt")) for r in parse_bytes(p.read_bytes(), p.name)]
    assert len(reports) >= 8
    for r in reports:
        doc = report_cells(r)
        assert compact([doc]) == reference([doc])


@dataclasses.dataclass
class Point:
    x: int


def test_what_orjson_spells_otherwise_goes_through_json_or_str():
    doc = {"big": 10**25, "run": [12345678901234567890123, "甲\n\"乙\u2028"], 3: "int key", "t": (1, 2)}
    assert compact(doc) == reference(doc)  # an integer over 64 bits: written by json
    when = datetime.datetime(2026, 12, 7, 1, 2, 3, tzinfo=datetime.UTC)
    doc = {"when": when, "day": when.date(), "p": Point(1), "s": {"x"}, "f": [0.5, 7545.25, None, True]}
    assert compact(doc) == reference(doc)
    assert json.loads(compact([1e-07, 1e16])) == [1e-07, 1e16]  # spelt 1e-7, read back the same
