"""``make demo``: a local SeaweedFS, the sample reports uploaded, one audit run, the Data Docs address.

    python -m testkit.demo [--keep] [--synthetic N]

Starts ``weed mini`` on 127.0.0.1 (free ports, generated credentials, an anonymously readable docs
bucket), uploads the seed reports, the sample PDF and reports generated in HTML, DOCX and PDF (those
whose generators exist), plus one corrupt file, runs ``nianbao audit`` on the bucket (temporary
Prefect server), prints the Data Docs URL and the failing reports, copies the site to
``.nianbao/demo/docs`` for browsing after the server stops, and stops the server. ``--keep`` keeps
SeaweedFS running until Ctrl+C so the URL stays live.
"""

from __future__ import annotations

import argparse
import importlib.util
import os
import shutil
import sys
import time
import urllib.request
from collections.abc import Callable
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
REPORTS_BUCKET = "nianbao-reports"
DOCS_BUCKET = "nianbao-docs"
# Renderer styles and PDF layouts the demo uses when the generators exist; "errors" inject known
# arithmetic errors so the generated set has failures too.
HTML_STYLES = ("html-sh", "html-gh", "html-split", "html-traditional")
DOCX_STYLES = ("docx", "docx-split")
PDF_LAYOUTS = ("rl-ruled", "rl-errors", "rl-borderless")


def seed_dirs() -> list[Path]:
    """The project's copy of the seed reports first, then the shared one (development machines)."""
    return [p for p in (ROOT / "samples" / "seeds", ROOT.parent / "shared" / "seeds") if any(p.glob("*.txt"))]


def sample_pdfs() -> list[Path]:
    out: list[Path] = []
    for d in (ROOT / "samples" / "pdf", ROOT.parent / "shared" / "samples" / "pdf"):
        if d.is_dir():
            out = sorted(d.glob("*.pdf"))
            if out:
                break
    return out


def _have(module: str) -> bool:
    try:
        return importlib.util.find_spec(module) is not None
    except ImportError:
        return False


def sample_objects(n_synthetic: int, notes: list[str]) -> dict[str, bytes]:
    """Object key -> bytes. What could not be generated is explained in ``notes``."""
    objs: dict[str, bytes] = {}
    seeds = seed_dirs()
    if seeds:
        for p in sorted(seeds[0].glob("*.txt")):
            objs[f"seeds/{p.name}"] = p.read_bytes()
    else:
        notes.append("no seed reports found (samples/seeds or ../shared/seeds)")
    for p in sample_pdfs():
        objs[f"pdf/{p.name}"] = p.read_bytes()
    for p in sorted((ROOT / "samples" / "real").glob("*.txt")):  # real crawled pages, one line each
        objs[f"real/{p.name}"] = p.read_bytes()
    gens: list[tuple[str, Callable[[int], tuple[str, bytes]]]] = []
    if _have("testkit.synth") and _have("testkit.render"):
        from testkit.render import render_docx, render_html
        from testkit.synth import make_report

        def html_of(i: int) -> tuple[str, bytes]:
            rep = make_report(1000 + i)
            style = HTML_STYLES[i % len(HTML_STYLES)]
            if i % 3 == 2:
                _break(rep)
            return f"html/{rep.body}-{rep.year}-{style}.html", render_html(rep, style).encode("utf-8")

        def docx_of(i: int) -> tuple[str, bytes]:
            rep = make_report(2000 + i)
            style = DOCX_STYLES[i % len(DOCX_STYLES)]
            if i % 2 == 1:
                _break(rep)
            return f"docx/{rep.body}-{rep.year}-{style}.docx", render_docx(rep, style)

        gens += [("HTML", html_of), ("DOCX", docx_of)]
    else:
        notes.append("testkit.render/testkit.synth not available: no generated HTML or DOCX reports")
    if _have("testkit.pdfgen") and _have("reportlab"):
        from testkit.pdfgen import LAYOUTS, layout_report, render_pdf

        def pdf_of(i: int) -> tuple[str, bytes]:
            name = PDF_LAYOUTS[i % len(PDF_LAYOUTS)]
            rep = layout_report(3000 + i, LAYOUTS[name])
            return f"pdf/{rep.body}-{rep.year}-{name}.pdf", render_pdf(rep, name, cache=LAYOUTS[name].engine != "reportlab")

        gens.append(("PDF", pdf_of))
    else:
        notes.append("testkit.pdfgen (or reportlab) not available: no generated PDF reports")
    for kind, make in gens:
        for i in range(n_synthetic):
            try:
                key, data = make(i)
                objs[key] = data
            except Exception as e:  # show what failed, keep the demo going
                notes.append(f"could not generate a {kind} report: {type(e).__name__}: {e}")
                break
    objs["broken/损坏的报告.pdf"] = b"%PDF-1.4\n%broken: the upload was cut off here"
    objs["broken/扫描件.png"] = b"\x89PNG\r\n\x1a\n" + bytes(64)
    return objs


