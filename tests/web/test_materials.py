"""Material pre-review: submissions, rounds on the working clock, the notice, on_hold and back."""

import datetime as dt
from zoneinfo import ZoneInfo

import pytest
from django.core.files.storage import default_storage
from django.urls import reverse
from django.utils import timezone

from expedite.audit.models import AuditEvent
from expedite.cases.models import Case
from expedite.catalog import load_wage_minimums
from expedite.domain.audit import AuditKind
from expedite.domain.errors import NotAllowed, ValidationFailed
from expedite.domain.wages import check_wage_base
from expedite.materials.models import MaterialSubmission, PreReview
from expedite.materials.selectors import item_states, overdue_prereviews
from expedite.materials.services import prereview_record, prereview_start, submission_add
from tests.conftest import PASSWORD, make_uscc
from tests.web.materials_helpers import collecting_case, pdf_bytes, photo_bytes

pytestmark = [pytest.mark.django_db, pytest.mark.case(build=collecting_case)]
SH = ZoneInfo("Asia/Shanghai")
# A Wednesday and the Thursday after it, both ordinary working days.
WED = dt.date(2026, 11, 25)


def at(day: dt.date, hhmm: str) -> dt.datetime:
    h, m = map(int, hhmm.split(":"))
    return dt.datetime.combine(day, dt.time(h, m), tzinfo=SH)


def upload(world, case, item, content=None, *, name="a.pdf", when=None, fields=None, staff=True):
    return submission_add(
        actor=world.zhang if staff else None,
        contact="" if staff else "周婷",
        case=case,
        item=item,
        name=name,
        content=content if content is not None else pdf_bytes(item),
        fields=fields,
        now=when or timezone.now(),
    )


ALL_OK = {
    "license": {"verdict": "ok"},
    "resolution": {"verdict": "ok"},
    "application": {"verdict": "ok"},
    "articles-amendment": {"verdict": "ok"},
    "id-copies": {"verdict": "ok"},
}


def test_a_submission_keeps_its_file_content_addressed_with_findings(
    world, case, django_capture_on_commit_callbacks
):
    content = pdf_bytes("营业执照", pages=2)
    with django_capture_on_commit_callbacks(execute=True):
        s = upload(
            world,
            case,
            "license",
            content,
            name="../../营业执照 副本.pdf",
            fields={"uscc": make_uscc("91350100M000100Y4")},
        )
    assert (s.version, s.pages, s.content_type, s.name) == (
        1,
        2,
        "application/pdf",
        "营业执照副本.pdf",
    )
    assert s.file.name == f"materials/{s.sha256[:2]}/{s.sha256}.pdf"
    with default_storage.open(s.file.name) as f:
        assert f.read() == content
    assert [f["code"] for f in s.findings] == ["uscc_mismatch"]
    event = AuditEvent.objects.get(kind=AuditKind.MATERIAL_SUBMITTED)
    assert event.payload["sha256"] == s.sha256 and event.payload["findings"] == ["uscc_mismatch"]


def test_versions_are_kept_and_a_repeat_is_flagged_as_duplicate(world, case):
    content = pdf_bytes("决议")
    first = upload(world, case, "resolution", content)
    second = upload(world, case, "resolution", content)
    assert (first.version, second.version) == (1, 2)
    assert [f["code"] for f in second.findings] == ["duplicate"]
    assert MaterialSubmission.objects.filter(case=case).count() == 2


def test_a_jpeg_named_pdf_is_refused_and_nothing_is_kept(world, case):
    with pytest.raises(ValidationFailed, match="内容却是 JPG"):
        upload(world, case, "license", photo_bytes(), name="执照.pdf")
    assert not MaterialSubmission.objects.exists()
    assert not AuditEvent.objects.filter(kind=AuditKind.MATERIAL_SUBMITTED).exists()


def test_unknown_items_and_roleless_users_are_refused(world, case):
    with pytest.raises(ValidationFailed, match="材料清单中没有"):
        upload(world, case, "passport")
    with pytest.raises(NotAllowed):
        submission_add(
            actor=world.outsider,
            case=case,
            item="license",
            name="a.pdf",
            content=pdf_bytes(),
            now=timezone.now(),
        )
    with pytest.raises(NotAllowed):
        submission_add(
            case=case, item="license", name="a.pdf", content=pdf_bytes(), now=timezone.now()
        )


