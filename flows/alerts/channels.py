"""Delivery channels for owner alerts: e-mail over SMTP, group robots (企业微信, 钉钉), generic JSON
webhooks, and anything else apprise knows (``tgram://``, ``mailto://`` …).

The caller renders one digest into a :class:`Message`; this module only delivers it, once. There are no
retries here (the caller retries with backoff); every failure is a :class:`ChannelError` whose text is safe
to log: passwords, webhook keys/tokens and signing secrets are replaced by ``***``.

Secrets stay out of the owners file: ``${NAME}`` anywhere in a URL is replaced by the environment variable
``NAME`` (a missing variable is an error that names the variable, never a value), and the SMTP password
comes from ``NIANBAO_SMTP_PASSWORD`` (or the variable named by ``SmtpSettings.password_env``).

Why the robots are small httpx clients rather than apprise's ``wecombot://`` / ``dingtalk://`` plugins:
those plugins hard-code the public hosts (qyapi.weixin.qq.com, oapi.dingtalk.com), while private
政务微信 / intranet deployments and local test receivers live elsewhere; they post plain text, not
markdown; and they neither split a digest over the robots' size limits nor pace it under their rate
limits (20 messages a minute per robot). A robot URL is recognised by its host or path, or by an explicit
prefix (``wecom+https://…``, ``dingtalk+https://…``, ``json+https://…``; ``+http`` for local receivers).

Why e-mail uses smtplib + :class:`email.message.EmailMessage` rather than apprise's ``mailto://`` (the
plugin behind Prefect's e-mail blocks) — apprise 1.13 was tried against a real SMTP server:

* its multipart/alternative text/plain part is always machine-converted from the HTML body; there is no
  way to hand it the caller's own plain-text rendering (``Message.text`` would be thrown away);
* it sends one message (one SMTP transaction) per recipient, so a failure after the first recipient
  leaves a half-delivered alert that the caller's retry duplicates; here one transaction carries all
  recipients and either the server accepted it or the error says which recipients were refused;
* ``notify()`` only returns False: the reason (connection refused, 535 authentication failed, certificate
  errors) exists only as a DEBUG log line that has to be scraped from ``apprise.LogCapture``.

The rest of what apprise does (RFC 2047 subject, ``mode=insecure|starttls|ssl``, ``verify=no``) is a
few lines of the standard library. ``mailto://`` URLs given as webhooks still go through apprise.
"""

from __future__ import annotations

import base64
import functools
import hashlib
import hmac
import logging
import os
import re
import smtplib
import ssl
import threading
import time
from collections import deque
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from email.message import EmailMessage
from email.utils import formatdate, getaddresses, make_msgid
from typing import Any
from urllib.parse import parse_qsl, quote_plus, unquote, urlencode, urlsplit, urlunsplit

import httpx

__all__ = [
    "CUT_NOTICE",
    "DINGTALK_LIMIT_BYTES",
    "WECOM_LIMIT_BYTES",
    "ChannelError",
    "Message",
    "RateLimiter",
    "SmtpSettings",
    "dingtalk_sign",
    "expand_env",
    "limiter_for",
    "redact",
    "reset_limiters",
    "send_email",
    "send_webhook",
    "split_markdown",
    "webhook_kind",
]

log = logging.getLogger(__name__)

WECOM_LIMIT_BYTES = 4096  # 企业微信 markdown.content, UTF-8 bytes
DINGTALK_LIMIT_BYTES = 20000  # 钉钉 markdown.text, UTF-8 bytes (documented as ~20000)
ROBOT_RATE = (20, 60.0)  # both robots: 20 messages per minute per robot
CUT_NOTICE = "…（内容过长，其余见 Data Docs 链接）"

SMTP_PASSWORD_ENV = "NIANBAO_SMTP_PASSWORD"
SMTP_FROM_ENV = "NIANBAO_SMTP_FROM"

# Query parameters whose values are secrets (compared lower-case).
SECRET_PARAMS = frozenset({"key", "access_token", "token", "secret", "sign", "password", "pass", "apikey",
                           "api_key"})
_ENV_REF = re.compile(r"\$\{(secret:[A-Za-z0-9][A-Za-z0-9_-]*|[A-Za-z_][A-Za-z0-9_]*)\}")
SMTP_PASSWORD_BLOCK_ENV = "NIANBAO_SMTP_PASSWORD_BLOCK"  # name of a Prefect Secret block holding it


