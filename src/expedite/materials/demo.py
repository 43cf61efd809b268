"""Demo pre-reviews. Idempotent: a case that already has submissions is left alone.

- 工商变更: reviewed — licence ok, resolution missing a shareholder's signature, the legal
  representative's ID card expiring in 20 days; the consolidated notice sent to the client and
  one reminder after it; the case on hold.
- 食品经营许可证: the licence just uploaded, its two-working-hour clock running.
- 社保增员 (a new case): the declared wage base disagrees with the payroll, and is checked
  against Shanghai's lower limit for the day (the seed's 工资基数低于最低标准): under it while
  a known period covers the day, else said to be unknown, naming the last known period.
"""

from __future__ import annotations

import datetime as dt
import io

from PIL import Image
from reportlab.pdfgen import canvas

from expedite.cases.demo_layout import Layout, demo_case_open, demo_intake
from expedite.cases.lifecycle import case_allowed, case_transition
from expedite.cases.models import Case, Client
from expedite.domain.calendar import SHANGHAI
from expedite.domain.cases import CaseState
from expedite.domain.identifiers import resident_id_check_digit
from expedite.domain.roles import Role
from expedite.domain.triage import Verdict
from expedite.workdays.selectors import firm_calendar

from .corrections import correction_remind, open_items, reminder_every
from .models import NOTICE_NUMBER
from .selectors import correction_due
from .services import prereview_record, submission_add

CHANGE_REASON = "法定代表人变更：新任法定代表人下月起签署合同，需先完成工商变更。"
SOCIAL_REASON = "新入职 12 名员工，本月底前须完成社保增员，否则影响员工医保报销。"
DEMO_MATERIAL_CASES = (CHANGE_REASON, SOCIAL_REASON)  # the cases this demo opens itself


def _pdf(title: str, pages: int = 1) -> bytes:
    buf = io.BytesIO()
    c = canvas.Canvas(buf)
    for n in range(pages):
        c.drawString(72, 760, f"{title} - page {n + 1}")
        c.showPage()
    c.save()
    return buf.getvalue()


def _photo(seed: int) -> bytes:
    buf = io.BytesIO()
    Image.new("RGB", (1200, 800), (240, 240 - seed, 230)).save(buf, format="JPEG")
    return buf.getvalue()


def _fresh(case: Case | None) -> bool:
    return case is not None and not case.material_submissions.exists()


def _to_materials(case: Case, actor, now: dt.datetime) -> Case:
    for state in (CaseState.QUOTED, CaseState.ACCEPTED, CaseState.MATERIALS):
        if state.value in case_allowed(case):
            case = case_transition(actor=actor, case=case, to=state.value, now=now)
    return case


def materials_demo_load(*, users: dict, now: dt.datetime) -> int:
    """Returns how many submissions it created."""
    liaison = users[Role.LIAISON]
    today = now.astimezone(SHANGHAI).date()
    created = 0
    # Plenty of time: the standard path makes it with four working days to spare.
    layout = Layout(Verdict.NOT_NEEDED, pick=4)
    case = _own_case(
        liaison, "business-change", CHANGE_REASON, layout, {"resolution_signed": True}, now
    )
    if _fresh(case):
        case = _to_materials(case, liaison, now)
        first17 = "31011519850315242"
        expiring = firm_calendar().add_workdays(today, 0) + dt.timedelta(days=20)
        for item, name, content, fields in (
            ("license", "营业执照副本.pdf", _pdf("Business licence"), {"uscc": case.client.uscc}),
            ("resolution", "股东会决议.pdf", _pdf("Shareholders resolution", 2), {}),
            ("application", "公司变更登记申请书.pdf", _pdf("Change application"), {}),
            (
                "id-copies",
                "法定代表人身份证.jpg",
                _photo(1),
                {
                    "id_number": first17 + resident_id_check_digit(first17),
                    "date": expiring.isoformat(),
                },
            ),
        ):
            submission_add(
                case=case,
                item=item,
                name=name,
                content=content,
                fields=fields,
                now=now,
                contact=case.client.contacts.first().name,
            )
            created += 1
        prereview_record(
            actor=liaison,
            case=case,
            now=now,
            verdicts={
                "license": {"verdict": "ok"},
                "resolution": {
                    "verdict": "invalid",
                    "reason": "缺少股东李四的签字，签字股东的表决权不足三分之二，请补签后加盖公章",
                },
                "id-copies": {"verdict": "expiring", "date": expiring.isoformat()},
                "application": {"verdict": "ok"},
                # The amendment follows the corrected resolution.
                "articles-amendment": {"verdict": "missing"},
            },
        )
        _one_reminder_ago(case, now)
    case = Case.objects.filter(service__code="food-business-license").order_by("pk").first()
    if _fresh(case):
        submission_add(
            case=case,
            item="license",
            name="营业执照副本.pdf",
            content=_pdf("Business licence (food)"),
            now=now,
            contact=case.client.contacts.first().name,
        )
        created += 1
    created += _social_case(users, now)
    return created


