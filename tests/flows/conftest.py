"""Fixtures for the audit flow: a real Prefect test server, a moto S3 server, a fault-injecting proxy."""

from __future__ import annotations

import http.client
import logging
import os
import threading
import uuid
from collections import Counter
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.parse import unquote, urlparse

import pytest

# The project's own copy of the seed reports, else the shared one.
SEEDS = Path(__file__).resolve().parents[2] / "samples" / "seeds"
if not any(SEEDS.glob("*.txt")):
    SEEDS = Path(__file__).resolve().parents[3] / "shared" / "seeds"

# Prefect's console handler keeps the stream it was configured with; pytest closes each test's captured
# stream, and a later Prefect log line then makes logging print a traceback into another test's output.
logging.raiseExceptions = False

FAKE_AWS = {"AWS_ACCESS_KEY_ID": "testing", "AWS_SECRET_ACCESS_KEY": "testing", "AWS_DEFAULT_REGION": "us-east-1",
            "NIANBAO_RETRY_BASE_DELAY": "0.01", "NIANBAO_RETRY_MAX_DELAY": "0.05", "GX_ANALYTICS_ENABLED": "false"}


def seed_files() -> dict[str, bytes]:
    return {p.name: p.read_bytes() for p in sorted(SEEDS.glob("*.txt"))}


@pytest.fixture
def src(tmp_path):
    """A folder of the seed reports."""
    d = tmp_path / "reports"
    d.mkdir()
    for k, v in seed_files().items():
        (d / k).write_bytes(v)
    return d


@pytest.fixture(scope="session", autouse=True)
def aws_env():
    old = {k: os.environ.get(k) for k in FAKE_AWS}
    for k in ("AWS_PROFILE", "AWS_ENDPOINT_URL", "AWS_ENDPOINT_URL_S3", "NIANBAO_S3_ENDPOINT_URL"):
        os.environ.pop(k, None)
    os.environ.update(FAKE_AWS)
    yield
    for k, v in old.items():
        if v is None:
            os.environ.pop(k, None)
        else:
            os.environ[k] = v


@pytest.fixture(scope="session")
def prefect_harness(tmp_path_factory):
    from prefect.testing.utilities import prefect_test_harness

    with prefect_test_harness(server_startup_timeout=120):
        yield


@pytest.fixture(scope="session")
def moto_endpoint():
    from moto.server import ThreadedMotoServer

    server = ThreadedMotoServer(ip_address="127.0.0.1", port=0, verbose=False)
    server.start()
    host, port = server.get_host_and_port()
    yield f"http://{host}:{port}"
    server.stop()


@pytest.fixture
def bucket(moto_endpoint):
    """A fresh bucket on the moto server (names must be unique across the session)."""
    import boto3

    name = "t-" + uuid.uuid4().hex[:12]
    client = boto3.client("s3", endpoint_url=moto_endpoint, region_name="us-east-1")
    client.create_bucket(Bucket=name)
    return client, name


class FaultProxy:
    """HTTP proxy in front of an S3 server that answers 503 SlowDown for chosen object keys.

    ``fail[key] = n`` fails the next n GETs of that key (n < 0: always). ``gets`` counts GETs per key."""

    def __init__(self, upstream: str):
        self.upstream = urlparse(upstream)
        self.fail: dict[str, int] = {}
        self.gets: Counter[str] = Counter()
        proxy = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def log_message(self, *a):
                pass

            def _forward(self):
                path = urlparse(self.path).path
                key = unquote(path.split("/", 2)[2]) if path.count("/") >= 2 else ""
                if self.command == "GET" and key and "list-type" not in self.path:
                    proxy.gets[key] += 1
                    n = proxy.fail.get(key, 0)
                    if n != 0:
                        proxy.fail[key] = n - 1 if n > 0 else n
                        body = (b'<?xml version="1.0" encoding="UTF-8"?><Error><Code>SlowDown</Code>'
                                b"<Message>Please reduce your request rate.</Message></Error>")
                        self.send_response(503)
                        self.send_header("Content-Type", "application/xml")
                        self.send_header("Content-Length", str(len(body)))
                        self.end_headers()
                        self.wfile.write(body)
                        return
                n = int(self.headers.get("Content-Length") or 0)
                data = self.rfile.read(n) if n else None
                conn = http.client.HTTPConnection(proxy.upstream.hostname, proxy.upstream.port, timeout=30)
                headers = {k: v for k, v in self.headers.items() if k.lower() != "connection"}
                conn.request(self.command, self.path, body=data, headers=headers)
                r = conn.getresponse()
                payload = r.read()
                self.send_response(r.status)
                for k, v in r.getheaders():
                    if k.lower() not in ("transfer-encoding", "connection", "content-length"):
                        self.send_header(k, v)
                self.send_header("Content-Length", str(len(payload)))
                self.end_headers()
                if self.command != "HEAD":
                    self.wfile.write(payload)
                conn.close()

            do_GET = do_PUT = do_POST = do_DELETE = do_HEAD = _forward

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.server.daemon_threads = True
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self.thread.start()

    @property
    def endpoint(self) -> str:
        return f"http://127.0.0.1:{self.server.server_address[1]}"

    def close(self):
        self.server.shutdown()
        self.server.server_close()


@pytest.fixture
def fault_proxy(moto_endpoint):
    p = FaultProxy(moto_endpoint)
    yield p
    p.close()
