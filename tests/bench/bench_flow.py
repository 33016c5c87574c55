"""End-to-end audit throughput: 1,000 objects in a local S3 (SeaweedFS), then a no-change rerun; a
no-change rerun of 10,000 objects in a local folder; the real five-page PDF repeated.

Reports are synthetic (testkit.synth) rendered as text, HTML and DOCX in several styles, one in ten
with a broken total, laid out as a province's corpus is: bodies (county departments) with one report a
year over four years, each agreeing with the year before, so the cross-year rules pair every report
with exactly one candidate. Every run goes through the real flow (temporary Prefect server), real boto3
and the real parsers and rules. Prints reports per second, the time per stage (the site's own stages
too), peak memory and the cost of the reruns.

    python -m tests.bench bench_flow        # or: make bench
    NIANBAO_BENCH_OBJECTS=200 NIANBAO_BENCH_RERUN_OBJECTS=2000 NIANBAO_BENCH_PDFS=8 \
        python -m tests.bench bench_flow
    NIANBAO_BENCH_DASK=0 NIANBAO_BENCH_RERUN_OBJECTS=0 NIANBAO_BENCH_PDFS=0 ...   # skip those parts
"""

from __future__ import annotations

import os
import resource
import tempfile
import time
from concurrent.futures import ThreadPoolExecutor

STYLES = ("text-lines", "text-tabs", "text-pipes", "html-sh", "html-gh", "html-split", "docx", "docx-split")


DEPARTMENTS = ("教育局", "财政局", "人民政府办公室", "生态环境局", "自然资源局", "卫生健康委员会", "统计局", "民政局")
COUNTIES = ("东阿县", "阳谷县", "莘县", "冠县", "高唐县", "茌平区", "东昌府区", "临清市", "平阴县", "商河县", "章丘区",
            "济阳区", "莱芜区", "钢城区", "历城区", "长清区", "天桥区", "槐荫区", "市中区", "历下区", "曲阜市", "邹城市",
            "微山县", "鱼台县", "金乡县", "嘉祥县", "汶上县", "泗水县", "梁山县", "兖州区", "任城区", "泰山区")
YEARS = range(2021, 2025)


def body_name(b: int) -> str:
    county, dept = divmod(b, len(DEPARTMENTS))
    return f"{COUNTIES[county % len(COUNTIES)]}{DEPARTMENTS[dept]}" + (
        f"第{county // len(COUNTIES) + 1}分局" if county >= len(COUNTIES) else "")


