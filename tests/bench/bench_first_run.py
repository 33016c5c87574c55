"""A first audit at scale: N distinct objects (default 10,000; NIANBAO_BENCH_FIRST_OBJECTS=100000 for a
province) that no state knows yet, in a folder, audited by ``nianbao audit``'s flow in a fresh process.

Objects are generated text and HTML reports (DOCX renders ten times slower and parses like text), laid
out as a province's corpus (bodies over four years, each year agreeing with the last, one in ten with
a broken total: ``bench_flow.make_objects``), written by two processes. Prints the flow body's time and
rate, the seconds of every stage, and the peak RSS of the flow process (parse workers and the Prefect
server are other processes).

    python -m tests.bench bench_first_run
    NIANBAO_BENCH_FIRST_OBJECTS=100000 python -m tests.bench bench_first_run
"""

from __future__ import annotations

import os
import tempfile
import time
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path

TEXT_STYLES = ("text-lines", "text-tabs", "text-pipes", "html-sh", "html-gh", "html-split")
CHUNK = 2000


def write_chunk(folder: str, first: int, n: int) -> int:
    from tests.bench.bench_flow import make_objects

    for key, data in make_objects(n, TEXT_STYLES, first).items():
        p = Path(folder) / key
        p.parent.mkdir(parents=True, exist_ok=True)
        p.write_bytes(data)
    return n


def main() -> None:
    from tests.bench.bench_state import AUDIT, child

    n = int(os.environ.get("NIANBAO_BENCH_FIRST_OBJECTS") or 10_000)
    home = Path(tempfile.mkdtemp(prefix="nianbao-bench-first-"))
    src, out = home / "src", home / "out"
    t = time.perf_counter()
    with ProcessPoolExecutor(2) as pool:
        done = sum(pool.map(write_chunk, [str(src)] * -(-n // CHUNK), range(0, n, CHUNK),
                            [min(CHUNK, n - i) for i in range(0, n, CHUNK)]))
    print(f"generated {done:,} text/HTML objects in {time.perf_counter() - t:.0f} s", flush=True)
    env_home = os.environ.get("NIANBAO_HOME")
    os.environ["NIANBAO_HOME"] = str(home / "nianbao")
    try:
        t = time.perf_counter()
        s = child(AUDIT, str(src), str(out))
        wall = time.perf_counter() - t
    finally:
        if env_home is None:
            os.environ.pop("NIANBAO_HOME", None)
        else:
            os.environ["NIANBAO_HOME"] = env_home
    st = s["stage_seconds"]
    print(f"first run over {s['listed']:,} objects: {s['audited']:,} audited ({s['failed']:,} failing, "
          f"{s['errors']} errors) in {s['seconds']:.0f} s flow body ({wall:.0f} s wall) -> "
          f"{s['audited'] / s['seconds']:.1f} objects/s; peak RSS of the flow process {s['peak_rss_mb']:.0f} MB")
    print("  stages: " + ", ".join(f"{k} {v:.1f} s" for k, v in st.items()))
    print("  batch work summed over batches: " + ", ".join(f"{k} {v:.1f} s" for k, v in s["batch_seconds"].items()))


if __name__ == "__main__":
    main()
