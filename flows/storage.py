"""Object storage for the audit: S3-compatible buckets (boto3) and local folders behind one small API.

A ``Store`` is bound to a location (bucket + prefix, or a folder) and speaks in keys relative to it.
Every S3 call goes through ``call_with_retries`` (throttling, 5xx, timeouts, dropped connections),
listing uses boto3's paginator and resumes from the last page token after a transient error.
"""

from __future__ import annotations

import functools
import json
import mimetypes
import os
import random
import shutil
import tempfile
import threading
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import datetime
from email.utils import parsedate_to_datetime
from pathlib import Path
from typing import Any, Protocol, TypeVar
from urllib.parse import quote, urlparse

from flows.config import TOOL_PREFIX, Location, RetryPolicy, S3Settings
from flows.faults import checkpoint

T = TypeVar("T")

# Never reports, whatever folder they sit in (same list as ``nianbao parse`` uses for folders).
SKIP_NAMES = frozenset({"README.md", "readme.md", ".DS_Store", "Thumbs.db"})

_RETRY_CODES = frozenset({
    "Throttling", "ThrottlingException", "ThrottledException", "RequestThrottled", "RequestThrottledException",
    "SlowDown", "TooManyRequestsException", "ProvisionedThroughputExceededException", "RequestLimitExceeded",
    "RequestTimeout", "RequestTimeoutException", "InternalError", "ServiceUnavailable", "InternalFailure",
    "BandwidthLimitExceeded", "PriorRequestNotComplete", "EC2ThrottledException",
})


class StorageError(Exception):
    """An object-store operation that failed for good (after retries). ``reason`` is safe to show."""

    def __init__(self, key: str, reason: str, *, retryable: bool = False, attempts: int = 1):
        super().__init__(f"{key}: {reason}")
        self.key = key
        self.reason = reason
        self.retryable = retryable
        self.attempts = attempts

    def __reduce__(self) -> tuple[Any, ...]:  # raised in a worker process, re-raised in the flow's
        return (_storage_error, (self.key, self.reason, self.retryable, self.attempts))


def _storage_error(key: str, reason: str, retryable: bool, attempts: int) -> StorageError:
    return StorageError(key, reason, retryable=retryable, attempts=attempts)


@dataclass(frozen=True, slots=True)
class ObjectInfo:
    key: str  # relative to the store's location
    etag: str
    size: int
    last_modified: str | None = None
    version_id: str | None = None


class Store(Protocol):
    location: Location

    def list(self, prefix: str = "") -> Iterator[ObjectInfo]: ...
    def get(self, key: str) -> tuple[bytes, ObjectInfo]: ...
    def head(self, key: str) -> ObjectInfo | None: ...
    def put(self, key: str, data: bytes, content_type: str | None = None,
            metadata: dict[str, str] | None = None, cache_control: str | None = None) -> str: ...
    def put_file(self, key: str, path: Path, content_type: str | None = None,
                 metadata: dict[str, str] | None = None, cache_control: str | None = None) -> str: ...
    def copy(self, src_key: str, dst_key: str, metadata: dict[str, str] | None = None) -> str: ...
    def delete(self, keys: list[str]) -> None: ...
    def url(self, key: str) -> str: ...


# ------------------------------------------------------------------------------------------ retries
def is_retryable(exc: BaseException) -> bool:
    """Throttling, 5xx, 429, timeouts and broken connections are worth another try; 4xx are not."""
    from botocore.exceptions import (
        ClientError,
        ConnectionClosedError,
        EndpointConnectionError,
        IncompleteReadError,
        ReadTimeoutError,
        ResponseStreamingError,
    )
    from botocore.exceptions import ConnectionError as BotoConnectionError
    from botocore.exceptions import ConnectTimeoutError as BotoConnectTimeout

    if isinstance(exc, ClientError):
        code = exc.response.get("Error", {}).get("Code", "")
        status = exc.response.get("ResponseMetadata", {}).get("HTTPStatusCode") or 0
        return code in _RETRY_CODES or status >= 500 or status == 429
    return isinstance(exc, (BotoConnectionError, BotoConnectTimeout, ReadTimeoutError, EndpointConnectionError,
                            ConnectionClosedError, IncompleteReadError, ResponseStreamingError,
                            ConnectionError, TimeoutError))


