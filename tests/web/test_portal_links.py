"""Portal links as rows: only the current link of a case opens it, and only that case."""

import datetime as dt
import importlib
import re
import xml.etree.ElementTree as ET

import pytest
import segno
from django.apps import apps
from django.conf import settings
from django.core import signing
from django.utils import timezone

from expedite.audit.models import AuditEvent
from expedite.portal import links
from expedite.portal.models import PortalLink
from expedite.portal.services import link_revoke, link_rotate
from tests.conftest import PASSWORD
from tests.factories import new_case

DUE = dt.date(2026, 12, 4)
pytestmark = [pytest.mark.django_db, pytest.mark.case(deadline=DUE, reason="内部备注：老板很急")]


NOT_FOUND = "此链接已失效或不正确"


def _is_not_found(response) -> bool:
    return response.status_code == 404 and NOT_FOUND in response.content.decode()


def test_a_new_case_has_one_current_link_and_its_token_is_not_stored(world, case):
    link = PortalLink.objects.get(case=case)
    token = links.portal_token(case)
    assert token and links.portal_token(case) == token  # the same link every time
    assert link.token_digest == links.digest(token)
    assert token not in str(list(PortalLink.objects.values()))
    assert link.expires_at - link.created_at == dt.timedelta(days=90)


def test_a_token_reaches_only_its_own_case(client, world, case):
    other = new_case(world, client=world.hengxin, deadline=DUE, reason="恒信的事")
    html = client.get(links.portal_path(case)).content.decode()
    assert case.reference in html and other.reference not in html
    html = client.get(links.portal_path(other)).content.decode()
    assert other.reference in html and case.reference not in html
    # A link's token cannot be re-pointed at another case's row: the nonce belongs to its row.
    mine = PortalLink.objects.get(case=case)
    theirs = PortalLink.objects.get(case=other)
    assert _is_not_found(client.get(f"/p/{links.sign(theirs.pk, mine.nonce)}/"))


def test_expired_revoked_rotated_guessed_and_malformed_links_all_get_the_same_404(
    client, world, case
):
    token = links.portal_token(case)
    link = PortalLink.objects.get(case=case)
    bodies = set()

    def gone(path):
        response = client.get(path)
        assert _is_not_found(response), path
        assert case.reference not in response.content.decode()
        # Only the CSRF token and the language switch's return path differ between pages.
        body = response.content.decode()
        body = re.sub(r'name="(csrfmiddlewaretoken|next)" value="[^"]*"', "", body)
        bodies.add(body)

    gone(f"/p/{links.sign(link.pk + 999, link.nonce)}/")  # well signed, no such row
    gone(f"/p/{links.sign(link.pk, 'guessed-nonce')}/")
    gone(f"/p/{token[:-2]}xx/")  # altered signature
    gone("/p/eyJjYXNlIjoxfQ/")
    gone("/p/x/")
    gone(f"/p/{'A' * 400}/")
    # The signed links of before (case id only) no longer open anything.
    gone(f"/p/{signing.dumps({'case': case.pk}, salt='expedite.portal.case', compress=True)}/")

    PortalLink.objects.filter(pk=link.pk).update(expires_at=timezone.now())
    gone(f"/p/{token}/")
    PortalLink.objects.filter(pk=link.pk).update(expires_at=timezone.now() + dt.timedelta(days=1))
    assert client.get(f"/p/{token}/").status_code == 200

    new = link_rotate(actor=world.zhang, case=case, now=timezone.now())
    gone(f"/p/{token}/")  # rotated away
    fresh = links.token_of(new)
    assert client.get(f"/p/{fresh}/").status_code == 200
    link_revoke(actor=world.zhang, case=case, now=timezone.now())
    gone(f"/p/{fresh}/")
    assert links.portal_path(case) is None
    assert len(bodies) == 1  # nothing tells one failure from another


