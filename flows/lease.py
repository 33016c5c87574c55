"""A lease on the state document: one audit of a source at a time.

Two audits of one source at once (a nightly run overlapping a manual one) would each publish their
own view and delete the other's Data Docs pages. The run that holds the lease writes; any other
refuses before doing anything, naming the holder and how to break the lease.

The lock is a small JSON document next to the state, ``<state>.lock``:
``{"run_id", "host", "pid", "pid_start", "started", "renewed", "expires"}``.

- Local file: created atomically and complete (written aside, then hard-linked to the lock's name,
  which fails when it exists; ``O_CREAT|O_EXCL`` where links are not supported). A lock whose process is gone (same host, pid
  not alive or reused) or whose ``expires`` has passed is taken over, with a note.
- S3: created with a conditional PUT (``If-None-Match: *``; AWS, MinIO, SeaweedFS and moto honour
  it), taken over / renewed / released with ``If-Match: <etag>``. A store that rejects the headers
  falls back to put-then-read-back (the run whose id is read back holds the lease).

The holder renews ``expires`` (heartbeat thread) every ``min(ttl/3, 10 min)``; a run killed with
SIGKILL leaves its lock until it expires (``NIANBAO_LEASE_TTL`` seconds, 6 h by default) or, on the
same host, until its pid is seen dead. Plain functions and classes: no Prefect here.
"""

from __future__ import annotations

import contextlib
import json
import os
import socket
import threading
import time
import uuid
from collections.abc import Callable
from dataclasses import asdict, dataclass
from datetime import UTC, datetime
from typing import Any

from flows.storage import LocalStore, StorageError, Store, call_with_retries

SUFFIX = ".lock"
DEFAULT_TTL = 6 * 3600.0
ENV_TTL = "NIANBAO_LEASE_TTL"
MAX_RENEW_INTERVAL = 600.0


def lease_ttl() -> float:
    v = os.environ.get(ENV_TTL)
    try:
        return max(1.0, float(v)) if v else DEFAULT_TTL
    except ValueError:
        return DEFAULT_TTL


def lock_key(state_key: str) -> str:
    return state_key + SUFFIX


def _iso(t: float) -> str:
    return time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime(t))


def _epoch(s: str | None) -> float | None:
    if not s:
        return None
    try:
        return datetime.fromisoformat(s.replace("Z", "+00:00")).astimezone(UTC).timestamp()
    except ValueError:
        return None


def pid_start(pid: int) -> str | None:
    """The start time of ``pid`` in clock ticks since boot (``/proc/<pid>/stat`` field 22): with the
    pid it names one process, even after the pid is reused."""
    try:
        with open(f"/proc/{pid}/stat", encoding="ascii", errors="replace") as f:
            return f.read().rsplit(")", 1)[1].split()[19]
    except (OSError, IndexError):
        return None


def pid_alive(pid: int, start: str | None = None) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        pass
    except OSError:
        return False
    if start is not None:
        now = pid_start(pid)
        if now is not None and now != start:
            return False  # the pid was reused by another process
    return True


@dataclass(slots=True)
class Holder:
    run_id: str
    host: str
    pid: int
    started: str
    expires: str
    renewed: str | None = None
    pid_start: str | None = None

    @classmethod
    def new(cls, run_id: str, ttl: float) -> Holder:
        t = time.time()
        return cls(run_id, socket.gethostname(), os.getpid(), _iso(t), _iso(t + ttl), _iso(t), pid_start(os.getpid()))

    @classmethod
    def parse(cls, data: bytes) -> Holder:
        """A lock document; one that cannot be read counts as expired (it protects nothing)."""
        try:
            d = json.loads(data)
            return cls(str(d["run_id"]), str(d.get("host") or "?"), int(d.get("pid") or 0), str(d.get("started") or "?"),
                       str(d.get("expires") or ""), d.get("renewed"), d.get("pid_start"))
        except (ValueError, KeyError, TypeError):
            return cls("?", "?", 0, "?", "", None, None)

    def to_bytes(self) -> bytes:
        return json.dumps(asdict(self), indent=1).encode("utf-8")

    def expired(self, now: float | None = None) -> bool:
        e = _epoch(self.expires)
        return e is None or e <= (time.time() if now is None else now)

    def dead_here(self) -> bool:
        """Same host, and its process is gone."""
        return self.host == socket.gethostname() and self.pid > 0 and not pid_alive(self.pid, self.pid_start)

    def why_stale(self) -> str | None:
        if self.expired():
            return f"it expired at {self.expires or '?'}"
        if self.dead_here():
            return f"its process {self.pid} on {self.host} is gone"
        return None

    def describe(self) -> str:
        return f"run {self.run_id} (host {self.host}, pid {self.pid}, since {self.started}, expires {self.expires})"


