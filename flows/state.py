"""The incremental-audit state: what was audited, at which ETag/version, and what it found.

One JSON document per source (in object storage next to the source, or a local file). Keyed by object
key; each entry keeps its reports (body, year, format) and findings with their stable ids, so later
work can find a body's previous year (cross-year checks) and diff findings between runs (alerts
without duplicates). The schema is versioned; a document of an unknown version is refused, never
silently reinterpreted.
"""

from __future__ import annotations

import functools
import hashlib
import json
import time
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from flows.storage import ObjectInfo, StorageError, Store

SCHEMA = "nianbao-audit-state/1"

# Object statuses. ``error`` = could not be fetched this time: kept without an ETag so the next run
# tries again; ``unreadable`` = fetched but not a readable report (kept with its ETag: re-reading the
# same bytes would give the same answer).
PASSED, FAILED, UNREADABLE, ERROR = "passed", "failed", "unreadable", "error"
WARNED, NOT_CHECKED = "warned", "not_checked"  # warnings only / a table the rules could not check
# Worst first: an object's status is the worst of its reports'.
REPORT_ORDER = (FAILED, UNREADABLE, NOT_CHECKED, WARNED, PASSED)


class StateError(Exception):
    pass


class StateDamaged(StateError):
    """The state document exists but cannot be used (not JSON, wrong shape). ``--reset-state`` moves
    it aside and starts a new one."""

    def __init__(self, url: str, what: str):
        super().__init__(f"{url}: damaged state document ({what}); to start over run again with "
                         f"--reset-state (it is kept as {url.rsplit('/', 1)[-1]}.damaged-<time>) "
                         f"and every object is audited again")
        self.url = url
        self.what = what


ENTRY_KEYS = ("etag", "size", "status")


def check_shape(d: Any) -> str | None:
    """What is wrong with the shape of a parsed state document (None when it is usable)."""
    if not isinstance(d, dict):
        return f"a JSON {type(d).__name__}, not an object"
    if d.get("schema") != SCHEMA:
        return None  # refused by from_dict with its own message
    if not isinstance(d.get("source"), str):
        return "no \"source\""
    objs = d.get("objects", {})
    if not isinstance(objs, dict):
        return f"\"objects\" is a {type(objs).__name__}, not an object"
    for k, v in objs.items():
        if not isinstance(v, dict):
            return f"object {k!r} is a {type(v).__name__}, not an object"
        missing = [m for m in ENTRY_KEYS if m not in v]
        if missing:
            return f"object {k!r} has no {', '.join(missing)}"
        for name in ("reports", "findings"):
            if not isinstance(v.get(name) or [], list) or not all(isinstance(x, dict) for x in v.get(name) or []):
                return f"object {k!r}: {name} is not a list of objects"
    return None


@dataclass(slots=True)
class ObjectEntry:
    key: str
    etag: str | None
    size: int
    status: str
    version_id: str | None = None
    last_modified: str | None = None
    audited_at: str | None = None
    run_id: str | None = None
    reason: str | None = None
    reports: list[dict[str, Any]] = field(default_factory=list)  # per report: id, body, year, status, docs
    findings: list[dict[str, Any]] = field(default_factory=list)  # Finding JSON, each with a stable "id"
    # Set when the object could not be fetched on a later run: its last good result (reports, findings,
    # docs pages) is kept and marked {"reason", "at", "since", "run_id"}; it is fetched again next run.
    # Documents written before this field existed load as None.
    stale: dict[str, Any] | None = None
    # The cell-store shard holding this object's cells (flows.cells); None in states written before
    # shards (their per-object document is read) or when the cells could not be stored.
    cells: str | None = None

    def to_dict(self) -> dict[str, Any]:
        return {k: getattr(self, k) for k in self.__slots__ if k != "key"}

    @classmethod
    def from_dict(cls, key: str, d: dict[str, Any]) -> ObjectEntry:
        return cls(key=key, **{k: d.get(k) for k in cls.__slots__ if k != "key" and k in d})

    @property
    def finding_ids(self) -> list[str]:
        return [f["id"] for f in self.findings if "id" in f]


