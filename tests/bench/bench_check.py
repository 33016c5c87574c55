"""Rule-check throughput: N generated reports (5 % with one mutated cell) through the GX stage, then
Data Docs of the failing ones.

Prints reports per second for the GX stage (frame + one validation per 20,000 reports + findings),
for Data Docs building (per report checked and per page written) and the peak RSS.
``python -m tests.bench bench_check`` runs it alone; ``NIANBAO_BENCH_CHECK_N`` sets N (default 10000).
"""

from __future__ import annotations

import os
import random
import resource
import sys
import tempfile
import time
from pathlib import Path

TARGET = 1000.0  # reports per second for the GX stage on 2 cores


def _peak_rss_mb() -> float:
    kb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    return kb / 1024 if sys.platform != "darwin" else kb / 1024 / 1024


def main() -> None:
    from expectations.catalog import implemented_rules
    from testkit.mutate import mutate
    from testkit.synth import make_corpus

    n = int(os.environ.get("NIANBAO_BENCH_CHECK_N", "10000"))
    t0 = time.perf_counter()
    reports = make_corpus(n, seed=42)
    rng = random.Random(42)
    rules = [r.id for r in implemented_rules()]
    mutated = 0
    for i in range(0, n, 20):  # 5 %: one known cell (or layout fact) changed
        out = mutate(reports[i], rules[(i // 20) % len(rules)], rng)
        if out is not None:
            out[0].source = reports[i].source
            reports[i] = out[0]
            mutated += 1
    print(f"generated {n} reports ({mutated} mutated) in {time.perf_counter() - t0:.1f} s (not timed below)")

    from expectations import build_data_docs, check_reports

    t1 = time.perf_counter()
    check_reports(reports[:10])  # GX import and context set-up, reported separately
    setup = time.perf_counter() - t1
    t2 = time.perf_counter()
    result = check_reports(reports)
    gx_stage = time.perf_counter() - t2
    tm = result.timings
    rate = n / gx_stage
    print(f"GX set-up (import + context, once per process): {setup:.2f} s")
    print(f"GX stage: {n} reports in {gx_stage:.2f} s = {rate:,.0f} reports/s "
          f"(frame {tm['frame']:.2f} s, validation {tm['gx']:.2f} s, findings {tm['derive']:.2f} s) "
          f"target {TARGET:,.0f}: {'OK' if rate >= TARGET else 'BELOW TARGET'}")
    failing = sum(1 for r in result.report_results if r.status != "pass")
    print(f"findings: {len(result.findings)}; reports not passing: {failing}; "
          f"fail findings: {sum(f.is_failure for f in result.findings)}")
    with tempfile.TemporaryDirectory() as d:
        t3 = time.perf_counter()
        index = build_data_docs(result, Path(d) / "site")
        docs = time.perf_counter() - t3
        pages = len(list((index.parent / "reports").glob("*.html")))
    print(f"Data Docs: {pages} pages in {docs:.2f} s = {n / docs:,.0f} reports/s checked, "
          f"{pages / docs:,.1f} pages/s")
    print(f"peak RSS: {_peak_rss_mb():.0f} MB")


if __name__ == "__main__":
    main()