def describe_error(exc: BaseException) -> str:
    """A short reason for reports and logs; never includes request headers or credentials."""
    from botocore.exceptions import ClientError

    if isinstance(exc, ClientError):
        err = exc.response.get("Error", {})
        status = exc.response.get("ResponseMetadata", {}).get("HTTPStatusCode")
        msg = err.get("Message") or ""
        code = str(err.get("Code", "Error"))
        if code.isdigit():  # HEAD answers carry no error body
            code = {"403": "AccessDenied", "404": "NotFound"}.get(code, "Error")
        hint = " (check the credentials and the bucket's permissions)" if status == 403 else ""
        return f"{code} (HTTP {status}){': ' + msg if msg else ''}{hint}"
    return f"{type(exc).__name__}: {exc}"


def call_with_retries(fn: Callable[[], T], policy: RetryPolicy, what: str,
                      sleep: Callable[[float], None] = time.sleep) -> T:
    """Call ``fn``; retry retryable errors with exponential backoff and full jitter."""
    attempt = 0
    while True:
        attempt += 1
        try:
            return fn()
        except Exception as e:
            retryable = is_retryable(e)
            if not retryable or attempt >= policy.attempts:
                suffix = f" (after {attempt} attempts)" if attempt > 1 else ""
                raise StorageError(what, describe_error(e) + suffix, retryable=retryable, attempts=attempt) from e
            sleep(random.uniform(0, min(policy.max_delay, policy.base_delay * 2 ** (attempt - 1))))


# ------------------------------------------------------------------------------------------ S3
# What a client made from the default credential chain depends on besides its settings.
_CLIENT_ENV = ("AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY", "AWS_SESSION_TOKEN", "AWS_PROFILE", "AWS_DEFAULT_REGION",
               "AWS_REGION", "AWS_SHARED_CREDENTIALS_FILE", "AWS_CONFIG_FILE", "AWS_CA_BUNDLE")
_CLIENTS: dict[tuple, Any] = {}
_CLIENTS_LOCK = threading.Lock()


def make_s3_client(s3: S3Settings) -> Any:
    """A boto3 S3 client, shared by the calls of this process with the same settings and credential
    environment (boto3 clients are thread-safe; making one costs ~0.1 s of CPU, once per batch
    before). Clients from Prefect blocks are made anew each time (the block may change)."""
    if s3.bucket_block or s3.credentials_block:
        return _new_s3_client(s3)
    key = (s3, os.getpid(), tuple(os.environ.get(k) for k in _CLIENT_ENV))
    with _CLIENTS_LOCK:
        client = _CLIENTS.get(key)
        if client is None:
            if len(_CLIENTS) >= 16:
                _CLIENTS.clear()
            client = _CLIENTS[key] = _new_s3_client(s3)
    return client


def _new_s3_client(s3: S3Settings) -> Any:
    """botocore's own retries are off: ``call_with_retries`` owns the policy, so a failing object costs
    exactly ``RetryPolicy.attempts`` requests."""
    import boto3
    from botocore.config import Config

    if s3.bucket_block:
        from prefect_aws import S3Bucket

        session = S3Bucket.load(s3.bucket_block).credentials.get_boto3_session()
    elif s3.credentials_block:
        from prefect_aws import AwsCredentials

        session = AwsCredentials.load(s3.credentials_block).get_boto3_session()
    else:
        session = boto3.session.Session(profile_name=s3.profile_name)
    kw: dict[str, Any] = {
        "s3": {"addressing_style": s3.addressing_style},
        "retries": {"total_max_attempts": 1, "mode": "standard"},
        "connect_timeout": s3.connect_timeout,
        "read_timeout": s3.read_timeout,
        "max_pool_connections": s3.max_pool_connections,
    }
    if s3.signature_version:
        kw["signature_version"] = s3.signature_version
    if s3.endpoint_url:
        # S3-compatible stores (OSS, older MinIO/SeaweedFS) reject the aws-chunked uploads that
        # botocore's default checksums switch on.
        kw["request_checksum_calculation"] = "when_required"
        kw["response_checksum_validation"] = "when_required"
    # A fixed User-Agent: botocore otherwise assembles it from ~40 components twice a request (~0.2 ms
    # of CPU, a sixth of a small GET's client cost).
    kw["user_agent"] = _user_agent()
    core = getattr(session, "_session", None)  # the botocore session behind the boto3 one
    if core is not None:
        core.get_component("response_parser_factory").set_parser_defaults(timestamp_parser=parse_http_time)
    region = s3.region_name or session.region_name or "us-east-1"
    return session.client("s3", endpoint_url=s3.endpoint_url, region_name=region, config=Config(**kw))


