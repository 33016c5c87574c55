"""The landing page of the published docs, as bytes (no I/O): a thin wrapper over the site's landing
page (``flows.site``), kept for callers that want the page alone. ``publish`` builds the whole site."""

from __future__ import annotations

from typing import Any

from flows.state import AuditState


def build_index(state: AuditState, summary: Any) -> bytes:
    """HTML bytes of the landing page of ``state``. ``summary`` is the run's ``RunSummary``."""
    from flows.site.indexes import landing_page
    from flows.site.model import from_state, rule_stats

    data = from_state(state, run_id=getattr(summary, "run_id", None))
    _, html = landing_page(data, rule_stats(data.reports), lambda *a: None, {}, search_ready=False)
    return html
