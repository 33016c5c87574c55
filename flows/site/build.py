"""Build the site: render, hash, write what changed to a folder, upload it to the docs store.

Incremental: ``site/manifest.json`` in the docs store keeps the hash of every file of the last build
and, for each evidence page, the hash of what it was drawn from. A report whose inputs did not change
is not rendered again (nor are its cells read or its PDF fetched); every other page is rendered
(cheap) and written and uploaded only when its bytes differ. A run that touches 100 of 100,000
reports thus rewrites their evidence pages and the list pages that show them, and nothing else.
Files of the last build that this build no longer produces are deleted; the landing page is written
last so a reader never follows it to a page that is not there yet.
"""

from __future__ import annotations

import contextlib
import functools
import json
import os
import shutil
import tempfile
import time
from collections import defaultdict
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from flows.memory import release_memory
from flows.site import charts as ch
from flows.site import exports as ex
from flows.site import indexes as ix
from flows.site import pages as pg
from flows.site.model import ReportRow, SiteData, dismissed, rule_stats, sha, target_cell

MANIFEST = "site/manifest.json"
SCHEMA = "nianbao-site/1"
TEMPLATE = "3"  # bump when the evidence page's HTML changes: every evidence page is drawn again
DATA_DIR = "site/data/"
CHART_DIR = "site/assets/charts/"


@dataclass(slots=True)
class BuildResult:
    landing: str = pg.LANDING
    url: str = ""
    files: int = 0  # files of the site (all, written or kept)
    written: int = 0
    kept: int = 0
    deleted: int = 0
    evidence_rendered: int = 0
    evidence_kept: int = 0
    bytes_written: int = 0
    total_bytes: int = 0
    largest: tuple[str, int] = ("", 0)  # the largest HTML page
    seconds: float = 0.0
    timings: dict[str, float] = field(default_factory=dict)
    search: bool = False
    notes: list[str] = field(default_factory=list)

    def summary(self) -> str:
        return (f"{self.files} files ({self.total_bytes / 1e6:.1f} MB), {self.written} written "
                f"({self.bytes_written / 1e6:.1f} MB), {self.deleted} deleted; evidence pages: {self.evidence_rendered}"
                f" drawn, {self.evidence_kept} unchanged; largest page {self.largest[0]} "
                f"({self.largest[1] / 1e3:.0f} kB); {self.seconds:.1f} s")


class _Out:
    """Collects the files of a build; writes the changed ones to ``folder``."""

    def __init__(self, folder: Path, old: dict[str, Any], force: bool, direct: bool = False):
        self.folder = folder
        self.direct = direct  # ``folder`` is the docs folder itself: files are written in place
        self.mode = 0o666 & ~_umask()
        self.landing: bytes | None = None
        self.old_files: dict[str, str] = old.get("files") or {}
        self.old_sizes: dict[str, int] = old.get("sizes") or {}
        self.old_inputs: dict[str, str] = old.get("inputs") or {}
        self.force = force
        self.files: dict[str, str] = {}
        self.sizes: dict[str, int] = {}
        self.inputs: dict[str, str] = {}
        self.changed: list[str] = []
        self.uploads: _Uploads | None = None  # uploads the changed files as they are written

    def unchanged(self, path: str, h: str) -> bool:
        return not self.force and self.old_files.get(path) == h

    def emit(self, path: str, data: bytes, h: str | None = None) -> None:
        h = h or sha(data, 20)
        self.files[path] = h
        self.sizes[path] = len(data)
        if self.unchanged(path, h):
            return
        self.changed.append(path)
        if path == pg.LANDING:  # written last, after every page it links to
            self.landing = data
            return
        p = self.folder / path
        p.parent.mkdir(parents=True, exist_ok=True)
        if self.direct:  # a reader sees the old file or the new one, never half of one
            tmp = p.with_name(f".{p.name}.tmp")
            tmp.write_bytes(data)
            os.chmod(tmp, self.mode)
            os.replace(tmp, p)
        else:
            p.write_bytes(data)
            if self.uploads is not None:
                self.uploads.add(path)

    def keep(self, path: str) -> None:
        self.files[path] = self.old_files[path]
        self.sizes[path] = self.old_sizes.get(path, 0)


def _put_args(path: str) -> tuple[str, str, str | None]:
    from flows.storage import content_type

    return path, content_type(path), "no-cache" if path.endswith(".html") else None


