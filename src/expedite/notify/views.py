from __future__ import annotations

import hmac
import json

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.http import HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_GET, require_POST

from expedite import clock
from expedite.accounts.selectors import user_can
from expedite.common.i18n import flash_outcome
from expedite.domain.roles import Capability

from . import selectors
from .forms import MessageForm
from .links import short_target
from .receipts import receipts_record
from .services import notifications_mark_read, outbox_mark_sent, outbox_resend

PAGE_SIZE = 50
# Each provider pushes at most a few hundred reports at once.
RECEIPT_MAX_BYTES = 256 * 1024


@login_required
def notification_list(request):
    """我的消息: the user's in-app messages, newest first."""
    page = Paginator(selectors.my_notifications(request.user), PAGE_SIZE).get_page(
        request.GET.get("page")
    )
    return render(request, "notify/list.html", {"page": page})


@login_required
@require_POST
def notification_read(request):
    form = MessageForm(request.POST)
    pk = form.cleaned_data["pk"] if form.is_valid() else None
    if not form.is_valid():
        messages.error(request, _("无效的消息编号。"))
        return redirect("notification_list")
    notifications_mark_read(user=request.user, now=clock.now(), pk=pk)
    if pk is None:
        messages.success(request, _("已全部标记为已读。"))
    return redirect("notification_list")


@login_required
def outbox_page(request):
    """发件箱: what the sender still has to deliver, and why it failed so far."""
    if not user_can(request.user, Capability.VIEW_OUTBOX):
        raise PermissionDenied(_("只有系统管理员可以查看发件箱。"))
    now = clock.now()
    return render(
        request,
        "notify/outbox.html",
        {
            "status": selectors.outbox_status(now=now),
            "held": selectors.held(),
            "rows": selectors.troubled(),
            "now": now,
        },
    )


ANSWERS = {
    "aliyun": ({"code": 0, "msg": "成功"}, {"code": 1, "msg": "格式错误"}),
    "tencent": ({"result": 0, "errmsg": "OK"}, {"result": 1, "errmsg": "bad request"}),
}


@login_required
@require_POST
def outbox_decide(request, pk: int):
    """A held message: send it again, or close it as sent."""
    if not user_can(request.user, Capability.VIEW_OUTBOX):
        raise PermissionDenied(_("只有系统管理员可以处理发件箱。"))
    action = request.POST.get("action")
    now = clock.now()
    if action == "resend":
        flash_outcome(
            request,
            lambda: outbox_resend(pk=pk, actor=request.user, now=now),
            _("已重新排队发送。"),
        )
    elif action == "mark_sent":
        flash_outcome(
            request,
            lambda: outbox_mark_sent(pk=pk, actor=request.user, now=now),
            _("已确认发出，不再发送。"),
        )
    else:
        messages.error(request, _("请选择重新发送或确认已发出。"))
    return redirect("outbox_page")


@csrf_exempt
@require_POST
def sms_receipts(request, provider: str, token: str):
    """POST /hooks/sms/<provider>/<token>/: the provider's batch of delivery reports."""
    secret = settings.EXPEDITE_SMS_RECEIPT_TOKEN
    if (
        provider not in ANSWERS
        or not secret
        or not hmac.compare_digest(token.encode("utf-8"), secret.encode("utf-8"))
    ):
        return HttpResponse(status=404)
    ok, bad = ANSWERS[provider]
    if len(request.body) > RECEIPT_MAX_BYTES:
        return JsonResponse(bad, status=413)
    try:
        items = json.loads(request.body.decode("utf-8"))
    except (UnicodeDecodeError, ValueError):
        return JsonResponse(bad, status=400)
    if not isinstance(items, list):
        return JsonResponse(bad, status=400)
    receipts_record(provider, items, now=clock.now())
    return JsonResponse(ok)


@require_GET
def short_link(request, code: str):
    """/s/<code>: the address a text message carries, leading to the page it stands for."""
    target = short_target(code, now=clock.now())
    if target is None:
        return render(request, "notify/short_gone.html", status=404)
    return redirect(target)
