"""Delivery channels against real local servers: aiosmtpd (plain, STARTTLS + AUTH, SMTPS) and http.server
receivers standing in for 企业微信 / 钉钉 robots and a JSON webhook."""

from __future__ import annotations

import base64
import datetime as dt
import email
import email.policy
import hashlib
import hmac
import ipaddress
import json
import socket
import ssl
import subprocess
import threading
import time
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, unquote, urlsplit

import pytest
from aiosmtpd.controller import Controller
from aiosmtpd.smtp import AuthResult, LoginPassword

from flows.alerts import channels as ch
from flows.alerts.channels import (
    CUT_NOTICE,
    ChannelError,
    Message,
    RateLimiter,
    SmtpSettings,
    redact,
    send_email,
    send_webhook,
    split_markdown,
    webhook_kind,
)
from testkit.receivers import free_port

SUBJECT = "【政务公开年报核查】东阿县人民政府办公室 2023年报告 3 处错误"
PASSWORD = "pw-Zx9!s3cr3t"
WECOM_KEY = "wk-6f1c9a77-secret-key"
DING_TOKEN = "dt-a1b2c3d4e5-token"
DING_SECRET = "SECd8e4f0a1b2c3d4e5f60718293a4b5c6d7e8f9"


def digest(n_sections: int = 3, lines: int = 3) -> Message:
    header = f"### {SUBJECT}\n\n共 {n_sections} 份报告未通过核查。\n\n"
    sections = [
        f"#### 报告 {i}：东阿县人民政府办公室 2023 年度报告\n"
        + "".join(f"- 表二 第{j}行：主动公开数量与合计不符（应为 {j * 7}，报告为 {j * 7 + 1}）\n"
                  for j in range(1, lines + 1))
        + f"- [Data Docs 链接](https://docs.example.gov.cn/report/{i})\n\n"
        for i in range(1, n_sections + 1)
    ]
    return Message(
        subject=SUBJECT,
        text="东阿县人民政府办公室：\n2023年报告有 3 处错误。\n表二 第1行：主动公开数量与合计不符。\n",
        html="<p>东阿县人民政府办公室：</p><p>2023年报告有 <b>3 处错误</b>。</p>",
        markdown=header + "".join(sections),
        sections=sections,
    )


def assert_no_secret(err: BaseException, *secrets: str) -> None:
    text = f"{err} {err!r}"
    for s in secrets:
        assert s not in text, f"secret leaked into {text!r}"


# ------------------------------------------------------------------------------------------------- SMTP


@pytest.fixture(scope="module")
def cert(tmp_path_factory) -> tuple[Path, Path]:
    """A self-signed certificate for 127.0.0.1 / localhost."""
    d = tmp_path_factory.mktemp("tls")
    crt, key = d / "cert.pem", d / "key.pem"
    try:
        from cryptography import x509
        from cryptography.hazmat.primitives import hashes, serialization
        from cryptography.hazmat.primitives.asymmetric import ec
        from cryptography.x509.oid import NameOID
    except ImportError:
        subprocess.run(["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "2",
                        "-subj", "/CN=localhost", "-addext", "subjectAltName=DNS:localhost,IP:127.0.0.1",
                        "-keyout", str(key), "-out", str(crt)], check=True, capture_output=True)
        return crt, key
    k = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "localhost")])
    now = dt.datetime.now(dt.UTC)
    c = (x509.CertificateBuilder().subject_name(name).issuer_name(name).public_key(k.public_key())
         .serial_number(x509.random_serial_number())
         .not_valid_before(now - dt.timedelta(minutes=5)).not_valid_after(now + dt.timedelta(days=2))
         .add_extension(x509.SubjectAlternativeName([x509.DNSName("localhost"),
                                                     x509.IPAddress(ipaddress.ip_address("127.0.0.1"))]),
                        critical=False)
         .sign(k, hashes.SHA256()))
    crt.write_bytes(c.public_bytes(serialization.Encoding.PEM))
    key.write_bytes(k.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
                                    serialization.NoEncryption()))
    return crt, key


