"""The incremental-audit state: what was audited, at which ETag/version, and what it found.

One state per source (in object storage next to the source, or a local folder). Keyed by object key;
each entry keeps its reports (body, year, format) and findings with their stable ids, so later work
can find a body's previous year (cross-year checks) and diff findings between runs (alerts without
duplicates). The schema is versioned; a document of an unknown version is refused, never silently
reinterpreted.

Stored sharded (schema 2): the document at the state's key is a small manifest naming shards
``<key>.objects/<sha>.jsonl.gz``, each the entries of the keys that hash to it, one JSON object per
line, gzip. Shards are named by their content, so a save writes only the shards that changed and the
manifest (one PUT: the commit point; a crash leaves the old state or the new one); shards no manifest
names are deleted after. Neither saving nor loading holds more than one shard's text at a time.
Schema 1 (one document with every entry inline) is still read; the next save writes schema 2.
"""

from __future__ import annotations

import contextlib
import functools
import hashlib
import json
import sys
import time
import zlib
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from flows.jsonbytes import compact
from flows.storage import ObjectInfo, StorageError, Store

SCHEMA = "nianbao-audit-state/2"
SCHEMA_V1 = "nianbao-audit-state/1"
SHARD_OBJECTS = 2000  # about this many entries per shard (a power-of-two number of shards)

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


def entry_problem(k: str, v: Any) -> str | None:
    """What is wrong with one entry's JSON (None when it is usable)."""
    if not isinstance(v, dict):
        return f"object {k!r} is a {type(v).__name__}, not an object"
    missing = [m for m in ENTRY_KEYS if m not in v]
    if missing:
        return f"object {k!r} has no {', '.join(missing)}"
    for name in ("reports", "findings"):
        if not isinstance(v.get(name) or [], list) or not all(isinstance(x, dict) for x in v.get(name) or []):
            return f"object {k!r}: {name} is not a list of objects"
    return None


def check_shape(d: Any) -> str | None:
    """What is wrong with the shape of a parsed state document (None when it is usable)."""
    if not isinstance(d, dict):
        return f"a JSON {type(d).__name__}, not an object"
    if d.get("schema") not in (SCHEMA, SCHEMA_V1):
        return None  # refused by load_state with its own message
    if not isinstance(d.get("source"), str):
        return "no \"source\""
    if d["schema"] == SCHEMA:
        shards = d.get("shards")
        if not isinstance(shards, list) or not shards or not all(
                x is None or (isinstance(x, dict) and isinstance(x.get("name"), str) and isinstance(x.get("sha256"), str))
                for x in shards):
            return "\"shards\" is not a list of {name, sha256} (or null)"
        return None
    objs = d.get("objects", {})
    if not isinstance(objs, dict):
        return f"\"objects\" is a {type(objs).__name__}, not an object"
    for k, v in objs.items():
        wrong = entry_problem(k, v)
        if wrong:
            return wrong
    return None


# An entry's fields other than its reports and findings (kept decoded: what listing, planning and
# summaries read), in the order they are written.
FIELDS = ("etag", "size", "status", "version_id", "last_modified", "audited_at", "run_id", "reason", "stale",
          "cells")


SHARED = {"status", "run_id", "cells", "audited_at", "last_modified"}  # few values, shared by many entries


