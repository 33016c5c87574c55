"""Owner alerts at scale: digests for 10,000 failing reports over 1,000 owners, delivered to a real local
SMTP server (aiosmtpd), then an unchanged rerun. Prints time, throughput and peak memory.

    python -m tests.bench bench_alerts        (N=10000 OWNERS=1000 by default: NIANBAO_BENCH_REPORTS, ..._OWNERS)
"""

from __future__ import annotations

import os
import resource
import tempfile
import time
from pathlib import Path


def main() -> None:
    from aiosmtpd.controller import Controller

    from flows.alerts.dispatch import AlertSettings, run_alerts
    from flows.alerts.ledger import AlertStore
    from flows.config import Location
    from flows.state import AuditState
    from flows.storage import LocalStore
    from testkit.receivers import free_port
    from tests.flows.alerts.test_dispatch import entry, finding

    n = int(os.environ.get("NIANBAO_BENCH_REPORTS") or 10_000)
    owners = int(os.environ.get("NIANBAO_BENCH_OWNERS") or 1_000)

    class Sink:
        count = 0
        size = 0

        async def handle_DATA(self, server, session, envelope):
            Sink.count += 1
            Sink.size += len(envelope.content)
            return "250 OK"

    port = free_port()
    smtp = Controller(Sink(), hostname="127.0.0.1", port=port)
    smtp.start()
    try:
        with tempfile.TemporaryDirectory(prefix="nianbao-bench-alerts-") as tmp:
            root = Path(tmp)
            rows = ["body,aliases,region,emails,webhooks"]
            rows += [f"测试县第{i}局,,,owner{i}@example.gov.cn," for i in range(owners)]
            (root / "owners.csv").write_text("\n".join(rows) + "\n", encoding="utf-8")
            state = AuditState(source="s3://bench/")
            for i in range(n):
                key = f"r/{i:06d}.txt"
                body = f"测试县第{i % owners}局"
                fs = [finding(f"{i}-a", body, key=key), finding(f"{i}-b", body, rule="T3-RES", key=key, printed=3),
                      finding(f"{i}-c", body, rule="T3-ROW", key=key, read="readings")]
                state.objects[key] = entry(key, body, fs)
            settings = AlertSettings(owners=str(root / "owners.csv"), smtp_url=f"smtp://127.0.0.1:{port}",
                                     smtp_from="bench@example.gov.cn", attempts=1, backoff=0)
            store = LocalStore(Location("file", None, str(root / "state")))
            rss0 = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
            t0 = time.perf_counter()
            rep = run_alerts(state, settings, AlertStore(store, "state.json", "bench-1"),
                             link=lambda p: f"https://docs.example/{p}")
            first = time.perf_counter() - t0
            t1 = time.perf_counter()
            again = run_alerts(state, settings, AlertStore(store, "state.json", "bench-2"),
                               link=lambda p: f"https://docs.example/{p}")
            rerun = time.perf_counter() - t1
            ledger = (root / "state" / "state.json.alerts.json").stat().st_size
    finally:
        smtp.stop()
    rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(f"alerts: {n} failing reports ({3 * n} findings) over {owners} owners")
    print(f"  first run      {first:6.1f} s  {rep.count('sent')} digests sent ({Sink.count} mails, "
          f"{Sink.size / 1e6:.1f} MB), {n / first:,.0f} reports/s, {rep.count('sent') / first:,.0f} digests/s; "
          f"undelivered {rep.count('undelivered')}")
    print(f"  unchanged rerun {rerun:5.1f} s  {len(again.deliveries)} sent, {again.up_to_date} channels up to date")
    print(f"  memory: process peak RSS {rss:.0f} MB ({rss0:.0f} MB with the state built, before alerting); "
          f"ledger {ledger / 1e6:.1f} MB")
    assert rep.count("sent") == owners and not again.deliveries


if __name__ == "__main__":
    main()