@pytest.fixture(scope="module")
def server_ctx(cert) -> ssl.SSLContext:
    ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    ctx.load_cert_chain(*cert)
    return ctx


class Collector:
    def __init__(self) -> None:
        self.envelopes: list[Any] = []
        self.logins: list[tuple[str, str]] = []

    async def handle_RCPT(self, server, session, envelope, address, rcpt_options):
        if address.startswith("nobody@"):
            return "550 5.1.1 no such user"
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server, session, envelope):
        self.envelopes.append(envelope)
        return "250 OK"

    def authenticate(self, server, session, envelope, mechanism, auth_data):
        if not isinstance(auth_data, LoginPassword):
            return AuthResult(success=False, handled=False)
        login, password = auth_data.login.decode(), auth_data.password.decode()
        self.logins.append((login, password))
        ok = login == "alerts@example.gov.cn" and password == PASSWORD
        return AuthResult(success=ok, handled=False)  # handled=False: aiosmtpd answers 535 itself


@pytest.fixture
def smtp_server(server_ctx):
    """Start an aiosmtpd server: mode plain | starttls (required, AUTH required after TLS) | smtps."""
    started: list[Controller] = []

    def start(mode: str = "plain") -> tuple[Collector, int]:
        h = Collector()
        port = free_port()
        kw: dict[str, Any] = {}
        if mode == "starttls":
            kw = dict(tls_context=server_ctx, require_starttls=True, authenticator=h.authenticate,
                      auth_required=True, auth_require_tls=True)
        elif mode == "smtps":
            kw = dict(ssl_context=server_ctx, authenticator=h.authenticate, auth_require_tls=False)
        c = Controller(h, hostname="127.0.0.1", port=port, server_hostname="localhost", **kw)
        c.start()
        started.append(c)
        return h, port

    yield start
    for c in started:
        c.stop()


@pytest.fixture
def smtp_env(monkeypatch):
    monkeypatch.setenv("NIANBAO_SMTP_PASSWORD", PASSWORD)
    monkeypatch.delenv("NIANBAO_SMTP_FROM", raising=False)


def parsed(envelope) -> email.message.EmailMessage:
    return email.message_from_bytes(envelope.original_content, policy=email.policy.default)


def assert_digest_mail(envelope, msg: Message) -> email.message.EmailMessage:
    raw = envelope.original_content
    head = raw.split(b"\r\n\r\n", 1)[0]
    head.decode("ascii")  # headers are 7-bit: the Chinese subject is RFC 2047 encoded
    assert b"=?utf-8?" in head.lower()
    m = parsed(envelope)
    assert m["Subject"] == msg.subject
    assert m.get_content_type() == "multipart/alternative"
    parts = {p.get_content_type(): p.get_content() for p in m.iter_parts()}
    assert set(parts) == {"text/plain", "text/html"}
    assert parts["text/plain"].replace("\r\n", "\n").strip() == msg.text.strip()
    assert parts["text/html"].strip() == msg.html.strip()
    return m


def test_plain_smtp_delivers_one_multipart_message_to_all_recipients(smtp_server, smtp_env):
    h, port = smtp_server("plain")
    msg = digest()
    to = ["zhangsan@donge.gov.cn", "lisi@liaocheng.gov.cn"]
    send_email(SmtpSettings(url=f"smtp://127.0.0.1:{port}", sender="政务公开年报核查 <alerts@example.gov.cn>"),
               to, msg)
    assert len(h.envelopes) == 1
    env = h.envelopes[0]
    assert env.mail_from == "alerts@example.gov.cn"
    assert env.rcpt_tos == to
    m = assert_digest_mail(env, msg)
    assert m["From"].addresses[0].display_name == "政务公开年报核查"
    assert m["From"].addresses[0].addr_spec == "alerts@example.gov.cn"
    assert [a.addr_spec for a in m["To"].addresses] == to
    assert m["Message-ID"] and m["Date"]


