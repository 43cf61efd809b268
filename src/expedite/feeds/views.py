"""Calendar feeds: the secret address's calendar, and the pages to make or stop one."""

from __future__ import annotations

from django.conf import settings
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import translation
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from expedite import clock
from expedite.accounts.selectors import staff_display_name, user_can
from expedite.cases import selectors as case_selectors
from expedite.common.access import access
from expedite.common.i18n import flash_outcome
from expedite.domain.calendar import SHANGHAI
from expedite.domain.roles import Capability

from . import selectors, services
from .ics import calendar_bytes
from .models import CalendarFeed


def _address(feed: CalendarFeed | None) -> str:
    if feed is None:
        return ""
    path = reverse("calendar_feed", args=[services.feed_token(feed)])
    return settings.EXPEDITE_PUBLIC_URL.rstrip("/") + path


def calendar_feed(request, token: str):
    """The calendar itself: no sign-in (calendar apps cannot), the address is the secret."""
    feed = services.feed_for_token(token)
    if feed is None:
        raise Http404
    now = clock.now()
    today = now.astimezone(SHANGHAI).date()
    if feed.case_id is not None:
        language = settings.LANGUAGE_CODE
        with translation.override(language):
            events = selectors.case_events(feed.case, today=today, tz=SHANGHAI)
            name = _("加急单 %(ref)s") % {"ref": feed.case.reference}
    else:
        language = getattr(getattr(feed.user, "staff_language", None), "language", None)
        with translation.override(language or settings.LANGUAGE_CODE):
            events = selectors.person_events(feed.user, today=today, tz=SHANGHAI)
            name = _("加急服务台 · %(name)s") % {"name": staff_display_name(feed.user)}
    CalendarFeed.objects.filter(pk=feed.pk).update(last_read_at=now)
    response = HttpResponse(
        calendar_bytes(events, name=name, stamp=now), content_type="text/calendar; charset=utf-8"
    )
    response["Cache-Control"] = "private, max-age=300"
    return response


def _staff_only(user) -> None:
    if not user_can(user, Capability.VIEW_CASES):
        raise PermissionDenied(_("您的角色无权订阅日历。"))


@login_required
def my_calendar(request):
    _staff_only(request.user)
    feed = CalendarFeed.objects.filter(user=request.user, revoked_at__isnull=True).first()
    return render(
        request,
        "feeds/my_calendar.html",
        {"address": _address(feed), "feed": feed},
    )


@login_required
@require_POST
def my_calendar_renew(request):
    _staff_only(request.user)
    flash_outcome(
        request, lambda: services.feed_renew(actor=request.user), _("已生成新的订阅地址。")
    )
    return redirect("my_calendar")


@login_required
@require_POST
def my_calendar_stop(request):
    _staff_only(request.user)
    flash_outcome(request, lambda: services.feed_stop(actor=request.user), _("订阅地址已停用。"))
    return redirect("my_calendar")


@login_required
def case_calendar(request, pk: int):
    case = access(case_selectors.access_case, user=request.user, pk=pk)
    feed = CalendarFeed.objects.filter(case=case, revoked_at__isnull=True).first()
    return render(
        request, "feeds/case_calendar.html", {"case": case, "address": _address(feed), "feed": feed}
    )


@login_required
@require_POST
def case_calendar_renew(request, pk: int):
    case = access(case_selectors.access_case, user=request.user, pk=pk)
    flash_outcome(
        request,
        lambda: services.feed_renew(actor=request.user, case=case),
        _("已生成新的订阅地址。"),
    )
    return redirect("case_calendar", pk=case.pk)


@login_required
@require_POST
def case_calendar_stop(request, pk: int):
    case = access(case_selectors.access_case, user=request.user, pk=pk)
    flash_outcome(
        request, lambda: services.feed_stop(actor=request.user, case=case), _("订阅地址已停用。")
    )
    return redirect("case_calendar", pk=case.pk)