class _Uploads:
    """Uploads a build's files as they are written, in this process's parse workers (idle while the
    site is built): boto3 spends ~1.5 ms of CPU signing and sending a request, which in this process
    would take turns with the rendering under one GIL. Only for a docs store another process can open
    (``S3Store.portable``) while the workers run; ``finish`` uploads here what a dead worker left."""

    CHUNK = 24

    def __init__(self, docs: Any, folder: Path):
        from flows import parse_pool

        self.folder = folder
        self.pool = parse_pool.running_pool()
        portable = getattr(docs, "portable", None)
        self.spec = portable() if self.pool is not None and portable is not None else None
        self.pending: list[str] = []
        self.sent: list[tuple[Any, list[str]]] = []  # (future or None, paths)

    @property
    def active(self) -> bool:
        return self.spec is not None

    def add(self, path: str) -> None:
        self.pending.append(path)
        if len(self.pending) >= self.CHUNK:
            self.flush()

    def flush(self) -> None:
        from concurrent.futures.process import BrokenProcessPool

        from flows.storage import put_files

        if not self.pending:
            return
        chunk, self.pending = self.pending, []
        try:
            fut = self.pool.submit(put_files, self.spec, str(self.folder), [_put_args(p) for p in chunk])  # type: ignore[union-attr]
        except (BrokenProcessPool, RuntimeError):  # broken again at once, or shut down meanwhile
            fut = None
        self.sent.append((fut, chunk))

    def finish(self, put: Callable[[str], int]) -> tuple[set[str], list[int]]:
        """Wait for the uploads; (paths uploaded, their sizes). A chunk whose worker died is uploaded
        here with ``put``; a file that failed for good raises its ``StorageError``, after the others
        are done."""
        from concurrent.futures.process import BrokenProcessPool

        self.flush()
        done: set[str] = set()
        sizes: list[int] = []
        error: BaseException | None = None
        for fut, chunk in self.sent:
            try:
                if fut is None:
                    raise BrokenProcessPool("not sent")
                sizes += fut.result()
            except BrokenProcessPool:
                sizes += [put(p) for p in chunk]
            except Exception as e:
                error = error or e
                continue
            done.update(chunk)
        self.sent = []
        if error is not None:
            raise error
        return done, sizes

    def cancel(self) -> None:
        for fut, _ in self.sent:
            if fut is not None:
                fut.cancel()
        self.sent = []


def _umask() -> int:
    from flows.storage import current_umask

    return current_umask()


def _load_manifest(docs: Any) -> dict[str, Any]:
    try:
        if docs.head(MANIFEST) is None:
            return {}
        data, _ = docs.get(MANIFEST)
        doc = json.loads(data)
    except Exception:  # an unusable manifest only costs a full rebuild
        return {}
    return doc if isinstance(doc, dict) and doc.get("schema") == SCHEMA else {}


def _report_cells(doc: dict[str, Any] | None, r: ReportRow) -> dict[str, Any] | None:
    if not doc:
        return None
    for x in doc.get("reports") or []:
        if x.get("report_id") == r.report_id or x.get("report_index") == r.report_index:
            return x
    return None


def _crops(r: ReportRow, fetch: Callable[[str], bytes] | None) -> tuple[dict[str, bytes], str]:
    """PNG of each failing cell of a PDF report (cell id -> bytes) and a note when there are none."""
    wanted = {}
    for f in r.findings:
        if f.get("status") != "violated" or dismissed(f):
            continue
        c = target_cell(f)
        prov = (c or {}).get("prov") or {}
        if c and c.get("cell") and prov.get("page") and prov.get("bbox"):
            wanted[c["cell"]] = (int(prov["page"]), tuple(prov["bbox"]))
    if not wanted:
        return {}, ""
    if fetch is None:
        return {}, ("构建站点时未取原 PDF，未截取单元格图像 / the source PDF was not fetched when the site was built: "
                    "no images of the printed cells.")
    try:
        data = fetch(r.object_key)
    except Exception as e:
        return {}, (f"原 PDF 无法获取，未截取单元格图像 / the source PDF could not be fetched when the site was "
                    f"built ({type(e).__name__}): no images of the printed cells.")
    from parsers.pdf.crop import crop_cell_png

    out = {}
    for cid, (pno, bbox) in wanted.items():
        with contextlib.suppress(Exception):
            out[cid] = crop_cell_png(data, pno, bbox, source=r.object_key)  # type: ignore[arg-type]
    return out, ""