class ObjectEntry:
    """One object of the source: its ETag/size/status and its reports and findings.

    ``reports`` and ``findings`` are held packed (zlib of their JSON, ~1/6 of the text and ~1/30 of the
    decoded lists) and decoded on first use: 100,000 decoded entries take ~2 GB, packed ~0.3 GB. An
    entry stays open (decoded) until ``pack()`` (keeps changes) or ``release()`` (drops them: only
    after reading); ``AuditState.entries`` does that for whole-state passes.

    Other fields: ``stale`` is set when the object could not be fetched on a later run (its last good
    result is kept, marked {"reason", "at", "since", "run_id"}; fetched again next run); ``cells`` names
    the cell-store shard holding its cells (flows.cells), None in states written before shards or when
    the cells could not be stored."""

    __slots__ = ("key", *FIELDS, "_packed", "_reports", "_findings")

    def __init__(self, key: str, etag: str | None, size: int, status: str, version_id: str | None = None,
                 last_modified: str | None = None, audited_at: str | None = None, run_id: str | None = None,
                 reason: str | None = None, reports: list[dict[str, Any]] | None = None,
                 findings: list[dict[str, Any]] | None = None, stale: dict[str, Any] | None = None,
                 cells: str | None = None):
        self.key, self.etag, self.size, self.status = key, etag, size, status
        self.version_id, self.last_modified, self.audited_at, self.run_id = version_id, last_modified, audited_at, run_id
        self.reason, self.stale, self.cells = reason, stale, cells
        self._packed: bytes | None = None
        self._reports: list[dict[str, Any]] | None = list(reports or [])
        self._findings: list[dict[str, Any]] | None = list(findings or [])

    # ----------------------------------------------------------------- packed payload
    @property
    def reports(self) -> list[dict[str, Any]]:  # per report: id, body, year, status, docs
        self._open()
        return self._reports  # type: ignore[return-value]

    @reports.setter
    def reports(self, value: list[dict[str, Any]]) -> None:
        self._open()
        self._reports = list(value)

    @property
    def findings(self) -> list[dict[str, Any]]:  # Finding JSON, each with a stable "id"
        self._open()
        return self._findings  # type: ignore[return-value]

    @findings.setter
    def findings(self, value: list[dict[str, Any]]) -> None:
        self._open()
        self._findings = list(value)

    @property
    def is_open(self) -> bool:
        return self._reports is not None

    def _open(self) -> None:
        if self._reports is None:
            d = json.loads(zlib.decompress(self._packed)) if self._packed else {}
            self._reports, self._findings = list(d.get("reports") or []), list(d.get("findings") or [])

    def payload(self) -> bytes:
        """``{"reports":[...],"findings":[...]}`` as compact JSON (UTF-8), open or packed."""
        if self._reports is None and self._packed is not None:
            return zlib.decompress(self._packed)
        return compact({"reports": self.reports, "findings": self.findings})

    def pack(self) -> ObjectEntry:
        """Encode the open reports and findings (with any change made to them) and drop the lists."""
        if self._reports is not None:
            self._packed = zlib.compress(self.payload(), 1)
            self._reports = self._findings = None
        return self

    @contextlib.contextmanager
    def visit(self, write: bool = False) -> Iterator[ObjectEntry]:
        """The entry, open for the block and packed again after it (``write``: keeping what the block
        changed; else dropped), unless it was open before."""
        was_open = self.is_open
        try:
            yield self
        finally:
            if not was_open:
                if write:
                    self.pack()
                else:
                    self.release()

    def release(self) -> None:
        """Drop the decoded lists of a packed entry without encoding them again (changes are lost)."""
        if self._packed is not None:
            self._reports = self._findings = None

    @classmethod
    def packed(cls, key: str, meta: dict[str, Any], payload: bytes) -> ObjectEntry:
        e = cls(key=key, **{k: sys.intern(v) if k in SHARED and isinstance(v := meta.get(k), str) else meta.get(k)
                            for k in FIELDS if k in meta})  # type: ignore[arg-type]
        e._packed = zlib.compress(payload, 1)
        e._reports = e._findings = None
        return e

    # ----------------------------------------------------------------- dicts
    def meta(self) -> dict[str, Any]:
        return {k: getattr(self, k) for k in FIELDS}

    def to_dict(self) -> dict[str, Any]:
        return {**self.meta(), "reports": self.reports, "findings": self.findings}

    @classmethod
    def from_dict(cls, key: str, d: dict[str, Any]) -> ObjectEntry:
        return cls(key=key, **{k: d.get(k) for k in (*FIELDS, "reports", "findings") if k in d})

    def __eq__(self, other: object) -> bool:
        return isinstance(other, ObjectEntry) and self.key == other.key and self.to_dict() == other.to_dict()

    __hash__ = None  # type: ignore[assignment]

    def __repr__(self) -> str:
        return f"ObjectEntry({self.key!r}, {self.etag!r}, {self.size!r}, {self.status!r})"

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
    # sha256 of each shard as loaded or last saved (None: a new state or one read from schema 1)
    shards: list[str | None] | None = None

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
    def entries(self, *, write: bool = False, sort: bool = True) -> Iterator[tuple[str, ObjectEntry]]:
        """(key, entry) of every object, each entry open while it is visited and packed again after
        (``write``: keeping what the visitor changed in its reports or findings; else dropped), so a
        pass over 100,000 entries holds one decoded entry at a time. Entries open before stay open."""
        for key in sorted(self.objects) if sort else list(self.objects):
            e = self.objects.get(key)
            if e is None:
                continue
            with e.visit(write):
                yield key, e

    def reports(self) -> Iterator[tuple[str, dict[str, Any]]]:
        for key, e in self.entries(sort=False):
            for r in e.reports:
                yield key, r

    def find_reports(self, body: str, year: int | None = None) -> list[tuple[str, dict[str, Any]]]:
        """Reports of ``body`` (and ``year``): the lookup cross-year checks need."""
        return [(k, r) for k, r in self.reports() if r.get("body") == body and (year is None or r.get("year") == year)]

    def findings(self) -> Iterator[dict[str, Any]]:
        for _, e in self.entries():
            yield from e.findings

    # ----------------------------------------------------------------- (de)serialisation
    def to_dict(self) -> dict[str, Any]:
        """The whole state as one document (schema 1's shape; tests and small tools: it holds every
        entry decoded)."""
        return {"schema": SCHEMA_V1, "source": self.source, "engine": self.engine, "last_run_id": self.last_run_id,
                "updated_at": self.updated_at,
                "objects": {k: e.to_dict() for k, e in self.entries()}}

    @classmethod
    def from_dict(cls, d: dict[str, Any]) -> AuditState:
        if d.get("schema") != SCHEMA_V1:
            raise StateError(f"state document has schema {d.get('schema')!r}, expected {SCHEMA!r}")
        return cls(source=d["source"], engine=d.get("engine"), last_run_id=d.get("last_run_id"),
                   updated_at=d.get("updated_at"),
                   objects={k: ObjectEntry.from_dict(k, v).pack() for k, v in d.get("objects", {}).items()})