def test_rotate_and_revoke_from_the_case_page_are_audited_and_need_the_right_person(
    client, world, case, make_user
):
    from expedite.domain.roles import Role

    old = links.portal_token(case)
    client.login(username="li", password=PASSWORD)  # process specialist: no
    assert client.post(f"/cases/{case.pk}/portal/rotate/").status_code == 403
    make_user("sun", Role.LIAISON)
    client.login(username="sun", password=PASSWORD)  # a liaison, but not this case's
    assert client.post(f"/cases/{case.pk}/portal/rotate/").status_code == 403
    assert links.portal_token(case) == old
    client.login(username="zhang", password=PASSWORD)
    client.post(f"/cases/{case.pk}/portal/rotate/")
    assert links.portal_token(case) != old
    event = AuditEvent.objects.get(kind="portal.link_rotated")
    assert event.case_id == case.pk and event.actor == world.zhang.username
    client.login(username="chen", password=PASSWORD)  # a manager, on any case
    client.post(f"/cases/{case.pk}/portal/revoke/")
    assert AuditEvent.objects.get(kind="portal.link_revoked").case_id == case.pk
    html = client.get(f"/cases/{case.pk}/").content.decode()
    assert "没有有效的客户进度页链接" in html and "生成新链接" in html


def _svg_matrix(svg: str) -> list[list[bool]]:
    """The dark modules of segno's path ("M x y" then "h n" runs and "m dx dy" moves)."""
    root = ET.fromstring(svg)  # noqa: S314 - our own output
    assert root.tag == "{http://www.w3.org/2000/svg}svg"
    path = root.find("{http://www.w3.org/2000/svg}path").get("d")
    size = int(root.get("width")) // 8 - 4  # scale 8, border 2 on each side
    matrix = [[False] * size for _ in range(size)]
    x = y = 0.0
    for op, a, b in re.findall(r"([Mmh])(-?[\d.]+)(?: (-?[\d.]+))?", path):
        if op == "M":
            x, y = float(a), float(b)
        elif op == "m":
            x, y = x + float(a), y + float(b)
        else:
            for i in range(int(a)):
                matrix[int(y - 0.5) - 2][int(x) + i - 2] = True
            x += float(a)
    return matrix


def test_the_qr_code_is_an_svg_of_the_current_link(client, world, case):
    client.login(username="zhang", password=PASSWORD)
    page = client.get(f"/cases/{case.pk}/").content.decode()
    url = settings.EXPEDITE_PUBLIC_URL + links.portal_path(case)  # the address clients reach
    assert url in page and '<svg xmlns="http://www.w3.org/2000/svg"' in page
    response = client.get(f"/cases/{case.pk}/portal/qr.svg")
    assert response["Content-Type"] == "image/svg+xml"
    assert response["Content-Disposition"].startswith("attachment;")
    svg = response.content.decode()
    assert svg.startswith("<?xml")
    expected = [
        [bool(v) for v in row] for row in segno.make(url, encoding="utf-8", error="m").matrix
    ]
    assert _svg_matrix(svg) == expected
    other = [
        [bool(v) for v in row] for row in segno.make(url + "x", encoding="utf-8", error="m").matrix
    ]
    assert _svg_matrix(svg) != other
    printable = client.get(f"/cases/{case.pk}/portal/qr/").content.decode()
    assert url in printable and "<svg" in printable
    client.logout()
    assert client.get(f"/cases/{case.pk}/portal/qr.svg").status_code == 302  # login first


def test_lookups_are_rate_limited_per_link_and_per_address(client, world, case):
    path = links.portal_path(case)
    for _ in range(30):
        assert client.get(path).status_code == 200
    response = client.get(path)
    assert response.status_code == 429 and "访问过于频繁" in response.content.decode()
    from django.core.cache import cache

    cache.clear()
    for i in range(30):  # guessing from one address...
        assert client.get(f"/p/guess{i:04d}xxxxxxxx/").status_code == 404
    assert client.get(path).status_code == 429  # ...also stops the address's real link
    other_address = client.get(path, REMOTE_ADDR="10.0.0.9")
    assert other_address.status_code == 200


def test_existing_cases_get_a_link_when_links_become_rows(world, case):
    PortalLink.objects.all().delete()
    migration = importlib.import_module("expedite.portal.migrations.0002_links_for_existing_cases")
    migration.issue(apps, None)
    token = links.portal_token(case)
    assert token is not None
    from expedite.portal.access import case_for_token

    assert case_for_token(token) == case
