"""The batch intake form: several companies, one requester, service, deadline and reason."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from expedite.cases.forms import DateInput
from expedite.domain.batches import MAX_COMPANIES, MIN_COMPANIES


class BatchForm(forms.Form):
    companies = forms.TypedMultipleChoiceField(
        label=_("公司"),
        coerce=int,
        widget=forms.CheckboxSelectMultiple,
        help_text=_("每家公司一张加急单，同一服务事项、同一截止日期。"),
        error_messages={"invalid_choice": _("请选择已登记的客户。")},
    )
    requester = forms.TypedChoiceField(
        label=_("委托人"),
        coerce=int,
        help_text=_("提出这次申请的客户联系人，例如集团财务负责人。"),
        error_messages={"invalid_choice": _("请选择委托人（已登记的客户联系人）。")},
    )
    service = forms.ChoiceField(label=_("服务事项"))
    requested_deadline = forms.DateField(label=_("要求截止日期"), widget=DateInput)
    reason = forms.CharField(
        label=_("加急原因"),
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("为什么急、急到什么程度；有无书面通知。"),
    )

    def __init__(self, *args, clients, contacts, services, language, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["companies"].choices = [(c.pk, c.name) for c in clients]
        self.fields["requester"].choices = [("", "—")] + [
            (c.pk, f"{c.name} · {c.client.name}") for c in contacts
        ]
        self.fields["service"].choices = [("", "—")] + [
            (s.code, s.display_name(language)) for s in services
        ]

    def clean_companies(self):
        # Counted here too, so the form reports it with the other fields in one round.
        chosen = self.cleaned_data["companies"]
        if len(chosen) < MIN_COMPANIES:
            raise forms.ValidationError(
                _("批量申请至少要选 %(min)d 家公司；只有一家公司请新建普通加急单。"),
                params={"min": MIN_COMPANIES},
            )
        if len(chosen) > MAX_COMPANIES:
            raise forms.ValidationError(
                _("一个批量申请最多 %(max)d 家公司（现为 %(count)d 家），请分成几批。"),
                params={"max": MAX_COMPANIES, "count": len(chosen)},
            )
        return chosen
