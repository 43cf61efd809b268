"""Administrators' pages for webhook endpoints: list and add, change, test, and each
endpoint's recent deliveries with their attempts."""

from __future__ import annotations

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_http_methods, require_POST

from expedite.accounts.selectors import user_can
from expedite.common.forms import first_error
from expedite.common.i18n import localized
from expedite.domain.errors import DomainError
from expedite.domain.roles import Capability

from . import webhook_services as services
from .models import Channel, OutboxMessage, WebhookAttempt, WebhookEndpoint
from .webhooks import EVENTS, SUBSCRIBABLE, attempt_outcome

SHOWN_DELIVERIES = 30


class EndpointForm(forms.Form):
    name = forms.CharField(label=gettext_lazy("名称"), max_length=100)
    url = forms.CharField(label=gettext_lazy("接收地址"), max_length=500)
    events = forms.MultipleChoiceField(
        label=gettext_lazy("事件"),
        choices=[(k, gettext_lazy(EVENTS[k])) for k in SUBSCRIBABLE],
        widget=forms.CheckboxSelectMultiple,
    )
    active = forms.BooleanField(label=gettext_lazy("启用"), required=False, initial=True)


def _admin(request) -> None:
    if not user_can(request.user, Capability.MANAGE_WEBHOOKS):
        raise PermissionDenied(_("只有系统管理员可以管理 Webhook。"))


def _event_names(endpoint: WebhookEndpoint) -> str:
    return _("、").join(_(EVENTS[k]) for k in endpoint.events if k in EVENTS)


def _endpoint(endpoint_id: int) -> WebhookEndpoint:
    endpoint = WebhookEndpoint.objects.filter(pk=endpoint_id).first()
    if endpoint is None:
        raise Http404(_("没有这个接收地址。"))
    return endpoint


def _save(request, form: EndpointForm, endpoint=None):
    if not form.is_valid():
        messages.error(request, first_error(form))
        return None
    data = form.cleaned_data
    try:
        return services.webhook_save(
            actor=request.user,
            name=data["name"],
            url=data["url"],
            events=data["events"],
            active=data["active"],
            endpoint=endpoint,
        )
    except DomainError as exc:
        messages.error(request, localized(exc))
        return None


@login_required
@require_http_methods(["GET", "HEAD", "POST"])
def webhook_list(request):
    _admin(request)
    form = EndpointForm(request.POST or None)
    if request.method == "POST":
        saved = _save(request, form)
        if saved is not None:
            messages.success(request, _("已添加接收地址 %(name)s。") % {"name": saved.name})
            return redirect("webhook_detail", endpoint_id=saved.pk)
    return render(
        request,
        "notify/webhooks.html",
        {"endpoints": [(e, _event_names(e)) for e in WebhookEndpoint.objects.all()], "form": form},
    )


@login_required
@require_http_methods(["GET", "HEAD", "POST"])
def webhook_detail(request, endpoint_id: int):
    _admin(request)
    endpoint = _endpoint(endpoint_id)
    initial = {k: getattr(endpoint, k) for k in ("name", "url", "events", "active")}
    form = EndpointForm(request.POST or None, initial=initial)
    if request.method == "POST":
        if _save(request, form, endpoint) is not None:
            messages.success(request, _("已保存。"))
        return redirect("webhook_detail", endpoint_id=endpoint.pk)
    deliveries = list(
        OutboxMessage.objects.filter(channel=Channel.WEBHOOK, recipient=str(endpoint.pk))
        .select_related("case")
        .order_by("-created_at", "-pk")[:SHOWN_DELIVERIES]
    )
    attempts: dict[int, list] = {}
    for attempt in WebhookAttempt.objects.filter(message__in=deliveries).order_by("at", "pk"):
        attempt.outcome = attempt_outcome(attempt)
        attempts.setdefault(attempt.message_id, []).append(attempt)
    rows = [
        {"row": d, "event": _(EVENTS.get(d.subject, d.subject)), "attempts": attempts.get(d.pk, [])}
        for d in deliveries
    ]
    return render(
        request,
        "notify/webhook_detail.html",
        {"endpoint": endpoint, "form": form, "rows": rows},
    )


@login_required
@require_POST
def webhook_secret(request, endpoint_id: int):
    _admin(request)
    try:
        services.webhook_secret_renew(actor=request.user, endpoint=_endpoint(endpoint_id))
    except DomainError as exc:
        messages.error(request, localized(exc))
    else:
        messages.success(request, _("已生成新的签名密钥；请同时更新接收方的配置。"))
    return redirect("webhook_detail", endpoint_id=endpoint_id)


@login_required
@require_POST
def webhook_test(request, endpoint_id: int):
    _admin(request)
    try:
        services.webhook_test(actor=request.user, endpoint=_endpoint(endpoint_id))
    except DomainError as exc:
        messages.error(request, localized(exc))
    else:
        messages.success(request, _("测试事件已排入发件箱，稍后刷新查看投递结果。"))
    return redirect("webhook_detail", endpoint_id=endpoint_id)
