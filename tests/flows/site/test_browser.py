"""The site in a real browser: headless Chromium (Debian's) over the DevTools protocol opens the
landing page of a small real audit, follows a region, a body, a report and a rule, uses the search box,
and checks every link of the pages it opened. Screenshots go to $NIANBAO_ARTIFACTS/site/ (default: the
test's tmp_path; their paths are printed) and, with NIANBAO_UPDATE_SCREENSHOTS=1, the landing page and
the evidence view to docs/img/ for the README."""

from __future__ import annotations

import os
import shutil
import threading
import urllib.error
import urllib.request
from functools import partial
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest

from tests.flows.site.cdp import Browser

ROOT = Path(__file__).resolve().parents[3]
CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"

pytestmark = [pytest.mark.browser,
              pytest.mark.skipif(not Path(CHROMIUM).exists(), reason="chromium not installed")]


class Quiet(SimpleHTTPRequestHandler):
    def log_message(self, *a):  # no request log in the test output
        pass


@pytest.fixture(scope="module")
def served(real_audit):
    docs, state, _summary = real_audit
    httpd = ThreadingHTTPServer(("127.0.0.1", 0), partial(Quiet, directory=str(docs)))
    t = threading.Thread(target=httpd.serve_forever, daemon=True)
    t.start()
    yield f"http://127.0.0.1:{httpd.server_address[1]}/", docs, state
    httpd.shutdown()


@pytest.fixture(scope="module")
def browser(tmp_path_factory):
    b = Browser(CHROMIUM, tmp_path_factory.mktemp("profile"))
    yield b
    b.close()


LINKS = "Array.from(document.querySelectorAll('a[href]')).map(a => a.href)"
IMAGES = "Array.from(document.images).map(i => [i.src, i.complete && i.naturalWidth > 0])"


def check_links(b: Browser, base: str, seen: dict[str, int]) -> None:
    """Every link and image of the open page answers 200 (same origin; external links are not followed)."""
    for src, ok in b.js(IMAGES):
        assert ok, f"image not shown: {src}"
    for href in b.js(LINKS):
        url = href.split("#")[0]
        if not url.startswith(base) or url in seen:
            continue
        try:
            seen[url] = urllib.request.urlopen(url, timeout=10).status
        except urllib.error.HTTPError as e:
            seen[url] = e.code
        assert seen[url] == 200, f"broken link {url} on {b.js('location.href')}"


def follow(b: Browser, scope: str, part: str) -> str:
    """Open the first link under ``scope`` whose resolved URL contains ``part``."""
    href = b.wait_js(f"(Array.from(document.querySelectorAll({scope + ' a[href]'!r}))"
                     f".find(a => a.href.includes({part!r})) || {{}}).href")
    b.goto(href)
    return href