@functools.cache
def _user_agent() -> str:
    import platform

    import boto3
    import botocore

    return (f"nianbao-audit Boto3/{boto3.__version__} Botocore/{botocore.__version__} "
            f"Python/{platform.python_version()}")


def parse_http_time(value: Any) -> datetime:
    """botocore's timestamp parser for S3's two forms (RFC 7231 headers such as Last-Modified, ISO 8601
    in listings) without dateutil's general parser (~0.1 ms a response); anything else goes to
    botocore's own."""
    if isinstance(value, str):
        try:
            if value.endswith("GMT"):
                return parsedate_to_datetime(value)
            if value[:4].isdigit() and "T" in value:
                return datetime.fromisoformat(value)
        except (TypeError, ValueError):
            pass
    from botocore.utils import parse_timestamp

    return parse_timestamp(value)


def _skip(key: str) -> bool:
    name = key.rsplit("/", 1)[-1]
    return not name or name.startswith(".") or name in SKIP_NAMES


def _object_args(content_type: str | None, metadata: dict[str, str] | None,
                 cache_control: str | None) -> dict[str, Any]:
    """The PUT arguments an object is written with (put_object keywords, upload_file ExtraArgs)."""
    kw: dict[str, Any] = {}
    if content_type:
        kw["ContentType"] = content_type
    if metadata:
        kw["Metadata"] = metadata
    if cache_control:
        kw["CacheControl"] = cache_control
    return kw