def build_site(data: SiteData, docs: Any, *, cells: Callable[[str], dict[str, Any] | None] | None = None,
               fetch_source: Callable[[str], bytes] | None = None, work_dir: Path | None = None,
               search: bool = True, charts: bool = True, force: bool = False, threads: int = 8) -> BuildResult:
    """Build the site of ``data`` into the docs store ``docs`` (flows.storage Store). ``cells(object_key)``
    gives an object's cells document (flows.cells); ``fetch_source(object_key)`` the source bytes (PDF
    crops). ``work_dir`` keeps the written files (default: a temporary folder)."""
    t0 = time.perf_counter()
    res = BuildResult()
    tmp = None
    if work_dir is None:
        tmp = tempfile.TemporaryDirectory(prefix="nianbao-site-")
        work_dir = Path(tmp.name)
    work_dir.mkdir(parents=True, exist_ok=True)
    try:
        from flows.storage import LocalStore

        old = {} if force else _load_manifest(docs)
        if isinstance(docs, LocalStore):  # a folder: write the changed files straight into it
            out = _Out(docs._path(""), old, force, direct=True)
        else:
            out = _Out(work_dir / "out", old, force)
            uploads = _Uploads(docs, out.folder)
            if uploads.active and threads > 1:
                out.uploads = uploads
        try:
            _render(data, out, res, cells=cells, fetch_source=fetch_source, search_dir=work_dir / "search",
                    search=search, charts=charts)
        except BaseException:
            if out.uploads is not None:
                out.uploads.cancel()
            raise
        res.timings["render"] = time.perf_counter() - t0
        t1 = time.perf_counter()
        _upload(docs, out, res, threads)
        res.timings["upload"] = time.perf_counter() - t1
        res.url = docs.url(pg.LANDING)
    finally:
        if tmp is not None:
            tmp.cleanup()
    res.seconds = time.perf_counter() - t0
    return res