def _one_reminder_ago(case: Case, now: dt.datetime) -> None:
    """Moves the review and its notice one reminder interval back, so that the reminder falls
    due a minute of working time before `now`, and sends it then: the case page shows the
    notice and a reminder at whatever instant the demo loads."""
    cal = firm_calendar()
    review = case.prereviews.get()
    every = min(reminder_every(code) for code in open_items(review))
    reminded = cal.at_work_clock(cal.work_clock(now) - 60_000_000, starting=True)
    noticed = cal.at_work_clock(
        cal.work_clock(reminded) - every // dt.timedelta(microseconds=1), starting=True
    )
    started = noticed - dt.timedelta(minutes=10)
    case.material_submissions.update(uploaded_at=started)
    review.started_at, review.finished_at = started, noticed
    review.due_at = cal.add_working_time(started, dt.timedelta(hours=2))
    review.save(update_fields=["started_at", "finished_at", "due_at"])
    review.messages.filter(number=NOTICE_NUMBER).update(
        sent_at=noticed, due_at=correction_due(review)
    )
    correction_remind(review=review, now=reminded)


def _own_case(
    liaison, service: str, reason: str, layout: Layout, facts: dict, now: dt.datetime
) -> Case | None:
    """The demo's own case for this service (the seed cases keep their own stories)."""
    client = Client.objects.order_by("pk").first()
    if client is None:
        return None
    case = Case.objects.filter(service__code=service, reason=reason).first()
    if case is not None:
        return case
    case = demo_case_open(
        actor=liaison,
        client=client,
        service_code=service,
        reason=reason,
        data=demo_intake(written_notice=False, consequence="comfort_only", facts=facts),
        layout=layout,
        now=now,
    )
    # Other demos pick "the newest case of a service" for their stories (custody takes the
    # seed 工商变更 case); dating this one just before the oldest keeps them on theirs.
    oldest = Case.objects.order_by("created_at").values_list("created_at", flat=True).first()
    Case.objects.filter(pk=case.pk).update(created_at=oldest - dt.timedelta(minutes=1))
    case.refresh_from_db()
    return case


def _social_case(users: dict, now: dt.datetime) -> int:
    # On the phone the client said 8,000; the form it then sent says 6,500.
    case = _own_case(
        users[Role.LIAISON],
        "social-insurance-enrollment",
        SOCIAL_REASON,
        Layout(Verdict.NOT_NEEDED, pick=1),
        {"wage_base": 8000, "city_minimum_wage_base": 7460},
        now,
    )
    if not _fresh(case):
        return 0
    contact = case.client.contacts.first().name
    submission_add(
        case=case,
        item="payroll",
        name="工资明细.pdf",
        content=_pdf("Payroll"),
        fields={"amount": "8000"},
        now=now,
        contact=contact,
    )
    submission_add(
        case=case,
        item="base-declaration",
        name="缴费基数申报表.pdf",
        content=_pdf("Contribution base declaration"),
        fields={"wage_base": "6500", "city": "上海", "amount": "6500"},
        now=now,
        contact=contact,
    )
    return 2