class S3Store:
    page_size = 1000  # ListObjectsV2 MaxKeys (1000 is the S3 maximum)

    def __init__(self, client: Any, location: Location, retry: RetryPolicy, public_base: str | None = None,
                 settings: S3Settings | None = None):
        assert location.kind == "s3" and location.bucket
        self.client = client
        self.settings = settings  # what ``client`` was made from (``portable``)
        self.location = location
        self.bucket = location.bucket
        self.prefix = location.prefix
        self.retry = retry
        self.public_base = public_base

    def _full(self, key: str) -> str:
        return self.prefix + key

    def list(self, prefix: str = "") -> Iterator[ObjectInfo]:
        """Every object under the location (and ``prefix``), any number of pages, in key order.

        Pages are fetched one by one with ListObjectsV2 continuation tokens, so a throttled or failed
        page is retried on its own instead of restarting the listing."""
        full_prefix = self._full(prefix)
        token: str | None = None
        while True:
            kw: dict[str, Any] = {"Bucket": self.bucket, "Prefix": full_prefix, "MaxKeys": self.page_size}
            if token:
                kw["ContinuationToken"] = token
            page = call_with_retries(lambda kw=kw: self.client.list_objects_v2(**kw), self.retry,
                                     f"s3://{self.bucket}/{full_prefix} (listing)")
            for o in page.get("Contents", []):
                rel = o["Key"][len(self.prefix):]
                yield ObjectInfo(rel, o["ETag"].strip('"'), o["Size"],
                                 o["LastModified"].isoformat() if o.get("LastModified") else None)
            token = page.get("NextContinuationToken")
            if not page.get("IsTruncated") or not token:
                return

    def get(self, key: str) -> tuple[bytes, ObjectInfo]:
        def once() -> tuple[bytes, ObjectInfo]:
            r = self.client.get_object(Bucket=self.bucket, Key=self._full(key))
            body = r["Body"].read()
            lm = r.get("LastModified")
            return body, ObjectInfo(key, r["ETag"].strip('"'), len(body), lm.isoformat() if lm else None,
                                    r.get("VersionId"))
        return call_with_retries(once, self.retry, self.url_s3(key))

    def head(self, key: str) -> ObjectInfo | None:
        from botocore.exceptions import ClientError

        def once() -> ObjectInfo | None:
            try:
                r = self.client.head_object(Bucket=self.bucket, Key=self._full(key))
            except ClientError as e:
                if e.response.get("ResponseMetadata", {}).get("HTTPStatusCode") == 404:
                    return None
                raise
            return ObjectInfo(key, r["ETag"].strip('"'), r["ContentLength"], None, r.get("VersionId"))
        return call_with_retries(once, self.retry, self.url_s3(key))

    def put(self, key: str, data: bytes, content_type: str | None = None,
            metadata: dict[str, str] | None = None, cache_control: str | None = None) -> str:
        kw: dict[str, Any] = {"Bucket": self.bucket, "Key": self._full(key), "Body": data,
                              **_object_args(content_type, metadata, cache_control)}
        r = call_with_retries(lambda: self.client.put_object(**kw), self.retry, self.url_s3(key))
        return r["ETag"].strip('"')

    def put_file(self, key: str, path: Path, content_type: str | None = None,
                 metadata: dict[str, str] | None = None, cache_control: str | None = None) -> str:
        """Upload a file without reading it into memory (multipart above 8 MB)."""
        extra = _object_args(content_type, metadata, cache_control)
        call_with_retries(lambda: self.client.upload_file(str(path), self.bucket, self._full(key), ExtraArgs=extra),
                          self.retry, self.url_s3(key))
        info = self.head(key)
        if info is None:
            raise StorageError(self.url_s3(key), "uploaded, but not there when asked")
        return info.etag

    def copy(self, src_key: str, dst_key: str, metadata: dict[str, str] | None = None) -> str:
        kw: dict[str, Any] = {"Bucket": self.bucket, "Key": self._full(dst_key),
                              "CopySource": {"Bucket": self.bucket, "Key": self._full(src_key)}}
        if metadata is not None:
            kw["Metadata"] = metadata
            kw["MetadataDirective"] = "REPLACE"
            head = self.client.head_object(Bucket=self.bucket, Key=self._full(src_key))
            if head.get("ContentType"):
                kw["ContentType"] = head["ContentType"]
        r = call_with_retries(lambda: self.client.copy_object(**kw), self.retry, self.url_s3(dst_key))
        return r["CopyObjectResult"]["ETag"].strip('"')

    def delete(self, keys: list[str]) -> None:
        for i in range(0, len(keys), 1000):
            chunk = [{"Key": self._full(k)} for k in keys[i:i + 1000]]
            call_with_retries(lambda chunk=chunk: self.client.delete_objects(
                Bucket=self.bucket, Delete={"Objects": chunk, "Quiet": True}), self.retry,
                f"s3://{self.bucket}/{self.prefix} (delete)")

    def url_s3(self, key: str) -> str:
        return f"s3://{self.bucket}/{self._full(key)}"

    def portable(self) -> StoreSpec | None:
        """What another process of this machine needs to open this store (``open_spec``), or None when
        its client came from a Prefect block (loading one needs this process's Prefect context)."""
        s = self.settings
        if s is None or s.bucket_block or s.credentials_block:
            return None
        return StoreSpec(self.location, s, self.retry, self.public_base,
                         tuple((k, os.environ.get(k)) for k in _CLIENT_ENV))

    def url(self, key: str) -> str:
        """The HTTP address a browser can open (anonymous read must be allowed on the bucket)."""
        path = quote(self._full(key))
        if self.public_base:
            return self.public_base.rstrip("/") + "/" + quote(key)
        ep = self.client.meta.endpoint_url
        style = (self.client.meta.config.s3 or {}).get("addressing_style", "auto")
        u = urlparse(ep)
        if style == "virtual" or (style == "auto" and u.hostname and u.hostname.endswith("amazonaws.com")):
            return f"{u.scheme}://{self.bucket}.{u.netloc}/{path}"
        return f"{ep.rstrip('/')}/{self.bucket}/{path}"


