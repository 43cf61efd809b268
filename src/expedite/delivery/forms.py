"""The client's confirmation of the result files, on the portal."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from expedite.domain.delivery import REMARK_MAX


class ConfirmForm(forms.Form):
    evaluation = forms.CharField(label=_("评价"), required=False, max_length=20)
    # Longer than allowed still reaches the service, which says by how much.
    remark = forms.CharField(
        label=_("备注"), required=False, strip=False, max_length=REMARK_MAX * 4
    )
    code = forms.CharField(label=_("验证码"), required=False, max_length=20)
    results = forms.CharField(required=False, max_length=64)