def make_objects(n: int, styles: tuple[str, ...] = STYLES, first: int = 0) -> dict[str, bytes]:
    """Objects ``first`` .. ``first + n - 1`` of a corpus laid out as a province's is: bodies with one
    report a year over four years, each agreeing with the year before (carry-over, 现行有效), one in
    ten with a broken total. The same index always gives the same object."""
    from parsers.model import Cell
    from testkit.render import render_bytes
    from testkit.synth import make_series

    out = {}
    for b in range(first // len(YEARS), -(-(first + n) // len(YEARS))):
        for k, rep in enumerate(make_series(10_000 + b, body_name(b), YEARS)):
            i = b * len(YEARS) + k
            if not first <= i < first + n:
                continue
            if i % 10 == 0 and "R_TOTAL" in rep.table3.rows:
                c = rep.table3.rows["R_TOTAL"].cells["TOT"]
                rep.table3.rows["R_TOTAL"].cells["TOT"] = Cell(c.number() + 1, str(c.number() + 1))
            style = styles[i % len(styles)]
            ext = "docx" if style.startswith("docx") else "html" if style.startswith("html") else "txt"
            out[f"{rep.year}/{i:06d}-{rep.body}.{ext}"] = render_bytes(rep, style)
    return out


def stages(s) -> str:
    """Wall seconds of the flow's stages; fetch/parse/validate/docs are summed over the batches that
    run in parallel (parse: left after the last byte arrived; parse_cpu: seconds in the workers)."""
    st, b = s.stage_seconds, s.batch_seconds
    parts = [("list", st.get("list", 0.0)), ("state load", st.get("state_load", 0.0)),
             ("batches (wall)", st.get("batches", 0.0) + st.get("merge", 0.0))]
    parts += [(f"  {k}", b.get(k, 0.0))
              for k in ("fetch", "parse", "parse_cpu", "cells", "validate", "validate_wait", "docs")]
    parts += [("publish findings", st.get("publish", 0.0)), ("site", st.get("site", 0.0))]
    parts += [(f"  {k[5:]}", v) for k, v in st.items() if k.startswith("site_")]
    parts += [("state save", st.get("state", 0.0)), ("clean-up", st.get("cleanup", 0.0))]
    return "; ".join(f"{k.strip()} {v:.2f}" for k, v in parts) + " s"


def local_run(src: str, out: str, **kw):
    from flows import audit
    from flows.config import audit_settings

    settings = audit_settings(src, docs=f"{out}/docs", state=f"{out}/state.json", findings=f"{out}/findings",
                              **kw)
    t = time.perf_counter()
    s = audit.run_settings(settings)
    return s, time.perf_counter() - t


def rerun_bench(objs: dict[str, bytes], n: int, home: str) -> None:
    """``n`` objects in a folder (the generated reports copied under ``c<k>/``), a first run, then a
    rerun where nothing changed: list and compare only."""
    import shutil
    from pathlib import Path

    src = Path(home) / "rerun-src"
    items = list(objs.items())
    for i in range(n):
        k, v = items[i % len(items)]
        p = src / f"c{i // len(items):03d}" / k
        p.parent.mkdir(parents=True, exist_ok=True)
        p.write_bytes(v)
    out = str(Path(home) / "rerun-out")
    s1, _ = local_run(str(src), out)
    size = (Path(out) / "state.json").stat().st_size / 1e6
    print(f"{n} objects in a folder, first run: {s1.reports_validated} reports in {s1.seconds:.1f} s "
          f"-> {s1.reports_validated / s1.seconds:.1f} reports/s (state {size:.1f} MB)")
    print(f"            stages: {stages(s1)}")
    s2, w2 = local_run(str(src), out)
    print(f"rerun of {n} objects, nothing changed: {s2.audited} audited, {s2.unchanged} unchanged in "
          f"{s2.seconds:.2f} s (flow body; {w2:.1f} s wall) -> "
          f"{s2.unchanged / max(s2.seconds, 1e-9):.0f} objects/s"
          + (f"; published as of run {s2.published}" if s2.published else "; published again"))
    print(f"            stages: {stages(s2)}")
    assert s2.audited == 0 and s2.unchanged == n
    shutil.rmtree(src, ignore_errors=True)


def pdf_bench(n: int, home: str) -> None:
    """The real five-page PDF (samples/pdf/hongze-2024.pdf) repeated ``n`` times, audited in a folder
    by a new process as ``nianbao audit`` runs (its workers start while its Prefect server boots):
    the first run of a process, then a second run of the same files (``--full``) in it."""
    import subprocess
    import sys
    from pathlib import Path

    real = Path(__file__).resolve().parents[2] / "samples" / "pdf" / "hongze-2024.pdf"
    if not real.is_file():
        print(f"PDF: {real} not found, skipped")
        return
    src = Path(home) / "pdf-src"
    src.mkdir()
    for i in range(n):
        (src / f"hongze-{i:03d}.pdf").write_bytes(real.read_bytes())
    subprocess.run([sys.executable, "-m", "tests.bench.bench_flow", "pdf", str(src), str(Path(home) / "pdf-out")],
                   check=True, cwd=Path(__file__).resolve().parents[2])


def pdf_runs(src: str, out: str) -> None:
    from dataclasses import replace

    from flows import audit, prefect_server
    from flows.cmd_audit import prefect_environment
    from flows.config import audit_settings

    prefect_environment()
    settings = audit_settings(src, docs=f"{out}/docs", state=f"{out}/state.json", findings=f"{out}/findings")
    with prefect_server.serve(lambda: audit.prepare_run(settings)):
        for label, st in (("first run of a process", settings), ("again in it (--full)", replace(settings, full=True))):
            s = audit.run_settings(st)
            n = s.reports_validated
            print(f"PDF, the real five-page report x {n} in a folder, {label}: {n} reports in {s.seconds:.1f} s "
                  f"-> {n / s.seconds:.2f} reports/s ({5 * n / s.seconds:.1f} pages/s) on {os.cpu_count()} cores, "
                  "end to end in the flow")
            print(f"            stages: {stages(s)}")


def peak_rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def main() -> None:
    n = int(os.environ.get("NIANBAO_BENCH_OBJECTS") or 1000)
    home = tempfile.mkdtemp(prefix="nianbao-bench-")
    os.environ["NIANBAO_HOME"] = home
    from flows.cmd_audit import prefect_environment

    prefect_environment()
    from flows import audit, prefect_server
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
        # as `nianbao audit` runs: its temporary Prefect server boots while the workers start
        with prefect_server.serve(lambda: audit.prepare_run(settings)):
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
    print(f"first run:  {s1.audited} objects ({s1.reports_parsed} reports parsed, {s1.reports_validated} validations "
          f"with the cross-year follow-ups) in {s1.seconds:.1f} s (flow body; {wall1:.1f} s with Prefect start-up) "
          f"-> {s1.audited / s1.seconds:.1f} objects/s")
    print(f"            stages: {stages(s1)}")
    print(f"            {s1.failed} objects failing, {s1.unreadable} unreadable, {s1.errors} errors")
    print(f"rerun, nothing changed: {s2.audited} audited, {s2.unchanged} unchanged in {s2.seconds:.2f} s "
          f"(flow body; {wall2:.1f} s wall) -> {s2.unchanged / max(s2.seconds, 1e-9):.0f} objects/s checked")
    print(f"            stages: {stages(s2)}")
    if s3 is not None:
        print(f"--full on a Dask LocalCluster ({os.environ['NIANBAO_DASK_WORKERS']} worker processes): "
              f"{s3.reports_validated} reports in {s3.seconds:.1f} s (flow body; {wall3:.1f} s wall) -> "
              f"{s3.reports_validated / s3.seconds:.1f} reports/s")
    print(f"peak RSS (flow process; Dask workers and parse workers not included): {peak_rss_mb():.0f} MB "
          f"(before the runs: {rss0:.0f} MB)")
    assert s2.audited == 0 and s1.audited == n
    rerun_n = int(os.environ.get("NIANBAO_BENCH_RERUN_OBJECTS") or 10_000)
    if rerun_n:
        rerun_bench(objs, rerun_n, home)
    pdfs = int(os.environ.get("NIANBAO_BENCH_PDFS") or 20)
    if pdfs:
        pdf_bench(pdfs, home)


if __name__ == "__main__":
    import sys

    if sys.argv[1:2] == ["pdf"]:
        pdf_runs(sys.argv[2], sys.argv[3])
    else:
        main()
