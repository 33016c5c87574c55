"""flows/automation.py against a real `prefect server start`: the automation notifies a local webhook
when a `nianbao-audit` flow run fails or crashes, not when it completes, and never leaks the key."""

from __future__ import annotations

import json
import logging
import os
import socket
import subprocess
import sys
import textwrap
import threading
import time
import urllib.request
import uuid
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest

from flows.automation import (
    DEFAULT_NAME,
    AutomationInfo,
    _make_block,
    _redact,
    ensure_operator_automation,
)

SECRET = "SECRETKEY"
PREFECT = Path(sys.executable).with_name("prefect")

FLOW_SCRIPT = textwrap.dedent("""\
    import sys

    from prefect import flow


    @flow(name="nianbao-audit")
    def audit(mode: str):
        if mode == "fail":
            raise RuntimeError("audit exploded on purpose")
        if mode == "crash":
            raise KeyboardInterrupt("operator pulled the plug")
        return "ok"


    @flow(name="some-other-flow")
    def other():
        raise RuntimeError("not an audit flow")


    tag = sys.argv[1]
    audit.with_options(flow_run_name=f"ok-{tag}")("ok")
    other.with_options(flow_run_name=f"other-{tag}")(return_state=True)
    audit.with_options(flow_run_name=f"fail-{tag}")("fail", return_state=True)
    audit.with_options(flow_run_name=f"crash-{tag}")("crash")
""")


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _clean_env(**extra: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("PREFECT_")}
    env.update(extra)
    return env


@pytest.fixture(scope="module")
def prefect_server(tmp_path_factory):
    """`prefect server start` in a subprocess with its own PREFECT_HOME; yields (api_url, log path)."""
    home = tmp_path_factory.mktemp("prefect-home")
    port = _free_port()
    api = f"http://127.0.0.1:{port}/api"
    log_path = home / "server.log"
    env = _clean_env(
        PREFECT_HOME=str(home),
        PREFECT_API_URL=api,  # the server derives its UI links (the `ui_url` filter) from this
        PREFECT_SERVER_ANALYTICS_ENABLED="false",
        PREFECT_SERVER_UI_ENABLED="false",
    )
    with open(log_path, "wb") as log_file:
        proc = subprocess.Popen([str(PREFECT), "server", "start", "--host", "127.0.0.1", "--port", str(port)],
                                env=env, stdout=log_file, stderr=subprocess.STDOUT, start_new_session=True)
        try:
            deadline = time.monotonic() + 90
            while True:
                if proc.poll() is not None:
                    pytest.fail(f"prefect server exited {proc.returncode}:\n{log_path.read_text()[-3000:]}")
                try:
                    with urllib.request.urlopen(f"{api}/health", timeout=2) as r:
                        if r.status == 200:
                            break
                except OSError:
                    pass
                if time.monotonic() > deadline:
                    pytest.fail(f"prefect server not healthy after 90 s:\n{log_path.read_text()[-3000:]}")
                time.sleep(0.5)
            yield api, log_path, home
        finally:
            proc.terminate()
            try:
                proc.wait(timeout=20)
            except subprocess.TimeoutExpired:
                proc.kill()
                proc.wait()


class Receiver:
    """A local webhook: records every POST (path, JSON body)."""

    def __init__(self):
        self.posts: list[tuple[str, dict]] = []
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *a):
                pass

            def do_POST(self):
                n = int(self.headers.get("Content-Length") or 0)
                raw = self.rfile.read(n)
                try:
                    body = json.loads(raw)
                except ValueError:
                    body = {"raw": raw.decode("utf-8", "replace")}
                receiver.posts.append((self.path, body))
                self.send_response(500 if self.path.startswith("/broken") else 200)
                self.send_header("Content-Type", "application/json")
                self.end_headers()
                self.wfile.write(b'{"errcode":0,"errmsg":"ok"}')

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.port = self.server.server_address[1]
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def texts(self) -> list[str]:
        return [json.dumps(body, ensure_ascii=False) for _, body in self.posts]

    def close(self):
        self.server.shutdown()
        self.server.server_close()


