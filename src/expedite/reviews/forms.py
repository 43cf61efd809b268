"""The review checklist as a form: one answer, note and correction per checklist item."""

from __future__ import annotations

from collections.abc import Sequence

from django import forms
from django.utils.translation import gettext_lazy as _

from .services import FindingInput

ANSWERS = [("ok", _("无误")), ("problem", _("有问题"))]


class ChecklistForm(forms.Form):
    """`ok_N`, `note_N` and `correction_N` for checklist item N. An item left unanswered is
    the service's to refuse (it says which); the form refuses what is not an answer at all."""

    def __init__(self, data, *, checklist: Sequence[str]) -> None:
        super().__init__(data)
        self.checklist = tuple(checklist)
        for index, item in enumerate(self.checklist):
            self.fields[f"ok_{index}"] = forms.ChoiceField(
                label=item, choices=ANSWERS, required=False
            )
            # Length and control characters are checked with the findings in the service.
            self.fields[f"note_{index}"] = forms.CharField(label=item, required=False)
            self.fields[f"correction_{index}"] = forms.CharField(label=item, required=False)

    def results(self) -> list[dict]:
        """Each item with its answer ("ok", "problem" or None when unanswered) and note."""
        data = self.cleaned_data
        return [
            {"item": item, "ok": data[f"ok_{i}"] or None, "note": data[f"note_{i}"]}
            for i, item in enumerate(self.checklist)
        ]

    def findings(self) -> list[FindingInput]:
        """A problem found is a finding, with its note and the correction asked for."""
        data = self.cleaned_data
        return [
            FindingInput(
                item=item, description=data[f"note_{i}"], correction=data[f"correction_{i}"]
            )
            for i, item in enumerate(self.checklist)
            if data[f"ok_{i}"] == "problem"
        ]
