"""Audit settings from CLI flags, the environment or Prefect blocks (in that order of precedence).

Credentials never pass through here: boto3 finds them by its standard chain (environment, shared
config/credentials files and profiles, container/instance roles) or, when a prefect-aws
``AwsCredentials`` block is named, from that block. Nothing in this module logs a secret; ``describe``
prints the settings that are safe to show.
"""

from __future__ import annotations

import hashlib
import os
import re
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any
from urllib.parse import urlparse

ENV_PREFIX = "NIANBAO_"

# Known S3-compatible stores. OSS rejects the chunked uploads that SigV4 turns on and wants
# virtual-hosted requests (stack-notes §8); MinIO and SeaweedFS are happiest with path style.
PRESETS: dict[str, dict[str, str]] = {
    "aws": {"addressing_style": "auto", "signature_version": "s3v4"},
    "oss": {"addressing_style": "virtual", "signature_version": "s3"},
    "minio": {"addressing_style": "path", "signature_version": "s3v4"},
    "seaweedfs": {"addressing_style": "path", "signature_version": "s3v4"},
}

# Keys under this prefix (in a source bucket) belong to the tool, never to the reports.
TOOL_PREFIX = "_nianbao/"


class ConfigError(ValueError):
    """A setting that cannot work (bad URI, unknown preset...)."""


@dataclass(frozen=True, slots=True)
class Location:
    """``s3://bucket/prefix`` or a local folder/file. ``prefix`` never starts with "/" for S3 and is
    "" or ends with "/" for folders."""

    kind: str  # "s3" | "file"
    bucket: str | None
    prefix: str

    @classmethod
    def parse(cls, uri: str, *, folder: bool = True) -> Location:
        if uri.startswith("s3://"):
            u = urlparse(uri)
            if not u.netloc:
                raise ConfigError(f"{uri}: no bucket in the S3 URI")
            prefix = u.path.lstrip("/")
            if folder and prefix and not prefix.endswith("/"):
                prefix += "/"
            return cls("s3", u.netloc, prefix)
        if "://" in uri and not uri.startswith("file://"):
            raise ConfigError(f"{uri}: unsupported scheme (use s3://bucket/prefix or a local path)")
        path = Path(uri.removeprefix("file://")).expanduser().resolve()
        return cls("file", None, str(path))

    @property
    def uri(self) -> str:
        return f"s3://{self.bucket}/{self.prefix}" if self.kind == "s3" else self.prefix

    def child(self, rel: str, *, folder: bool = True) -> Location:
        rel = rel.strip("/")
        if self.kind == "s3":
            p = self.prefix + rel
            return Location("s3", self.bucket, p + "/" if folder and p else p)
        return Location("file", None, str(Path(self.prefix) / rel))

    def slug(self) -> str:
        """A short, stable, filesystem- and key-safe name for this location."""
        tail = re.sub(r"[^A-Za-z0-9._-]+", "-", (self.bucket or "") + "-" + self.prefix.strip("/").split("/")[-1])
        digest = hashlib.sha256(self.uri.encode()).hexdigest()[:10]
        return f"{tail.strip('-')[:40]}-{digest}"


@dataclass(frozen=True, slots=True)
class S3Settings:
    """How to talk to the object store (not who we are: that is the credential chain)."""

    endpoint_url: str | None = None
    region_name: str | None = None
    addressing_style: str = "auto"  # auto | path | virtual
    signature_version: str | None = None  # s3v4 (default) | s3 (OSS)
    profile_name: str | None = None
    credentials_block: str | None = None  # name of a prefect-aws AwsCredentials block
    bucket_block: str | None = None  # name of a prefect-aws S3Bucket block (its credentials are used)
    connect_timeout: float = 10.0
    read_timeout: float = 60.0
    max_pool_connections: int = 64  # one client per process is shared by the batches in flight (8 GETs each)

    def with_preset(self, name: str | None) -> S3Settings:
        if not name:
            return self
        if name not in PRESETS:
            raise ConfigError(f"unknown S3 preset {name!r} (known: {', '.join(PRESETS)})")
        return replace(self, **PRESETS[name])

    def describe(self) -> dict[str, Any]:
        return {"endpoint_url": self.endpoint_url or "(AWS default)", "region": self.region_name,
                "addressing_style": self.addressing_style, "signature_version": self.signature_version or "s3v4",
                "profile": self.profile_name, "credentials_block": self.credentials_block,
                "bucket_block": self.bucket_block}


@dataclass(frozen=True, slots=True)
class RetryPolicy:
    """Retries with exponential backoff and full jitter for throttling, 5xx, timeouts and dropped
    connections."""

    attempts: int = 5
    base_delay: float = 0.5
    max_delay: float = 20.0


@dataclass(frozen=True, slots=True)
class AuditSettings:
    source: Location
    state: Location  # a file (JSON) location
    findings: Location  # folder: runs/<run-id>/ and latest/
    docs: Location  # folder holding the Data Docs site
    s3: S3Settings = field(default_factory=S3Settings)
    full: bool = False
    batch_size: int = 50
    reset_state: bool = False  # move the state document aside (kept) and start a new one
    retry: RetryPolicy = field(default_factory=RetryPolicy)
    docs_base_url: str | None = None  # public address of the docs folder, if not derivable
    task_runner: str = "thread"  # thread | dask
    dask_address: str | None = None  # scheduler address; None with task_runner=dask = LocalCluster
    dask_workers: int | None = None

    def describe(self) -> dict[str, Any]:
        return {"source": self.source.uri, "state": self.state.uri, "findings": self.findings.uri,
                "docs": self.docs.uri, "full": self.full, "batch_size": self.batch_size,
                "task_runner": self.task_runner, "s3": self.s3.describe()}


