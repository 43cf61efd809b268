"""Triage as the liaison, the manager, a script and the operator use it."""

import datetime as dt
import json
from io import StringIO

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.urls import reverse
from django.utils import timezone

from expedite import clock
from expedite.accounts.services import api_token_create
from expedite.audit.models import AuditEvent
from expedite.cases.models import Case, CaseDocument
from expedite.cases.triage_text import readable
from tests.conftest import PASSWORD
from tests.factories import new_case

pytestmark = pytest.mark.django_db


def far() -> dt.date:
    """A deadline comfortably ahead of the pinned instant."""
    return timezone.localdate() + dt.timedelta(days=45)


# An invoice that may be voided and reissued: paper, and from this month.
SAME_MONTH_PAPER = {"cross_month": False, "paper_invoice": True}


@pytest.fixture
def dereg(world):
    return new_case(
        world,
        client=world.hengxin,
        service="tax-deregistration",
        deadline=far(),
        reason="老板要季度报表",
    )


def form(**overrides):
    data = {
        "deadline": far().isoformat(),
        "written_notice": "yes",
        "stage": "not_started",
        "materials_complete": "yes",
        "consequence": "lost_business",
        "fact_returns_filed": "no",
        "fact_unpaid_taxes": "no",
    }
    data.update(overrides)
    return data


def test_the_liaison_triages_and_the_decision_is_stored_with_who_and_when(client, world, dereg):
    client.login(username="zhang", password=PASSWORD)
    response = client.post(reverse("case_triage", args=[dereg.pk]), form())
    assert response.status_code == 302
    case = Case.objects.get(pk=dereg.pk)
    assert case.state == "triaged" and case.verdict == "blocked"
    assert case.triage["decided_by"] == "张敏"
    assert case.triage["fired_rules"][0]["code"] == "deregistration-requires-filings"
    assert case.triage["recommended_option"]["working_days"] == 8
    assert case.priority is not None
    event = AuditEvent.objects.get(kind="case.triaged", case=case)
    assert event.payload["verdict"] == "blocked"
    page = client.get(reverse("case_detail", args=[case.pk])).content.decode()
    assert "须先满足前提" in page and "发给客户的研判说明" in page and "8 个工作日" in page


def test_missing_answers_are_listed_and_nothing_is_stored(client, world, dereg):
    client.login(username="zhang", password=PASSWORD)
    data = form()
    del data["fact_returns_filed"]
    response = client.post(reverse("case_triage", args=[dereg.pk]), data)
    assert response.status_code == 422
    assert "这个字段是必填项" in response.content.decode()
    case = Case.objects.get(pk=dereg.pk)
    assert case.state == "draft" and case.triage == {}
    assert not AuditEvent.objects.filter(kind="case.triaged").exists()


def test_the_written_notice_is_kept_with_its_hash(client, world, dereg):
    from django.core.files.uploadedfile import SimpleUploadedFile

    client.login(username="zhang", password=PASSWORD)
    upload = SimpleUploadedFile("平台通知.png", b"\x89PNG fake image", content_type="image/png")
    client.post(reverse("case_triage", args=[dereg.pk]), {**form(), "notice_file": upload})
    doc = CaseDocument.objects.get(case=dereg)
    assert doc.kind == "deadline_notice" and len(doc.sha256) == 64
    assert AuditEvent.objects.filter(kind="case.file_added", payload__sha256=doc.sha256).exists()


def test_a_file_of_another_type_is_refused(client, world, dereg):
    from django.core.files.uploadedfile import SimpleUploadedFile

    client.login(username="zhang", password=PASSWORD)
    upload = SimpleUploadedFile("notice.exe", b"MZ", content_type="application/octet-stream")
    response = client.post(
        reverse("case_triage", args=[dereg.pk]), {**form(), "notice_file": upload}
    )
    assert "只接受 PDF、JPG、PNG 文件" in response.content.decode()
    assert not CaseDocument.objects.exists()
    assert Case.objects.get(pk=dereg.pk).state == "draft"


