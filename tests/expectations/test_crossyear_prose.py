"""Cross-year (X-*) and prose (TXT-*) rules: the seeds' known errors, the real crawled reports (every prose
finding listed by hand, false alarms counted), generated reports whose prose agrees, and the pairing."""

from __future__ import annotations

from pathlib import Path

import pytest

from expectations import check_reports
from parsers import parse_bytes
from testkit.render import render_html, render_text
from testkit.synth import make_corpus, make_report
from tests.conftest import SHARED, seed_path


def parse(path: Path):
    return parse_bytes(path.read_bytes(), path.name)


def violated(result, prefix: tuple[str, ...] = ("X-", "TXT-")):
    return [f for f in result.findings if f.status == "violated" and f.rule.startswith(prefix)]


@pytest.fixture(scope="module")
def seeds():
    reports = [r for p in ("000", "001", "002", "003", "004") for r in parse(seed_path(p))]
    return reports, check_reports(reports)


def test_seed_004_cross_year_and_prose(seeds):
    reports, res = seeds
    by_year = {r.year: r for r in reports if r.source.startswith("004")}
    got = {(f.year, f.rule, f.expected, f.actual) for f in violated(res) if f.source.startswith("004")}
    assert got == {
        (2021, "X-T3-CARRY-TOT", 11, 0),  # 2020 carried 11 forward, 2021 reports 0 carried over
        (2021, "X-T3-CARRY-COL", 11, 0),  # all of them natural persons
        (2022, "X-T2-21-VALID", 5, 7),  # 2021's 2 + 3 issued − 0 repealed = 5, 7 printed
        (2020, "TXT-T3-RECV", 31, 34),  # the text says 34 requests, the table 31
        (2023, "TXT-T3-CAT", 4, 7),  # 予以公开 7 in the text, 4 in the table
        (2023, "TXT-T3-CAT", 1, 2),  # 无法提供 2 in the text, 1 in the table
    }
    carry = next(f for f in violated(res) if f.rule == "X-T3-CARRY-TOT")
    prev = next(c for c in carry.cells if c["cell"] == "prev.t3.FWD.TOT")
    assert prev["year"] == 2020 and prev["report"] == by_year[2020].report_id and prev["value"] == 11
    assert "2020 年度报告的结转下年度继续办理" in carry.message_zh
    recv = next(f for f in violated(res) if f.rule == "TXT-T3-RECV")
    assert "原文：「2020年,东阿县政府办公室共收到政府信息公开申请34件" in recv.message_zh
    # the 2020 report has no 2019 report beside it: not checked, with the reason, and not a failure of it
    nc = [f for f in res.findings if f.year == 2020 and f.rule == "X-T3-CARRY-TOT" and f.source.startswith("004")]
    assert [f.status for f in nc] == ["not_checked"] and "未找到" in nc[0].message_zh and "2019" in nc[0].message_zh


def test_seed_003_and_001_prose_arithmetic(seeds):
    _, res = seeds
    sums = {(f.source[:3], f.rule, f.message_zh.split("原文")[0]) for f in violated(res) if f.rule == "TXT-SUM"}
    assert sums == {
        ("003", "TXT-SUM", "正文总数 646条，而分项 550余 + 130 = 至少 680条，超过总数；"),
        ("003", "TXT-SUM", "正文总数 130条，而所列分项 4 + 14 + 2 + 28 + 68 + 3 + 3 + 3 = 125条，与总数不符；"),
        ("001", "TXT-SUM", "正文总数 200条，而分项 30 + 50 + 5 + 80 + 100余 = 至少 265条，超过总数；"),
    }  # 001's 咨询 400 = 50 + 150 + 200 gives nothing
    assert not [f for f in violated(res) if f.source[:3] in ("000", "002")]


# Every prose finding on the 28 real crawled reports, checked by hand against the page text.
REAL_PROSE = {
    # 510 made or obtained, split into 198 + 142 + 137 = 477; the page's own "主动公开占41.5%" is 198/477
    ("03-pingtan-czj-2021.page.txt", "TXT-SUM"),
    # "共受理公开申请34件": table 三 reads 32 new (both readings of its digits) and 0 carried over
    ("20-pingtan-gwhbgs-2025.page.txt", "TXT-T3-RECV"),
}