def test_sender_from_environment(smtp_server, smtp_env, monkeypatch):
    h, port = smtp_server("plain")
    monkeypatch.setenv("NIANBAO_SMTP_FROM", "nianbao@example.gov.cn")
    send_email(SmtpSettings(url=f"smtp://127.0.0.1:{port}"), ["a@example.gov.cn"], digest())
    assert h.envelopes[0].mail_from == "nianbao@example.gov.cn"


def test_starttls_with_auth(smtp_server, smtp_env):
    h, port = smtp_server("starttls")
    msg = digest()
    url = f"smtp+starttls://alerts%40example.gov.cn@127.0.0.1:{port}"
    send_email(SmtpSettings(url=url, verify_tls=False), ["a@example.gov.cn"], msg)
    assert h.logins == [("alerts@example.gov.cn", PASSWORD)]
    env = h.envelopes[0]
    assert env.mail_from == "alerts@example.gov.cn"  # the login is the default sender
    assert_digest_mail(env, msg)


def test_starttls_wrong_password_never_shows_it(smtp_server, monkeypatch):
    h, port = smtp_server("starttls")
    wrong = "wrong-Pa55-word"
    monkeypatch.setenv("MY_SMTP_PW", wrong)
    url = f"smtp+starttls://alerts%40example.gov.cn@127.0.0.1:{port}"
    with pytest.raises(ChannelError) as ei:
        send_email(SmtpSettings(url=url, password_env="MY_SMTP_PW", verify_tls=False), ["a@x.cn"], digest())
    assert "535" in str(ei.value) and "login as alerts@example.gov.cn" in str(ei.value)
    assert_no_secret(ei.value, wrong, PASSWORD)
    # smtplib tries each mechanism the server offers (PLAIN, LOGIN): all with the same wrong password
    assert h.logins and set(h.logins) == {("alerts@example.gov.cn", wrong)} and not h.envelopes


def test_starttls_self_signed_rejected_when_verifying(smtp_server, smtp_env):
    _, port = smtp_server("starttls")
    url = f"smtp+starttls://alerts%40example.gov.cn@127.0.0.1:{port}"
    with pytest.raises(ChannelError, match=r"certificate not trusted.*verify_tls=False") as ei:
        send_email(SmtpSettings(url=url), ["a@x.cn"], digest())
    assert_no_secret(ei.value, PASSWORD)


def test_plain_smtp_to_a_starttls_only_server_fails_cleanly(smtp_server, smtp_env):
    _, port = smtp_server("starttls")
    with pytest.raises(ChannelError) as ei:  # the server requires STARTTLS: login cannot even be offered
        send_email(SmtpSettings(url=f"smtp://alerts%40example.gov.cn@127.0.0.1:{port}"), ["a@x.cn"], digest())
    assert "login as alerts@example.gov.cn" in str(ei.value)
    assert_no_secret(ei.value, PASSWORD)


def test_smtps_with_auth(smtp_server, smtp_env):
    h, port = smtp_server("smtps")
    msg = digest()
    send_email(SmtpSettings(url=f"smtps://alerts%40example.gov.cn@127.0.0.1:{port}", verify_tls=False),
               ["a@example.gov.cn", "b@example.gov.cn"], msg)
    assert h.logins == [("alerts@example.gov.cn", PASSWORD)]
    assert h.envelopes[0].rcpt_tos == ["a@example.gov.cn", "b@example.gov.cn"]
    assert_digest_mail(h.envelopes[0], msg)


def test_smtp_server_down_fails_quickly(smtp_env):
    port = free_port()
    t0 = time.monotonic()
    with pytest.raises(ChannelError, match="Connection refused") as ei:
        send_email(SmtpSettings(url=f"smtp+starttls://alerts%40example.gov.cn@127.0.0.1:{port}", timeout=5),
                   ["a@x.cn"], digest())
    assert time.monotonic() - t0 < 2
    assert_no_secret(ei.value, PASSWORD)