# ------------------------------------------------------------------------------------------ local
def current_umask() -> int:
    """The process umask, read without changing it (``os.umask`` set-and-restore would race with the
    flow's other threads creating files); falls back to that only where /proc is missing."""
    try:
        with open("/proc/self/status", encoding="ascii") as f:
            for line in f:
                if line.startswith("Umask:"):
                    return int(line.split()[1], 8)
    except (OSError, ValueError, IndexError):
        pass
    old = os.umask(0o022)
    os.umask(old)
    return old


class LocalStore:
    """A folder. ETags are derived from size and mtime (cheap: a no-change rerun reads no file)."""

    def __init__(self, location: Location):
        self.location = location
        self._root = os.path.normpath(os.path.abspath(location.prefix))
        self.root = Path(self._root)

    def _path(self, key: str) -> Path:
        """The key's file; a key that leads out of the folder (``..``, an absolute path) is refused.
        Checked on the path's text (no ``resolve()``: a system call per path component, per object)."""
        p = os.path.normpath(os.path.join(self._root, key))
        if p != self._root and not p.startswith(self._root.rstrip(os.sep) + os.sep):
            raise StorageError(key, "key escapes the store folder")
        return Path(p)

    @staticmethod
    def _info(key: str, st: os.stat_result) -> ObjectInfo:
        return ObjectInfo(key, f"m{st.st_mtime_ns:x}-{st.st_size:x}", st.st_size,
                          time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime(st.st_mtime)))

    def list(self, prefix: str = "") -> Iterator[ObjectInfo]:
        base = self._path(prefix) if prefix else self.root
        if not base.is_dir():
            return
        for dirpath, dirs, names in os.walk(base):
            dirs[:] = sorted(d for d in dirs if not d.startswith("."))
            for n in sorted(names):
                p = Path(dirpath) / n
                yield self._info(p.relative_to(self.root).as_posix(), p.stat())

    def get(self, key: str) -> tuple[bytes, ObjectInfo]:
        p = self._path(key)
        try:
            st = p.stat()
            return p.read_bytes(), self._info(key, st)
        except OSError as e:
            raise StorageError(str(p), f"cannot read the file ({e.strerror or e})") from e

    def head(self, key: str) -> ObjectInfo | None:
        p = self._path(key)
        return self._info(key, p.stat()) if p.is_file() else None

    def put(self, key: str, data: bytes, content_type: str | None = None,
            metadata: dict[str, str] | None = None, cache_control: str | None = None,
            before_replace: Callable[[], None] | None = None) -> str:
        """Write a temporary file, then rename it over ``key``; ``before_replace`` (a fault-injection
        hook) runs between the two."""
        p = self._path(key)
        p.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(dir=p.parent, prefix=f".{p.name}.", suffix=".tmp")
        try:
            with os.fdopen(fd, "wb") as f:
                f.write(data)
                f.flush()
                os.fsync(f.fileno())
            os.chmod(tmp, 0o666 & ~current_umask())  # mkstemp makes 0600: a web server could not serve it
            if before_replace is not None:
                before_replace()
            os.replace(tmp, p)  # atomic: readers see the old or the new file, never half of one
        except BaseException:
            Path(tmp).unlink(missing_ok=True)
            raise
        return self._info(key, p.stat()).etag

    def put_file(self, key: str, path: Path, content_type: str | None = None,
                 metadata: dict[str, str] | None = None, cache_control: str | None = None) -> str:
        p = self._path(key)
        p.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(dir=p.parent, prefix=f".{p.name}.", suffix=".tmp")
        try:
            with os.fdopen(fd, "wb") as f, open(path, "rb") as src:
                shutil.copyfileobj(src, f, 1 << 20)
                f.flush()
                os.fsync(f.fileno())
            os.chmod(tmp, 0o666 & ~current_umask())
            os.replace(tmp, p)
        except BaseException:
            Path(tmp).unlink(missing_ok=True)
            raise
        return self._info(key, p.stat()).etag

    def copy(self, src_key: str, dst_key: str, metadata: dict[str, str] | None = None) -> str:
        src = self._path(src_key)
        if src.stat().st_size > 1 << 24:
            return self.put_file(dst_key, src)
        return self.put(dst_key, src.read_bytes())

    def delete(self, keys: list[str]) -> None:
        for k in keys:
            self._path(k).unlink(missing_ok=True)

    def url(self, key: str) -> str:
        return self._path(key).as_uri()


