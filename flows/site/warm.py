"""Warm what the site build needs (imports, the chart renderer) in a background thread while the
batches run: the flow process is mostly waiting then (parsing and validation are in worker
processes), and the site is built after the last batch, on the run's critical path. Nothing here
changes a result; a failure only leaves the work to the site build itself."""

from __future__ import annotations

import threading

_STARTED = threading.Event()


def _warm() -> None:
    try:
        import openpyxl  # noqa: F401
        import pyarrow.parquet  # noqa: F401

        import flows.site.build
        import flows.site.pages  # noqa: F401
        from flows.site import charts

        if charts.available():  # the first chart starts the Vega runtime (~0.9 s)
            charts.render_svg(charts.rate_spec([{"label": "-", "rate": 0.0}], "-", "-"))
    except Exception:  # an optimisation only: the site build does the same work and reports its errors
        pass


def warm_in_background() -> None:
    """Start warming once per process."""
    if not _STARTED.is_set():
        _STARTED.set()
        threading.Thread(target=_warm, daemon=True, name="nianbao-site-warm").start()