def _env(name: str, environ: dict[str, str] | None = None) -> str | None:
    v = (environ if environ is not None else os.environ).get(ENV_PREFIX + name)
    return v if v not in (None, "") else None


def s3_settings(*, endpoint_url: str | None = None, region: str | None = None, addressing_style: str | None = None,
                signature_version: str | None = None, preset: str | None = None, profile: str | None = None,
                credentials_block: str | None = None, environ: dict[str, str] | None = None) -> S3Settings:
    """Flags win over ``NIANBAO_S3_*`` variables; an explicit style/signature wins over the preset.

    Without an endpoint, boto3's own ``AWS_ENDPOINT_URL_S3``/``AWS_ENDPOINT_URL`` still apply."""
    e = lambda n: _env(n, environ)  # noqa: E731
    s = S3Settings(
        endpoint_url=endpoint_url or e("S3_ENDPOINT_URL"),
        region_name=region or e("S3_REGION"),
        profile_name=profile or e("S3_PROFILE"),
        credentials_block=credentials_block or e("AWS_CREDENTIALS_BLOCK"),
    ).with_preset(preset or e("S3_PRESET"))
    style = addressing_style or e("S3_ADDRESSING_STYLE")
    sig = signature_version or e("S3_SIGNATURE_VERSION")
    if style:
        if style not in ("auto", "path", "virtual"):
            raise ConfigError(f"addressing style must be auto, path or virtual, not {style!r}")
        s = replace(s, addressing_style=style)
    if sig:
        s = replace(s, signature_version=sig)
    return s


def default_workdir() -> Path:
    """Per-project working folder (Prefect home, local state, local docs): ``$NIANBAO_HOME`` or
    ``./.nianbao``."""
    return Path(os.environ.get(ENV_PREFIX + "HOME") or Path.cwd() / ".nianbao").resolve()


def audit_settings(source: str, *, docs: str | None = None, state: str | None = None,
                   findings: str | None = None, s3: S3Settings | None = None, full: bool = False,
                   reset_state: bool = False,
                   batch_size: int | None = None, docs_base_url: str | None = None,
                   task_runner: str | None = None, dask_address: str | None = None,
                   retry: RetryPolicy | None = None, environ: dict[str, str] | None = None) -> AuditSettings:
    """Resolve every location. Defaults keep the tool's own files out of the reports: in an S3 source
    bucket under ``_nianbao/<slug>/``, for a local source under the work dir's ``audits/<slug>/``."""
    e = lambda n: _env(n, environ)  # noqa: E731
    src = Location.parse(source)
    slug = src.slug()
    if src.kind == "s3":
        base = Location("s3", src.bucket, f"{TOOL_PREFIX}{slug}/")
    else:
        base = Location("file", None, str(default_workdir() / "audits" / slug))
    state_loc = Location.parse(state or e("STATE") or base.child("state.json", folder=False).uri, folder=False)
    findings_loc = Location.parse(findings or e("FINDINGS") or base.child("findings").uri)
    docs_loc = Location.parse(docs or e("DOCS") or base.child("docs").uri)
    runner = task_runner or e("TASK_RUNNER") or "thread"
    if runner not in ("thread", "dask"):
        raise ConfigError(f"task runner must be thread or dask, not {runner!r}")
    bs = batch_size or int(e("BATCH_SIZE") or 50)
    if bs < 1:
        raise ConfigError("batch size must be at least 1")
    return AuditSettings(source=src, state=state_loc, findings=findings_loc, docs=docs_loc,
                         s3=s3 or s3_settings(environ=environ), full=full, reset_state=reset_state, batch_size=bs,
                         docs_base_url=docs_base_url or e("DOCS_BASE_URL"), task_runner=runner,
                         dask_address=dask_address or e("DASK_ADDRESS"), retry=retry or retry_policy(environ))


def retry_policy(environ: dict[str, str] | None = None) -> RetryPolicy:
    """``NIANBAO_RETRY_ATTEMPTS`` / ``NIANBAO_RETRY_BASE_DELAY`` / ``NIANBAO_RETRY_MAX_DELAY`` or defaults."""
    d = RetryPolicy()
    return RetryPolicy(attempts=int(_env("RETRY_ATTEMPTS", environ) or d.attempts),
                       base_delay=float(_env("RETRY_BASE_DELAY", environ) or d.base_delay),
                       max_delay=float(_env("RETRY_MAX_DELAY", environ) or d.max_delay))


def settings_from_s3_bucket_block(block_name: str, **kw: Any) -> AuditSettings:
    """Build settings from a prefect-aws ``S3Bucket`` block: its bucket and folder are the source, its
    ``AwsCredentials`` (endpoint, client config) the connection."""
    from prefect_aws import S3Bucket

    block = S3Bucket.load(block_name)
    src = f"s3://{block.bucket_name}/{(block.bucket_folder or '').strip('/')}"
    params = block.credentials.aws_client_parameters
    cfg = (params.config or {}) if params else {}
    s3 = S3Settings(endpoint_url=params.endpoint_url if params else None,
                    region_name=block.credentials.region_name,
                    addressing_style=(cfg.get("s3") or {}).get("addressing_style", "auto"),
                    signature_version=cfg.get("signature_version"),
                    bucket_block=block_name)
    kw.setdefault("s3", s3)
    return audit_settings(src, **kw)
