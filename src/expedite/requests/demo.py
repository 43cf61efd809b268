"""Demo reach: every demo colleague has a 企业微信 account (their user name), and a client
started a request itself from the public page, proving its phone by a code — so the queue has
a request awaiting triage, the liaison on duty its hand-off, and the outbox a text message.
Idempotent: nothing is added once the demo client exists."""

from __future__ import annotations

import datetime as dt

from django.conf import settings
from django.contrib.auth import get_user_model

from expedite.accounts.models import StaffContact
from expedite.cases.models import Client
from expedite.domain.identifiers import uscc_check_character
from expedite.notify.sms import LogProvider
from expedite.workdays.selectors import firm_calendar

from .services import RequestInput, case_request, request_code_send

PHONE = "13900001234"
REQUESTED = 1  # the demo's requests from the public page: each a new client and its case
USCC = "91310104MA1FRQXT0"  # the 17 characters; the check character is computed


def requests_demo_load(*, now: dt.datetime) -> int:
    for user in get_user_model().objects.filter(is_active=True, groups__isnull=False).distinct():
        contact, _ = StaffContact.objects.get_or_create(user=user)
        if not contact.wecom_userid:
            contact.wecom_userid = user.get_username()
            contact.save(update_fields=["wecom_userid"])
    if settings.EXPEDITE_SMS_PROVIDER != "log":
        return 0  # the code would go to a real phone
    uscc = USCC + uscc_check_character(USCC)
    if Client.objects.filter(uscc=uscc).exists():
        return 0
    request_code_send(phone=PHONE, now=now)
    code = LogProvider.sent[-1].variables["code"]
    cal = firm_calendar()
    deadline = cal.add_workdays(now.astimezone(cal.tz).date(), 12)
    case_request(
        data=RequestInput(
            phone=PHONE,
            code=code,
            company="上海晨光贸易有限公司",
            uscc=uscc,
            contact_name="陈晨",
            email="",
            channel="sms",
            service_code="business-change",
            reason="银行放款前必须完成法定代表人变更，合同约定月底前提交",
            answers={
                "deadline": deadline.isoformat(),
                "written_notice": True,
                "stage": "",
                "materials_complete": True,
                "materials_expected": None,
                "consequence": "contract_penalty",
            },
        ),
        now=now,
    )
    return 1