def secret_block(name: str) -> str:
    """The value of the Prefect ``Secret`` block ``name`` (from the server the run talks to)."""
    try:
        from prefect.blocks.system import Secret

        value = Secret.load(name, _sync=True).get()
    except Exception as e:  # not found, no server: say which block, never a value
        raise ChannelError(f"Prefect Secret block {name!r} cannot be loaded ({type(e).__name__})") from None
    return str(value)
_ROBOT_KINDS = ("wecom", "dingtalk", "json")
# Known errcodes, to make the reason readable.
_ERRCODES = {
    45009: "rate limited: at most 20 messages a minute per robot",
    93000: "invalid webhook key",
    300001: "invalid access_token",
    310000: "rejected by the robot's security settings (sign mismatch, keyword or IP allow-list)",
    400013: "robot disabled",
    410100: "rate limited: at most 20 messages a minute per robot",
    430101: "message content not allowed",
}


@dataclass(slots=True)
class Message:
    """One digest, already rendered by the caller."""

    subject: str  # Chinese, e.g. "【政务公开年报核查】东阿县人民政府办公室 2023年报告 3 处错误"
    text: str  # plain-text body
    html: str  # HTML body (e-mail)
    markdown: str  # markdown for group robots
    # Markdown chunks (one per report) that may go out as separate robot messages when the whole is too
    # long; typically markdown == header + "".join(sections).
    sections: list[str] = field(default_factory=list)


class ChannelError(Exception):
    """A delivery failed. The message never contains a secret (password, webhook key/token, signing
    secret). ``sent`` counts the posts that did go out before the failure (a split digest)."""

    def __init__(self, message: str, *, sent: int = 0) -> None:
        super().__init__(message)
        self.sent = sent


# ---------------------------------------------------------------------------------------------------------
# Secrets: redaction and ${ENV} expansion


def redact(url: str) -> str:
    """``url`` safe to log: user info, passwords and the values of ``key=``, ``access_token=``, ``secret=``,
    ``sign=`` (and similar) parameters, in the query or the fragment, become ``***``. A URL whose scheme is
    neither http(s), smtp nor a robot prefix (an apprise URL such as ``tgram://TOKEN/CHAT``) keeps its
    tokens in the host and path, so only its scheme is shown."""
    try:
        parts = urlsplit(url)
    except ValueError:
        return "***"
    scheme = parts.scheme.lower()
    base = scheme.split("+", 1)[-1] if "+" in scheme else scheme
    if base not in ("http", "https", "smtp", "smtps") and not scheme.startswith("smtp"):
        return f"{parts.scheme}://***" if parts.scheme else "***"
    netloc = parts.netloc
    if "@" in netloc:
        netloc = "***@" + netloc.rpartition("@")[2]
    return urlunsplit((parts.scheme, netloc, parts.path, _redact_qs(parts.query), _redact_qs(parts.fragment)))


def _redact_qs(qs: str) -> str:
    if not qs:
        return qs
    out = []
    for item in qs.split("&"):
        name, eq, _value = item.partition("=")
        out.append(f"{name}=***" if eq and unquote(name).lower() in SECRET_PARAMS else item)
    return "&".join(out)


def _scrub(text: str, secrets: Iterable[str]) -> str:
    """``text`` with every secret value (and its URL-quoted forms) replaced by ``***``."""
    for s in sorted({s for s in secrets if s and len(s) >= 3}, key=len, reverse=True):
        for form in {s, quote_plus(s), quote_plus(s, safe="")}:
            text = text.replace(form, "***")
    return text


def expand_env(value: str, env: dict[str, str] | None = None) -> tuple[str, list[str]]:
    """Replace every ``${NAME}`` by the environment variable and every ``${secret:NAME}`` by the Prefect
    Secret block of that name; returns the result and the values used
    (to scrub them from error text). A missing variable is a ChannelError naming it."""
    env = os.environ if env is None else env
    used: list[str] = []

    def sub(m: re.Match[str]) -> str:
        name = m.group(1)
        if name.startswith("secret:"):
            used.append(secret_block(name.removeprefix("secret:")))
            return used[-1]
        if name not in env:
            raise ChannelError(f"environment variable {name} is not set (referenced as ${{{name}}})")
        used.append(env[name])
        return env[name]

    return _ENV_REF.sub(sub, value), used


