"""The case page as registered panels: what it costs, and a refused form answered by its panel."""

import datetime as dt
from collections import Counter
from html.parser import HTMLParser
from urllib.parse import parse_qs, urlsplit

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from expedite import clock
from expedite.audit.models import AuditEvent
from expedite.cases import panels
from expedite.cases.costs import cost_entry_add
from expedite.cases.models import Case
from expedite.cases.triage import NOTICE, case_document_add
from expedite.custody.services import check_in
from expedite.work.models import StepRun
from expedite.work.team import team_assign
from expedite.workdays.selectors import firm_calendar
from tests.factories import new_case
from tests.web.test_work import accept, open_case

pytestmark = pytest.mark.django_db

# Session, user, roles and the shell included: 34 for a running case with one of everything
# (one of them asks whether the case is part of a batch); the costs and the event list load
# once scrolled into view.
QUERY_BOUND = 34
LAZY = ("costs", "events")


def _queries(client, url) -> tuple[int, str]:
    client.get(url)  # warm the per-process caches
    with CaptureQueriesContext(connection) as queries:
        response = client.get(url)
    assert response.status_code == 200
    return len(queries), response.content.decode()


def _page(client, case) -> tuple[int, str, int, str]:
    """The page's queries and HTML, and those of the panels it loads once scrolled to."""
    count, html = _queries(client, reverse("case_detail", args=[case.pk]))
    lazy_count, lazy_html = 0, ""
    for key in LAZY:
        url = reverse("case_panel", args=[case.pk, key])
        assert url in html
        n, part = _queries(client, url)
        lazy_count, lazy_html = lazy_count + n, lazy_html + part
    return count, html, lazy_count, lazy_html


def _running_case(world) -> Case:
    case = accept(world, open_case(world, reason="银行贷款需要营业执照", days=40))
    team_assign(
        actor=world.chen,
        case=case,
        choices={"liaison": world.zhang.pk, "process": world.li.pk, "risk": world.wang.pk},
    )
    return case


def _grow(world, case: Case, n: int) -> None:
    """More of everything the page lists: events (each file, cost and handover writes one),
    steps, files, costs and the client's items in custody."""
    # The handover codes go to the client's main contact by e-mail.
    case.client.contacts.filter(email="").update(email="finance@acme.example")
    for i in range(n):
        case_document_add(
            actor=world.zhang,
            case=case,
            kind=NOTICE,
            name=f"通知{i}.pdf",
            content=b"%PDF-1.4 notice",
            client_visible=True,
        )
        cost_entry_add(
            actor=world.chen,
            case=case,
            kind="overtime",
            description=f"加班{i}",
            amount="100.00",
            hours="2",
            person=world.li,
            day=timezone.localdate() - dt.timedelta(days=1),
        )
        check_in(
            actor=world.zhang,
            client=case.client,
            kind="license_copy",
            case=case,
            purpose=f"变更登记{i}",
            expected_return=firm_calendar().add_workdays(timezone.localdate(), 20),
            now=clock.now(),
            label=f"营业执照副本{i}",
        )
    last = StepRun.objects.filter(case=case).order_by("-position").first()
    for _ in range(n):
        last.pk = None
        last.position += 1
        last.code = f"extra-{last.position}"
        last.save()


def test_the_case_page_costs_the_same_queries_however_long_its_history(client, world):
    case = _running_case(world)
    client.force_login(world.chen)  # a manager sees every panel
    _grow(world, case, 1)  # one of each, so every list on the page has rows
    before, html, lazy_before, lazy_html = _page(client, case)
    assert before <= QUERY_BOUND, before
    for key in ("facts", "triage", "plan", "work", "costs", "clocks", "events"):
        assert f'id="{key}"' in html, key
    for key in LAZY:
        assert f'id="{key}"' in lazy_html, key

    events = AuditEvent.objects.filter(case=case).count()
    _grow(world, case, 12)
    assert AuditEvent.objects.filter(case=case).count() >= events + 36
    after, html, lazy_after, lazy_html = _page(client, case)
    assert lazy_html.count("加班") >= 12 and html.count("通知") >= 12  # they show them
    assert after == before, (before, after)
    assert lazy_after == lazy_before, (lazy_before, lazy_after)


class _Ids(HTMLParser):
    """Every id in a page, and the parts that htmx replaces with what their URL returns."""

    def __init__(self):
        super().__init__()
        self.ids: list[str] = []
        self.lazy: list[tuple[str, str]] = []  # (URL, id of the element it replaces)

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        if a.get("id"):
            self.ids.append(a["id"])
        trigger = a.get("hx-trigger") or ""
        if a.get("hx-get") and a.get("hx-swap") == "outerHTML" and trigger in ("load", "revealed"):
            self.lazy.append((a["hx-get"], a.get("id", "")))


def _ids(html: str) -> _Ids:
    parser = _Ids()
    parser.feed(html)
    return parser


def test_no_id_appears_twice_on_the_case_page_with_its_lazy_panels_loaded(client, world):
    case = _running_case(world)
    client.force_login(world.chen)  # a manager sees every panel and every form
    _grow(world, case, 2)  # two items held: their transfer and return forms are drawn twice
    page = _ids(client.get(reverse("case_detail", args=[case.pk])).content.decode())
    ids = list(page.ids)
    assert page.lazy, "the costs, the events and who waits load after the page"
    for url, placeholder in page.lazy:
        response = client.get(url)
        assert response.status_code == 200, url
        if placeholder:
            ids.remove(placeholder)  # the fragment takes the placeholder's place
        ids += _ids(response.content.decode()).ids
    assert {i: n for i, n in Counter(ids).items() if n > 1} == {}
    for form_id in ("id_cost_kind", "id_custody_in_kind", "id_approval_amount"):
        assert form_id in ids, form_id  # the forms this is about were drawn