class LeaseError(RuntimeError):
    pass


class LeaseHeld(LeaseError):
    """Another live run holds the lease: this run must not start."""

    def __init__(self, url: str, holder: Holder):
        self.url = url
        self.holder = holder
        super().__init__(f"another audit of this source is running: {url} is held by {holder.describe()}; "
                         f"wait for it to finish, or if that run is dead, break the lease with --break-lease "
                         f"(or delete {url})")


class LeaseLost(LeaseError):
    """The lease of this run was broken or taken over while it ran: it must not publish."""


# ------------------------------------------------------------------------------------------ backends
class _Exists(Exception):
    pass


class _Changed(Exception):
    pass


class _LocalLock:
    def __init__(self, store: LocalStore, key: str):
        self.path = store._path(key)
        self.url = str(self.path)

    def read(self) -> tuple[Holder, Any] | None:
        try:
            data = self.path.read_bytes()
        except FileNotFoundError:
            return None
        except OSError as e:
            raise LeaseError(f"cannot read the lease {self.url}: {e.strerror or e}") from e
        return Holder.parse(data), data

    def create(self, h: Holder) -> Any:
        """Atomic and complete: the document is written to a temporary file, then hard-linked to the
        lock's name (fails when it exists), so no reader ever sees a half-written lock. Where hard links
        are not supported, ``O_CREAT|O_EXCL``."""
        self.path.parent.mkdir(parents=True, exist_ok=True)
        data = h.to_bytes()
        tmp = self.path.with_name(f".{self.path.name}.{uuid.uuid4().hex[:8]}.tmp")
        _create(tmp, data)
        try:
            os.link(tmp, self.path)
        except FileExistsError:
            raise _Exists() from None
        except OSError:  # no hard links here
            try:
                _create(self.path, data)
            except FileExistsError:
                raise _Exists() from None
        finally:
            tmp.unlink(missing_ok=True)
        return data

    def replace(self, h: Holder, token: Any) -> Any:
        """Write ``h`` if the lock still holds ``token`` (what we read or wrote last)."""
        now = self.read()
        if now is None or now[1] != token:
            raise _Changed()
        data = h.to_bytes()
        tmp = self.path.with_name(f".{self.path.name}.{uuid.uuid4().hex[:8]}.tmp")
        tmp.write_bytes(data)
        os.replace(tmp, self.path)
        return data

    def take_over(self, h: Holder, token: Any) -> Any:
        """Remove the stale lock we read (only if it is still that one) and create ours."""
        aside = self.path.with_name(f".{self.path.name}.stale-{uuid.uuid4().hex[:8]}")
        try:
            os.rename(self.path, aside)
        except FileNotFoundError:
            return self.create(h)  # someone removed it: race for a fresh create
        try:
            if aside.read_bytes() != token:  # we moved a lock another run just took: put it back
                with contextlib.suppress(FileExistsError):
                    os.link(aside, self.path)
                raise _Changed()
        finally:
            aside.unlink(missing_ok=True)
        return self.create(h)

    def delete(self, token: Any) -> bool:
        now = self.read()
        if now is None or (token is not None and now[1] != token):
            return False
        self.path.unlink(missing_ok=True)
        return True