def test_refused_recipient_is_reported(smtp_server, smtp_env):
    h, port = smtp_server("plain")
    with pytest.raises(ChannelError, match=r"nobody@x\.cn \(550") as ei:
        send_email(SmtpSettings(url=f"smtp://127.0.0.1:{port}", sender="alerts@example.gov.cn"),
                   ["a@x.cn", "nobody@x.cn"], digest())
    assert ei.value.sent == 1 and h.envelopes[0].rcpt_tos == ["a@x.cn"]
    with pytest.raises(ChannelError, match="all recipients refused"):
        send_email(SmtpSettings(url=f"smtp://127.0.0.1:{port}", sender="alerts@example.gov.cn"),
                   ["nobody@x.cn"], digest())


def test_smtp_configuration_errors(monkeypatch):
    monkeypatch.delenv("NIANBAO_SMTP_PASSWORD", raising=False)
    monkeypatch.delenv("NIANBAO_SMTP_FROM", raising=False)
    with pytest.raises(ChannelError, match="NIANBAO_SMTP_PASSWORD"):
        send_email(SmtpSettings(url="smtps://alerts%40example.gov.cn@127.0.0.1:1"), ["a@x.cn"], digest())
    with pytest.raises(ChannelError, match="no sender"):
        send_email(SmtpSettings(url="smtp://127.0.0.1:1"), ["a@x.cn"], digest())
    with pytest.raises(ChannelError, match="SMTP_HOST_FOR_TEST"):
        send_email(SmtpSettings(url="smtp://${SMTP_HOST_FOR_TEST}:25", sender="a@x.cn"), ["a@x.cn"], digest())
    with pytest.raises(ChannelError, match="scheme"):
        send_email(SmtpSettings(url="http://127.0.0.1:1", sender="a@x.cn"), ["a@x.cn"], digest())
    with pytest.raises(ChannelError, match="no recipients"):
        send_email(SmtpSettings(url="smtp://127.0.0.1:1", sender="a@x.cn"), [], digest())


def test_apprise_mailto_goes_through_apprise(smtp_server, smtp_env):
    """mailto:// as a webhook uses apprise; it delivers, but its text/plain part is derived from the HTML it
    rendered, not the caller's text (one reason send_email does not use apprise)."""
    h, port = smtp_server("plain")
    msg = digest()
    url = f"mailto://127.0.0.1:{port}?smtp=127.0.0.1&mode=insecure&from=alerts@example.gov.cn&to=a@x.cn"
    assert webhook_kind(url) == "apprise"
    assert send_webhook(url, msg) == 1
    m = parsed(h.envelopes[0])
    assert m["Subject"] == msg.subject
    plain = m.get_body(("plain",)).get_content()
    assert "东阿县人民政府办公室" in plain and plain.strip() != msg.text.strip()


def test_apprise_failure_reason_is_captured_and_redacted():
    port = free_port()
    url = f"mailtos://alerts:{PASSWORD}@127.0.0.1:{port}?smtp=127.0.0.1&mode=ssl&from=a@x.cn&to=b@x.cn&cto=2"
    with pytest.raises(ChannelError, match="Connection refused") as ei:
        send_webhook(url, digest())
    assert_no_secret(ei.value, PASSWORD)
    with pytest.raises(ChannelError, match="unknown webhook scheme"):
        send_webhook("nosuchscheme://x/y", digest())


# ------------------------------------------------------------------------------------------------- robots


@dataclass
class Receiver:
    port: int
    posts: list[dict[str, Any]] = field(default_factory=list)
    status: int = 200
    reply: dict[str, Any] | str = field(default_factory=lambda: {"errcode": 0, "errmsg": "ok"})
    ding_secret: str | None = None

    def url(self, scheme: str, path: str) -> str:
        return f"{scheme}://127.0.0.1:{self.port}{path}"


