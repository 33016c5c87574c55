"""Parse throughput for text and HTML reports (reports per second per core, one process).

Renders N synthetic reports (both generations) in several text and HTML styles with
``testkit.render``, then times ``parsers.parse_bytes`` over each set. Rendering is not timed.
``python -m tests.bench bench_parse`` runs it alone; ``NIANBAO_BENCH_N`` sets N (default 1000).
"""

from __future__ import annotations

import os
import resource
import sys
import time

from parsers import parse_bytes
from testkit.render import STYLES, render_bytes
from testkit.synth import make_corpus

TEXT_STYLES = ("text-lines", "text-tabs", "text-pipes", "text-run", "text-lines-gbk")
HTML_STYLES = ("html-sh", "html-gh", "html-split", "html-traditional", "html-layout", "html-gbk")
# the forms real reports come in as crawled and converted (issue 9): printed on their own line
NEW_STYLES = ("text-crawl", "text-md-displaced", "text-md-llm", "text-pipes-bare")
TARGET = 200.0  # reports per second per core


def _peak_rss_mb() -> float:
    kb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    return kb / 1024 if sys.platform != "darwin" else kb / 1024 / 1024


def _time_style(files: list[tuple[str, bytes]]) -> tuple[float, float, int]:
    """(CPU seconds, wall seconds, reports parsed) for one pass over the files."""
    n = 0
    c0, w0 = time.process_time(), time.perf_counter()
    for name, data in files:
        n += len(parse_bytes(data, name))
    return time.process_time() - c0, time.perf_counter() - w0, n


def main() -> None:
    n = int(os.environ.get("NIANBAO_BENCH_N", "1000"))
    reports = make_corpus(n, seed=20_000)
    print(f"{n} synthetic reports, one process; CPU time per report (reports/s per core)")
    print(f"{'style':18s} {'bytes/report':>12s} {'reports/s':>10s} {'ms/report':>10s}")
    totals: dict[str, list[float]] = {"text": [0.0, 0], "html": [0.0, 0], "new forms": [0.0, 0]}
    for name in (*TEXT_STYLES, *HTML_STYLES, *NEW_STYLES):
        style = STYLES[name]
        files = [(f"{r.source}.{style.kind}", render_bytes(r, style)) for r in reports]
        size = sum(len(d) for _, d in files) / len(files)
        parse_bytes(*reversed(files[0]))  # warm imports and caches
        cpu, _wall, parsed = _time_style(files)
        if parsed != len(files):
            raise RuntimeError(f"{name}: {parsed} reports parsed from {len(files)} files")
        rate = parsed / cpu if cpu else float("inf")
        kind = "new forms" if name in NEW_STYLES else style.kind
        totals[kind][0] += cpu
        totals[kind][1] += parsed
        print(f"{name:18s} {size:12.0f} {rate:10.1f} {1000 * cpu / parsed:10.2f}")
    for kind, (cpu, parsed) in totals.items():
        rate = parsed / cpu if cpu else float("inf")
        verdict = "ok" if rate >= TARGET else f"BELOW the {TARGET:.0f}/s target"
        print(f"{kind:9s} overall: {int(parsed)} reports, {rate:.1f} reports/s per core ({verdict})")
    print(f"peak RSS: {_peak_rss_mb():.0f} MB")


if __name__ == "__main__":
    main()