class _S3Lock:
    def __init__(self, store: Any, key: str):
        self.store = store
        self.client = store.client
        self.bucket = store.bucket
        self.key = store._full(key)
        self.url = store.url_s3(key)
        self.retry = store.retry
        self.conditional = True  # until the store says it does not know the headers

    @staticmethod
    def _code(e: BaseException) -> tuple[str, int]:
        from botocore.exceptions import ClientError

        if isinstance(e, ClientError):
            return (str(e.response.get("Error", {}).get("Code", "")),
                    int(e.response.get("ResponseMetadata", {}).get("HTTPStatusCode") or 0))
        return "", 0

    def _call(self, fn: Callable[[], Any]) -> Any:
        try:
            return call_with_retries(fn, self.retry, self.url)
        except StorageError as e:
            code, status = self._code(e.__cause__) if e.__cause__ else ("", 0)
            if status == 412 or code in ("PreconditionFailed", "ConditionalRequestConflict") or status == 409:
                raise _Changed() from None
            if status == 501 or code in ("NotImplemented",):
                raise NotImplementedError(e.reason) from None
            raise LeaseError(f"lease {self.url}: {e.reason}") from None

    def read(self) -> tuple[Holder, Any] | None:
        from botocore.exceptions import ClientError

        def once() -> Any:
            try:
                return self.client.get_object(Bucket=self.bucket, Key=self.key)
            except ClientError as e:
                if e.response.get("ResponseMetadata", {}).get("HTTPStatusCode") == 404:
                    return None
                raise
        r = self._call(once)
        if r is None:
            return None
        return Holder.parse(r["Body"].read()), r["ETag"]

    def _put(self, h: Holder, **cond: str) -> Any:
        kw = {"Bucket": self.bucket, "Key": self.key, "Body": h.to_bytes(), "ContentType": "application/json"}
        if self.conditional:
            try:
                return self._call(lambda: self.client.put_object(**kw, **cond))["ETag"]
            except NotImplementedError:
                self.conditional = False
        if cond.get("IfNoneMatch") and self.read() is not None:
            raise _Exists()
        etag = self._call(lambda: self.client.put_object(**kw))["ETag"]
        got = self.read()  # without conditions: the run read back holds it
        if got is None or got[0].run_id != h.run_id:
            raise _Changed()
        return etag

    def create(self, h: Holder) -> Any:
        try:
            return self._put(h, IfNoneMatch="*")
        except _Changed:
            got = self.read()  # a lost answer to our own first attempt, retried, also ends here
            if got is not None and got[0].run_id == h.run_id:
                return got[1]
            raise _Exists() from None

    def replace(self, h: Holder, token: Any) -> Any:
        return self._put(h, IfMatch=token)

    def take_over(self, h: Holder, token: Any) -> Any:
        return self._put(h, IfMatch=token)

    def delete(self, token: Any) -> bool:
        if token is not None and self.conditional:
            try:
                self._call(lambda: self.client.delete_object(Bucket=self.bucket, Key=self.key, IfMatch=token))
                return True
            except _Changed:
                return False
            except NotImplementedError:
                self.conditional = False
        now = self.read()
        if now is None or (token is not None and now[1] != token):
            return False
        self._call(lambda: self.client.delete_object(Bucket=self.bucket, Key=self.key))
        return True


def _backend(store: Store, key: str) -> Any:
    if isinstance(store, LocalStore):
        return _LocalLock(store, key)
    if hasattr(store, "client") and hasattr(store, "bucket"):
        return _S3Lock(store, key)
    raise LeaseError(f"no lease support for {type(store).__name__}")


# ------------------------------------------------------------------------------------------ API
HELD: dict[str, Lease] = {}  # run id -> the lease this process holds for it (see ``verify``)