def test_a_manager_overrides_with_a_reason_but_never_a_refusal(client, world, dereg):
    client.login(username="zhang", password=PASSWORD)
    client.post(reverse("case_triage", args=[dereg.pk]), form())
    response = client.post(
        reverse("case_override", args=[dereg.pk]),
        {"verdict": "expedite", "reason": "客户已补报，税务局确认"},
    )
    assert Case.objects.get(pk=dereg.pk).verdict == "blocked"  # a liaison may not
    client.login(username="chen", password=PASSWORD)
    response = client.post(
        reverse("case_override", args=[dereg.pk]),
        {"verdict": "expedite", "reason": "客户已补报，税务局确认"},
    )
    assert response.status_code == 302
    case = Case.objects.get(pk=dereg.pk)
    assert case.verdict == "expedite"
    assert case.triage["override"]["reason"] == "客户已补报，税务局确认"
    assert AuditEvent.objects.filter(kind="case.verdict_overridden").count() == 1


def test_a_refusal_cannot_be_overridden(world):
    from django.utils import timezone

    from expedite.cases.triage import TriageInput, case_triage, case_verdict_override
    from expedite.domain.errors import ValidationFailed

    case = new_case(
        world,
        service="invoice-title-change",
        deadline=far(),
        reason="客户要改抬头",
    )
    case_triage(
        actor=world.zhang,
        case=case,
        data=TriageInput(deadline=far(), written_notice=True, facts={"cross_month": True}),
        now=timezone.now(),
    )
    with pytest.raises(ValidationFailed, match="合规红线不能改判"):
        case_verdict_override(
            actor=world.chen,
            case=case,
            verdict="not_needed",
            reason="客户坚持要改",
            now=clock.now(),
        )


def test_the_queue_puts_the_penalty_case_first_with_the_reason(client, world):
    from django.utils import timezone

    from expedite.cases.triage import TriageInput, case_triage

    soon = timezone.localdate() + dt.timedelta(days=21)
    loan = new_case(
        world,
        deadline=soon,
        reason="银行贷款需要营业执照",
    )
    acceptance = new_case(
        world,
        service="tax-filing",
        deadline=soon,
        reason="项目验收需要税务证明",
    )
    now = timezone.now()
    case_triage(
        actor=world.zhang,
        case=loan,
        data=TriageInput(
            deadline=soon,
            written_notice=True,
            consequence="comfort_only",
            facts={"resolution_signed": True},
        ),
        now=now,
    )
    case_triage(
        actor=world.zhang,
        case=acceptance,
        data=TriageInput(deadline=soon, written_notice=True, consequence="contract_penalty"),
        now=now,
    )
    client.login(username="chen", password=PASSWORD)
    html = client.get(reverse("triage_queue")).content.decode()
    assert html.index(acceptance.reference) < html.index(loan.reference)
    assert "逾期要付合同违约金" in html


@pytest.fixture
def auth(world):
    return {"HTTP_AUTHORIZATION": f"Bearer {api_token_create(user=world.zhang, name='t')[1]}"}


def test_api_what_if_triage_stores_nothing(client, world, auth):
    events, cases = AuditEvent.objects.count(), Case.objects.count()
    body = client.post(
        "/api/v1/triage",
        {
            "service": "invoice-title-change",
            "deadline": far().isoformat(),
            "written_notice": True,
            "facts": {"cross_month": True},
        },
        content_type="application/json",
        **auth,
    ).json()
    assert body["verdict"] == "refused"
    assert body["alternative"]["service"] == "invoice-correction"
    assert not AuditEvent.objects.filter(kind="case.triaged").exists()
    # Only the token's last use is touched; no case, no event, nothing else written.
    assert (AuditEvent.objects.count(), Case.objects.count()) == (events, cases)


def test_api_lists_exactly_the_missing_facts(client, world, auth):
    response = client.post(
        "/api/v1/triage",
        {
            "service": "tax-deregistration",
            "deadline": far().isoformat(),
            "written_notice": True,
            "facts": {"returns_filed": True},
        },
        content_type="application/json",
        **auth,
    )
    assert response.status_code == 422
    assert response.json()["detail"] == [
        {"field": "facts", "message": "还需要回答：尚有欠缴税款或滞纳金。"}
    ]
    assert response.json()["missing_facts"] == [
        {
            "code": "unpaid_taxes",
            "question": "尚有欠缴税款或滞纳金",
            "type": "boolean",
            "expected": "true|false",
        },
    ]


def test_api_triage_of_a_case(client, world, auth, dereg):
    response = client.post(
        f"/api/v1/cases/{dereg.pk}/triage",
        {
            "deadline": far().isoformat(),
            "written_notice": False,
            "facts": {"returns_filed": True, "unpaid_taxes": False},
        },
        content_type="application/json",
        **auth,
    )
    assert response.status_code == 200, response.content
    assert response.json()["verdict"] == "not_needed"
    assert "no_written_evidence" in {f["code"] for f in response.json()["flags"]}
    assert Case.objects.get(pk=dereg.pk).state == "triaged"