def test_real_reports_prose_findings_are_all_known():
    real = sorted((SHARED / "real").glob("*.txt"))
    assert len(real) >= 28
    reports = [r for p in real for r in parse(p)]
    res = check_reports(reports)
    found = violated(res)
    for f in found:
        print(f"{f.source} {f.rule}: {f.message_zh}")
    got = {(f.source, f.rule) for f in found}
    false_alarms = got - REAL_PROSE
    print(f"{len(reports)} real reports: {len(found)} cross-year/prose findings, {len(false_alarms)} not known")
    assert got == REAL_PROSE


def test_generated_prose_that_agrees_gives_no_finding():
    reps = make_corpus(120, seed=31, prose=True)
    parsed = []
    for i, r in enumerate(reps):
        data = (render_text(r) if i % 2 else render_html(r)).encode("utf-8")
        parsed += parse_bytes(data, f"g{i}.{'txt' if i % 2 else 'html'}")
    res = check_reports(parsed)
    claims = sum(len(p.claims) for p in parsed)
    found = violated(res, ("TXT-",))  # the generated bodies repeat across unrelated reports: no cross-year here
    print(f"{len(parsed)} generated reports, {claims} prose claims, {sum(len(p.sums) for p in parsed)} itemised "
          f"totals: {len(found)} false alarms")
    assert claims > 6 * len(parsed) and not found


def pair_of(y0: int, y1: int, gen0: str, gen1: str):
    a = make_report(5, gen0, year=y0)
    b = make_report(6, gen1, year=y1)
    a.body = "东阿县人民政府办公室"
    b.body = "东阿县政府办公室"  # the same body, named differently
    a.source, b.source = "a.txt", "b.txt"
    for col, cell in a.table3.rows["FWD"].cells.items():  # make b carry over what a carried forward
        b.table3.rows["CARRY"].cells[col] = cell
    return a, b


def test_pairing_across_the_2020_2021_format_change():
    a, b = pair_of(2020, 2021, "2019", "2021")
    res = check_reports([a, b])
    assert not [f for f in res.findings if f.report_id == b.report_id and f.rule.startswith("X-T3")
                and f.status != "pass"]
    from testkit.synth import _cell

    b.table3.rows["CARRY"].cells["TOT"] = _cell(int(b.table3.value("CARRY", "TOT") or 0) + 1)
    res = check_reports([a, b])
    assert [f.rule for f in violated(res, ("X-T3-CARRY-TOT",))] == ["X-T3-CARRY-TOT"]


def test_no_or_several_previous_reports_are_not_checked_with_the_reason():
    a, b = pair_of(2021, 2022, "2021", "2021")
    alone = make_report(6, "2021", year=2022)
    alone.body, alone.source = b.body, "alone.txt"
    res = check_reports([alone])
    nc = [f for f in res.findings if f.rule == "X-T3-CARRY-TOT"]
    assert [f.status for f in nc] == ["not_checked"] and "未找到「东阿县政府办公室」2021 年度的报告" in nc[0].message_zh
    assert res.report_results[0].status == "pass"  # last year's report missing is not this report's fault
    twin = make_report(9, "2021", year=2021)
    twin.body, twin.source = a.body, "twin.txt"
    res = check_reports([a, twin, b])
    nc = [f for f in res.findings if f.report_id == b.report_id and f.rule == "X-T3-CARRY-TOT"]
    assert [f.status for f in nc] == ["not_checked"] and "多份不同报告" in nc[0].message_zh


def test_previous_year_from_the_cell_store():
    from flows.cells import report_cells
    from parsers.names import normalise

    a, b = pair_of(2021, 2022, "2021", "2021")
    store = {(normalise(a.body), a.year): [report_cells(a)]}
    res = check_reports([b], lookup=lambda body, year: store.get((body, year), []))
    assert not [f for f in res.findings if f.rule.startswith("X-T3") and f.status != "pass"]