def _render(data: SiteData, out: _Out, res: BuildResult, *, cells, fetch_source, search_dir: Path, search: bool,
            charts: bool) -> None:
    t = time.perf_counter()
    out.emit(pg.CSS_PATH, pg.CSS.encode("utf-8"))
    out.emit(pg.SEARCH_JS, ix.SEARCH_JS_TEXT.encode("utf-8"))
    use_charts = charts and ch.available()

    drawing: dict[str, tuple[Any, dict[str, Any]]] = {}  # chart path -> (future SVG, spec)

    def chart(rows: list[dict[str, Any]], x: str, title: str, horizontal: bool) -> str | None:
        if not use_charts or not rows:
            return None
        spec = ch.rate_spec(rows, x, title, horizontal=horizontal)
        path = CHART_DIR + ch.chart_name(spec)
        if path in out.files or path in drawing:
            return path
        if out.unchanged(path, "chart:" + path):
            out.keep(path)
        else:  # drawn in the parse workers meanwhile, written before the landing page
            drawing[path] = (ch.render_later(spec), spec)
        return path

    # body pages first: pagefind indexes them in its own process while the evidence pages, the exports
    # and the other lists are made here (at 100,000 reports each takes 20-30 s)
    t = time.perf_counter()
    bodies = ix.bodies_of(data)
    # pagefind reads the body pages from a folder: the docs folder itself when it is one, else a copy
    search_src = out.folder if out.direct else search_dir / "pages"
    if search and not out.direct and search_src.exists():
        shutil.rmtree(search_src)
    for path, html in ix.body_pages(bodies):
        out.emit(path, html)
        if search and not out.direct:
            p = search_src / path
            p.parent.mkdir(parents=True, exist_ok=True)
            p.write_bytes(html)
    t_lists = time.perf_counter() - t
    indexing = None
    if search:
        from flows.site import search as sx

        if not sx.available():
            res.notes.append("search index not built: pagefind is not installed")
        elif bodies:
            indexing = ThreadPoolExecutor(1, thread_name_prefix="nianbao-pagefind")
            index_future = indexing.submit(sx.build_index, search_src, search_dir / "bundle")

    try:
        # evidence pages, while pagefind indexes the body pages: every report that did not pass, with
        # its cell images from PDFs
        t = time.perf_counter()
        crops_of: dict[str, list[str]] = defaultdict(list)  # evidence page -> its cell images of the last build
        for p in out.old_files:
            if p.startswith("site/r/") and p.endswith(".png"):
                crops_of[p.rsplit("-", 1)[0] + ".html"].append(p)
        doc_cache: dict[str, dict[str, Any] | None] = {}
        for r in data.reports:
            if r.status == "pass":
                continue
            path = pg.report_path(r)
            ih = TEMPLATE + r.input_hash() + ("c" if fetch_source else "")
            out.inputs[path] = ih
            if not out.force and out.old_inputs.get(path) == ih and path in out.old_files:
                out.keep(path)
                for p in crops_of.get(path, ()):
                    out.keep(p)
                res.evidence_kept += 1
                continue
            if cells is not None and r.object_key not in doc_cache:
                try:
                    doc_cache[r.object_key] = cells(r.object_key)
                except Exception:
                    doc_cache[r.object_key] = None
                if len(doc_cache) > 256:
                    doc_cache.pop(next(iter(doc_cache)))
            r = r.expanded()  # its findings and summary in full, for this page only
            rc = _report_cells(doc_cache.get(r.object_key), r)
            crops: dict[str, str] = {}
            note = ""
            if r.is_pdf and r.status in ("fail", "verify", "warn", "dismissed"):
                pngs, note = _crops(r, fetch_source)
                for cid, png in pngs.items():
                    p = f"{path[:-5]}-{sha(cid, 8)}.png"
                    out.emit(p, png)
                    crops[cid] = p
            out.emit(path, pg.report_page(r, rc, crops, note))
            res.evidence_rendered += 1
        release_memory()  # the entries the evidence pages opened
        res.timings["evidence"] = time.perf_counter() - t

        t = time.perf_counter()
        stats = rule_stats(data.reports)
        downloads: dict[str, str] = {}
        for name, (blob, maker) in ex.exports(data, stats):  # one file at a time: 100,000 reports
            path = DATA_DIR + ex.file_name(name)
            downloads[name] = path
            if maker is None:
                out.emit(path, blob)
                continue
            h = "xlsx:" + sha(blob, 20)
            if out.unchanged(path, h):
                out.keep(path)
            else:
                out.emit(path, maker(), h)
        release_memory()  # the exports' rows and Arrow buffers are gone; the heap keeps their pages
        res.timings["exports"] = time.perf_counter() - t

        t = time.perf_counter()
        for gen in (ix.body_list_pages(bodies), ix.region_pages(data, bodies), ix.year_pages(data, chart),
                    ix.rule_pages(data, stats, chart, downloads)):
            for path, html in gen:
                out.emit(path, html)
        release_memory()
        res.timings["lists"] = t_lists + time.perf_counter() - t
    except BaseException:
        if indexing is not None:
            indexing.shutdown(wait=False, cancel_futures=True)
        raise

    t = time.perf_counter()  # what is left of the indexing once the rest is made
    search_ready = False
    if indexing is not None:
        from flows.site import search as sx

        try:
            bundle = index_future.result()
            for p in sorted(bundle.rglob("*")):
                if p.is_file():
                    out.emit(pg.PAGEFIND_DIR + p.relative_to(bundle).as_posix(), p.read_bytes())
            search_ready = True
            shutil.rmtree(bundle, ignore_errors=True)
        except sx.SearchError as e:
            res.notes.append(f"search index not built: {e}")
        finally:
            indexing.shutdown(wait=True)
    res.search = search_ready
    res.timings["search"] = time.perf_counter() - t
    for path, html in (ix.changes_page(data, downloads), ix.files_page(data), ix.reviewed_page(data),
                       ix.search_page(search_ready), ix.downloads_page(data, downloads)):
        out.emit(path, html)
    path, html = ix.landing_page(data, stats, chart, downloads, search_ready)
    for svg_path, (fut, spec) in drawing.items():
        out.emit(svg_path, ch.rendered(fut, spec).encode("utf-8"), "chart:" + svg_path)
    out.emit(path, html)