def test_browse_the_site(served, browser, tmp_path):
    ARTIFACTS = Path(os.environ.get("NIANBAO_ARTIFACTS") or tmp_path) / "site"
    base, _docs, state = served
    b = browser
    seen: dict[str, int] = {}
    shots = []
    b.goto(base + "index.html")
    text = b.js("document.body.innerText")
    assert "政府信息公开工作年度报告" in text and "报告 reports" in text
    n_reports = sum(len(e.reports) for e in state.objects.values())
    assert b.js("document.querySelector('.card b').textContent") == str(n_reports)  # reports, not objects
    assert "扫描件.png" in text  # a file that holds no report: listed apart
    assert "变化 Changes" in text  # changes since the previous run (none: a first run)
    assert b.js("document.querySelector('img.chart').naturalWidth") > 0  # the SVG chart, built at build time
    check_links(b, base, seen)
    shots.append(b.screenshot(ARTIFACTS / "landing.png"))

    # a region: province -> city -> county -> the body
    follow(b, "header", "/site/regions.html")
    check_links(b, base, seen)
    b.js("Array.from(document.querySelectorAll('a')).find(a => a.textContent.includes('山东省')).click()")
    b.wait_event("Page.loadEventFired")
    assert "山东省" in b.js("document.querySelector('h1').textContent")
    for _ in range(2):  # city, county
        follow(b, "main table", "/site/g/")
        check_links(b, base, seen)
    assert "东阿县" in b.js("document.querySelector('h1').textContent")
    shots.append(b.screenshot(ARTIFACTS / "region.png"))

    # the body, then its failing report's evidence
    follow(b, "main table", "/site/b/")
    assert "东阿县" in b.js("document.querySelector('h1').textContent")
    check_links(b, base, seen)
    b.goto(b.js("Array.from(Array.from(document.querySelectorAll('main tr')).find(t => t.textContent.includes('2020'))"
                ".querySelectorAll('a')).find(a => a.href.includes('/site/r/')).href"))
    assert b.js("document.querySelectorAll('table.evidence td.bad').length") >= 1  # the failing cell
    likely = b.js("document.querySelector('td.likely .sugg').textContent")
    assert "10" in likely  # printed 20, likely 10
    assert "可能出错的单元格" in b.js("document.body.innerText")
    assert "line" not in b.js("Array.from(document.querySelectorAll('.finding')).map(f => f.innerText).join(' ')")
    check_links(b, base, seen)
    shots.append(b.screenshot(ARTIFACTS / "evidence.png"))
    shots.append(b.screenshot(ARTIFACTS / "evidence-phone.png", width=390, mobile=True))
    assert b.js("document.documentElement.scrollWidth") <= 1280

    # the GX validation page it links to, and back to the landing page from there
    follow(b, "main", "/sites/")
    assert "Expectation Suite" not in b.js("document.body.innerText")
    assert "pandas_data_fingerprint" not in b.js("document.documentElement.outerHTML")
    check_links(b, base, seen)

    # a rule page: what it checks, the formula, citable counts, SVG charts
    b.goto(base + "site/rules.html")
    check_links(b, base, seen)
    follow(b, "main", "/rule/T3-RES.html")
    text = b.js("document.body.innerText")
    assert "T3-RES" in text and "公式 formula" in text and "引用 cite as" in text
    assert b.js("document.querySelectorAll('img.chart').length") == 2
    check_links(b, base, seen)
    shots.append(b.screenshot(ARTIFACTS / "rule.png"))

    # a PDF report: the printed cell cropped from its page, and the page named
    b.goto(base + "index.html")
    b.goto(b.js("Array.from(Array.from(document.querySelectorAll('main tr')).find(t => t.textContent.includes('洪泽区'))"
                ".querySelectorAll('a')).find(a => a.href.includes('/site/r/')).href"))
    assert b.wait_js("(document.querySelector('img.crop') || {}).naturalWidth") > 0
    assert "第 4 页" in b.js("document.body.innerText")
    check_links(b, base, seen)

    # the search box (pagefind, Chinese segmentation), served over HTTP
    b.goto(base + "site/search.html")
    b.js("var i=document.querySelector('#search input'); i.value='东阿'; i.dispatchEvent(new Event('input'))")
    hits = b.wait_js("Array.from(document.querySelectorAll('#results a')).map(a => a.textContent + '|' + a.href)"
                     ".join('\\n')", timeout=30)
    assert "东阿县" in hits
    shots.append(b.screenshot(ARTIFACTS / "search.png", height=700))
    b.goto(hits.splitlines()[0].split("|", 1)[1])
    assert "东阿县" in b.js("document.querySelector('h1').textContent")
    check_links(b, base, seen)

    assert len(seen) > 30 and all(v == 200 for v in seen.values())
    for s in shots:
        print(f"screenshot: {s}")
    if os.environ.get("NIANBAO_UPDATE_SCREENSHOTS") == "1":
        img = ROOT / "docs" / "img"
        img.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(ARTIFACTS / "landing.png", img / "site-landing.png")
        shutil.copyfile(ARTIFACTS / "evidence.png", img / "site-evidence.png")