# ---------------------------------------------------------------------------------------------------------
# E-mail


@dataclass
class SmtpSettings:
    """``url``: ``smtp://host[:25]`` (plain), ``smtp+starttls://host[:587]``, ``smtps://host[:465]``
    (SMTP over TLS), with an optional login ``user@`` (``smtp+starttls://alerts%40example.gov.cn@host``;
    ``${NAME}`` is expanded). The password comes from the environment variable ``password_env``; ``sender``
    (From) defaults to ``$NIANBAO_SMTP_FROM``, else the login when it is an address. ``verify_tls=False``
    accepts any certificate (self-signed test servers)."""

    url: str
    sender: str | None = None
    password_env: str = SMTP_PASSWORD_ENV
    verify_tls: bool = True
    timeout: float = 20.0


_SMTP_MODES = {"smtp": ("plain", 25), "smtp+starttls": ("starttls", 587), "smtps": ("ssl", 465),
               "smtp+ssl": ("ssl", 465), "smtp+tls": ("ssl", 465)}


@dataclass(frozen=True)
class _SmtpTarget:
    mode: str
    host: str
    port: int
    user: str | None
    password: str | None
    sender: str


def _smtp_target(smtp: SmtpSettings) -> _SmtpTarget:
    url, used = expand_env(smtp.url)
    parts = urlsplit(url)
    scheme = parts.scheme.lower()
    if scheme not in _SMTP_MODES:
        raise ChannelError(f"SMTP URL {redact(url)}: scheme must be one of smtp, smtp+starttls, smtps")
    mode, default_port = _SMTP_MODES[scheme]
    try:
        host, port = parts.hostname, parts.port or default_port
    except ValueError as e:  # a non-numeric port
        raise ChannelError(f"SMTP URL {redact(url)}: {_scrub(str(e), used)}") from None
    if not host:
        raise ChannelError(f"SMTP URL {redact(url)} has no host")
    user = unquote(parts.username) if parts.username else None
    password = unquote(parts.password) if parts.password else None
    if user and password is None:
        password = os.environ.get(smtp.password_env)
        if not password and os.environ.get(SMTP_PASSWORD_BLOCK_ENV):
            password = secret_block(os.environ[SMTP_PASSWORD_BLOCK_ENV])
        if not password:
            raise ChannelError(f"SMTP login {user} needs a password in the environment variable "
                               f"{smtp.password_env}, which is not set")
    sender = smtp.sender or os.environ.get(SMTP_FROM_ENV) or (user if user and "@" in user else None)
    if not sender:
        raise ChannelError(f"no sender address: set SmtpSettings.sender or {SMTP_FROM_ENV}")
    return _SmtpTarget(mode, host, port, user, password, sender)


def build_email(sender: str, to: list[str], msg: Message) -> EmailMessage:
    """multipart/alternative with the caller's text/plain and text/html; the subject and any display
    names are RFC 2047 encoded when the message is serialised."""
    em = EmailMessage()
    em["Subject"] = msg.subject
    em["From"] = sender
    em["To"] = ", ".join(to)
    em["Date"] = formatdate(localtime=True)
    domain = sender.rpartition("@")[2].strip("> ") or None
    em["Message-ID"] = make_msgid(domain=domain)
    em.set_content(msg.text, subtype="plain", charset="utf-8")
    em.add_alternative(msg.html, subtype="html", charset="utf-8")
    return em


def _addr_spec(sender: str) -> str:
    pairs = getaddresses([sender])
    if not pairs or "@" not in pairs[0][1]:
        raise ChannelError(f"sender {sender!r} is not an e-mail address")
    return pairs[0][1]


@functools.cache
def _tls_context(verify: bool) -> ssl.SSLContext:
    """One context per process: loading the system's CA store takes ~40 ms, more than sending a mail."""
    ctx = ssl.create_default_context()
    if not verify:
        ctx.check_hostname = False
        ctx.verify_mode = ssl.CERT_NONE
    return ctx