def _upload(docs: Any, out: _Out, res: BuildResult, threads: int) -> None:
    order = sorted(out.changed, key=lambda p: (p == pg.LANDING, p))  # landing page last
    last = [p for p in order if p == pg.LANDING]
    rest = [p for p in order if p != pg.LANDING]

    def put(path: str) -> int:
        data = out.landing if path == pg.LANDING else (out.folder / path).read_bytes()
        assert data is not None
        _, ctype, cache = _put_args(path)
        docs.put(path, data, ctype, cache_control=cache)
        return len(data)

    sizes: list[int] = []
    if out.uploads is not None:  # most are up already, from the workers
        done, sizes = out.uploads.finish(put)
        rest = [p for p in rest if p not in done]
    if out.direct:
        sizes = [out.sizes[p] for p in rest]
    elif threads <= 1 or len(rest) <= 1:
        sizes += [put(p) for p in rest]
    else:
        with ThreadPoolExecutor(threads) as pool:
            sizes += list(pool.map(put, rest))
    stale = sorted(p for p in out.old_files if p not in out.files and p.startswith("site/"))
    if stale:
        docs.delete(stale)
    sizes += [put(p) for p in last]
    # the manifest last: a build that failed on the way is redone from the previous manifest next time
    manifest = {"schema": SCHEMA, "files": out.files, "sizes": out.sizes, "inputs": out.inputs}
    docs.put(MANIFEST, json.dumps(manifest, separators=(",", ":")).encode("utf-8"), "application/json; charset=utf-8")
    res.written = len(order)
    res.bytes_written = sum(sizes)
    res.deleted = len(stale)
    res.files = len(out.files)
    res.kept = res.files - res.written
    res.total_bytes = sum(out.sizes.values())
    html = [(p, s) for p, s in out.sizes.items() if p.endswith(".html")]
    res.largest = max(html, key=lambda x: x[1]) if html else ("", 0)


# ------------------------------------------------------------------------------------------ entry points
def run_time(run_id: str | None) -> str | None:
    """20261123T020000Z-1a2b3c -> 2026-11-23 02:00 UTC (run ids start with their UTC start time)."""
    import re

    m = re.match(r"(\d{4})(\d\d)(\d\d)T(\d\d)(\d\d)\d\dZ", run_id or "")
    return f"{m[1]}-{m[2]}-{m[3]} {m[4]}:{m[5]} UTC" if m else None


def previous_findings(findings: Any, run_id: str | None) -> dict[str, Any] | None:
    """What the changes need of the run before ``run_id`` (``model.previous_view``): read from its
    Parquet files (a few columns: 100,000 objects stay small), else from its findings.json."""
    from flows.site.model import previous_view

    try:
        runs = sorted({o.key.split("/")[1] for o in findings.list("runs/") if o.key.count("/") >= 2})
    except Exception:
        return None
    earlier = [r for r in runs if run_id is None or r < run_id]
    for run in reversed(earlier):
        try:
            return _previous_parquet(findings, run)
        except Exception:
            pass
        try:
            data, _ = findings.get(f"runs/{run}/findings.json")
            return previous_view(json.loads(data))
        except Exception:
            continue
    return None


def _previous_parquet(findings: Any, run: str) -> dict[str, Any]:
    import io

    import pyarrow.parquet as pq

    from flows.site.model import dismissed, is_failure

    fs = pq.read_table(io.BytesIO(findings.get(f"runs/{run}/findings.parquet")[0]),
                       columns=["report_id", "severity", "status", "review"]).to_pylist()
    objs = pq.read_table(io.BytesIO(findings.get(f"runs/{run}/objects.parquet")[0]), columns=["object_key"])
    failing, named = set(), set()
    for f in fs:
        named.add(f["report_id"])
        if isinstance(f.get("review"), str):
            f["review"] = json.loads(f["review"])
        if is_failure(f) and not dismissed(f):
            failing.add(f["report_id"])
    return {"run_id": run, "objects": set(objs.column("object_key").to_pylist()), "failing": failing,
            "reports": named}