def test_cli_prints_the_promised_fields(catalog):
    out = StringIO()
    call_command(
        "triage",
        "tax-deregistration",
        "--deadline",
        far().isoformat(),
        "--fact",
        "returns_filed=false",
        "--fact",
        "unpaid_taxes=false",
        "--json",
        stdout=out,
    )
    body = json.loads(out.getvalue())
    assert body["verdict"] == "blocked"
    assert body["fired_rules"][0]["code"] == "deregistration-requires-filings"
    assert body["recommended_option"]["working_days"] == 8
    assert body["reasons"] and body["latest_start"]


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (("nope", "--deadline", "2026-12-01"), "服务目录中没有"),
        (("tax-deregistration", "--deadline", "2026-13-01"), "不是有效日期"),
        (("tax-deregistration", "--deadline", "2026-12-01"), "还需要回答"),
        (("tax-deregistration", "--deadline", "2026-12-01", "--fact", "oops"), "名称=值"),
    ],
)
def test_cli_bad_input_exits_2_with_what_is_missing(catalog, args, message):
    with pytest.raises(CommandError, match=message) as info:
        call_command("triage", *args, stdout=StringIO())
    assert info.value.returncode == 2


def test_a_refused_triage_keeps_no_uploaded_notice(client, world, dereg):
    from django.core.files.uploadedfile import SimpleUploadedFile

    client.login(username="zhang", password=PASSWORD)
    # A valid form, but the case has moved on: the triage is refused after the upload.
    Case.objects.filter(pk=dereg.pk).update(state="in_progress")
    upload = SimpleUploadedFile("通知.pdf", b"%PDF-1.4 fake", content_type="application/pdf")
    response = client.post(
        reverse("case_triage", args=[dereg.pk]), {**form(), "notice_file": upload}
    )
    assert "不能再研判" in response.content.decode()
    assert not CaseDocument.objects.exists()
    assert not AuditEvent.objects.filter(kind="case.file_added").exists()


def test_the_plan_panel_starts_from_what_the_triage_established(client, world):
    from django.utils import timezone

    from expedite.cases.triage import TriageInput, case_triage

    deadline = timezone.localdate() + dt.timedelta(days=60)
    case = new_case(
        world,
        service="labor-dispatch-license",
        deadline=deadline,
        reason="签约",
    )
    case_triage(
        actor=world.zhang,
        case=case,
        data=TriageInput(
            deadline=deadline,
            written_notice=True,
            facts={"business_license_valid": True, "registered_capital": 3_000_000},
            preconditions=("esign-accepted", "department-precoordinated", "remote-collaboration"),
        ),
        now=timezone.now(),
    )
    client.login(username="zhang", password=PASSWORD)
    html = client.get(reverse("case_plan", args=[case.pk])).content.decode()
    assert 'name="pre" value="esign-accepted" checked' in html
    assert '<td data-label="工作日">3</td>' in html


@pytest.fixture
def refused(world):
    from django.utils import timezone

    from expedite.cases.triage import TriageInput, case_triage

    case = new_case(
        world,
        service="invoice-title-change",
        deadline=far(),
        reason="改抬头",
    )
    return case_triage(
        actor=world.zhang,
        case=case,
        data=TriageInput(deadline=far(), written_notice=True, facts={"cross_month": True}),
        now=timezone.now(),
    )


# Mid-month: a same-month title change of a paper invoice can finish within the month (at the
# end of one it is refused for that reason, see
# test_a_same_month_correction_that_cannot_finish_in_the_month).
@pytest.mark.clock("2026-11-26T10:00:00+08:00")
def test_a_refusal_cannot_be_triaged_away_by_the_liaison(world, refused):
    from django.utils import timezone

    from expedite.cases.triage import TriageInput, case_triage
    from expedite.domain.errors import NotAllowed

    with pytest.raises(NotAllowed, match="请经理重新研判"):
        case_triage(
            actor=world.zhang,
            case=refused,
            data=TriageInput(deadline=far(), written_notice=True, facts=SAME_MONTH_PAPER),
            now=timezone.now(),
        )
    case = case_triage(
        actor=world.chen,
        case=refused,
        data=TriageInput(deadline=far(), written_notice=True, facts=SAME_MONTH_PAPER),
        now=timezone.now(),
    )
    assert case.verdict == "not_needed"
    assert case.triage["history"][0]["verdict"] == "refused"
    assert AuditEvent.objects.filter(kind="case.triaged", payload__previous="refused").exists()