@pytest.fixture
def receiver():
    r = Receiver()
    yield r
    r.close()


@pytest.fixture
def on_server(prefect_server, monkeypatch):
    """Point this process's Prefect client at the test server (over any harness settings)."""
    from prefect.settings import PREFECT_API_URL, temporary_settings

    api, log_path, home = prefect_server
    monkeypatch.setenv("PREFECT_API_URL", api)
    with temporary_settings(updates={PREFECT_API_URL: api}):
        yield api, log_path, home


def _wait_for(pred, timeout: float) -> bool:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if pred():
            return True
        time.sleep(0.5)
    return pred()


def test_redact_hides_keys_tokens_and_passwords():
    cases = {
        "https://qyapi.weixin.qq.com/cgi-bin/webhook/send?key=693a91f6-7aaa": "key=***",
        "https://oapi.dingtalk.com/robot/send?access_token=abc123&timestamp=1&sign=zz": "access_token=***",
        "mailtos://ops:SMTPPASS@smtp.example.com:465?to=ops@example.com": "ops:***@smtp.example.com",
        "https://open.feishu.cn/open-apis/bot/v2/hook/0b1c2d3e-aaaa-bbbb-cccc-0123456789ab": "hook/***",
        "dingtalk://signsecret@tok123/": "dingtalk://***",
    }
    for url, shown in cases.items():
        red = _redact(url)
        assert shown in red, red
        for secret in ("693a91f6", "abc123", "SMTPPASS", "0b1c2d3e", "signsecret", "tok123", "sign=zz"):
            assert secret not in red


def test_blocks_keep_secrets_secret(monkeypatch):
    monkeypatch.setenv("NB_HOOK_KEY", SECRET)
    from flows.automation import _apprise_url, _expand_env

    url = _expand_env("https://qyapi.weixin.qq.com/cgi-bin/webhook/send?key=${NB_HOOK_KEY}")
    assert _apprise_url(url) == f"wecombot://{SECRET}"
    block = _make_block(url)
    assert block.get_block_type_slug() == "slack-webhook"  # Prefect's Apprise pass-through
    assert block.url.get_secret_value() == f"wecombot://{SECRET}"
    assert SECRET not in repr(block) and SECRET not in str(block.model_dump())

    ding = "https://oapi.dingtalk.com/robot/send?access_token=abc123"
    assert _apprise_url(ding) == "dingtalk://abc123/"
    assert _apprise_url(ding + "&secret=SECdef456") == "dingtalk://SECdef456@abc123/"
    with pytest.raises(ValueError, match="加签") as e:
        _apprise_url(ding + "&timestamp=1&sign=zz")
    assert "abc123" not in str(e.value)
    assert _apprise_url("https://u:pw@relay.example.com:8443/hook?key=K&x=1") == (
        "jsons://u:pw@relay.example.com:8443/hook?-key=K&-x=1")
    assert _apprise_url("smtps://ops:pw@smtp.example.com:465?to=ops@example.com").startswith("mailtos://ops:pw@")

    mail = _make_block("smtps://ops:SMTPPASS@smtp.example.com:465?to=ops@example.com")
    assert mail.url.get_secret_value().startswith("mailtos://")
    assert "SMTPPASS" not in repr(mail)

    with pytest.raises(ValueError, match="NB_MISSING") as e:
        _expand_env("https://x.example/?key=${NB_MISSING}")
    assert SECRET not in str(e.value)
    with pytest.raises(ValueError) as e:
        _make_block(f"nosuchscheme://{SECRET}")
    assert SECRET not in str(e.value)