class Lease:
    """A held lease. ``release()`` (or leaving the ``with`` block) gives it back; ``verify()`` raises
    ``LeaseLost`` when it was broken or taken over meanwhile."""

    def __init__(self, backend: Any, holder: Holder, token: Any, ttl: float, note: str | None = None):
        self.backend = backend
        self.holder = holder
        self.token = token
        self.ttl = ttl
        self.note = note  # what was taken over, if anything
        self.lost: str | None = None
        self._stop = threading.Event()
        self._lock = threading.Lock()
        self._thread: threading.Thread | None = None

    @property
    def url(self) -> str:
        return self.backend.url

    @property
    def run_id(self) -> str:
        return self.holder.run_id

    def renew(self) -> None:
        with self._lock:
            if self.lost:
                raise LeaseLost(self.lost)
            t = time.time()
            h = Holder(**{**asdict(self.holder), "renewed": _iso(t), "expires": _iso(t + self.ttl)})
            try:
                self.token = self.backend.replace(h, self.token)
            except _Changed:
                now = self.backend.read()
                self.lost = (f"the lease {self.url} of run {self.run_id} was "
                             + (f"taken by {now[0].describe()}" if now else "removed") + " while it ran")
                raise LeaseLost(self.lost) from None
            self.holder = h

    def verify(self) -> None:
        """Raise ``LeaseLost`` unless the lock still names this run."""
        if self.lost:
            raise LeaseLost(self.lost)
        now = self.backend.read()
        if now is None or now[0].run_id != self.run_id:
            self.lost = (f"the lease {self.url} of run {self.run_id} was "
                         + (f"taken by {now[0].describe()}" if now else "removed") + " while it ran")
            raise LeaseLost(self.lost)

    def start_heartbeat(self, interval: float | None = None) -> Lease:
        every = interval if interval is not None else max(1.0, min(self.ttl / 3, MAX_RENEW_INTERVAL))

        def beat() -> None:
            while not self._stop.wait(every):
                try:
                    self.renew()
                except LeaseLost:
                    return
                except Exception:  # a store hiccup: try again at the next beat (the TTL has slack)
                    continue
        self._thread = threading.Thread(target=beat, name=f"nianbao-lease-{self.run_id}", daemon=True)
        self._thread.start()
        return self

    def release(self) -> bool:
        self._stop.set()
        if self._thread is not None and self._thread is not threading.current_thread():
            self._thread.join(timeout=10)
        HELD.pop(self.run_id, None)
        if self.lost:
            return False
        with self._lock:
            try:
                return self.backend.delete(self.token)
            except LeaseError:
                return False  # it expires by itself

    def __enter__(self) -> Lease:
        return self

    def __exit__(self, *exc: object) -> None:
        self.release()


def inspect(store: Store, state_key: str) -> tuple[str, Holder | None]:
    """(lock url, current holder or None)."""
    b = _backend(store, lock_key(state_key))
    got = b.read()
    return b.url, (got[0] if got else None)


def acquire(store: Store, state_key: str, run_id: str, ttl: float | None = None,
            note: Callable[[str], None] | None = None) -> Lease:
    """Take the lease of the state at ``state_key`` for ``run_id``, or raise ``LeaseHeld``.

    A stale lock (expired, or its process gone on this host) is taken over and ``note`` is told."""
    ttl = lease_ttl() if ttl is None else ttl
    b = _backend(store, lock_key(state_key))
    h = Holder.new(run_id, ttl)
    for _ in range(3):
        try:
            lease = Lease(b, h, b.create(h), ttl)
            HELD[run_id] = lease
            return lease
        except _Exists:
            pass
        got = b.read()
        if got is None:
            continue  # released meanwhile: try again
        old, token = got
        if old.run_id == run_id:  # ours already (the CLI and the flow of one run)
            lease = Lease(b, old, token, ttl)
            HELD[run_id] = lease
            return lease
        why = old.why_stale()
        if why is None:
            raise LeaseHeld(b.url, old)
        try:
            new_token = b.take_over(h, token)
        except (_Changed, _Exists):
            continue  # someone else moved first: look again
        msg = f"took over the lease {b.url} of {old.describe()}: {why}"
        if note:
            note(msg)
        lease = Lease(b, h, new_token, ttl, note=msg)
        HELD[run_id] = lease
        return lease
    got = b.read()
    if got is not None:
        raise LeaseHeld(b.url, got[0])
    raise LeaseError(f"could not take the lease {b.url} (it keeps changing)")


def break_lease(store: Store, state_key: str) -> Holder | None:
    """Remove the lock whatever holds it (``--break-lease``); returns who held it."""
    b = _backend(store, lock_key(state_key))
    got = b.read()
    if got is None:
        return None
    b.delete(got[1])
    return got[0]


def verify(run_id: str) -> None:
    """Raise ``LeaseLost`` if this process holds a lease for ``run_id`` that is no longer its own
    (a run without a lease, e.g. a test calling the pipeline directly, is not checked)."""
    lease = HELD.get(run_id)
    if lease is not None:
        lease.verify()


def _create(path: os.PathLike[str], data: bytes) -> None:
    """Create ``path`` exclusively (FileExistsError if it exists) with ``data``, flushed to disk."""
    fd = os.open(path, os.O_CREAT | os.O_EXCL | os.O_WRONLY, 0o644)
    try:
        os.write(fd, data)
        os.fsync(fd)
    finally:
        os.close(fd)
