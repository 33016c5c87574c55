"""Cross-year rules in the audit flow: last year's report in another batch of the same run, in an earlier
run (the cell store), and a change to last year's report re-checks this year's unchanged one."""

from __future__ import annotations

from flows.cli import main
from parsers.model import Cell
from testkit.render import render_text
from testkit.synth import make_report
from tests.flows.statedoc import state_doc


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
    state = state_doc(next(home.rglob("state.json")))
    return {k: sorted(f"{f['rule']}:{f['status']}" for f in e["findings"] if f["rule"].startswith("X-T3-CARRY-TOT"))
            for k, e in state["objects"].items()}


def cell_shards(home) -> tuple[set[str], set[str]]:
    """(shards the state's entries name, shard files in the cell store next to it)."""
    path = next(home.rglob("state.json"))
    state = state_doc(path)
    named = {f"{e['cells']}.json" for e in state["objects"].values()}
    root = path.parent / "state.json.cells"
    return named, {p.relative_to(root).as_posix() for p in root.rglob("*.json")}


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
    named, stored = cell_shards(tmp_path / "home")
    assert len(named) == 2 and named == stored  # one shard per batch; the first round's are gone
    # last year's report is corrected and republished: this year's unchanged report is checked again
    a2, _ = reports(carry_gap=0)
    (src / "2021.txt").write_text(render_text(a2), encoding="utf-8")
    main(args)
    out = capsys.readouterr()
    assert "2 listed · 1 audited · 1 unchanged" in out.out
    assert x_findings(tmp_path / "home")["2022.txt"] == []
    named_again, stored = cell_shards(tmp_path / "home")
    assert named_again == stored and named_again != named  # the replaced shards were deleted


def all_findings(home) -> dict[str, list[str]]:
    state = state_doc(next(home.rglob("state.json")))
    return {k: sorted(f"{f['rule']}:{f['status']}:{f.get('instance')}" for f in e["findings"])
            for k, e in state["objects"].items()}


def test_cross_year_answer_does_not_depend_on_batching(prefect_harness, monkeypatch, tmp_path, capsys):
    """One report per batch, or all in one: the same findings. Two different 2021 reports of one body
    (a correction published as a second file) leave its 2022 report undecided, whichever batch saw
    which; its 2023 report pairs with the 2022 one; another body's carry-over gap fails."""
    monkeypatch.setenv("PREFECT_LOGGING_LEVEL", "WARNING")
    src = tmp_path / "reports"
    src.mkdir()
    a, b = reports(carry_gap=2)  # 东阿县人民政府办公室 2021 (carried forward + 2) and 2022
    a2, _ = reports(carry_gap=0)  # the same body's 2021 report again, differing in the carried-forward total
    c = make_report(403, "2021", year=2023)
    c.body = a.body
    d, e = make_report(404, "2021", year=2021), make_report(405, "2021", year=2022)
    d.body = e.body = "阳谷县财政局"
    for rep in (a, a2, b, c, d, e):
        rep.title = None  # the title then names the body set here
    for col, cell in d.table3.rows["FWD"].cells.items():
        e.table3.rows["CARRY"].cells[col] = cell
    tot = int(d.table3.value("FWD", "TOT") or 0) + 3
    d.table3.rows["FWD"].cells["TOT"] = Cell(value=tot, raw=str(tot))
    for name, rep in {"2021-a.txt": a, "2021-b.txt": a2, "2022.txt": b, "2023.txt": c, "x2021.txt": d,
                      "x2022.txt": e}.items():
        (src / name).write_text(render_text(rep), encoding="utf-8")
    got = {}
    for size in ("1", "20"):
        monkeypatch.setenv("NIANBAO_HOME", str(tmp_path / f"home-{size}"))
        main(["audit", str(src), "--batch-size", size, "-q"])
        capsys.readouterr()
        got[size] = all_findings(tmp_path / f"home-{size}")
    assert got["1"] == got["20"]
    x = x_findings(tmp_path / "home-1")
    assert x["2022.txt"] == ["X-T3-CARRY-TOT:not_checked"]
    assert any(f.endswith(":several-previous") for f in got["1"]["2022.txt"])
    assert x["x2022.txt"] == ["X-T3-CARRY-TOT:violated"], got["1"]["x2022.txt"]
    assert not any("previous" in f for f in got["1"]["2023.txt"]), got["1"]  # paired with the 2022 report