@pytest.mark.parametrize(
    ("start", "due"),
    [
        (at(WED, "17:30"), at(WED + dt.timedelta(days=1), "10:30")),  # overnight
        (at(WED, "11:00"), at(WED, "14:30")),  # across lunch
        (at(WED, "09:00"), at(WED, "11:00")),
    ],
)
def test_the_first_submission_starts_a_two_working_hour_round(world, case, start, due):
    upload(world, case, "license", when=start)
    review = PreReview.objects.get(case=case)
    assert (review.round, review.started_at, review.due_at) == (1, start, due)
    event = AuditEvent.objects.get(kind=AuditKind.PREREVIEW_STARTED)
    assert event.payload["trigger"] == "submission"
    # further uploads in the same round do not restart the clock
    upload(world, case, "resolution", when=start + dt.timedelta(minutes=5))
    assert PreReview.objects.filter(case=case).count() == 1


def test_every_item_needs_a_verdict_and_a_reason_when_invalid(world, case):
    upload(world, case, "license")
    with pytest.raises(ValidationFailed, match="尚未填写：法定代表人身份证复印件"):
        prereview_record(
            actor=world.zhang,
            case=case,
            now=timezone.now(),
            verdicts={k: v for k, v in ALL_OK.items() if k != "id-copies"},
        )
    with pytest.raises(ValidationFailed, match="请写明原因"):
        prereview_record(
            actor=world.zhang,
            case=case,
            now=timezone.now(),
            verdicts={**ALL_OK, "resolution": {"verdict": "invalid"}},
        )
    with pytest.raises(ValidationFailed, match="请填写到期日期"):
        prereview_record(
            actor=world.zhang,
            case=case,
            now=timezone.now(),
            verdicts={**ALL_OK, "id-copies": {"verdict": "expiring"}},
        )
    with pytest.raises(NotAllowed):
        prereview_record(actor=world.wang, case=case, now=timezone.now(), verdicts=ALL_OK)
    assert PreReview.objects.get(case=case).finished_at is None


def test_problems_give_one_notice_and_hold_the_case_until_everything_is_resubmitted(world, case):
    t0 = timezone.now()
    upload(world, case, "license", when=t0)
    upload(world, case, "resolution", when=t0)
    verdicts = {
        "license": {"verdict": "ok"},
        "resolution": {"verdict": "invalid", "reason": "缺少股东李四的签字"},
        "application": {"verdict": "ok"},
        "articles-amendment": {"verdict": "ok"},
        "id-copies": {"verdict": "missing"},
    }
    review = prereview_record(actor=world.zhang, case=case, verdicts=verdicts, now=t0)
    assert review.notice_shown().startswith("【材料补正一次性告知】上海鲜达电子商务有限公司")
    assert "1. 股东会决议：不合格：缺少股东李四的签字" in review.notice_shown()
    assert "2. 法定代表人身份证复印件：缺少，请提供" in review.notice_shown()
    assert "营业执照" not in review.notice_shown().split("\n", 2)[2]
    case.refresh_from_db()
    assert case.state == "on_hold" and case.clocks["client_wait"]["state"] == "running"
    moved = AuditEvent.objects.filter(kind=AuditKind.CASE_STATE_CHANGED).last()
    assert moved.payload == {"from": "materials", "to": "on_hold", "reason": "等待客户补正材料"}
    states = {s.material.code: (s.state, s.note) for s in item_states(case)}
    assert states["resolution"] == ("invalid", "缺少股东李四的签字")

    # The client sends the corrected resolution: a new round starts, the case still waits.
    t1 = t0 + dt.timedelta(hours=1)
    upload(world, case, "resolution", pdf_bytes("决议 已签字"), when=t1, staff=False)
    case.refresh_from_db()
    assert case.state == "on_hold"
    second = PreReview.objects.get(case=case, round=2)
    assert second.finished_at is None and second.started_at == t1
    assert {s.material.code: s.state for s in item_states(case)}["resolution"] == "pending"

    # ...and the missing ID card: everything listed is in, the case goes back to work.
    upload(world, case, "id-copies", photo_bytes(), name="id.jpg", when=t1, staff=False)
    case.refresh_from_db()
    assert case.state == "materials" and case.clocks["client_wait"]["state"] != "running"
    assert PreReview.objects.filter(case=case).count() == 2
    back = AuditEvent.objects.filter(kind=AuditKind.CASE_STATE_CHANGED).last()
    assert back.payload["from"] == "on_hold" and back.payload["to"] == "materials"

    third = prereview_record(actor=world.li, case=case, verdicts=ALL_OK, now=t1)
    assert third.round == 2 and third.notice == "" and not third.holding
    recorded = AuditEvent.objects.filter(kind=AuditKind.PREREVIEW_RECORDED)
    assert recorded.count() == 2 and recorded.last().payload["round"] == 2


