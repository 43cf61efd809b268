"""A request body over its limit is refused while it streams, before it is read: 413 for a
declared length over the limit, and for a chunked body as soon as it passes it. Upload URLs
take a file of EXPEDITE_MAX_UPLOAD_BYTES plus the form around it; everything else much less."""

from __future__ import annotations

import os
import re
import socket
import subprocess
import sys
import time
from pathlib import Path

import pytest

from expedite.web.bodylimit import UPLOAD_URL_NAMES

BOUNDARY = "----expedite"


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    """gunicorn serving the product as deployed, on a migrated SQLite database."""
    var = tmp_path_factory.mktemp("var")
    env = {
        k: v
        for k, v in os.environ.items()
        if not k.startswith(("DATABASE_URL", "EXPEDITE_", "DJANGO_"))
    }
    env.update(DJANGO_SETTINGS_MODULE="expedite.web.settings", EXPEDITE_VAR_DIR=str(var))
    subprocess.run(
        [sys.executable, "-m", "tests.at_instant", "2026-11-26T10:00+08:00", "migrate"],
        env=env,
        check=True,
        capture_output=True,
        timeout=180,
    )
    port = _free_port()
    proc = subprocess.Popen(
        [sys.executable, "-m", "gunicorn", "expedite.web.wsgi:application",
         "--bind", f"127.0.0.1:{port}", "--worker-class", "gthread", "--threads", "4"],
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        start_new_session=True,
    )  # fmt: skip
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        try:
            socket.create_connection(("127.0.0.1", port), timeout=1).close()
            break
        except OSError:
            time.sleep(0.2)
    yield port
    os.killpg(proc.pid, 15)
    proc.wait(timeout=30)


def _head(path: str, headers: dict[str, str]) -> bytes:
    # With a CSRF cookie, as a browser that opened the page has: the CSRF check then reads the
    # form, body and all.
    lines = [
        f"POST {path} HTTP/1.1",
        "Host: 127.0.0.1",
        "Cookie: csrftoken=" + "a" * 32,
        *(f"{k}: {v}" for k, v in headers.items()),
    ]
    return ("\r\n".join(lines) + "\r\n\r\n").encode()


def _status(sock: socket.socket) -> tuple[int, str]:
    answer = b""
    while b"\r\n\r\n" not in answer:
        chunk = sock.recv(65536)
        if not chunk:
            break
        answer += chunk
    head, _, body = answer.partition(b"\r\n\r\n")
    length = int(re.search(rb"(?i)content-length: *(\d+)", head).group(1))
    while len(body) < length:
        chunk = sock.recv(65536)
        if not chunk:
            break
        body += chunk
    return int(head.split()[1]), body.decode("utf-8", "replace")


def test_a_large_declared_body_is_refused_before_it_is_sent(server):
    started = time.monotonic()
    with socket.create_connection(("127.0.0.1", server), timeout=10) as sock:
        sock.sendall(
            _head(
                "/login/",
                {
                    "Content-Type": f"multipart/form-data; boundary={BOUNDARY}",
                    "Content-Length": str(100 * 1024 * 1024),
                },
            )
        )
        # The start of a file part, and a first piece of the 100 MB, no more.
        sock.sendall(
            f'--{BOUNDARY}\r\nContent-Disposition: form-data; name="file"; '
            'filename="big.bin"\r\nContent-Type: application/octet-stream\r\n\r\n'.encode()
        )
        sock.sendall(b"x" * 65536)
        status, body = _status(sock)
    assert status == 413
    assert "请求内容过大" in body
    assert time.monotonic() - started < 5


def test_a_chunked_body_is_cut_off_at_the_limit(server):
    chunk = b"x" * 65536
    with socket.create_connection(("127.0.0.1", server), timeout=10) as sock:
        sock.sendall(
            _head(
                "/login/",
                {"Content-Type": "application/octet-stream", "Transfer-Encoding": "chunked"},
            )
        )
        # 2 MB, twice the limit, and the body never ends: only a server that stops reading at
        # the limit can answer.
        for _ in range(32):
            sock.sendall(b"%x\r\n%s\r\n" % (len(chunk), chunk))
        status, body = _status(sock)
    assert status == 413
    assert "请求内容过大" in body


def test_a_small_chunked_body_reaches_the_view(server):
    form = b"username=zhang&password=x"
    with socket.create_connection(("127.0.0.1", server), timeout=10) as sock:
        sock.sendall(
            _head(
                "/login/",
                {
                    "Content-Type": "application/x-www-form-urlencoded",
                    "Transfer-Encoding": "chunked",
                    "Connection": "close",
                },
            )
        )
        sock.sendall(b"%x\r\n%s\r\n0\r\n\r\n" % (len(form), form))
        status, _body = _status(sock)
    assert status == 403  # the view read the form and found no CSRF token: not 413


def test_an_upload_url_takes_a_file_of_the_upload_limit(server):
    """2 MB is over the general limit and well within the upload limit (10 MB)."""
    size = 2 * 1024 * 1024
    with socket.create_connection(("127.0.0.1", server), timeout=10) as sock:
        sock.sendall(
            _head(
                "/cases/1/materials/upload/",
                {
                    "Content-Type": f"multipart/form-data; boundary={BOUNDARY}",
                    "Content-Length": str(size),
                    "Connection": "close",
                },
            )
        )
        sock.sendall(b"x" * size)
        status, _body = _status(sock)
    assert status != 413
    with socket.create_connection(("127.0.0.1", server), timeout=10) as sock:
        sock.sendall(
            _head(
                "/cases/1/materials/upload/",
                {
                    "Content-Type": f"multipart/form-data; boundary={BOUNDARY}",
                    "Content-Length": str(50 * 1024 * 1024),
                },
            )
        )
        status, _body = _status(sock)
    assert status == 413


def test_every_upload_form_posts_to_an_upload_url():
    """A new form with a file field needs its URL among the upload URLs, or its files would be
    refused at the general limit."""
    root = Path(__file__).resolve().parents[2] / "src" / "expedite"
    posted_to = set()
    for template in root.rglob("templates/**/*.html"):
        for form in re.findall(r"<form[^>]*multipart/form-data[^>]*>", template.read_text()):
            name = re.search(r"{% url '([a-z_]+)'", form)
            assert name, f"{template}: {form}"
            posted_to.add(name.group(1))
    assert posted_to
    assert posted_to <= UPLOAD_URL_NAMES
