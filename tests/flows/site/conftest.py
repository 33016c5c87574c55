"""A small real audit for the site's browser test: the seeds, three real crawled pages and a real PDF,
run through the pipeline's functions (no Prefect), publishing the site next to the GX pages."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[3]


def real_sources(dest: Path) -> Path:
    dest.mkdir(parents=True, exist_ok=True)
    for folder in (ROOT / "samples" / "seeds", ROOT / "samples" / "real"):
        for p in sorted(folder.glob("*.txt")):
            shutil.copyfile(p, dest / p.name)
    shutil.copyfile(ROOT / "samples" / "pdf" / "hongze-2024.pdf", dest / "hongze-2024.pdf")
    (dest / "扫描件.png").write_bytes(b"\x89PNG\r\n\x1a\nnot really")
    return dest


def run_audit(src: Path, out: Path):
    from flows import pipeline as p
    from flows.config import audit_settings

    s = audit_settings(str(src), docs=str(out / "docs"), state=str(out / "state.json"),
                       findings=str(out / "findings"), batch_size=5)
    stores = p.open_stores(s)
    state, note = p.load(s, stores)
    plan = p.plan_run(s, stores, state, state_note=note)
    outs = [p.audit_batch(s, plan.run_id, i, b) for i, b in enumerate(plan.batches(s.batch_size))]
    state = p.merge_state(state, plan, outs)
    summary = p.publish(s, stores, state, p.summarise(state, plan, outs, s))
    assert not summary.docs_errors, summary.docs_errors
    return state, summary


@pytest.fixture(scope="session")
def real_audit(tmp_path_factory):
    import os

    os.environ.setdefault("GX_ANALYTICS_ENABLED", "false")
    base = tmp_path_factory.mktemp("site-audit")
    src = real_sources(base / "src")
    state, summary = run_audit(src, base / "out")
    return base / "out" / "docs", state, summary
