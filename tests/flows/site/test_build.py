"""Building the site: escaping, relative links that resolve, incremental writes, exports."""

from __future__ import annotations

import csv
import io
import json
import os
import re
from pathlib import Path
from urllib.parse import unquote

import pytest

from flows.config import Location
from flows.site.build import build_site
from flows.site.model import from_state
from flows.storage import LocalStore
from tests.flows.site.synth import finding, make_state, report

EVIL = "<script>alert('x')</script><img src=x onerror=alert(1)>"


def _store(p: Path) -> LocalStore:
    gx = p / "sites/r0/b00000/reports/x.html"  # the GX validation page the synthetic reports name
    gx.parent.mkdir(parents=True, exist_ok=True)
    gx.write_text("<html></html>", encoding="utf-8")
    return LocalStore(Location("file", None, str(p)))


def _hostile_state():
    st = make_state(60, fail_rate=0.3, seed=5)
    key = "evil/<b>.txt"
    fs = [finding(f"{key}#0", EVIL, 2023, "T3-ROW", 0)]
    fs[0]["message_zh"] = EVIL
    fs[0]["cells"][0]["raw"] = EVIL
    r = report(key, EVIL, 2023, "failed", fs)
    r["title"] = EVIL
    from flows.state import ObjectEntry

    st.objects[key] = ObjectEntry(key, "e", 1, "failed", reports=[r], findings=fs)
    st.objects["=cmd|' /C calc'!A0.txt"] = ObjectEntry("=cmd|' /C calc'!A0.txt", "e", 1, "unreadable", reason=EVIL)
    return st


HREF = re.compile(r'(?:href|src)="([^"]+)"')


def links_resolve(root: Path) -> list[str]:
    broken = []
    for page in root.rglob("*.html"):
        if "sites" in page.relative_to(root).parts:
            continue
        for h in HREF.findall(page.read_text(encoding="utf-8")):
            if h.startswith(("http://", "https://", "#", "mailto:")):
                continue
            target = (page.parent / unquote(h.split("#")[0])).resolve()
            if not target.exists():
                broken.append(f"{page.relative_to(root)} -> {h}")
    return broken


@pytest.fixture(scope="module")
def built(tmp_path_factory):
    root = tmp_path_factory.mktemp("site")
    data = from_state(_hostile_state())
    res = build_site(data, _store(root), search=False, charts=False)
    return root, data, res


def test_hostile_report_text_is_escaped(built):
    root, _, _ = built
    for p in root.rglob("*.html"):
        text = p.read_text(encoding="utf-8")
        assert "<script>alert" not in text and "<img src=x" not in text, p
    landing = (root / "index.html").read_text(encoding="utf-8")
    assert "&lt;script&gt;alert(&#x27;x&#x27;)&lt;/script&gt;" in landing


def test_links_are_relative_and_resolve(built):
    root, _, _ = built
    assert links_resolve(root) == []
    for p in root.rglob("*.html"):
        text = p.read_text(encoding="utf-8")
        assert not re.search(r'(?:href|src)="/', text), p  # never absolute


def test_exports_open_and_guard_formulas(built):
    root, data, _ = built
    raw = (root / "site/data/reports.csv").read_bytes()
    assert raw.startswith("\ufeff".encode())
    rows = list(csv.DictReader(io.StringIO(raw.decode("utf-8-sig"))))
    assert len(rows) == len(data.reports)
    from openpyxl import load_workbook

    wb = load_workbook(root / "site/data/failing.xlsx", read_only=True)
    assert len(wb.sheetnames) == 2
    import pyarrow.parquet as pq

    assert pq.read_table(root / "site/data/findings.parquet").num_rows > 0
    files = (root / "site/data/findings.csv").read_text(encoding="utf-8-sig")
    assert "\n=" not in files and ",=" not in files