@pytest.fixture
def receiver():
    state = Receiver(port=0)

    class Handler(BaseHTTPRequestHandler):
        def do_POST(self):
            n = int(self.headers.get("Content-Length", 0))
            raw = self.rfile.read(n)
            parts = urlsplit(self.path)
            q = {k: v[0] for k, v in parse_qs(parts.query).items()}
            state.posts.append({"path": parts.path, "query": q, "raw_query": parts.query, "raw": raw,
                                "json": json.loads(raw), "content_type": self.headers.get("Content-Type")})
            status, reply = state.status, state.reply
            if state.ding_secret is not None:  # verify the 钉钉 signature like the real robot
                ts = q.get("timestamp", "")
                want = base64.b64encode(hmac.new(state.ding_secret.encode(), f"{ts}\n{state.ding_secret}".encode(),
                                                 hashlib.sha256).digest()).decode()
                if q.get("sign") != want or abs(int(ts or 0) - time.time() * 1000) > 3600_000:
                    reply = {"errcode": 310000, "errmsg": "sign not match"}
            body = reply.encode() if isinstance(reply, str) else json.dumps(reply).encode()
            self.send_response(status)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, *args):
            pass

    srv = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    state.port = srv.server_address[1]
    t = threading.Thread(target=srv.serve_forever, args=(0.05,), daemon=True)
    t.start()
    yield state
    srv.shutdown()
    srv.server_close()


class FakeClock:
    def __init__(self) -> None:
        self.now = 1000.0
        self.sleeps: list[float] = []

    def __call__(self) -> float:
        return self.now

    def sleep(self, s: float) -> None:
        self.sleeps.append(s)
        self.now += s


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock()


@pytest.fixture
def limiter(clock) -> RateLimiter:
    return RateLimiter(20, 60.0, clock=clock, sleep=clock.sleep)


@pytest.fixture(autouse=True)
def _fresh_limiters():
    ch.reset_limiters()
    yield
    ch.reset_limiters()


def test_webhook_kind_and_redact():
    assert webhook_kind(f"https://qyapi.weixin.qq.com/cgi-bin/webhook/send?key={WECOM_KEY}") == "wecom"
    assert webhook_kind("https://zwwx.example.gov.cn/cgi-bin/webhook/send?key=K") == "wecom"
    assert webhook_kind("wecom+http://127.0.0.1:8080/hook?key=K") == "wecom"
    assert webhook_kind(f"https://oapi.dingtalk.com/robot/send?access_token={DING_TOKEN}") == "dingtalk"
    assert webhook_kind("http://10.1.2.3/robot/send?access_token=T") == "dingtalk"
    assert webhook_kind("dingtalk+https://ding.intranet/x?access_token=T") == "dingtalk"
    assert webhook_kind("https://hooks.example.gov.cn/nianbao") == "json"
    assert webhook_kind("json+http://127.0.0.1:9/robot/send") == "json"
    assert webhook_kind("tgram://123456:ABCDEF/987") == "apprise"
    assert webhook_kind("mailto://user@example.com") == "apprise"
    with pytest.raises(ChannelError):
        webhook_kind("ftp+https://x/y")

    assert redact(f"https://qyapi.weixin.qq.com/cgi-bin/webhook/send?key={WECOM_KEY}") == \
        "https://qyapi.weixin.qq.com/cgi-bin/webhook/send?key=***"
    assert redact(f"dingtalk+https://oapi.dingtalk.com/robot/send?access_token={DING_TOKEN}&x=1"
                  f"&timestamp=1&sign=abc#secret={DING_SECRET}") == \
        "dingtalk+https://oapi.dingtalk.com/robot/send?access_token=***&x=1&timestamp=1&sign=***#secret=***"
    assert redact(f"smtps://alerts%40x.cn:{PASSWORD}@mail.x.cn:465") == "smtps://***@mail.x.cn:465"
    assert redact("smtp+starttls://alerts@mail.x.cn") == "smtp+starttls://***@mail.x.cn"
    assert redact("tgram://123456:ABCDEF/987") == "tgram://***"


