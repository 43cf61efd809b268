"""The log-in form, throttled by recent failures of the same user name and address."""

from __future__ import annotations

import datetime as dt

from django import forms
from django.contrib.auth.forms import AuthenticationForm
from django.utils.translation import gettext_lazy as _

from expedite import clock
from expedite.audit.models import AuditEvent
from expedite.domain.audit import AuditKind

WINDOW = dt.timedelta(minutes=15)
MAX_FAILURES_PER_USERNAME = 5
MAX_FAILURES_PER_ADDRESS = 20


def recent_failures(*, username: str = "", ip: str = "", now: dt.datetime) -> int:
    events = AuditEvent.objects.filter(kind=AuditKind.LOGIN_FAILED, time__gte=now - WINDOW)
    if username:
        events = events.filter(payload__username=username)
    if ip:
        events = events.filter(payload__ip=ip)
    return events.count()


class ThrottledAuthenticationForm(AuthenticationForm):
    """Refuses to try the password once an account or an address has failed too often.

    A refused attempt is not authenticated and so adds nothing to the audit record: the
    record of failures stays bounded however hard someone hammers the form.
    """

    error_messages = {
        **AuthenticationForm.error_messages,
        "throttled": _("登录失败次数过多，请 15 分钟后再试。"),
    }

    def clean(self):
        username = (self.cleaned_data.get("username") or "")[:150]
        ip = self.request.META.get("REMOTE_ADDR", "") if self.request else ""
        now = clock.now()
        if recent_failures(username=username, now=now) >= MAX_FAILURES_PER_USERNAME or (
            ip and recent_failures(ip=ip, now=now) >= MAX_FAILURES_PER_ADDRESS
        ):
            raise forms.ValidationError(self.error_messages["throttled"], code="throttled")
        return super().clean()
