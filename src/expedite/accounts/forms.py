"""Log-in forms that say so when the throttle (expedite.accounts.backends) refused the try."""

from __future__ import annotations

from django import forms
from django.contrib.admin.forms import AdminAuthenticationForm
from django.contrib.auth.forms import AuthenticationForm
from django.utils.translation import gettext_lazy as _

THROTTLED = _("登录失败次数过多，请 15 分钟后再试。")


class _ThrottleMessage:
    def get_invalid_login_error(self):
        if getattr(self.request, "login_throttled", False):
            return forms.ValidationError(THROTTLED, code="throttled")
        return super().get_invalid_login_error()


class ThrottledAuthenticationForm(_ThrottleMessage, AuthenticationForm):
    pass


class ThrottledAdminAuthenticationForm(_ThrottleMessage, AdminAuthenticationForm):
    pass


class TokenForm(forms.Form):
    # Cleaned and bounded by the service, which names what is wrong with it.
    name = forms.CharField(required=False, strip=False, max_length=1000)