def test_every_panel_is_registered_once_with_its_own_section():
    keys = [p.key for p in panels.registered()]
    assert len(keys) == len(set(keys))
    assert keys[:3] == ["facts", "portal", "triage"]
    # Every feature app shows itself on the case page without cases importing it.
    for key in (
        "work",
        "reviews",
        "custody",
        "approvals",
        "materials",
        "monitoring",
        "retrospective",
        "delivery",
        "delivery-errors",
    ):
        assert key in keys, key


def test_a_refused_triage_posted_with_htmx_answers_with_its_panel_alone(client, world):
    case = open_case(world)
    client.force_login(world.zhang)
    url = reverse("case_triage", args=[case.pk])
    before = Case.objects.get(pk=case.pk).triage
    with CaptureQueriesContext(connection) as queries:
        response = client.post(url, {"deadline": "not a date"}, HTTP_HX_REQUEST="true")
    assert response.status_code == 422
    html = response.content.decode()
    assert html.lstrip().startswith('<section class="card" id="triage">')
    assert 'id="triage"' in html and 'role="alert"' in html
    for other in ('id="work"', 'id="costs"', 'id="events"', 'id="plan"', "<html"):
        assert other not in html, other
    assert len(queries) < 25, len(queries)
    assert Case.objects.get(pk=case.pk).triage == before  # refused: nothing changed

    # Without JavaScript the whole page comes back, the form with its errors in place.
    response = client.post(url, {"deadline": "not a date"})
    assert response.status_code == 422
    html = response.content.decode()
    assert "<html" in html and 'id="triage"' in html and 'id="events"' in html
    assert 'role="alert"' in html


def test_a_triage_that_goes_through_reloads_the_whole_page(client, world):
    from tests.web.test_triage import form

    case = new_case(
        world,
        client=world.hengxin,
        service="tax-deregistration",
        deadline=timezone.localdate() + dt.timedelta(days=45),
        reason="老板要季度报表",
    )
    client.force_login(world.zhang)
    response = client.post(reverse("case_triage", args=[case.pk]), form(), HTTP_HX_REQUEST="true")
    assert response.status_code == 200
    assert response["HX-Redirect"] == reverse("case_detail", args=[case.pk])
    assert Case.objects.get(pk=case.pk).state == "triaged"


def test_who_waits_loads_after_the_page_and_matches_the_firm_wide_queue(client, world, make_user):
    from expedite.domain.roles import Role
    from expedite.work.load import case_waits, wait_rows
    from expedite.work.selectors import waits
    from expedite.work.team import profile_save

    # li alone does the process work of two cases due at once: one waits behind the other.
    profile_save(
        actor=world.chen,
        user=world.li,
        skills=["外资", "工商"],
        capacity_hours=2,
        expedite_team=True,
    )
    make_user("li2", Role.PROCESS)
    loan = _running_case(world)
    project = _running_case(world)
    firm_wide = [
        (r.person, r.case.pk, r.workdays, [b.pk for b in r.behind])
        for r in wait_rows(waits(now=clock.now()))
        if r.case.pk == project.pk or project in r.behind
    ]
    assert firm_wide, "the specialist should be overbooked"
    mine = [
        (r.person, r.case.pk, r.workdays, [b.pk for b in r.behind])
        for r in case_waits(project, now=clock.now())
    ]
    assert mine == firm_wide

    client.force_login(world.chen)
    page = client.get(reverse("case_detail", args=[project.pk])).content.decode()
    assert reverse("case_waits", args=[project.pk]) in page and "需等待" not in page
    part = client.get(reverse("case_waits", args=[project.pk])).content.decode()
    assert "资源冲突" in part and "需等待" in part
    assert loan.reference in part and project.reference in part


def test_a_lazy_panel_answers_only_for_a_key_the_user_may_see(client, world):
    case = open_case(world)
    client.force_login(world.zhang)
    assert client.get(reverse("case_panel", args=[case.pk, "events"])).status_code == 200
    assert client.get(reverse("case_panel", args=[case.pk, "no-such-panel"])).status_code == 404


@pytest.mark.parametrize(
    ("current", "back"),
    [
        ("http://testserver/cases/{pk}/?tab=1", "/cases/{pk}/?tab=1"),
        ("https://evil.example/cases/", "/"),  # never back to another site
    ],
)
def test_a_panel_loaded_after_the_session_ended_sends_the_browser_to_log_in(
    client, world, current, back
):
    case = new_case(world)
    url = reverse("case_panel", args=[case.pk, "events"])
    headers = {"HX-Request": "true", "HX-Current-URL": current.format(pk=case.pk)}
    response = client.get(url, headers=headers)
    assert response.status_code == 200 and response.content == b""
    login = response["HX-Redirect"]
    assert login.startswith(reverse("login") + "?")
    assert parse_qs(urlsplit(login).query)["next"] == [back.format(pk=case.pk)]
    # Without htmx the log-in page comes back as a redirect, as ever.
    plain = client.get(url)
    assert plain.status_code == 302 and "HX-Redirect" not in plain