def open_store(location: Location, s3: S3Settings, retry: RetryPolicy, *, client: Any = None,
               public_base: str | None = None) -> Store:
    """``client``: one made by ``make_s3_client(s3)`` to share between stores."""
    if location.kind == "file":
        return LocalStore(location)
    return S3Store(client or make_s3_client(s3), location, retry, public_base, settings=s3)


@dataclass(frozen=True, slots=True)
class StoreSpec:
    """An S3 store as another process opens it (``S3Store.portable``): its settings and the credential
    environment of the process that made it (a worker started before that environment was set up
    would otherwise sign with other credentials, or none)."""

    location: Location
    s3: S3Settings
    retry: RetryPolicy
    public_base: str | None
    env: tuple[tuple[str, str | None], ...]


def open_spec(spec: StoreSpec) -> S3Store:
    """The store of ``spec`` in this process (a parse worker: its environment is the flow's to set)."""
    for k, v in spec.env:
        if v is None:
            os.environ.pop(k, None)
        else:
            os.environ[k] = v
    store = open_store(spec.location, spec.s3, spec.retry, public_base=spec.public_base)
    assert isinstance(store, S3Store)
    return store


def put_files(spec: StoreSpec, folder: str, items: list[tuple[str, str, str | None]], threads: int = 4) -> list[int]:
    """Upload the files ``items`` ((path under ``folder`` and key, content type, cache control)) to the
    store of ``spec``; run in a parse worker so that request signing does not share the flow
    process's GIL. Returns the sizes; raises ``StorageError`` for a file that failed for good."""
    return _put_many(open_spec(spec), Path(folder), [(p, p, ctype, cache) for p, ctype, cache in items], threads)


def _put_many(store: Store, root: Path, items: list[tuple[str, str, str, str | None]], threads: int) -> list[int]:
    """Upload ``items`` ((path under ``root``, key, content type, cache control)), ``threads`` at a
    time, in order when one; returns the sizes."""
    from concurrent.futures import ThreadPoolExecutor

    def put(item: tuple[str, str, str, str | None]) -> int:
        path, key, ctype, cache = item
        data = (root / path).read_bytes()
        store.put(key, data, ctype, cache_control=cache)
        return len(data)

    if threads <= 1 or len(items) <= 1:
        return [put(i) for i in items]
    with ThreadPoolExecutor(min(threads, len(items))) as pool:
        return list(pool.map(put, items))


def list_sources(store: Store) -> Iterator[ObjectInfo]:
    """The report objects: folder markers, hidden files, READMEs and the tool's own prefix skipped."""
    for o in store.list():
        if o.key.startswith(TOOL_PREFIX) or _skip(o.key):
            continue
        yield o


# ------------------------------------------------------------------------------------------ content types
def content_type(name: str) -> str:
    """Content type for a site file; text gets ``charset=utf-8`` so Chinese shows right from S3."""
    ctype, _ = mimetypes.guess_type(name)
    ctype = ctype or "application/octet-stream"
    if ctype.startswith("text/") or ctype in ("application/javascript", "application/json", "image/svg+xml",
                                                "application/xml"):
        ctype += "; charset=utf-8"
    return ctype


