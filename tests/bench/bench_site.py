"""The site at scale: 100,000 generated reports (5 % failing), a full build into a folder (evidence
pages, region/body/year/rule pages, exports, SVG charts, the pagefind index), then an incremental
rebuild after 100 reports changed. Prints build times, files written, total size and the largest page
(which must stay under 2 MB).

    python -m tests.bench bench_site      (NIANBAO_BENCH_SITE_REPORTS=100000 by default)
"""

from __future__ import annotations

import os
import random
import resource
import tempfile
import time
from pathlib import Path


def main() -> None:
    from flows.config import Location
    from flows.site.build import build_site
    from flows.site.model import from_state
    from flows.storage import LocalStore
    from tests.flows.site.synth import finding, make_state

    n = int(os.environ.get("NIANBAO_BENCH_SITE_REPORTS") or 100_000)
    t0 = time.perf_counter()
    state = make_state(n, fail_rate=0.05, seed=42)
    print(f"generated {n:,} reports in {time.perf_counter() - t0:.1f} s")
    with tempfile.TemporaryDirectory(prefix="bench-site-") as tmp:
        docs = LocalStore(Location("file", None, str(Path(tmp) / "docs")))
        t0 = time.perf_counter()
        data = from_state(state)
        t_model = time.perf_counter() - t0
        first = build_site(data, docs, work_dir=Path(tmp) / "work")
        t_first = time.perf_counter() - t0
        print(f"full build: {t_first:.1f} s (model {t_model:.1f} s; "
              + ", ".join(f"{k} {v:.1f} s" for k, v in first.timings.items()) + ")")
        print(f"  {first.summary()}")
        print(f"  {t_first / n * 1000:.2f} s per 1,000 reports; search index: {'yes' if first.search else 'no'} "
              f"{first.notes}")

        rnd = random.Random(7)
        keys = rnd.sample(sorted(state.objects), 100)
        for k in keys:  # 100 reports re-audited: half start failing, half are fixed or change findings
            e = state.objects[k]
            r = e.reports[0]
            e.etag = f"{e.etag}-v2"
            if e.status == "passed":
                e.status = r["status"] = "failed"
                e.findings = [finding(r["report_id"], r["body"], r["year"], "T3-BAL", 0)]
                r["summary"] = dict(r["summary"], status="fail", rules=dict(r["summary"]["rules"], **{"T3-BAL": "violated"}))
                r["docs_page"] = "sites/r0/b00000/reports/x.html"
            else:
                e.status = r["status"] = "passed"
                e.findings = []
                r["summary"] = dict(r["summary"], status="pass")
                r["docs_page"] = None
        t0 = time.perf_counter()
        again = build_site(from_state(state), docs, work_dir=Path(tmp) / "work")
        t_inc = time.perf_counter() - t0
        print(f"incremental rebuild after 100 changed reports: {t_inc:.1f} s ("
              + ", ".join(f"{k} {v:.1f} s" for k, v in again.timings.items()) + ")")
        print(f"  {again.summary()}")
        total = sum(p.stat().st_size for p in Path(tmp, "docs").rglob("*") if p.is_file())
        print(f"site on disk: {total / 1e6:.0f} MB in {sum(1 for _ in Path(tmp, 'docs').rglob('*.html')):,} pages; "
              f"largest page {again.largest[0]} {again.largest[1] / 1e3:.0f} kB (limit 2,000 kB)")
        assert again.largest[1] < 2_000_000
    print(f"peak RSS {resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024:.0f} MB")


if __name__ == "__main__":
    main()