@functools.cache  # once a process: the CLI calls it, then run_settings again
def warm() -> None:
    """Import what building the site needs the first time in a process (pyarrow and pandas, Altair and
    vl-convert's engine, openpyxl, jionlp's place names: ~1.5 s), ahead of the run: the CLI calls it
    in its main thread while the Prefect server boots. Not from a background thread: importing
    pyarrow from two threads at once fails ("partially initialized module")."""
    import openpyxl  # noqa: F401
    import pandas  # noqa: F401  # pyarrow imports it on the first table it writes
    import pyarrow.parquet  # noqa: F401

    from expectations.catalog import load_catalog
    from flows import parse_pool
    from flows.alerts.owners import _location_parser

    load_catalog()
    _location_parser()("山东省")  # jionlp loads its place names on the first call
    if ch.available():
        spec = ch.rate_spec([{"label": "-", "rate": 0.0, "reports": 1}], "label", "-")  # Altair's schema
        if parse_pool.running_pool() is None:  # else the charts are drawn in the workers, warmed there
            ch.render_svg(spec)


def build_site_from_state(state: Any, docs: Any, *, state_store: Any = None, state_key: str | None = None,
                          findings: Any = None, source: Any = None, run_id: str | None = None,
                          run_at: str | None = None, registry: Any = None, crops: bool | None = None,
                          work_dir: Path | None = None, search: bool = True, charts: bool = True,
                          force: bool = False) -> BuildResult:
    """The site of an audit state: cells from the cell store next to the state, changes against the
    previous run in the findings store, PDF crops from the source store (``crops``, default on unless
    ``NIANBAO_SITE_CROPS=0``)."""
    from flows.site.model import RegionResolver, from_state

    t0 = time.perf_counter()
    run = run_id or state.last_run_id
    prev = previous_findings(findings, run) if findings is not None else None
    data = from_state(state, run_id=run, run_at=run_at or run_time(run) or state.updated_at or "",
                      regions=RegionResolver(registry), previous=prev)
    release_memory()  # every entry was opened once
    t_model = time.perf_counter() - t0
    cells = None
    if state_store is not None and state_key:
        from flows.cells import read_cells

        def cells(key: str) -> dict[str, Any] | None:
            e = state.objects.get(key)
            return read_cells(state_store, state_key, key, e.cells if e is not None else None)
    if crops is None:
        crops = os.environ.get("NIANBAO_SITE_CROPS", "1") != "0"
    fetch = (lambda key: source.get(key)[0]) if (crops and source is not None) else None
    res = build_site(data, docs, cells=cells, fetch_source=fetch, work_dir=work_dir, search=search,
                     charts=charts, force=force)
    res.timings = {"model": t_model, **res.timings}
    return res


def build_site_from_check(result: Any, reports: list[Any], docs_dir: Path, *, docs_pages: dict[str, str],
                          errors: list[tuple[str, str]] = (), search: bool = True) -> BuildResult:  # type: ignore[assignment]
    """The site of a ``nianbao check`` result in ``docs_dir``: cells from the parsed reports, PDF crops
    from the local files."""
    from flows.cells import report_cells
    from flows.config import Location
    from flows.site.model import from_check
    from flows.storage import LocalStore

    by_source: dict[str, dict[str, Any]] = {}
    for r in reports:
        by_source.setdefault(r.source, {"reports": []})["reports"].append(report_cells(r))
    data = from_check(result, source=", ".join(sorted({r.source for r in reports}))[:300],
                      run_id="check-" + time.strftime("%Y%m%dT%H%M%SZ", time.gmtime()),
                      run_at=time.strftime("%Y-%m-%d %H:%M UTC", time.gmtime()), docs_pages=docs_pages, errors=errors)
    docs = LocalStore(Location("file", None, str(docs_dir)))
    return build_site(data, docs, cells=by_source.get, fetch_source=lambda key: Path(key).read_bytes(),
                      search=search)


def build_check_docs(result: Any, reports: list[Any], errors: list[Any], docs: str | Path) -> Path:
    """``nianbao check --docs DIR``: the GX validation pages (DIR/reports/, their index DIR/gx-index.html)
    and the site around them (DIR/index.html). Returns the landing page's path."""
    from expectations.docs import build_site as build_gx
    from expectations.docs import page_name

    out = Path(docs)
    build_gx(result, out, landing_href="index.html", index_name="gx-index.html")
    pages = {rr.report_id: f"reports/{page_name(rr.report_id)}" for rr in result.report_results
             if (out / "reports" / page_name(rr.report_id)).is_file()}
    errs = [(getattr(x, "source", str(x)), getattr(x, "reason", "")) for x in errors]
    res = build_site_from_check(result, reports, out, docs_pages=pages, errors=errs)
    return out / res.landing