def send_email(smtp: SmtpSettings, to: list[str], msg: Message) -> None:
    """Send ``msg`` to all of ``to`` in one SMTP transaction. Raises ChannelError (never with the
    password) when the server is unreachable, TLS or login fails, or any recipient is refused."""
    to = [t.strip() for t in to if t and t.strip()]
    if not to:
        raise ChannelError("no recipients")
    t = _smtp_target(smtp)
    secrets = [t.password or ""]
    where = f"{'smtps' if t.mode == 'ssl' else 'smtp'}://{t.host}:{t.port}"
    ctx = _tls_context(smtp.verify_tls) if t.mode != "plain" else None
    em = build_email(t.sender, to, msg)
    envelope_from = _addr_spec(t.sender)
    step = "connect"
    try:
        if t.mode == "ssl":
            server: smtplib.SMTP = smtplib.SMTP_SSL(t.host, t.port, timeout=smtp.timeout, context=ctx)
        else:
            server = smtplib.SMTP(t.host, t.port, timeout=smtp.timeout)
        try:
            if t.mode == "starttls":
                step = "STARTTLS"
                server.starttls(context=ctx)
            if t.user:
                step = f"login as {t.user}"
                server.login(t.user, t.password or "")
            step = "send"
            refused = server.send_message(em, from_addr=envelope_from, to_addrs=to)
        finally:
            try:
                server.quit()
            except (OSError, smtplib.SMTPException):
                server.close()
    except smtplib.SMTPRecipientsRefused as e:
        raise ChannelError(f"{where}: all recipients refused: {_refusals(e.recipients)}") from None
    except smtplib.SMTPAuthenticationError as e:
        raise ChannelError(_scrub(f"{where}: {step} failed: {_smtp_reply(e)}", secrets)) from None
    except smtplib.SMTPNotSupportedError as e:
        raise ChannelError(_scrub(f"{where}: {step} not supported by the server: {e}", secrets)) from None
    except ssl.SSLCertVerificationError as e:
        raise ChannelError(f"{where}: {step}: certificate not trusted ({e.verify_message}); "
                           "verify_tls=False accepts it") from None
    except TimeoutError:
        raise ChannelError(f"{where}: {step}: timed out after {smtp.timeout:g}s") from None
    except smtplib.SMTPResponseException as e:
        raise ChannelError(_scrub(f"{where}: {step} failed: {_smtp_reply(e)}", secrets)) from None
    except (OSError, smtplib.SMTPException) as e:
        reason = e.strerror if isinstance(e, OSError) and e.strerror else str(e) or type(e).__name__
        raise ChannelError(_scrub(f"{where}: {step} failed: {reason}", secrets)) from None
    if refused:
        raise ChannelError(f"{where}: sent, but some recipients were refused: {_refusals(refused)}", sent=1)
    log.info("e-mail %r sent to %d recipient(s) via %s", msg.subject, len(to), where)


def _smtp_reply(e: smtplib.SMTPResponseException) -> str:
    text = e.smtp_error.decode("utf-8", "replace") if isinstance(e.smtp_error, bytes) else str(e.smtp_error)
    return f"{e.smtp_code} {text}".strip()


def _refusals(recipients: dict[str, Any]) -> str:
    out = []
    for addr, reply in recipients.items():
        code, text = reply if isinstance(reply, tuple) else (reply, b"")
        text = text.decode("utf-8", "replace") if isinstance(text, bytes) else str(text)
        out.append(f"{addr} ({code} {text})".strip())
    return ", ".join(out)


# ---------------------------------------------------------------------------------------------------------
# Rate limiting


class RateLimiter:
    """At most ``max_events`` per ``period`` seconds (sliding window, monotonic clock). ``acquire`` waits
    rather than letting an event over the limit through. Clock and sleep are injectable for tests."""

    def __init__(self, max_events: int = ROBOT_RATE[0], period: float = ROBOT_RATE[1], *,
                 clock: Callable[[], float] = time.monotonic, sleep: Callable[[float], Any] = time.sleep):
        self.max_events, self.period = max_events, period
        self.clock, self.sleep = clock, sleep
        self._events: deque[float] = deque()
        self._lock = threading.Lock()

    def acquire(self) -> float:
        """Wait until one more event fits; returns the seconds waited."""
        waited = 0.0
        with self._lock:
            while True:
                now = self.clock()
                while self._events and self._events[0] <= now - self.period:
                    self._events.popleft()
                if len(self._events) < self.max_events:
                    self._events.append(now)
                    return waited
                delay = self._events[0] + self.period - now
                self.sleep(delay)
                waited += delay


