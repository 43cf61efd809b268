"""A loopback receiver of Expedite's webhooks, as a firm's system would run one: it checks
each request with the verification function printed in docs/integration.md (loaded from the
document itself, so the snippet there is the code tested) and answers as told."""

from __future__ import annotations

import re
import threading
from collections import deque
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

DOC = Path(__file__).resolve().parents[2] / "docs" / "integration.md"


def documented_verify():
    """`verify_expedite_signature` as docs/integration.md prints it."""
    text = DOC.read_text(encoding="utf-8")
    (code,) = [
        block
        for block in re.findall(r"```python\n(.*?)```", text, re.S)
        if "def verify_expedite_signature" in block
    ]
    namespace: dict = {}
    exec(compile(code, str(DOC), "exec"), namespace)  # noqa: S102 - our own document
    return namespace["verify_expedite_signature"]


@dataclass(frozen=True)
class Received:
    headers: dict
    body: bytes
    verified: bool
    answered: int


class WebhookReceiver:
    """POSTs to `url` are recorded; `answers` (status codes) are used in turn, then 200."""

    def __init__(self, secret: str = "") -> None:
        self.secret = secret
        self.answers: deque[int] = deque()
        self.received: list[Received] = []
        self.gets: list[str] = []  # paths asked for with GET (a followed redirect)
        self._verify = documented_verify()
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self):
                length = int(self.headers.get("Content-Length") or 0)
                body = self.rfile.read(length)
                headers = {k.lower(): v for k, v in self.headers.items()}
                verified = receiver._verify(
                    receiver.secret,
                    headers.get("x-expedite-timestamp"),
                    headers.get("x-expedite-signature"),
                    body,
                )
                status = receiver.answers.popleft() if receiver.answers else 200
                if not verified and status < 300:
                    status = 401
                receiver.received.append(Received(headers, body, verified, status))
                self.send_response(status)
                if 300 <= status < 400:
                    self.send_header("Location", "/moved")
                self.send_header("Content-Length", "2")
                self.end_headers()
                self.wfile.write(b"ok")

            def do_GET(self):
                receiver.gets.append(self.path)
                self.send_response(200)
                self.send_header("Content-Length", "0")
                self.end_headers()

            def log_message(self, *args):
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}/hooks/expedite"
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    def __enter__(self) -> WebhookReceiver:
        self.thread.start()
        return self

    def __exit__(self, *exc) -> None:
        self.server.shutdown()
        self.server.server_close()
