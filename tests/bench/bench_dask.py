"""Scale-out on a real Dask cluster started as separate processes: ``dask scheduler`` and two
``dask worker`` processes (one thread each), as an operator would start them on other machines, and the
audit flow pointed at the scheduler's address (``NIANBAO_DASK_ADDRESS``, the ``audit_flow_dask``
deployment). The same objects in SeaweedFS are audited by the local run (thread runner, parse pool)
and on the cluster, into separate states; the findings must be the same, and the ratio of the two
rates is printed.

    python -m tests.bench bench_dask
    NIANBAO_BENCH_DASK_OBJECTS=200 python -m tests.bench bench_dask
"""

from __future__ import annotations

import os
import subprocess
import sys
import tempfile
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path


def findings_of(client: object, bucket: str, key: str) -> dict[str, list]:
    """object key -> sorted (rule, status, finding id) of a saved state in the bucket."""
    import json

    doc = json.loads(client.get_object(Bucket=bucket, Key=key)["Body"].read())  # type: ignore[attr-defined]
    return {k: sorted((f["rule"], f["status"], f["id"]) for f in e["findings"]) for k, e in doc["objects"].items()}


def wait_for_workers(address: str, n: int, timeout: float = 120.0) -> None:
    from distributed import Client

    with Client(address, timeout=timeout) as c:
        c.wait_for_workers(n, timeout=timeout)


def start_cluster(home: str, env: dict[str, str]) -> tuple[str, list[subprocess.Popen]]:
    from testkit.receivers import free_port

    port = free_port()
    address = f"tcp://127.0.0.1:{port}"
    dask = str(Path(sys.executable).with_name("dask"))
    log = open(Path(home) / "dask.log", "ab")  # noqa: SIM115 - kept open for the processes' lifetime
    procs = [subprocess.Popen([dask, "scheduler", "--host", "127.0.0.1", "--port", str(port), "--no-dashboard"],
                              env=env, stdout=log, stderr=log)]
    time.sleep(1.0)
    for i in range(2):
        procs.append(subprocess.Popen([dask, "worker", address, "--nthreads", "1", "--nworkers", "1",
                                       "--no-dashboard", "--name", f"bench-worker-{i}",
                                       "--local-directory", str(Path(home) / f"dask-{i}")],
                                      env=env, stdout=log, stderr=log))
    wait_for_workers(address, 2)
    return address, procs


def main() -> None:
    from dataclasses import replace

    n = int(os.environ.get("NIANBAO_BENCH_DASK_OBJECTS") or 500)
    home = tempfile.mkdtemp(prefix="nianbao-bench-dask-")
    os.environ["NIANBAO_HOME"] = home
    from flows.cmd_audit import prefect_environment

    prefect_environment()
    from flows import audit
    from flows.config import audit_settings, s3_settings
    from testkit.seaweed import SeaweedServer
    from tests.bench.bench_flow import make_objects, stages

    objs = make_objects(n)
    with SeaweedServer() as weed:
        c = weed.client()
        c.create_bucket(Bucket="bench-dask")
        with ThreadPoolExecutor(8) as pool:
            list(pool.map(lambda kv: c.put_object(Bucket="bench-dask", Key=f"in/{kv[0]}", Body=kv[1]), objs.items()))
        os.environ.update(weed.credentials_env())
        s3 = s3_settings(endpoint_url=weed.endpoint_url, preset="seaweedfs")
        local = audit_settings("s3://bench-dask/in/", docs="s3://bench-dask/local/docs/",
                               state="s3://bench-dask/local/state.json", findings="s3://bench-dask/local/findings/",
                               s3=s3)
        t = time.perf_counter()
        s1 = audit.run_settings(local)
        w1 = time.perf_counter() - t
        print(f"local (thread runner, parse pool of {os.cpu_count()}): {s1.audited} objects, "
              f"{s1.reports_parsed} reports in {s1.seconds:.1f} s (flow body; {w1:.1f} s wall) -> "
              f"{s1.audited / s1.seconds:.1f} objects/s")
        print(f"            stages: {stages(s1)}")

        address, procs = start_cluster(home, dict(os.environ))
        try:
            os.environ["NIANBAO_DASK_ADDRESS"] = address
            remote = replace(audit_settings("s3://bench-dask/in/", docs="s3://bench-dask/dask/docs/",
                                            state="s3://bench-dask/dask/state.json",
                                            findings="s3://bench-dask/dask/findings/", s3=s3), task_runner="dask")
            t = time.perf_counter()
            s2 = audit.run_settings(remote)
            w2 = time.perf_counter() - t
        finally:
            os.environ.pop("NIANBAO_DASK_ADDRESS", None)
            for p in procs[::-1]:
                p.terminate()
            for p in procs:
                try:
                    p.wait(20)
                except subprocess.TimeoutExpired:
                    p.kill()
        print(f"Dask at {address} (scheduler + 2 worker processes, started apart): {s2.audited} objects, "
              f"{s2.reports_parsed} reports in {s2.seconds:.1f} s (flow body; {w2:.1f} s wall) -> "
              f"{s2.audited / s2.seconds:.1f} objects/s; ratio to the local run {s1.seconds / s2.seconds:.2f}")
        print(f"            stages: {stages(s2)}")
        a = findings_of(c, "bench-dask", "local/state.json")
        b = findings_of(c, "bench-dask", "dask/state.json")
        same = a == b
        print(f"findings: local {sum(map(len, a.values()))}, Dask {sum(map(len, b.values()))} on "
              f"{len(a)} / {len(b)} objects -> {'the same' if same else 'DIFFERENT'}")
        if not same:
            diff = sorted(k for k in set(a) | set(b) if a.get(k) != b.get(k))
            raise AssertionError(f"findings differ on {len(diff)} objects, e.g. {diff[:3]}")


if __name__ == "__main__":
    main()
