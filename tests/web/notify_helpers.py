"""Real servers on loopback for the outbox tests: SMTP (aiosmtpd) and a 企业微信 stand-in."""

from __future__ import annotations

import asyncio
import email
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


class Inbox:
    """Accepts every message; `hold_after` makes the next one hang until `release()` and then
    be refused, which freezes a sender in the middle of a send."""

    def __init__(self):
        self.messages: list[email.message.Message] = []
        self.hold_after: int | None = None
        self.holding = threading.Event()
        self._release = threading.Event()

    async def handle_DATA(self, server, session, envelope):
        if self.hold_after is not None and len(self.messages) >= self.hold_after:
            self.holding.set()
            while not self._release.is_set():
                await asyncio.sleep(0.02)
            return "451 4.3.0 try again later"
        self.messages.append(email.message_from_bytes(envelope.content))
        return "250 OK"

    def release(self) -> None:
        self._release.set()

    def message_ids(self) -> list[str]:
        return [m["Message-ID"] for m in self.messages]


class Smtp:
    """An SMTP server on a fixed loopback port that can be taken down and brought back."""

    def __init__(self, port: int):
        self.port = port
        self.inbox = Inbox()
        self.controller: Controller | None = None

    def up(self) -> None:
        self.controller = Controller(self.inbox, hostname="127.0.0.1", port=self.port)
        self.controller.start()

    def down(self) -> None:
        if self.controller is not None:
            self.controller.stop()
            self.controller = None


@pytest.fixture
def smtp(settings):
    server = Smtp(free_port())
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST, settings.EMAIL_PORT = "127.0.0.1", server.port
    settings.EMAIL_TIMEOUT = 5
    settings.DEFAULT_FROM_EMAIL = "expedite@firm.example"
    server.up()
    yield server
    server.inbox.release()
    server.down()


class _WebhookHandler(BaseHTTPRequestHandler):
    def do_POST(self):
        length = int(self.headers.get("Content-Length", 0))
        body = json.loads(self.rfile.read(length).decode("utf-8"))
        server = self.server
        status, answer = server.answers.pop(0) if server.answers else (200, {"errcode": 0})
        if status == 200 and answer.get("errcode") == 0:
            server.received.append(body)
        server.attempts += 1
        data = json.dumps(answer).encode()
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    def log_message(self, *args):
        pass


@pytest.fixture
def webhook(settings):
    """A local HTTP server standing in for the group robot; queue answers in `answers`."""
    server = ThreadingHTTPServer(("127.0.0.1", 0), _WebhookHandler)
    server.answers, server.received, server.attempts = [], [], 0
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    settings.EXPEDITE_WECOM_WEBHOOK_URL = (
        f"http://127.0.0.1:{server.server_address[1]}/cgi-bin/webhook/send?key=test"
    )
    yield server
    server.shutdown()
    server.server_close()