_limiters: dict[str, RateLimiter] = {}
_limiters_lock = threading.Lock()
# Makes each robot's limiter (replaceable, e.g. by tests with a fake clock).
new_limiter: Callable[[], RateLimiter] = RateLimiter


def limiter_for(robot: str) -> RateLimiter:
    """The in-process limiter of one robot (``robot``: its URL without sign/timestamp; kept as a hash)."""
    key = hashlib.sha256(robot.encode()).hexdigest()
    with _limiters_lock:
        if key not in _limiters:
            _limiters[key] = new_limiter()
        return _limiters[key]


def reset_limiters() -> None:
    with _limiters_lock:
        _limiters.clear()


# ---------------------------------------------------------------------------------------------------------
# Size limits


def _nbytes(s: str) -> int:
    return len(s.encode("utf-8"))


def _paragraphs(markdown: str) -> list[str]:
    """Fallback sections: blank-line separated blocks, separators kept, so "".join() == markdown."""
    blocks = re.split(r"(?<=\n\n)", markdown)
    return [b for b in blocks if b]


def _cut(unit: str, budget: int) -> str:
    """``unit`` cut at a line boundary to fit ``budget`` bytes, with CUT_NOTICE as its last line."""
    notice = "\n" + CUT_NOTICE + "\n"
    room = budget - _nbytes(notice)
    out, used = [], 0
    for line in unit.splitlines(keepends=True):
        n = _nbytes(line)
        if used + n > room:
            if not out:  # one line longer than the whole budget: cut it at a character boundary
                out.append(line.encode("utf-8")[:room].decode("utf-8", "ignore"))
            break
        out.append(line)
        used += n
    return "".join(out).rstrip("\n") + notice


def split_markdown(msg: Message, limit: int) -> list[tuple[str, str]]:
    """The robot messages for ``msg`` as (title, markdown), each markdown at most ``limit`` UTF-8 bytes.

    A digest that fits is one message, unchanged. Otherwise the header (markdown minus the sections) and
    the sections are packed, several per message, each message starting with a "(i/n)" title line; a
    section that alone exceeds a message is cut at a line boundary and ends with CUT_NOTICE. Without
    usable sections, the blank-line separated blocks of the markdown are the sections."""
    if _nbytes(msg.markdown) <= limit:
        return [(msg.subject, msg.markdown)]
    joined = "".join(msg.sections)
    if msg.sections and msg.markdown.endswith(joined):
        header, sections = msg.markdown[: len(msg.markdown) - len(joined)], list(msg.sections)
    else:
        header, sections = "", _paragraphs(msg.markdown)
    units = ([header] if header.strip() else []) + [s for s in sections if s]
    width = len(str(len(units)))
    title_room = _nbytes(_part_title(msg.subject, 10**width - 1, 10**width - 1))
    budget = limit - title_room
    if budget < 200:
        raise ChannelError(f"subject too long for a {limit}-byte robot message")
    parts: list[str] = []
    current = ""
    for unit in units:
        if _nbytes(unit) > budget:
            unit = _cut(unit, budget)
        if current and _nbytes(current) + _nbytes(unit) > budget:
            parts.append(current)
            current = ""
        current += unit
    if current:
        parts.append(current)
    n = len(parts)
    out = []
    for i, body in enumerate(parts, 1):
        out.append((f"{msg.subject} ({i}/{n})", _part_title(msg.subject, i, n) + body))
    return out


def _part_title(subject: str, i: int, n: int) -> str:
    return f"**({i}/{n}) {subject}**\n\n"


# ---------------------------------------------------------------------------------------------------------
# Webhooks


