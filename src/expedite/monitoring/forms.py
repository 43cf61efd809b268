"""The inputs of the monitoring panel: report texts, settings, incidents and risks. Texts are
cleaned and bounded by the services, which also name a kind or a number they refuse."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy

from expedite.common.forms import id_field


def _text(label: str = "") -> forms.CharField:
    return forms.CharField(label=label or None, required=False, strip=False, max_length=20_000)


class SettingsForm(forms.Form):
    report_time = forms.TimeField(label=gettext_lazy("日报发送时间"), required=False)
    continue_on_holidays = forms.BooleanField(
        label=gettext_lazy("节假日照常发送日报"), required=False
    )


class ReportEditForm(forms.Form):
    done_today = _text(gettext_lazy("今日完成"))
    plan_tomorrow = _text(gettext_lazy("明日计划"))
    client_todo = _text(gettext_lazy("需客户配合"))


class IncidentRaiseForm(forms.Form):
    kind = forms.CharField(required=False, max_length=32)
    description = _text(gettext_lazy("异常描述"))
    impact_hours = forms.CharField(required=False, max_length=20)
    step = id_field(required=False)


class IncidentAckForm(forms.Form):
    cause = _text(gettext_lazy("原因"))
    remedy = _text(gettext_lazy("补救措施"))


class IncidentResolveForm(forms.Form):
    resolution = _text(gettext_lazy("处理结果"))


class RiskRecordForm(forms.Form):
    reason = _text(gettext_lazy("原因"))
    mitigation = _text(gettext_lazy("应对措施"))
    extra_days = forms.CharField(required=False, max_length=10)


class WarningApproveForm(forms.Form):
    mitigation = _text(gettext_lazy("应对措施"))
