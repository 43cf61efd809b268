from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from expedite.cases.models import ContactChannel, ServiceType
from expedite.portal.forms import ClientIntakeForm


class RequestForm(ClientIntakeForm):
    """The public request: who asks, for which company and service, by when and why — the
    three questions of the portal — and the code that proves the phone."""

    phone = forms.CharField(
        label=_("手机号码"),
        max_length=20,
        widget=forms.TextInput(attrs={"inputmode": "tel", "autocomplete": "tel"}),
    )
    # Checked by the service, after every other field: a typo elsewhere does not spend it.
    code = forms.CharField(
        label=_("短信验证码"),
        max_length=6,
        required=False,
        widget=forms.TextInput(attrs={"inputmode": "numeric", "autocomplete": "one-time-code"}),
    )
    company = forms.CharField(label=_("公司名称"), max_length=200)
    uscc = forms.CharField(label=_("统一社会信用代码"), max_length=18, min_length=18)
    contact_name = forms.CharField(label=_("您的姓名"), max_length=100)
    email = forms.EmailField(label=_("电子邮箱（可不填）"), max_length=254, required=False)
    channel = forms.ChoiceField(
        label=_("我们如何通知您"), choices=ContactChannel.choices, initial=ContactChannel.SMS
    )
    service = forms.ChoiceField(label=_("需要办理的事项"))
    reason = forms.CharField(
        label=_("为什么这么急？"), max_length=2000, widget=forms.Textarea(attrs={"rows": 3})
    )

    field_order = ["phone", "code", "company", "uscc", "contact_name", "email", "channel"]

    def __init__(self, *args, language: str = "zh-hans", **kwargs):
        super().__init__(*args, stages=[], **kwargs)
        del self.fields["stage"]  # the stages differ per service; asked at triage instead
        services = ServiceType.objects.filter(active=True).order_by("category", "code")
        self.fields["service"].choices = [("", "—")] + [
            (s.code, s.display_name(language)) for s in services
        ]

    def answers(self) -> dict:
        self.cleaned_data.setdefault("stage", "")
        return super().answers()