def test_the_refused_case_page_offers_no_plan_for_the_refused_service(client, world, refused):
    client.login(username="zhang", password=PASSWORD)
    html = client.get(reverse("case_detail", args=[refused.pk])).content.decode()
    assert "不提供加急方案" in html and 'id="quote-text"' not in html


def test_an_override_says_so_in_the_summary_and_the_same_verdict_is_refused(world, dereg):
    from django.utils import timezone

    from expedite.cases.triage import TriageInput, case_triage, case_verdict_override
    from expedite.domain.errors import ValidationFailed

    facts = {"returns_filed": False, "unpaid_taxes": False}
    case_triage(
        actor=world.zhang,
        case=dereg,
        data=TriageInput(deadline=far(), written_notice=True, facts=facts),
        now=timezone.now(),
    )
    with pytest.raises(ValidationFailed, match="相同"):
        case_verdict_override(
            actor=world.chen,
            case=dereg,
            verdict="blocked",
            reason="客户已经补报了",
            now=clock.now(),
        )
    case = case_verdict_override(
        actor=world.chen, case=dereg, verdict="expedite", reason="客户已经补报了", now=clock.now()
    )
    shown = readable(case.triage)
    assert shown["summary"].startswith(
        "经理改判：建议加急（原结论：须先满足前提；理由：客户已经补报了）"
    )
    assert shown["verdict_label"] == "建议加急"
    assert case.triage["summary"][0]["code"] == "summary.override"


@pytest.mark.parametrize(
    ("facts", "message"),
    [
        ({"cross_month": 1}, "请回答是或否"),
        ({"cross_month": True, "colour": True}, "不是本事项需要回答的问题"),
    ],
)
def test_answers_of_the_wrong_kind_are_refused(client, auth, facts, message):
    response = client.post(
        "/api/v1/triage",
        {
            "service": "invoice-title-change",
            "deadline": far().isoformat(),
            "written_notice": True,
            "facts": facts,
        },
        content_type="application/json",
        **auth,
    )
    assert response.status_code == 422
    assert message in response.json()["detail"][0]["message"]


@pytest.mark.parametrize("value", ["NaN", "-1", "Infinity"])
def test_numbers_must_be_finite_and_not_negative(client, auth, value):
    body = (
        (
            '{"service": "social-insurance-enrollment", "deadline": "@D", "written_notice": true, '
            '"facts": {"wage_base": @V, "city_minimum_wage_base": 2690}}'
        )
        .replace("@D", far().isoformat())
        .replace("@V", value)
    )
    response = client.post("/api/v1/triage", body, content_type="application/json", **auth)
    assert response.status_code == 422
    assert "不小于 0 的数字" in response.json()["detail"][0]["message"]


def test_an_absurd_deadline_is_a_clear_error(client, auth):
    response = client.post(
        "/api/v1/triage",
        {
            "service": "food-business-license",
            "deadline": "9999-12-31",
            "written_notice": True,
            "facts": {"business_license_valid": True},
        },
        content_type="application/json",
        **auth,
    )
    assert response.status_code == 422
    assert response.json()["detail"][0]["field"] == "requested_deadline"


def test_no_file_is_written_when_the_triage_is_refused(client, world, dereg):
    from django.core.files.storage import default_storage
    from django.core.files.uploadedfile import SimpleUploadedFile

    client.login(username="zhang", password=PASSWORD)
    Case.objects.filter(pk=dereg.pk).update(state="in_progress")
    content = b"%PDF-1.4 unique content for this test"
    import hashlib

    digest = hashlib.sha256(content).hexdigest()
    client.post(
        reverse("case_triage", args=[dereg.pk]),
        {**form(), "notice_file": SimpleUploadedFile("n.pdf", content)},
    )
    assert not default_storage.exists(f"cases/{digest[:2]}/{digest}.pdf")


def test_a_blocked_path_that_misses_the_deadline_says_so(world):
    from django.utils import timezone

    from expedite.cases.triage import TriageInput, run_triage

    soon = timezone.localdate() + dt.timedelta(days=3)
    t = run_triage(
        service_code="tax-deregistration",
        data=TriageInput(
            deadline=soon,
            written_notice=True,
            facts={"returns_filed": False, "unpaid_taxes": False},
        ),
        now=timezone.now(),
        value_tier="standard",
    )
    assert t.verdict == "blocked"
    assert any("合规路径最快也要" in r.zh for r in t.reasons)
    assert t.to_change


