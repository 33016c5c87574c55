"""Data Docs of failures: only failing reports, offline, escaped; and a headless Chromium check."""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

import pytest

from expectations.docs import external_refs
from parsers.model import Cell
from tests.expectations.conftest import clean

EVIL = "<script>alert('x')</script><img src=http://evil.example/x.png>"


@pytest.fixture(scope="module")
def site(tmp_path_factory, check):
    from expectations import build_data_docs

    bad = clean(3, "2019")
    c = bad.table3.rows["R_OPEN"].cells["TOT"]
    bad.table3.rows["R_OPEN"].cells["TOT"] = Cell(value=int(c.value) + 4, raw=EVIL)
    bad.body = EVIL
    bad.source = "docs/<bad>&report"
    warn = clean(4, "2021")
    warn.table3.rows["FWD"].cells["TOT"] = Cell(value=None, raw="")  # blank total: warn + T3-ROW fail
    ok = [clean(s) for s in range(10, 15)]
    for i, r in enumerate(ok):  # unrelated reports: not one body's consecutive years (cross-year rules)
        r.body = f"示例{i}镇人民政府"
    result = check([bad, warn, *ok])
    out = tmp_path_factory.mktemp("site")
    index = build_data_docs(result, out)
    return result, index, bad


def test_only_failing_reports_rendered(site):
    _result, index, _ = site
    pages = list((index.parent / "reports").glob("*.html"))
    assert len(pages) == 2
    html = index.read_text(encoding="utf-8")
    assert "passing, not listed 5" in html
    assert "T3-ROW" in html


def test_external_refs_detects_network_links():
    assert external_refs('<link rel="stylesheet" href="https://cdn.example/x.css">')
    assert external_refs("<style>a { background: url('//cdn.example/x.png') }</style>")
    assert external_refs('<script src="//cdn.example/x.js"></script>')
    assert not external_refs("<p>&lt;img src=http://evil&gt;</p>")


def test_offline_and_escaped(site):
    _, index, _ = site
    for p in [index, *(index.parent / "reports").glob("*.html")]:
        text = p.read_text(encoding="utf-8")
        assert external_refs(text) == [], p
        assert "<script>alert" not in text and "<img src=http://evil" not in text
        assert "great-expectations-web-assets" not in text and "jsdelivr" not in text and "unpkg" not in text
    assert (index.parent / "static" / "nianbao.css").is_file()


def test_page_shows_failing_cell(site):
    _result, index, bad = site
    from expectations.docs import page_name

    page = (index.parent / "reports" / page_name(bad.report_id)).read_text(encoding="utf-8")
    assert "表三「（一）予以公开」·总计" in page
    assert "&lt;script&gt;alert" in page  # the printed text is shown, escaped
    assert "可能出错的单元格" in page


@pytest.mark.browser
def test_chromium_renders_offline(site, tmp_path):
    chromium = shutil.which("chromium") or "/usr/bin/chromium"
    if not Path(chromium).exists():
        pytest.skip("chromium not installed")
    _result, index, bad = site
    from expectations.docs import page_name

    page = index.parent / "reports" / page_name(bad.report_id)
    flags = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
             "--disable-background-networking", "--disable-component-update", "--disable-sync",
             f"--user-data-dir={tmp_path / 'profile'}", "--proxy-server=127.0.0.1:9", "--virtual-time-budget=3000"]
    dom = subprocess.run([chromium, *flags, "--dump-dom", page.as_uri()], capture_output=True, text=True,
                         timeout=90, check=True).stdout
    assert "表三「（一）予以公开」·总计" in dom
    assert "T3-ROW" in dom and "T3-RES" in dom
    assert "<script>alert" not in dom
    shot = tmp_path / "page.png"
    subprocess.run([chromium, *flags, f"--screenshot={shot}", "--window-size=1280,1600", page.as_uri()],
                   capture_output=True, timeout=90, check=True)
    assert shot.stat().st_size > 10_000
    idx = subprocess.run([chromium, *flags, "--dump-dom", index.as_uri()], capture_output=True, text=True,
                         timeout=90, check=True).stdout
    assert "未通过的报告" in idx and "reports/" in idx


def test_report_pages_drop_gx_boilerplate_and_link_back(site):
    _result, index, _ = site
    for p in (index.parent / "reports").glob("*.html"):
        text = p.read_text(encoding="utf-8")
        assert "expectations/nianbao_statutory_rules.html" not in text  # GX's suite page is not published
        for gone in ("Data asset: None", "pandas_data_fingerprint", "Batch Parameters", "Show more info"):
            assert gone not in text, gone
        assert 'href="../../../../index.html"' in text  # the site's landing page (audit layout)
        assert 'href="../../../../site/rules.html"' in text
    assert 'href="../../../index.html"' in index.read_text(encoding="utf-8")  # batch index -> landing page
