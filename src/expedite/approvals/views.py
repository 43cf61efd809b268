"""Approvals on the case page, and the approver's inbox (/approvals/)."""

from __future__ import annotations

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import get_language, gettext_lazy
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from expedite import clock
from expedite.accounts.selectors import staff_display_name, user_can, user_roles
from expedite.cases import selectors as case_selectors
from expedite.cases.export_views import capped_note, local, xlsx_response
from expedite.cases.forms import PanelForm
from expedite.cases.panels import panel_url
from expedite.cases.spreadsheet import list_workbook
from expedite.common.access import access
from expedite.common.forms import first_error
from expedite.common.i18n import localized
from expedite.domain.approvals import approvable_roles
from expedite.domain.errors import DomainError
from expedite.domain.roles import Capability

from . import selectors, services
from .models import ACTION_CHOICES, ApprovalRequest


class NextForm(forms.Form):
    """Where to return after an action (checked against this host before use)."""

    next = forms.CharField(required=False, max_length=2000)


class DecisionForm(forms.Form):
    decision = forms.ChoiceField(
        choices=[("grant", "grant"), ("deny", "deny")],
        error_messages={
            "required": gettext_lazy("请选择批准或驳回。"),
            "invalid_choice": gettext_lazy("请选择批准或驳回。"),
        },
    )
    reason = forms.CharField(required=False, strip=False, max_length=20_000)


class ApprovalForm(PanelForm):
    ids = "approval"
    action = forms.ChoiceField(label=gettext_lazy("审批事项"), choices=ACTION_CHOICES)
    amount = forms.CharField(
        label=gettext_lazy("金额（元）"),
        required=False,
        max_length=20,
        help_text=gettext_lazy("退税、减免加急费须填写；审批人按金额确定。"),
        widget=forms.TextInput(attrs={"inputmode": "decimal"}),
    )
    justification = forms.CharField(
        label=gettext_lazy("申请理由"), widget=forms.Textarea(attrs={"rows": 2})
    )


def _rows(user, requests) -> list[dict]:
    return [
        {
            "r": r,
            "requested_by_name": staff_display_name(r.requested_by),
            "decided_by_name": staff_display_name(r.decided_by) if r.decided_by else "",
            "can_decide": selectors.may_decide(user, r),
            "can_withdraw": r.status == ApprovalRequest.PENDING and r.requested_by_id == user.pk,
        }
        for r in requests
    ]


def approvals_context(request, case) -> dict:
    """The case page's approval section."""
    return {
        "approval_rows": _rows(request.user, selectors.case_requests(case)),
        "approval_form": ApprovalForm(),
        "can_request_approval": user_can(request.user, Capability.MOVE_CASE),
    }


def _back(request, case_pk: int):
    back = NextForm(request.POST)
    target = back.cleaned_data["next"] if back.is_valid() else ""
    if target and url_has_allowed_host_and_scheme(target, allowed_hosts={request.get_host()}):
        return redirect(target)
    return redirect(panel_url(case_pk, "approvals"))


@login_required
@require_POST
def approval_create(request, pk: int):
    case = access(case_selectors.access_case, user=request.user, pk=pk)
    form = ApprovalForm(request.POST)
    if not form.is_valid():
        messages.error(
            request,
            _("请检查审批申请：")
            + "；".join(
                f"{form.fields[k].label}：{v[0]}"
                for k, v in form.errors.items()
                if k in form.fields
            ),
        )
        return _back(request, case.pk)
    data = form.cleaned_data
    try:
        services.approval_request(
            actor=request.user,
            case=case,
            action=data["action"],
            amount=data["amount"],
            justification=data["justification"],
            now=clock.now(),
        )
    except DomainError as exc:
        messages.error(request, localized(exc))
    else:
        messages.success(request, _("已提交审批申请。"))
    return _back(request, case.pk)


def _request_for(request, approval_pk: int) -> ApprovalRequest:
    if not user_can(request.user, Capability.VIEW_CASES):
        raise PermissionDenied(_("您没有查看加急单的权限。"))
    row = ApprovalRequest.objects.filter(pk=approval_pk).first()
    if row is None:
        raise Http404(_("找不到该审批申请。"))
    return row


@login_required
@require_POST
def approval_decide(request, approval_pk: int):
    row = _request_for(request, approval_pk)
    form = DecisionForm(request.POST)
    try:
        if not form.is_valid():
            raise DomainError(first_error(form), field="decision")
        services.approval_decide(
            actor=request.user,
            request=row,
            grant=form.cleaned_data["decision"] == "grant",
            reason=form.cleaned_data["reason"],
            now=clock.now(),
        )
    except DomainError as exc:
        messages.error(request, localized(exc))
    else:
        granted = form.cleaned_data["decision"] == "grant"
        messages.success(request, _("已批准。") if granted else _("已驳回。"))
    return _back(request, row.case_id)


@login_required
@require_POST
def approval_withdraw(request, approval_pk: int):
    row = _request_for(request, approval_pk)
    try:
        services.approval_withdraw(actor=request.user, request=row, now=clock.now())
    except DomainError as exc:
        messages.error(request, localized(exc))
    else:
        messages.success(request, _("已撤回审批申请。"))
    return _back(request, row.case_id)


@login_required
def approval_inbox(request):
    """待我审批: what the current user may decide, and what they are waiting for."""
    if not user_can(request.user, Capability.VIEW_CASES):
        raise PermissionDenied(_("您没有查看加急单的权限。"))
    return render(
        request,
        "approvals/inbox.html",
        {
            "rows": _rows(request.user, selectors.pending_for(request.user)),
            "mine": _rows(request.user, selectors.requested_by(request.user)),
            "is_approver": bool(approvable_roles(user_roles(request.user))),
        },
    )


@login_required
def approval_inbox_export(request):
    """The inbox in a workbook: what awaits this user's decision, then what they asked for."""
    if not user_can(request.user, Capability.VIEW_CASES):
        raise PermissionDenied(_("您没有查看加急单的权限。"))
    language = get_language()
    waiting = selectors.pending_for(request.user) if _is_approver(request.user) else []
    head = [
        _("列表"),
        _("加急单"),
        _("客户"),
        _("服务事项"),
        _("审批事项"),
        _("金额（元）"),
        _("审批人"),
        _("申请人"),
        _("申请时间"),
        _("申请理由"),
    ]

    def rows():
        for section, requests in ((_("待我审批"), waiting), (_("我提交的"), mine)):
            for r in requests:
                yield [
                    section,
                    r.case.reference or "",
                    r.case.client.name,
                    r.case.service.display_name(language),
                    str(r.get_action_display()),
                    r.amount,
                    str(r.get_required_role_display()),
                    staff_display_name(r.requested_by),
                    local(r.requested_at),
                    r.justification,
                ]

    mine = selectors.requested_by(request.user).select_related("requested_by")
    data = list_workbook(
        title=_("待我审批"),
        head=head,
        rows=rows(),
        widths=[12, 16, 30, 24, 16, 12, 12, 12, 18, 50],
        capped_note=capped_note(),
    )
    return xlsx_response(data, _("待我审批"))


def _is_approver(user) -> bool:
    return bool(approvable_roles(user_roles(user)))
