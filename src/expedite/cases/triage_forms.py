"""The intake form: the seed's three questions, the consequence, and the rules' questions."""

from __future__ import annotations

import datetime as dt

from django import forms
from django.utils.translation import gettext_lazy as _

from expedite import clock
from expedite.catalog import load_wage_minimums
from expedite.domain.catalog import Catalog, ServiceType
from expedite.domain.wages import wage_minimums_on

from .forms import DateInput, PanelForm
from .models import CONSEQUENCE_CHOICES
from .triage import TriageInput, facts_for
from .words import say, term

YES_NO = [("", "—"), ("yes", _("是")), ("no", _("否"))]


def wage_minimum_help(today: dt.date) -> str:
    """What is known of each city's lower limit of the contribution base today: the figure with
    its period and source, or that it is unknown (the staff member types the figure in)."""
    return " ".join(say(p.as_json()) for p in wage_minimums_on(load_wage_minimums(), today))


# Facts whose question comes with what the product knows of the answer.
FACT_HELP = {"city_minimum_wage_base": wage_minimum_help}


def stage_choices(service: ServiceType) -> list[tuple[str, str]]:
    stages = [("not_started", _("尚未开始办理"))]
    stages += [(m, term(m)) for m in service.milestones]
    stages.append(("other", _("其他")))
    return stages


class IntakeForm(forms.Form):
    deadline = forms.DateField(label=_("1. 确切的截止日期"), widget=DateInput)
    written_notice = forms.TypedChoiceField(
        label=_("有没有书面通知？"), choices=YES_NO, coerce=lambda v: v == "yes"
    )
    notice_file = forms.FileField(
        label=_("上传书面通知（截图或文件）"),
        required=False,
        help_text=_("PDF、JPG、PNG，最大 10 MB。"),
    )
    stage = forms.ChoiceField(label=_("2. 目前卡在哪个环节？"))
    materials_complete = forms.TypedChoiceField(
        label=_("3. 今天能提交完整材料吗？"), choices=YES_NO, coerce=lambda v: v == "yes"
    )
    materials_expected = forms.DateField(
        label=_("不能的话，预计哪天交齐？"), required=False, widget=DateInput
    )
    consequence = forms.ChoiceField(
        label=_("错过截止日期的后果"), choices=[("", "—"), *CONSEQUENCE_CHOICES]
    )

    def __init__(self, *args, service: ServiceType, catalog: Catalog, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["stage"].choices = stage_choices(service)
        self.fact_fields = []
        for name, label, kind in facts_for(service.code, catalog):
            key = f"fact_{name}"
            if kind == "bool":
                self.fields[key] = forms.TypedChoiceField(
                    label=term(label), choices=YES_NO, coerce=lambda v: v == "yes", required=True
                )
            else:
                self.fields[key] = forms.DecimalField(
                    label=term(label), min_value=0, max_digits=14, decimal_places=2
                )
            if name in FACT_HELP:
                self.fields[key].help_text = FACT_HELP[name](clock.today())
            self.fact_fields.append((name, key, kind))
        self.pre_fields = []
        for code in dict.fromkeys(p for lv in service.levers for p in lv.preconditions):
            key = f"pre_{code}"
            self.fields[key] = forms.BooleanField(
                label=term(catalog.precondition_name(code)), required=False
            )
            self.pre_fields.append((code, key))
        self.flag_fields = []
        for step in service.steps:
            if step.when:
                key = f"flag_{step.when}"
                self.fields[key] = forms.BooleanField(
                    label=term(catalog.fact_label(step.when)), required=False
                )
                self.flag_fields.append((step.when, key))

    def fact_bound_fields(self):
        return [self[key] for _n, key, _k in self.fact_fields]

    def lever_bound_fields(self):
        return [self[key] for _c, key in self.pre_fields]

    def flag_bound_fields(self):
        return [self[key] for _f, key in self.flag_fields]

    def clean(self):
        data = super().clean()
        if data.get("materials_complete") is False and not data.get("materials_expected"):
            self.add_error("materials_expected", _("材料今天交不齐时，请填写预计交齐的日期。"))
        return data

    def to_input(self) -> TriageInput:
        d = self.cleaned_data
        facts = {}
        for name, key, kind in self.fact_fields:
            value = d[key]
            facts[name] = value if kind == "bool" else float(value)
        return TriageInput(
            deadline=d["deadline"],
            written_notice=d["written_notice"],
            stage=d["stage"],
            materials_complete=d["materials_complete"],
            materials_expected=d.get("materials_expected"),
            consequence=d["consequence"],
            facts=facts,
            preconditions=tuple(code for code, key in self.pre_fields if d.get(key)),
            flags=tuple(flag for flag, key in self.flag_fields if d.get(key)),
        )


def initial_from(case) -> dict:
    """Pre-fill from the last staff answers, else from what the client said in the portal."""
    staff = case.intake.get("staff") or {}
    client = case.intake.get("client") or {}
    source = staff or client
    initial = {"deadline": source.get("deadline") or case.requested_deadline}
    for key in ("stage", "consequence", "materials_expected"):
        if source.get(key):
            initial[key] = source[key]
    for key in ("written_notice", "materials_complete"):
        if key in source:
            initial[key] = "yes" if source[key] else "no"
    for name, value in (staff.get("facts") or {}).items():
        initial[f"fact_{name}"] = ("yes" if value else "no") if isinstance(value, bool) else value
    for code in staff.get("preconditions") or []:
        initial[f"pre_{code}"] = True
    for flag in staff.get("flags") or []:
        initial[f"flag_{flag}"] = True
    return initial


class AlternativeForm(PanelForm):
    ids = "alternative"
    # Cleaned and bounded by the service, which names the field in its message.
    agreement = forms.CharField(
        label=_("客户同意的记录"),
        help_text=_("谁、何时、以何种方式同意改办（如：财务王芳 12月4日电话同意，邮件已存档）"),
        required=False,
        strip=False,
        widget=forms.Textarea(attrs={"rows": 2}),
    )


class OverrideForm(PanelForm):
    ids = "override"
    verdict = forms.ChoiceField(
        label=_("改判为"),
        choices=[
            ("not_needed", _("无需加急")),
            ("expedite", _("建议加急")),
            ("infeasible", _("无法按期完成")),
            ("blocked", _("须先满足前提")),
            ("false_urgency", _("假急（按常规办理，加急由客户自选）")),
        ],
    )
    reason = forms.CharField(
        label=_("改判理由"), widget=forms.Textarea(attrs={"rows": 2}), max_length=1000
    )
