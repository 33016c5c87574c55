"""Long runs: progress on the terminal (objects listed, audited, failing; rate; ETA) and as a Prefect
progress artifact updated as batches finish (at most every 2 s, and at the end); a rerun that changed
nothing rewrites nothing."""

from __future__ import annotations

import io
import json

from flows.cmd_audit import Progress
from tests.flows.conftest import seed_files


class _Tty(io.StringIO):
    def isatty(self) -> bool:
        return True


def test_batch_line_has_counts_rate_and_eta() -> None:
    line = Progress.batch_line(done=300, todo=1000, parsed=310, validated=305, failing=12, listed=1200,
                               seconds=3.0)
    assert line.startswith("audited 300/1000 objects (of 1200 listed) · 12 failing · 310 reports parsed")
    assert "100.0 objects/s" in line and line.endswith("ETA 7 s")
    assert "ETA" not in Progress.batch_line(done=0, todo=10, parsed=0, validated=0, seconds=0.0)
    assert Progress.eta(3725) == "1 h 02 min" and Progress.eta(75) == "1 min 15 s"


def test_terminal_redraws_one_line_and_plain_streams_get_lines() -> None:
    tty = _Tty()
    p = Progress(tty)
    p("listed", listed=4, todo=4, unchanged=0, deleted=0, full_reason=None)
    for done in (2, 4):
        p("batch", done=done, todo=4, parsed=done, validated=done, failing=1, listed=4, seconds=1.0)
    p("done", summary=None)
    out = tty.getvalue()
    assert out.count("\r\x1b[K") == 3 and "audited 4/4 objects (of 4 listed) · 1 failing" in out
    assert out.endswith("\n")
    plain = io.StringIO()
    q = Progress(plain)
    q("batch", done=2, todo=4, parsed=2, validated=2, failing=0, listed=4, seconds=1.0)
    assert plain.getvalue().count("\n") == 1 and "\r" not in plain.getvalue()
    quiet = io.StringIO()
    Progress(quiet, quiet=True)("batch", done=1, todo=1, parsed=1, validated=1)
    assert quiet.getvalue() == ""


def test_flow_reports_progress_per_batch(prefect_harness, tmp_path) -> None:
    from prefect.client.orchestration import get_client
    from prefect.client.schemas.filters import ArtifactFilter, ArtifactFilterKey

    from flows import audit
    from flows.config import Location, audit_settings

    src = tmp_path / "reports"
    src.mkdir()
    files = dict(list(seed_files().items())[:5])
    for k, v in files.items():
        (src / k).write_bytes(v)
    seen: list[tuple[str, dict]] = []
    old = audit.PROGRESS
    audit.PROGRESS = lambda event, **kw: seen.append((event, kw))
    try:
        s = audit.run_settings(audit_settings(str(src), docs=str(tmp_path / "docs"),
                                              state=str(tmp_path / "st.json"),
                                              findings=str(tmp_path / "findings"), batch_size=2))
    finally:
        audit.PROGRESS = old
    batches = [kw for e, kw in seen if e == "batch"]
    done = [b["done"] for b in batches]
    assert len(batches) == 3 and done == sorted(done) and done[-1] == s.audited == s.listed
    assert all(b["listed"] == s.listed and b["todo"] == s.audited and b["seconds"] > 0 for b in batches)
    assert batches[-1]["failing"] == s.failed
    key = audit.artifact_key("nianbao", Location.parse(str(src)).slug(), "progress")
    with get_client(sync_client=True) as pc:
        arts = pc.read_artifacts(artifact_filter=ArtifactFilter(key=ArtifactFilterKey(any_=[key])))
    assert arts and arts[0].type == "progress" and float(arts[0].data) == 100.0
    assert f"{len(files)} audited, {s.failed} failing" in arts[0].description


def test_progress_artifact_updates_are_spaced_and_the_last_always_sent(monkeypatch) -> None:
    from types import SimpleNamespace

    from flows import audit

    calls: list[float] = []
    monkeypatch.setattr(audit, "create_progress_artifact", lambda *a, **k: "artifact-id")
    monkeypatch.setattr(audit, "update_progress_artifact", lambda _id, pct, description: calls.append(pct))
    settings = SimpleNamespace(source=SimpleNamespace(uri="file:///r", slug=lambda: "r"))
    plan = SimpleNamespace(todo=list(range(1000)), listed=1000)
    prog = audit.RunProgress(settings, plan)
    for done in range(10, 1001, 10):  # 100 batches finishing at once
        prog.update(done, 0)
    assert calls == [1.0]  # the first one, then nothing within EVERY seconds
    prog.update(1000, 3, final=True)
    assert calls == [1.0, 100.0]
    prog.last -= audit.RunProgress.EVERY
    prog.update(1000, 3)
    assert len(calls) == 3


def test_unchanged_rerun_rewrites_nothing(prefect_harness, tmp_path) -> None:
    """A rerun that audits nothing leaves the state, the findings and the site as the last run wrote
    them; one whose last publication is not complete (its record missing) publishes again."""
    from flows import audit
    from flows.config import audit_settings
    from flows.pipeline import PUBLISHED

    src = tmp_path / "reports"
    src.mkdir()
    for k, v in list(seed_files().items())[:4]:
        (src / k).write_bytes(v)
    settings = audit_settings(str(src), docs=str(tmp_path / "docs"), state=str(tmp_path / "st.json"),
                              findings=str(tmp_path / "findings"))
    state, latest = tmp_path / "st.json", tmp_path / "findings" / "latest" / "manifest.json"
    s1 = audit.run_settings(settings)
    assert s1.audited == 4 and s1.published is None
    before = (state.read_bytes(), latest.read_bytes(), state.stat().st_mtime_ns)
    s2 = audit.run_settings(settings)
    assert s2.audited == 0 and s2.published == s1.run_id
    assert (state.read_bytes(), latest.read_bytes(), state.stat().st_mtime_ns) == before
    assert s2.docs_url == s1.docs_url and s2.findings_uri == s1.findings_uri and s2.failing == s1.failing
    assert not (tmp_path / "findings" / "runs" / s2.run_id).exists()
    (tmp_path / "findings" / PUBLISHED).unlink()  # e.g. the site of the last run could not be written
    s3 = audit.run_settings(settings)
    assert s3.audited == 0 and s3.published is None and json.loads(latest.read_bytes())["run_id"] == s3.run_id
    s4 = audit.run_settings(settings)
    assert s4.published == s3.run_id
    (src / "new.txt").write_bytes(next(iter(seed_files().values())))
    s5 = audit.run_settings(settings)
    assert s5.audited == 1 and s5.published is None and json.loads(state.read_bytes())["last_run_id"] == s5.run_id
