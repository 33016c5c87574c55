"""`make bench`: run every tests/bench/bench_*.py module's main() in turn."""

from __future__ import annotations

import importlib
import pkgutil
import sys
import time

import tests.bench as pkg


def main() -> int:
    only = set(sys.argv[1:])
    failed = 0
    for m in sorted(pkgutil.iter_modules(pkg.__path__), key=lambda m: m.name):
        if not m.name.startswith("bench_") or (only and m.name not in only):
            continue
        mod = importlib.import_module(f"tests.bench.{m.name}")
        print(f"\n=== {m.name} ===", flush=True)
        t0 = time.perf_counter()
        try:
            mod.main()
        except Exception as e:  # keep going: one broken benchmark must not hide the others
            failed += 1
            print(f"FAILED: {type(e).__name__}: {e}")
        print(f"--- {m.name}: {time.perf_counter() - t0:.1f} s", flush=True)
    return 1 if failed else 0


if __name__ == "__main__":
    raise SystemExit(main())