def where(store: Store, key: str) -> str:
    """The document as the user names it: s3://bucket/key, or a path."""
    url_s3 = getattr(store, "url_s3", None)
    if url_s3 is not None:
        return url_s3(key)
    path = getattr(store, "_path", None)
    return str(path(key)) if path is not None else store.url(key)


def shard_prefix(key: str) -> str:
    return f"{key}.objects/"


def bucket_of(key: str, n: int) -> int:
    return zlib.crc32(key.encode("utf-8")) % n


def shard_count(objects: int) -> int:
    n = 1
    while n * SHARD_OBJECTS < objects:
        n *= 2
    return n


PAYLOAD_MARK = b',"reports":'


def entry_line(e: ObjectEntry) -> bytes:
    """One shard line: the entry's fields, then its reports and findings (copied from the packed
    payload without decoding it)."""
    return compact({"key": e.key, **e.meta()})[:-1] + b"," + e.payload()[1:-1] + b"}"


def parse_line(line: bytes, url: str, shard: str) -> ObjectEntry:
    """An entry from a shard line. Lines as ``entry_line`` writes them are split at their reports: the
    fields are parsed, the reports and findings text is packed as it is (the shard's sha256, checked
    before, vouches for it). Other lines are parsed whole."""
    line = line.rstrip()
    i = line.find(PAYLOAD_MARK)
    try:
        if i > 0 and line.endswith(b"}"):
            d = json.loads(line[:i] + b"}")
            payload = b"{" + line[i + 1:-1] + b"}"
        else:
            d = json.loads(line)
            payload = None
    except ValueError as e:
        raise StateDamaged(url, f"a line of its shard {shard} is not JSON: {e}") from None
    key = d.get("key") if isinstance(d, dict) else None
    if not isinstance(key, str):
        raise StateDamaged(url, f"an entry of its shard {shard} has no \"key\"")
    wrong = entry_problem(key, d)
    if wrong:
        raise StateDamaged(url, f"shard {shard}: {wrong}")
    if payload is None:
        payload = compact({"reports": d.get("reports") or [], "findings": d.get("findings") or []})
    return ObjectEntry.packed(key, d, payload)


def _read_manifest(store: Store, key: str) -> dict[str, Any] | None:
    if store.head(key) is None:
        return None
    data, _ = store.get(key)
    try:
        doc = json.loads(data)
    except ValueError as e:
        raise StateDamaged(where(store, key), f"not JSON: {e}") from None
    wrong = check_shape(doc)
    if wrong:
        raise StateDamaged(where(store, key), wrong)
    if doc.get("schema") not in (SCHEMA, SCHEMA_V1):
        raise StateError(f"{where(store, key)}: state document has schema {doc.get('schema')!r}, expected {SCHEMA!r}")
    return doc


def _shard_entries(store: Store, key: str, shard: dict[str, Any]) -> Iterator[ObjectEntry]:
    import gzip

    url, name = where(store, key), shard["name"]
    try:
        data, _ = store.get(shard_prefix(key) + name)
    except StorageError as e:
        raise StateDamaged(url, f"its shard {name} cannot be read: {e.reason}") from None
    try:
        text = gzip.decompress(data)
    except (OSError, EOFError) as e:
        raise StateDamaged(url, f"its shard {name} is not gzip: {e}") from None
    del data
    if hashlib.sha256(text).hexdigest() != shard["sha256"]:
        raise StateDamaged(url, f"its shard {name} does not match the sha256 the manifest gives")
    for line in text.splitlines():
        if line.strip():
            yield parse_line(line, url, name)


