"""End-to-end audit throughput: 1,000 objects in a local S3 (SeaweedFS), then a no-change rerun.

Reports are synthetic (testkit.synth) rendered as text, HTML and DOCX in several styles, one in ten
with a broken total; every run goes through the real flow (temporary Prefect server), real boto3 and
the real parsers and rules. Prints reports per second, peak memory and the cost of the rerun.

    python -m tests.bench bench_flow        # or: make bench
    NIANBAO_BENCH_OBJECTS=200 python -m tests.bench bench_flow
"""

from __future__ import annotations

import os
import resource
import tempfile
import time
from concurrent.futures import ThreadPoolExecutor

STYLES = ("text-lines", "text-tabs", "text-pipes", "html-sh", "html-gh", "html-split", "docx", "docx-split")


def make_objects(n: int) -> dict[str, bytes]:
    from parsers.model import Cell
    from testkit.render import render_bytes
    from testkit.synth import make_report

    out = {}
    for i in range(n):
        rep = make_report(10_000 + i)
        if i % 10 == 0 and "R_TOTAL" in rep.table3.rows:
            c = rep.table3.rows["R_TOTAL"].cells["TOT"]
            rep.table3.rows["R_TOTAL"].cells["TOT"] = Cell(c.number() + 1, str(c.number() + 1))
        style = STYLES[i % len(STYLES)]
        ext = "docx" if style.startswith("docx") else "html" if style.startswith("html") else "txt"
        out[f"{rep.year}/{i:05d}-{rep.body}.{ext}"] = render_bytes(rep, style)
    return out


def peak_rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def main() -> None:
    n = int(os.environ.get("NIANBAO_BENCH_OBJECTS") or 1000)
    home = tempfile.mkdtemp(prefix="nianbao-bench-")
    os.environ["NIANBAO_HOME"] = home
    from flows.cmd_audit import prefect_environment

    prefect_environment()
    from flows import audit
    from flows.config import audit_settings, s3_settings
    from testkit.seaweed import SeaweedServer

    t = time.perf_counter()
    objs = make_objects(n)
    print(f"generated {n} reports ({sum(map(len, objs.values())) / 1e6:.1f} MB) in {time.perf_counter() - t:.1f} s")
    with SeaweedServer() as weed:
        c = weed.client()
        c.create_bucket(Bucket="bench-reports")
        t = time.perf_counter()
        with ThreadPoolExecutor(8) as pool:
            list(pool.map(lambda kv: c.put_object(Bucket="bench-reports", Key=kv[0], Body=kv[1]), objs.items()))
        print(f"uploaded to SeaweedFS in {time.perf_counter() - t:.1f} s")
        os.environ.update(weed.credentials_env())
        settings = audit_settings("s3://bench-reports/", docs="s3://bench-reports/_nianbao/docs/",
                                  s3=s3_settings(endpoint_url=weed.endpoint_url, preset="seaweedfs"))
        rss0 = peak_rss_mb()
        t = time.perf_counter()
        s1 = audit.run_settings(settings)
        wall1 = time.perf_counter() - t
        t = time.perf_counter()
        s2 = audit.run_settings(settings)
        wall2 = time.perf_counter() - t
        s3 = None
        if os.environ.get("NIANBAO_BENCH_DASK", "1") != "0":
            from dataclasses import replace

            os.environ.setdefault("NIANBAO_DASK_WORKERS", str(os.cpu_count() or 2))
            t = time.perf_counter()
            s3 = audit.run_settings(replace(settings, full=True, task_runner="dask"))
            wall3 = time.perf_counter() - t
    print(f"first run:  {s1.audited} objects, {s1.reports_validated} reports validated in {s1.seconds:.1f} s "
          f"(flow body; {wall1:.1f} s with Prefect start-up) -> {s1.reports_validated / s1.seconds:.1f} reports/s")
    print(f"            time inside batches (summed over parallel batches): {s1.batch_seconds}")
    print(f"            {s1.failed} objects failing, {s1.unreadable} unreadable, {s1.errors} errors")
    print(f"rerun, nothing changed: {s2.audited} audited, {s2.unchanged} unchanged in {s2.seconds:.2f} s "
          f"(flow body; {wall2:.1f} s wall) -> {s2.unchanged / max(s2.seconds, 1e-9):.0f} objects/s checked")
    if s3 is not None:
        print(f"--full on a Dask LocalCluster ({os.environ['NIANBAO_DASK_WORKERS']} worker processes): "
              f"{s3.reports_validated} reports in {s3.seconds:.1f} s (flow body; {wall3:.1f} s wall) -> "
              f"{s3.reports_validated / s3.seconds:.1f} reports/s")
    print(f"peak RSS (flow process; Dask workers not included): {peak_rss_mb():.0f} MB (before the runs: {rss0:.0f} MB)")
    assert s2.audited == 0 and s1.audited == n


if __name__ == "__main__":
    main()
