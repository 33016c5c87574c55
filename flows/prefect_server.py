"""The temporary Prefect server of a CLI run, tied to the life of the CLI.

Without ``PREFECT_API_URL`` Prefect starts its own ephemeral server (a uvicorn subprocess) and stops
it at exit, but a CLI killed with SIGKILL never reaches that: the server (~250 MB) stays, listening.
We start the same server ourselves (the command of Prefect's ``SubprocessASGIServer``) through a tiny
launcher that asks Linux to send it SIGTERM when its parent dies (``prctl(PR_SET_PDEATHSIG)``, kept
across ``exec``), point the run at it, and stop it when the run ends. It is started as soon as the
run is known to need it, so it boots while the flow modules are imported.
"""

from __future__ import annotations

import atexit
import contextlib
import os
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Callable, Iterator
from typing import Any

# Runs in the child before uvicorn: die with the parent (Linux), then become uvicorn.
LAUNCHER = r"""
import ctypes, os, signal, sys
parent = int(os.environ.pop("NIANBAO_SERVER_PARENT", "0"))
if sys.platform.startswith("linux"):
    try:
        ctypes.CDLL(None, use_errno=True).prctl(1, int(signal.SIGTERM), 0, 0, 0)  # PR_SET_PDEATHSIG
    except (OSError, AttributeError):
        pass
    if parent and os.getppid() != parent:  # the parent died before prctl took effect
        sys.exit(0)
os.execv(sys.executable, [sys.executable, "-m", "uvicorn", *sys.argv[1:]])
"""
PORT_IN_USE = 3  # uvicorn's exit status when it cannot bind


def api_url_configured() -> bool:
    """Whether Prefect already has a server to talk to (environment, profile or a test harness)."""
    from prefect.settings import get_current_settings

    return bool(get_current_settings().api.url)


def free_port() -> int:
    with contextlib.closing(socket.socket(socket.AF_INET, socket.SOCK_STREAM)) as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


class TemporaryServer:
    def __init__(self) -> None:
        self.port: int | None = None
        self.proc: subprocess.Popen[Any] | None = None

    @property
    def api_url(self) -> str:
        return f"http://127.0.0.1:{self.port}/api"

    def _spawn(self) -> None:
        import prefect
        from prefect.settings import get_current_settings

        self.port = free_port()
        # No block types registered as it starts: that imports every installed Prefect collection
        # (prefect-aws, prefect-dask and distributed: ~1.5 s of a ~6 s start); saving a block registers
        # its type anyway. A user's own setting wins.
        env = {"PREFECT_SERVER_REGISTER_BLOCKS_ON_START": "false",
               "PREFECT_SERVER_MEMOIZE_BLOCK_AUTO_REGISTRATION": "false",
               **os.environ, "PREFECT_UI_ENABLED": "0", "PREFECT__SERVER_EPHEMERAL": "1",
               "PREFECT__SERVER_FINAL": "1", **get_current_settings().to_environment_variables(exclude_unset=True),
               "NIANBAO_SERVER_PARENT": str(os.getpid())}
        env.pop("PREFECT_API_URL", None)
        args = ["--app-dir", str(prefect.__module_path__.parent), "--factory", "prefect.server.api.server:create_app",
                "--host", "127.0.0.1", "--port", str(self.port), "--log-level", "error", "--lifespan", "on"]
        self.proc = subprocess.Popen([sys.executable, "-c", LAUNCHER, *args], env=env, stdin=subprocess.DEVNULL)

    def start(self) -> TemporaryServer:
        self._spawn()
        atexit.register(self.stop)
        return self

    def wait_ready(self, timeout: float | None = None) -> None:
        timeout = timeout or float(os.environ.get("PREFECT_SERVER_EPHEMERAL_STARTUP_TIMEOUT_SECONDS") or 90)
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            assert self.proc is not None
            code = self.proc.poll()
            if code == PORT_IN_USE:  # the free port was taken meanwhile
                self._spawn()
                continue
            if code is not None:
                raise RuntimeError(f"the temporary Prefect server exited with status {code}")
            try:
                with urllib.request.urlopen(self.api_url + "/health", timeout=2) as r:
                    if r.status == 200:
                        return
            except OSError:
                pass
            time.sleep(0.1)
        self.stop()
        raise RuntimeError(f"the temporary Prefect server did not answer on {self.api_url} within {timeout:.0f} s")

    def stop(self) -> None:
        p, self.proc = self.proc, None
        if p is None or p.poll() is not None:
            return
        p.terminate()
        try:
            p.wait(timeout=10)
        except subprocess.TimeoutExpired:
            p.kill()
            p.wait(timeout=5)


@contextlib.contextmanager
def serve(meanwhile: Callable[[], Any] | None = None) -> Iterator[TemporaryServer | None]:
    """Start a temporary server unless Prefect already has one, run ``meanwhile`` (the slow imports)
    while it boots, wait until it answers; inside, the run talks to it (also processes started
    meanwhile, e.g. Dask workers, through ``PREFECT_API_URL``). Yields None when no server was needed."""
    if api_url_configured() or os.environ.get("PREFECT_API_URL"):
        if meanwhile is not None:
            meanwhile()
        yield None
        return
    from prefect.settings import PREFECT_API_URL, temporary_settings

    server = TemporaryServer().start()
    old = os.environ.get("PREFECT_API_URL")
    try:
        if meanwhile is not None:
            meanwhile()
        server.wait_ready()
        os.environ["PREFECT_API_URL"] = server.api_url
        with temporary_settings(updates={PREFECT_API_URL: server.api_url}):
            yield server
    finally:
        if old is None:
            os.environ.pop("PREFECT_API_URL", None)
        else:
            os.environ["PREFECT_API_URL"] = old
        server.stop()