@dataclass(slots=True)
class AuditState:
    source: str
    engine: str | None = None  # fingerprint of the parsers and rules that produced the findings
    objects: dict[str, ObjectEntry] = field(default_factory=dict)
    last_run_id: str | None = None
    updated_at: str | None = None

    # ----------------------------------------------------------------- change detection
    def is_current(self, info: ObjectInfo) -> bool:
        e = self.objects.get(info.key)
        return (e is not None and e.etag is not None and not e.stale and e.etag == info.etag
                and e.size == info.size)

    def diff(self, listed: Iterable[ObjectInfo], *, full: bool = False) -> tuple[list[ObjectInfo], list[str], list[str]]:
        """(to audit, unchanged keys, deleted keys) for a listing."""
        todo, same, seen = [], [], set()
        for info in listed:
            seen.add(info.key)
            if not full and self.is_current(info):
                same.append(info.key)
            else:
                todo.append(info)
        deleted = sorted(k for k in self.objects if k not in seen)
        return todo, same, deleted

    # ----------------------------------------------------------------- queries
    def reports(self) -> Iterator[tuple[str, dict[str, Any]]]:
        for key, e in self.objects.items():
            for r in e.reports:
                yield key, r

    def find_reports(self, body: str, year: int | None = None) -> list[tuple[str, dict[str, Any]]]:
        """Reports of ``body`` (and ``year``): the lookup cross-year checks need."""
        return [(k, r) for k, r in self.reports() if r.get("body") == body and (year is None or r.get("year") == year)]

    def findings(self) -> list[dict[str, Any]]:
        return [f for e in self.objects.values() for f in e.findings]

    # ----------------------------------------------------------------- (de)serialisation
    def to_dict(self) -> dict[str, Any]:
        return {"schema": SCHEMA, "source": self.source, "engine": self.engine, "last_run_id": self.last_run_id,
                "updated_at": self.updated_at,
                "objects": {k: e.to_dict() for k, e in sorted(self.objects.items())}}

    @classmethod
    def from_dict(cls, d: dict[str, Any]) -> AuditState:
        if d.get("schema") != SCHEMA:
            raise StateError(f"state document has schema {d.get('schema')!r}, expected {SCHEMA!r}")
        return cls(source=d["source"], engine=d.get("engine"), last_run_id=d.get("last_run_id"),
                   updated_at=d.get("updated_at"),
                   objects={k: ObjectEntry.from_dict(k, v) for k, v in d.get("objects", {}).items()})


def where(store: Store, key: str) -> str:
    """The document as the user names it: s3://bucket/key, or a path."""
    url_s3 = getattr(store, "url_s3", None)
    if url_s3 is not None:
        return url_s3(key)
    path = getattr(store, "_path", None)
    return str(path(key)) if path is not None else store.url(key)


def load_state(store: Store, key: str, source: str) -> AuditState:
    """The saved state, or an empty one on the first run. A state written for another source is
    refused (two sources sharing one state file would delete each other's entries)."""
    if store.head(key) is None:
        return AuditState(source=source)
    data, _ = store.get(key)
    try:
        doc = json.loads(data)
    except ValueError as e:
        raise StateDamaged(where(store, key), f"not JSON: {e}") from None
    wrong = check_shape(doc)
    if wrong:
        raise StateDamaged(where(store, key), wrong)
    try:
        st = AuditState.from_dict(doc)
    except (KeyError, TypeError, AttributeError) as e:
        raise StateDamaged(where(store, key), f"{type(e).__name__}: {e}") from None
    if st.source != source:
        raise StateError(f"{where(store, key)} is the state of {st.source}, not of {source}")
    return st


def move_aside(store: Store, key: str, damaged: bool = True) -> str:
    """Keep the state document as ``<key>.damaged-<time>`` (``.reset-<time>`` when it was readable)
    and remove it, so the next load starts a new state. Returns the new key."""
    stamp = time.strftime("%Y%m%dT%H%M%SZ", time.gmtime())
    new = f"{key}.{'damaged' if damaged else 'reset'}-{stamp}"
    try:
        store.copy(key, new)
        store.delete([key])
    except (StorageError, OSError) as e:
        raise StateError(f"cannot move the state {where(store, key)} aside: {e}") from e
    return new


def save_state(store: Store, key: str, state: AuditState) -> None:
    """One PUT (S3) or write-then-rename (local): a crash leaves the old document or the new one."""
    from flows.faults import checkpoint
    from flows.storage import LocalStore

    state.updated_at = time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime())
    data = json.dumps(state.to_dict(), ensure_ascii=False, separators=(",", ":"), default=str).encode("utf-8")
    checkpoint("state-before")
    try:
        if isinstance(store, LocalStore):
            store.put(key, data, "application/json; charset=utf-8", before_replace=lambda: checkpoint("state-tmp"))
        else:
            store.put(key, data, "application/json; charset=utf-8")
    except StorageError as e:
        raise StateError(f"cannot save the audit state: {e}") from e
    checkpoint("state-saved")


@functools.cache
def engine_fingerprint() -> str:
    """Hash of the parser and rule sources: when they change, every object is audited again.

    ``NIANBAO_ENGINE_FINGERPRINT`` overrides it (pin it when the sources differ only cosmetically
    between the machines that share one state)."""
    import os

    pinned = os.environ.get("NIANBAO_ENGINE_FINGERPRINT")
    if pinned:
        return pinned
    root = Path(__file__).resolve().parent.parent
    h = hashlib.sha256()
    for pkg in ("parsers", "expectations"):
        for p in sorted((root / pkg).rglob("*")):
            if p.is_file() and p.suffix in (".py", ".yaml", ".yml", ".json") and "__pycache__" not in p.parts:
                h.update(p.relative_to(root).as_posix().encode())
                h.update(p.read_bytes())
    return h.hexdigest()[:16]
