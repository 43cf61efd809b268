"""The authorization matrix: every route of the URL configuration and every API operation,
for anonymous visitors, a user without a role, each staff role, a superuser, and a client's
link to another case, with the answer each must get (rules in `authz_rules`). A route without
a rule fails the test, so a new view cannot go in without saying who may use it."""

from __future__ import annotations

import pytest
from django.test import Client as Browser

from expedite.accounts.services import api_token_create
from expedite.audit.models import AuditEvent
from expedite.batches.services import BatchCompany, batch_create
from expedite.domain.roles import CAPABILITIES, Capability, Role
from expedite.imports import samples
from expedite.imports.services import import_preview
from expedite.notify.webhook_services import webhook_save
from expedite.portal import links
from tests.factories import new_case
from tests.web import authz_rules as rules
from tests.web.delivery_helpers import result_pdf

pytestmark = pytest.mark.django_db

ACTORS = ["anonymous", "outsider", *[r.value for r in Role], "superuser"]
REFUSED = {401, 403, 404, 405}


@pytest.fixture
def matrix(world, make_user):

    admin = make_user("admin1", Role.ADMIN)
    users = {
        "outsider": world.outsider,
        Role.LIAISON.value: world.zhang,
        Role.PROCESS.value: world.li,
        Role.RISK.value: world.wang,
        Role.SUPERVISOR.value: world.zhao,
        Role.MANAGER.value: world.chen,
        Role.GENERAL_MANAGER.value: world.liu,
        Role.ADMIN.value: admin,
        "superuser": world.root,
    }

    case = new_case(world, client=world.hengxin, days=40, reason="授权矩阵")
    other = new_case(world, client=world.acme, days=40, reason="授权矩阵")
    batch = batch_create(
        actor=world.zhang,
        companies=[BatchCompany(world.hengxin.pk), BatchCompany(world.acme.pk)],
        requester_contact_id=world.hengxin.contacts.first().pk,
        service_code="business-change",
        requested_deadline=case.requested_deadline,
        reason="授权矩阵",
        now=world.now,
    )
    ids = {
        "pk": case.pk,
        "case_id": case.pk,
        "client_id": world.hengxin.pk,
        "batch_id": batch.pk,
        "code": "business-change",
        "token": links.portal_token(case),
        "item": "license",
        "doc": 999_999,
        "submission": 999_999,
        "step_id": 999_999,
        "track_id": 999_999,
        "action": "start",
        "key": "costs",
        "approval_pk": 999_999,
        "approval_id": 999_999,
        "report_id": 999_999,
        "incident_id": 999_999,
        "warning_id": 999_999,
        "proposal_id": 999_999,
        "run_id": 999_999,
        "outreach_id": 999_999,
        "item_id": 999_999,
        "movement_id": 999_999,
        "day": "2026-12-04",
        "provider": "aliyun",
        "import_id": import_preview(actor=world.zhang, files=samples.files(world.today)).pk,
        "endpoint_id": webhook_save(
            actor=admin, name="矩阵", url="http://127.0.0.1:9/", events=["case.created"]
        ).pk,
    }
    return {"users": users, "case": case, "other": other, "ids": ids, "world": world}


def _browser(matrix, actor: str) -> Browser:
    browser = Browser()
    if actor != "anonymous":
        browser.force_login(matrix["users"][actor])
    return browser


def _allowed(need, actor: str) -> bool:
    if need == rules.PUBLIC:
        return True
    if need == rules.NOWHERE or actor == "anonymous":
        return False
    if need == rules.ANY_LOGIN:
        return True
    if actor == "outsider":
        return False
    if need == rules.STAFF:
        return True
    # A superuser without a role has the administrator's capabilities (accounts.selectors).
    role = Role.ADMIN if actor == "superuser" else Role(actor)
    return role in CAPABILITIES[Capability(need)]


def _refused(response) -> bool:
    if response.status_code in REFUSED:
        return True
    return response.status_code == 302 and response["Location"].startswith("/login/")


def test_every_route_has_a_rule_and_every_rule_a_route():
    keys = {rules.route_key(route, name) for route, name in rules.routes()}
    ruled = set(rules.PAGES) | set(rules.WRITES) | rules.PORTAL_ROUTES | set(rules.FAMILIES)
    assert sorted(keys - ruled) == [], "routes without a rule"
    assert sorted(ruled - keys) == [], "rules for routes that no longer exist"
    assert not set(rules.PAGES) & set(rules.WRITES)


def _cells(table):
    return [(name, need, actor) for name, need in table.items() for actor in ACTORS]


def test_pages_answer_each_actor_as_the_rules_say(matrix):
    """Every page, read by every actor: 2xx for those its rule admits; 403 or 404 for the rest,
    and the log-in page for anonymous visitors."""
    site = rules.site_routes()
    wrong = []
    for name, need, actor in _cells(rules.PAGES):
        response = _browser(matrix, actor).get(rules.fill(site[name], matrix["ids"]))
        if _allowed(need, actor) == _refused(response):
            wrong.append(f"{name} as {actor}: {response.status_code}")
    assert wrong == [], "\n".join(wrong)