def test_wecom_markdown_payload(receiver, limiter):
    msg = digest()
    url = receiver.url("wecom+http", f"/cgi-bin/webhook/send?key={WECOM_KEY}")
    assert send_webhook(url, msg, limiter=limiter) == 1
    [post] = receiver.posts
    assert post["path"] == "/cgi-bin/webhook/send" and post["query"] == {"key": WECOM_KEY}
    assert post["content_type"] == "application/json"
    assert post["json"] == {"msgtype": "markdown", "markdown": {"content": msg.markdown}}
    assert "东阿县人民政府办公室".encode() in post["raw"]  # UTF-8 JSON, not \\u escapes


def test_wecom_env_expansion(receiver, limiter, monkeypatch):
    monkeypatch.setenv("NB_TEST_WECOM_KEY", WECOM_KEY)
    url = receiver.url("wecom+http", "/cgi-bin/webhook/send?key=${NB_TEST_WECOM_KEY}")
    assert send_webhook(url, digest(), limiter=limiter) == 1
    assert receiver.posts[0]["query"] == {"key": WECOM_KEY}


def test_missing_env_variable_is_named_and_nothing_is_sent(receiver, limiter, monkeypatch):
    monkeypatch.delenv("NB_TEST_MISSING_KEY", raising=False)
    url = receiver.url("wecom+http", "/cgi-bin/webhook/send?key=${NB_TEST_MISSING_KEY}")
    with pytest.raises(ChannelError, match="NB_TEST_MISSING_KEY"):
        send_webhook(url, digest(), limiter=limiter)
    assert receiver.posts == []


def test_dingtalk_signed_markdown(receiver, limiter, monkeypatch):
    receiver.ding_secret = DING_SECRET
    monkeypatch.setenv("NB_TEST_DING_SECRET", DING_SECRET)
    msg = digest()
    for url, kw in [
        (receiver.url("dingtalk+http", f"/robot/send?access_token={DING_TOKEN}#secret=${{NB_TEST_DING_SECRET}}"),
         {}),
        (receiver.url("http", f"/robot/send?access_token={DING_TOKEN}&secret={DING_SECRET}"), {}),
        (receiver.url("http", f"/robot/send?access_token={DING_TOKEN}"), {"secret_env": "NB_TEST_DING_SECRET"}),
    ]:
        assert send_webhook(url, msg, limiter=limiter, **kw) == 1
    assert len(receiver.posts) == 3
    for post in receiver.posts:
        assert post["query"]["access_token"] == DING_TOKEN
        assert "secret" not in post["query"] and DING_SECRET not in post["raw_query"]
        assert {"timestamp", "sign"} <= set(post["query"])
        assert post["json"] == {"msgtype": "markdown", "markdown": {"title": SUBJECT, "text": msg.markdown}}


def test_dingtalk_sign_mismatch_and_unsigned(receiver, limiter):
    receiver.ding_secret = DING_SECRET
    wrong = "SECwrongwrongwrong0000"
    url = receiver.url("http", f"/robot/send?access_token={DING_TOKEN}#secret={wrong}")
    with pytest.raises(ChannelError, match="310000") as ei:
        send_webhook(url, digest(), limiter=limiter)
    assert_no_secret(ei.value, DING_TOKEN, wrong)
    receiver.ding_secret = None
    assert send_webhook(receiver.url("http", f"/robot/send?access_token={DING_TOKEN}"), digest(),
                        limiter=limiter) == 1
    assert set(receiver.posts[-1]["query"]) == {"access_token"}


def test_dingtalk_signature_formula():
    sign = ch.dingtalk_sign("SEC000", 1700000000000)
    want = base64.b64encode(hmac.new(b"SEC000", b"1700000000000\nSEC000", hashlib.sha256).digest()).decode()
    assert unquote(sign) == want and "+" not in sign and "/" not in sign


def test_json_webhook(receiver):
    msg = digest()
    receiver.status, receiver.reply = 202, "accepted"
    assert send_webhook(receiver.url("json+http", "/nianbao/hook"), msg) == 1
    assert send_webhook(receiver.url("http", "/nianbao/hook"), msg) == 1
    for post in receiver.posts:
        assert post["path"] == "/nianbao/hook"
        body = post["json"]
        assert body["subject"] == SUBJECT and body["text"] == msg.text and body["markdown"] == msg.markdown
        assert body["html"] == msg.html and body["sections"] == msg.sections


