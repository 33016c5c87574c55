"""Local receivers for owner alerts, shared by `make demo` and the tests: an SMTP server (aiosmtpd) that
collects each message, and an HTTP server answering like a 企业微信 group robot that records each post.
Both can keep what they receive in a folder (the demo's .eml and .md files)."""

from __future__ import annotations

import email
import email.policy
import json
import socket
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Mailbox:
    """A running local SMTP server. ``refuse``: recipients it rejects (a bad address); ``folder``: where each
    message is also written as NNN-<first recipient>.eml."""

    def __init__(self, folder: Path | None = None):
        from aiosmtpd.controller import Controller

        self.envelopes: list = []
        self.refuse: set[str] = set()
        self.folder = folder
        port = free_port()
        self._controller = Controller(self, hostname="127.0.0.1", port=port)
        self._controller.start()
        self.url = f"smtp://127.0.0.1:{port}"

    async def handle_RCPT(self, server, session, envelope, address, rcpt_options):
        if address in self.refuse:
            return "550 5.1.1 no such mailbox"
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server, session, envelope):
        self.envelopes.append(envelope)
        if self.folder is not None:
            self.folder.mkdir(parents=True, exist_ok=True)
            (self.folder / f"{len(self.envelopes):03d}-{envelope.rcpt_tos[0]}.eml").write_bytes(envelope.content)
        return "250 Message accepted"

    def messages(self) -> list[email.message.EmailMessage]:
        return [email.message_from_bytes(e.content, policy=email.policy.default) for e in self.envelopes]

    def to(self, address: str) -> list[email.message.EmailMessage]:
        return [m for e, m in zip(self.envelopes, self.messages(), strict=True) if address in e.rcpt_tos]

    def stop(self) -> None:
        self._controller.stop()


class Robot:
    """A running HTTP receiver answering like a 企业微信 robot (errcode 0); ``down`` makes it answer 503;
    ``folder``: where each markdown message is also written as NNN.md."""

    def __init__(self, folder: Path | None = None):
        self.posts: list[tuple[str, dict]] = []
        self.down = False
        self.folder = folder
        outer = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self):
                body = self.rfile.read(int(self.headers.get("Content-Length") or 0))
                if outer.down:
                    self.send_response(503)
                    self.end_headers()
                    return
                outer.received(self.path, json.loads(body))
                data = b'{"errcode":0,"errmsg":"ok"}'
                self.send_response(200)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)

            def log_message(self, *a):
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.port = self.server.server_address[1]
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def received(self, path: str, payload: dict) -> None:
        self.posts.append((path, payload))
        if self.folder is not None:
            self.folder.mkdir(parents=True, exist_ok=True)
            text = (payload.get("markdown") or {}).get("content", "")
            (self.folder / f"{len(self.posts):03d}.md").write_text(text, encoding="utf-8")

    def wecom(self, key: str) -> str:
        return f"wecom+http://127.0.0.1:{self.port}/cgi-bin/webhook/send?key={key}"

    def texts(self) -> list[str]:
        return [p["markdown"]["content"] for _, p in self.posts]

    def stop(self) -> None:
        self.server.shutdown()
        self.server.server_close()
