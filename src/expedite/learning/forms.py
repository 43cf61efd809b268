"""The inputs of the learning pages: the 复盘, a follow-up closed, a handbook entry and the
manager's decision on it. Texts are cleaned and bounded by the services."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from expedite.common.forms import id_field
from expedite.domain.learning import LEVER_KINDS, CatalogChange, ChangeKind


class RetrospectiveForm(forms.Form):
    went_well = forms.CharField(label=_("做得好的"), required=False, strip=False)
    to_improve = forms.CharField(label=_("要改进的"), required=False, strip=False)
    actions = forms.CharField(label=_("改进行动"), required=False, strip=False)

    def action_lines(self) -> list[str]:
        return self.cleaned_data["actions"].splitlines()


class FollowUpCloseForm(forms.Form):
    note = forms.CharField(label=_("处理说明"), required=False, strip=False)
    apply = forms.BooleanField(required=False)
    # Parsed by the service, which names the format it wants (16:00).
    report_time = forms.CharField(label=_("日报时间"), required=False, max_length=20)

    def report_time_text(self) -> str:
        """The new report time for the case, when the manager chose to apply one."""
        return self.cleaned_data["report_time"] if self.cleaned_data["apply"] else ""


class HandbookEntryForm(forms.Form):
    """A handbook entry and the retrospective action it comes from, if any. The catalog
    change it may propose is `CatalogChangeForm`."""

    step = forms.CharField(label=_("步骤"), required=False, max_length=64)
    title = forms.CharField(label=_("标题"), required=False, strip=False)
    body = forms.CharField(label=_("内容"), required=False, strip=False)
    retro = id_field(required=False)
    action = forms.IntegerField(required=False, min_value=0, max_value=1000)


UNITS = [("workdays", _("个工作日")), ("hours", _("小时"))]


class CatalogChangeForm(forms.Form):
    """The catalog change a handbook entry proposes (none, a step's duration, a checklist item
    or a lever), checked as a whole: each kind needs its own fields."""

    change_kind = forms.ChoiceField(
        choices=[("", "—"), *((k.value, k.value) for k in ChangeKind)], required=False
    )
    step = forms.CharField(label=_("步骤"), required=False, max_length=64)
    amount = forms.FloatField(label=_("时长"), required=False)
    unit = forms.ChoiceField(choices=UNITS, required=False)
    item = forms.CharField(label=_("新增检查项"), required=False, max_length=120)
    lever_code = forms.CharField(label=_("加急手段代码"), required=False, max_length=40)
    lever_name = forms.CharField(label=_("加急手段名称"), required=False, max_length=60)
    lever_kind = forms.ChoiceField(
        label=_("类型"),
        choices=[("", "—"), *((k.value, k.value) for k in LEVER_KINDS)],
        required=False,
    )
    lever_reason = forms.CharField(label=_("理由"), required=False, max_length=300)

    def _duration(self) -> tuple[str, float]:
        amount = self.cleaned_data.get("amount")
        if amount is None or not 0 < amount <= 100:
            raise forms.ValidationError({"amount": _("请填写大于零的时长。")})
        return self.cleaned_data.get("unit") or "workdays", amount

    def clean(self):
        data = super().clean()
        kind = data.get("change_kind")
        if self.errors or not kind:
            return data
        if kind == ChangeKind.DURATION:
            self._duration()
        elif kind == ChangeKind.CHECKLIST:
            data["item"] = " ".join(data.get("item", "").split())
            if not data["item"]:
                raise forms.ValidationError({"item": _("请填写要新增的检查项。")})
        elif kind == ChangeKind.LEVER:
            if not data.get("lever_kind"):
                raise forms.ValidationError({"lever_kind": _("请选择加急手段的类型。")})
            data["lever_code"] = "-".join(data.get("lever_code", "").lower().split())
            if not (data["lever_code"] and data.get("lever_name") and data.get("lever_reason")):
                raise forms.ValidationError({"lever_code": _("加急手段须填写代码、名称和理由。")})
            if data["lever_kind"] != "skip":
                self._duration()
        return data

    def change(self, service_code: str) -> CatalogChange | None:
        """The change proposed, once the form is valid (None: the entry proposes none)."""
        data = self.cleaned_data
        kind = data["change_kind"]
        if kind == ChangeKind.DURATION:
            return CatalogChange(
                kind=ChangeKind.DURATION,
                service=service_code,
                step=data["step"],
                duration=(self._duration(),),
            )
        if kind == ChangeKind.CHECKLIST:
            return CatalogChange(kind=ChangeKind.CHECKLIST, service=service_code, item=data["item"])
        if kind == ChangeKind.LEVER:
            lever: dict = {
                "code": data["lever_code"],
                "name": data["lever_name"],
                "kind": data["lever_kind"],
                "reason": data["lever_reason"],
            }
            if data["lever_kind"] != "skip":
                unit, amount = self._duration()
                lever["to"] = {unit: amount}
            return CatalogChange(
                kind=ChangeKind.LEVER,
                service=service_code,
                step=data["step"],
                lever=tuple(lever.items()),
            )
        return None


class HandbookDecisionForm(forms.Form):
    decision = forms.ChoiceField(choices=[("accept", "accept"), ("reject", "reject")])
    reason = forms.CharField(label=_("理由"), required=False, strip=False)
    next = forms.CharField(required=False)

    def back(self, default: str) -> str:
        # Only back to a handbook page: never a redirect somewhere a form field names.
        back = self.cleaned_data.get("next") or ""
        return back if back.startswith("/handbook/") and "//" not in back else default


class SurveyForm(forms.Form):
    """The client's three scores (the service checks each is 1 to 5) and a comment."""

    timeliness = forms.CharField(required=False, max_length=2)
    communication = forms.CharField(required=False, max_length=2)
    result = forms.CharField(required=False, max_length=2)
    comment = forms.CharField(required=False, strip=False, max_length=20_000)
