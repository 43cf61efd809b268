from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from expedite import clock
from expedite.accounts.selectors import user_can
from expedite.domain.roles import Capability

from . import selectors
from .forms import MessageForm
from .services import notifications_mark_read

PAGE_SIZE = 50


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
        {"status": selectors.outbox_status(now=now), "rows": selectors.troubled(), "now": now},
    )