def test_an_expiring_id_card_is_listed_with_its_date(world, case):
    soon = (timezone.localdate() + dt.timedelta(days=20)).isoformat()
    s = upload(
        world,
        case,
        "id-copies",
        photo_bytes(),
        name="id.jpg",
        fields={"id_number": "11010519491231002X", "date": soon},
    )
    assert [f["code"] for f in s.findings] == ["expiring"]
    review = prereview_record(
        actor=world.zhang,
        case=case,
        now=timezone.now(),
        verdicts={**ALL_OK, "id-copies": {"verdict": "expiring", "date": soon}},
    )
    assert f"法定代表人身份证复印件：将于 {soon} 到期" in review.notice_shown()


def test_the_client_saying_all_is_submitted_starts_a_round_only_when_none_is_open(world, case):
    with pytest.raises(ValidationFailed, match="还没有上传任何材料"):
        prereview_start(case=case, now=timezone.now(), contact="周婷")
    upload(world, case, "license")
    open_round = PreReview.objects.get(case=case)
    assert prereview_start(case=case, now=timezone.now(), contact="周婷") == open_round
    prereview_record(actor=world.zhang, case=case, verdicts=ALL_OK, now=timezone.now())
    second = prereview_start(case=case, now=timezone.now(), contact="周婷")
    assert second.round == 2
    assert (
        AuditEvent.objects.filter(kind=AuditKind.PREREVIEW_STARTED).last().payload["trigger"]
        == "complete"
    )


def test_overdue_prereviews_are_on_the_board(world, case, client):
    start = at(WED, "09:00")
    upload(world, case, "license", when=start)
    assert list(overdue_prereviews(at(WED, "10:59"))) == []
    assert [r.case for r in overdue_prereviews(at(WED, "11:01"))] == [case]
    client.login(username="zhang", password=PASSWORD)
    response = client.get(reverse("board"))
    assert "预审超时" in response.content.decode()
    assert case.reference in response.content.decode()  # the round above is long overdue


def test_the_wage_base_under_the_minimum_is_found_and_amounts_must_agree(world):
    case = collecting_case(world, "social-insurance-enrollment")
    payroll = upload(world, case, "payroll", fields={"amount": "8000"})
    assert payroll.findings == []
    # A declaration for a day of Shanghai's 2025-07-01..2026-06-30 period.
    form = upload(
        world,
        case,
        "base-declaration",
        fields={"wage_base": "6500", "city": "上海", "amount": "6500", "on": "2026-03-02"},
    )
    assert [f["code"] for f in form.findings] == ["wage_base_below_minimum", "amounts_disagree"]
    text = form.findings[0]["text"]
    assert "工资基数 6,500.00 元低于上海 2025-07-01 至 2026-06-30 的最低缴费基数 7,460 元" in text
    assert "《关于调整2025年度本市职工社会保险缴费基数上下限的通知》" in text


@pytest.mark.clock("2026-12-04T10:00:00+08:00")
def test_a_declaration_after_shanghais_last_known_period_is_said_to_be_unknown(world, client):
    case = collecting_case(world, "social-insurance-enrollment")
    form = upload(world, case, "base-declaration", fields={"wage_base": "6500", "city": "上海"})
    assert [(f["code"], f["severity"]) for f in form.findings] == [
        ("wage_minimum_unknown", "warning")
    ]
    client.login(username="zhang", password=PASSWORD)
    page = client.get(reverse("case_detail", args=[case.pk])).content.decode()
    assert "上海 2026-12-04 适用的缴费基数下限在此未知" in page
    assert "最近的一期是 2025-07-01 至 2026-06-30（下限 7,460 元" in page
    assert "请人工核对" not in page