def webhook_kind(url: str) -> str:
    """``wecom`` | ``dingtalk`` | ``json`` | ``apprise``: from an explicit ``wecom+`` / ``dingtalk+`` /
    ``json+`` scheme prefix, else for http(s) from the host (qyapi.weixin.qq.com, oapi.dingtalk.com) or the
    path (/cgi-bin/webhook/send, /robot/send), any other http(s) URL being a generic JSON webhook; any other
    scheme is handed to apprise (ChannelError when apprise does not know it either)."""
    parts = urlsplit(url.strip())
    scheme = parts.scheme.lower()
    if "+" in scheme:
        kind, _, base = scheme.partition("+")
        if kind in _ROBOT_KINDS and base in ("http", "https"):
            return kind
        raise ChannelError(f"unknown webhook scheme {parts.scheme}:// (use wecom+, dingtalk+ or json+ "
                           "followed by http or https)")
    if scheme in ("http", "https"):
        host = (parts.hostname or "").lower()
        path = parts.path.rstrip("/")
        if host == "qyapi.weixin.qq.com" or path.endswith("/cgi-bin/webhook/send"):
            return "wecom"
        if host == "oapi.dingtalk.com" or path.endswith("/robot/send"):
            return "dingtalk"
        return "json"
    if scheme and scheme in _apprise_schemes():
        return "apprise"
    raise ChannelError(f"unknown webhook scheme {parts.scheme or '(none)'}:// — neither a robot URL "
                       "nor one that apprise knows")


def _apprise_schemes() -> set[str]:
    import apprise

    return set(apprise.NotificationManager().schemas())


def dingtalk_sign(secret: str, timestamp_ms: int) -> str:
    """钉钉 signature, URL-encoded: urlencode(base64(hmac_sha256(secret, f"{timestamp}\\n{secret}")))."""
    digest = hmac.new(secret.encode("utf-8"), f"{timestamp_ms}\n{secret}".encode(), hashlib.sha256).digest()
    return quote_plus(base64.b64encode(digest).decode("ascii"))


@dataclass
class _Robot:
    kind: str
    url: str  # what is posted to (secret stripped, prefix removed)
    secret: str | None
    secrets: list[str]  # to scrub from any error text

    def safe(self) -> str:
        return redact(self.url)


def _robot(url: str, kind: str, used: list[str], secret_env: str | None) -> _Robot:
    parts = urlsplit(url)
    scheme = parts.scheme.split("+", 1)[-1]
    query = parse_qsl(parts.query, keep_blank_values=True)
    frag = parse_qsl(parts.fragment, keep_blank_values=True)
    secrets = list(used)
    secret = None
    for name, value in [*query, *frag]:
        if name.lower() in SECRET_PARAMS:
            secrets.append(value)
        if name == "secret":
            secret = value
    query = [(k, v) for k, v in query if k not in ("secret", "timestamp", "sign")]
    if secret_env:
        if secret_env not in os.environ:
            raise ChannelError(f"environment variable {secret_env} (钉钉 signing secret) is not set")
        secret = os.environ[secret_env]
        secrets.append(secret)
    if secret and kind != "dingtalk":
        raise ChannelError(f"{redact(url)}: a signing secret only applies to 钉钉 robots")
    clean = urlunsplit((scheme, parts.netloc, parts.path, urlencode(query), ""))
    return _Robot(kind, clean, secret, secrets)