def _break(rep) -> None:
    """Make one total disagree with its parts (a realistic typo) so the demo shows a failure."""
    from parsers.model import Cell

    row = rep.table3.rows.get("R_TOTAL") or next(iter(rep.table3.rows.values()), None)
    if row is None or "TOT" not in row.cells:
        return
    v = row.cells["TOT"].number() + 3
    row.cells["TOT"] = Cell(v, str(v))


def describe(objs: dict[str, bytes]) -> str:
    kinds: dict[str, int] = {}
    for k in objs:
        kinds[k.split("/", 1)[0]] = kinds.get(k.split("/", 1)[0], 0) + 1
    return ", ".join(f"{n} {k}" for k, n in sorted(kinds.items()))


def mirror_docs(client, bucket: str, dest: Path) -> int:
    if dest.exists():
        shutil.rmtree(dest)
    n = 0
    for page in client.get_paginator("list_objects_v2").paginate(Bucket=bucket):
        for o in page.get("Contents", []):
            p = dest / o["Key"]
            p.parent.mkdir(parents=True, exist_ok=True)
            p.write_bytes(client.get_object(Bucket=bucket, Key=o["Key"])["Body"].read())
            n += 1
    return n


def closing_lines(live: str, local: Path) -> list[str]:
    """The demo's last lines, printed after SeaweedFS stopped: the S3 address is labelled as gone, the
    last line is the local copy that stays browsable."""
    return [f"Data Docs in SeaweedFS (valid only while the demo runs; python -m testkit.demo --keep keeps it "
            f"up): {live}",
            f"Data Docs, local copy (browsable now): {local.resolve().as_uri()}"]