def load_state(store: Store, key: str, source: str) -> AuditState:
    """The saved state, or an empty one on the first run. A state written for another source is
    refused (two sources sharing one state file would delete each other's entries)."""
    from concurrent.futures import ThreadPoolExecutor

    doc = _read_manifest(store, key)
    if doc is None:
        return AuditState(source=source)
    if doc["source"] != source:
        raise StateError(f"{where(store, key)} is the state of {doc['source']}, not of {source}")
    if doc["schema"] == SCHEMA_V1:
        try:
            st = AuditState.from_dict(doc)
        except (KeyError, TypeError, AttributeError) as e:
            raise StateDamaged(where(store, key), f"{type(e).__name__}: {e}") from None
        st.shards = None
        return st
    st = AuditState(source=doc["source"], engine=doc.get("engine"), last_run_id=doc.get("last_run_id"),
                    updated_at=doc.get("updated_at"))
    shards = doc["shards"]
    with ThreadPoolExecutor(8) as pool:  # fetched ahead, decoded one at a time
        for entries in pool.map(lambda sh: list(_shard_entries(store, key, sh)) if sh else [], shards):
            for e in entries:
                st.objects[e.key] = e
    st.shards = [sh.get("sha256") if sh else None for sh in shards]
    return st


def read_document(store: Store, key: str) -> dict[str, Any] | None:
    """The state as one schema-1-shaped dict (every entry decoded): for tests and small tools."""
    doc = _read_manifest(store, key)
    if doc is None:
        return None
    return load_state(store, key, doc["source"]).to_dict()


def move_aside(store: Store, key: str, damaged: bool = True) -> str:
    """Keep the state document as ``<key>.damaged-<time>`` (``.reset-<time>`` when it was readable)
    with its shards, and remove it, so the next load starts a new state. Returns the new key."""
    stamp = time.strftime("%Y%m%dT%H%M%SZ", time.gmtime())
    new = f"{key}.{'damaged' if damaged else 'reset'}-{stamp}"
    try:
        store.copy(key, new)
        for info in list(store.list(shard_prefix(key))):
            store.copy(info.key, shard_prefix(new) + info.key[len(shard_prefix(key)):])
        store.delete([key])
    except (StorageError, OSError) as e:
        raise StateError(f"cannot move the state {where(store, key)} aside: {e}") from e
    return new


def save_state(store: Store, key: str, state: AuditState) -> dict[str, Any]:
    """Shards that changed, then the manifest (one PUT, or write-then-rename locally): a crash leaves
    the old state or the new one. Returns what was written ({"shards", "written", "bytes"})."""
    import gzip

    from flows.faults import checkpoint
    from flows.storage import LocalStore

    state.updated_at = time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime())
    n = shard_count(len(state.objects))
    old = state.shards if state.shards is not None and len(state.shards) == n else None
    buckets: list[list[str]] = [[] for _ in range(n)]
    for k in state.objects:
        buckets[bucket_of(k, n)].append(k)
    shards: list[dict[str, Any] | None] = []
    written = total = 0
    checkpoint("state-before")
    try:
        for i, keys in enumerate(buckets):
            if not keys:
                shards.append(None)
                continue
            text = b"\n".join(entry_line(state.objects[k]) for k in sorted(keys)) + b"\n"
            sha = hashlib.sha256(text).hexdigest()
            name = f"{sha[:32]}.jsonl.gz"
            if not (old and old[i] == sha and store.head(shard_prefix(key) + name) is not None):
                data = gzip.compress(text, 1, mtime=0)
                store.put(shard_prefix(key) + name, data, "application/gzip")
                written += 1
                total += len(data)
            shards.append({"name": name, "sha256": sha, "objects": len(keys), "bytes": len(text)})
            del text
        doc = {"schema": SCHEMA, "source": state.source, "engine": state.engine, "last_run_id": state.last_run_id,
               "updated_at": state.updated_at, "count": len(state.objects), "shards": shards}
        data = json.dumps(doc, ensure_ascii=False, indent=1).encode("utf-8")
        if isinstance(store, LocalStore):
            store.put(key, data, "application/json; charset=utf-8", before_replace=lambda: checkpoint("state-tmp"))
        else:
            store.put(key, data, "application/json; charset=utf-8")
    except StorageError as e:
        raise StateError(f"cannot save the audit state: {e}") from e
    state.shards = [sh["sha256"] if sh else None for sh in shards]
    checkpoint("state-saved")
    return {"shards": sum(1 for sh in shards if sh), "written": written, "bytes": total + len(data)}


def gc_shards(store: Store, key: str, state: AuditState) -> int:
    """Shard files the saved manifest does not name (replaced by a later save)."""
    if state.shards is None:
        return 0
    keep = {f"{sha[:32]}.jsonl.gz" for sha in state.shards if sha}
    prefix = shard_prefix(key)
    stale = [i.key for i in store.list(prefix) if "/" not in i.key[len(prefix):] and i.key[len(prefix):] not in keep]
    if stale:
        store.delete(stale)
    return len(stale)


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
