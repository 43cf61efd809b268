"""No secret reaches a log: one-time codes, portal link tokens (a link's path opens the case),
full mobile numbers. Checked on the SMS sender, on every handler the settings install, and on
a real gunicorn's access log as `expedite serve` configures it."""

from __future__ import annotations

import io
import logging
import socket
import subprocess
import sys
import time
import urllib.request

import pytest
from django.utils import timezone

from expedite import clock
from expedite.common.logredact import RedactSecrets, redact
from expedite.notify.sms import LogProvider
from expedite.ops.gunicornlog import LOG_ARGS
from expedite.portal.services import code_send
from tests.factories import new_case

# The shape of a real link token (django.core.signing, compressed): only its route may show.
TOKEN = ".eJyrVspRsjI0NDQ3MTU1sDA3sjTQUcpTsjKsBQBQ7gWl:1uSeCrEtSiGnAtUrE0xyz"


def test_redact_keeps_the_route_and_the_fact_not_the_secret():
    assert redact(f'"GET /p/{TOKEN}/verify/?x=1 HTTP/1.1" 200') == (
        '"GET /p/…/verify/?x=1 HTTP/1.1" 200'
    )
    assert redact(f"http://firm.example/p/{TOKEN}/") == "http://firm.example/p/…/"
    assert redact(f"/login/?next=%2Fp%2F{TOKEN}%2Fconfirm%2F") == (
        "/login/?next=%2Fp%2F…%2Fconfirm%2F"
    )
    assert redact("SMS to 13816220001: 您的验证码是 602235，10 分钟内有效") == (
        "SMS to 138****0001: 您的验证码是 ******，10 分钟内有效"
    )
    assert redact("确认码：602235") == "确认码：******"
    assert redact("Your verification code is 602235. Valid") == (
        "Your verification code is ******. Valid"
    )
    assert redact("Handover confirmation code 1234") == "Handover confirmation code ******"
    assert redact("+8613816220001") == "+86138****0001"
    # Other figures stay: amounts, ids, durations, status codes.
    for plain in ("worker exited with code 1", "case 602235 saved", "HTTP 500", "¥12000.00"):
        assert redact(plain) == plain


@pytest.mark.django_db
def test_a_text_message_code_is_not_in_the_log(world, caplog):
    case = new_case(
        world,
        client=world.acme,  # 周婷 has a phone and no e-mail: the code goes by SMS
        service="labor-dispatch-license",
        deadline=timezone.localdate() + timezone.timedelta(days=30),
        reason="签约",
    )
    contact = world.acme.contacts.get()
    with caplog.at_level(logging.INFO):
        code_send(case=case, contact_id=contact.pk, now=clock.now())
    sent = LogProvider.sent[-1]
    code, phone = sent.variables["code"], sent.phone
    assert phone == "13816220001"
    assert "to 138****0001" in caplog.text
    assert code not in caplog.text and phone not in caplog.text


def _handlers() -> list[logging.Handler]:
    """The handlers the settings install (pytest adds its own capturing ones to the root)."""
    names = ["", "django", "django.server", "django.request", "huey", "expedite"]
    return [
        h
        for n in names
        for h in logging.getLogger(n).handlers
        if not type(h).__module__.startswith("_pytest")
    ]


def test_every_handler_the_settings_install_masks_secrets():
    handlers = _handlers()
    assert handlers
    for handler in handlers:
        assert any(isinstance(f, RedactSecrets) for f in handler.filters), handler
    (console,) = [h for h in _handlers() if h in logging.getLogger().handlers]
    stream = io.StringIO()
    previous = console.setStream(stream)
    try:
        # What a gateway class or a 404 would log, straight through the configured handler.
        logging.getLogger("expedite.sms").warning(
            "SMS to %s: 您的验证码是 %s", "13816220001", 602235
        )
        logging.getLogger("django.request").warning("Not Found: %s", f"/p/{TOKEN}/confirm/")
        try:
            raise ValueError(f"bad link /p/{TOKEN}/")
        except ValueError:
            logging.getLogger("expedite").exception("portal failed")
    finally:
        console.setStream(previous)
    out = stream.getvalue()
    assert "602235" not in out and "13816220001" not in out and TOKEN not in out
    assert "SMS to 138****0001: 您的验证码是 ******" in out
    assert "Not Found: /p/…/confirm/" in out and "bad link /p/…/" in out


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def test_gunicorns_access_log_shows_the_portal_route_without_the_token(tmp_path):
    """gunicorn as `expedite serve` starts it (same log options), serving the standard
    library's demo WSGI app, so that nothing but the logging is under test."""
    port = _free_port()
    log = tmp_path / "gunicorn.log"
    with log.open("w") as out:
        proc = subprocess.Popen(
            [sys.executable, "-m", "gunicorn", "wsgiref.simple_server:demo_app",
             "--bind", f"127.0.0.1:{port}", "--workers", "1", *LOG_ARGS],
            stdout=out,
            stderr=subprocess.STDOUT,
        )  # fmt: skip
        try:
            url = f"http://127.0.0.1:{port}/p/{TOKEN}/verify/?contact=1"
            request = urllib.request.Request(url, headers={"Referer": f"http://x/p/{TOKEN}/"})
            deadline = time.monotonic() + 30
            while True:
                try:
                    with urllib.request.urlopen(request, timeout=5) as response:  # noqa: S310
                        assert response.status == 200
                    break
                except OSError:
                    if time.monotonic() > deadline or proc.poll() is not None:
                        raise
                    time.sleep(0.2)
        finally:
            proc.terminate()
            proc.wait(timeout=30)
    text = log.read_text()
    assert "GET /p/…/verify/?contact=1 HTTP/1.1" in text, text
    assert '"http://x/p/…/"' in text, text
    assert TOKEN not in text and TOKEN.split(":")[-1] not in text, text