class DemoReceivers:
    """A local SMTP server that keeps each digest as an .eml file and a 企业微信-style robot receiver that
    keeps each markdown message (testkit/receivers.py); the demo's owners registry is samples/owners.csv
    plus one owner reached through that robot."""

    def __init__(self, folder: Path):
        from testkit.receivers import Mailbox, Robot

        shutil.rmtree(folder, ignore_errors=True)
        folder.mkdir(parents=True)
        self.folder = folder
        self.mailbox = Mailbox(folder / "mail")
        self.robot = Robot(folder / "robot")
        self.smtp_url = self.mailbox.url
        self.robot_port = self.robot.port
        os.environ["DEMO_WECOM_KEY"] = "demo-key"  # the registry names ${DEMO_WECOM_KEY}, never the key
        rows = (ROOT / "samples" / "owners.csv").read_text(encoding="utf-8")
        rows += ("平潭综合实验区管理委员会,平潭综合实验区,,," + self.robot.wecom("${DEMO_WECOM_KEY}")
                 + ",zh,,errors;verify;unreadable,\n")
        self.owners = folder / "owners.csv"
        self.owners.write_text(rows, encoding="utf-8")

    def stop(self) -> None:
        self.mailbox.stop()
        self.robot.stop()

    def describe(self) -> str:
        return (f"{len(self.mailbox.envelopes)} e-mails kept in {self.folder / 'mail'} (open the .eml files in a "
                f"mail reader), {len(self.robot.posts)} robot messages in {self.folder / 'robot'}")


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(prog="python -m testkit.demo", description=__doc__,
                                 formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--keep", action="store_true", help="keep SeaweedFS running until Ctrl+C")
    ap.add_argument("--synthetic", type=int, default=4, help="generated reports per format (default 4)")
    args = ap.parse_args(argv)
    t0 = time.perf_counter()

    from flows.cmd_audit import Progress, prefect_environment, print_summary
    from flows.config import audit_settings, default_workdir, s3_settings
    from testkit.seaweed import SeaweedServer

    prefect_environment()
    work = default_workdir() / "demo"
    weed_dir = work / "weed"
    shutil.rmtree(weed_dir, ignore_errors=True)
    notes: list[str] = []
    objs = sample_objects(args.synthetic, notes)
    print("starting SeaweedFS (weed mini) on 127.0.0.1 ...", flush=True)
    with SeaweedServer(data_dir=weed_dir, public_buckets=(DOCS_BUCKET,)) as weed:
        print(f"SeaweedFS S3 at {weed.endpoint_url} (credentials generated for this run; "
              f"bucket {DOCS_BUCKET} is anonymously readable)")
        client = weed.client()
        for b in (REPORTS_BUCKET, DOCS_BUCKET):
            client.create_bucket(Bucket=b)
        for k, data in objs.items():
            client.put_object(Bucket=REPORTS_BUCKET, Key=k, Body=data)
        print(f"uploaded {len(objs)} objects to s3://{REPORTS_BUCKET}/: {describe(objs)}")
        for n in notes:
            print(f"  note: {n}")
        os.environ.update(weed.credentials_env())  # the standard AWS variables, as a user would set them
        settings = audit_settings(f"s3://{REPORTS_BUCKET}/", docs=f"s3://{DOCS_BUCKET}/",
                                  s3=s3_settings(endpoint_url=weed.endpoint_url, preset="seaweedfs"))
        from flows import audit
        from flows.cmd_audit import print_alerts

        mail = DemoReceivers(work / "alerts")
        print(f"owner alerts: a local SMTP server on {mail.smtp_url} and a 企业微信-style robot receiver on "
              f"127.0.0.1:{mail.robot_port} (owners: {mail.owners})", flush=True)
        print("running the audit flow (temporary Prefect server) ...", flush=True)
        audit.PROGRESS = Progress()
        try:
            summary = audit.run_settings(settings, {"owners": str(mail.owners), "smtp": mail.smtp_url,
                                                    "smtp_from": "nianbao-audit@example.gov.cn",
                                                    "alerts": None, "reviews": None})
        finally:
            audit.PROGRESS = None
            mail.stop()
        print_summary(summary)
        if summary.alerts is not None:
            print_alerts(summary.alerts)
            print(f"alerts      {mail.describe()}")
        if summary.failing:
            print(f"\nreports with findings, unreadable objects ({len(summary.failing)}):")
            for line in summary.failing:
                print("  " + line)
        with urllib.request.urlopen(summary.docs_url) as r:  # browsable without credentials
            live = f"{summary.docs_url}  (HTTP {r.status}, {r.headers['Content-Type']})"
        local = work / "docs" / "index.html"
        n = mirror_docs(client, DOCS_BUCKET, work / "docs")
        print(f"\ncopied {n} Data Docs files to {local.parent}")
        if args.keep:
            print(f"Data Docs in SeaweedFS: {live}")
            print(f"Data Docs (local copy): {local.as_uri()}")
            print("SeaweedFS keeps running; press Ctrl+C to stop it.", flush=True)
            try:
                while True:
                    time.sleep(3600)
            except KeyboardInterrupt:
                pass
    print(f"SeaweedFS stopped. Demo finished in {time.perf_counter() - t0:.0f} s.")
    for line in closing_lines(live, local):
        print(line)
    return 0


if __name__ == "__main__":
    sys.exit(main())