def test_incremental_rebuild_writes_only_what_changed(tmp_path):
    st = make_state(300, fail_rate=0.2, seed=9)
    store = _store(tmp_path)
    first = build_site(from_state(st), store, search=False, charts=False)
    assert first.written == first.files and first.evidence_rendered > 10
    again = build_site(from_state(st), store, search=False, charts=False)
    assert again.written == 0 and again.evidence_rendered == 0
    key = next(k for k, e in st.objects.items() if e.status == "failed")
    e = st.objects[key]
    e.etag = "changed"
    e.findings.append(finding(f"{key}#0", e.reports[0]["body"], e.reports[0]["year"], "T3-BAL", 7))
    third = build_site(from_state(st), store, search=False, charts=False)
    assert third.evidence_rendered == 1 and third.evidence_kept == first.evidence_rendered - 1
    assert 0 < third.written < 30, third.written
    gone = dict(st.objects)
    del st.objects[key]
    fourth = build_site(from_state(st), store, search=False, charts=False)
    assert fourth.deleted >= 1 and not any(p.name.startswith(gone[key].reports[0]["report_id"]) for p in tmp_path.rglob("*"))
    assert links_resolve(tmp_path) == []


def test_largest_page_stays_small_with_paging(tmp_path):
    res = build_site(from_state(make_state(3000, fail_rate=0.3, seed=2)), _store(tmp_path), search=False,
                     charts=False)
    assert res.largest[1] < 300_000, res.largest


def test_the_previous_run_is_read_from_its_parquet_files(tmp_path):
    """The published Parquet columns give the same changes as the findings.json (which a run of
    100,000 objects should not have to load)."""
    import copy

    from flows.exports import write_findings_files
    from flows.site.build import previous_findings
    from flows.site.model import previous_view

    st = make_state(60, fail_rate=0.3, seed=5)
    old = copy.deepcopy(st)
    failing = [k for k, e in old.objects.items() if e.status == "failed"]
    old.objects[failing[0]].findings[0]["review"] = {"decision": "dismissed", "by": "王芳"}
    del old.objects[next(iter(old.objects))]
    run = "20261201T020000Z-aaaaaa"
    paths = write_findings_files(old, {"run_id": run}, tmp_path / "files")
    findings = _store(tmp_path / "findings")
    for name, path in paths.items():
        findings.put(f"runs/{run}/{name}", path.read_bytes())
    from_json = previous_view(json.loads(paths["findings.json"].read_text(encoding="utf-8")))
    got = previous_findings(findings, "20261202T020000Z-bbbbbb")
    assert got == from_json and got["run_id"] == run and len(got["objects"]) == 59
    assert failing[1] + "#0" in got["failing"]
    findings.put(f"runs/{run}/findings.json", b"not json any more")  # the Parquet files are what is read
    assert previous_findings(findings, "20261202T020000Z-bbbbbb") == from_json


def test_changes_come_from_the_previous_run_in_the_findings_store(tmp_path):
    import json

    from flows.site.build import build_site_from_state

    st = make_state(40, fail_rate=0.3, seed=11, run_id="20261202T020000Z-bbbbbb")
    failing = [k for k, e in st.objects.items() if e.status == "failed"]
    findings = _store(tmp_path / "findings")
    old = {"run": {"run_id": "20261201T020000Z-aaaaaa"},
           "objects": [{"object_key": k} for k in list(st.objects)[:-1]],
           "findings": [dict(f, object_key=k) for k in failing[1:] for f in st.objects[k].findings]}
    findings.put("runs/20261201T020000Z-aaaaaa/findings.json", json.dumps(old).encode())
    findings.put("runs/20261202T020000Z-bbbbbb/findings.json", b"{}")  # this run's own: not the previous one
    res = build_site_from_state(st, _store(tmp_path / "docs"), findings=findings, search=False, charts=False)
    landing = (tmp_path / "docs" / "index.html").read_text(encoding="utf-8")
    assert "20261201T020000Z-aaaaaa" in landing and "新增不通过 new failures: <b>1</b>" in landing
    assert "新报告 new reports: <b>1</b>" in landing
    assert (tmp_path / "docs/site/data/changes.csv").is_file() and res.written > 0