def test_writes_are_refused_to_whoever_the_rules_exclude_and_change_nothing(matrix):
    """Every route that changes something, posted by every actor (an empty form: the check is
    who gets through, not what the form holds). Anonymous visitors go to log in, a user
    without a role is refused, a role the rule excludes is refused or turned back with
    nothing written, and a role it admits is never answered 403."""
    site = rules.site_routes()
    wrong = []
    for name, need, actor in _cells(rules.WRITES):
        browser = _browser(matrix, actor)  # signing in is recorded: count after it
        before = AuditEvent.objects.count()
        response = browser.post(rules.fill(site[name], matrix["ids"]), {})
        written = AuditEvent.objects.count() != before
        to_login = response.status_code == 302 and response["Location"].startswith("/login/")
        if _allowed(need, actor):
            if response.status_code in (401, 403) or (to_login and name != "logout"):
                wrong.append(f"{name} as {actor}: refused ({response.status_code})")
        elif written or not (
            _refused(response) or (response.status_code == 302 and actor not in ("anonymous",))
        ):
            wrong.append(f"{name} as {actor}: {response.status_code}, written={written}")
        elif actor in ("anonymous", "outsider") and not _refused(response):
            wrong.append(f"{name} as {actor}: not refused ({response.status_code})")
    assert wrong == [], "\n".join(wrong)


def _operations():
    from expedite.api.routes import api

    schema = api.get_openapi_schema()
    return [
        (path, method)
        for path, item in schema["paths"].items()
        for method in item
        if method in ("get", "post", "put", "patch", "delete")
    ]


def test_every_api_operation_needs_a_token_and_a_role(matrix):
    """Without a token: 401. With the token of a user without a role: refused (403/404) or,
    for the catalog and calendar everyone may read, answered; never a write."""
    ids = matrix["ids"]
    anonymous = Browser()
    _token, raw = api_token_create(user=matrix["users"]["outsider"], name="matrix")
    wrong = []
    for path, method in _operations():
        url = path.format(**ids)
        call = getattr(anonymous, method)
        response = call(url, content_type="application/json")
        if response.status_code != 401:
            wrong.append(f"{method.upper()} {path} anonymous: {response.status_code}")
        before = AuditEvent.objects.count()
        response = call(
            url, {}, content_type="application/json", HTTP_AUTHORIZATION=f"Bearer {raw}"
        )
        if AuditEvent.objects.count() != before:
            wrong.append(f"{method.upper()} {path} without a role wrote something")
        reads_for_all = path.startswith(("/api/v1/calendar", "/api/v1/services"))
        empty = response.status_code == 200 and response.json() in ([], {"items": [], "count": 0})
        if (
            method == "get"
            and not reads_for_all
            and not empty
            and response.status_code not in REFUSED
        ):
            wrong.append(f"GET {path} without a role: {response.status_code}")
    assert wrong == [], "\n".join(wrong)


def test_a_client_link_opens_its_own_case_and_nothing_else(
    matrix, django_capture_on_commit_callbacks
):
    """Each portal route with a made-up token: 404. Another client's link with this case's
    file: 404. The case's own link: its page."""
    site = rules.site_routes()
    ids = dict(matrix["ids"], token="made-up", item="license")
    for name in sorted(rules.PORTAL_ROUTES):
        url = rules.fill(site[name], ids)
        before = AuditEvent.objects.count()
        for response in (Browser().get(url), Browser().post(url, {})):
            assert response.status_code in (403, 404, 405), (name, response.status_code)
        assert AuditEvent.objects.count() == before, name
    from expedite.cases.models import CaseDocument

    case, other = matrix["case"], matrix["other"]
    own = Browser().get(links.portal_path(case))
    assert own.status_code == 200 and case.reference in own.content.decode()
    foreign = links.portal_token(other)
    assert foreign != links.portal_token(case)
    page = Browser().get(links.portal_path(other)).content.decode()
    assert case.reference not in page
    from expedite.cases.triage import case_document_add

    with django_capture_on_commit_callbacks(execute=True):  # the file is stored on commit
        doc = case_document_add(
            actor=matrix["world"].zhang,
            case=case,
            kind="notice",
            name="受理通知书.pdf",
            content=result_pdf("notice"),
            client_visible=True,
        )
    own_file = rules.fill(
        site["portal_file"], dict(ids, token=links.portal_token(case), doc=doc.pk)
    )
    assert Browser().get(own_file).status_code == 200
    url = rules.fill(site["portal_file"], dict(ids, token=foreign, doc=doc.pk))
    assert Browser().get(url).status_code == 404
    assert CaseDocument.objects.filter(pk=doc.pk, case=case).exists()


def test_the_admin_site_is_for_superusers_only(matrix):
    for actor in ACTORS:
        response = _browser(matrix, actor).get("/admin/")
        if actor == "superuser":
            assert response.status_code == 200
        else:
            assert response.status_code == 302 and "/admin/login/" in response["Location"], actor
