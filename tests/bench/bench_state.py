"""100,000 objects: the sharded state and a run over all of them, with bounded memory.

A folder of N objects (default 100,000): 1,000 generated reports (text, HTML, DOCX) that are new, and
N - 1,000 small files the state already holds. Their state entries are real ones: 200 generated
reports are audited first by the real flow and their entries copied, each under its own key and a
body name of its own. Then, each in a fresh process (its peak RSS measured alone):

- loading the state: its size on disk (manifest + gzip shards) and load time;
- ``nianbao audit`` of the folder: lists N objects, audits the 1,000 new ones, publishes the findings
  files of all N (streamed), builds the site of all N reports, saves the state (changed shards only).

    python -m tests.bench bench_state          (NIANBAO_BENCH_STATE_OBJECTS=100000 by default)
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

NEW = 1000
SEED = 200


def child(script: str, *args: str) -> dict:
    """Run ``script`` in a fresh interpreter; its last stdout line is JSON (with its own peak RSS)."""
    r = subprocess.run([sys.executable, "-c", script, *args], capture_output=True, text=True,
                       cwd=Path(__file__).resolve().parents[2], env=os.environ.copy())
    if r.returncode != 0:
        raise SystemExit(f"bench child failed ({r.returncode}):\n{r.stderr[-3000:]}")
    return json.loads(r.stdout.strip().splitlines()[-1])


LOAD = """
import json, sys, time
from flows.config import Location
from flows.state import load_state
from flows.storage import LocalStore
t = time.perf_counter()
st = load_state(LocalStore(Location("file", None, sys.argv[1])), "state.json", sys.argv[2])
from tests.bench.bench_state import peak_mb
print(json.dumps({"objects": len(st.objects), "seconds": time.perf_counter() - t, "peak_rss_mb": peak_mb()}))
"""

AUDIT = """
import json, sys
if __name__ == "__main__":
    from flows.cmd_audit import prefect_environment
    prefect_environment()
    from flows import audit
    from flows.config import audit_settings
    out = sys.argv[2]
    s = audit.run_settings(audit_settings(sys.argv[1], docs=f"{out}/docs", state=f"{out}/state.json",
                                          findings=f"{out}/findings"))
    from tests.bench.bench_state import peak_mb
    print(json.dumps(dict(s.to_dict(), peak_rss_mb=peak_mb()), default=str))
"""


def peak_mb() -> float:
    """This process's peak RSS (VmHWM: unlike ru_maxrss, not carried over from the parent across exec)."""
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) / 1024
    raise RuntimeError("no VmHWM in /proc/self/status")


def state_bytes(out: Path) -> int:
    return (out / "state.json").stat().st_size + sum(p.stat().st_size for p in (out / "state.json.objects").iterdir())


def build(n: int, home: Path) -> tuple[Path, Path, str]:
    """(source folder, output folder with the state, source URI)."""
    from flows.config import Location
    from flows.state import AuditState, ObjectEntry, read_document, save_state
    from flows.storage import LocalStore
    from tests.bench.bench_flow import local_run, make_objects
    from tests.flows.site.synth import DEPTS, PLACES

    t = time.perf_counter()
    objs = make_objects(NEW + SEED)
    seed_src, src, out = home / "seed", home / "src", home / "out"
    for i, (k, v) in enumerate(objs.items()):
        p = (seed_src / k) if i >= NEW else (src / "new" / k)
        p.parent.mkdir(parents=True, exist_ok=True)
        p.write_bytes(v)
    local_run(str(seed_src), str(home / "seed-out"))
    seed = read_document(LocalStore(Location("file", None, str(home / "seed-out"))), "state.json")
    assert seed is not None
    seeds = sorted(seed["objects"].items())
    print(f"seed: {len(seeds)} generated reports audited by the flow in {time.perf_counter() - t:.1f} s")

    t = time.perf_counter()
    uri = str(src)
    st = AuditState(source=uri)
    for i in range(n - NEW):
        k0, e0 = seeds[i % len(seeds)]
        key = f"old/c{i // 1000:03d}/{i:06d}.txt"
        p = src / key
        p.parent.mkdir(parents=True, exist_ok=True)
        p.write_bytes(f"object {i}\n".encode())
        stat = os.stat(p)
        info = LocalStore._info(key, stat)
        body0 = next((r["body"] for r in e0["reports"] if r.get("body")), None)
        body = f"{PLACES[i % len(PLACES)]}{DEPTS[(i // len(PLACES)) % len(DEPTS)]}{i // 1000:03d}"
        text = json.dumps({"reports": e0["reports"], "findings": e0["findings"]}, ensure_ascii=False,
                          separators=(",", ":")).replace(k0, key)
        if body0:
            text = text.replace(body0, body)
        meta = dict(e0, etag=info.etag, size=info.size, last_modified=info.last_modified, cells=None)
        st.objects[key] = ObjectEntry.packed(key, meta, text.encode("utf-8"))
    from flows.state import engine_fingerprint

    st.engine = engine_fingerprint()
    st.last_run_id = seed["last_run_id"]
    save_state(LocalStore(Location("file", None, str(out))), "state.json", st)
    print(f"state of {n - NEW:,} objects built and saved in {time.perf_counter() - t:.1f} s")
    return src, out, uri


def main() -> None:
    n = int(os.environ.get("NIANBAO_BENCH_STATE_OBJECTS") or 100_000)
    home = Path(tempfile.mkdtemp(prefix="nianbao-bench-state-"))
    os.environ["NIANBAO_HOME"] = str(home / "nianbao-home")
    from flows.cmd_audit import prefect_environment

    prefect_environment()
    src, out, uri = build(n, home)
    size = state_bytes(out)
    shards = len(list((out / "state.json.objects").iterdir()))
    loaded = child(LOAD, str(out), uri)
    print(f"state of {loaded['objects']:,} objects: {size / 1e6:.1f} MB on disk (manifest + {shards} gzip shards); "
          f"load {loaded['seconds']:.1f} s, peak RSS of the loading process {loaded['peak_rss_mb']:.0f} MB")
    t = time.perf_counter()
    s = child(AUDIT, str(src), str(out))
    wall = time.perf_counter() - t
    st, written = s["stage_seconds"], s.get("state_written") or {}
    print(f"audit of {s['listed']:,} objects ({s['audited']} new, {s['unchanged']:,} unchanged): {s['seconds']:.1f} s "
          f"flow body, {wall:.1f} s wall; peak RSS of the audit process {s['peak_rss_mb']:.0f} MB (limit 1,500 MB; "
          f"parse workers and the Prefect server are other processes)")
    print("  stages: " + ", ".join(f"{k} {v:.1f} s" for k, v in st.items()))
    print(f"  state saved: {written.get('written')} of {written.get('shards')} shards written "
          f"({written.get('bytes', 0) / 1e6:.1f} MB); now {state_bytes(out) / 1e6:.1f} MB")
    fj = out / "findings" / "latest" / "findings.json"
    print(f"  findings.json {fj.stat().st_size / 1e6:.0f} MB, findings.parquet "
          f"{(fj.parent / 'findings.parquet').stat().st_size / 1e6:.1f} MB (written streaming)")
    assert s["listed"] == n and s["audited"] == NEW
    assert s["peak_rss_mb"] < 1500, s["peak_rss_mb"]


if __name__ == "__main__":
    main()