def test_charts_drawn_in_the_parse_workers_are_the_ones_drawn_here(tmp_path, monkeypatch):
    """With the parse workers running, the site's charts are drawn there (vl-convert holds the GIL
    here) and written before the landing page: the same files as drawn in this process."""
    from flows import parse_pool
    from flows.site import charts as ch
    from flows.site.build import CHART_DIR

    assert ch.available()
    assert parse_pool.get_pool() is not None
    spec = ch.rate_spec([{"label": "2023", "rate": 0.25, "reports": 4}], "年度 year", "t")
    fut = ch.render_later(spec)
    assert hasattr(fut, "lane") and ch.rendered(fut, spec) == ch.render_svg(spec)  # a worker drew it

    st = make_state(60, fail_rate=0.3, seed=5)
    there = tmp_path / "there"
    build_site(from_state(st), _store(there), search=False, charts=True)
    monkeypatch.setattr(parse_pool, "running_pool", lambda: None)
    here = tmp_path / "here"
    build_site(from_state(st), _store(here), search=False, charts=True)

    def svgs(root: Path) -> dict[str, bytes]:
        return {p.name: p.read_bytes() for p in (root / CHART_DIR).glob("*.svg")}

    assert svgs(here) and svgs(there) == svgs(here)
    assert links_resolve(there) == []


def _die(*args: object) -> None:
    """Sent to a parse worker in place of ``flows.storage.put_files``: the worker dies under it."""
    import os

    os._exit(3)


def _s3_docs(moto_endpoint: str, bucket: str):
    from flows.config import retry_policy, s3_settings
    from flows.storage import open_store

    return open_store(Location("s3", bucket, "docs/"), s3_settings(endpoint_url=moto_endpoint), retry_policy())


def _uploaded(client, bucket: str) -> dict[str, tuple[bytes, str]]:
    out = {}
    for page in client.get_paginator("list_objects_v2").paginate(Bucket=bucket, Prefix="docs/"):
        for o in page.get("Contents", []):
            r = client.get_object(Bucket=bucket, Key=o["Key"])
            out[o["Key"][len("docs/"):]] = (r["Body"].read(), r["ContentType"])
    return out


@pytest.mark.parametrize("worker_dies", [False, True])
def test_site_files_go_up_from_the_parse_workers(tmp_path, monkeypatch, bucket, moto_endpoint, worker_dies):
    """With the parse workers running and an S3 docs store, the site's files are uploaded from the
    workers while the pages are rendered here: the same files, bytes and content types as a build into
    a folder, the landing page and the manifest last, from this process. A worker that dies under its
    uploads leaves them to this process (its lane is replaced)."""
    from flows import parse_pool, storage
    from flows.site import build as b
    from flows.site import pages as pg

    client, name = bucket
    assert parse_pool.get_pool() is not None
    sent: list = []
    flush = b._Uploads.flush

    def recording(self):
        n = len(self.sent)
        flush(self)
        sent.extend(self.sent[n:])

    monkeypatch.setattr(b._Uploads, "flush", recording)
    if worker_dies:
        monkeypatch.setattr(storage, "put_files", _die)
    st = make_state(60, fail_rate=0.3, seed=5)
    docs = _s3_docs(moto_endpoint, name)
    res = build_site(from_state(st), docs, search=False, charts=False)

    assert sent and all(fut is not None and hasattr(fut, "lane") for fut, _ in sent)  # sent to the workers
    assert sum(len(paths) for _, paths in sent) == res.written - 1  # all but the landing page
    if worker_dies:
        from concurrent.futures.process import BrokenProcessPool

        with pytest.raises(BrokenProcessPool):
            sent[0][0].result()
    else:
        assert all(fut.exception() is None for fut, _ in sent)
    local = tmp_path / "local"
    build_site(from_state(st), _store(local), search=False, charts=False)
    up = _uploaded(client, name)
    files = {p.relative_to(local).as_posix(): p.read_bytes() for p in local.rglob("*")
             if p.is_file() and "sites" not in p.relative_to(local).parts and p.name != "manifest.json"}
    up_files = {k: v for k, (v, _) in up.items() if k != b.MANIFEST}
    assert up_files.keys() == files.keys()

    def sheet(data: bytes) -> list:  # a workbook's bytes carry the time it was written
        import openpyxl

        return [list(r) for r in openpyxl.load_workbook(io.BytesIO(data)).active.iter_rows(values_only=True)]

    for k, v in files.items():
        assert (sheet(up_files[k]) == sheet(v)) if k.endswith(".xlsx") else up_files[k] == v, k
    assert up["index.html"][1] == "text/html; charset=utf-8"
    assert up[pg.CSS_PATH][1] == "text/css; charset=utf-8"
    if worker_dies:  # the lane was replaced: the pool still parses
        assert parse_pool.get_pool().submit(os.getpid).result() != os.getpid()
