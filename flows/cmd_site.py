"""nianbao site STATE_OR_FINDINGS DEST [--owners FILE]: rebuild the site from a stored audit, without
auditing again.

STATE_OR_FINDINGS is an audit state document (a path or s3://bucket/key: its cell documents are read
from beside it, ``<state>.cells/``) or a ``findings.json`` written by ``nianbao audit`` (reports with
findings only: passing reports are then not counted). DEST is a folder or s3://bucket/prefix (the
docs location: the GX validation pages of the audit stay under its ``sites/``). The changes since the
previous run come from the findings location (``--findings``, default: ``findings/`` beside the
state). Regions come from the owners registry (``--owners``) when it names one, else from the body's
name. Only pages whose content changed are written (``--force`` writes everything).

Exit status: 0 built, 2 unusable input or destination.
"""

from __future__ import annotations

import argparse
import json
import sys
from typing import Any

HELP = "rebuild the site (failures by region, body, year and rule; evidence) from a stored state or findings"


def register(p: argparse.ArgumentParser) -> None:
    p.formatter_class = argparse.RawDescriptionHelpFormatter
    p.add_argument("input", metavar="STATE_OR_FINDINGS", help="state.json or findings.json (path or s3:// URI)")
    p.add_argument("dest", metavar="DEST", help="docs folder or s3://bucket/prefix")
    p.add_argument("--owners", metavar="FILE", help="owners registry (CSV or YAML): regions of the bodies")
    p.add_argument("--findings", metavar="LOCATION", help="findings location (runs/<run>/) for the changes")
    p.add_argument("--no-search", action="store_true", help="do not build the search index")
    p.add_argument("--no-crops", action="store_true", help="do not fetch source PDFs for cell images")
    p.add_argument("--force", action="store_true", help="write every page, not only the changed ones")
    p.add_argument("--endpoint-url", help="S3-compatible endpoint")


def _store(uri: str, folder: bool, endpoint: str | None) -> tuple[Any, str]:
    """(store, key) for a document URI (folder=False) or (store, "") for a folder/prefix."""
    from flows.config import Location, retry_policy, s3_settings
    from flows.storage import open_store

    if folder:
        return open_store(Location.parse(uri), s3_settings(endpoint_url=endpoint), retry_policy()), ""
    loc = Location.parse(uri, folder=False)
    parent, _, key = loc.prefix.rpartition("/")
    if loc.kind == "s3":
        where = Location("s3", loc.bucket, parent + "/" if parent else "")
    else:
        where = Location("file", None, parent or "/")
    return open_store(where, s3_settings(endpoint_url=endpoint), retry_policy()), key


def run(args: argparse.Namespace) -> int:
    from flows.config import ConfigError
    from flows.state import SCHEMA, SCHEMA_V1, StateError, load_state
    from flows.storage import StorageError

    try:
        src, key = _store(args.input, False, args.endpoint_url)
        if src.head(key) is None:
            print(f"nianbao site: {args.input}: no such document", file=sys.stderr)
            return 2
        doc = json.loads(src.get(key)[0])
        docs, _ = _store(args.dest, True, args.endpoint_url)
        registry = None
        if args.owners:
            from flows.alerts.owners import load_owners

            registry = load_owners(args.owners)
        if isinstance(doc, dict) and doc.get("schema") in (SCHEMA, SCHEMA_V1):
            state = load_state(src, key, str(doc.get("source")))
            findings = None
            if args.findings:
                findings, _ = _store(args.findings, True, args.endpoint_url)
            else:
                base = args.input.rsplit("/", 1)[0] if "/" in args.input else "."
                findings, _ = _store(base + "/findings/", True, args.endpoint_url)
            source = None
            if not args.no_crops:
                try:
                    source, _ = _store(state.source, True, args.endpoint_url)
                except Exception:
                    source = None  # the pages say the PDF could not be fetched
            from flows.site.build import build_site_from_state

            res = build_site_from_state(state, docs, state_store=src, state_key=key, findings=findings,
                                        source=source, registry=registry, crops=not args.no_crops,
                                        search=not args.no_search, force=args.force)
        elif isinstance(doc, dict) and isinstance(doc.get("findings"), list):
            from flows.site.build import build_site
            from flows.site.model import RegionResolver, from_findings_doc

            data = from_findings_doc(doc, regions=RegionResolver(registry))
            res = build_site(data, docs, search=not args.no_search, force=args.force)
        else:
            print(f"nianbao site: {args.input}: neither an audit state nor a findings.json", file=sys.stderr)
            return 2
    except (StateError, ConfigError, ValueError, OSError) as e:
        print(f"nianbao site: {e}", file=sys.stderr)
        return 2
    except StorageError as e:
        print(f"nianbao site: {e.reason}", file=sys.stderr)
        return 2
    for n in res.notes:
        print(f"note: {n}", file=sys.stderr)
    print(res.summary())
    print(f"Site: {res.url}")
    return 0