@pytest.mark.timeout(180)
def test_automation_notifies_on_failed_and_crashed_runs(on_server, receiver, tmp_path, caplog, capsys):
    api, server_log, home = on_server
    from prefect.client.orchestration import get_client

    caplog.set_level(logging.DEBUG)
    url = f"http://127.0.0.1:{receiver.port}/hook?key={SECRET}"
    first = ensure_operator_automation(url)
    second = ensure_operator_automation(url)
    assert isinstance(first, AutomationInfo) and first.created and not second.created
    assert second.automation_id == first.automation_id
    assert second.name == DEFAULT_NAME
    assert second.block_type == "slack-webhook"
    assert second.target == f"http://127.0.0.1:{receiver.port}/hook?key=***"
    for info in (first, second):
        assert SECRET not in str(info) and SECRET not in repr(info)

    with get_client(sync_client=True) as client:
        named = client.read_automations_by_name(name=DEFAULT_NAME)
        assert len(named) == 1
        automation = named[0]
        assert automation.enabled
        assert automation.trigger.expect >= {"prefect.flow-run.Failed", "prefect.flow-run.Crashed"}
        # the stored block, as the API and UI show it, has no key in it
        doc = client.read_block_document_by_name(second.block_document_name, "slack-webhook",
                                                 include_secrets=False)
        assert SECRET not in json.dumps(doc.model_dump(mode="json"))

    # a second automation whose webhook answers 500: the failure must not put its key in the server log
    broken = ensure_operator_automation(f"http://127.0.0.1:{receiver.port}/broken?key=BROKENKEY",
                                        name="nianbao-audit: broken hook")
    assert "BROKENKEY" not in str(broken)

    tag = uuid.uuid4().hex[:8]
    script = tmp_path / "flows_to_fail.py"
    script.write_text(FLOW_SCRIPT)
    run = subprocess.run([sys.executable, str(script), tag], cwd=tmp_path, capture_output=True, text=True,
                         timeout=120, env=_clean_env(PREFECT_API_URL=api, PREFECT_HOME=str(home)))
    assert run.returncode != 0, "the crash run should end the script"
    assert f"crash-{tag}" in run.stdout + run.stderr

    def notified(prefix: str, path: str = "/hook") -> list[str]:
        return [json.dumps(body, ensure_ascii=False) for p, body in receiver.posts
                if p.startswith(path) and f"{prefix}-{tag}" in json.dumps(body, ensure_ascii=False)]

    assert _wait_for(lambda: notified("fail") and notified("crash") and notified("crash", "/broken"), 60), (
        f"no notification in 60 s; got {receiver.texts()}\n{server_log.read_text()[-3000:]}")
    time.sleep(3)  # room for a wrong notification about the completed / unrelated runs to arrive

    fail, crash = notified("fail"), notified("crash")
    assert len(fail) == 1 and len(crash) == 1, receiver.texts()
    assert "Failed" in fail[0] and "audit exploded on purpose" in fail[0]
    assert "Crashed" in crash[0]
    assert notified("ok") == [] and notified("other") == []
    assert len(notified("fail", "/broken")) == 1  # a failed delivery is not retried
    path, body = next((p, b) for p, b in receiver.posts if p.startswith("/hook"))
    assert path == f"/hook?key={SECRET}"  # the server really used the secret URL
    assert set(body) >= {"title", "message"}
    assert body["title"].startswith("nianbao-audit: flow run ")
    assert "flow: nianbao-audit" in body["message"]
    assert "/runs/flow-run/" in body["message"], body["message"]  # the UI link

    out = capsys.readouterr()
    for text in (out.out, out.err, caplog.text):
        assert SECRET not in text
    log_text = server_log.read_text()
    assert SECRET not in log_text and "BROKENKEY" not in log_text


@pytest.mark.timeout(120)
def test_bad_urls_fail_without_leaking(on_server, caplog):
    caplog.set_level(logging.DEBUG)
    with pytest.raises(ValueError) as e:
        ensure_operator_automation(f"ftp://user:{SECRET}@example.com/", name="nianbao-audit: bad url test")
    assert SECRET not in str(e.value) and SECRET not in caplog.text
    with pytest.raises(ValueError):
        ensure_operator_automation("https://example.com/", flow_names=())