def long_digest() -> Message:
    """Twelve ~1 KB report sections (over 4096 bytes in all) and one section of ~9 KB on its own."""
    msg = digest(n_sections=12, lines=8)
    huge = "#### 报告 13：聊城市人民政府 2023 年度报告\n" + "".join(
        f"- 表三 第{j}行：申请办理结果合计与分项之和不符\n" for j in range(1, 160))
    msg.sections.append(huge)
    msg.markdown += huge
    return msg


def test_long_digest_is_split_without_losing_sections(receiver, limiter):
    msg = long_digest()
    assert len(msg.markdown.encode()) > 4 * ch.WECOM_LIMIT_BYTES
    url = receiver.url("wecom+http", f"/cgi-bin/webhook/send?key={WECOM_KEY}")
    n = send_webhook(url, msg, limiter=limiter)
    assert n == len(receiver.posts) > 3
    contents = [p["json"]["markdown"]["content"] for p in receiver.posts]
    for i, c in enumerate(contents, 1):
        assert len(c.encode("utf-8")) <= ch.WECOM_LIMIT_BYTES
        assert c.startswith(f"**({i}/{n}) {SUBJECT}**\n\n")
    everything = "".join(contents)
    header = msg.markdown[: len(msg.markdown) - len("".join(msg.sections))]
    assert header in contents[0]
    for s in msg.sections[:-1]:  # every normal section arrives whole, in one message
        assert sum(s in c for c in contents) == 1
    # the oversized one is cut at a line boundary, with an explicit notice
    [cut] = [c for c in contents if "报告 13" in c]
    assert cut.rstrip("\n").endswith(CUT_NOTICE)
    body = cut.split("#### 报告 13", 1)[1].rstrip("\n").removesuffix(CUT_NOTICE).rstrip("\n")
    assert all(line.startswith("- 表三 第") and line.endswith("不符") for line in body.splitlines()[1:])
    assert everything.count(CUT_NOTICE) == 1


