"""nianbao review FINDING_ID --dismiss|--accept --reason TEXT: record a person's review of a finding.

The review goes to the reviews file (``--reviews``, ``$NIANBAO_REVIEWS`` or ``reviews.yaml``; keep it
under version control) with who (``--by``, ``$NIANBAO_REVIEWER`` or the login name), when and why, and
the finding's cells as they are now. Dismissed findings are not alerted and show as dismissed; a
finding whose cells change later comes back. The finding is looked up in the audit state of SOURCE
(``--source``/``--state``) or in a findings file (``--findings latest/findings.json``).

Exit status: 0 recorded, 2 unknown finding id or unusable input.
"""

from __future__ import annotations

import argparse
import getpass
import json
import os
import sys
from collections.abc import Iterable
from pathlib import Path
from typing import Any

HELP = "mark a finding as reviewed: dismissed (false positive) or accepted (owner told)"


def register(p: argparse.ArgumentParser) -> None:
    p.formatter_class = argparse.RawDescriptionHelpFormatter
    p.add_argument("finding", metavar="FINDING_ID", help="the finding's id (in findings.json, Data Docs, digests)")
    g = p.add_mutually_exclusive_group(required=True)
    g.add_argument("--dismiss", action="store_true", help="a false positive: never alert it again")
    g.add_argument("--accept", action="store_true", help="a real error the owner has been told about")
    p.add_argument("--reason", required=True, help="why (kept with the review)")
    p.add_argument("--by", help="who reviewed (default $NIANBAO_REVIEWER or the login name)")
    p.add_argument("--reviews", metavar="FILE", help="reviews file (default $NIANBAO_REVIEWS or reviews.yaml)")
    w = p.add_mutually_exclusive_group()
    w.add_argument("--source", metavar="SOURCE", help="the audited s3://bucket/prefix or folder (its state)")
    w.add_argument("--findings", metavar="FILE", help="a findings.json written by nianbao audit")
    p.add_argument("--state", metavar="URI", help="state document (with --source; default the audit's)")
    p.add_argument("--endpoint-url", help="S3-compatible endpoint")


def _findings(args: argparse.Namespace) -> Iterable[dict[str, Any]]:
    if args.findings:
        doc = json.loads(Path(args.findings).read_text(encoding="utf-8"))
        return list(doc.get("findings") or [])
    from flows.config import audit_settings, s3_settings
    from flows.pipeline import open_stores
    from flows.state import load_state, where

    source = args.source or os.environ.get("NIANBAO_SOURCE")
    if not source:
        raise ValueError("say where the finding is: --source SOURCE (its audit state) or --findings FILE")
    s = audit_settings(source, state=args.state, s3=s3_settings(endpoint_url=args.endpoint_url))
    stores = open_stores(s)
    if stores.state.head(stores.state_key) is None:
        raise ValueError(f"no audit state at {where(stores.state, stores.state_key)}")
    return load_state(stores.state, stores.state_key, s.source.uri).findings()


def run(args: argparse.Namespace) -> int:
    from flows.alerts.reviews import ReviewError, load_reviews
    from flows.state import StateError
    from flows.storage import StorageError

    path = args.reviews or os.environ.get("NIANBAO_REVIEWS") or "reviews.yaml"
    try:
        reviews = load_reviews(path)
        found = [f for f in _findings(args) if str(f.get("id")) == args.finding]
    except (ReviewError, StateError, ValueError, OSError) as e:
        print(f"nianbao review: {e}", file=sys.stderr)
        return 2
    except StorageError as e:
        print(f"nianbao review: {e.reason}", file=sys.stderr)
        return 2
    if not found:
        print(f"nianbao review: no finding {args.finding} in the current findings", file=sys.stderr)
        return 2
    f = found[0]
    by = args.by or os.environ.get("NIANBAO_REVIEWER") or getpass.getuser()
    try:
        entry = reviews.add(f, "dismissed" if args.dismiss else "accepted", args.reason, by)
        reviews.save()
    except (ReviewError, OSError) as e:
        print(f"nianbao review: {e}", file=sys.stderr)
        return 2
    print(f"{args.finding} {entry['decision']} by {by}: {f.get('rule')} in {f.get('report_id')} "
          f"({f.get('body') or '?'} {f.get('year') or '?'}) → {path}")
    return 0
