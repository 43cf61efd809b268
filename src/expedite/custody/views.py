"""Custody on the case page, the firm-wide list, and the client's confirmation on its portal."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.db.models import Q
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_POST

from expedite import clock
from expedite.accounts.selectors import staff_display_name, user_can
from expedite.cases import selectors as case_selectors
from expedite.cases.export_views import capped_note, local, xlsx_response
from expedite.cases.panels import panel_url
from expedite.cases.spreadsheet import list_workbook
from expedite.common.access import access
from expedite.common.i18n import flash_outcome, localized
from expedite.domain.custody import is_overdue
from expedite.domain.errors import DomainError, NotFound
from expedite.domain.roles import Capability
from expedite.portal import ratelimit
from expedite.portal.access import case_for_token, not_found
from expedite.portal.sections import NextStep
from expedite.portal.selectors import liaison_name
from expedite.portal.views import too_many_lookups
from expedite.workdays.selectors import firm_calendar

from . import selectors, services
from .forms import BackForm, CheckInForm, CheckOutForm, CodeForm, TransferForm, form_errors
from .models import CustodyItem, CustodyMovement


def custody_context(request, case) -> dict:
    """The case page's custody section (merged into cases.views.case_detail_context)."""
    items = access(selectors.items_for_case, user=request.user, case=case)
    rows = selectors.item_rows(items, user=request.user, now=clock.now())
    can_record = user_can(request.user, Capability.CUSTODY_RECORD)
    movable = any(row.can_move for row in rows)
    return {
        "custody_rows": rows,
        "custody_can_record": can_record,
        # Only the forms the section will draw (the transfer form reads the staff list).
        "custody_checkin_form": CheckInForm() if can_record else None,
        "custody_transfer_form": TransferForm() if movable else None,
        "custody_checkout_form": CheckOutForm() if movable else None,
        "custody_awaiting": list(selectors.awaiting_my_confirmation(user=request.user)),
    }


@login_required
def custody_list(request):
    items = access(selectors.items_in_firm, user=request.user)
    now = clock.now()
    rows = selectors.item_rows(items, user=request.user, now=now)
    context = {
        "custody_rows": rows,
        "overdue_count": sum(r.overdue for r in rows),
        "custody_can_record": user_can(request.user, Capability.CUSTODY_RECORD),
        "custody_transfer_form": TransferForm(),
        "custody_checkout_form": CheckOutForm(),
        "custody_awaiting": list(selectors.awaiting_my_confirmation(user=request.user)),
        "back": "list",
    }
    return render(request, "custody/list.html", context)


def _back(request, item: CustodyItem):
    back = BackForm(request.POST)
    if (back.is_valid() and back.cleaned_data["back"] == "list") or item.case_id is None:
        return redirect("custody_list")
    return redirect(panel_url(item.case_id, "custody"))


def _run(request, fn, success: str, **kwargs) -> None:
    flash_outcome(request, lambda: fn(actor=request.user, now=clock.now(), **kwargs), success)


def _item(request, pk: int) -> CustodyItem:
    access(selectors.check_view, user=request.user)
    item = CustodyItem.objects.filter(pk=pk).first()
    if item is None:
        raise Http404(_("找不到该物品。"))
    return item


@login_required
@require_POST
def custody_check_in(request, pk: int):
    case = access(case_selectors.access_case, user=request.user, pk=pk)
    form = CheckInForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("请检查交接登记：%(errors)s") % {"errors": form_errors(form)})
    else:
        _run(
            request,
            services.check_in,
            _("已登记收取，确认码已发送给客户的主要联系人。"),
            client=case.client,
            case=case,
            **form.cleaned_data,
        )
    return redirect(panel_url(case.pk, "custody"))


@login_required
@require_POST
def custody_transfer(request, pk: int):
    item = _item(request, pk)
    form = TransferForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("请检查交接登记：%(errors)s") % {"errors": form_errors(form)})
    else:
        _run(
            request,
            services.transfer,
            _("已登记转交，待接收人确认。"),
            item=item,
            **form.cleaned_data,
        )
    return _back(request, item)


