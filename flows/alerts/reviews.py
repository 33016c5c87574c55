"""Findings a person has reviewed: accepted (a real error the owner has been told about) or dismissed
(a false positive), with who, when and why. Kept in a YAML file under version control, keyed by the
stable finding id::

    reviews:
      f2c224b3d3890b5c:
        decision: dismissed
        by: 王芳
        at: 2026-12-06T09:00:00Z
        reason: 表三该列为上年结转口径，原文另有说明
        cells: 3f1c...      # the finding's cells and values when reviewed
        rule: T3-BAL
        report: reports/09-haitan-2021.txt#0

A review holds only while the finding's cells and values are those reviewed: a finding whose cells
change comes back. Dismissed findings are not alerted and show as dismissed in the findings and on
the site.
"""

from __future__ import annotations

import os
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from flows.alerts.items import cells_key

DECISIONS = ("dismissed", "accepted")


class ReviewError(ValueError):
    pass


@dataclass(slots=True)
class Reviews:
    path: Path | None = None
    entries: dict[str, dict[str, Any]] = field(default_factory=dict)

    def of(self, f: dict[str, Any]) -> dict[str, Any] | None:
        """The review that applies to this finding as it stands now, if any."""
        r = self.entries.get(str(f.get("id")))
        if r is None or r.get("cells") != cells_key(f):
            return None
        return r

    def dismissed(self, f: dict[str, Any]) -> bool:
        r = self.of(f)
        return r is not None and r.get("decision") == "dismissed"

    def add(self, f: dict[str, Any], decision: str, reason: str, by: str) -> dict[str, Any]:
        if decision not in DECISIONS:
            raise ReviewError(f"decision must be one of {', '.join(DECISIONS)}")
        if not reason.strip():
            raise ReviewError("a review needs a reason (--reason)")
        entry = {"decision": decision, "by": by, "at": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()),
                 "reason": reason.strip(), "cells": cells_key(f), "rule": f.get("rule"),
                 "report": f.get("report_id"), "body": f.get("body"), "year": f.get("year")}
        self.entries[str(f["id"])] = entry
        return entry

    def save(self) -> None:
        import yaml

        if self.path is None:
            raise ReviewError("no reviews file")
        text = ("# Reviewed findings (nianbao review). Keyed by finding id; a review holds while the\n"
                "# finding's cells are unchanged (\"cells\").\n")
        text += yaml.safe_dump({"reviews": dict(sorted(self.entries.items()))}, allow_unicode=True, sort_keys=False)
        tmp = self.path.with_name(self.path.name + ".tmp")
        tmp.write_text(text, encoding="utf-8")
        os.replace(tmp, self.path)


def load_reviews(path: str | Path | None) -> Reviews:
    """The reviews file (an absent file is an empty set of reviews)."""
    if path is None:
        return Reviews()
    import yaml

    p = Path(path)
    if not p.exists():
        return Reviews(p)
    try:
        doc = yaml.safe_load(p.read_text(encoding="utf-8")) or {}
    except (OSError, UnicodeDecodeError, yaml.YAMLError) as e:
        raise ReviewError(f"{p}: cannot read the reviews: {e}") from None
    entries = doc.get("reviews") if isinstance(doc, dict) else None
    if entries is None:
        entries = {}
    if not isinstance(entries, dict) or not all(isinstance(v, dict) for v in entries.values()):
        raise ReviewError(f"{p}: expected 'reviews:' mapping finding ids to reviews")
    for fid, r in entries.items():
        if r.get("decision") not in DECISIONS:
            raise ReviewError(f"{p}: review of {fid}: decision must be one of {', '.join(DECISIONS)}")
    return Reviews(p, {str(k): dict(v) for k, v in entries.items()})


def annotate(state: Any, reviews: Reviews) -> int:
    """Mark each finding of the state with the review that applies to it now (``review``), and drop a
    mark whose finding changed. Returns how many findings are dismissed."""
    n = 0
    for _, e in state.entries(write=True):
        for f in e.findings:
            r = reviews.of(f)
            if r is None:
                f.pop("review", None)
                continue
            f["review"] = {k: r.get(k) for k in ("decision", "by", "at", "reason")}
            n += r.get("decision") == "dismissed"
    return n
