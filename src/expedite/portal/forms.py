from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from expedite import clock
from expedite.cases.forms import DateInput
from expedite.cases.models import CONSEQUENCE_CHOICES
from expedite.cases.services import check_deadline
from expedite.common.forms import id_field
from expedite.common.i18n import localized
from expedite.domain.errors import DomainError

YES_NO = [("", "—"), ("yes", _("是")), ("no", _("否"))]


class ClientIntakeForm(forms.Form):
    """The three questions, answered by the client on the phone."""

    deadline = forms.DateField(label=_("1. 最晚哪天必须办好？"), widget=DateInput)
    written_notice = forms.TypedChoiceField(
        label=_("有没有书面通知（合同、平台通知、函件）？"),
        choices=YES_NO,
        coerce=lambda v: v == "yes",
    )
    stage = forms.ChoiceField(label=_("2. 目前办到哪一步、卡在哪里？"), required=False)
    materials_complete = forms.TypedChoiceField(
        label=_("3. 今天能把完整材料交给我们吗？"), choices=YES_NO, coerce=lambda v: v == "yes"
    )
    materials_expected = forms.DateField(
        label=_("不能的话，哪天能交齐？"), required=False, widget=DateInput
    )
    consequence = forms.ChoiceField(
        label=_("如果赶不上，会有什么后果？"), choices=[("", "—"), *CONSEQUENCE_CHOICES]
    )

    def __init__(self, *args, stages, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["stage"].choices = [("", "—"), *stages]

    def clean_deadline(self):
        deadline = self.cleaned_data["deadline"]
        try:
            check_deadline(deadline, today=clock.today())
        except DomainError as exc:
            raise forms.ValidationError(localized(exc)) from exc
        return deadline

    def clean(self):
        data = super().clean()
        expected = data.get("materials_expected")
        if data.get("materials_complete") is False and not expected:
            self.add_error("materials_expected", _("请填写预计交齐材料的日期。"))
        if expected and expected < clock.today():
            self.add_error("materials_expected", _("材料预计交齐的日期不能早于今天。"))
        return data

    def answers(self) -> dict:
        d = self.cleaned_data
        return {
            "deadline": d["deadline"].isoformat(),
            "written_notice": d["written_notice"],
            "stage": d["stage"],
            "materials_complete": d["materials_complete"],
            "materials_expected": d["materials_expected"].isoformat()
            if d.get("materials_expected")
            else None,
            "consequence": d["consequence"],
        }


class PortalActionForm(forms.Form):
    """Which button of a portal form was pressed."""

    action = forms.ChoiceField(
        choices=[(a, a) for a in ("send", "check", "confirm")], required=False
    )

    def pressed(self) -> str:
        return self.cleaned_data.get("action", "") if self.is_valid() else ""


class CodeRequestForm(forms.Form):
    """Whom to send a one-time code: one of the case's registered contacts (by id; the
    service checks it is one of them)."""

    contact = id_field(required=False)

    def contact_id(self) -> int:
        return self.cleaned_data.get("contact") or 0 if self.is_valid() else 0


class CodeEntryForm(forms.Form):
    code = forms.CharField(required=False, max_length=20)

    def code_text(self) -> str:
        return self.cleaned_data.get("code", "") if self.is_valid() else ""


class VisibleForm(forms.Form):
    """Show a file to the client ("1") or hide it ("0")."""

    visible = forms.ChoiceField(choices=[("0", "0"), ("1", "1")])