@login_required
@require_POST
def custody_check_out(request, pk: int):
    item = _item(request, pk)
    form = CheckOutForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("请检查交接登记：%(errors)s") % {"errors": form_errors(form)})
    else:
        _run(
            request,
            services.check_out,
            _("已登记归还，确认码已发送给客户的主要联系人。"),
            item=item,
            **form.cleaned_data,
        )
    return _back(request, item)


def _movement(request, pk: int) -> CustodyMovement:
    access(selectors.check_view, user=request.user)
    movement = CustodyMovement.objects.select_related("item").filter(pk=pk).first()
    if movement is None:
        raise Http404(_("找不到该交接记录。"))
    return movement


@login_required
@require_POST
def custody_confirm(request, pk: int):
    movement = _movement(request, pk)
    _run(request, services.confirm_by_staff, _("已确认交接。"), movement=movement)
    return _back(request, movement.item)


@login_required
@require_POST
def custody_resend(request, pk: int):
    movement = _movement(request, pk)
    _run(
        request, services.resend_code, _("已重新发送确认码，旧的确认码已失效。"), movement=movement
    )
    return _back(request, movement.item)


def _pending_on_portal(case):
    """Handovers the client confirms on this case's page: the case's own and the client's
    items kept for no case in particular."""
    return selectors.pending_for_client(case.client).filter(
        Q(item__case=case) | Q(item__case__isnull=True)
    )


def portal_context(request, case) -> dict:
    """The client's portal page: handovers waiting for its code, with the parties as the client
    sees them (a colleague other than the liaison is the firm, never a name)."""
    liaison = liaison_name(case)
    pending = [
        {"m": m, "parties": selectors.client_side_parties(m, liaison=liaison)}
        for m in _pending_on_portal(case)
    ]
    return {"custody_pending": pending, "custody_code_form": CodeForm()}


def portal_next_steps(case, now) -> list[NextStep]:
    """ "您现在需要做的": the handovers waiting for the client's e-mailed code (not 验证身份)."""
    n = _pending_on_portal(case).count()
    if not n:
        return []
    text = ngettext("请确认交接（%(n)s 项）", "请确认交接（%(n)s 项）", n) % {"n": n}
    return [NextStep(text, "#custody")]


@require_POST
def portal_confirm(request, token: str, pk: int):

    if not ratelimit.allow(request, "lookup", token):
        return too_many_lookups(request)
    case = case_for_token(token, request=request)
    if case is None:
        return not_found(request)
    form = CodeForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("请输入邮件中的 6 位确认码。"))
    else:
        try:
            services.confirm_by_client_code(
                client=case.client,
                case=case,
                movement_id=pk,
                code=form.cleaned_data["code"],
                now=clock.now(),
            )
        except NotFound as exc:
            raise Http404(localized(exc)) from exc
        except DomainError as exc:
            messages.error(request, localized(exc))
        else:
            messages.success(request, _("已确认交接，谢谢。"))
    return redirect(reverse("portal_case", args=[token]) + "#custody")


@login_required
def custody_list_export(request):
    """The items the firm holds, as the list shows them, in a workbook."""
    items = access(selectors.items_in_firm, user=request.user)
    cal, now = firm_calendar(), clock.now()
    head = [
        _("客户"),
        _("物品类别"),
        _("物品说明"),
        _("加急单"),
        _("保管人"),
        _("保管起始"),
        _("预计归还日期"),
        _("逾期"),
        _("待确认的交接"),
    ]
    rows = (
        [
            item.client.name,
            str(item.get_kind_display()),
            item.label,
            item.case.reference if item.case else "",
            staff_display_name(item.holder) if item.holder else "",
            local(item.since),
            item.expected_return,
            _("是") if is_overdue(cal, item.expected_return, now) else "",
            sum(m.confirmed_at is None for m in item.movements.all()),
        ]
        for item in items
    )
    data = list_workbook(
        title=_("保管物品"),
        head=head,
        rows=rows,
        widths=[30, 14, 24, 16, 12, 18, 14, 8, 12],
        capped_note=capped_note(),
    )
    return xlsx_response(data, _("保管物品"))
