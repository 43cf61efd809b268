"""A delivery error found after the handover: when, what, how it was put right."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from expedite.cases.forms import PanelForm


class DeliveryErrorForm(PanelForm):
    ids = "delivery_error"
    found_on = forms.DateField(
        label=_("发现日期"),
        required=False,
        error_messages={"invalid": _("发现日期格式不对，应写作 2026-05-20。")},
    )
    description = forms.CharField(label=_("差错"), required=False, strip=False, max_length=20_000)
    remedy = forms.CharField(label=_("补救"), required=False, strip=False, max_length=20_000)
