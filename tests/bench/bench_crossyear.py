"""Cross-year and prose stage at scale: 10,000 reports (5,000 bodies × two consecutive years, prose that
agrees with the tables). Prints the throughput of reading the prose, pairing the years, and the rules'
share of one GX validation (with and without the cross-year and prose columns).

    python -m tests.bench bench_crossyear      (NIANBAO_BENCH_REPORTS to change 10,000)
"""

from __future__ import annotations

import os
import random
import time


def main() -> None:
    from expectations import check_reports
    from expectations.crossyear import pair
    from parsers.prose import read_prose
    from testkit.synth import make_report, overview_text

    n = int(os.environ.get("NIANBAO_BENCH_REPORTS") or 10_000)
    reports = []
    rng = random.Random(1)
    for i in range(n // 2):
        a, b = (make_report(90_000 + 2 * i + j, "2021", year=2022 + j) for j in (0, 1))
        a.body = b.body = f"测试县第{i}局"
        for col, cell in a.table3.rows["FWD"].cells.items():  # this year carries over what last year carried forward
            b.table3.rows["CARRY"].cells[col] = cell
        for r in (a, b):
            r.source = f"bench/{i}-{r.year}.txt"
            r.sections[0] = type(r.sections[0])("overview", 1, r.sections[0].title, overview_text(rng, r))
            reports.append(r)
    t0 = time.perf_counter()
    for r in reports:
        read_prose(r)
    t_prose = time.perf_counter() - t0
    t1 = time.perf_counter()
    prev = pair(reports)
    t_pair = time.perf_counter() - t1
    paired = sum(1 for p in prev if p is not None and p.status == 2)
    check_reports(reports[:50])  # GX set-up once
    t2 = time.perf_counter()
    res = check_reports(reports)
    t_all = time.perf_counter() - t2
    xt = [f for f in res.findings if f.status == "violated" and f.rule.startswith(("X-T3", "TXT-"))]
    claims = sum(len(r.claims) for r in reports)
    print(f"cross-year and prose: {n} reports ({paired} paired with last year, {claims} prose claims)")
    print(f"  read the prose     {t_prose:6.2f} s  {n / t_prose:8,.0f} reports/s")
    print(f"  pair the years     {t_pair:6.2f} s  {n / t_pair:8,.0f} reports/s")
    print(f"  one GX validation  {t_all:6.2f} s  {n / t_all:8,.0f} reports/s (all {len(res.rule_summaries)} rules, "
          f"cross-year and prose included); carry-over and prose findings {len(xt)} (the data agree: 0 expected)")


if __name__ == "__main__":
    main()
