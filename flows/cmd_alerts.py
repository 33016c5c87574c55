"""nianbao alerts preview SOURCE --owners FILE: print the digests the next audit run would send (one per
owner and channel, deduplicated against what was already sent), sending nothing and writing nothing.

nianbao alerts automation --notify URL: create (or update) the Prefect automation that tells the
operators when an audit flow run fails or crashes (needs PREFECT_API_URL of a running server).

Exit status: 0 done (preview: nothing to send), 1 preview: something would be sent, 2 usage error
(an owners registry that cannot be read, no audit state for SOURCE, no Prefect server).
"""

from __future__ import annotations

import argparse
import sys

HELP = "preview owner alerts; create the operators' Prefect automation"


def register(p: argparse.ArgumentParser) -> None:
    p.formatter_class = argparse.RawDescriptionHelpFormatter
    sub = p.add_subparsers(dest="alerts_command", required=True, metavar="ACTION")
    pv = sub.add_parser("preview", help="print what the next run would send (sends nothing)")
    pv.add_argument("source", metavar="SOURCE", help="the audited s3://bucket/prefix or folder")
    pv.add_argument("--owners", required=True, metavar="FILE", help="owners registry (CSV or YAML)")
    pv.add_argument("--alerts", metavar="KINDS", help="default kinds: errors,verify,unreadable,resolved "
                                                      "(default errors,verify; owners may set their own)")
    pv.add_argument("--reviews", metavar="FILE", help="reviewed findings (YAML); dismissed ones are not sent")
    pv.add_argument("--state", metavar="URI", help="state document of the audit (default: the audit's default)")
    pv.add_argument("--docs", metavar="DEST", help="Data Docs location (for the links)")
    pv.add_argument("--docs-base-url", help="public HTTP address of --docs")
    pv.add_argument("--endpoint-url", help="S3-compatible endpoint")
    pv.add_argument("--all", action="store_true", help="everything current, as if nothing had been sent before")
    pv.add_argument("--format", choices=("text", "markdown", "html"), default="text", help="which body to print")
    au = sub.add_parser("automation", help="create/update the Prefect automation for failed or crashed runs")
    au.add_argument("--notify", required=True, metavar="URL",
                    help="where to notify: a webhook (企业微信/钉钉/JSON) or an apprise URL (mailto://...); "
                         "${NAME} is taken from the environment")
    au.add_argument("--name", default=None, help="automation name")


def run(args: argparse.Namespace) -> int:
    if args.alerts_command == "automation":
        return _automation(args)
    return _preview(args)


def _automation(args: argparse.Namespace) -> int:
    import os

    if not os.environ.get("PREFECT_API_URL"):
        print("nianbao alerts automation: PREFECT_API_URL is not set: automations live on a running Prefect "
              "server (prefect server start), not on the temporary one of a single run", file=sys.stderr)
        return 2
    from flows.automation import DEFAULT_NAME, ensure_operator_automation

    try:
        info = ensure_operator_automation(args.notify, name=args.name or DEFAULT_NAME)
    except Exception as e:
        from flows.alerts.channels import redact

        print(f"nianbao alerts automation: {type(e).__name__}: {redact(str(e))}", file=sys.stderr)
        return 2
    print(f"{info}: it fires when a run of the audit flow fails or crashes")
    return 0


def _preview(args: argparse.Namespace) -> int:
    from flows.alerts.dispatch import AlertSettings, preview
    from flows.alerts.ledger import AlertStateError, AlertStore
    from flows.alerts.owners import OwnersError
    from flows.alerts.render import render
    from flows.alerts.reviews import ReviewError
    from flows.config import ConfigError, audit_settings, s3_settings
    from flows.pipeline import open_stores
    from flows.state import StateError, load_state, where
    from flows.storage import StorageError

    try:
        a = AlertSettings.resolve(owners=args.owners, alerts=args.alerts, reviews=args.reviews)
        assert a is not None
        s = audit_settings(args.source, state=args.state, docs=args.docs, docs_base_url=args.docs_base_url,
                           s3=s3_settings(endpoint_url=args.endpoint_url))
        stores = open_stores(s)
        if stores.state.head(stores.state_key) is None:
            print(f"nianbao alerts preview: no audit state at {where(stores.state, stores.state_key)}: run "
                  f"nianbao audit {args.source} first (or give --state)", file=sys.stderr)
            return 2
        state = load_state(stores.state, stores.state_key, s.source.uri)
        outgoing, report = preview(state, a, AlertStore(stores.state, stores.state_key, "preview"),
                                   link=stores.docs.url, everything=args.all)
    except (OwnersError, ReviewError, AlertStateError, StateError, ConfigError) as e:
        print(f"nianbao alerts preview: {e}", file=sys.stderr)
        return 2
    except StorageError as e:
        print(f"nianbao alerts preview: {e.reason}", file=sys.stderr)
        return 2
    w = sys.stdout.write
    for o in outgoing:
        m = render(o.digest)
        body = {"text": m.text, "markdown": m.markdown, "html": m.html}[args.format]
        w(f"=== to {o.owner.name} via {o.kind} {o.shown}\n")
        w(f"Subject: {m.subject}\n\n{body}\n\n")
    w(f"{len(outgoing)} digests would be sent ({report.up_to_date} channels have nothing new)\n")
    if report.unowned:
        w(f"{len(report.unowned)} reports with findings have no owner in {args.owners}:\n")
        for u in report.unowned[:50]:
            w(f"  {u['report']} {u['body'] or '?'} {u['year'] or '?'}: {u['errors']} errors, {u['verify']} to verify, "
              f"{u['unreadable']} unreadable\n")
    return 1 if outgoing else 0
