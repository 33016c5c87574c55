"""`nianbao check`: readable report, --json, exit codes, --docs."""

from __future__ import annotations

import json

from flows.cli import main
from tests.conftest import seed_path


def test_failing_seed_text(capsys):
    rc = main(["check", str(seed_path("003"))])
    out = capsys.readouterr().out
    assert rc == 1
    assert "T3-ROW" in out and "T3-RES" in out
    assert "likely wrong cell: 表三「（一）予以公开」·总计 printed 0, likely 3" in out


def test_passing_seed_exit_0(capsys):
    assert main(["check", str(seed_path("002"))]) == 0
    assert "0 failing" in capsys.readouterr().out


def test_json_and_unreadable_input(tmp_path, capsys):
    bad = tmp_path / "broken.pdf"
    bad.write_bytes(b"%PDF-1.4 not really")
    rc = main(["check", "--json", str(seed_path("004")), str(seed_path("001")), str(bad)])
    captured = capsys.readouterr()
    doc = json.loads(captured.out)
    assert rc == 2  # an input could not be read; the rest is still checked
    assert "broken.pdf" in captured.err
    assert {"reports", "findings"} <= set(doc)
    years = sorted(r["year"] for r in doc["reports"] if "004_" in r["source"])
    assert years == [2020, 2021, 2022, 2023]
    r001 = next(r for r in doc["reports"] if "001_" in r["source"])
    assert r001["tables"]["table3"] == {"status": "missing", "check": "not_checked"}
    for r in doc["reports"]:
        assert {"source", "report_index", "body", "year", "format", "tables"} <= set(r)
    fails = {(f["year"], f["rule"]) for f in doc["findings"] if f["severity"] == "fail" and f["status"] == "violated"}
    assert fails == {(2020, "T3-ROW"), (2020, "T3-RES"), (2021, "X-T3-CARRY-TOT")}


def test_docs_option(tmp_path, capsys):
    rc = main(["check", "--docs", str(tmp_path / "site"), str(seed_path("003")), str(seed_path("000"))])
    assert rc == 1
    index = (tmp_path / "site" / "index.html").read_text(encoding="utf-8")
    assert "息陬镇" in index and "1 reports checked" not in index
    assert len(list((tmp_path / "site" / "reports").glob("*.html"))) == 1
