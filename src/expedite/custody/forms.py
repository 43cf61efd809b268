from __future__ import annotations

from django import forms
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from expedite.accounts.selectors import staff_display_name
from expedite.cases.forms import DateInput, PanelForm

from .models import ITEM_KIND_CHOICES
from .selectors import staff_users


class CheckInForm(PanelForm):
    ids = "custody_in"
    kind = forms.ChoiceField(label=_("物品类别"), choices=ITEM_KIND_CHOICES)
    label = forms.CharField(
        label=_("物品说明"),
        max_length=200,
        required=False,
        help_text=_("原件或其他物品须写明是什么，如“房屋租赁合同原件”。"),
    )
    purpose = forms.CharField(label=_("用途"), max_length=200)
    expected_return = forms.DateField(label=_("预计归还日期"), widget=DateInput)


class TransferForm(PanelForm):
    ids = "custody_transfer"
    to_user = forms.ModelChoiceField(label=_("转交给"), queryset=staff_users().none())
    purpose = forms.CharField(label=_("用途"), max_length=200)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        field = self.fields["to_user"]
        field.queryset = staff_users()
        field.label_from_instance = staff_display_name
        # Read the people once: a page draws this form once per item held.
        field.widget.choices = list(field.choices)


class CheckOutForm(PanelForm):
    ids = "custody_out"
    purpose = forms.CharField(label=_("用途"), max_length=200, initial=_("办结归还"))


class CodeForm(forms.Form):
    code = forms.CharField(
        label=_("确认码"),
        max_length=6,
        widget=forms.TextInput(
            attrs={"inputmode": "numeric", "autocomplete": "one-time-code", "pattern": "[0-9]{6}"}
        ),
    )


def form_errors(form) -> str:
    """Each field's first error after its label, with the reader's punctuation."""
    return gettext("；").join(
        gettext("%(field)s：%(error)s") % {"field": form.fields[k].label, "error": v[0]}
        for k, v in form.errors.items()
        if k in form.fields
    )


class BackForm(forms.Form):
    """Where an action returns: the custody list, or (blank) the case page."""

    back = forms.ChoiceField(choices=[("", ""), ("list", "list")], required=False)
