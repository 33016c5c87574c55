"""The canonical model crosses processes (parse worker -> flow -> validating worker) pickled."""

from __future__ import annotations

import pickle

from parsers import parse_bytes
from tests.flows.conftest import seed_files


def test_reports_survive_pickling_field_for_field() -> None:
    n = 0
    for key, data in seed_files().items():
        for rep in parse_bytes(data, key):
            back = pickle.loads(pickle.dumps(rep, protocol=pickle.HIGHEST_PROTOCOL))
            assert back == rep and type(back.table3) is type(rep.table3)
            cells = [c for row in rep.table3.rows.values() for c in row.cells.values()]
            again = [c for row in back.table3.rows.values() for c in row.cells.values()]
            assert [(c.value, c.raw, c.prov, c.flags) for c in again] == [(c.value, c.raw, c.prov, c.flags) for c in cells]
            n += 1
    assert n >= 5
