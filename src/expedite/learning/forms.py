"""The inputs of the learning pages: the 复盘, a follow-up closed, a handbook entry and the
manager's decision on it. Texts are cleaned and bounded by the services."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from expedite.common.forms import id_field


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
    change it may propose is read by `views.change_from_post`."""

    step = forms.CharField(label=_("步骤"), required=False, max_length=64)
    title = forms.CharField(label=_("标题"), required=False, strip=False)
    body = forms.CharField(label=_("内容"), required=False, strip=False)
    retro = id_field(required=False)
    action = forms.IntegerField(required=False, min_value=0, max_value=1000)


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