def upload_tree(store: Store, local_dir: Path, prefix: str, *, last: tuple[str, ...] = ("index.html",),
                threads: int = 8) -> list[str]:
    """Upload every file under ``local_dir`` to ``prefix`` (``threads`` at a time); files named in
    ``last`` go up last, so an index never links to a page that is not there yet. Returns the keys
    written, in the order they went up."""
    rels = sorted(p.relative_to(local_dir).as_posix() for p in local_dir.rglob("*") if p.is_file())

    def item(rel: str) -> tuple[str, str, str, str | None]:
        return rel, prefix + rel, content_type(rel), "no-cache" if rel.endswith((".html", ".json")) else None
    first = [item(r) for r in rels if r not in last]
    closing = [item(r) for r in rels if r in last]
    _put_many(store, local_dir, first, threads)
    _put_many(store, local_dir, closing, 1)
    return [key for _, key, _, _ in first + closing]


# ------------------------------------------------------------------------------------------ publishing
MANIFEST = "manifest.json"


def _put(store: Store, key: str, data: bytes | Path, ctype: str, **kw: Any) -> str:
    if isinstance(data, Path):
        return store.put_file(key, data, ctype, **kw)
    return store.put(key, data, ctype, **kw)


def publish_run(store: Store, run_id: str, files: dict[str, tuple[bytes | Path, str]],
                after_run_written: Callable[[], None] | None = None) -> dict[str, Any]:
    """Write ``files`` under ``runs/<run_id>/``, then copy them to ``latest/`` and write
    ``latest/manifest.json`` last.

    The run prefix is immutable and complete before ``latest/`` is touched; the manifest names the run
    and every file's ETag, so a reader (``read_latest``) can always get one consistent run even if a
    crash hit between two copies. ``after_run_written`` is a test hook."""
    run_prefix = f"runs/{run_id}/"
    entries = {}
    for name, (data, ctype) in files.items():
        etag = _put(store, run_prefix + name, data, ctype, metadata={"nianbao-run": run_id})
        size = data.stat().st_size if isinstance(data, Path) else len(data)
        entries[name] = {"run_key": run_prefix + name, "size": size, "run_etag": etag}
    manifest = {"run_id": run_id, "files": entries, "written_at": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime())}
    store.put(run_prefix + MANIFEST, _json(manifest), "application/json; charset=utf-8")
    checkpoint("run-written")
    if after_run_written:
        after_run_written()
    for i, (name, (data, ctype)) in enumerate(files.items()):
        if i == 1:
            checkpoint("latest-partial")  # latest/ holds one new file and the old manifest
        entries[name]["latest_etag"] = _put(store, "latest/" + name, data, ctype, metadata={"nianbao-run": run_id})
    store.put("latest/" + MANIFEST, _json(manifest), "application/json; charset=utf-8", cache_control="no-cache")
    return manifest


def read_latest(store: Store, name: str) -> tuple[str, bytes] | None:
    """(run id, bytes) of ``name`` in the latest complete run, or None before the first run. Uses the
    ``latest/`` copy when its ETag matches the manifest, else (a publish that stopped between two
    copies left a newer or no file there) the immutable run copy the manifest names; when that is gone
    too, a ``StorageError`` says so."""
    try:
        manifest = json.loads(store.get("latest/" + MANIFEST)[0])
    except StorageError:
        return None
    entry = manifest["files"].get(name)
    if entry is None:
        return None
    try:
        data, info = store.get("latest/" + name)
        if info.etag == entry.get("latest_etag"):
            return manifest["run_id"], data
    except StorageError:
        pass
    try:
        data, _ = store.get(entry["run_key"])
    except StorageError as e:
        raise StorageError(entry["run_key"], f"latest/{name} is not the copy of run {manifest['run_id']} and its run "
                                             f"copy cannot be read ({e.reason})") from e
    return manifest["run_id"], data


def _json(obj: Any) -> bytes:
    return json.dumps(obj, ensure_ascii=False, indent=1, default=str).encode("utf-8")
