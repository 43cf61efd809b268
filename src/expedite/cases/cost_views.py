"""The fee ledger on the case page."""

from __future__ import annotations

from django import forms
from django.contrib import messages
from django.contrib.auth import get_user_model
from django.contrib.auth.decorators import login_required
from django.shortcuts import redirect
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from expedite.accounts.selectors import staff_display_name
from expedite.common.access import access
from expedite.common.i18n import localized
from expedite.domain.errors import DomainError

from . import selectors
from .costs import cost_entry_add
from .forms import DateInput, PanelForm
from .models import COST_KIND_CHOICES
from .panels import panel_url


class CostForm(PanelForm):
    ids = "cost"
    kind = forms.ChoiceField(label=gettext_lazy("类别"), choices=COST_KIND_CHOICES)
    description = forms.CharField(label=gettext_lazy("说明"), max_length=200)
    person = forms.ModelChoiceField(
        label=gettext_lazy("人员"), queryset=get_user_model().objects.none(), required=False
    )
    day = forms.DateField(label=gettext_lazy("日期"), required=False, widget=DateInput)
    hours = forms.DecimalField(
        label=gettext_lazy("工时"), required=False, max_digits=6, decimal_places=2
    )
    amount = forms.DecimalField(label=gettext_lazy("金额（元）"), max_digits=12, decimal_places=2)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        staff = get_user_model().objects.filter(is_active=True, groups__isnull=False).distinct()
        self.fields["person"].queryset = staff.order_by("username")
        self.fields["person"].label_from_instance = staff_display_name


@login_required
@require_POST
def case_cost_add(request, pk: int):
    case = access(selectors.access_case, user=request.user, pk=pk)
    form = CostForm(request.POST)
    if not form.is_valid():
        messages.error(
            request,
            _("请检查费用明细：")
            + "；".join(
                f"{form.fields[k].label}：{v[0]}"
                for k, v in form.errors.items()
                if k in form.fields
            ),
        )
        return redirect("case_detail", pk=case.pk)
    data = form.cleaned_data
    try:
        cost_entry_add(
            actor=request.user,
            case=case,
            kind=data["kind"],
            description=data["description"],
            amount=data["amount"],
            hours=data["hours"],
            person=data["person"],
            day=data["day"],
        )
    except DomainError as exc:
        messages.error(request, localized(exc))
    else:
        messages.success(request, _("已记录费用。"))
    return redirect(panel_url(case.pk, "costs"))
