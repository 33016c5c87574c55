"""`nianbao parse`: summaries, JSON, and exit codes with bad inputs in the batch."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

from flows.cli import main
from tests.conftest import seed_path


def test_json_has_one_object_per_report(capsys) -> None:
    code = main(["parse", "--json", str(seed_path("004")), str(seed_path("001"))])
    out = json.loads(capsys.readouterr().out)
    assert code == 0
    assert [(o["year"], o["format"]) for o in out] == [(2023, "2021"), (2022, "2021"), (2021, "2021"),
                                                      (2020, "2019"), (2018, "pre2019")]
    first = out[0]
    for key in ("source", "report_index", "body", "year", "format", "table3", "table4", "table2", "status"):
        assert key in first
    assert first["table3"]["NEW"] == {"NAT": 8, "BIZ": 1, "RES": 0, "NGO": 0, "LAW": 0, "OTH": 0, "TOT": 9}
    assert out[-1]["status"] == {"table2": "missing", "table3": "missing", "table4": "missing"}


def test_cells_option_adds_provenance(capsys) -> None:
    main(["parse", "--json", "--cells", str(seed_path("003"))])
    (obj,) = json.loads(capsys.readouterr().out)
    cell = obj["cells"]["table3"]["R_OPEN"]["TOT"]
    assert cell["raw"] == "0" and cell["prov"]["kind"] == "text" and cell["prov"]["line"] > 0


def test_bad_files_are_named_and_the_rest_is_printed(tmp_path: Path, capsys) -> None:
    (tmp_path / "empty.txt").write_bytes(b"")
    (tmp_path / "photo.jpg").write_bytes(b"\xff\xd8\xff\xe0" + b"\x00" * 100)
    (tmp_path / "notes.txt").write_text("会议纪要\n今天讨论了食堂菜单。\n", encoding="utf-8")
    good = tmp_path / "good.txt"
    good.write_bytes(seed_path("002").read_bytes())
    code = main(["parse", str(tmp_path)])
    cap = capsys.readouterr()
    assert code == 2
    assert "俵口镇" in cap.out
    err = cap.err.splitlines()
    assert any("empty.txt" in e and "empty" in e for e in err)
    assert any("photo.jpg" in e and "image" in e for e in err)
    assert any("notes.txt" in e and "not an annual report" in e for e in err)
    assert "Traceback" not in cap.err


def test_console_script_runs() -> None:
    exe = Path(sys.executable).with_name("nianbao")
    r = subprocess.run([str(exe), "parse", str(seed_path("003"))], capture_output=True, text=True, timeout=60)
    assert r.returncode == 0, r.stderr
    assert "息陬镇人民政府" in r.stdout and "format: 2019" in r.stdout
