"""Shared by the materials tests: a case collecting materials, real files, a verified client."""

from __future__ import annotations

import io

from django.test import RequestFactory
from django.utils import timezone
from PIL import Image
from reportlab.pdfgen import canvas

from expedite.portal.access import mark_verified
from tests.factories import case_along


def pdf_bytes(text: str = "股东会决议", pages: int = 1) -> bytes:
    buf = io.BytesIO()
    c = canvas.Canvas(buf)
    for n in range(pages):
        c.drawString(72, 720, f"{text} {n + 1}")
        c.showPage()
    c.save()
    return buf.getvalue()


def photo_bytes(size=(1080, 1440), fmt: str = "JPEG", color: str = "white") -> bytes:
    buf = io.BytesIO()
    Image.new("RGB", size, color).save(buf, format=fmt)
    return buf.getvalue()


FACTS = {
    "business-change": {"resolution_signed": True},
    # What the liaison heard on the phone; the declaration form is checked again on upload.
    "social-insurance-enrollment": {"wage_base": 8000, "city_minimum_wage_base": 7460},
}


def collecting_case(world, service_code: str = "business-change", client=None):
    """A case accepted and collecting materials (so a pre-review may put it on hold)."""
    return case_along(
        world,
        client=client,
        service=service_code,
        days=40,
        facts=FACTS.get(service_code, {}),
        states=("quoted", "accepted", "materials"),
    )


def verify_client(client, case, *, contact: str = "周婷", now=None) -> None:
    """What the portal's one-time-code flow leaves behind, written into the test client's session."""
    session = client.session
    request = RequestFactory().get("/")
    request.session = session
    mark_verified(request, case, now=now or timezone.now(), contact=contact)
    session.save()
