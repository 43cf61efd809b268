"""The case and client lists as Excel workbooks, with the page's own filters applied.

Each export reads through the page's selector (same permission check, same filters) and
stops at EXPORT_ROW_LIMIT rows; openpyxl is loaded by the process that exports, when it does.
"""

from __future__ import annotations

import datetime as dt
from urllib.parse import urlencode

from django.contrib.auth.decorators import login_required
from django.db.models import Count, Prefetch
from django.http import HttpResponse
from django.utils.translation import get_language
from django.utils.translation import gettext as _

from expedite import clock
from expedite.common.access import access
from expedite.domain.calendar import SHANGHAI

from . import selectors, spreadsheet
from .models import ClientContact
from .spreadsheet import XLSX_TYPE, attachment_name, list_workbook


def local(moment: dt.datetime | None) -> dt.datetime | None:
    """A stored instant as Beijing time without a zone: what a spreadsheet cell can hold."""
    return moment.astimezone(SHANGHAI).replace(tzinfo=None) if moment else None


def capped_note() -> str:
    return _("仅导出前 %(n)d 行；请缩小筛选范围后再导出。") % {"n": spreadsheet.EXPORT_ROW_LIMIT}


def xlsx_response(data: bytes, stem: str) -> HttpResponse:
    response = HttpResponse(data, content_type=XLSX_TYPE)
    response["Content-Disposition"] = attachment_name(f"{stem}-{clock.today():%Y-%m-%d}.xlsx")
    return response


def case_filters(request) -> tuple[str, str]:
    """The case list's filters as the page reads them."""
    return request.GET.get("q", "").strip()[:100], request.GET.get("state", "")


def export_query(**filters) -> str:
    return urlencode({k: v for k, v in filters.items() if v})


@login_required
def case_list_export(request):
    query, state = case_filters(request)
    cases = access(selectors.case_list, user=request.user, query=query, state=state)
    language = get_language()
    head = [
        _("编号"),
        _("客户"),
        _("统一社会信用代码"),
        _("服务事项"),
        _("状态"),
        _("研判结论"),
        _("要求截止日期"),
        _("创建时间"),
        _("加急原因"),
    ]
    rows = (
        [
            case.reference or "",
            case.client.name,
            case.client.uscc,
            case.service.display_name(language),
            str(case.get_state_display()),
            str(case.get_verdict_display()) if case.verdict else "",
            case.requested_deadline,
            local(case.created_at),
            case.reason,
        ]
        for case in cases.order_by("-created_at", "-pk").iterator(chunk_size=1000)
    )
    data = list_workbook(
        title=_("加急单"),
        head=head,
        rows=rows,
        widths=[16, 30, 22, 24, 12, 12, 14, 18, 50],
        capped_note=capped_note(),
    )
    return xlsx_response(data, _("加急单"))


@login_required
def client_list_export(request):
    query = request.GET.get("q", "").strip()[:100]
    clients = access(selectors.client_list, user=request.user, query=query)
    primary = ClientContact.objects.filter(is_primary=True)
    clients = clients.annotate(case_count=Count("cases", distinct=True)).prefetch_related(
        Prefetch("contacts", queryset=primary, to_attr="primary")
    )
    head = [
        _("公司名称"),
        _("统一社会信用代码"),
        _("客户价值等级"),
        _("主要联系人"),
        _("手机号"),
        _("电子邮箱"),
        _("加急单数"),
        _("登记时间"),
        _("备注"),
    ]

    def rows():
        for client in clients.iterator(chunk_size=1000):
            contact = client.primary[0] if client.primary else None
            yield [
                client.name,
                client.uscc,
                str(client.get_value_tier_display()),
                contact.name if contact else "",
                contact.phone if contact else "",
                contact.email if contact else "",
                client.case_count,
                local(client.created_at),
                client.notes,
            ]

    data = list_workbook(
        title=_("客户"),
        head=head,
        rows=rows(),
        widths=[32, 22, 12, 12, 16, 26, 10, 18, 40],
        capped_note=capped_note(),
    )
    return xlsx_response(data, _("客户"))