def test_the_case_page_shows_the_checklist_and_records_verdicts(world, case, client):
    upload(world, case, "license")
    client.login(username="zhang", password=PASSWORD)
    page = client.get(reverse("case_detail", args=[case.pk])).content.decode()
    assert 'id="materials"' in page and "第 1 轮预审进行中" in page and "营业执照正副本" in page
    response = client.post(
        reverse("material_review", args=[case.pk]),
        {
            "verdict-license": "ok",
            "verdict-resolution": "missing",
            "verdict-application": "ok",
            "verdict-articles-amendment": "ok",
            "verdict-id-copies": "missing",
        },
    )
    assert response.status_code == 302
    page = client.get(reverse("case_detail", args=[case.pk])).content.decode()
    assert "一次性告知" in page and 'id="material-notice"' in page
    assert Case.objects.get(pk=case.pk).state == "on_hold"


def test_staff_download_the_file_as_an_attachment(
    world, case, client, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        s = upload(world, case, "license", name="执照.pdf")
    client.login(username="li", password=PASSWORD)
    response = client.get(reverse("material_download", args=[case.pk, s.pk]))
    assert response.status_code == 200 and response["X-Content-Type-Options"] == "nosniff"
    assert "attachment" in response["Content-Disposition"]
    other = collecting_case(world, client=world.hengxin)
    assert client.get(reverse("material_download", args=[other.pk, s.pk])).status_code == 404


def test_the_demo_shows_a_held_case_a_running_clock_and_the_wage_base_finding(catalog):
    from expedite.kpi.demo import HISTORY_CASES
    from expedite.materials.demo import CHANGE_REASON, SOCIAL_REASON
    from expedite.ops.demo import demo_load

    demo_load(now=timezone.now())
    demo_load(now=timezone.now())  # idempotent
    held = Case.objects.get(reason=CHANGE_REASON)
    assert held.state == "on_hold"
    review = held.prereviews.get()
    assert {k: v["verdict"] for k, v in review.verdicts.items()} == {
        "license": "ok",
        "resolution": "invalid",
        "application": "ok",
        "articles-amendment": "missing",
        "id-copies": "expiring",
    }
    assert "缺少股东李四的签字" in review.notice_shown() and "到期" in review.notice_shown()
    # The client was sent the notice, and one reminder after it (earlier than now).
    notice, reminder = review.messages.order_by("number")
    assert (notice.number, reminder.number) == (0, 1)
    assert notice.sent_at == review.finished_at < reminder.sent_at <= timezone.now()
    assert reminder.items == ["resolution", "articles-amendment", "id-copies"]
    assert (
        AuditEvent.objects.filter(kind=AuditKind.CORRECTION_REMINDER_SENT, case=held).count() == 1
    )
    # The first food case is the licence under pre-review (the other is the prepackaged refusal).
    foods = Case.objects.exclude(HISTORY_CASES).filter(service__code="food-business-license")
    food = foods.order_by("pk").first()
    running = food.prereviews.get()
    assert running.finished_at is None and running.due_at > timezone.now()
    social = Case.objects.get(reason=SOCIAL_REASON)
    form = social.material_submissions.get(item="base-declaration")
    # Under Shanghai's lower limit while a known period covers the day; else said unknown.
    day = timezone.localdate(form.uploaded_at, SH)
    said = check_wage_base("6500", city="上海", on=day, table=load_wage_minimums())
    assert said[0].code in [f["code"] for f in form.findings]
    assert MaterialSubmission.objects.count() == 7  # 工商变更 4, 食品 1, 社保 2


def test_a_nul_byte_in_a_field_or_a_reason_is_refused_and_nothing_is_kept(world, case):
    """PostgreSQL's JSON holds no NUL: it answered 500 from the page and the portal."""
    ins = collecting_case(world, "social-insurance-enrollment")
    with pytest.raises(ValidationFailed, match="不可见的控制字符"):
        upload(world, ins, "payroll", fields={"amount": "80\x0000"}, staff=False)
    assert not MaterialSubmission.objects.filter(case=ins).exists()
    upload(world, case, "license")
    with pytest.raises(ValidationFailed, match="不可见的控制字符"):
        prereview_record(
            actor=world.zhang,
            case=case,
            now=timezone.now(),
            verdicts={**ALL_OK, "resolution": {"verdict": "invalid", "reason": "缺\x00页"}},
        )
    assert PreReview.objects.get(case=case).finished_at is None


def test_the_case_page_names_the_client_contact_who_uploaded(world, case, client):
    upload(world, case, "license", staff=False)
    assert MaterialSubmission.objects.get(case=case).by_client
    client.login(username="zhang", password=PASSWORD)
    page = client.get(f"/cases/{case.pk}/panels/materials/").content.decode()
    assert "客户 周婷" in page
