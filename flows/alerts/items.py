"""What an owner can be told about, taken from the audit state: the three kinds of alert items.

- **errors**: a violated ``fail`` rule whose cells were all read exactly;
- **verify**: a violated ``fail`` rule whose cells were read by position or by OCR, or that fails
  under every reading of run-together digits (a rule that holds under some reading is not sent);
- **unreadable**: a report whose printed tables we could not read, or a file that is not a readable
  report: a polite note with what was tried, never a blame.

Each item has a content key: the same finding on the same version of the report with the same cell
values gives the same key (alerts are de-duplicated on it); a changed cell or a new version of the
file gives a new one.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

from flows.state import FAILED, NOT_CHECKED, PASSED, UNREADABLE, WARNED, AuditState, ObjectEntry

ERRORS, VERIFY, UNREAD = "errors", "verify", "unreadable"


def content_key(f: dict[str, Any], etag: str | None) -> str:
    """The finding as the owner saw it: its id, the printed and expected values, its cells, and the
    version of the file. Reviews keep it too, so a finding whose cells change comes back."""
    cells = sorted((str(c.get("cell")), c.get("value"), c.get("raw")) for c in f.get("cells") or [])
    doc = [f.get("id"), f.get("rule"), f.get("expected"), f.get("actual"), f.get("read"), cells, etag or ""]
    return hashlib.sha1(json.dumps(doc, ensure_ascii=False, default=str).encode("utf-8")).hexdigest()[:20]


def cells_key(f: dict[str, Any]) -> str:
    """The finding's cells and values only (what a review is about; the file version may change)."""
    cells = sorted((str(c.get("cell")), c.get("value"), c.get("raw")) for c in f.get("cells") or [])
    doc = [f.get("id"), f.get("expected"), f.get("actual"), cells]
    return hashlib.sha1(json.dumps(doc, ensure_ascii=False, default=str).encode("utf-8")).hexdigest()[:20]


def kind_of(f: dict[str, Any]) -> str | None:
    if f.get("severity") != "fail" or f.get("status") != "violated":
        return None
    return ERRORS if (f.get("read") or "exact") == "exact" else VERIFY


@dataclass(slots=True)
class Item:
    kind: str  # errors | verify | unreadable
    key: str  # content key (de-duplication)
    finding: dict[str, Any] | None = None
    reason: str | None = None  # unreadable: what could not be read


@dataclass(slots=True)
class ReportItems:
    """One report (or one unreadable file) and what could be said about it."""

    object_key: str
    etag: str | None
    report_id: str
    report_index: int | None
    body: str | None
    year: int | None
    title: str | None
    status: str
    docs_page: str | None
    items: list[Item] = field(default_factory=list)
    file_type: str = ""

    def of(self, kinds: frozenset[str] | set[str]) -> list[Item]:
        return [i for i in self.items if i.kind in kinds]


def _file_type(key: str) -> str:
    ext = key.rsplit(".", 1)[-1].lower() if "." in key.rsplit("/", 1)[-1] else ""
    return {"htm": "html", "shtml": "html", "txt": "text", "md": "text"}.get(ext, ext)


def report_items(key: str, e: ObjectEntry, dismissed: Any = None) -> Iterator[ReportItems]:
    """Items of one state entry. ``dismissed(finding) -> bool`` drops reviewed false positives."""
    if e.status == UNREADABLE and not e.reports:
        yield ReportItems(key, e.etag, f"{key}#file", None, None, None, None, UNREADABLE, None,
                          [Item(UNREAD, _unread_key(key, e.etag), reason=e.reason or "")], _file_type(key))
        return
    if e.status not in (FAILED, UNREADABLE, NOT_CHECKED, WARNED, PASSED):
        return  # fetch or engine errors are ours, not the owner's
    by_report: dict[str, list[dict[str, Any]]] = {}
    for f in e.findings:
        by_report.setdefault(str(f.get("report_id")), []).append(f)
    for r in e.reports:
        rid = str(r.get("report_id"))
        ri = ReportItems(key, e.etag, rid, r.get("report_index"), r.get("body"), r.get("year"), r.get("title"),
                         str(r.get("status")), r.get("docs_page"), file_type=_file_type(key))
        for f in by_report.get(rid, []):
            k = kind_of(f)
            if k is None or (dismissed is not None and dismissed(f)):
                continue
            ri.items.append(Item(k, content_key(f, e.etag), finding=f))
        if r.get("status") == UNREADABLE:
            limits = (r.get("summary") or {}).get("read_limited") or []
            ri.items.append(Item(UNREAD, _unread_key(rid, e.etag), reason="; ".join(limits)))
        yield ri


def _unread_key(rid: str, etag: str | None) -> str:
    return hashlib.sha1(f"unreadable|{rid}|{etag or ''}".encode()).hexdigest()[:20]


def state_items(state: AuditState, dismissed: Any = None) -> Iterator[ReportItems]:
    for key, e in state.entries():
        yield from report_items(key, e, dismissed)