def test_a_fact_the_triage_works_out_from_the_plan_is_never_asked():
    from expedite.cases.triage import fact_questions

    assert [q["code"] for q in fact_questions("invoice-title-change")] == [
        "cross_month",
        "paper_invoice",
    ]


def test_a_case_stuck_at_the_approval_stage_is_laid_out_from_there(world):
    from expedite.cases.triage import TriageInput, case_triage
    from expedite.work.models import StepRun
    from tests.factories import moved

    deadline = timezone.localdate() + dt.timedelta(days=30)
    case = new_case(world, service="labor-dispatch-license", deadline=deadline, reason="续期")
    case = case_triage(
        actor=world.zhang,
        case=case,
        data=TriageInput(
            deadline=deadline,
            written_notice=True,
            stage="部门审批中",
            facts={"business_license_valid": True, "registered_capital": 3000000},
        ),
        now=clock.now(),
    )
    assert [s["code"] for s in case.triage["recommended_option"]["steps"]] == ["approval"]
    assert case.triage["reasons"][0]["code"] == "triage.stage_reached"
    assert "事项已到“部门审批中”环节" in readable(case.triage)["reasons"][0]["text"]
    moved(world, case, "quoted", "accepted")
    assert list(StepRun.objects.filter(case=case).values_list("code", flat=True)) == ["approval"]


def test_false_urgency_never_ranks_above_a_truly_urgent_case(client, world):
    from expedite.cases.models import Case as CaseRow
    from expedite.cases.plans import next_working_start
    from expedite.cases.triage import TriageInput, case_triage
    from expedite.workdays.selectors import firm_calendar

    # Four working days out: the standard licence plan (5 working days) misses it, the
    # expedited one (3) meets it.
    now = clock.now()
    soon = firm_calendar().add_workdays(next_working_start(now).date(), 3)
    impatient = new_case(world, service="labor-dispatch-license", deadline=soon, reason="早点办")
    impatient = case_triage(
        actor=world.zhang,
        case=impatient,
        data=TriageInput(
            deadline=soon,
            written_notice=False,
            consequence="comfort_only",
            facts={"business_license_valid": True, "registered_capital": 3000000},
            preconditions=(
                "department-precoordinated",
                "esign-accepted",
                "green-channel",
                "online-both-offices",
                "remote-collaboration",
                "tolerant-acceptance-agreed",
            ),
        ),
        now=now,
    )
    assert impatient.verdict == "false_urgency", impatient.triage["reasons"]
    assert impatient.triage["recommended_option"]["key"] == "standard"
    later = timezone.localdate() + dt.timedelta(days=60)
    urgent = new_case(world, service="tax-filing", deadline=later, reason="验收要税务证明")
    urgent = case_triage(
        actor=world.zhang,
        case=urgent,
        data=TriageInput(deadline=later, written_notice=True, consequence="lost_business"),
        now=now,
    )
    # Its score is higher (the date is near), yet it comes after the truly urgent case.
    assert CaseRow.objects.get(pk=impatient.pk).priority > urgent.priority
    client.login(username="chen", password=PASSWORD)
    html = client.get(reverse("triage_queue")).content.decode()
    assert html.index(urgent.reference) < html.index(impatient.reference)
    assert "假急" in html


@pytest.mark.clock("2026-12-04T10:00:00+08:00")
def test_the_intake_tells_staff_each_citys_known_lower_limit_or_that_it_is_unknown(client, world):
    case = new_case(world, service="social-insurance-enrollment", deadline=far(), reason="增员")
    client.login(username="zhang", password=PASSWORD)
    page = client.get(reverse("case_detail", args=[case.pk])).content.decode()
    assert "上海 2026-12-04 适用的缴费基数下限在此未知" in page
    assert "最近的一期是 2025-07-01 至 2026-06-30（下限 7,460 元" in page
    assert "《关于调整2025年度本市职工社会保险缴费基数上下限的通知》" in page
    assert "其他城市的缴费基数下限在此没有记录。" in page and "请人工核对" not in page
    # The cities and sources follow the reader's language.
    client.post(reverse("set_language"), {"language": "en", "next": "/"})
    page = client.get(reverse("case_detail", args=[case.pk])).content.decode()
    assert "Shanghai" in page and "Notice on Adjusting the 2025 Upper and Lower Limits" in page
