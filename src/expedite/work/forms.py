"""The inputs of the work pages: the case's team, steps and tracks, the schedule, the staff
page. The services still check what is theirs (who may act, skills, capacity, rules)."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from expedite.common.forms import id_field
from expedite.domain.staffing import CASE_ROLES

from .models import CASE_ROLE_CHOICES, TRACK_STATUS_CHOICES
from .schedule import SOLVERS


class TeamForm(forms.Form):
    """One person per role (blank: nobody yet)."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        labels = dict(CASE_ROLE_CHOICES)
        for role in CASE_ROLES:
            self.fields[role] = id_field(required=False)
            self.fields[role].label = labels[role]

    def choices(self) -> dict[str, int | None]:
        return {role: self.cleaned_data.get(role) for role in CASE_ROLES}


class StepFinishForm(forms.Form):
    actual_hours = forms.DecimalField(
        label=_("实际工时"),
        required=False,
        min_value=0,
        max_value=9999,
        decimal_places=2,
        error_messages={"invalid": _("实际工时须是数字。")},
    )
    note = forms.CharField(label=_("备注"), required=False, strip=False)


class TrackUpdateForm(forms.Form):
    status = forms.ChoiceField(
        label=_("状态"),
        choices=TRACK_STATUS_CHOICES,
        error_messages={"required": _("请选择通道状态。"), "invalid_choice": _("请选择通道状态。")},
    )
    note = forms.CharField(label=_("备注"), required=False, strip=False)


class ScheduleForm(forms.Form):
    solver = forms.ChoiceField(
        choices=[(s, s) for s in SOLVERS],
        required=False,
        error_messages={"invalid_choice": _("未知的排期方法。")},
    )


class ScheduleViewForm(forms.Form):
    """The workload page's filter: a team (or everyone), a person, a week."""

    team = forms.ChoiceField(choices=[("", _("全部人员")), *CASE_ROLE_CHOICES], required=False)
    person = forms.CharField(required=False, max_length=20)
    week = forms.DateField(required=False)


class StaffActionForm(forms.Form):
    """Which action on the staff page, and for whom (blank: oneself)."""

    action = forms.ChoiceField(choices=[(a, a) for a in ("profile", "absence", "absence_remove")])
    user = id_field(required=False)


class SkillsField(forms.MultipleChoiceField):
    """The skills ticked; whether the catalog knows them is the service's to say (it names
    the unknown ones and lists the known)."""

    def valid_value(self, value) -> bool:
        return True


class ProfileForm(forms.Form):
    skills = SkillsField(required=False)
    capacity_hours = forms.DecimalField(
        label=_("每日可用工时"), error_messages={"invalid": _("每日可用工时须是数字。")}
    )
    expedite_team = forms.BooleanField(required=False)


class AbsenceForm(forms.Form):
    start = forms.DateField(label=_("开始"), error_messages={"invalid": _("请填写有效的日期。")})
    end = forms.DateField(label=_("结束"), error_messages={"invalid": _("请填写有效的日期。")})
    reason = forms.CharField(label=_("原因"), required=False, strip=False)


class AbsenceRemoveForm(forms.Form):
    absence = id_field()
