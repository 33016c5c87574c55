"""Cross-year rules in the audit flow: last year's report in another batch of the same run, in an earlier
run (the cell store), and a change to last year's report re-checks this year's unchanged one."""

from __future__ import annotations

import json

from flows.cli import main
from parsers.model import Cell
from testkit.render import render_text
from testkit.synth import make_report


def reports(carry_gap: int):
    a = make_report(401, "2021", year=2021)
    b = make_report(402, "2021", year=2022)
    a.body = b.body = "东阿县人民政府办公室"
    for col, cell in a.table3.rows["FWD"].cells.items():
        b.table3.rows["CARRY"].cells[col] = cell
    tot = int(a.table3.value("FWD", "TOT") or 0) + carry_gap
    a.table3.rows["FWD"].cells["TOT"] = Cell(value=tot, raw=str(tot))  # only last year's total moves
    return a, b


def x_findings(home) -> dict[str, list[str]]:
    state = json.loads(next(home.rglob("state.json")).read_text(encoding="utf-8"))
    return {k: sorted(f"{f['rule']}:{f['status']}" for f in e["findings"] if f["rule"].startswith("X-T3-CARRY-TOT"))
            for k, e in state["objects"].items()}


def test_cross_year_across_batches_and_runs(prefect_harness, monkeypatch, tmp_path, capsys):
    monkeypatch.setenv("NIANBAO_HOME", str(tmp_path / "home"))
    monkeypatch.setenv("PREFECT_LOGGING_LEVEL", "WARNING")
    src = tmp_path / "reports"
    src.mkdir()
    a, b = reports(carry_gap=2)
    (src / "2021.txt").write_text(render_text(a), encoding="utf-8")
    (src / "2022.txt").write_text(render_text(b), encoding="utf-8")
    args = ["audit", str(src), "--batch-size", "1", "-q"]
    main(args)
    capsys.readouterr()
    got = x_findings(tmp_path / "home")
    # the 2021 report has no 2020 one; the 2022 one is paired with the 2021 report audited in another batch
    assert got["2021.txt"] == ["X-T3-CARRY-TOT:not_checked"]
    assert got["2022.txt"] == ["X-T3-CARRY-TOT:violated"]
    # last year's report is corrected and republished: this year's unchanged report is checked again
    a2, _ = reports(carry_gap=0)
    (src / "2021.txt").write_text(render_text(a2), encoding="utf-8")
    main(args)
    out = capsys.readouterr()
    assert "2 listed · 1 audited · 1 unchanged" in out.out
    assert x_findings(tmp_path / "home")["2022.txt"] == []