def send_webhook(url: str, msg: Message, *, secret_env: str | None = None, timeout: float = 10.0,
                 limit: int | None = None, limiter: RateLimiter | None = None,
                 client: httpx.Client | None = None) -> int:
    """Deliver ``msg`` to one webhook; returns the number of HTTP posts (robot messages) made.

    ``url``: a robot/JSON webhook or an apprise URL, with ``${NAME}`` expanded from the environment. The
    钉钉 signing secret is a ``#secret=SEC…`` fragment or ``secret=`` query parameter (stripped before
    sending) or the environment variable named by ``secret_env``. ``limit`` overrides the robot's size
    limit in bytes; ``limiter`` the per-robot in-process rate limiter (20 a minute); ``client`` the httpx
    client. Raises ChannelError (redacted) on HTTP errors, timeouts, refused connections, errcode != 0."""
    expanded, used = expand_env(url.strip())
    kind = webhook_kind(expanded)
    if kind == "apprise":
        return _send_apprise(expanded, msg, used)
    robot = _robot(expanded, kind, used, secret_env)
    owns = client is None
    http = client or httpx.Client(timeout=timeout)
    try:
        if kind == "json":
            _post(http, robot, robot.url, _json_payload(msg), sent=0)
            return 1
        max_bytes = limit or (WECOM_LIMIT_BYTES if kind == "wecom" else DINGTALK_LIMIT_BYTES)
        parts = split_markdown(msg, max_bytes)
        pace = limiter or limiter_for(robot.url)
        for sent, (title, text) in enumerate(parts):
            if kind == "wecom":
                payload: dict[str, Any] = {"msgtype": "markdown", "markdown": {"content": text}}
                target = robot.url
            else:
                payload = {"msgtype": "markdown", "markdown": {"title": title, "text": text}}
                target = robot.url
                if robot.secret:
                    ts = int(time.time() * 1000)
                    sign = dingtalk_sign(robot.secret, ts)
                    robot.secrets.append(sign)
                    target += ("&" if urlsplit(target).query else "?") + f"timestamp={ts}&sign={sign}"
            waited = pace.acquire()
            if waited:
                log.info("robot %s: waited %.1fs for its rate limit", robot.safe(), waited)
            where = robot.safe() + (f" (part {sent + 1}/{len(parts)})" if len(parts) > 1 else "")
            _post(http, robot, target, payload, sent=sent, where=where, errcode=True)
        log.info("%s robot: %r sent as %d message(s) to %s", kind, msg.subject, len(parts), robot.safe())
        return len(parts)
    finally:
        if owns:
            http.close()


def _json_payload(msg: Message) -> dict[str, Any]:
    return {"subject": msg.subject, "text": msg.text, "markdown": msg.markdown, "html": msg.html,
            "sections": list(msg.sections)}


def _post(http: httpx.Client, robot: _Robot, target: str, payload: dict[str, Any], *, sent: int,
          where: str | None = None, errcode: bool = False) -> None:
    where = where or robot.safe()
    after = f" ({sent} earlier part(s) were sent)" if sent else ""

    def fail(reason: str) -> ChannelError:
        return ChannelError(_scrub(f"{robot.kind} webhook {where}: {reason}{after}", robot.secrets), sent=sent)

    try:
        r = http.post(target, json=payload)
    except httpx.TimeoutException as e:
        raise fail(f"timed out ({type(e).__name__})") from None
    except httpx.ConnectError as e:
        raise fail(f"cannot connect: {e}") from None
    except httpx.HTTPError as e:
        raise fail(f"{type(e).__name__}: {e}") from None
    if not r.is_success:
        raise fail(f"HTTP {r.status_code} {r.reason_phrase}: {r.text[:300]}")
    if not errcode:
        return
    try:
        body = r.json()
        code = int(body.get("errcode", -1))
    except (ValueError, AttributeError, TypeError):
        raise fail(f"unexpected response (HTTP {r.status_code}): {r.text[:300]!r}") from None
    if code != 0:
        hint = _ERRCODES.get(code)
        raise fail(f"errcode {code} {body.get('errmsg', '')}".strip() + (f" — {hint}" if hint else ""))


def _send_apprise(url: str, msg: Message, used: list[str]) -> int:
    """Through apprise (its plugins log the failure reason; we capture that log, redacted)."""
    import apprise

    parts = urlsplit(url)
    secrets = [*used, unquote(parts.password or "")]
    secrets += [v for k, v in parse_qsl(parts.query) if k.lower() in SECRET_PARAMS]
    if parts.scheme.lower() not in ("mailto", "mailtos"):  # tokens live in the host and path
        secrets += [s for s in [parts.hostname or "", *parts.path.split("/")] if len(s) >= 6]
    a = apprise.Apprise()
    with apprise.LogCapture(level=logging.DEBUG, fmt="%(levelname)s %(message)s") as captured:
        added = a.add(url)
        ok = added and a.notify(body=msg.markdown, title=msg.subject, body_format=apprise.NotifyFormat.MARKDOWN)
    if ok:
        return 1
    lines = [ln for ln in captured.getvalue().splitlines()
             if ln.startswith(("WARNING", "ERROR")) or "Exception" in ln or "Response" in ln]
    reason = "; ".join(ln.split(" ", 1)[-1] for ln in lines[-4:]) or "apprise reported a failure"
    what = "not understood by apprise" if not added else "apprise failed"
    raise ChannelError(_scrub(f"{redact(url)}: {what}: {reason}", secrets))