def test_dingtalk_limit_is_larger(receiver, limiter):
    msg = long_digest()
    url = receiver.url("dingtalk+http", f"/robot/send?access_token={DING_TOKEN}")
    n = send_webhook(url, msg, limiter=limiter)
    assert n == len(receiver.posts) == -(-len(msg.markdown.encode()) // ch.DINGTALK_LIMIT_BYTES)
    titles = [p["json"]["markdown"]["title"] for p in receiver.posts]
    assert titles == [f"{SUBJECT} ({i}/{n})" for i in range(1, n + 1)]
    texts = "".join(p["json"]["markdown"]["text"] for p in receiver.posts)
    assert all(s in texts for s in msg.sections) and CUT_NOTICE not in texts
    assert all(len(p["json"]["markdown"]["text"].encode()) <= ch.DINGTALK_LIMIT_BYTES for p in receiver.posts)


def test_split_markdown_units():
    small = digest()
    assert split_markdown(small, 4096) == [(SUBJECT, small.markdown)]
    # no sections: blank-line separated blocks are packed, nothing is lost
    bare = Message(SUBJECT, "t", "h", "\n\n".join(f"段落{i}：" + "内容" * 60 for i in range(40)))
    parts = split_markdown(bare, 1500)
    assert len(parts) > 1 and all(len(m.encode()) <= 1500 for _, m in parts)
    joined = "".join(m.split("**\n\n", 1)[1] for _, m in parts)
    assert joined == bare.markdown


def test_rate_limiter_delays_the_21st_message(receiver, clock, limiter):
    url = receiver.url("wecom+http", f"/cgi-bin/webhook/send?key={WECOM_KEY}")
    for _ in range(20):
        clock.now += 1.0
        send_webhook(url, digest(), limiter=limiter)
    assert clock.sleeps == []
    clock.now += 1.0  # t0+21: the first message (t0+1) leaves the 60 s window at t0+61
    send_webhook(url, digest(), limiter=limiter)
    assert clock.sleeps == [pytest.approx(40.0)]
    assert len(receiver.posts) == 21


def test_rate_limiter_unit(clock):
    lim = RateLimiter(3, 10.0, clock=clock, sleep=clock.sleep)
    assert [lim.acquire() for _ in range(3)] == [0, 0, 0]
    assert lim.acquire() == pytest.approx(10.0)
    clock.now += 10.0
    assert lim.acquire() == 0
    assert ch.limiter_for("https://a/robot/send?access_token=1") is ch.limiter_for("https://a/robot/send?access_token=1")
    assert ch.limiter_for("https://a/robot/send?access_token=1") is not ch.limiter_for("https://a/robot/send?access_token=2")


def test_registry_limiter_is_per_robot(receiver, monkeypatch, clock):
    monkeypatch.setattr(ch, "new_limiter", lambda: RateLimiter(2, 60.0, clock=clock, sleep=clock.sleep))
    a = receiver.url("wecom+http", "/cgi-bin/webhook/send?key=A")
    b = receiver.url("wecom+http", "/cgi-bin/webhook/send?key=B")
    for _ in range(2):
        send_webhook(a, digest())
        send_webhook(b, digest())
    assert clock.sleeps == []
    send_webhook(a, digest())
    assert clock.sleeps == [pytest.approx(60.0)]


@pytest.mark.parametrize(("status", "reply", "pattern"), [
    (200, {"errcode": 45009, "errmsg": "api freq out of limit"}, r"errcode 45009 .*rate limited"),
    (200, {"errcode": 93000, "errmsg": f"invalid webhook url, key {WECOM_KEY}"}, r"errcode 93000"),
    (500, f"internal error for key={WECOM_KEY}", r"HTTP 500"),
    (200, "<html>not json</html>", r"unexpected response"),
])
def test_wecom_errors_are_redacted(receiver, limiter, status, reply, pattern):
    receiver.status, receiver.reply = status, reply
    url = receiver.url("wecom+http", f"/cgi-bin/webhook/send?key={WECOM_KEY}")
    with pytest.raises(ChannelError, match=pattern) as ei:
        send_webhook(url, digest(), limiter=limiter)
    assert_no_secret(ei.value, WECOM_KEY)
    assert "key=***" in str(ei.value)


def test_connection_refused_and_timeout(limiter, monkeypatch):
    port = free_port()
    monkeypatch.setenv("NB_TEST_WECOM_KEY", WECOM_KEY)
    url = f"wecom+http://127.0.0.1:{port}/cgi-bin/webhook/send?key=${{NB_TEST_WECOM_KEY}}"
    t0 = time.monotonic()
    with pytest.raises(ChannelError, match="cannot connect") as ei:
        send_webhook(url, digest(), limiter=limiter)
    assert time.monotonic() - t0 < 2
    assert_no_secret(ei.value, WECOM_KEY)

    # a server that accepts but never answers
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        s.listen()
        url = f"http://127.0.0.1:{s.getsockname()[1]}/robot/send?access_token={DING_TOKEN}#secret={DING_SECRET}"
        with pytest.raises(ChannelError, match="timed out") as ei:
            send_webhook(url, digest(), limiter=limiter, timeout=0.3)
    assert_no_secret(ei.value, DING_TOKEN, DING_SECRET)


def test_failure_in_a_later_part_reports_what_was_sent(receiver, limiter, monkeypatch):
    msg = long_digest()
    url = receiver.url("wecom+http", f"/cgi-bin/webhook/send?key={WECOM_KEY}")
    calls = {"n": 0}
    real_post = ch._post

    def flaky(*a, **kw):
        calls["n"] += 1
        if calls["n"] == 3:
            receiver.reply = {"errcode": 45009, "errmsg": "api freq out of limit"}
        return real_post(*a, **kw)

    monkeypatch.setattr(ch, "_post", flaky)
    with pytest.raises(ChannelError, match=r"part 3/\d+.*2 earlier part") as ei:
        send_webhook(url, msg, limiter=limiter)
    assert ei.value.sent == 2
