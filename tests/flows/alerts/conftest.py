"""Real receivers for alert tests: an aiosmtpd SMTP server and an HTTP robot receiver, both local."""

from __future__ import annotations

import email
import email.policy
import json
import socket
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest
from aiosmtpd.controller import Controller


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Mailbox:
    """Collects delivered mail; ``refuse`` holds recipients the server rejects (a bad address)."""

    def __init__(self) -> None:
        self.envelopes: list = []
        self.refuse: set[str] = set()

    async def handle_RCPT(self, server, session, envelope, address, rcpt_options):
        if address in self.refuse:
            return "550 5.1.1 no such mailbox"
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server, session, envelope):
        self.envelopes.append(envelope)
        return "250 Message accepted"

    def messages(self) -> list[email.message.EmailMessage]:
        return [email.message_from_bytes(e.content, policy=email.policy.default) for e in self.envelopes]

    def to(self, address: str) -> list[email.message.EmailMessage]:
        return [m for e, m in zip(self.envelopes, self.messages(), strict=True) if address in e.rcpt_tos]


@pytest.fixture
def smtp_sink():
    box = Mailbox()
    port = free_port()
    c = Controller(box, hostname="127.0.0.1", port=port)
    c.start()
    box.url = f"smtp://127.0.0.1:{port}"
    yield box
    c.stop()


class Robot:
    """An HTTP receiver answering like 企业微信 (errcode 0); ``down`` makes it answer 503."""

    def __init__(self) -> None:
        self.posts: list[tuple[str, dict]] = []
        self.down = False
        outer = self

        class H(BaseHTTPRequestHandler):
            def do_POST(self):
                body = self.rfile.read(int(self.headers.get("Content-Length") or 0))
                if outer.down:
                    self.send_response(503)
                    self.end_headers()
                    return
                outer.posts.append((self.path, json.loads(body)))
                data = b'{"errcode":0,"errmsg":"ok"}'
                self.send_response(200)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)

            def log_message(self, *a):
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), H)
        self.port = self.server.server_address[1]
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def wecom(self, key: str) -> str:
        return f"wecom+http://127.0.0.1:{self.port}/cgi-bin/webhook/send?key={key}"

    def texts(self) -> list[str]:
        return [p["markdown"]["content"] for _, p in self.posts]


@pytest.fixture
def robot():
    r = Robot()
    yield r
    r.server.shutdown()
    r.server.server_close()
