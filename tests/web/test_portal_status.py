"""The client's status page: milestones, what to do, files, and nothing internal."""

import datetime as dt

import pytest
from django.contrib.auth import get_user_model
from django.utils import timezone
from django.utils.translation import override

from expedite.accounts.selectors import staff_display_name
from expedite.approvals.models import ApprovalRequest
from expedite.audit.models import AuditEvent
from expedite.cases.models import Case
from expedite.cases.triage import case_document_add
from expedite.cases.words import term
from expedite.kpi.demo import HISTORY_CASES
from expedite.portal import links, sections, selectors
from expedite.reviews.models import ReviewFinding
from expedite.work.models import StepRun, Track
from tests.conftest import PASSWORD
from tests.factories import new_case

pytestmark = [
    pytest.mark.django_db,
    pytest.mark.case(deadline=dt.date(2026, 12, 4), reason="内部备注：老板很急"),
]


def test_a_draft_asks_the_three_questions_and_to_verify(client, world, case):
    html = client.get(links.portal_path(case)).content.decode()
    assert "您现在需要做的" in html and "回答三个问题" in html and "验证身份" in html
    assert 'id="materials"' in html  # the checklist, to be uploaded against once verified
    assert "张敏" in html  # the liaison, the client's contact at the firm
    assert 'aria-current="step"' not in html  # no plan yet, nothing current


def _pdf() -> bytes:
    return b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


def test_files_download_only_once_marked_client_visible_with_safe_headers(
    client, world, case, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):  # the file is written on commit
        doc = case_document_add(
            actor=world.zhang, case=case, kind="notice", name="受理通知书.pdf", content=_pdf()
        )
    url = links.portal_path(case) + f"files/{doc.pk}/"
    assert client.get(url).status_code == 404
    assert "受理通知书" not in client.get(links.portal_path(case)).content.decode()

    client.login(username="li", password=PASSWORD)
    assert (
        client.post(f"/cases/{case.pk}/portal/files/{doc.pk}/", {"visible": "1"}).status_code == 403
    )
    client.login(username="zhang", password=PASSWORD)
    client.post(f"/cases/{case.pk}/portal/files/{doc.pk}/", {"visible": "1"})
    doc.refresh_from_db()
    assert doc.client_visible
    event = AuditEvent.objects.get(kind="portal.file_visibility")
    assert event.payload["client_visible"] is True and event.case_id == case.pk
    client.logout()

    assert "受理通知书.pdf" in client.get(links.portal_path(case)).content.decode()
    response = client.get(url)
    assert response.status_code == 200 and b"".join(response.streaming_content) == _pdf()
    disposition = response["Content-Disposition"]
    assert disposition.startswith("attachment;")
    assert "filename*=UTF-8''%E5%8F%97%E7%90%86%E9%80%9A%E7%9F%A5%E4%B9%A6.pdf" in disposition
    assert response["X-Content-Type-Options"] == "nosniff"
    assert "no-store" in response["Cache-Control"] and "private" in response["Cache-Control"]
    assert response["Content-Type"] == "application/octet-stream"

    other = new_case(
        world,
        client=world.hengxin,
        service="business-change",
        deadline=dt.date(2026, 12, 4),
        reason="x",
    )
    # Another case's link does not reach this case's file, visible or not.
    assert client.get(links.portal_path(other) + f"files/{doc.pk}/").status_code == 404


def _demo():
    from expedite.ops.demo import demo_load

    demo_load(now=timezone.now())


def test_the_current_milestone_follows_the_first_unfinished_step(client, catalog):
    _demo()
    with_steps = [c for c in Case.objects.all() if c.steps.exists()]
    assert with_steps
    for case in with_steps:
        rows = selectors.milestones(case)
        html = client.get(links.portal_path(case)).content.decode()
        current = [m for m, state in rows if state == "current"]
        if current:
            # In the language of the client's contact (德澜's reads English).
            with override(case.client.language()):
                shown = term(current[0])
            assert f'<li class="current" aria-current="step">{shown}' in html
        unfinished = case.steps.filter(finished_at__isnull=True).exclude(milestone="")
        if unfinished.exists() and case.state in ("in_progress", "on_hold", "review"):
            first = unfinished.order_by("position", "pk").first().milestone
            assert current == [first]
            index = case.service.milestones.index(first)
            assert all(state == "done" for _m, state in rows[:index])
    running = [c for c in with_steps if c.state == "in_progress"]
    assert running
    for case in running:
        finish = sections.projected_finish(case, now=timezone.now())
        assert finish is not None
        html = client.get(links.portal_path(case)).content.decode()
        assert finish.date.isoformat() in html and "预计完成" in html
        from expedite.workdays.selectors import firm_calendar

        assert ("暂定" in html.split('id="finish"')[1][:400]) == firm_calendar().is_provisional(
            finish.date
        )


def test_no_portal_page_shows_other_staff_or_internal_notes(client, catalog):
    _demo()
    User = get_user_model()
    staff = {staff_display_name(u) for u in User.objects.all()}
    internal = {
        *(t.note for t in Track.objects.exclude(note="")),
        *(s.note for s in StepRun.objects.exclude(note="")),
        *(f.description for f in ReviewFinding.objects.all()),
        *(f.correction for f in ReviewFinding.objects.all()),
        *(a.justification for a in ApprovalRequest.objects.all()),
        *(a.decision_reason for a in ApprovalRequest.objects.exclude(decision_reason="")),
    }
    assert internal  # the demo has internal texts to leak
    # The live demo cases; the KPI history's closed ones would only hit the lookup limit.
    cases = list(Case.objects.exclude(HISTORY_CASES))
    assert len(cases) > 3
    for case in cases:
        html = client.get(links.portal_path(case)).content.decode()
        assert case.reference in html
        liaison = selectors.liaison_name(case)
        for name in staff:
            if name and name != liaison:
                assert name not in html, (case.reference, name)
        for text in internal | {case.reason}:
            assert text not in html, (case.reference, text)


def test_a_handover_to_a_colleague_shows_the_firm_not_the_colleague(client, world, make_user):
    from expedite.custody import services as custody
    from expedite.domain.roles import Role
    from tests.web.custody_helpers import due

    sun = make_user("sun", Role.PROCESS, first_name="丽", last_name="孙")
    case = new_case(
        world,
        client=world.hengxin,
        service="business-change",
        deadline=dt.date(2026, 12, 4),
        reason="x",
    )
    custody.check_in(
        actor=sun,
        client=world.hengxin,
        case=case,
        kind="company_seal",
        purpose="盖章",
        expected_return=due(),
        now=timezone.now(),
    )
    html = client.get(links.portal_path(case)).content.decode()
    assert "待您确认的交接" in html and "吴刚" in html
    assert "孙丽" not in html and "加喜财税" in html
